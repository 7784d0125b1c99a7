"""After the decision in memory: publication (R17), execution and its changes (R19–R20, SoD6), evaluation
(R21, SoD3), closing (R18), withdrawal and procedure migration (PV1), and the normative-document filing and
clean-up (ND3, ND4)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from decision_engine import procedures
from decision_engine.domain import execution as ex
from decision_engine.domain.decision import Actor, publication_channel
from decision_engine.domain.errors import InvalidInput, NotPermitted, RuleViolation
from tests.domain.builders import BUREAU, Build, C, refused
from tests.domain.test_change_control import adopted

ALL_CHANNELS = ["政府公报", "政府网站", "报纸"]
KPI = {"id": "k1", "name": "准点率", "baseline": 80, "target": 95, "due": "2025-12-31"}


def publish(b: Build, channels: list[str] | None = None, on: str | None = None) -> str:
    return b.art(C.office, "publication_record", channels=channels or ALL_CHANNELS,
                 published_at=on or b.today.isoformat())


def with_targets(b: Build, **fields: Any) -> Build:
    b.ready()
    b.art(C.head, "execution_targets", **({"kpis": [KPI], "milestones": [{"id": "m1", "name": "试运行",
                                                                          "due": "2025-06-30"}]} | fields))
    b.meeting().report().finalize()
    publish(b)
    b.art(C.head, "execution_unit_designation", units=[C.executor.unit])
    return b


def report(b: Build, who: Actor = C.executor, **fields: Any) -> str:
    return b.art(who, "execution_report", **({"report_kind": "progress", "summary": "进展"} | fields))


# R17: publication ---------------------------------------------------------------------------------
def test_r17_a_publication_names_its_channels_and_is_not_dated_before_the_decision(b: Build) -> None:
    b.decided()
    refused(lambda: publish(b, channels="网站"), InvalidInput, "R17", "Art. 32")  # type: ignore[arg-type]
    refused(lambda: publish(b, on=(b.today - timedelta(days=1)).isoformat()), RuleViolation, "R17", "Art. 32")
    refused(lambda: publish(b, on="today"), InvalidInput, "R17", "Art. 32")
    publish(b)
    assert (b.d.status, b.gate("publication")) == ("published", "cleared")


def test_r17_a_decision_is_published_in_the_gazette_on_the_website_and_in_a_newspaper(b: Build) -> None:
    b.decided()
    publish(b, channels=["政府网站"])
    assert b.missing("publication") == [("R17", "Art. 32", "publication_record")] * 2
    publish(b, channels=["gazette", "某市日报"])
    assert b.missing("publication") == []


def test_r17_each_channel_is_recognised_by_its_name() -> None:
    assert [publication_channel(x) for x in ("Gazette ", "市政府公报", "中国政府网站", "某市日报", {"channel": "website"},
                                             {"name": "报纸"}, "微博")] == \
        ["gazette", "gazette", "website", "newspaper", "website", "newspaper", None]


def test_r17_a_specialised_matter_publishes_the_adoption_explanation_and_interpretation(b: Build) -> None:
    b.open().start().determine(specialised=True).coordinate().experts().participate().legality()
    b.meeting().report().finalize()
    publish(b)
    assert b.missing("publication") == [("R17", "Art. 32", "adoption_explanation"),
                                        ("R17", "Art. 32", "interpretation")]
    b.art(C.office, "adoption_explanation", text="说明")
    b.art(C.office, "interpretation", text="解读", means=["press_conference"])  # R17, Art. 32
    assert b.missing("publication") == []


def test_r17_a_nondisclosable_decision_is_exempted_from_publication_on_its_basis(b: Build) -> None:
    b.open().start().determine(nondisclosable=True).coordinate()
    b.art(C.drafter, "nondisclosure_basis", legal_ref="政府信息公开条例第十四条", reason="涉密")
    b.exempt("public_participation", C.bureau_head)  # SoD8: not the determiner
    b.legality().meeting().report().finalize()
    refused(lambda: b.exempt("publication", C.office), RuleViolation, "R17", "Art. 32; 政府信息公开条例 Arts. 14–16")
    b.art(C.office, "publication_nondisclosure_basis", legal_ref="政府信息公开条例第十四条", reason="涉密")
    b.exempt("publication", C.office)
    assert b.gate("publication") == "exempted"


# R18: closing -----------------------------------------------------------------------------------------
def test_r18_a_case_closes_after_publication_by_the_organ_or_head(b: Build) -> None:
    b.decided()
    refused(lambda: b.d.close((C.office,)), RuleViolation, "R18", "Art. 33")
    publish(b)
    refused(lambda: b.d.close((C.drafter,)), NotPermitted, "R18", "Art. 33")
    b.commit(C.office, b.d.close((C.office,)))
    assert b.d.status == "closed" and b.state["closed"] is True


def test_r17_a_case_whose_publication_is_incomplete_does_not_close(b: Build) -> None:
    b.decided()
    publish(b, channels=["政府网站"])
    err = refused(lambda: b.d.close((C.office,)), RuleViolation, "R17", "Art. 32")
    assert len(err.missing) == 2


def test_r18_a_terminated_decision_closes_as_it_stands(b: Build) -> None:
    b.decided()
    b.act(C.head, ex.terminate(b.d, (C.head,), "情况变化", "不再实施", meeting=adopted(b), item_no=1))
    b.commit(C.office, b.d.close((C.office,)))
    assert b.d.status == "closed"


# withdrawal and migration ---------------------------------------------------------------------------
def test_r18_a_withdrawal_before_the_decision_states_its_reason(b: Build) -> None:
    b.open().start()
    refused(lambda: b.d.withdraw((C.drafter,), "x"), NotPermitted, "R3", "Art. 11")
    refused(lambda: b.d.withdraw((C.head,), " "), InvalidInput, "R18", "Art. 33")
    b.commit(C.head, b.d.withdraw((C.head,), "不再需要"))
    assert b.d.status == "withdrawn"
    c = Build().decided()
    refused(lambda: c.d.withdraw((C.head,), "x"), RuleViolation, "R13", "Art. 25")


def test_pv1_a_running_decision_migrates_only_with_the_legal_offices_justified_approval(b: Build) -> None:
    b.open().start()
    new = procedures.load("city_b_10wd")
    refused(lambda: b.d.migrate_procedure((C.head,), new, "理由"), NotPermitted, "PV1", "Art. 43 (inference)")
    refused(lambda: b.d.migrate_procedure((C.reviewer,), b.spec, "理由"), RuleViolation, "PV1", "Art. 43 (inference)")
    refused(lambda: b.d.migrate_procedure((C.reviewer,), procedures.load("normative_document"), "理由"),
            RuleViolation, "PV1", "Art. 43 (inference)")
    refused(lambda: b.d.migrate_procedure((C.reviewer,), new, " "), InvalidInput, "PV1", "Art. 43 (inference)")
    events = b.d.migrate_procedure((C.reviewer,), new, "本市规定")
    b.d._resolve = lambda h: new  # the store's resolver of pinned procedures
    b.commit(C.reviewer, events)
    assert b.d.spec is new and b.state["procedure"]["hash"] == new.hash
    assert b.state["procedure_history"][0]["justification"] == "本市规定"


def test_pv1_a_decided_decision_keeps_its_procedure_version(b: Build) -> None:
    b.decided()
    refused(lambda: b.d.migrate_procedure((C.reviewer,), procedures.load("city_b_10wd"), "x"), RuleViolation,
            "R13", "Art. 25")


# R20 / SoD6: suspension, termination, adjustment ----------------------------------------------------------
def test_sod6_only_the_head_suspends_a_decided_decision_on_an_article_35_ground(b: Build) -> None:
    b.ready()
    refused(lambda: b.d.suspend((C.head,), "force_majeure", "地震", "紧急"), RuleViolation, "R20", "Art. 37")
    b.meeting().report().finalize()
    refused(lambda: b.d.suspend((C.office,), "force_majeure", "地震", "紧急"), NotPermitted, "SoD6", "Arts. 35, 37")
    refused(lambda: b.d.suspend((C.head,), "dislike", "x"), InvalidInput, "R20", "Art. 35")
    refused(lambda: b.d.suspend((C.head,), "force_majeure", " "), InvalidInput, "R20", "Art. 37")
    b.commit(C.head, b.d.suspend((C.head,), "force_majeure", "地震", "震后道路中断"))
    assert b.d.status == "suspended"
    publish(b)  # the record still grows while suspended
    assert b.d.status == "published"


def test_r20_the_head_suspends_alone_only_when_the_situation_is_urgent(b: Build) -> None:
    b.decided()
    for urgency in ("", "  "):
        refused(lambda u=urgency: b.d.suspend((C.head,), "force_majeure", "地震", u), RuleViolation, "R20", "Art. 37",
                says="情况紧急")
    b.commit(C.head, b.d.suspend((C.head,), "force_majeure", "地震", "震后道路中断，线路无法运营"))
    assert b.state["suspension"]["urgency"] == "震后道路中断，线路无法运营"
    assert b.events[-1]["payload"]["urgency"] == "震后道路中断，线路无法运营"


def test_r20_only_a_suspended_decision_resumes_by_the_head_with_a_reason(b: Build) -> None:
    b.decided()
    refused(lambda: b.d.resume((C.head,), "恢复"), RuleViolation, "R20", "Art. 37")
    b.commit(C.head, b.d.suspend((C.head,), "problems_found", "问题", "继续执行将造成损失"))
    refused(lambda: b.d.resume((C.office,), "恢复"), NotPermitted, "SoD6", "Art. 37")
    refused(lambda: b.d.resume((C.head,), " "), InvalidInput, "R20", "Art. 37")
    b.commit(C.head, b.d.resume((C.head,), "已整改"))
    assert b.d.status == "decided" and b.state["suspension"] is None


def test_r20_a_termination_is_by_the_head_or_organ_on_a_stated_basis(b: Build) -> None:
    b.ready()
    refused(lambda: ex.terminate(b.d, (C.head,), "依据", "理由"), RuleViolation, "R20", "Art. 37")
    b.meeting().report().finalize()
    refused(lambda: ex.terminate(b.d, (C.executor,), "依据", "理由"), NotPermitted, "SoD6", "Arts. 35, 37")
    refused(lambda: ex.terminate(b.d, (C.head,), " ", "理由"), InvalidInput, "R20", "Art. 37")
    refused(lambda: ex.terminate(b.d, (C.head,), "依据", " "), InvalidInput, "R20", "Art. 37")
    refused(lambda: ex.terminate(b.d, (C.head,), "依据", "理由", "nope"), InvalidInput, "R20", "Art. 37")
    b.act(C.office, ex.terminate(b.d, (C.office,), "依据", "理由", next(iter(b.state["artifacts"])),
                                 meeting=adopted(b), item_no=1))
    assert b.d.status == "terminated"
    refused(lambda: publish(b), RuleViolation, "R20", "Art. 37")


def test_r20_a_major_adjustment_reruns_the_procedure_as_a_linked_decision(b: Build) -> None:
    b.ready()
    refused(lambda: ex.open_adjustment(b.d, (C.head,), "d2", "调整"), RuleViolation, "R20", "Art. 37")
    b.meeting().report().finalize()
    refused(lambda: ex.open_adjustment(b.d, (C.executor,), "d2", "调整"), NotPermitted, "SoD6", "Arts. 35, 37")
    refused(lambda: ex.open_adjustment(b.d, (C.head,), "d2", " "), InvalidInput, "R20", "Art. 37")
    refused(lambda: ex.open_adjustment(b.d, (C.head,), "d2", "调整", "nope"), InvalidInput, "R20", "Art. 37")
    actor, here, there = ex.open_adjustment(b.d, (C.head,), "d2", "调整", meeting=adopted(b, "adjust"), item_no=1)
    b.act(actor, (actor, here))
    assert b.state["adjustments"][0]["decision_id"] == "d2" and there.payload["original_id"] == "d1"
    b.act(C.head, ex.terminate(b.d, (C.head,), "调整", "由新决策替代", "d2", meeting=adopted(b, mid="m10"),
                               item_no=1))  # the adjustment is a valid basis


# R19: execution -------------------------------------------------------------------------------------
def test_r19_execution_units_are_named_and_a_change_states_why(b: Build) -> None:
    b.published()
    for units in ("甲", ["甲", " "]):
        refused(lambda u=units: b.art(C.head, "execution_unit_designation", units=u), InvalidInput, "R19", "Art. 34")
    b.art(C.head, "execution_unit_designation", units=["甲"])
    assert b.d.status == "in_execution"
    refused(lambda: b.art(C.head, "execution_unit_designation", units=["乙"]), RuleViolation, "R19", "Art. 34")
    b.art(C.head, "execution_unit_designation", units=["乙"], reason="机构改革")
    assert b.state["execution_units"] == ["乙"]


def test_r19_only_a_designated_execution_unit_reports(b: Build) -> None:
    b.published()
    refused(lambda: report(b), RuleViolation, "R19", "Art. 34")  # no unit designated yet
    b.art(C.head, "execution_unit_designation", units=["别的单位"])
    refused(lambda: report(b), NotPermitted, "R19", "Art. 34")


def test_r19_a_problem_report_names_its_article_35_ground(b: Build) -> None:
    b.executing()
    refused(lambda: report(b, report_kind="rumour"), InvalidInput, "R19", "Art. 35")
    refused(lambda: report(b, report_kind="problem"), InvalidInput, "R19", "Art. 35")
    report(b, report_kind="problem", ground="major_change_of_circumstances")


@pytest.mark.parametrize("fields", [
    {"kpis": []}, {"kpis": "k1"}, {"kpis": [{"id": "k1"}]}, {"kpis": [{"name": "x"}]}, {"kpis": [KPI, KPI]},
    {"kpis": [KPI | {"target": "95%"}]}, {"kpis": [KPI | {"baseline": True}]}, {"kpis": [KPI | {"direction": "up"}]},
    {"kpis": [KPI | {"due": "年底"}]}, {"kpis": [KPI], "milestones": "m1"},
    {"kpis": [KPI], "milestones": [{"id": "m1", "due": "2025-06-30"}]},
    {"kpis": [KPI], "milestones": [{"id": "m1", "name": "x", "due": "六月"}]},
    {"kpis": [KPI], "evaluation_on": "明年"}])
def test_r19_execution_targets_that_are_not_well_formed_are_refused(b: Build, fields: dict[str, Any]) -> None:
    b.ready()
    refused(lambda: b.art(C.head, "execution_targets", **fields), InvalidInput,
            "R21" if "evaluation_on" in fields else "R19", "Art. 36" if "evaluation_on" in fields else "Art. 34")


def test_r19_targets_fixed_at_decision_time_are_the_ledgers_first_version(b: Build) -> None:
    with_targets(b, evaluation_on="2026-01-01")
    assert ex.targets(b.d) is not None
    ledger = ex.kpi_ledger(b.d)
    assert ledger["k1"]["version"] == 1 and ledger["k1"]["target"] == 95


def test_r19_a_kpi_revision_is_a_new_version_with_its_reason_by_the_head_or_organ(b: Build) -> None:
    with_targets(b)
    refused(lambda: b.art(C.executor, "kpi_revision", kpi_id="k1", target=90, reason="x"), NotPermitted, "SoD6",
            "Arts. 35, 37")
    refused(lambda: b.art(C.head, "kpi_revision", kpi_id="k1", target=90), RuleViolation, "R19", "Art. 34")
    refused(lambda: b.art(C.head, "kpi_revision", kpi_id="k1", reason="x"), InvalidInput, "R19", "Art. 34")
    refused(lambda: b.art(C.head, "kpi_revision", kpi_id="k2", target=1, reason="新增"), InvalidInput, "R19", "Art. 34")
    refused(lambda: b.art(C.head, "kpi_revision", kpi_id="k1", target="九十", reason="x"), InvalidInput, "R19",
            "Art. 34")
    b.art(C.head, "kpi_revision", kpi_id="k1", target=90, reason="客观情况变化")
    b.art(C.office, "kpi_revision", kpi_id="k2", name="满意度", baseline=1, target=2, reason="新增")
    ledger = ex.kpi_ledger(b.d)
    assert (ledger["k1"]["version"], ledger["k1"]["target"], ledger["k2"]["version"]) == (2, 90, 1)


def test_r19_a_report_refers_to_known_kpis_milestones_and_obligations(b: Build) -> None:
    with_targets(b)
    for bad in ({"kpi_values": [1]}, {"kpi_values": {"k9": 1}}, {"kpi_values": {"k1": "高"}},
                {"milestones_done": ["m9"]}, {"milestones_done": "m1"}, {"obligations": {"o9": "done"}},
                {"obligations": ["x"]}):
        refused(lambda x=bad: report(b, **x), InvalidInput, "R19", "Art. 34")
    refused(lambda: report(b, occurred_on=(b.today + timedelta(days=1)).isoformat()), InvalidInput, "R19", "Art. 35")
    report(b, kpi_values={"k1": 96}, milestones_done=["m1"], occurred_on=b.today.isoformat())
    assert ex.milestones(b.d, b.today)[0]["done"] is True
    assert ex.kpi_status(b.d, b.today)[0]["met"] is True


def test_r18_a_report_is_corrected_by_its_own_unit_once_per_version_with_a_reason(b: Build) -> None:
    with_targets(b)
    first = report(b)
    other = Actor("other_exec", "execution_unit", "另一执行单位", "他人")
    b.art(C.head, "execution_unit_designation", units=[C.executor.unit, other.unit], reason="增加")
    refused(lambda: report(b, supersedes="nope", correction_reason="x"), InvalidInput, "R19", "Art. 34")
    refused(lambda: report(b, other, supersedes=first, correction_reason="x"), NotPermitted, "R19", "Art. 34")
    refused(lambda: report(b, supersedes=first), RuleViolation, "R18", "Art. 33")
    second = report(b, supersedes=first, correction_reason="数字有误")
    refused(lambda: report(b, supersedes=first, correction_reason="再改"), RuleViolation, "R18", "Art. 33")
    versions = {r["id"]: r for r in ex.report_versions(b.d)}
    assert (versions[first]["current"], versions[second]["version"], versions[second]["report"]) == (False, 2, first)


def test_r10_r12_the_risk_measures_and_legality_conditions_are_obligations_reports_follow(b: Build) -> None:
    b.open().start().determine(risk_relevant=True).coordinate().participate()
    risk = b.risk(measures=["分步实施"])
    b.art(C.drafter, "dept_opinions", departments=["公安局"], summary="同意")
    b.clear("risk_assessment", C.bureau_head)
    b.legality("lawful_if_amended", clear=False, conditions="限期评估")
    b.draft("v2")  # R12: the amendments in a new draft version, reviewed again
    # R10: the new version reopens the risk gate; the assessor carries the controllable report forward
    b.art(C.assessor, "risk_continuity", report_id=risk, reason="删除收费条款不涉及已评估的风险点")
    b.clear("risk_assessment", C.bureau_head)
    b.art(C.drafter, "amendment_record", changes=["删除第五条"])
    b.legality("lawful")
    b.meeting().report().finalize()
    obs = {o["id"]: o["source"] for o in ex.obligations(b.d)}
    assert obs[f"{risk}:1"] == "risk_measure" and obs[f"{risk}:0"] == "contingency_plan"
    assert sorted(set(obs.values())) == ["contingency_plan", "legality_amendment", "legality_condition", "risk_measure"]
    publish(b)
    b.art(C.head, "execution_unit_designation", units=[C.executor.unit])
    report(b, obligations={f"{risk}:1": "已分步实施"})


def test_r19_reports_fall_due_each_interval_after_the_last_one(b: Build) -> None:
    b.executing()
    assert ex.reports_due(b.d, b.cal, b.today) == []
    due = ex.reports_due(b.d, b.cal, b.today + timedelta(days=91))
    assert len(due) == 1 and due[0]["overdue"] is True and due[0]["rule"] == "R19"
    b.advance(90)
    assert ex.reports_due(b.d, b.cal, b.today)[0]["overdue"] is False
    report(b)
    assert ex.reports_due(b.d, b.cal, b.today) == []


# R21 / SoD3: evaluation ---------------------------------------------------------------------------------
def evaluation(b: Build, who: Actor = C.evaluator, *, commission: bool = True, **fields: Any) -> str:
    """An evaluation report; the organ commissions the evaluator's unit first unless it already did (R21)."""
    if commission and not any(a["kind"] == "evaluation_commission" and a["fields"]["evaluator_unit"] == who.unit
                              for a in b.state["artifacts"].values()):
        b.art(C.head, "evaluation_commission", evaluator_unit=who.unit, trigger="organ_decision", reasons="委托评估")
    return b.art(who, "evaluation_report", **({"trigger": "organ_decision", "public_input": "问卷2000份",
                                               "deputy_participation": "人大代表3名、政协委员2名参与",
                                               "findings": "良好", "recommendation": "继续"} | fields))


