"""R19, Art. 40 in memory (issue 16): the execution units' failures to report that the statutory clock flags
to the organ — a periodic report long overdue, a problem report filed late, a suspension on an Art. 35 ground
nobody reported — and what is not a failure."""

from __future__ import annotations

from datetime import timedelta

from decision_engine.domain import execution as ex
from tests.domain.builders import Build, C


def kinds(b: Build) -> list[tuple[str, str, str]]:
    return [(f["failure"], f["rule"], f["article"]) for f in ex.execution_failures(b.d, b.cal, b.today)]


def test_r19_art40_a_report_overdue_beyond_the_grace_is_a_failure(b: Build) -> None:
    b.executing()
    interval = int(b.spec.settings["execution_report_interval_days"])
    b.advance(interval + ex.FAILURE_AFTER_DAYS)
    assert kinds(b) == []  # overdue, within the grace
    b.advance(1)
    assert kinds(b) == [("report_missed", "R19", "Art. 40")]
    b.art(C.executor, "execution_report", report_kind="progress", summary="补报")
    assert kinds(b) == []


def test_r19_art40_a_problem_reported_late_is_a_failure_and_a_prompt_one_is_not(b: Build) -> None:
    b.executing()
    b.art(C.executor, "execution_report", report_kind="problem", ground="problems_found", summary="施工受阻",
          occurred_on=(b.today - timedelta(days=ex.PROBLEM_REPORT_DAYS)).isoformat())
    assert kinds(b) == []
    b.art(C.executor, "execution_report", report_kind="problem", ground="force_majeure", summary="暴雨",
          occurred_on=(b.today - timedelta(days=ex.PROBLEM_REPORT_DAYS + 1)).isoformat())
    assert kinds(b) == [("problem_report_late", "R19", "Art. 40")]


def test_r19_art40_a_suspension_nobody_reported_is_an_omission(b: Build) -> None:
    b.executing()
    b.commit(C.head, b.d.suspend((C.head,), "problems_found", "票务系统故障", "继续执行将造成损失"))
    assert kinds(b) == [("problem_not_reported", "R19", "Art. 40")]
    reported = Build()
    reported.executing()
    reported.art(C.executor, "execution_report", report_kind="problem", ground="problems_found", summary="故障",
                 occurred_on=reported.today.isoformat())
    reported.commit(C.head, reported.d.suspend((C.head,), "problems_found", "票务系统故障", "继续执行将造成损失"))
    assert kinds(reported) == []
