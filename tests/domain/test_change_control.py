"""R20, Arts. 30, 37 in memory (issue 16): a decided decision is terminated or majorly adjusted only on a
change item tabled at an executive or plenary meeting of its own organ, discussed (members first, the head
last) and adopted by the head; the act then names the meeting and the item. Suspension keeps its Art. 35
ground and urgency (tests/domain/test_after_decision.py)."""

from __future__ import annotations

from typing import Any

from decision_engine.domain import execution as ex
from decision_engine.domain.decision import Actor
from decision_engine.domain.errors import InvalidInput, NotPermitted, RuleViolation
from decision_engine.domain.meeting import Meeting
from tests.domain.builders import Build, C, Stream, refused

ART = "Arts. 30, 37"


def convened(mid: str = "m9") -> Stream:
    s = Stream(Meeting())
    s.act(Meeting.convene((C.secretary,), mid, meeting_type="executive", title="市政府第20次常务会议",
                          held_on="2025-06-03", head="head", head_roles=("admin_head",),
                          members=("member_a", "member_b"), quorum_fraction=0.5, profile="order713"))
    return s


def adopted(b: Build, change: str = "terminate", outcome: str = "adopt", mid: str = "m9") -> dict[str, Any]:
    """A meeting of the organ that tabled and decided a change of b's decision (item 1): its state."""
    s = convened(mid)
    s.act(s.agg.place_change_item((C.secretary,), b.d, change, "上位法修改，继续执行已无依据"))
    s.act(s.agg.record_attendance((C.secretary,), ("member_a", "member_b", "head")))
    for who in (C.member_a, C.member_b, C.head):
        s.act(s.agg.record_opinion((who,), 1, who.person, "support", "同意"))
    s.act(s.agg.decide_change_item((C.head,), 1, outcome=outcome, head_reasons="" if outcome == "adopt" else "暂不"))
    return s.agg.to_dict()  # type: ignore[no-any-return]


def test_r20_a_change_is_tabled_by_the_organs_secretariat_for_a_decided_decision_only(b: Build) -> None:
    b.ready()
    s = convened()
    refused(lambda: s.agg.place_change_item((C.secretary,), b.d, "terminate", "理由"), RuleViolation, "R20", ART,
            says="已作出的决策")
    b.meeting().report().finalize()
    refused(lambda: s.agg.place_change_item((C.executor,), b.d, "terminate", "理由"), NotPermitted, "R20", ART)
    refused(lambda: s.agg.place_change_item((C.secretary,), b.d, "pause", "理由"), InvalidInput, "R20", ART)
    refused(lambda: s.agg.place_change_item((C.secretary,), b.d, "terminate", " "), InvalidInput, "R20", ART)
    s.act(s.agg.place_change_item((C.secretary,), b.d, "terminate", "理由"))
    refused(lambda: s.agg.place_change_item((C.secretary,), b.d, "terminate", "理由"), RuleViolation, "R20", ART,
            says="已列入")
    [item] = s.agg.state["items"]
    assert (item["change"], item["decision_id"], item["outcome"]) == ("terminate", b.did, None)


def test_r20_the_head_decides_a_tabled_change_after_the_members_and_gives_reasons_against_the_majority(
        b: Build) -> None:
    b.decided()
    s = convened()
    s.act(s.agg.place_change_item((C.secretary,), b.d, "adjust", "客观情况发生重大变化"))
    s.act(s.agg.record_attendance((C.secretary,), ("member_a", "member_b", "head")))
    s.act(s.agg.record_opinion((C.member_a,), 1, "member_a", "oppose", "不同意调整"))
    refused(lambda: s.agg.decide_change_item((C.head,), 1, outcome="adopt"), RuleViolation, "SoD4", "Art. 30")
    s.act(s.agg.record_opinion((C.member_b,), 1, "member_b", "oppose", "不同意"))
    s.act(s.agg.record_opinion((C.head,), 1, "head", "support", "调整"))
    refused(lambda: s.agg.decide_change_item((C.member_a,), 1, outcome="adopt"), NotPermitted, "SoD4", "Art. 30")
    refused(lambda: s.agg.decide_change_item((C.head,), 1, outcome="maybe"), InvalidInput, "R20", ART)
    refused(lambda: s.agg.decide_item((C.head,), 1, outcome="adopt", current_draft_version=1, artifact_id="x"),
            RuleViolation, "R20", ART, says="变更决定")  # a change is not a decision to be made
    refused(lambda: s.agg.decide_change_item((C.head,), 1, outcome="adopt"), RuleViolation, "R15", "Art. 30 ¶1",
            says="说明理由")
    s.act(s.agg.decide_change_item((C.head,), 1, outcome="adopt", head_reasons="情况紧迫，必须调整"))
    out = s.agg.state["items"][0]["outcome"]
    assert out["decision"] == "adopt" and out["departs"] and out["tally"]["oppose"] == 2
    assert s.agg.state["status"] == "concluded"


