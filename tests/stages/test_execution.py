"""S7–S8 after the decision (R19–R21, SoD3, SoD6, Arts. 34–37): execution units, targets fixed at decision
time and their versions, versioned reports, obligations, public opinions on execution, the reporting clock,
suspension, termination, a major adjustment as a new linked procedure round, post-decision evaluation.

Each rule: one case it allows and one it refuses (rule id and article asserted, nothing half-written);
after each service test the decision rebuilt from its events equals the stored one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from decision_engine.adapters.store import state_text
from decision_engine.domain.errors import DomainError, InvalidInput, NotFound, NotPermitted, RuleViolation
from decision_engine.services import decisions as svc
from decision_engine.services import execution as ex
from decision_engine.services import experts, identity, queries, verification
from decision_engine.services.demo import TRANSIT, hold_change_meeting
from tests.conftest import WARNINGS_ARE_ERRORS

pytestmark = WARNINGS_ARE_ERRORS

KPIS = [{"id": "K1", "name": "日均客流", "unit": "万人次", "baseline": 50, "target": 55, "due": "2026-03-01"},
        {"id": "K2", "name": "乘客投诉率", "unit": "‰", "baseline": 3.0, "target": 2.0, "direction": "decrease"}]
MILESTONES = [{"id": "M1", "name": "新线网开通", "due": "2025-09-01"},
              {"id": "M2", "name": "换乘优惠上线", "due": "2025-12-01"}]


def replay_equals_live(ctx: Any, did: str) -> None:
    """The decision folded from its events equals the stored projection, byte for byte (as `decide verify`)."""
    with ctx.store.read() as conn:
        assert state_text(queries.replay(conn, did).state) == state_text(svc.load(conn, did)[0].state)


def refused(walk: Any, call: Callable[[], object], err: type[DomainError], rule: str, article: str) -> None:
    """Assert the refusal names its rule and article and that the decision did not change."""
    before = queries.get_decision(walk.ctx, walk.did)
    with pytest.raises(err) as info:
        call()
    assert (info.value.rule, info.value.article) == (rule, article), info.value
    after = queries.get_decision(walk.ctx, walk.did)
    for key in ("status", "artifacts", "execution_units", "suspension"):
        assert after[key] == before[key], key


def decided_with_targets(walk: Any, evaluation_on: str | None = "2026-03-01") -> Any:
    """A decision whose KPIs, milestones and evaluation date were fixed before it was made."""
    walk.ready().meeting().report()
    ex.fix_targets(walk.ctx, walk.c.drafter, walk.did, kpis=KPIS, milestones=MILESTONES,
                   evaluation_on=evaluation_on)
    svc.finalize(walk.ctx, walk.c.head, walk.did)
    return walk


def executing(walk: Any, **kw: Any) -> Any:
    decided_with_targets(walk, **kw)
    ex.designate_execution_units(walk.ctx, walk.c.head, walk.did, [TRANSIT])
    return walk


def view(walk: Any) -> dict[str, Any]:
    return ex.execution_view(walk.ctx, walk.did)


# R19: execution units -------------------------------------------------------------------------
def test_a_report_before_any_execution_unit_is_designated_is_refused(walk: Any) -> None:
    decided_with_targets(walk)
    refused(walk, lambda: ex.report_progress(walk.ctx, walk.c.executor, walk.did, "已启动"),
            RuleViolation, "R19", "Art. 34")


def test_only_a_designated_execution_unit_reports(walk: Any) -> None:
    executing(walk)
    outsider = identity.register_person(walk.ctx, "某区执行人员")
    identity.grant_role(walk.ctx, outsider, "execution_unit", "某区人民政府")
    refused(walk, lambda: ex.report_progress(walk.ctx, outsider, walk.did, "已启动"),
            NotPermitted, "R19", "Art. 34")
    r = ex.report_progress(walk.ctx, walk.c.executor, walk.did, "新线网已开通", kpi_values={"K1": 52},
                           milestones_done=["M1"])
    assert r.status == "in_execution"
    assert [m["done"] for m in view(walk)["milestones"]] == [True, False]
    replay_equals_live(walk.ctx, walk.did)


def test_the_execution_unit_cannot_designate_itself(walk: Any) -> None:
    decided_with_targets(walk)
    refused(walk, lambda: ex.designate_execution_units(walk.ctx, walk.c.executor, walk.did, [TRANSIT]),
            NotPermitted, "R19", "Art. 34")


def test_changing_the_execution_units_needs_a_reason(walk: Any) -> None:
    executing(walk)
    refused(walk, lambda: ex.designate_execution_units(walk.ctx, walk.c.head, walk.did, ["某区人民政府"]),
            RuleViolation, "R19", "Art. 34")
    ex.designate_execution_units(walk.ctx, walk.c.head, walk.did, [TRANSIT, "某区人民政府"],
                                 reason="线网延伸至某区")
    assert view(walk)["execution_units"] == [TRANSIT, "某区人民政府"]
    replay_equals_live(walk.ctx, walk.did)


# R19: targets fixed at decision time, versions with reasons ----------------------------------
def test_targets_fixed_before_the_decision_are_version_one_and_a_revision_with_a_reason_is_version_two(
        walk_any: Any) -> None:
    walk = executing(walk_any)
    kpis = view(walk)["kpi_versions"]
    assert kpis["K1"]["version"] == 1 and kpis["K1"]["target"] == 55
    ex.revise_kpi(walk.ctx, walk.c.head, walk.did, "K1", baseline=48, reason="统计口径更正：剔除定制公交")
    k1 = view(walk)["kpi_versions"]["K1"]
    assert (k1["version"], k1["baseline"], k1["target"]) == (2, 48, 55)
    assert [v["reason"] for v in k1["versions"]] == ["决策时确定", "统计口径更正：剔除定制公交"]
    assert k1["versions"][0]["baseline"] == 50  # the version fixed at decision time stays readable
    replay_equals_live(walk.ctx, walk.did)


def test_a_kpi_baseline_changed_without_a_reason_is_refused(walk: Any) -> None:
    executing(walk)
    refused(walk, lambda: ex.revise_kpi(walk.ctx, walk.c.head, walk.did, "K1", baseline=40, reason=""),
            RuleViolation, "R19", "Art. 34")
    assert view(walk)["kpi_versions"]["K1"]["baseline"] == 50


def test_the_execution_unit_cannot_change_a_kpi(walk: Any) -> None:
    executing(walk)
    refused(walk, lambda: ex.revise_kpi(walk.ctx, walk.c.executor, walk.did, "K1", target=51, reason="难以完成"),
            NotPermitted, "SoD6", "Arts. 35, 37")


def test_targets_cannot_be_fixed_after_the_decision(walk: Any) -> None:
    walk.decided()
    refused(walk, lambda: ex.fix_targets(walk.ctx, walk.c.head, walk.did, kpis=KPIS),
            RuleViolation, "R19", "Art. 34")


def test_a_kpi_without_a_numeric_baseline_is_refused(walk: Any) -> None:
    walk.ready().meeting().report()
    bad = [{"id": "K1", "name": "日均客流", "baseline": "较多", "target": 55}]
    refused(walk, lambda: ex.fix_targets(walk.ctx, walk.c.drafter, walk.did, kpis=bad),
            InvalidInput, "R19", "Art. 34")


# R19: versioned, timestamped reports; problem reports on an Art. 35 ground ---------------------
def test_a_corrected_report_is_a_new_version_and_the_original_stays(walk: Any) -> None:
    executing(walk)
    first = ex.report_progress(walk.ctx, walk.c.executor, walk.did, "日均客流52万", kpi_values={"K1": 52})
    original = first.events[0]["payload"]["artifact_id"]
    refused(walk, lambda: ex.report_progress(walk.ctx, walk.c.executor, walk.did, "日均客流51万",
                                             kpi_values={"K1": 51}, supersedes=original),
            RuleViolation, "R18", "Art. 33")
    walk.ctx.clock.advance(hours=2)
    ex.report_progress(walk.ctx, walk.c.executor, walk.did, "日均客流51万", kpi_values={"K1": 51},
                       supersedes=original, correction_reason="原报数据含重复统计")
    reports = view(walk)["reports"]
    assert [(r["version"], r["current"], r["report"]) for r in reports] == [(1, False, original),
                                                                            (2, True, original)]
    assert reports[1]["at"] > reports[0]["at"]
    assert next(k for k in view(walk)["kpis"] if k["id"] == "K1")["latest_value"] == 51
    replay_equals_live(walk.ctx, walk.did)


def test_a_problem_report_without_an_art35_ground_is_refused(walk: Any) -> None:
    executing(walk)
    refused(walk, lambda: ex.report_problem(walk.ctx, walk.c.executor, walk.did, ground="weather",
                                            summary="暴雨"), InvalidInput, "R19", "Art. 35")


def test_a_problem_report_is_recorded_the_moment_it_is_filed(walk: Any) -> None:
    executing(walk)
    now = walk.ctx.now_iso()
    r = ex.report_problem(walk.ctx, walk.c.executor, walk.did, ground="force_majeure", summary="台风致线路停运",
                          occurred_on=walk.ctx.today().isoformat())
    assert r.events[0]["at"] == now  # the engine's clock, not a date the reporter types
    report = view(walk)["reports"][-1]
    assert (report["report_kind"], report["fields"]["ground"], report["unit"]) == ("problem", "force_majeure",
                                                                                  TRANSIT)
    replay_equals_live(walk.ctx, walk.did)


# R19: obligations from the risk measures and the legality conditions ---------------------------
def test_risk_measures_and_legality_amendments_are_obligations_to_follow(walk: Any) -> None:
    walk.open().start().determine(risk_relevant=True).coordinate().participate()
    risk = walk.art(walk.c.assessor, "risk_report", risk_points=["票价上涨引发投诉"], level="low",
                    measures=["配套换乘优惠", "分步实施"], contingency_plan="舆情应对预案", conclusion="controllable")
    walk.art(walk.c.drafter, "dept_opinions", departments=["某市信访局"], summary="风险可控")
    svc.clear_gate(walk.ctx, walk.c.bureau_head, walk.did, "risk_assessment")
    deadline = walk.ctx.calendar.add_working_days(walk.ctx.today(), 8)
    walk.art(walk.c.drafter, "legality_submission", legal_basis="价格法", procedure_explanation="已履行",
             requested_deadline=deadline.due.isoformat())
    walk.art(walk.c.adviser, "legal_adviser_opinion", opinion="修改后合法")
    opinion = walk.art(walk.c.reviewer, "legality_opinion", authority="有权", procedure="完备", content="需修改",
                       conclusion="lawful_if_amended", amendments="删除第五条收费条款")
    # R12, Art. 28: the amendments go into a new draft version, which the legal office reviews again
    svc.add_draft_version(walk.ctx, walk.c.drafter, walk.did, content=b"v2", title="v2（已删除第五条）")
    # R10, Art. 24: the new version reopens the risk gate; the assessor carries the controllable report forward
    walk.art(walk.c.assessor, "risk_continuity", report_id=risk.events[0]["payload"]["artifact_id"],
             reason="删除收费条款不涉及已评估的风险点")
    svc.clear_gate(walk.ctx, walk.c.bureau_head, walk.did, "risk_assessment")
    walk.art(walk.c.drafter, "amendment_record", changes=["已删除第五条收费条款"],
             opinion_id=opinion.events[0]["payload"]["artifact_id"])
    deadline = walk.ctx.calendar.add_working_days(walk.ctx.today(), 8)
    walk.art(walk.c.drafter, "legality_submission", legal_basis="价格法", procedure_explanation="已履行",
             requested_deadline=deadline.due.isoformat())
    walk.art(walk.c.adviser, "legal_adviser_opinion", opinion="已按意见修改，合法")
    walk.art(walk.c.reviewer, "legality_opinion", authority="有权", procedure="完备", content="合法",
             conclusion="lawful")
    svc.clear_gate(walk.ctx, walk.c.legal_director, walk.did, "legality_review")
    walk.meeting().report()
    svc.finalize(walk.ctx, walk.c.head, walk.did)
    ex.designate_execution_units(walk.ctx, walk.c.head, walk.did, [TRANSIT])
    obligations = view(walk)["obligations"]
    assert [(o["source"], o["text"]) for o in obligations] == [
        ("risk_measure", "配套换乘优惠"), ("risk_measure", "分步实施"), ("contingency_plan", "舆情应对预案"),
        ("legality_condition", "删除第五条收费条款"), ("legality_amendment", "已删除第五条收费条款")]
    ex.report_progress(walk.ctx, walk.c.executor, walk.did, "按措施执行",
                       obligations={obligations[0]["id"]: "换乘优惠已上线"})
    assert view(walk)["obligations"][0]["followed_in"]
    refused(walk, lambda: ex.report_progress(walk.ctx, walk.c.executor, walk.did, "x",
                                             obligations={"A-unknown:1": "?"}), InvalidInput, "R19", "Art. 34")


# Art. 34: public opinions on execution, no login ----------------------------------------------
def test_the_public_comments_on_execution_without_login_and_gets_a_tracking_number(walk_any: Any) -> None:
    walk = executing(walk_any)
    got = ex.submit_opinion(walk.ctx, walk.did, "夜班线路发车间隔过长", name="市民甲", contact="138****0000")
    status = ex.opinion_status(walk.ctx, got["tracking_number"])
    assert status["decision_id"] == walk.did and status["status"] == "received"
    assert "市民甲" not in str(status)  # the identity is kept apart, never shown
    with walk.ctx.store.read() as conn:
        from decision_engine.adapters import store as st
        [event] = st.stream_events(conn, ex.opinion_stream(walk.did))
    assert event["payload"]["text"] == "夜班线路发车间隔过长" and event["actor"]["person"] == "public"
    assert view(walk)["public_opinions"] == 1


def test_an_opinion_on_execution_before_the_decision_is_refused(walk: Any) -> None:
    walk.ready()
    with pytest.raises(RuleViolation) as info:
        ex.submit_opinion(walk.ctx, walk.did, "意见")
    assert (info.value.rule, info.value.article) == ("R19", "Art. 34")
    with pytest.raises(InvalidInput):
        ex.submit_opinion(walk.ctx, walk.did, "   ")


# R19: the reporting interval the clock watches ------------------------------------------------
def test_an_execution_report_falls_due_after_the_profile_interval_and_a_report_settles_it(walk: Any) -> None:
    executing(walk)
    assert ex.execution_reports_due(walk.ctx) == []
    walk.ctx.clock.advance(days=100)
    [due] = ex.execution_reports_due(walk.ctx)
    assert (due["decision_id"], due["unit"], due["overdue"]) == (walk.did, TRANSIT, True)
    assert (due["rule"], due["article"]) == ("R19", "Art. 34")
    ex.report_progress(walk.ctx, walk.c.executor, walk.did, "季度执行情况")
    assert ex.execution_reports_due(walk.ctx) == []


def test_a_suspended_decision_has_no_reports_due(walk: Any) -> None:
    executing(walk)
    svc.suspend(walk.ctx, walk.c.head, walk.did, "force_majeure", "台风", urgency="情况紧急")
    walk.ctx.clock.advance(days=100)
    assert ex.execution_reports_due(walk.ctx) == []


# R20 and SoD6: change control -----------------------------------------------------------------
def test_the_execution_unit_cannot_suspend_and_the_head_suspends_and_resumes(walk: Any) -> None:
    executing(walk)
    refused(walk, lambda: svc.suspend(walk.ctx, walk.c.executor, walk.did, "force_majeure", "台风", urgency="情况紧急"),
            NotPermitted, "SoD6", "Arts. 35, 37")
    svc.suspend(walk.ctx, walk.c.head, walk.did, "major_change_of_circumstances", "上位政策调整", urgency="情况紧急")
    ex.report_problem(walk.ctx, walk.c.executor, walk.did, ground="problems_found", summary="停运期间客流下降")
    svc.resume(walk.ctx, walk.c.head, walk.did, "政策已明确")
    assert view(walk)["status"] == "in_execution"
    replay_equals_live(walk.ctx, walk.did)


def test_termination_by_anyone_but_the_head_or_organ_is_refused(walk: Any) -> None:
    executing(walk)
    refused(walk, lambda: ex.terminate(walk.ctx, walk.c.executor, walk.did, basis="x", reason="y"),
            NotPermitted, "SoD6", "Arts. 35, 37")
    refused(walk, lambda: ex.terminate(walk.ctx, walk.c.head, walk.did, basis="", reason="y"),
            InvalidInput, "R20", "Art. 37")


def test_a_termination_without_the_organs_collective_decision_is_refused(walk: Any) -> None:
    """R20, Arts. 30, 37: 未经法定程序不得随意变更或者停止执行 — the meeting's adopted change item first."""
    executing(walk)
    refused(walk, lambda: ex.terminate(walk.ctx, walk.c.head, walk.did, basis="市长决定", reason="上位法修改"),
            RuleViolation, "R20", "Arts. 30, 37")
    mid, item = hold_change_meeting(walk.ctx, walk.c, walk.did, "terminate", outcome="defer")
    refused(walk, lambda: ex.terminate(walk.ctx, walk.c.head, walk.did, basis="常务会议", reason="上位法修改",
                                       meeting_id=mid, item_no=item), RuleViolation, "R20", "Arts. 30, 37")
    with pytest.raises(NotFound):
        ex.terminate(walk.ctx, walk.c.head, walk.did, basis="x", reason="y", meeting_id="MTG-none", item_no=1)


