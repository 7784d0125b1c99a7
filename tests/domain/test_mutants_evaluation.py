"""Mutation testing (issue 14 §5, `make mutation MODULE=evaluation`): tests that kill the mutants of
`domain/rules/evaluation.py` (R21, SoD3; Art. 36) the stage's own tests let live. The organ's commission
(`art_commission`) and `domain/authority.py` refuse first, so the report's own checks (`art_evaluation_trigger`,
`art_evaluation`) are also called directly, as the registry calls them, each rule both ways."""

from __future__ import annotations

from typing import Any

from decision_engine.domain.errors import InvalidInput, NotPermitted, RuleViolation
from decision_engine.domain.rules import evaluation as rv
from decision_engine.domain.values import Actor
from tests.domain.builders import BUREAU, Build, C, refused
from tests.domain.test_after_decision import commission, evaluation, publish
from tests.domain.test_mutants_risk import REASON
from tests.domain.test_risk_binding import assessed

REPORT = {"trigger": "organ_decision", "public_input": "问卷2000份", "deputy_participation": "人大代表3名参与",
          "findings": "良好", "recommendation": "继续"}
UNIVERSITY = "某大学评估中心"


def report_checks(b: Build, actor: Actor, **fields: Any) -> None:
    """The report's own checks in the order the registry runs them (authority and commission aside)."""
    k = b.spec.artifact_kind("evaluation_report")
    f = REPORT | fields
    rv.art_evaluation_trigger(b.d, k, actor, f, b.cal, b.today)
    rv.art_evaluation(b.d, k, actor, f, b.cal, b.today)
    rv.art_evaluation_participation(b.d, k, actor, f, b.cal, b.today)


def unit(name: str) -> Actor:
    return Actor("e", "post_evaluator", name, "评估人")


def finish(b: Build) -> Build:
    """From a cleared risk assessment to a published decision."""
    b.legality().meeting().report().finalize()
    publish(b)
    return b


# R21, Art. 36 ¶1: the three grounds -----------------------------------------------------------------------
def test_r21_each_of_art_36s_three_grounds_commissions_an_evaluation(b: Build) -> None:
    b.published()
    for trigger in rv.EVALUATION_TRIGGERS:
        rv.check_trigger(trigger)
        commission(b, trigger=trigger)
    assert rv.EVALUATION_TRIGGERS == ("effect_not_met", "many_public_opinions", "organ_decision")
    for bad in ("scheduled", "whim", None, ""):
        refused(lambda x=bad: rv.check_trigger(x), InvalidInput, "R21", "Art. 36")


# R21, Art. 36: the public and the deputies heard, in words ---------------------------------------------
def test_r21_a_placeholder_in_any_case_or_spacing_is_no_participation() -> None:
    for value in (*rv.PLACEHOLDERS, None, "N/A", "NONE", " Nil ", "NULL", "X", " 无 ", "-—–_/. 。…·", "——……"):
        assert not rv.substantive(value), value
    for value in ("问卷2000份", "人大代表3名参与", "座谈会", "x光片调查", "- 问卷 -", 2000):
        assert rv.substantive(value), value


def test_r21_a_participation_field_absent_or_a_dash_is_refused_naming_what_was_given(b: Build) -> None:
    b.published()
    commission(b)
    for name in ("public_input", "deputy_participation"):
        refused(lambda n=name: report_checks(b, C.evaluator, **{n: None}), RuleViolation, "R21", "Art. 36",
                says=f"evaluation_report.{name}")
        refused(lambda n=name: report_checks(b, C.evaluator, **{n: "暂无"}), RuleViolation, "R21", "Art. 36",
                says="“暂无”")
    report_checks(b, C.evaluator)


# SoD3, Art. 36: the report's own checks refuse the units that did the pre-decision work ----------------
def pre_decision_work(b: Build) -> Build:
    """Experts and a risk assessment before the decision; published; the organ commissions the evaluator."""
    b.open().start().determine(specialised=True, risk_relevant=True).coordinate().experts()
    b.risk()
    b.art(C.drafter, "dept_opinions", departments=["公安局"], summary="同意")
    b.clear("risk_assessment", C.bureau_head)
    b.participate()
    finish(b)
    commission(b)
    return b


def test_sod3_the_trigger_check_itself_refuses_the_undertaking_unit_and_the_risk_assessor(b: Build) -> None:
    pre_decision_work(b)
    k = b.spec.artifact_kind("evaluation_report")
    for who in (unit(BUREAU), unit(C.assessor.unit)):
        refused(lambda w=who: rv.art_evaluation_trigger(b.d, k, w, REPORT, b.cal, b.today), NotPermitted, "SoD3",
                "Art. 36", says=who.unit)
    rv.art_evaluation_trigger(b.d, k, C.evaluator, REPORT, b.cal, b.today)