def test_r20_a_termination_carries_out_an_adopted_change_item_of_this_decision(b: Build) -> None:
    b.decided()
    refused(lambda: ex.terminate(b.d, (C.head,), "依据", "理由"), RuleViolation, "R20", ART, says="常务会议")
    other = Build()
    other.decided()
    elsewhere = adopted(other)
    elsewhere["items"][0]["decision_id"] = "another"
    refused(lambda: ex.terminate(b.d, (C.head,), "依据", "理由", meeting=elsewhere, item_no=1), RuleViolation,
            "R20", ART, says="不是本决策的变更事项")
    refused(lambda: ex.terminate(b.d, (C.head,), "依据", "理由", meeting=adopted(b), item_no=2), RuleViolation,
            "R20", ART)
    refused(lambda: ex.terminate(b.d, (C.head,), "依据", "理由", meeting=adopted(b, "adjust"), item_no=1),
            RuleViolation, "R20", ART, says="不是终止执行")
    refused(lambda: ex.terminate(b.d, (C.head,), "依据", "理由", meeting=adopted(b, outcome="reject"), item_no=1),
            RuleViolation, "R20", ART, says="尚未经会议通过")
    foreign = adopted(b)
    foreign["organ"] = "某县人民政府"
    refused(lambda: ex.terminate(b.d, (C.head,), "依据", "理由", meeting=foreign, item_no=1), RuleViolation, "R20",
            ART, says="不是本决策机关的会议")
    b.act(C.head, ex.terminate(b.d, (C.head,), "市政府第20次常务会议决定", "上位法修改", meeting=adopted(b),
                               item_no=1))
    assert b.d.status == "terminated"
    assert (b.state["termination"]["meeting_id"], b.state["termination"]["item_no"]) == ("m9", 1)


def test_r20_a_major_adjustment_carries_out_an_adopted_item_once(b: Build) -> None:
    b.decided()
    refused(lambda: ex.open_adjustment(b.d, (C.head,), "d2", "调整"), RuleViolation, "R20", ART)
    refused(lambda: ex.open_adjustment(b.d, (C.head,), "d2", "调整", meeting=adopted(b), item_no=1),
            RuleViolation, "R20", ART, says="不是重大调整")
    meeting = adopted(b, "adjust")
    actor, here, _ = ex.open_adjustment(b.d, (C.head,), "d2", "调整", meeting=meeting, item_no=1)
    b.act(actor, (actor, here))
    assert b.state["adjustments"][0]["meeting_id"] == "m9"
    refused(lambda: ex.open_adjustment(b.d, (C.head,), "d3", "再调整", meeting=meeting, item_no=1),
            RuleViolation, "R20", ART, says="已据以办理")


def test_r20_an_old_termination_without_a_meeting_still_replays_as_it_was() -> None:
    from decision_engine.domain import events as ev
    old = {"type": "DecisionTerminated", "payload": {"basis": "b", "reason": "r", "basis_ref": "",
                                                     "from_status": "decided"}}
    typed = ev.DEFAULT.read(old)
    assert isinstance(typed, ev.DecisionTerminated) and typed.meeting_id is None
    assert typed.to_payload() == old["payload"]  # the stored bytes are unchanged


def test_r20_a_change_is_tabled_only_at_a_meeting_of_the_decisions_own_organ() -> None:
    from tests.domain.test_authority import CHART, COUNTY_GOV, charted
    b = charted()
    b.decided()
    county = Stream(Meeting(chart=CHART))
    county_sec = Actor("county_sec", "secretariat", "县人民政府", "县政府秘书")
    county.act(Meeting.convene((county_sec,), "m-county", meeting_type="executive", title="县政府常务会议",
                               held_on="2025-06-03", head="county_head", head_roles=("admin_head",),
                               members=("member_a", "member_b"), quorum_fraction=0.5, profile="order713",
                               head_units=(COUNTY_GOV,), chart=CHART))
    assert county.agg.state["organ"] == "county"
    refused(lambda: county.agg.place_change_item((C.secretary,), b.d, "terminate", "理由"), RuleViolation, "R20",
            ART, says="不是本决策机关")
    city = Stream(Meeting(chart=CHART))
    city.act(Meeting.convene((C.secretary,), "m-city", meeting_type="executive", title="市政府常务会议",
                             held_on="2025-06-03", head="head", head_roles=("admin_head",),
                             members=("member_a", "member_b"), quorum_fraction=0.5, profile="order713",
                             head_units=(C.head.unit,), chart=CHART))
    city.act(city.agg.place_change_item((C.secretary,), b.d, "terminate", "理由"))
