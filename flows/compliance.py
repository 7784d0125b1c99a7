"""The compliance report (依法行政考核) as a Prefect flow: yearly on schedule (the previous year) and on
demand; computed from the record alone, stored and recorded once per (year, run)."""

from __future__ import annotations

from typing import Any

from prefect import flow

from decision_engine.services import clock_duties
from flows import runtime


@runtime.duty_task("compliance-report")
def compute(year: int | None, unit: str | None, scheduled: bool) -> dict[str, Any]:
    """Compute and record the report (clock_duties.record_compliance_report)."""
    return clock_duties.record_compliance_report(runtime.context(), year, scheduled=scheduled, unit=unit)


@flow(name="compliance-report", description="依法行政考核报告：按单位统计（年度定时、随时可查）")
def compliance_report(year: int | None = None, unit: str | None = None, scheduled: bool = False) -> dict[str, Any]:
    """The per-unit compliance report for a year."""
    runtime.context(probe=True)
    result = compute(year, unit, scheduled)
    runtime.table(f"compliance-{result['year']}", result["rows"],
                  f"{result['year']}年依法行政考核（按单位）· compliance by unit; JSON sha256 {result['json_sha256']}")
    return result
