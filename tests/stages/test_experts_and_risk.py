"""Expert review (R9, SoD2; Arts. 19–21, 29(3)) and risk assessment (R10; Arts. 22–24): the pool,
selection with dissent included, declarations, opinions signed by the expert's confirmation over their
sha256, adoption status per opinion; risk reports whose measures become obligations."""

from __future__ import annotations

from typing import Any

import pytest

from decision_engine.domain.errors import InvalidInput, NotPermitted, RuleViolation
from decision_engine.services import decisions as svc
from decision_engine.services import experts, queries, risk
from tests.conftest import WARNINGS_ARE_ERRORS

pytestmark = WARNINGS_ARE_ERRORS


def gate(walk: Any, gate_id: str) -> dict[str, Any]:
    return next(g for g in queries.get_decision(walk.ctx, walk.did)["gates"] if g["id"] == gate_id)


def pooled(walk: Any) -> Any:
    walk.open().start().determine(specialised=True)
    experts.add_to_pool(walk.ctx, walk.c.office, walk.c.expert_a, fields=["交通运输规划"], affiliation="某大学交通学院",
                        title="教授")
    experts.add_to_pool(walk.ctx, walk.c.office, walk.c.expert_b, fields=["城市规划", "交通工程"],
                        affiliation="某市规划设计研究院")
    return walk


def selected(walk: Any) -> Any:
    experts.select_experts(walk.ctx, walk.c.drafter, walk.did, expert_ids=[walk.c.expert_a, walk.c.expert_b],
                           method="从专家库随机抽取", reasons="覆盖交通规划和工程两个领域", dissent_included=True,
                           dissent_note="周工程师曾公开反对票价上调")
    return walk


def test_the_pool_lists_experts_by_field_and_affiliation(walk: Any) -> None:
    pooled(walk)
    assert [e["name"] for e in experts.pool(walk.ctx, field="交通工程")] == ["周工程师"]
    with pytest.raises(RuleViolation):
        experts.add_to_pool(walk.ctx, walk.c.office, walk.c.expert_a, fields=["x"], affiliation="y")
    with pytest.raises(InvalidInput) as not_expert:
        experts.add_to_pool(walk.ctx, walk.c.office, walk.c.drafter, fields=["x"], affiliation="y")
    assert (not_expert.value.rule, not_expert.value.article) == ("R9", "Art. 21")
    with pytest.raises(NotPermitted):
        experts.add_to_pool(walk.ctx, walk.c.drafter, walk.c.expert_b, fields=["x"], affiliation="y")
    experts.retire_from_pool(walk.ctx, walk.c.office, walk.c.expert_b, reason="退休")
    assert [e["name"] for e in experts.pool(walk.ctx)] == ["孙教授"]


def test_r9_a_selection_without_dissenting_views_needs_its_reason(walk: Any) -> None:
    pooled(walk)
    with pytest.raises(RuleViolation) as info:
        experts.select_experts(walk.ctx, walk.c.drafter, walk.did, expert_ids=[walk.c.expert_a], method="m",
                               reasons="r", dissent_included=False)
    assert (info.value.rule, info.value.article) == ("R9", "Art. 20")
    experts.select_experts(walk.ctx, walk.c.drafter, walk.did, expert_ids=[walk.c.expert_a], method="m",
                           reasons="r", dissent_included=False, dissent_note="本领域未发现持不同意见的专家")


def test_r9_an_expert_outside_the_pool_needs_the_reason(walk: Any) -> None:
    walk.open().start().determine(specialised=True)
    with pytest.raises(RuleViolation) as info:
        experts.select_experts(walk.ctx, walk.c.drafter, walk.did, expert_ids=[walk.c.expert_a], method="m",
                               reasons="r", dissent_included=True)
    assert (info.value.rule, info.value.article) == ("R9", "Art. 21")
    experts.select_experts(walk.ctx, walk.c.drafter, walk.did, expert_ids=[walk.c.expert_a], method="m",
                           reasons="r", dissent_included=True, outside_pool_reason="本市未建专家库（第二十一条：可以建立）")