def test_a_terminated_decision_records_its_basis_and_takes_no_more_reports(walk: Any) -> None:
    executing(walk)
    mid, item = hold_change_meeting(walk.ctx, walk.c, walk.did, "terminate")
    ex.terminate(walk.ctx, walk.c.head, walk.did, basis="市政府第12次常务会议决定", reason="上位法修改",
                 meeting_id=mid, item_no=item)
    v = view(walk)
    assert v["status"] == "terminated" and v["termination"]["basis"] == "市政府第12次常务会议决定"
    refused(walk, lambda: ex.report_progress(walk.ctx, walk.c.executor, walk.did, "x"),
            RuleViolation, "R20", "Art. 37")
    refused(walk, lambda: svc.suspend(walk.ctx, walk.c.head, walk.did, "force_majeure", "x", urgency="情况紧急"),
            RuleViolation, "R20", "Art. 37")
    replay_equals_live(walk.ctx, walk.did)


def test_a_terminated_decision_is_closed_for_the_archive_by_the_organ(walk: Any) -> None:
    """R18 Art. 33: the record of a terminated decision is archived like any other."""
    executing(walk)
    mid, item = hold_change_meeting(walk.ctx, walk.c, walk.did, "terminate")
    ex.terminate(walk.ctx, walk.c.head, walk.did, basis="市政府第12次常务会议决定", reason="上位法修改",
                 meeting_id=mid, item_no=item)
    refused(walk, lambda: svc.close(walk.ctx, walk.c.executor, walk.did), NotPermitted, "R18", "Art. 33")
    svc.close(walk.ctx, walk.c.head, walk.did)
    assert view(walk)["status"] == "closed"
    replay_equals_live(walk.ctx, walk.did)


