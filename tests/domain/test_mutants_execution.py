"""Mutation testing (issue 14 §5, `make mutation MODULE=execution`): tests that kill the mutants of
`domain/rules/execution.py` (R18–R20, SoD6; Arts. 33–35, 37) the stage's own tests let live. The issue-16
guards (`check_supervision`, `check_adopted_change`, `check_rectify_by`) are in
test_mutants_issue16_after_decision.py; `check_suspension` is called by `Decision.suspend` only after the SoD6
pick, so it is called here directly too. Each rule both ways: refused with its rule and article, accepted when
lawful."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from decision_engine.domain.errors import InvalidInput, NotPermitted, RuleViolation
from decision_engine.domain.rules import execution as rx
from decision_engine.domain.values import Actor
from tests.domain.builders import Build, C, refused
from tests.domain.test_after_decision import KPI, publish, report, with_targets

OTHER = Actor("other_exec", "execution_unit", "另一执行单位", "他人")


# R19, Art. 34: a KPI value is a number, never a boolean or a text --------------------------------------------
def test_r19_a_kpi_value_is_an_int_or_a_float_never_a_bool_or_a_text() -> None:
    assert rx._number(3, "v") == 3.0 and isinstance(rx._number(3, "v"), float)
    assert rx._number(2.5, "v") == 2.5 and rx._number(0, "v") == 0.0
    for bad in (True, False, "9", None, [1]):
        refused(lambda v=bad: rx._number(v, "KPI k1 value"), InvalidInput, "R19", "Art. 34", says="KPI k1 value")


def test_text_is_the_stripped_text_and_empty_for_nothing() -> None:
    assert (rx._text(None), rx._text(""), rx._text(" 理由 "), rx._text(0)) == ("", "", "理由", "")


# R20 / SoD6, Arts. 35, 37: the head's suspension ---------------------------------------------------------------
@pytest.mark.parametrize("ground", rx.ART35_GROUNDS)
def test_r20_each_article_35_ground_suspends_when_urgent_with_a_reason(ground: str) -> None:
    rx.check_suspension(ground, "原因", "紧急")


def test_r20_a_suspension_names_an_article_35_ground_first() -> None:
    for ground in ("", "dislike", "scheduled", "FORCE_MAJEURE"):
        refused(lambda g=ground: rx.check_suspension(g, "原因", "紧急"), InvalidInput, "R20", "Art. 35",
                says="ground")
    refused(lambda: rx.check_suspension("dislike", " ", " "), InvalidInput, "R20", "Art. 35")


def test_r20_a_suspension_states_its_reason_then_its_urgency() -> None:
    for blank in ("", "  "):
        refused(lambda r=blank: rx.check_suspension("force_majeure", r, "紧急"), InvalidInput, "R20", "Art. 37",
                says="reason")
        refused(lambda r=blank: rx.check_suspension("force_majeure", r, " "), InvalidInput, "R20", "Art. 37")
        refused(lambda u=blank: rx.check_suspension("problems_found", "原因", u), RuleViolation, "R20", "Art. 37",
                says="urgency")


def test_sod6_r20_the_head_suspends_on_each_ground_through_the_aggregate(b: Build) -> None:
    b.decided()
    refused(lambda: b.d.suspend((C.head,), "scheduled", "原因", "紧急"), InvalidInput, "R20", "Art. 35")
    b.commit(C.head, b.d.suspend((C.head,), "major_change_of_circumstances", "原因", "紧急"))
    assert b.d.status == "suspended"


# R19, Art. 34: the targets fixed at decision time and the KPI ledger -------------------------------------------
def test_r19_the_targets_are_the_last_version_recorded_before_finalization(b: Build) -> None:
    b.ready()
    first = b.art(C.head, "execution_targets", kpis=[KPI])
    last = b.art(C.head, "execution_targets", kpis=[KPI | {"target": 99}, {"id": "k2", "name": "满意度"}])
    b.meeting().report().finalize()
    fixed = rx.targets(b.d)
    assert fixed is not None and fixed["id"] == last != first
    ledger = rx.kpi_ledger(b.d)
    assert sorted(ledger) == ["k1", "k2"] and ledger["k1"]["target"] == 99


def test_r19_no_targets_no_ledger(b: Build) -> None:
    b.executing()
    assert rx.targets(b.d) is None and rx.kpi_ledger(b.d) == {}


def test_r19_the_ledger_keeps_every_version_with_its_reason_person_and_time(b: Build) -> None:
    with_targets(b)
    fixed = rx.targets(b.d)
    assert fixed is not None
    ledger = rx.kpi_ledger(b.d)
    v1 = {"version": 1, "artifact_id": fixed["id"], "at": fixed["at"], "by": fixed["author"],
          "reason": "决策时确定", **KPI}
    assert ledger == {"k1": {**KPI, "version": 1, "versions": [v1]}}
    b.advance(10)
    r1 = b.art(C.head, "kpi_revision", kpi_id="k1", target=90, reason="客观情况变化")
    r2 = b.art(C.office, "kpi_revision", kpi_id="k1", unit="%", direction="decrease", reason="口径调整")
    r3 = b.art(C.office, "kpi_revision", kpi_id="k9", name="满意度", baseline=1, target=2, reason="新增")
    arts = b.state["artifacts"]
    ledger = rx.kpi_ledger(b.d)
    assert ledger["k1"] == {**KPI, "target": 90, "unit": "%", "direction": "decrease", "version": 3, "versions": [
        v1,
        {"version": 2, "artifact_id": r1, "at": arts[r1]["at"], "by": arts[r1]["author"], "reason": "客观情况变化",
         "target": 90},
        {"version": 3, "artifact_id": r2, "at": arts[r2]["at"], "by": arts[r2]["author"], "reason": "口径调整",
         "unit": "%", "direction": "decrease"}]}
    assert ledger["k9"] == {"id": "k9", "direction": "increase", "name": "满意度", "baseline": 1, "target": 2,
                            "version": 1, "versions": [
                                {"version": 1, "artifact_id": r3, "at": arts[r3]["at"], "by": arts[r3]["author"],
                                 "reason": "新增", "name": "满意度", "baseline": 1, "target": 2}]}


def test_r19_a_kpi_id_given_as_a_number_is_the_same_kpi_as_its_text(b: Build) -> None:
    with_targets(b, kpis=[KPI | {"id": 7}])
    assert list(rx.kpi_ledger(b.d)) == ["7"] and rx.kpi_ledger(b.d)["7"]["id"] == "7"
    b.art(C.head, "kpi_revision", kpi_id=7, target=90, reason="调整")
    assert rx.kpi_ledger(b.d)["7"]["version"] == 2
    report(b, kpi_values={"7": 91})


# R18, Art. 33: report versions ---------------------------------------------------------------------------------
def test_r18_each_report_has_its_version_its_first_report_and_whether_it_is_current(b: Build) -> None:
    with_targets(b)
    b.art(C.head, "execution_unit_designation", units=[C.executor.unit, OTHER.unit], reason="增加")
    first = report(b)
    other = report(b, OTHER, report_kind="problem", ground="force_majeure", summary="受灾")
    second = report(b, supersedes=first, correction_reason="数字有误", summary="更正")
    third = report(b, supersedes=second, correction_reason="再次更正", summary="再更正")
    out = {r["id"]: r for r in rx.report_versions(b.d)}
    assert list(out) == [first, other, second, third]
    assert [(out[i]["version"], out[i]["report"], out[i]["supersedes"], out[i]["current"])
            for i in (first, other, second, third)] == [
        (1, first, None, False), (1, other, None, True), (2, first, first, False), (3, first, second, True)]
    o = out[other]
    assert (o["report_kind"], o["unit"], o["person"], o["name"], o["fields"]["summary"]) == (
        "problem", OTHER.unit, OTHER.person, OTHER.name, "受灾")
    assert o["at"] == b.state["artifacts"][other]["at"]
    assert [r["id"] for r in rx.current_reports(b.d)] == [other, third]
    refused(lambda: report(b, supersedes=second, correction_reason="x"), RuleViolation, "R18", "Art. 33",
            says=second)
    refused(lambda: report(b, supersedes=third, correction_reason=" "), RuleViolation, "R18", "Art. 33")
    refused(lambda: report(b, OTHER, supersedes=third, correction_reason="x"), NotPermitted, "R19", "Art. 34")
    report(b, supersedes=third, correction_reason="第三次更正")


def test_r18_no_reports_no_versions(b: Build) -> None:
    b.executing()
    assert rx.report_versions(b.d) == [] and rx.current_reports(b.d) == []


# R10 / R12: the obligations the execution follows ----------------------------------------------------------------
def test_r10_each_risk_measure_with_its_unit_and_due_date_and_the_contingency_plan_are_obligations(b: Build) -> None:
    b.open().start().determine(risk_relevant=True).coordinate().participate()
    risk = b.risk(measures=[{"measure": " 分步实施 ", "responsible_unit": "交通局", "due": "2025-09-30"},
                            "听证说明"], level="high", contingency_plan=" 应急预案 ")
    obs = rx.obligations(b.d)
    assert obs == [
        {"id": f"{risk}:1", "source": "risk_measure", "artifact_id": risk, "text": "分步实施", "rule": "R10",
         "article": "Arts. 23–24", "responsible_unit": "交通局", "due": "2025-09-30", "risk_level": "high"},
        {"id": f"{risk}:2", "source": "risk_measure", "artifact_id": risk, "text": "听证说明", "rule": "R10",
         "article": "Arts. 23–24", "responsible_unit": None, "due": None, "risk_level": "high"},
        {"id": f"{risk}:0", "source": "contingency_plan", "artifact_id": risk, "text": "应急预案", "rule": "R10",
         "article": "Art. 23", "responsible_unit": None, "due": None, "risk_level": "high"}]


def test_r10_only_a_controllable_risk_report_sets_obligations(b: Build) -> None:
    b.open().start().determine(risk_relevant=True).coordinate().participate()
    b.risk("not_controllable")
    assert rx.obligations(b.d) == []


def test_r12_the_conditions_of_a_lawful_if_amended_opinion_and_the_amendments_made_are_obligations(
        b: Build) -> None:
    b.open().start().determine().coordinate().participate()
    assert rx.obligations(b.d) == []
    b.legality("lawful_if_amended", clear=False, amendments="删除第五条", conditions=" 限期评估 ",
               risk_statement="收费依据待上位法明确")
    [op] = [a["id"] for a in b.state["artifacts"].values()
            if a["kind"] == "legality_opinion" and a["fields"]["conclusion"] == "lawful_if_amended"]
    b.draft("v2")  # R12: the amendments in a new draft version
    rec = b.art(C.drafter, "amendment_record", changes=["删除第五条", " "])
    rec2 = b.art(C.drafter, "amendment_record", changes="修改第六条")
    obs = [(o["id"], o["source"], o["text"], o["rule"], o["article"]) for o in rx.obligations(b.d)]
    assert obs == [
        (f"{op}:1", "legality_condition", "删除第五条", "R12", "Arts. 25, 28"),
        (f"{op}:2", "legality_condition", "限期评估", "R12", "Arts. 25, 28"),
        (f"{op}:3", "legality_condition", "收费依据待上位法明确", "R12", "Arts. 25, 28"),
        (f"{rec}:1", "legality_amendment", "删除第五条", "R12", "Art. 28"),
        (f"{rec2}:1", "legality_amendment", "修改第六条", "R12", "Art. 28")]
    b.draft("v3")  # a later draft version, a new round of the review: the amendments made stay obligations
    assert [(o["id"], o["source"], o["text"], o["rule"], o["article"]) for o in rx.obligations(b.d)] == obs


def test_r13_the_risk_statement_of_an_exploratory_opinion_is_an_obligation(b: Build) -> None:
    b.open().start().determine()
    b.determination("exploratory_reform", True, actor=C.head)
    b.coordinate().participate()
    b.legality("exploratory_risk_stated", clear=False, risk_statement="改革试点存在法律风险")
    [op] = [a["id"] for a in b.state["artifacts"].values() if a["kind"] == "legality_opinion"]
    assert [(o["id"], o["source"], o["text"]) for o in rx.obligations(b.d)] == [
        (f"{op}:3", "legality_condition", "改革试点存在法律风险")]


# R19, Art. 34: the designation of the execution units ------------------------------------------------------
def test_r19_a_designation_lists_unit_names(b: Build) -> None:
    b.published()
    for units in ([1], ["甲", 2], [""], " 甲"):
        refused(lambda u=units: b.art(C.head, "execution_unit_designation", units=u), InvalidInput, "R19",
                "Art. 34", says="units")
    b.art(C.head, "execution_unit_designation", units=["甲", "乙"])
    for reason in (None, "", "  "):
        refused(lambda r=reason: b.art(C.head, "execution_unit_designation", units=["丙"], reason=r),
                RuleViolation, "R19", "Art. 34", says="reason")


# R19, Art. 34 (R21, Art. 36): the targets ------------------------------------------------------------------
@pytest.mark.parametrize("fields", [
    {"kpis": None}, {"kpis": 5}, {"kpis": [KPI, "k2"]}, {"kpis": [KPI | {"id": " "}]}, {"kpis": [KPI | {"name": " "}]},
    {"kpis": [KPI | {"id": None}]}, {"kpis": [KPI | {"id": 1}, KPI | {"id": "1"}]},
    {"kpis": [KPI | {"baseline": "80"}]}, {"kpis": [KPI | {"direction": None}]},
    {"kpis": [KPI], "milestones": ["m1"]}, {"kpis": [KPI], "milestones": [{"id": " ", "name": "x", "due": "2025-06-30"}]},
    {"kpis": [KPI], "milestones": [{"id": "m1", "name": " ", "due": "2025-06-30"}]},
    {"kpis": [KPI], "milestones": [{"id": "m1", "name": "x"}]},
    {"kpis": [KPI], "milestones": [{"id": "m1", "name": "x", "due": "2025-06-30"}, {"id": "m2"}]}])
def test_r19_more_targets_that_are_not_well_formed_are_refused(b: Build, fields: dict[str, Any]) -> None:
    b.ready()
    refused(lambda: b.art(C.head, "execution_targets", **fields), InvalidInput, "R19", "Art. 34")


def test_r19_milestone_and_kpi_dates_cite_r19_the_evaluation_date_r21(b: Build) -> None:
    b.ready()
    e = refused(lambda: b.art(C.head, "execution_targets", kpis=[KPI], milestones=[{"id": "m1", "name": "x",
                                                                                    "due": "六月"}]),
                InvalidInput, "R19", "Art. 34", says="milestone.due")
    assert "六月" in e.message
    refused(lambda: b.art(C.head, "execution_targets", kpis=[KPI | {"due": "年底"}]), InvalidInput, "R19", "Art. 34",
            says="kpi.due")
    refused(lambda: b.art(C.head, "execution_targets", kpis=[KPI], evaluation_on="明年"), InvalidInput, "R21",
            "Art. 36", says="execution_targets.evaluation_on")


def test_r19_well_formed_targets_are_accepted(b: Build) -> None:
    b.ready()
    b.art(C.head, "execution_targets", kpis=[{"id": "k1", "name": "准点率"}])  # no baseline, target, due
    b.art(C.head, "execution_targets", kpis=[KPI | {"direction": "decrease", "baseline": 1.5, "due": ""},
                                             {"id": "k2", "name": "x", "direction": "increase"}],
          milestones=[], evaluation_on="")
    b.art(C.head, "execution_targets", kpis=[KPI], milestones=None, evaluation_on="2026-06-30")


# R19, Art. 34 / SoD6: KPI revisions --------------------------------------------------------------------------
def test_r19_a_kpi_revision_states_its_reason_before_anything_else(b: Build) -> None:
    with_targets(b)
    for reason in ("", "  ", None):
        refused(lambda r=reason: b.art(C.head, "kpi_revision", kpi_id="k1", target=90, reason=r), RuleViolation,
                "R19", "Art. 34", says="k1")
    refused(lambda: b.art(C.head, "kpi_revision", kpi_id="k9"), RuleViolation, "R19", "Art. 34")


@pytest.mark.parametrize("missing", ["name", "baseline", "target"])
def test_r19_a_new_kpi_gives_its_name_baseline_and_target(b: Build, missing: str) -> None:
    with_targets(b)
    fields = {"name": "满意度", "baseline": 1, "target": 2}
    del fields[missing]
    refused(lambda: b.art(C.head, "kpi_revision", kpi_id="k2", reason="新增", **fields), InvalidInput, "R19",
            "Art. 34", says="k2")


@pytest.mark.parametrize("change", [{"name": "新名称"}, {"unit": "%"}, {"baseline": 70}, {"target": 90},
                                    {"direction": "decrease"}, {"due": "2026-06-30"}])
def test_r19_a_revision_of_a_known_kpi_may_change_any_one_field(b: Build, change: dict[str, Any]) -> None:
    with_targets(b)
    b.art(C.head, "kpi_revision", kpi_id="k1", reason="调整", **change)
    k1 = rx.kpi_ledger(b.d)["k1"]
    assert k1["version"] == 2 and k1 | change == k1 and k1["versions"][-1] | change == k1["versions"][-1]


def test_r19_a_revision_that_changes_nothing_or_breaks_a_value_is_refused(b: Build) -> None:
    with_targets(b)
    refused(lambda: b.art(C.head, "kpi_revision", kpi_id="k1", reason="x", summary="无"), InvalidInput, "R19",
            "Art. 34", says="nothing")
    for bad in ({"direction": "up"}, {"baseline": True}, {"due": "年底"}):
        refused(lambda x=bad: b.art(C.head, "kpi_revision", kpi_id="k1", reason="x", **x), InvalidInput, "R19",
                "Art. 34")


# R19, Arts. 34–35: who reports and what kind --------------------------------------------------------------------
@pytest.mark.parametrize("ground", rx.ART35_GROUNDS)
def test_r19_a_problem_report_on_each_article_35_ground_is_accepted(b: Build, ground: str) -> None:
    b.executing()
    report(b, report_kind="problem", ground=ground)


def test_r19_a_progress_report_needs_no_ground_and_a_problem_report_a_real_one(b: Build) -> None:
    b.executing()
    report(b, report_kind="progress")
    for kind, ground in (("problem", "dislike"), ("problem", None), ("PROBLEM", "force_majeure")):
        refused(lambda k=kind, g=ground: report(b, report_kind=k, ground=g), InvalidInput, "R19", "Art. 35")


def test_r19_a_unit_named_by_a_later_designation_reports_and_the_replaced_one_does_not(b: Build) -> None:
    b.executing()
    b.art(C.head, "execution_unit_designation", units=[OTHER.unit], reason="机构改革")
    e = refused(lambda: report(b), NotPermitted, "R19", "Art. 34", says=C.executor.unit)
    assert e.rule == "R19"
    report(b, OTHER)


# R19, Arts. 34–35: what a report refers to ------------------------------------------------------------------
def test_r19_a_report_may_refer_to_nothing_or_to_what_is_known(b: Build) -> None:
    with_targets(b)
    report(b, kpi_values={}, milestones_done=[], obligations={})
    report(b, kpi_values=None, milestones_done=None, obligations=None)
    report(b, kpi_values={"k1": 90.5})
    report(b, milestones_done=["m1"], occurred_on=(b.today - timedelta(days=3)).isoformat())


def test_r19_a_report_names_the_unknown_kpi(b: Build) -> None:
    with_targets(b)
    refused(lambda: report(b, kpi_values={"k1": 1, "k9": 2}), InvalidInput, "R19", "Art. 34", says="k9")
    refused(lambda: report(b, kpi_values={"k1": True}), InvalidInput, "R19", "Art. 34", says="k1")
    refused(lambda: report(b, milestones_done=["m1", "m9"]), InvalidInput, "R19", "Art. 34", says="milestones_done")
    refused(lambda: report(b, obligations="x"), InvalidInput, "R19", "Art. 34", says="obligations")


def test_r19_without_targets_no_kpi_or_milestone_can_be_reported(b: Build) -> None:
    b.executing()
    refused(lambda: report(b, kpi_values={"k1": 1}), InvalidInput, "R19", "Art. 34")
    refused(lambda: report(b, milestones_done=["m1"]), InvalidInput, "R19", "Art. 34")
    report(b)


def test_r19_an_occurrence_date_is_a_date_up_to_today(b: Build) -> None:
    with_targets(b)
    refused(lambda: report(b, occurred_on="上周"), InvalidInput, "R19", "Art. 35", says="execution_report.occurred_on")
    refused(lambda: report(b, occurred_on=(b.today + timedelta(days=1)).isoformat()), InvalidInput, "R19", "Art. 35",
            says="future")
    report(b, occurred_on=b.today.isoformat())
    report(b, occurred_on="")


def test_r19_a_correction_names_an_existing_report(b: Build) -> None:
    with_targets(b)
    report(b)
    refused(lambda: report(b, supersedes="nope", correction_reason="x"), InvalidInput, "R19", "Art. 34",
            says="nope")


def test_publish_helper_is_the_one_of_test_after_decision(b: Build) -> None:
    b.decided()
    publish(b)
    assert b.d.status == "published"


def test_r19_a_kpi_refusal_names_the_kpi_and_the_field(b: Build) -> None:
    b.ready()
    refused(lambda: b.art(C.head, "execution_targets", kpis=[KPI | {"baseline": "80"}]), InvalidInput, "R19",
            "Art. 34", says="KPI k1 baseline")
    refused(lambda: b.art(C.head, "execution_targets", kpis=[KPI, KPI | {"id": "k2", "target": "高"}]),
            InvalidInput, "R19", "Art. 34", says="KPI k2 target")
    b.art(C.head, "execution_targets", kpis=[KPI])
    b.meeting().report().finalize()
    publish(b)
    b.art(C.head, "execution_unit_designation", units=[C.executor.unit])
    refused(lambda: b.art(C.head, "kpi_revision", kpi_id="k1", baseline="七十", reason="x"), InvalidInput, "R19",
            "Art. 34", says="KPI k1 baseline")
    refused(lambda: report(b, kpi_values={"k9": 1}), InvalidInput, "R19", "Art. 34", says="known: k1")


def test_r19_with_no_kpi_fixed_the_refusal_says_none_is_known(b: Build) -> None:
    b.executing()
    refused(lambda: report(b, kpi_values={"k1": 1}), InvalidInput, "R19", "Art. 34", says="known: none")


# R19, Arts. 34–35: the second-line check of who reports (domain/authority.py refuses first) ------------------
def test_r19_art_execution_unit_itself_refuses_before_any_designation_and_a_stranger_unit(b: Build) -> None:
    kind = b.spec.artifact_kind("execution_report")
    f = {"report_kind": "progress", "summary": "进展"}
    b.published()
    refused(lambda: rx.art_execution_unit(b.d, kind, C.executor, f, b.cal, b.today), RuleViolation, "R19",
            "Art. 34", says="designated")
    b.art(C.head, "execution_unit_designation", units=[OTHER.unit])
    refused(lambda: rx.art_execution_unit(b.d, kind, C.executor, f, b.cal, b.today), NotPermitted, "R19",
            "Art. 34", says=C.executor.unit)
    rx.art_execution_unit(b.d, kind, OTHER, f, b.cal, b.today)
    refused(lambda: rx.art_execution_unit(b.d, kind, OTHER, f | {"report_kind": "problem"}, b.cal, b.today),
            InvalidInput, "R19", "Art. 35", says="force_majeure")


# R19, Art. 34: a suspended decision is still supervised -------------------------------------------------------
def test_r19_the_execution_of_a_suspended_decision_is_supervised(b: Build) -> None:
    state = {"execution_units": ["甲"]}
    rx.check_supervision(state, "suspended", "执行情况", ["甲"])
    refused(lambda: rx.check_supervision(state, "in_preparation", "执行情况", ["甲"]), RuleViolation, "R19",
            "Art. 34")
    refused(lambda: rx.check_supervision(state, "suspended", " ", ["甲"]), InvalidInput, "R19", "Art. 34",
            says="findings")


# R20, Arts. 30, 37: each refusal of a change act names the meeting (its title, else its id) --------------------
def test_r20_each_refusal_of_a_change_names_the_meeting_by_title_or_id() -> None:
    item = {"no": 1, "decision_id": "d1", "change": "terminate", "outcome": {"decision": "adopt"}}
    meeting = {"id": "m9", "title": "第5次常务会议", "organ": "市人民政府", "items": [item]}
    untitled = {k: v for k, v in meeting.items() if k != "title"}
    cases: list[tuple[dict[str, Any], int, str, str, tuple[dict[str, Any], ...]]] = [
        (meeting, 2, "terminate", "市人民政府", ()),
        (meeting, 1, "adjust", "市人民政府", ()),
        (meeting, 1, "terminate", "别的机关", ()),
        ({**meeting, "items": [item | {"outcome": {"decision": "reject"}}]}, 1, "terminate", "市人民政府", ()),
        (meeting, 1, "terminate", "市人民政府", ({"meeting_id": "m9", "item_no": 1},))]
    for m, no, change, organ, used in cases:
        for mm, name in ((m, "第5次常务会议"), ({k: v for k, v in m.items() if k != "title"}, "m9")):
            refused(lambda mm=mm, no=no, change=change, organ=organ, used=used:
                    rx.check_adopted_change("d1", organ, mm, no, change, used),
                    RuleViolation, "R20", "Arts. 30, 37", says=f"会议“{name}”")
    assert rx.check_adopted_change("d1", "市人民政府", untitled, 1, "terminate") == {"meeting_id": "m9", "item_no": 1}
