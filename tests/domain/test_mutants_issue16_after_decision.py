"""Mutation testing of the issue 16 rules after the decision: R19.supervision (Art. 34) and ACC5.correction
(Art. 38 ¶1) in `domain/supervision.py` and `domain/rules/{execution,accountability}.py`, R20.collective
(Arts. 30, 37) in `rules/execution.check_adopted_change`, R19.failure (Art. 40) in
`domain/execution.execution_failures` — the survivors of `mutmut run` on those functions, each rule both
ways."""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any

import pytest

from decision_engine.domain import execution as ex
from decision_engine.domain import law
from decision_engine.domain import supervision as sv
from decision_engine.domain.decision import Decision
from decision_engine.domain.errors import InvalidInput, NotPermitted, RuleViolation
from decision_engine.domain.procedure import Procedure
from decision_engine.domain.rules.execution import (
    RECTIFY_HORIZON_DAYS,
    check_adopted_change,
    check_rectify_by,
)
from tests.domain.builders import START, Build, C, refused
from tests.domain.test_authority import COUNTY_HEAD
from tests.domain.test_supervision import county_decision, order, supervise


# R19.supervision / ACC5.correction: the date to rectify by -------------------------------------------------
@pytest.mark.parametrize("key", ["R19.supervision", "ACC5.correction"])
def test_r19_acc5_a_rectification_date_from_the_act_day_to_a_year_ahead_and_none_when_blank(key: str) -> None:
    cit = law.ref(key)
    assert check_rectify_by(None, START, key) is None and check_rectify_by("  ", START, key) is None
    assert check_rectify_by(START.isoformat(), START, key) == START.isoformat()  # the same day
    last = START + timedelta(days=RECTIFY_HORIZON_DAYS)
    assert check_rectify_by(last.isoformat(), START, key) == last.isoformat()
    refused(lambda: check_rectify_by((last + timedelta(days=1)).isoformat(), START, key),
            InvalidInput, *cit.values(), says="超出一年")
    refused(lambda: check_rectify_by((START - timedelta(days=1)).isoformat(), START, key), RuleViolation,
            *cit.values(), says="早于")
    refused(lambda: check_rectify_by("2025-02-30", START, key), InvalidInput, *cit.values(), says="due_by")


# R19.supervision and ACC5.correction: what the act records --------------------------------------------------
def test_r19_a_supervision_records_its_findings_and_instructions_as_given(b: Build) -> None:
    b.published()
    b.art(C.head, "execution_unit_designation", units=[C.executor.unit])
    b.act(C.office, supervise(b, findings=" 执行进度滞后 "))  # type: ignore[arg-type]
    [s] = b.state["supervisions"]
    assert (s["findings"], s["instructions"]) == ("执行进度滞后", "限期整改")


def test_acc5_an_order_records_the_breach_findings_what_to_correct_and_the_date() -> None:
    b = county_decision()
    due = (b.today + timedelta(days=30)).isoformat()
    b.act(C.head, order(b, C.head, breach="未经合法性审查（第二十五条）", findings="查明未送审",  # type: ignore[arg-type]
                        required="补正合法性审查", due_by=due))
    [o] = b.state["corrections"]
    assert (o["breach"], o["findings"], o["required"], o["due_by"]) == (
        "未经合法性审查（第二十五条）", "查明未送审", "补正合法性审查", due)


def test_acc5_a_report_by_someone_not_of_the_organ_is_refused_with_acc5() -> None:
    b = county_decision()
    b.act(C.head, order(b, C.head))  # type: ignore[arg-type]
    oid = b.state["corrections"][0]["order_id"]
    refused(lambda: sv.report_correction(b.d, (C.executor,), oid, "已改正"), NotPermitted,
            *law.ref("ACC5.correction").values())
    b.act(COUNTY_HEAD, sv.report_correction(b.d, (COUNTY_HEAD,), oid, "已改正"))


def test_acc5_an_order_id_names_its_decision_only_in_its_own_form() -> None:
    assert sv.decision_of_order("CO-D-2025-7-3") == "D-2025-7"  # a decision id with dashes
    assert sv.decision_of_order("CO-D7-x") == ""  # no order number
    assert sv.decision_of_order("XO-D7-1") == ""  # not an order id, though it has a dash
    assert sv.decision_of_order("CO-D7-1") == "D7"


