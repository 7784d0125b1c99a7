"""Operator-added official holiday years (国务院办公厅关于部分节假日安排的通知), validated and recorded."""

from __future__ import annotations

from decision_engine.adapters.official_calendar import parse_year_file
from decision_engine.domain.errors import RuleViolation
from decision_engine.services.context import SYSTEM_ACTOR, Context


def add_year(ctx: Context, text: str) -> int:
    """Validate a year file and record it (event + row); deadlines in that year stop being provisional."""
    arrangement = parse_year_file(text)
    at = ctx.now_iso()
    with ctx.uow.write() as uow:
        if uow.calendar_years.has(arrangement.year):
            raise RuleViolation(f"the calendar for {arrangement.year} is already recorded; a correction "
                                "is a new notice, not an edit", rule="R18", article="Art. 33")
        uow.events.append("calendar", [("CalendarYearAdded", {
            "year": arrangement.year, "source": arrangement.source,
            "holidays": sorted(d.isoformat() for d in arrangement.holidays),
            "workdays": sorted(d.isoformat() for d in arrangement.workdays)})], at=at, actor=SYSTEM_ACTOR)
        uow.calendar_years.add(arrangement.year, arrangement.source, text, at)
    ctx.reload_calendar()
    return arrangement.year
