"""S6 publication and the public docket (R17, Art. 32; OGI Arts. 14–16, 26): channels, the explanation and
interpretation of a matter of wide concern, the 20-working-day deadline the clock watches, the recorded
non-disclosure basis, and the docket the public reads (a waived step is disclosed, never hidden)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from decision_engine.domain.errors import NotFound, RuleViolation
from decision_engine.services import decisions as svc
from decision_engine.services import participation, queries
from decision_engine.services import publication as pub
from tests.conftest import WARNINGS_ARE_ERRORS

pytestmark = WARNINGS_ARE_ERRORS

CHANNELS = ["某市人民政府公报2025年第4期", "某市人民政府网站", "某市日报"]


def gate(walk: Any, gate_id: str) -> dict[str, Any]:
    return next(g for g in queries.get_decision(walk.ctx, walk.did)["gates"] if g["id"] == gate_id)


def replay_equals_live(walk: Any) -> None:
    with walk.ctx.store.read() as conn:
        assert queries.replay(conn, walk.did).state == svc.load(conn, walk.did)[0].state


def test_publication_before_finalization_is_refused(walk: Any) -> None:
    walk.ready().meeting().report()
    before = queries.get_decision(walk.ctx, walk.did)
    with pytest.raises(RuleViolation) as info:
        pub.publish(walk.ctx, walk.c.office, walk.did, channels=CHANNELS)
    assert (info.value.rule, info.value.article) == ("R17", "Art. 32")
    after = queries.get_decision(walk.ctx, walk.did)
    assert after["artifacts"] == before["artifacts"] and after["status"] == "ready_for_decision"


def test_a_matter_of_wide_concern_published_with_explanation_and_interpretation_settles_the_gate(
        walk_any: Any) -> None:
    walk = walk_any
    walk.open().start().determine(high_concern=True).coordinate().participate().legality()
    walk.meeting().report()
    svc.finalize(walk.ctx, walk.c.head, walk.did)
    walk.ctx.clock.advance(days=3)
    r = pub.publish(walk.ctx, walk.c.office, walk.did, channels=CHANNELS,
                    adoption_explanation="公众意见采纳情况：共收到意见1条，已采纳。", interpretation="政策解读：……",
                    interpretation_means=["press_conference"])
    assert [e["type"] for e in r.events] == ["ArtifactRecorded"] * 3 and r.status == "published"
    assert gate(walk, "publication")["status"] == "cleared"
    record = next(a for a in queries.get_decision(walk.ctx, walk.did)["artifacts"]
                  if a["kind"] == "publication_record")
    assert record["fields"]["within_deadline"] is True and record["fields"]["due"] > record["fields"]["published_at"]
    assert pub.publication_due(walk.ctx) == []
    replay_equals_live(walk)


def test_a_matter_of_wide_concern_published_without_its_explanation_stays_due(walk: Any) -> None:
    walk.open().start().determine(high_concern=True).coordinate().participate().legality()
    walk.meeting().report()
    svc.finalize(walk.ctx, walk.c.head, walk.did)
    pub.publish(walk.ctx, walk.c.office, walk.did, channels=CHANNELS)
    missing = gate(walk, "publication")["missing"]
    assert {(m["rule"], m["article"], m["kind"]) for m in missing} == {
        ("R17", "Art. 32", "adoption_explanation"), ("R17", "Art. 32", "interpretation")}
    due = pub.publication_due(walk.ctx)
    assert [d["decision_id"] for d in due] == [walk.did] and due[0]["status"] == "published"


def test_publication_missing_a_statutory_channel_is_listed_as_missing(walk: Any) -> None:
    walk.decided()
    pub.publish(walk.ctx, walk.c.office, walk.did, channels=["某市人民政府网站"])
    missing = gate(walk, "publication")["missing"]
    assert [(m["rule"], m["article"], m["need"]) for m in missing] == [
        ("R17", "Art. 32", "publication in the 政府公报 (gazette)"),
        ("R17", "Art. 32", "publication in the 报纸 (newspaper)")]
    pub.publish(walk.ctx, walk.c.office, walk.did, channels=[{"channel": "gazette", "name": "某市政府公报"},
                                                              {"channel": "newspaper", "name": "某市日报"}])
    assert gate(walk, "publication")["status"] == "cleared"


def test_a_publication_dated_before_the_decision_is_refused(walk: Any) -> None:
    walk.decided()
    with pytest.raises(RuleViolation) as info:
        pub.publish(walk.ctx, walk.c.office, walk.did, channels=CHANNELS, published_at="2025-01-01")
    assert (info.value.rule, info.value.article) == ("R17", "Art. 32")
    assert gate(walk, "publication")["artifacts"] == []


def test_a_failed_publication_writes_neither_the_explanation_nor_the_record(walk: Any) -> None:
    walk.decided()
    with pytest.raises(RuleViolation):
        pub.publish(walk.ctx, walk.c.office, walk.did, channels=CHANNELS, published_at="2025-01-01",
                    adoption_explanation="说明", interpretation="解读",
                    interpretation_means=["接受访谈"])
    assert gate(walk, "publication")["artifacts"] == []
    replay_equals_live(walk)


def test_the_clock_sees_the_20_working_day_publication_deadline(walk: Any) -> None:
    walk.decided()
    decided = date.fromisoformat(queries.get_decision(walk.ctx, walk.did)["decided_on"])
    due = pub.publication_due(walk.ctx)
    expected = walk.ctx.calendar.add_working_days(decided, 20).due.isoformat()
    assert [(d["decision_id"], d["due"], d["overdue"], d["provisional"]) for d in due] == [
        (walk.did, expected, False, False)]
    assert "R17" in due[0]["basis"]
    walk.ctx.clock.advance(days=40)
    assert pub.publication_due(walk.ctx)[0]["overdue"] is True
    pub.publish(walk.ctx, walk.c.office, walk.did, channels=CHANNELS)
    record = next(a for a in queries.get_decision(walk.ctx, walk.did)["artifacts"]
                  if a["kind"] == "publication_record")
    assert record["fields"]["within_deadline"] is False  # late: recorded as a fact, shown on the docket
    assert pub.publication_due(walk.ctx) == []


def test_a_nondisclosable_decision_is_withheld_on_its_recorded_legal_basis(walk: Any) -> None:
    walk.open().start().determine(nondisclosable=True).coordinate().participate().legality()
    walk.meeting().report()
    svc.finalize(walk.ctx, walk.c.head, walk.did)
    pub.withhold(walk.ctx, walk.c.office, walk.did, legal_ref="政府信息公开条例第十四条", reason="涉及国家秘密")
    g = gate(walk, "publication")
    assert g["status"] == "exempted" and g["exemption"]["legal_basis"] == "政府信息公开条例第十四条"
    assert pub.publication_due(walk.ctx) == []
    replay_equals_live(walk)


def test_withholding_without_the_nondisclosure_determination_is_refused(walk: Any) -> None:
    walk.decided()
    with pytest.raises(RuleViolation) as info:
        pub.withhold(walk.ctx, walk.c.office, walk.did, legal_ref="政府信息公开条例第十四条", reason="x")
    assert (info.value.rule, info.value.article) == ("R17", "Art. 32; 政府信息公开条例 Arts. 14–16")
    assert gate(walk, "publication")["artifacts"] == []


def test_the_public_docket_shows_text_feedback_timeline_exemptions_and_tracking_numbers(walk_any: Any) -> None:
    walk = walk_any
    walk.open().start().determine(nondisclosable=True, high_concern=True).coordinate()
    walk.art(walk.c.drafter, "nondisclosure_basis", legal_ref="政府信息公开条例第十五条", reason="涉及商业秘密")
    svc.exempt_gate(walk.ctx, walk.c.bureau_head, walk.did, "public_participation", "政府信息公开条例第十五条")
    walk.legality().meeting().report()
    svc.finalize(walk.ctx, walk.c.head, walk.did)
    pub.publish(walk.ctx, walk.c.office, walk.did, channels=CHANNELS, adoption_explanation="采纳情况说明",
                interpretation="政策解读", interpretation_means=["press_conference"])
    docket = pub.public_docket(walk.ctx, walk.did)
    assert docket["text"]["content"] == "draft v1" and docket["text"]["version"] == 1
    assert docket["feedback"]["adoption_explanation"] == "采纳情况说明"
    assert [c["channel"] for c in docket["publication"]["channels"]] == ["gazette", "website", "newspaper"]
    exempted = [t for t in docket["timeline"] if t.get("status") == "exempted"]
    assert [(t["gate"], t["legal_basis"]) for t in exempted] == [("public_participation", "政府信息公开条例第十五条")]
    assert docket["exemptions"][0]["name_zh"] == "公众参与"
    not_applicable = {t["gate"]: t for t in docket["timeline"] if t.get("status") == "not_applicable"}
    assert not_applicable["expert_review"]["determination"] == "specialised"
    assert not_applicable["expert_review"]["reasons"] == "理由"
    assert next(t["event"] for t in docket["timeline"]) == "opened"
    assert "person" not in str(docket["timeline"])  # units, not persons, on the public page
    assert docket["tracking_numbers"] == []
    assert [x["id"] for x in pub.public_list(walk.ctx)] == [walk.did]


def test_the_docket_lists_the_feedback_and_its_tracking_numbers(walk: Any) -> None:
    walk.open().start().determine().coordinate()
    today = walk.ctx.today()
    walk.art(walk.c.drafter, "comment_notice", explanation="说明", channels=["网站"], method="留言",
             published_at=today.isoformat(), deadline=today.replace(month=today.month + 1).isoformat())
    walk.ctx.clock.advance(days=32)
    participation.record_feedback_report(walk.ctx, walk.c.drafter, walk.did, other_opinions=[
        {"opinion": "票价涨幅过大", "disposition": "partly", "reason": "分步实施",
         "tracking_numbers": ["GZ-2025-0002", "GZ-2025-0001"]},
        {"opinion": "增加夜班线", "disposition": "adopted", "reason": "新增两条", "tracking_number": "GZ-2025-0003"}])
    svc.clear_gate(walk.ctx, walk.c.bureau_head, walk.did, "public_participation")
    walk.legality().meeting().report()
    svc.finalize(walk.ctx, walk.c.head, walk.did)
    pub.publish(walk.ctx, walk.c.office, walk.did, channels=CHANNELS)
    docket = pub.public_docket(walk.ctx, walk.did)
    assert {"opinion": "票价涨幅过大", "disposition": "partly", "reason": "分步实施"} in docket["feedback"]["opinions"]
    assert docket["tracking_numbers"] == ["GZ-2025-0001", "GZ-2025-0002", "GZ-2025-0003"]
    cleared = next(t for t in docket["timeline"] if t.get("gate") == "public_participation")
    assert cleared["status"] == "cleared" and cleared["unit"] == walk.bureau


def test_the_docket_of_an_unpublished_decision_is_not_found(walk: Any) -> None:
    walk.decided()
    with pytest.raises(NotFound) as info:
        pub.public_docket(walk.ctx, walk.did)
    assert (info.value.rule, info.value.article) == ("R17", "Art. 32")
    assert pub.public_list(walk.ctx) == []
