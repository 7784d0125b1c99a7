"""The composition root: settings in, a ready Context out (store migrated, blobs, clock, calendar)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from decision_engine.adapters.blobs import FileBlobStore
from decision_engine.adapters.official_calendar import load_calendar, parse_year_file
from decision_engine.adapters.repositories import SqlUnits
from decision_engine.adapters.store import Store
from decision_engine.config import Settings
from decision_engine.domain.calendar import StatutoryCalendar
from decision_engine.services.clock import Clock, RehearsalClock, SystemClock
from decision_engine.services.context import Context


def build(settings: Settings | None = None, *, clock: Clock | None = None, migrate: bool = True) -> Context:
    """Wire the engine for one database and data directory."""
    settings = settings or Settings.from_env()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    store = Store(settings.database_url)
    if clock is None and settings.rehearsal_clock:
        clock = rehearsal_clock(settings)
    if isinstance(clock, RehearsalClock):
        store.clock_info = clock.info  # every event appended records the rehearsal clock (issue 16)
    if migrate:
        store.migrate()
        store.use_profile(settings.log_profile, (clock or SystemClock()).now().isoformat())
    else:
        store.check_durability()

    units = SqlUnits(store)

    def calendar() -> StatutoryCalendar:
        cal = load_calendar()
        with units.read() as uow:
            for body in uow.calendar_years.bodies():
                cal = cal.with_year(parse_year_file(body))
        return cal

    return Context(settings=settings, store=store, blobs=FileBlobStore(settings.blob_dir),
                   clock=clock or SystemClock(), load_calendar=calendar, units=units)


def public_reads(ctx: Context) -> Context:
    """The Context the public read pages read through: on DECIDE_PUBLIC_DATABASE_URL (a streaming replica of
    the primary) when it is set, never migrated and never written; otherwise `ctx` itself."""
    url = ctx.settings.public_database_url
    if not url or url == ctx.settings.database_url:
        return ctx
    return build(replace(ctx.settings, database_url=url), clock=ctx.clock, migrate=False)


def rehearsal_clock(settings: Settings) -> RehearsalClock:
    """The operator's rehearsal clock from the settings (never in production: Settings refuses it)."""
    anchor = datetime.fromisoformat(settings.rehearsal_clock_anchor) if settings.rehearsal_clock_anchor else None
    if anchor is not None and anchor.tzinfo is None:
        anchor = anchor.replace(tzinfo=UTC)
    return RehearsalClock(datetime.fromisoformat(settings.rehearsal_clock), settings.rehearsal_clock_rate, anchor)