def test_a_major_adjustment_opens_a_new_linked_decision_and_leaves_the_original_intact(walk_any: Any) -> None:
    walk = executing(walk_any)
    mid, item = hold_change_meeting(walk.ctx, walk.c, walk.did, "adjust")
    before = queries.get_decision(walk.ctx, walk.did)
    r = ex.open_adjustment(walk.ctx, walk.c.head, walk.did, title="关于调整公交票价方案的决定（调整）",
                           reason="客流变化较大，票价方案需重大调整", meeting_id=mid, item_no=item)
    new = queries.get_decision(walk.ctx, r.decision_id)
    assert new["status"] == "draft" and new["stage"] == "S0" and new["id"] != walk.did
    with walk.ctx.store.read() as conn:
        assert svc.load(conn, r.decision_id)[0].state["adjusts"]["decision_id"] == walk.did
        original = svc.load(conn, walk.did)[0].state
    assert original["adjustments"][0]["decision_id"] == r.decision_id
    after = queries.get_decision(walk.ctx, walk.did)
    for key in ("status", "artifacts", "gates", "decided_on", "execution_units"):
        assert after[key] == before[key], key
    replay_equals_live(walk.ctx, walk.did)
    replay_equals_live(walk.ctx, r.decision_id)
    ex.submit_opinion(walk.ctx, walk.did, "调整期间原方案继续执行吗？")
    report = verification.verify(walk.ctx)
    assert report.ok, report.findings


