"""The meeting aggregate in memory (R14–R15, SoD4, SoD8, R18; Arts. 29–30, 33): convene, agenda, roll,
recusal, opinions in order with the head last, the head's decision, minutes confirmed and corrected."""

from __future__ import annotations

from typing import Any

import pytest

from decision_engine.domain.decision import Actor
from decision_engine.domain.errors import InvalidInput, NotFound, NotPermitted, RuleViolation
from decision_engine.domain.meeting import Meeting, assemble_packet
from tests.domain.builders import Build, C, Stream, blob, refused

MEMBERS = ("member_a", "member_b")


def convene(who: Actor = C.secretary, **kw: Any) -> tuple[Actor, list[Any]]:
    args: dict[str, Any] = {"meeting_type": "executive", "title": "常务会议", "held_on": "2025-04-03",
                            "head": "head", "head_roles": ("admin_head",), "members": MEMBERS,
                            "quorum_fraction": 0.5, "profile": "order713"}
    args.update(kw)
    return Meeting.convene((who,), "m1", **args)


def convened(**kw: Any) -> Stream:
    s = Stream(Meeting())
    s.act(convene(**kw))
    return s


def placed(b: Build, present: tuple[str, ...] = ("member_a", "member_b", "head")) -> Stream:
    b.ready()
    s = convened()
    s.act(s.agg.place_item((C.secretary,), b.d, lambda p: "hash"))
    s.act(s.agg.record_attendance((C.secretary,), present))
    return s


def spoken(s: Stream, *people: Actor) -> None:
    for who in people:
        s.act(s.agg.record_opinion((who,), 1, who.person, "support", "同意"))


def decided(b: Build, outcome: str = "adopt") -> tuple[Stream, dict[str, Any]]:
    s = placed(b)
    spoken(s, C.member_a, C.member_b, C.head)
    result = s.act(s.agg.decide_item((C.head,), 1, outcome=outcome, current_draft_version=1, artifact_id="mr"))
    return s, result[2]


# convene --------------------------------------------------------------------------------------------
def test_r15_a_meeting_is_convened_with_the_head_presiding_last_on_the_roster() -> None:
    s = convened(members=("member_a", "head", "member_a", "member_b"))
    assert s.agg.state["roster"] == ["member_a", "member_b", "head"] and s.agg.state["status"] == "convened"


def test_r15_a_circulated_sign_off_is_not_a_meeting() -> None:
    refused(lambda: convene(meeting_type="circulation"), RuleViolation, "R15", "Art. 30 ¶1")


def test_r15_a_meeting_is_convened_only_by_the_secretariat_organ_or_head() -> None:
    refused(lambda: convene(C.member_a), NotPermitted, "R15", "Art. 30")


@pytest.mark.parametrize("kw", [{"title": " "}, {"members": ()}, {"members": ("head",)}, {"quorum_fraction": 1},
                                {"quorum_fraction": -0.1}, {"held_on": "someday"}])
def test_r15_a_meeting_without_a_title_members_a_sane_quorum_or_a_date_is_malformed(kw: dict[str, Any]) -> None:
    refused(lambda: convene(**kw), InvalidInput, "R15", "Art. 30")


def test_sod4_a_meeting_is_presided_by_an_administrative_head() -> None:
    refused(lambda: convene(head_roles=("meeting_member",)), NotPermitted, "SoD4", "Art. 30")
    convene(quorum_fraction=0)


# the agenda (R14) -------------------------------------------------------------------------------------
def test_r14_only_a_decision_ready_for_decision_is_placed_on_the_agenda(b: Build) -> None:
    b.open().start().determine().coordinate()
    s = convened()
    refused(lambda: s.agg.place_item((C.secretary,), b.d, lambda p: "h"), RuleViolation, "R14", "Art. 29")
    refused(lambda: assemble_packet(b.d), RuleViolation, "R14", "Art. 29")