# R20.collective: the adopted change item the act rests on (a pure check) ------------------------------------
def _meeting(**item: Any) -> dict[str, Any]:
    it = {"no": 1, "decision_id": "D1", "change": "terminate", "outcome": {"decision": "adopt"}} | item
    return {"id": "m9", "title": "常务会议", "organ": "city", "items": [it, {**it, "no": 2}]}


def test_r20_a_change_names_both_the_meeting_and_the_item() -> None:
    cit = law.ref("R20.collective")
    refused(lambda: check_adopted_change("D1", "city", _meeting(), None, "terminate"), RuleViolation,
            *cit.values(), says="请注明通过该事项的会议和议题")
    refused(lambda: check_adopted_change("D1", "city", None, 1, "terminate"), RuleViolation, *cit.values(),
            says="请注明通过该事项的会议和议题")
    assert check_adopted_change("D1", "city", _meeting(), 1, "terminate") == {"meeting_id": "m9", "item_no": 1}


def test_r20_an_item_acted_on_is_spent_but_another_item_of_the_meeting_is_not() -> None:
    used = [{"meeting_id": "m9", "item_no": 1}, {"meeting_id": "m8", "item_no": 2}]
    refused(lambda: check_adopted_change("D1", "city", _meeting(), 1, "terminate", used), RuleViolation,
            *law.ref("R20.collective").values(), says="已据以办理")
    assert check_adopted_change("D1", "city", _meeting(), 2, "terminate", used) == {"meeting_id": "m9", "item_no": 2}


# R19.failure, Art. 40 ---------------------------------------------------------------------------------------
def kinds(b: Build) -> list[tuple[str, str, str]]:
    return [(f["failure"], f["rule"], f["article"]) for f in ex.execution_failures(b.d, b.cal, b.today)]


def _with_settings(b: Build, **settings: object) -> Build:
    data = copy.deepcopy(b.spec.data)
    data.setdefault("settings", {}).update(settings)
    b.spec = Procedure(data)
    b.d = Decision(b.spec)
    return b


def test_r19_art40_the_profile_sets_the_grace_for_a_missed_report() -> None:
    b = _with_settings(Build(), execution_failure_after_days=3)
    b.executing()
    b.advance(int(b.spec.settings["execution_report_interval_days"]) + 3)
    assert kinds(b) == []
    b.advance(1)
    assert kinds(b) == [("report_missed", "R19", "Art. 40")]


def test_r19_art40_the_profile_sets_how_prompt_a_problem_report_is_and_the_finding_gives_its_due_day() -> None:
    b = _with_settings(Build(), problem_report_days=2)
    b.executing()
    occurred = b.today - timedelta(days=3)
    b.art(C.executor, "execution_report", report_kind="problem", ground="force_majeure", summary="暴雨",
          occurred_on=occurred.isoformat())
    [f] = ex.execution_failures(b.d, b.cal, b.today)
    assert (f["failure"], f["rule"], f["article"]) == ("problem_report_late", "R19", "Art. 40")
    assert f["due"] == (occurred + timedelta(days=2)).isoformat()


def test_r19_art40_a_report_without_an_occurrence_day_or_a_correction_does_not_hide_a_late_one(b: Build) -> None:
    b.executing()
    late = (b.today - timedelta(days=ex.PROBLEM_REPORT_DAYS + 1)).isoformat()
    b.art(C.executor, "execution_report", report_kind="problem", ground="problems_found", summary="施工受阻")
    first = b.art(C.executor, "execution_report", report_kind="problem", ground="force_majeure", summary="暴雨",
                  occurred_on=late)
    assert [(f["failure"], f["report"]) for f in ex.execution_failures(b.d, b.cal, b.today)] == [
        ("problem_report_late", first)]
    b.art(C.executor, "execution_report", report_kind="problem", ground="force_majeure", summary="暴雨（更正）",
          occurred_on=late, supersedes=first, correction_reason="补充说明")
    assert [(f["failure"], f["report"]) for f in ex.execution_failures(b.d, b.cal, b.today)] == [
        ("problem_report_late", first)]  # the correction is not a second late report