def test_a_major_adjustment_by_the_execution_unit_or_of_an_undecided_decision_is_refused(walk: Any) -> None:
    executing(walk)
    refused(walk, lambda: ex.open_adjustment(walk.ctx, walk.c.executor, walk.did, title="调整", reason="x"),
            NotPermitted, "SoD6", "Arts. 35, 37")
    other = type(walk)(walk.ctx)
    other.c, other.did = walk.c, svc.open_decision(walk.ctx, walk.c.drafter, title="另一事项",
                                                    category="policy", unit=walk.bureau).decision_id
    refused(other, lambda: ex.open_adjustment(walk.ctx, walk.c.head, other.did, title="调整", reason="x"),
            RuleViolation, "R20", "Art. 37")


# R21 and SoD3: post-decision evaluation --------------------------------------------------------
def test_an_evaluator_that_did_the_pre_decision_work_cannot_be_commissioned(walk: Any) -> None:
    executing(walk)
    refused(walk, lambda: ex.commission_evaluation(walk.ctx, walk.c.head, walk.did, evaluator_unit=walk.bureau,
                                                   trigger="organ_decision", reasons="x"),
            NotPermitted, "SoD3", "Art. 36")
    ex.commission_evaluation(walk.ctx, walk.c.head, walk.did, evaluator_unit="某第三方评估机构",
                             trigger="organ_decision", reasons="市政府常务会议要求评估")
    [due] = ex.evaluations_due(walk.ctx)
    assert due["triggers"][0]["trigger"] == "organ_decision"
    replay_equals_live(walk.ctx, walk.did)