def commission(b: Build, unit: str = C.evaluator.unit, trigger: str = "organ_decision") -> str:
    return b.art(C.head, "evaluation_commission", evaluator_unit=unit, trigger=trigger, reasons="决策机关认为有必要")


def test_r21_an_evaluation_has_a_lawful_trigger(b: Build) -> None:
    b.published()
    commission(b)
    refused(lambda: evaluation(b, trigger="whim"), InvalidInput, "R21", "Art. 36")
    evaluation(b)
    assert b.d.status == "evaluated" and b.gate("post_evaluation") == "cleared"


def test_sod3_the_units_that_did_the_pre_decision_work_do_not_evaluate(b: Build) -> None:
    b.open().start().determine(specialised=True, risk_relevant=True).coordinate().experts()
    b.risk()
    b.art(C.drafter, "dept_opinions", departments=["公安局"], summary="同意")
    b.clear("risk_assessment", C.bureau_head)
    b.participate().legality().meeting().report().finalize()
    publish(b)
    for unit in (BUREAU, C.assessor.unit, C.expert_a.unit):
        refused(lambda u=unit: evaluation(b, Actor("e", "post_evaluator", u)), NotPermitted, "SoD3", "Art. 36")
        refused(lambda u=unit: b.art(C.head, "evaluation_commission", evaluator_unit=u, trigger="organ_decision",
                                     reasons="x"), NotPermitted, "SoD3", "Art. 36")
    commission(b)
    evaluation(b)