def test_r14_items_are_placed_by_the_secretariat_or_organ_once_each(b: Build) -> None:
    b.ready()
    s = convened()
    refused(lambda: s.agg.place_item((C.head,), b.d, lambda p: "h"), NotPermitted, "R14", "Art. 29")
    s.act(s.agg.place_item((C.office,), b.d, lambda p: "h"))
    item = s.agg.item(1)
    assert (item["decision_id"], item["draft_version"], item["packet_sha256"]) == ("d1", 1, "h")
    refused(lambda: s.agg.place_item((C.secretary,), b.d, lambda p: "h"), RuleViolation, "R14", "Art. 29")
    refused(lambda: s.agg.item(2), NotFound, "R14", "Art. 29")


def test_r15_a_decision_already_adopted_is_not_placed_again(b: Build) -> None:
    b.ready().meeting()
    s = convened()
    refused(lambda: s.agg.place_item((C.secretary,), b.d, lambda p: "h"), RuleViolation, "R15", "Art. 30")


def test_r14_the_packet_is_assembled_from_the_record_of_the_reviewed_draft(b: Build) -> None:
    b.ready()
    packet = assemble_packet(b.d)
    assert packet["draft"]["version"] == 1 and packet["legality_opinion"]["conclusion"] == "lawful"
    assert [r["kind"] for r in packet["adoption_records"]] == ["opinion_summary"]
    assert packet["fair_competition_review"] is None and packet["exemptions"] == []


def test_r13_a_draft_without_a_legality_opinion_of_its_own_has_no_packet(b: Build) -> None:
    b.open().start().determine().coordinate().participate()
    b.legality()
    # the opinion concerns v1; a v2 recorded without the reopening (an older store) has none of its own
    b.commit(C.drafter, b.d.add_draft_version((C.drafter,), blob("v2"), "v2", "", "v2", b.today)[1][:1])
    refused(lambda: assemble_packet(b.d), RuleViolation, "R13", "Art. 25")


# the roll (R15, SoD4) ----------------------------------------------------------------------------------
def test_r15_the_roll_is_called_once_by_the_secretariat_with_the_head_and_a_quorum(b: Build) -> None:
    s = convened()
    refused(lambda: s.agg.record_attendance((C.head,), ("head", "member_a")), NotPermitted, "R15", "Art. 30")
    refused(lambda: s.agg.record_attendance((C.secretary,), ("head", "stranger")), InvalidInput, "R15", "Art. 30")
    refused(lambda: s.agg.record_attendance((C.secretary,), ("member_a", "member_b")), RuleViolation, "SoD4",
            "Art. 30")
    refused(lambda: s.agg.record_attendance((C.secretary,), ("head",)), RuleViolation, "R15", "Art. 30")
    s.act(s.agg.record_attendance((C.secretary,), ("head", "member_a")))
    assert s.agg.state["attendance"]["absent"] == ["member_b"] and s.agg.state["status"] == "in_session"
    refused(lambda: s.agg.record_attendance((C.secretary,), ("head", "member_a")), RuleViolation, "R18", "Art. 33")


# recusal and opinions --------------------------------------------------------------------------------
def test_r15_nothing_is_said_before_the_roll(b: Build) -> None:
    b.ready()
    s = convened()
    s.act(s.agg.place_item((C.secretary,), b.d, lambda p: "h"))
    refused(lambda: spoken(s, C.member_a), RuleViolation, "R15", "Art. 30")
    refused(lambda: s.agg.recuse((C.member_a,), 1, "member_a", "亲属"), RuleViolation, "R15", "Art. 30")