def test_only_the_commissioned_evaluator_reports(walk: Any) -> None:
    executing(walk)
    ex.commission_evaluation(walk.ctx, walk.c.head, walk.did, evaluator_unit="某高校评估中心",
                             trigger="organ_decision", reasons="x")
    refused(walk, lambda: ex.evaluate(walk.ctx, walk.c.evaluator, walk.did, trigger="organ_decision",
                                      public_input="问卷", deputy_participation="人大代表3名", findings="x",
                                      recommendation="continue"), NotPermitted, "R21", "Art. 36")


def test_an_expert_of_the_pre_decision_review_cannot_evaluate(walk: Any) -> None:
    walk.open().start().determine(specialised=True).coordinate().participate()
    experts.select_experts(walk.ctx, walk.c.drafter, walk.did, expert_ids=[walk.c.expert_a], method="随机抽取",
                           reasons="专业对口", dissent_included=True, outside_pool_reason="本市未建专家库")
    walk.art(walk.c.expert_a, "conflict_declaration", direct_interest=False, statement="无利害关系")
    r = experts.submit_opinion(walk.ctx, walk.c.expert_a, walk.did, opinion="可行")
    opinion_id = next(e["payload"]["artifact_id"] for e in r.events if e["type"] == "ArtifactRecorded")
    experts.record_adoption(walk.ctx, walk.c.drafter, walk.did, {opinion_id: {"disposition": "adopted",
                                                                              "reason": "采纳"}})
    svc.clear_gate(walk.ctx, walk.c.bureau_head, walk.did, "expert_review")
    walk.legality().meeting().report()
    svc.finalize(walk.ctx, walk.c.head, walk.did)
    insider = identity.register_person(walk.ctx, "孙教授（评估）")
    identity.grant_role(walk.ctx, insider, "post_evaluator", "某大学交通学院")
    refused(walk, lambda: ex.commission_evaluation(walk.ctx, walk.c.head, walk.did, evaluator_unit="某大学交通学院",
                                                   trigger="organ_decision", reasons="x"), NotPermitted, "SoD3",
            "Art. 36")
    ex.commission_evaluation(walk.ctx, walk.c.head, walk.did, evaluator_unit="某第三方评估机构", trigger="organ_decision",
                             reasons="决策机关认为有必要")
    refused(walk, lambda: ex.evaluate(walk.ctx, insider, walk.did, trigger="organ_decision", public_input="问卷",
                                      deputy_participation="代表参与", findings="z", recommendation="continue"),
            NotPermitted, "R21", "Art. 36")  # only the commissioned evaluator reports