def test_r21_once_the_organ_commissions_an_evaluator_only_it_reports(b: Build) -> None:
    b.published()
    refused(lambda: b.art(C.head, "evaluation_commission", evaluator_unit="x", trigger="whim", reasons="r"),
            InvalidInput, "R21", "Art. 36")
    b.art(C.head, "evaluation_commission", evaluator_unit="某大学评估中心", trigger="organ_decision", reasons="必要")
    assert [t["trigger"] for t in ex.evaluation_triggers(b.d, b.today, 0)] == ["organ_decision"]
    refused(lambda: evaluation(b, commission=False), NotPermitted, "R21", "Art. 36")
    evaluation(b, Actor("univ", "post_evaluator", "某大学评估中心"))
    assert ex.evaluation_triggers(b.d, b.today, 0) == []


def test_r21_scheduled_is_not_one_of_art_36s_grounds(b: Build) -> None:
    b.published()
    refused(lambda: commission(b, trigger="scheduled"), InvalidInput, "R21", "Art. 36", says="organ_decision")
    commission(b)
    refused(lambda: evaluation(b, trigger="scheduled"), InvalidInput, "R21", "Art. 36", says="第三十六条")
    evaluation(b, trigger="many_public_opinions")


def test_r21_no_evaluation_without_the_organs_commission(b: Build) -> None:
    b.published()
    refused(lambda: evaluation(b, commission=False), RuleViolation, "R21", "Art. 36", says="尚未委托")
    commission(b)
    evaluation(b)
    assert b.d.status == "evaluated"


