"""What every service needs: the store, the blob store, the clock, the statutory calendar."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, cast

from decision_engine.adapters.blobs import FileBlobStore
from decision_engine.adapters.store import Store
from decision_engine.config import Settings
from decision_engine.domain.calendar import StatutoryCalendar
from decision_engine.services.clock import Clock, iso, statutory_date
from decision_engine.services.ports import UnitOfWork, Units

SYSTEM_ACTOR = {"person": "system", "role": "system", "unit": "decide", "name": "decide engine"}


@dataclass
class Context:
    """The composition root's product, handed to every service function."""

    settings: Settings
    store: Store
    blobs: FileBlobStore
    clock: Clock
    load_calendar: Callable[[], StatutoryCalendar]
    _calendar: StatutoryCalendar | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    extras: dict[str, Any] = field(default_factory=dict)
    units: Units | None = None  # the store port; the composition root hands it in (SQL over `store`)

    def __post_init__(self) -> None:
        if self.units is None:  # a Context wired by hand: the relational store's units over `store`
            from decision_engine.adapters.repositories import SqlUnits
            self.units = SqlUnits(self.store)

    @property
    def uow(self) -> Units:
        """The store port: `with ctx.uow.write() as uow:` / `with ctx.uow.read() as uow:`."""
        assert self.units is not None
        return self.units

    @property
    def calendar(self) -> StatutoryCalendar:
        """The statutory calendar (package years plus operator-added years), loaded lazily."""
        with self._lock:
            if self._calendar is None:
                self._calendar = self.load_calendar()
            return self._calendar

    def reload_calendar(self) -> None:
        """Forget the cached calendar after an operator adds a year."""
        with self._lock:
            self._calendar = None

    def now(self) -> datetime:
        """Now (timezone-aware)."""
        return self.clock.now()

    def now_iso(self) -> str:
        """Now, as stored in events."""
        return iso(self.clock.now())

    def today(self) -> date:
        """Today's statutory (Beijing) date."""
        return statutory_date(self.clock.now())


def unit_of(tx: Any) -> UnitOfWork:
    """The unit of work over a transaction handle that a caller not behind the port yet holds (a door's
    `before_commit` hook, `verification`, a test): a unit of work is returned as it is; a relational
    transaction gets the relational repositories (the only place services name the adapter; it goes when
    every caller passes a unit of work)."""
    if hasattr(tx, "events") and hasattr(tx, "decisions"):
        return cast(UnitOfWork, tx)
    from decision_engine.adapters.repositories import unit_of as sql_unit_of
    return sql_unit_of(tx)


def new_id(prefix: str) -> str:
    """A random, URL-safe identifier with a readable prefix."""
    return f"{prefix}-{secrets.token_hex(6)}"