def test_the_scheduled_evaluation_falls_due_and_the_organ_decides_to_stop(walk_any: Any) -> None:
    walk = executing(walk_any, evaluation_on="2025-12-01")
    assert ex.evaluations_due(walk.ctx) == []
    walk.ctx.clock.advance(days=300)
    [due] = ex.evaluations_due(walk.ctx)
    assert [t["trigger"] for t in due["triggers"]] == ["scheduled"]
    # the date fixed at decision time is the organ's own judgment that an evaluation is needed (Art. 36)
    ex.commission_evaluation(walk.ctx, walk.c.head, walk.did, evaluator_unit="某第三方评估机构", trigger="organ_decision",
                             reasons="决策时确定的评估日期已到")  # R21: only the commissioned evaluator reports
    r = ex.evaluate(walk.ctx, walk.c.evaluator, walk.did, trigger="organ_decision", public_input="问卷2000份",
                    deputy_participation="人大代表3名、政协委员2名、社会组织1家", findings="票价方案效果不佳",
                    recommendation="stop")
    assert ex.evaluations_due(walk.ctx) == []
    evaluation = r.events[0]["payload"]["artifact_id"]
    with pytest.raises(InvalidInput) as info:
        ex.decide_on_evaluation(walk.ctx, walk.c.head, walk.did, evaluation, outcome="pause", reasons="x")
    assert (info.value.rule, info.value.article) == ("R21", "Art. 36")
    r = ex.decide_on_evaluation(walk.ctx, walk.c.head, walk.did, evaluation, outcome="stop",
                                reasons="评估认为应停止执行")
    # R20, Arts. 30, 37: the evaluation's conclusion is the basis of a stop, not the stop itself
    assert [e["type"] for e in r.events] == ["ArtifactRecorded"] and view(walk)["status"] != "terminated"
    mid, item = hold_change_meeting(walk.ctx, walk.c, walk.did, "terminate", reason="决策后评估认为应停止执行")
    ex.terminate(walk.ctx, walk.c.head, walk.did, basis="决策后评估结果：停止执行", reason="评估认为应停止执行",
                 basis_ref=r.events[0]["payload"]["artifact_id"], meeting_id=mid, item_no=item)
    assert view(walk)["termination"]["basis_ref"] == r.events[0]["payload"]["artifact_id"]
    assert view(walk)["termination"]["meeting_id"] == mid
    replay_equals_live(walk.ctx, walk.did)
    report = verification.verify(walk.ctx)  # every chain (opinions' too) and every projection
    assert report.ok, report.findings


def test_an_effect_clearly_not_met_and_many_public_opinions_trigger_an_evaluation(walk: Any) -> None:
    executing(walk, evaluation_on=None)
    ex.report_progress(walk.ctx, walk.c.executor, walk.did, "客流未达预期", kpi_values={"K1": 51})
    walk.ctx.clock.advance(days=365)  # past K1's due date (2026-03-01), still short of the target 55
    for i in range(50):  # the profile's threshold (evaluation_public_opinion_threshold)
        ex.submit_opinion(walk.ctx, walk.did, f"意见{i}")
    [due] = ex.evaluations_due(walk.ctx)
    assert {t["trigger"] for t in due["triggers"]} == {"effect_not_met", "many_public_opinions"}