@pytest.mark.parametrize("field", ["public_input", "deputy_participation"])
@pytest.mark.parametrize("dash", ["—", "-", "无", " / ", "……"])
def test_r21_participation_in_the_evaluation_is_recorded_not_a_dash(b: Build, field: str, dash: str) -> None:
    b.published()
    commission(b)
    refused(lambda: evaluation(b, **{field: dash}), RuleViolation, "R21", "Art. 36", says=f"evaluation_report.{field}")


def test_r21_the_organ_decides_once_on_an_evaluation_on_record(b: Build) -> None:
    b.published()
    commission(b)
    eid = evaluation(b)
    refused(lambda: b.art(C.head, "evaluation_decision", evaluation_id=eid, outcome="ignore", reasons="r"),
            InvalidInput, "R21", "Art. 36")
    refused(lambda: b.art(C.head, "evaluation_decision", evaluation_id="nope", outcome="continue", reasons="r"),
            RuleViolation, "R21", "Art. 36")
    b.art(C.head, "evaluation_decision", evaluation_id=eid, outcome="continue", reasons="效果良好")
    refused(lambda: b.art(C.head, "evaluation_decision", evaluation_id=eid, outcome="stop", reasons="r"),
            RuleViolation, "R21", "Art. 36")


def test_r21_an_evaluation_falls_due_on_schedule_on_many_opinions_and_on_a_missed_target(b: Build) -> None:
    with_targets(b, evaluation_on="2025-09-01", kpis=[KPI | {"due": "2025-08-01"}])
    assert ex.evaluation_triggers(b.d, b.today, 49) == []
    assert [t["trigger"] for t in ex.evaluation_triggers(b.d, b.today, 50)] == ["many_public_opinions"]
    report(b, kpi_values={"k1": 85})
    later = [t["trigger"] for t in ex.evaluation_triggers(b.d, b.today.replace(month=9, day=2), 0)]
    assert later == ["scheduled", "effect_not_met"]


