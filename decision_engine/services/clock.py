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


class RehearsalClock:
    """A clock set by the operator for training and acceptance (issue 16): it starts at `start` when the
    real clock read `anchor` and runs `rate` times as fast, so an office rehearses a procedure across its
    statutory periods without back-dating anything. Every event made on it says so (`info`, in the event's
    canonical body under "clock"); never in production (Settings refuses it)."""

    def __init__(self, start: datetime, rate: float = 1.0, anchor: datetime | None = None) -> None:
        if start.tzinfo is None:
            start = start.replace(tzinfo=CHINA)  # a statutory moment without a zone is a Beijing one
        if not rate > 0:
            raise ValueError(f"the rehearsal clock's rate must be positive, got {rate}")
        self.start, self.rate = start, float(rate)
        self.anchor = anchor or datetime.now(UTC)

    def now(self) -> datetime:
        """The rehearsal time: the start plus the real time elapsed since the anchor, times the rate."""
        return self.start + (datetime.now(UTC) - self.anchor) * self.rate

    @property
    def info(self) -> dict[str, object]:
        """What each event records of this clock."""
        return {"kind": "rehearsal", "start": iso(self.start), "rate": self.rate, "anchor": iso(self.anchor)}


def iso(dt: datetime) -> str:
    """ISO 8601 UTC with microseconds: sortable as text, as stored in events."""
    return dt.astimezone(UTC).isoformat(timespec="microseconds")


def statutory_date(dt: datetime | str, tz: str = DEFAULT_ZONE) -> date:
    """The statutory calendar date of a moment (Beijing unless a profile names another zone)."""
    return statutory_time.statutory_date(dt, tz)
