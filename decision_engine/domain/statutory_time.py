"""The statutory clock: every statutory date is the calendar date in the jurisdiction's time zone (pure).

Events store their moment in UTC (``2025-03-07T17:08:00.000000+00:00``); an act recorded at 01:08 on a
Saturday in Beijing happened on Saturday, not on Friday, so a date is never the first ten characters of
that text. This module is the one place that turns a moment into a statutory date. The zone is the
jurisdiction profile's ``time_zone`` setting (``Asia/Shanghai`` when a profile sets none).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

DEFAULT_ZONE = "Asia/Shanghai"


@lru_cache(maxsize=16)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def zone_of(settings: Mapping[str, Any] | None) -> str:
    """The time zone a jurisdiction profile's settings name (the default when they name none)."""
    return str((settings or {}).get("time_zone") or DEFAULT_ZONE)


def instant(value: datetime | str) -> datetime:
    """A timezone-aware moment from a datetime or an ISO 8601 text (a naive moment is UTC, as stored)."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def statutory_date(moment: datetime | str, tz: str = DEFAULT_ZONE) -> date:
    """The calendar date of a moment in the jurisdiction's time zone (deadlines are counted in it)."""
    return instant(moment).astimezone(_zone(tz)).date()


def statutory_day(value: date | datetime | str, tz: str = DEFAULT_ZONE) -> date:
    """A statutory date from a value that is either already a date (``2025-10-01``, as typed in a form
    field) or a moment (an ISO 8601 text with a time, converted to the zone's date)."""
    if isinstance(value, datetime):
        return statutory_date(value, tz)
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if len(text) == 10:
        return date.fromisoformat(text)
    return statutory_date(text, tz)
