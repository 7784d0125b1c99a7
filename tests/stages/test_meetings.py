"""S5 collective decision: the meeting packet, executive and plenary meetings, opinions in speaking order
with the head last, the head's decision, minutes and the reports before issuance (R13–R16, SoD4, SoD8).

Each rule: a case it allows and a case it refuses, asserting the rule id and article; refusals leave the
meeting and the decision as they were (apart from the AttemptRefused evidence); replay equals live.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from decision_engine.domain.errors import (
    DomainError,
    FinalizationRefused,
    InvalidInput,
    NotPermitted,
    RuleViolation,
)
from decision_engine.services import decisions as svc
from decision_engine.services import identity, queries, verification
from decision_engine.services import meetings as mtg
from decision_engine.services.context import Context
from decision_engine.services.demo import CITY
from tests.conftest import WARNINGS_ARE_ERRORS

pytestmark = WARNINGS_ARE_ERRORS

STATE_KEYS = ("status", "gates", "artifacts", "flags", "draft_version")


def secretary(ctx: Context, name: str = "孙秘书（市政府办公厅）") -> str:
    """A person in the secretariat (秘书), who calls the roll and takes the minutes."""
    pid = identity.register_person(ctx, name)
    identity.grant_role(ctx, pid, "secretariat", CITY, reason="任职")
    return pid


def sitting(walk: Any, *, members: list[str] | None = None, ready: bool = True) -> tuple[str, str]:
    """A ready decision (unless ready=False) and an executive meeting convened by the secretariat."""
    sec = secretary(walk.ctx)
    if ready:
        walk.ready()
    c = walk.c
    mid = mtg.convene(walk.ctx, sec, meeting_type="executive", title="市政府第12次常务会议",
                      held_on=walk.ctx.today().isoformat(), head=c.head,
                      members=members or [c.member_a, c.member_b]).meeting_id
    return sec, mid


def seated(walk: Any) -> tuple[str, str]:
    """A meeting with the ready decision as item 1 and everyone present."""
    sec, mid = sitting(walk)
    c = walk.c
    mtg.place_on_agenda(walk.ctx, sec, mid, walk.did)
    mtg.record_attendance(walk.ctx, sec, mid, [c.member_a, c.member_b, c.head])
    return sec, mid


def speak(walk: Any, mid: str, item: int, *positions: tuple[str, str, str]) -> None:
    """Opinions in the order given, each recorded by the speaker."""
    for who, position, text in positions:
        mtg.record_opinion(walk.ctx, who, mid, item, speaker=who, position=position, text=text)


def debate(walk: Any, mid: str, item: int = 1, a: str = "support", b: str = "support",
           head: str = "support") -> None:
    c = walk.c
    speak(walk, mid, item, (c.member_a, a, "同意"), (c.member_b, b, "同意"), (c.head, head, "同意"))


def refused(walk: Any, mid: str | None, call: Callable[[], object], err: type[DomainError], rule: str,
            article_part: str) -> DomainError:
    """Assert a refusal with its rule and article, and that neither the meeting nor the decision moved."""
    ctx = walk.ctx
    meeting = mtg.get_meeting(ctx, mid) if mid else None
    decision = queries.get_decision(ctx, walk.did) if walk.did else None
    with pytest.raises(err) as info:
        call()
    assert info.value.rule == rule, info.value
    assert article_part in info.value.article, info.value
    if meeting is not None:
        after = mtg.get_meeting(ctx, mid)  # type: ignore[arg-type]
        for key in ("status", "items", "attendance", "minutes", "roster"):
            assert after[key] == meeting[key], key
    if decision is not None:
        after_d = queries.get_decision(ctx, walk.did)
        for key in STATE_KEYS:
            assert after_d[key] == decision[key], key
    return info.value


def replay_equals_live(ctx: Context, mid: str, *dids: str) -> None:
    with ctx.store.read() as conn:
        assert mtg.replay_meeting(conn, mid).state == mtg.load_meeting(conn, mid)[0].state
        for did in dids:
            assert queries.replay(conn, did).state == svc.load(conn, did)[0].state


# -------------------------------------------------------------------------- the whole sitting (both DBs)
def test_a_meeting_decides_two_ready_decisions_in_speaking_order_and_replay_equals_live(walk_any: Any) -> None:
    walk, ctx = walk_any, walk_any.ctx
    c = walk.c
    second = type(walk)(ctx)
    second.c = c
    second.ready()
    sec, mid = sitting(walk)
    mtg.place_on_agenda(ctx, sec, mid, walk.did)
    mtg.place_on_agenda(ctx, sec, mid, second.did)
    mtg.record_attendance(ctx, sec, mid, [c.member_a, c.member_b, c.head])
    dissent = "  建议暂缓调价：票价涨幅过大！\n（异议照录）"
    mtg.record_opinion(ctx, c.member_a, mid, 1, speaker=c.member_a, position="support", text="同意")
    mtg.record_opinion(ctx, sec, mid, 1, speaker=c.member_b, position="oppose", text=dissent)
    mtg.record_opinion(ctx, c.head, mid, 1, speaker=c.head, position="support", text="同意，分步实施")
    mtg.decide_item(ctx, c.head, mid, 1, outcome="adopt")
    debate(walk, mid, 2)
    r = mtg.decide_item(ctx, c.head, mid, 2, outcome="defer", head_reasons="待财政测算后再议")
    assert r.status == "concluded"

    record = queries.get_decision(ctx, walk.did)
    art = next(a for a in record["artifacts"] if a["kind"] == "meeting_record")
    assert art["author"]["person"] == c.head and art["fields"]["meeting_id"] == mid
    assert [o["person"] for o in art["fields"]["opinions"]] == [c.member_a, c.member_b, c.head]
    assert art["fields"]["opinions"][1]["text"] == dissent  # R15: dissent verbatim
    assert art["fields"]["tally"] == {"support": 2, "oppose": 1, "abstain": 0, "absent": 0}
    assert next(g for g in record["gates"] if g["id"] == "collective_decision")["status"] == "cleared"
    deferred = queries.get_decision(ctx, second.did)
    assert deferred["status"] == "ready_for_decision"
    assert next(g for g in deferred["gates"] if g["id"] == "collective_decision")["status"] == "submitted"

    mtg.report_to_party(ctx, c.office, walk.did, reported_to="中共某市委")
    svc.finalize(ctx, c.head, walk.did)
    assert queries.get_decision(ctx, walk.did)["status"] == "decided"
    with ctx.store.read() as conn:
        assert [x["outcome"] for x in mtg.meetings_of(conn, second.did)] == ["defer"]
    replay_equals_live(ctx, mid, walk.did, second.did)
    report = verification.verify(ctx)  # the meeting's stream is hash-chained like every other
    assert report.ok, [str(f) for f in report.findings]


# -------------------------------------------------------------------------- R15: the venue
def test_a_circulated_sign_off_is_refused_as_a_meeting(walk: Any) -> None:
    sec = secretary(walk.ctx)
    walk.open()
    refused(walk, None, lambda: mtg.convene(walk.ctx, sec, meeting_type="circulation", title="传签",
                                            held_on="2025-03-03", head=walk.c.head,
                                            members=[walk.c.member_a]), RuleViolation, "R15", "Art. 30 ¶1")


def test_a_plenary_meeting_is_convened_with_the_head_in_its_roster(walk: Any) -> None:
    sec = secretary(walk.ctx)
    walk.open()
    r = mtg.convene(walk.ctx, sec, meeting_type="plenary", title="市政府全体会议", held_on="2025-03-03",
                    head=walk.c.head, members=[walk.c.member_a, walk.c.member_b])
    m = mtg.get_meeting(walk.ctx, r.meeting_id)
    assert m["roster"][-1] == walk.c.head and m["quorum_fraction"] == 0.5 and m["status"] == "convened"


def test_a_meeting_presided_by_someone_who_is_not_an_administrative_head_is_refused(walk: Any) -> None:
    sec = secretary(walk.ctx)
    walk.open()
    refused(walk, None, lambda: mtg.convene(walk.ctx, sec, meeting_type="executive", title="会议",
                                            held_on="2025-03-03", head=walk.c.member_a,
                                            members=[walk.c.member_b]), NotPermitted, "SoD4", "Art. 30")


# -------------------------------------------------------------------------- R14: agenda and packet
def test_a_decision_with_an_unsatisfied_gate_cannot_be_placed_on_the_agenda(walk: Any) -> None:
    walk.open().start().determine().coordinate()
    sec, mid = sitting(walk, ready=False)
    err = refused(walk, mid, lambda: mtg.place_on_agenda(walk.ctx, sec, mid, walk.did), RuleViolation,
                  "R14", "Art. 29")
    assert {m.gate for m in err.missing} >= {"public_participation", "legality_review"}


def test_the_packet_is_assembled_from_the_record_not_uploaded(walk: Any) -> None:
    walk.open().start().determine()
    walk.art(walk.c.drafter, "consultation", unit="某市财政局", opinion="不同意", dispute=True)
    walk.art(walk.c.drafter, "dispute_statement", issue="补贴资金来源", views={"财政局": "另行安排"},
             lead_view="纳入预算", reasons="保障公交运营", basis="预算法")
    walk.participate().legality()
    sec, mid = sitting(walk, ready=False)
    mtg.place_on_agenda(walk.ctx, sec, mid, walk.did)
    packet = mtg.get_meeting(walk.ctx, mid)["items"][0]["packet"]
    record = queries.get_decision(walk.ctx, walk.did)
    opinion = next(a for a in record["artifacts"] if a["kind"] == "legality_opinion")
    assert packet["draft"]["version"] == opinion["draft_version"] == record["draft_version"]  # R13
    assert packet["legality_opinion"]["artifact_id"] == opinion["id"]
    assert packet["legality_opinion"]["conclusion"] == "lawful"
    assert [r["kind"] for r in packet["adoption_records"]] == ["opinion_summary"]
    assert [r["kind"] for r in packet["dispute_statements"]] == ["dispute_statement"]
    assert packet["fair_competition_review"] is None
    assert mtg.packet_preview(walk.ctx, walk.did)["draft"] == packet["draft"]


def test_a_decision_affecting_market_entities_needs_fair_competition_information_in_its_packet(
        walk: Any) -> None:
    walk.open().start().determine(affects_market_entities=True).coordinate().participate().legality()
    sec, mid = sitting(walk, ready=False)
    refused(walk, mid, lambda: mtg.place_on_agenda(walk.ctx, sec, mid, walk.did), RuleViolation, "R14",
            "Art. 29(1)")
    walk.art(walk.c.drafter, "fair_competition_review", conclusion="不排除、限制竞争")
    mtg.place_on_agenda(walk.ctx, sec, mid, walk.did)
    packet = mtg.get_meeting(walk.ctx, mid)["items"][0]["packet"]
    assert packet["fair_competition_review"]["kind"] == "fair_competition_review"


# -------------------------------------------------------------------------- R15: quorum and recusal
def test_a_meeting_without_quorum_is_refused(walk: Any) -> None:
    extra = [identity.register_person(walk.ctx, n) for n in ("王副市长", "吴副市长")]
    for pid in extra:
        identity.grant_role(walk.ctx, pid, "meeting_member", CITY)
    c = walk.c
    sec, mid = sitting(walk, members=[c.member_a, c.member_b, *extra])
    refused(walk, mid, lambda: mtg.record_attendance(walk.ctx, sec, mid, [c.member_a, c.head]),
            RuleViolation, "R15", "Art. 30")
    mtg.record_attendance(walk.ctx, sec, mid, [c.member_a, c.member_b, c.head])
    att = mtg.get_meeting(walk.ctx, mid)["attendance"]
    assert att["present"] == [c.member_a, c.member_b, c.head] and att["absent"] == extra


def test_a_meeting_cannot_sit_without_its_head(walk: Any) -> None:
    sec, mid = sitting(walk)
    refused(walk, mid, lambda: mtg.record_attendance(walk.ctx, sec, mid, [walk.c.member_a, walk.c.member_b]),
            RuleViolation, "SoD4", "Art. 30")


def test_a_recused_member_neither_speaks_nor_counts(walk: Any) -> None:
    _sec, mid = seated(walk)
    c = walk.c
    mtg.recuse(walk.ctx, c.member_b, mid, 1, c.member_b, "配偶在公交集团任职")
    refused(walk, mid, lambda: speak(walk, mid, 1, (c.member_b, "support", "同意")), RuleViolation, "R15",
            "Art. 30")
    speak(walk, mid, 1, (c.member_a, "support", "同意"), (c.head, "support", "同意"))
    mtg.decide_item(walk.ctx, c.head, mid, 1, outcome="adopt")
    fields = next(a for a in queries.get_decision(walk.ctx, walk.did)["artifacts"]
                  if a["kind"] == "meeting_record")["fields"]
    assert fields["attendance"] == [c.member_a, c.head] and fields["members_total"] == 2
    assert fields["recused"] == [{"person": c.member_b, "reason": "配偶在公交集团任职"}]


# -------------------------------------------------------------------------- SoD4: the head last, and decides
def test_the_head_speaking_before_every_present_member_is_refused(walk: Any) -> None:
    _sec, mid = seated(walk)
    c = walk.c
    speak(walk, mid, 1, (c.member_a, "support", "同意"))
    refused(walk, mid, lambda: speak(walk, mid, 1, (c.head, "support", "同意")), RuleViolation, "SoD4",
            "Art. 30")
    speak(walk, mid, 1, (c.member_b, "support", "同意"), (c.head, "support", "同意"))


def test_a_heads_decision_before_every_present_member_has_spoken_is_refused(walk: Any) -> None:
    _sec, mid = seated(walk)
    c = walk.c
    speak(walk, mid, 1, (c.member_a, "support", "同意"))
    refused(walk, mid, lambda: mtg.decide_item(walk.ctx, c.head, mid, 1, outcome="adopt"), RuleViolation,
            "SoD4", "Art. 30")
    assert not [a for a in queries.get_decision(walk.ctx, walk.did)["artifacts"]
                if a["kind"] == "meeting_record"]  # nothing half-written in the decision


def test_no_opinion_follows_the_heads(walk: Any) -> None:
    _sec, mid = seated(walk)
    debate(walk, mid)
    refused(walk, mid, lambda: speak(walk, mid, 1, (walk.c.member_a, "oppose", "补充意见")), RuleViolation,
            "SoD4", "Art. 30")


def test_only_the_presiding_head_decides(walk: Any) -> None:
    _sec, mid = seated(walk)
    debate(walk, mid)
    refused(walk, mid, lambda: mtg.decide_item(walk.ctx, walk.c.member_a, mid, 1, outcome="adopt"),
            NotPermitted, "SoD4", "Art. 30")
    other = identity.register_person(walk.ctx, "另一位市长")
    identity.grant_role(walk.ctx, other, "admin_head", CITY)
    refused(walk, mid, lambda: mtg.decide_item(walk.ctx, other, mid, 1, outcome="adopt"), NotPermitted,
            "SoD4", "Art. 30")
    mtg.decide_item(walk.ctx, walk.c.head, mid, 1, outcome="adopt")


def test_another_members_opinion_recorded_by_someone_outside_the_secretariat_is_refused(walk: Any) -> None:
    sec, mid = seated(walk)
    c = walk.c
    refused(walk, mid, lambda: mtg.record_opinion(walk.ctx, c.member_a, mid, 1, speaker=c.member_b,
                                                  position="support", text="同意"),
            NotPermitted, "R15", "Art. 30")
    mtg.record_opinion(walk.ctx, sec, mid, 1, speaker=c.member_b, position="support", text="同意")


# -------------------------------------------------------------------------- R15: majority, tally, dissent
def test_departing_from_the_majority_needs_reasons_recorded_at_the_meeting(walk: Any) -> None:
    _sec, mid = seated(walk)
    debate(walk, mid, a="oppose", b="oppose")
    refused(walk, mid, lambda: mtg.decide_item(walk.ctx, walk.c.head, mid, 1, outcome="adopt"),
            RuleViolation, "R15", "Art. 30")
    assert mtg.get_meeting(walk.ctx, mid)["refused_attempts"] == 1
    assert queries.get_decision(walk.ctx, walk.did)["refused_attempts"] == 1
    mtg.decide_item(walk.ctx, walk.c.head, mid, 1, outcome="adopt", head_reasons="汛期前必须实施")
    outcome = mtg.get_meeting(walk.ctx, mid)["items"][0]["outcome"]
    assert outcome["departs"] is True and outcome["head_reasons"] == "汛期前必须实施"
    replay_equals_live(walk.ctx, mid, walk.did)


def test_a_tally_counting_more_than_those_present_is_refused(walk: Any) -> None:
    _sec, mid = seated(walk)
    debate(walk, mid)
    refused(walk, mid, lambda: mtg.decide_item(walk.ctx, walk.c.head, mid, 1, outcome="adopt",
                                               tally={"support": 4, "oppose": 0, "abstain": 0}),
            RuleViolation, "R15", "Art. 30")


def test_a_present_member_counted_as_absent_is_refused(walk: Any) -> None:
    _sec, mid = seated(walk)
    debate(walk, mid)
    refused(walk, mid, lambda: mtg.decide_item(walk.ctx, walk.c.head, mid, 1, outcome="adopt",
                                               tally={"support": 3, "oppose": 0, "abstain": 0, "absent": 1}),
            RuleViolation, "R15", "Art. 30")
    mtg.decide_item(walk.ctx, walk.c.head, mid, 1, outcome="adopt",
                    tally={"support": 3, "oppose": 0, "abstain": 0, "absent": 0})


def test_an_opinion_without_its_text_is_refused(walk: Any) -> None:
    _sec, mid = seated(walk)
    refused(walk, mid, lambda: speak(walk, mid, 1, (walk.c.member_a, "oppose", "  ")), InvalidInput, "R15",
            "Art. 30")


# -------------------------------------------------------------------------- outcomes
def test_adoption_with_amendments_needs_a_new_draft_reviewed_again(walk: Any) -> None:
    _sec, mid = seated(walk)
    debate(walk, mid)
    refused(walk, mid, lambda: mtg.decide_item(walk.ctx, walk.c.head, mid, 1,
                                               outcome="adopt_with_amendments"), InvalidInput, "R15", "Art. 30")
    mtg.decide_item(walk.ctx, walk.c.head, mid, 1, outcome="adopt_with_amendments",
                    amendments="第二条票价调整分两步实施")
    walk.report()
    err = refused(walk, None, lambda: svc.finalize(walk.ctx, walk.c.head, walk.did), FinalizationRefused,
                  "R15", "Art. 30")
    assert [m.kind for m in err.missing] == ["draft"]
    svc.add_draft_version(walk.ctx, walk.c.drafter, walk.did, content=b"draft v2", title="v2",
                          note="按常务会议意见修改")
    err = refused(walk, None, lambda: svc.finalize(walk.ctx, walk.c.head, walk.did), FinalizationRefused,
                  "R11", "Arts. 25")  # R13: the amended version goes back to the legal office
    assert {m.gate for m in err.missing} == {"legality_review"}
    walk.legality()
    svc.finalize(walk.ctx, walk.c.head, walk.did)
    view = queries.get_decision(walk.ctx, walk.did)
    assert view["status"] == "decided" and view["draft_version"] == 2
    replay_equals_live(walk.ctx, mid, walk.did)


def test_a_draft_changed_after_adoption_cannot_be_finalized_on_that_adoption(walk: Any) -> None:
    _sec, mid = seated(walk)
    debate(walk, mid)
    mtg.decide_item(walk.ctx, walk.c.head, mid, 1, outcome="adopt")
    walk.report()
    svc.add_draft_version(walk.ctx, walk.c.drafter, walk.did, content=b"v2", title="v2")
    walk.legality()
    err = refused(walk, None, lambda: svc.finalize(walk.ctx, walk.c.head, walk.did), FinalizationRefused,
                  "R13", "Art. 25")
    assert [m.gate for m in err.missing] == ["collective_decision"]


def test_sending_back_reopens_the_named_gates_with_the_reason(walk: Any) -> None:
    _sec, mid = seated(walk)
    debate(walk, mid, a="oppose", b="oppose", head="oppose")
    refused(walk, mid, lambda: mtg.decide_item(walk.ctx, walk.c.head, mid, 1, outcome="send_back",
                                               reason="公众意见回应不充分"), InvalidInput, "R15", "Art. 30")
    refused(walk, mid, lambda: mtg.decide_item(walk.ctx, walk.c.head, mid, 1, outcome="send_back",
                                               reopen_gates=["collective_decision"], reason="重议"),
            RuleViolation, "R15", "Art. 30")
    mtg.decide_item(walk.ctx, walk.c.head, mid, 1, outcome="send_back",
                    reopen_gates=["public_participation", "legality_review"], reason="公众意见回应不充分")
    view = queries.get_decision(walk.ctx, walk.did)
    gates = {g["id"]: g for g in view["gates"]}
    assert view["status"] == "in_procedure"
    assert gates["public_participation"]["status"] == "open" and gates["legality_review"]["status"] == "open"
    reopened = [e for e in queries.events(walk.ctx, walk.did) if e["type"] == "GateReopened"]
    assert [(e["payload"]["gate"], e["payload"]["reason"], e["actor"]["person"]) for e in reopened] == [
        ("public_participation", "公众意见回应不充分", walk.c.head),
        ("legality_review", "公众意见回应不充分", walk.c.head)]
    replay_equals_live(walk.ctx, mid, walk.did)


def test_a_rejected_decision_cannot_be_finalized(walk: Any) -> None:
    _sec, mid = seated(walk)
    debate(walk, mid, a="oppose", b="oppose", head="oppose")
    mtg.decide_item(walk.ctx, walk.c.head, mid, 1, outcome="reject")
    walk.report()
    refused(walk, None, lambda: svc.finalize(walk.ctx, walk.c.head, walk.did), FinalizationRefused, "R15",
            "Art. 30")


def test_a_packet_older_than_the_current_draft_is_refused_at_the_decision(walk: Any) -> None:
    _sec, mid = seated(walk)
    svc.add_draft_version(walk.ctx, walk.c.drafter, walk.did, content=b"v2", title="v2")
    walk.legality()
    debate(walk, mid)
    refused(walk, mid, lambda: mtg.decide_item(walk.ctx, walk.c.head, mid, 1, outcome="adopt"),
            RuleViolation, "R13", "Art. 25")


# -------------------------------------------------------------------------- minutes (R15, SoD8, R18)
def decided_sitting(walk: Any) -> tuple[str, str]:
    sec, mid = seated(walk)
    c = walk.c
    speak(walk, mid, 1, (c.member_a, "support", "同意"), (c.member_b, "oppose", "反对<调价>，异议照录"),
          (c.head, "support", "同意"))
    mtg.decide_item(walk.ctx, c.head, mid, 1, outcome="adopt")
    return sec, mid


def test_minutes_before_every_item_is_decided_are_refused(walk: Any) -> None:
    sec, mid = seated(walk)
    refused(walk, mid, lambda: mtg.generate_minutes(walk.ctx, sec, mid), RuleViolation, "R15", "Art. 30")


def test_minutes_generated_from_the_record_are_confirmed_by_the_secretariat_and_the_head(walk: Any) -> None:
    sec, mid = decided_sitting(walk)
    mtg.generate_minutes(walk.ctx, sec, mid)
    meta, body = mtg.minutes_content(walk.ctx, mid)
    html_text = body.decode()
    assert meta["version"] == 1 and meta["media_type"] == "text/html"
    assert "反对&lt;调价&gt;，异议照录" in html_text and "钱副市长" in html_text and "通过" in html_text
    mtg.confirm_minutes(walk.ctx, sec, mid, version=1, sha256=meta["sha256"], capacity="secretariat")
    r = mtg.confirm_minutes(walk.ctx, walk.c.head, mid, version=1, sha256=meta["sha256"], capacity="head")
    assert r.status == "minutes_confirmed"
    replay_equals_live(walk.ctx, mid, walk.did)


def test_the_head_confirming_the_minutes_as_secretary_is_refused(walk: Any) -> None:
    sec, mid = decided_sitting(walk)
    mtg.generate_minutes(walk.ctx, sec, mid)
    meta, _ = mtg.minutes_content(walk.ctx, mid)
    refused(walk, mid, lambda: mtg.confirm_minutes(walk.ctx, walk.c.head, mid, version=1, sha256=meta["sha256"],
                                                   capacity="secretariat"), NotPermitted, "SoD8", "Art. 30")
    identity.grant_role(walk.ctx, walk.c.head, "secretariat", CITY, reason="兼任")
    refused(walk, mid, lambda: mtg.confirm_minutes(walk.ctx, walk.c.head, mid, version=1, sha256=meta["sha256"],
                                                   capacity="secretariat"), NotPermitted, "SoD8", "Art. 30")
    mtg.confirm_minutes(walk.ctx, sec, mid, version=1, sha256=meta["sha256"], capacity="secretariat")


def test_a_correction_of_confirmed_minutes_is_a_new_version_with_a_reason(walk: Any) -> None:
    sec, mid = decided_sitting(walk)
    mtg.generate_minutes(walk.ctx, sec, mid)
    v1, first = mtg.minutes_content(walk.ctx, mid)
    mtg.confirm_minutes(walk.ctx, sec, mid, version=1, sha256=v1["sha256"], capacity="secretariat")
    mtg.confirm_minutes(walk.ctx, walk.c.head, mid, version=1, sha256=v1["sha256"], capacity="head")
    refused(walk, mid, lambda: mtg.generate_minutes(walk.ctx, sec, mid), RuleViolation, "R18", "Art. 33")
    refused(walk, mid, lambda: mtg.correct_minutes(walk.ctx, sec, mid, reason=" ", corrections=["x"]),
            InvalidInput, "R18", "Art. 33")
    r = mtg.correct_minutes(walk.ctx, sec, mid, reason="郑副市长发言记录有误",
                            corrections=["议题1郑副市长发言应为：反对调价"])
    assert r.status == "minutes_drafted"
    v2, second = mtg.minutes_content(walk.ctx, mid)
    assert v2["version"] == 2 and v2["reason"] == "郑副市长发言记录有误" and "更正说明" in second.decode()
    assert mtg.minutes_content(walk.ctx, mid, 1)[1] == first  # the confirmed version is kept as it was
    refused(walk, mid, lambda: mtg.confirm_minutes(walk.ctx, sec, mid, version=1, sha256=v1["sha256"],
                                                   capacity="secretariat"), RuleViolation, "R18", "Art. 33")
    mtg.confirm_minutes(walk.ctx, sec, mid, version=2, sha256=v2["sha256"], capacity="secretariat")
    replay_equals_live(walk.ctx, mid, walk.did)


# -------------------------------------------------------------------------- R16: reports before issuance
def test_an_npc_matter_needs_the_peoples_congress_record_before_finalization(walk: Any) -> None:
    walk.ready()
    svc.record_determination(walk.ctx, walk.c.office, walk.did, "npc_matter", True, "属人大常委会审议事项")
    walk.meeting()
    mtg.report_to_party(walk.ctx, walk.c.office, walk.did, reported_to="中共某市委")
    err = refused(walk, None, lambda: svc.finalize(walk.ctx, walk.c.head, walk.did), FinalizationRefused,
                  "R16", "Art. 8")
    assert [m.kind for m in err.missing] == ["npc_record"]
    mtg.record_npc_procedure(walk.ctx, walk.c.office, walk.did, procedure="市人大常委会第8次会议审议",
                             outcome="通过")
    svc.finalize(walk.ctx, walk.c.head, walk.did)


def test_finalization_without_the_party_report_is_refused(walk: Any) -> None:
    _sec, mid = seated(walk)
    debate(walk, mid)
    mtg.decide_item(walk.ctx, walk.c.head, mid, 1, outcome="adopt")
    refused(walk, None, lambda: svc.finalize(walk.ctx, walk.c.head, walk.did), FinalizationRefused, "R16",
            "Art. 31")
    mtg.report_to_party(walk.ctx, walk.c.office, walk.did, reported_to="中共某市委")
    svc.finalize(walk.ctx, walk.c.head, walk.did)