def test_r15_a_member_recuses_with_a_reason_before_speaking_and_then_neither_speaks_nor_counts(b: Build) -> None:
    s = placed(b)
    refused(lambda: s.agg.recuse((C.member_a,), 1, "member_a", " "), InvalidInput, "R15", "Art. 30")
    refused(lambda: s.agg.recuse((C.head,), 1, "head", "回避"), RuleViolation, "SoD4", "Art. 30")
    refused(lambda: s.agg.recuse((C.secretary,), 1, "stranger", "回避"), RuleViolation, "R15", "Art. 30")
    refused(lambda: s.agg.recuse((C.member_b,), 1, "member_a", "回避"), NotPermitted, "R15", "Art. 30")
    s.act(s.agg.recuse((C.secretary,), 1, "member_a", "近亲属"))
    refused(lambda: spoken(s, C.member_a), RuleViolation, "R15", "Art. 30")
    spoken(s, C.member_b)
    refused(lambda: s.agg.recuse((C.member_b,), 1, "member_b", "回避"), RuleViolation, "R15", "Art. 30")
    spoken(s, C.head)
    _, _, fields = s.act(s.agg.decide_item((C.head,), 1, outcome="adopt", current_draft_version=1, artifact_id="x"))
    assert (fields["attendance"], fields["members_total"]) == (["member_b", "head"], 2)


def test_sod4_the_head_speaks_last_and_nobody_after(b: Build) -> None:
    s = placed(b)
    refused(lambda: spoken(s, C.head), RuleViolation, "SoD4", "Art. 30")
    spoken(s, C.member_a)
    refused(lambda: spoken(s, C.member_a), RuleViolation, "R15", "Art. 30")
    spoken(s, C.member_b, C.head)
    refused(lambda: s.agg.record_opinion((C.secretary,), 1, "member_a", "oppose", "补充"), RuleViolation, "SoD4",
            "Art. 30")


def test_r15_an_opinion_has_a_position_and_its_text(b: Build) -> None:
    s = placed(b)
    refused(lambda: s.agg.record_opinion((C.member_a,), 1, "member_a", "maybe", "x"), InvalidInput, "R15", "Art. 30")
    refused(lambda: s.agg.record_opinion((C.member_a,), 1, "member_a", "oppose", " "), InvalidInput, "R15", "Art. 30")
    s.act(s.agg.record_opinion((C.secretary,), 1, "member_a", "oppose", "不同意：成本未核清"))
    assert s.agg.item(1)["opinions"][0]["recorded_by"] == "secretary"


# the head's decision ------------------------------------------------------------------------------
def test_sod4_only_the_presiding_head_decides_after_everyone_has_spoken(b: Build) -> None:
    s = placed(b)
    other_head = Actor("head2", "admin_head", "市人民政府", "副市长")
    def decide(who: Actor = C.head, **kw: Any) -> tuple[Any, ...]:
        return s.agg.decide_item((who,), 1, **{"outcome": "adopt", "current_draft_version": 1, "artifact_id": "x",
                                               **kw})
    refused(lambda: decide(C.secretary), NotPermitted, "SoD4", "Art. 30")
    refused(lambda: decide(other_head), NotPermitted, "SoD4", "Art. 30")
    refused(lambda: decide(), RuleViolation, "SoD4", "Art. 30")
    spoken(s, C.member_a, C.member_b)
    refused(lambda: decide(), RuleViolation, "SoD4", "Art. 30")
    spoken(s, C.head)
    refused(lambda: decide(outcome="approve"), InvalidInput, "R15", "Art. 30")
    refused(lambda: decide(current_draft_version=2), RuleViolation, "R13", "Art. 25")
    refused(lambda: decide(outcome="send_back"), InvalidInput, "R15", "Art. 30")
    refused(lambda: decide(outcome="send_back", reopen_gates=("legality_review",)), InvalidInput, "R15", "Art. 30")
    refused(lambda: decide(tally={"support": 2}), RuleViolation, "R15", "Art. 30")
    s.act(decide())
    refused(lambda: decide(), RuleViolation, "R15", "Art. 30")
    assert s.agg.state["status"] == "concluded"


def test_r15_the_meeting_record_built_by_the_meeting_is_accepted_by_the_decision(b: Build) -> None:
    s, fields = decided(b)
    assert fields["tally"] == {"support": 3, "oppose": 0, "abstain": 0, "absent": 0}
    assert fields["departs_from_majority"] is False
    b.art(C.head, "meeting_record", **fields)
    assert b.gate("collective_decision") == "cleared"
    assert s.agg.item(1)["outcome"]["decision"] == "adopt"