def test_signed_opinions_with_adoption_status_clear_the_expert_review(walk_any: Any) -> None:
    walk = selected(pooled(walk_any))
    ops = []
    for expert, dissent in ((walk.c.expert_a, False), (walk.c.expert_b, True)):
        experts.declare_conflict(walk.ctx, expert, walk.did, direct_interest=False, statement="无直接利害关系")
        r = experts.submit_opinion(walk.ctx, expert, walk.did, opinion="方案可行" if not dissent else "不宜上调票价",
                                   dissenting=dissent)
        assert [e["type"] for e in r.events] == ["ArtifactRecorded", "RecordConfirmed"]
        ops.append(r.events[0]["payload"])
        assert r.events[1]["payload"]["sha256"] == r.events[0]["payload"]["sha256"]
        assert ops[-1]["fields"]["signature"] == "sha256:" + ops[-1]["sha256"]
    with pytest.raises(RuleViolation) as partial:
        experts.record_adoption(walk.ctx, walk.c.drafter, walk.did, {
            ops[0]["artifact_id"]: {"disposition": "adopted", "reason": "采纳"}})
    assert (partial.value.rule, partial.value.article) == ("R9", "Art. 29(3)")
    experts.record_adoption(walk.ctx, walk.c.drafter, walk.did, {
        ops[0]["artifact_id"]: {"disposition": "adopted", "reason": "纳入实施方案"},
        ops[1]["artifact_id"]: {"disposition": "partly", "reason": "调价幅度下调"}})
    svc.clear_gate(walk.ctx, walk.c.bureau_head, walk.did, "expert_review")
    assert gate(walk, "expert_review")["status"] == "cleared"
    adoption = next(a for a in queries.get_decision(walk.ctx, walk.did)["artifacts"] if a["kind"] == "expert_adoption")
    assert [e["dissenting"] for e in adoption["fields"]["adoptions"]] == [False, True]
    with walk.ctx.store.read() as conn:
        assert queries.replay(conn, walk.did).state == svc.load(conn, walk.did)[0].state


def test_r9_an_expert_not_selected_cannot_declare_or_give_an_opinion(walk: Any) -> None:
    pooled(walk)
    experts.select_experts(walk.ctx, walk.c.drafter, walk.did, expert_ids=[walk.c.expert_a], method="m",
                           reasons="r", dissent_included=True)
    with pytest.raises(NotPermitted) as info:
        experts.declare_conflict(walk.ctx, walk.c.expert_b, walk.did, direct_interest=False, statement="无")
    assert (info.value.rule, info.value.article) == ("R9", "Art. 20")


def test_sod2_a_declared_direct_interest_bars_the_signed_opinion(walk: Any) -> None:
    walk = selected(pooled(walk))
    experts.declare_conflict(walk.ctx, walk.c.expert_a, walk.did, direct_interest=True, statement="持有公交集团股份",
                             interests=["公交集团股份"])
    with pytest.raises(NotPermitted) as info:
        experts.submit_opinion(walk.ctx, walk.c.expert_a, walk.did, opinion="可行")
    assert (info.value.rule, info.value.article) == ("SoD2", "Art. 20")


def test_r9_a_typed_signature_cannot_enter_through_the_generic_door(walk: Any) -> None:
    """R9, Art. 19: the signature is the expert's own act; a typed one (or a typed "sha256:…") has no door."""
    selected(pooled(walk))
    walk.art(walk.c.expert_a, "conflict_declaration", direct_interest=False, statement="无")
    with pytest.raises(RuleViolation) as info:
        walk.art(walk.c.expert_a, "expert_opinion", opinion="可行", signature="sha256:" + "a" * 64)
    assert (info.value.rule, info.value.article) == ("AR14", "Arts. 19–20")
    assert f"/decisions/{walk.did}/expert-opinions" in info.value.message
    experts.submit_opinion(walk.ctx, walk.c.expert_a, walk.did, opinion="可行")  # the expert's own door
    opinions = [a for a in queries.get_decision(walk.ctx, walk.did)["artifacts"] if a["kind"] == "expert_opinion"]
    assert len(opinions) == 1 and opinions[0]["fields"]["signature"] == "sha256:" + opinions[0]["sha256"]


