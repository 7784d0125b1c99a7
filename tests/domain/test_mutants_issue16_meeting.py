"""Mutation testing of the issue 16 change items of `domain/meeting.py` (R20.collective, Arts. 30, 37, with
SoD4/R15 as `decide_change_item` applies them): the rule-removal check found that `decide_change_item`
refusing an ordinary agenda item could be removed with no test failing; the survivors of
`place_change_item`/`decide_change_item` (the duplicate test, the majority the head departs from, the
tally) are pinned here, each both ways."""

from __future__ import annotations

from decision_engine.domain import law
from decision_engine.domain.decision import Actor
from decision_engine.domain.errors import NotPermitted, RuleViolation
from tests.domain.builders import Build, C, Stream, refused
from tests.domain.test_change_control import convened
from tests.domain.test_meeting import placed, spoken


def test_r20_an_ordinary_agenda_item_is_not_decided_as_a_change(b: Build) -> None:
    s = placed(b)
    spoken(s, C.member_a, C.member_b, C.head)
    for outcome in ("adopt", "reject"):
        refused(lambda o=outcome: s.agg.decide_change_item((C.head,), 1, outcome=o), RuleViolation,
                *law.ref("R20.collective").values(), says="不是变更事项")
    assert s.agg.state["items"][0]["outcome"] is None
    s.act(s.agg.decide_item((C.head,), 1, outcome="adopt", current_draft_version=1, artifact_id="mr"))
    assert s.agg.state["items"][0]["outcome"]["decision"] == "adopt"


def _tabled(b: Build, *changes: str) -> Stream:
    b.decided()
    s = convened()
    for change in changes:
        s.act(s.agg.place_change_item((C.secretary,), b.d, change, "客观情况发生重大变化"))
    s.act(s.agg.record_attendance((C.secretary,), ("member_a", "member_b", "head")))
    return s


def test_r20_a_decision_may_have_a_termination_and_an_adjustment_tabled_and_a_decided_change_tabled_again(
        b: Build) -> None:
    """Only the same change of the same decision still undecided is a duplicate: another change of the same
    decision, or the same change after the meeting decided it, is tabled."""
    s = _tabled(b, "adjust", "terminate")
    assert [(it["change"], it["outcome"]) for it in s.agg.state["items"]] == [("adjust", None), ("terminate", None)]
    refused(lambda: s.agg.place_change_item((C.secretary,), b.d, "adjust", "再次提请"), RuleViolation,
            *law.ref("R20.collective").values(), says="已列入")
    for who in (C.member_a, C.member_b, C.head):
        s.act(s.agg.record_opinion((who,), 1, who.person, "oppose", "不同意"))
    s.act(s.agg.decide_change_item((C.head,), 1, outcome="reject"))
    s.act(s.agg.place_change_item((C.secretary,), b.d, "adjust", "情况再次变化"))
    assert [it["change"] for it in s.agg.state["items"]] == ["adjust", "terminate", "adjust"]


def test_r15_a_head_rejecting_a_change_the_members_support_gives_reasons_and_a_tie_needs_none(b: Build) -> None:
    s = _tabled(b, "terminate", "adjust")
    for who, pos in ((C.member_a, "support"), (C.member_b, "support"), (C.head, "oppose")):
        s.act(s.agg.record_opinion((who,), 1, who.person, pos, "意见"))
    refused(lambda: s.agg.decide_change_item((C.head,), 1, outcome="reject"), RuleViolation,
            *law.ref("R15.venue").values(), says="说明理由")
    s.act(s.agg.decide_change_item((C.head,), 1, outcome="reject", head_reasons="尚不具备终止条件"))
    for who, pos in ((C.member_a, "oppose"), (C.member_b, "support"), (C.head, "support")):
        s.act(s.agg.record_opinion((who,), 2, who.person, pos, "意见"))
    s.act(s.agg.decide_change_item((C.head,), 2, outcome="adopt"))  # one for, one against: no majority to depart
    out = s.agg.state["items"][1]["outcome"]
    assert out["decision"] == "adopt" and not out["departs"]


def test_r20_the_tally_of_a_change_counts_the_absent_members(b: Build) -> None:
    b.decided()
    s = convened()
    s.act(s.agg.place_change_item((C.secretary,), b.d, "terminate", "上位法修改"))
    s.act(s.agg.record_attendance((C.secretary,), ("member_a", "head")))
    for who in (C.member_a, C.head):
        s.act(s.agg.record_opinion((who,), 1, who.person, "support", "同意"))
    s.act(s.agg.decide_change_item((C.head,), 1, outcome="adopt"))
    assert s.agg.state["items"][0]["outcome"]["tally"]["absent"] == 1


def test_sod4_only_the_head_presiding_this_meeting_decides_a_change(b: Build) -> None:
    s = _tabled(b, "terminate")
    for who in (C.member_a, C.member_b, C.head):
        s.act(s.agg.record_opinion((who,), 1, who.person, "support", "同意"))
    other_head = Actor("other_head", "admin_head", C.head.unit, "另一位行政首长")
    refused(lambda: s.agg.decide_change_item((other_head,), 1, outcome="adopt"), NotPermitted, "SoD4", "Art. 30",
            says="presiding")
    s.act(s.agg.decide_change_item((C.head,), 1, outcome="adopt"))