# minutes (R15, SoD8, R18) ---------------------------------------------------------------------------
def test_sod8_the_head_is_never_the_meetings_secretary(b: Build) -> None:
    s, _ = decided(b)
    head_as_secretary = Actor("head", "secretariat", "市人民政府办公室", "市长")
    refused(lambda: s.agg.generate_minutes((head_as_secretary,), "s1", 1, "text/plain", "m.txt"), NotPermitted,
            "SoD8", "Art. 30 (inference)")
    refused(lambda: s.agg.generate_minutes((C.member_a,), "s1", 1, "text/plain", "m.txt"), NotPermitted, "SoD8",
            "Art. 30")


def test_r15_minutes_are_drawn_up_once_every_item_is_decided(b: Build) -> None:
    s = placed(b)
    refused(lambda: s.agg.generate_minutes((C.secretary,), "s1", 1, "text/plain", "m.txt"), RuleViolation, "R15",
            "Art. 30")
    t = convened()
    refused(lambda: t.agg.generate_minutes((C.secretary,), "s1", 1, "text/plain", "m.txt"), RuleViolation, "R15",
            "Art. 30")


def test_r18_minutes_are_corrected_only_by_new_versions_with_a_reason_and_confirmed_at_the_latest(b: Build) -> None:
    s, _ = decided(b)
    refused(lambda: s.agg.correct_minutes((C.secretary,), "s2", 1, "text/plain", "m.txt", "笔误", ("x",)),
            RuleViolation, "R18", "Art. 33")
    refused(lambda: s.agg.confirm_minutes((C.secretary,), 1, "s1", "secretariat"), RuleViolation, "R15", "Art. 30")
    s.act(s.agg.generate_minutes((C.secretary,), "s1", 1, "text/plain", "m.txt"))
    refused(lambda: s.agg.generate_minutes((C.secretary,), "s1", 1, "text/plain", "m.txt"), RuleViolation, "R18",
            "Art. 33")
    refused(lambda: s.agg.record_attendance((C.secretary,), ("head",)), RuleViolation, "R18", "Art. 33")
    refused(lambda: s.agg.place_item((C.secretary,), b.d, lambda p: "h"), RuleViolation, "R18", "Art. 33")
    for reason, corrections in ((" ", ("x",)), ("笔误", ()), ("笔误", (" ",))):
        refused(lambda r=reason, c=corrections: s.agg.correct_minutes((C.secretary,), "s2", 1, "text/plain", "m",
                                                                      r, c), InvalidInput, "R18", "Art. 33")
    s.act(s.agg.correct_minutes((C.secretary,), "s2", 1, "text/plain", "m.txt", "笔误", ("第二页",)))
    refused(lambda: s.agg.confirm_minutes((C.secretary,), 1, "s1", "secretariat"), RuleViolation, "R18", "Art. 33")
    refused(lambda: s.agg.confirm_minutes((C.secretary,), 2, "s1", "secretariat"), RuleViolation, "R18", "Art. 33")
    refused(lambda: s.agg.confirm_minutes((C.secretary,), 2, "s2", "chair"), InvalidInput, "R15", "Art. 30")
    refused(lambda: s.agg.confirm_minutes((C.member_a,), 2, "s2", "head"), NotPermitted, "SoD4", "Art. 30")
    other_head = Actor("head2", "admin_head", "市人民政府", "副市长")
    refused(lambda: s.agg.confirm_minutes((other_head,), 2, "s2", "head"), NotPermitted, "SoD4", "Art. 30")
    s.act(s.agg.confirm_minutes((C.secretary,), 2, "s2", "secretariat"))
    assert s.agg.state["status"] == "minutes_drafted"
    refused(lambda: s.agg.confirm_minutes((C.secretary,), 2, "s2", "secretariat"), RuleViolation, "R15", "Art. 30")
    s.act(s.agg.confirm_minutes((C.head,), 2, "s2", "head"))
    assert s.agg.state["status"] == "minutes_confirmed"