def test_r9_the_selection_note_has_one_door_and_the_dissent_rule_always_applies(walk: Any) -> None:
    pooled(walk)
    with pytest.raises(RuleViolation) as door:
        walk.art(walk.c.drafter, "selection_note", method="m", experts=["孙教授"], dissent_included=False)
    assert (door.value.rule, door.value.article) == ("AR14", "Arts. 20–21")
    with pytest.raises(RuleViolation) as dissent:
        experts.select_experts(walk.ctx, walk.c.drafter, walk.did, expert_ids=[walk.c.expert_a], method="m",
                               reasons="r", dissent_included=False)
    assert (dissent.value.rule, dissent.value.article) == ("R9", "Art. 20")


def test_art41_a_disqualified_expert_leaves_the_pool_and_cannot_be_selected(walk: Any) -> None:
    pooled(walk)
    experts.disqualify(walk.ctx, walk.c.office, walk.c.expert_b, reason="论证中隐瞒利害关系，后果严重")
    assert [e["name"] for e in experts.pool(walk.ctx)] == ["孙教授"]
    assert walk.c.expert_b in experts.disqualified(walk.ctx)
    for outside in ("", "库外遴选理由"):
        with pytest.raises(RuleViolation) as info:
            experts.select_experts(walk.ctx, walk.c.drafter, walk.did, expert_ids=[walk.c.expert_a, walk.c.expert_b],
                                   method="m", reasons="r", dissent_included=True, outside_pool_reason=outside)
        assert (info.value.rule, info.value.article) == ("R9", "Art. 41")
    with pytest.raises(RuleViolation) as back:
        experts.add_to_pool(walk.ctx, walk.c.office, walk.c.expert_b, fields=["x"], affiliation="y")
    assert (back.value.rule, back.value.article) == ("R9", "Art. 41")
    with pytest.raises(NotPermitted):  # only the pool's keepers disqualify
        experts.disqualify(walk.ctx, walk.c.drafter, walk.c.expert_a, reason="r")
    experts.select_experts(walk.ctx, walk.c.drafter, walk.did, expert_ids=[walk.c.expert_a], method="m",
                           reasons="r", dissent_included=True)


def test_art41_an_expert_disqualified_after_the_selection_gives_no_opinion(walk: Any) -> None:
    selected(pooled(walk))
    walk.art(walk.c.expert_b, "conflict_declaration", direct_interest=False, statement="无")
    experts.disqualify(walk.ctx, walk.c.office, walk.c.expert_b, reason="另案中出具虚假论证意见，后果严重")
    with pytest.raises(NotPermitted) as info:
        experts.submit_opinion(walk.ctx, walk.c.expert_b, walk.did, opinion="可行")
    assert (info.value.rule, info.value.article) == ("R9", "Art. 41")
    walk.art(walk.c.expert_a, "conflict_declaration", direct_interest=False, statement="无")
    experts.submit_opinion(walk.ctx, walk.c.expert_a, walk.did, opinion="可行")  # the others still can


def test_art41_retirement_is_not_disqualification(walk: Any) -> None:
    pooled(walk)
    experts.retire_from_pool(walk.ctx, walk.c.office, walk.c.expert_b, reason="退休")
    assert experts.disqualified(walk.ctx) == {}
    experts.select_experts(walk.ctx, walk.c.drafter, walk.did, expert_ids=[walk.c.expert_b], method="m",
                           reasons="r", dissent_included=True, outside_pool_reason="退休专家仍可库外遴选")


# ------------------------------------------------------------------------------------------ risk (R10)
MEASURES = [{"measure": "分步实施调价", "responsible_unit": "某市交通运输局", "due": "2025-12-31"},
            "建立舆情监测和信访快速响应机制"]


