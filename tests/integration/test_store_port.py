"""The store port behaves the same on SQLite, PostgreSQL and in memory: a use case run on each writes the
same canonical event bytes and the same hash chain, and is refused the same way."""

from __future__ import annotations

from pathlib import Path

import pytest

from decision_engine.adapters.memory import MemoryUnits
from decision_engine.adapters.official_calendar import load_calendar, parse_year_file
from decision_engine.config import Settings
from decision_engine.domain.errors import RuleViolation
from decision_engine.services import calendar_years
from decision_engine.services.context import Context

YEAR_FILE = Path(__file__).resolve().parent.parent / "data" / "calendar" / "2027-test.toml"


def _chain(ctx: Context) -> list[tuple[int, bytes, str, str]]:
    with ctx.uow.read() as uow:
        return uow.events.chain("calendar")


def test_a_calendar_year_is_recorded_alike_on_the_database_and_in_memory(ctx: Context, tmp_path: Path) -> None:
    memory = Context(settings=Settings(data_dir=tmp_path / "memory", database_url="memory://"),
                     store=None, blobs=None, clock=ctx.clock,  # type: ignore[arg-type]
                     load_calendar=load_calendar, units=MemoryUnits())
    text = YEAR_FILE.read_text(encoding="utf-8")

    for c in (ctx, memory):
        calendar_years.add_year(c, text)
        with pytest.raises(RuleViolation) as refused:
            calendar_years.add_year(c, text)
        assert refused.value.rule == "R18"

    assert _chain(ctx) == _chain(memory) and len(_chain(ctx)) == 1
    year = parse_year_file(text).year
    assert ctx.calendar.has_year(year)  # bootstrap reads the recorded years back into the calendar