# ND3 / ND4: filing and clean-up of a normative document -----------------------------------------------
def normative_published(b: Build) -> Build:
    b.__init__("normative_document")  # type: ignore[misc]
    b.open(category="normative_document").start().participate()
    b.submission()
    checklist = dict.fromkeys(("creates_licence", "creates_penalty", "creates_compulsory_measure", "creates_fee",
                               "adds_obligation_without_basis"), False)
    b.art(C.reviewer, "legality_opinion", authority="有权", procedure="完备", content="合法", conclusion="lawful",
          checklist=checklist)
    b.clear("legality_review", C.legal_director)
    b.meeting()
    b.art(C.reviewer, "cosign_legal_office", signed_at=b.today.isoformat())
    b.art(C.office, "cosign_general_office", signed_at=b.today.isoformat())
    b.finalize()
    return b


def test_nd3_only_a_published_document_is_filed_with_both_bodies(b: Build) -> None:
    normative_published(b)
    both = ["superior_government", "npc_standing_committee"]
    refused(lambda: b.art(C.office, "filing_record", filed_with=both, filed_at=b.today.isoformat()),
            RuleViolation, "ND3", "seeds 001, 004")
    publish(b)
    for targets in (["superior_government"], "superior_government"):
        refused(lambda t=targets: b.art(C.office, "filing_record", filed_with=t, filed_at=b.today.isoformat()),
                RuleViolation, "ND3", "seeds 001, 004")
    refused(lambda: b.art(C.office, "filing_record", filed_with=both, filed_at="soon"), InvalidInput, "ND3",
            "seeds 001, 004")
    b.art(C.office, "filing_record", filed_with=both, filed_at=b.today.isoformat())
    b.art(C.office, "validity_period", valid_until="2030-01-01")  # the filing gate's other kind is unchecked


def test_nd4_a_clean_up_concludes_continue_amend_or_repeal(b: Build) -> None:
    normative_published(b)
    publish(b)
    refused(lambda: b.art(C.reviewer, "cleanup_review", outcome="forget", reasons="x"), InvalidInput, "ND4",
            "seeds 001, 003")
    b.art(C.reviewer, "cleanup_review", outcome="repeal", reasons="上位法修改")
