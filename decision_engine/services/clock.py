"""Clocks: the system clock, and a manual one for tests and the demo (a 30-day window in milliseconds)."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Protocol

from decision_engine.domain import statutory_time
from decision_engine.domain.statutory_time import DEFAULT_ZONE

CHINA = timezone(timedelta(hours=8), "Asia/Shanghai")  # statutory dates are Beijing dates (no DST)


class Clock(Protocol):
    """Anything that tells the time (timezone-aware)."""

    def now(self) -> datetime: ...


class SystemClock:
    """Wall-clock time."""

    def now(self) -> datetime:
        """Now, in UTC."""
        return datetime.now(UTC)


class ManualClock:
    """A clock that moves only when told to."""

    def __init__(self, start: datetime) -> None:
        self._now = start
        self._lock = threading.Lock()

    def now(self) -> datetime:
        """The clock's current time."""
        with self._lock:
            return self._now

    def advance(self, **delta: float) -> datetime:
        """Move forward, e.g. advance(days=31)."""
        with self._lock:
            self._now += timedelta(**delta)
            return self._now

    def set(self, when: datetime) -> None:
        """Jump to a moment."""
        with self._lock:
            self._now = when


def iso(dt: datetime) -> str:
    """ISO 8601 UTC with microseconds: sortable as text, as stored in events."""
    return dt.astimezone(UTC).isoformat(timespec="microseconds")


def statutory_date(dt: datetime | str, tz: str = DEFAULT_ZONE) -> date:
    """The statutory calendar date of a moment (Beijing unless a profile names another zone)."""
    return statutory_time.statutory_date(dt, tz)