def test_sod3_the_report_check_itself_refuses_the_experts_unit(b: Build) -> None:
    pre_decision_work(b)
    k = b.spec.artifact_kind("evaluation_report")
    for name in (C.expert_a.unit, BUREAU, C.assessor.unit):
        refused(lambda n=name: rv.art_evaluation(b.d, k, unit(n), REPORT, b.cal, b.today), NotPermitted, "SoD3",
                "Art. 36", says=name)
    report_checks(b, C.evaluator)


def test_sod3_a_risk_assessor_of_an_earlier_round_stays_barred(b: Build) -> None:
    report = assessed(b)
    b.draft("v2")  # reopens the risk gate: round 2 holds only the continuity note, no report
    b.art(C.assessor, "risk_continuity", report_id=report, reason=REASON)
    b.clear("risk_assessment", C.bureau_head)
    if b.gate("public_participation") != "cleared":
        b.participate()
    finish(b)
    refused(lambda: commission(b, C.assessor.unit), NotPermitted, "SoD3", "Art. 36")
    k = b.spec.artifact_kind("evaluation_report")
    refused(lambda: rv.art_evaluation_trigger(b.d, k, unit(C.assessor.unit), REPORT, b.cal, b.today),
            NotPermitted, "SoD3", "Art. 36")
    commission(b)


def test_sod3_an_expert_who_only_declared_did_no_pre_decision_work(b: Build) -> None:
    b.open().start().determine(specialised=True)
    b.art(C.drafter, "selection_note", method="随机", experts="甲乙", expert_ids=["expert_a", "expert_b"],
          dissent_included=True)
    b.art(C.expert_b, "conflict_declaration", direct_interest=True, statement="有利害关系")  # barred, no opinion
    b.experts()
    b.coordinate().participate()
    finish(b)
    refused(lambda: commission(b, C.expert_a.unit), NotPermitted, "SoD3", "Art. 36")
    commission(b, C.expert_b.unit)
    evaluation(b, unit(C.expert_b.unit), commission=False)


# R21, Art. 36: only the evaluator the organ commissioned reports ---------------------------------------
def test_r21_the_report_check_itself_needs_the_organs_commission_and_names_the_evaluators(b: Build) -> None:
    b.published()
    k = b.spec.artifact_kind("evaluation_report")
    refused(lambda: rv.art_evaluation(b.d, k, C.evaluator, REPORT, b.cal, b.today), RuleViolation, "R21",
            "Art. 36", says="evaluation_commission")
    commission(b, UNIVERSITY)
    commission(b, "某研究院")
    refused(lambda: rv.art_evaluation(b.d, k, C.evaluator, REPORT, b.cal, b.today), NotPermitted, "R21",
            "Art. 36", says=", ".join(sorted(["某研究院", UNIVERSITY])))
    rv.art_evaluation(b.d, k, unit(UNIVERSITY), REPORT, b.cal, b.today)


def test_r21_a_commission_of_an_earlier_round_of_the_evaluation_still_names_the_evaluator(b: Build) -> None:
    b.published()
    commission(b)
    b.return_("post_evaluation", C.office, "补充评估范围")  # a new round: the commission stays on record
    assert b.state["gates"]["post_evaluation"]["round"] == 2
    evaluation(b, commission=False)
    assert b.gate("post_evaluation") == "cleared"


def test_r21_the_commissioned_evaluator_may_report_again(b: Build) -> None:
    b.published()
    commission(b)
    first = evaluation(b, commission=False)
    second = evaluation(b, commission=False, findings="补充评估")
    assert first != second


# R21, Art. 36: the organ decides continue, adjust or stop, once per evaluation ---------------------------
def test_r21_each_outcome_is_decided_once_per_evaluation_and_only_on_an_evaluation_report(b: Build) -> None:
    b.published()
    cid = commission(b)
    refused(lambda: b.art(C.head, "evaluation_decision", evaluation_id=cid, outcome="continue", reasons="r"),
            RuleViolation, "R21", "Art. 36", says=cid)
    first = evaluation(b, commission=False)
    second = evaluation(b, commission=False, findings="补充评估")
    third = evaluation(b, commission=False, findings="再评估")
    for eid, outcome in zip((first, second, third), rv.EVALUATION_OUTCOMES, strict=True):
        b.art(C.head, "evaluation_decision", evaluation_id=eid, outcome=outcome, reasons="依评估结论")
    assert rv.EVALUATION_OUTCOMES == ("continue", "adjust", "stop")
    refused(lambda: b.art(C.head, "evaluation_decision", evaluation_id=second, outcome="stop", reasons="r"),
            RuleViolation, "R21", "Art. 36", says=second)