def test_each_prevention_measure_of_a_controllable_assessment_becomes_an_obligation(walk_any: Any) -> None:
    walk = walk_any.open().start().determine(risk_relevant=True)
    risk.record_risk_report(walk.ctx, walk.c.assessor, walk.did, risk_points=["调价引发集中投诉"], level="medium",
                            measures=MEASURES, contingency_plan="信访维稳应急预案", conclusion="controllable")
    risk.record_dept_opinions(walk.ctx, walk.c.drafter, walk.did, summary="原则同意",
                              opinions=[{"department": "某市信访局", "opinion": "风险可控"},
                                        {"department": "某市公安局", "opinion": "做好现场秩序保障"}])
    svc.clear_gate(walk.ctx, walk.c.bureau_head, walk.did, "risk_assessment")
    obligations = risk.obligations(walk.ctx, walk.did)
    assert [o["text"] for o in obligations] == ["分步实施调价", "建立舆情监测和信访快速响应机制"]
    assert obligations[0]["responsible_unit"] == "某市交通运输局" and obligations[0]["risk_level"] == "medium"
    assert obligations[0]["id"].endswith(":1") and obligations[1]["due"] is None


def test_r10_not_controllable_gives_no_obligations_and_blocks_until_a_new_draft_is_assessed(walk: Any) -> None:
    walk.open().start().determine(risk_relevant=True)
    args: dict[str, Any] = {"risk_points": ["大规模群体性事件"], "level": "high", "measures": ["暂缓"],
                            "contingency_plan": "预案"}
    risk.record_risk_report(walk.ctx, walk.c.assessor, walk.did, conclusion="not_controllable", **args)
    assert risk.obligations(walk.ctx, walk.did) == []
    with pytest.raises(RuleViolation) as info:
        risk.record_risk_report(walk.ctx, walk.c.assessor, walk.did, conclusion="controllable", **args)
    assert (info.value.rule, info.value.article) == ("R10", "Art. 24")
    svc.add_draft_version(walk.ctx, walk.c.drafter, walk.did, content=b"v2", title="调整后草案")
    risk.record_risk_report(walk.ctx, walk.c.assessor, walk.did, conclusion="controllable", **args)
    assert len(risk.obligations(walk.ctx, walk.did)) == 1


def test_r10_a_report_without_a_level_on_the_scale_or_with_empty_measures_is_refused(walk: Any) -> None:
    walk.open().start().determine(risk_relevant=True)
    with pytest.raises(InvalidInput) as level:
        risk.record_risk_report(walk.ctx, walk.c.assessor, walk.did, risk_points=["x"], level="severe",
                                measures=["m"], contingency_plan="p", conclusion="controllable")
    assert (level.value.rule, level.value.article) == ("R10", "Art. 23")
    with pytest.raises(InvalidInput):
        risk.record_risk_report(walk.ctx, walk.c.assessor, walk.did, risk_points=["x"], level="low",
                                measures=[{"responsible_unit": "某局"}], contingency_plan="p", conclusion="controllable")


def test_r10_a_prior_assessment_exempts_the_gate_with_its_link(walk: Any) -> None:
    walk.open().start().determine(risk_relevant=True)
    svc.record_determination(walk.ctx, walk.c.drafter, walk.did, "prior_risk_assessment", True,
                             "已按社会稳定风险评估办法评估")
    walk.art(walk.c.drafter, "prior_assessment_link", reference="某市稳评〔2025〕3号", assessed_under="社会稳定风险评估办法")
    with pytest.raises(NotPermitted) as own:  # SoD8: not on one's own determination
        svc.exempt_gate(walk.ctx, walk.c.drafter, walk.did, "risk_assessment", "第二十二条第二款")
    assert (own.value.rule, own.value.article) == ("SoD8", "Art. 38 (inference)")
    svc.exempt_gate(walk.ctx, walk.c.bureau_head, walk.did, "risk_assessment", "第二十二条第二款")
    assert gate(walk, "risk_assessment")["status"] == "exempted"
