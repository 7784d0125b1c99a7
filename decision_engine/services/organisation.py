"""The organisation chart the domain's authority checks read (DESIGN §8; `domain/organisation.py`).

The chart is the fold of the organisation's own stream `org:chart`: organs and units registered from the org
file at set-up, or changed through the API by the system administrator, each change an event. No event: the
single-organ chart (every unit in one implicit organ). The chart is cached by the stream's last sequence
and chain hash (the hash names the stream's whole content, whatever the database), so a read costs one
indexed lookup.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from decision_engine.domain import accounts as acc
from decision_engine.domain import organisation as org
from decision_engine.domain.errors import InvalidInput, Unauthenticated
from decision_engine.domain.values import Actor
from decision_engine.services.clock import CHINA, iso
from decision_engine.services.context import SYSTEM_ACTOR, Context, unit_of
from decision_engine.services.ports import UnitOfWork

ORG_STREAM = "org:chart"
ACT_ZH = "管理组织机构（机关、单位）"
_cache: dict[tuple[int, str], org.OrgChart] = {}


def chart_of(tx: UnitOfWork | Any, head: tuple[int, str] | None = None) -> org.OrgChart:
    """The organisation chart as its events stand now (`tx`: a unit of work, or a transaction handle; `head`:
    the org stream's (sequence, chain hash) when this transaction already read it, else it is read here)."""
    uow = unit_of(tx)
    seq, last_hash = uow.events.last(ORG_STREAM) if head is None else head
    if seq == 0:
        return org.OrgChart.single_organ()
    key = (seq, last_hash)  # the chain hash names the stream's content, whatever the database
    chart = _cache.get(key)
    if chart is None:
        events = uow.events.stream(ORG_STREAM)
        chart = org.fold_stored(org.OrgChart.single_organ(), events)
        _cache.clear()
        _cache[key] = chart
    return chart


def chart_at(tx: UnitOfWork | Any, at: str) -> org.OrgChart:
    """The chart as it stood at a moment (time travel and replay; `tx`: a unit of work, or a transaction
    handle)."""
    events = unit_of(tx).events.stream(ORG_STREAM, until_at=at)
    if not events:
        return org.OrgChart.single_organ()
    return org.fold_stored(org.OrgChart.single_organ(), events)


def describe(chart: org.OrgChart) -> dict[str, Any]:
    """The chart as JSON: organs with their units."""
    return {"single": chart.single,
            "organs": [{"id": o.id, "name": o.name, "level": o.level, "kind": o.kind, "superior": o.superior,
                        "units": [{"id": u.id, "kind": u.kind, "name": u.name}
                                  for u in chart.units.values() if u.organ == o.id]}
                       for o in chart.organs.values()],
            "external": [{"id": u.id, "kind": u.kind, "name": u.name}
                         for u in chart.units.values() if u.organ is None]}


def rederive(events: list[dict[str, Any]]) -> str | None:
    """`decide verify`: re-derive the chart from the stream's events, one by one; a finding (an event that
    does not apply, or a chart that is inconsistent after it), or None."""
    chart = org.OrgChart.single_organ()
    for e in events:
        try:
            chart = org.fold_stored(chart, [e])
        except (KeyError, TypeError, ValueError) as err:
            return f"organisation event {e.get('seq')} ({e.get('type')}) does not apply to the chart: {err!r}"
    problems = org.problems_zh(chart)
    return "the organisation chart re-derived from its events is inconsistent: " + "；".join(problems) \
        if problems else None


# ---------------------------------------------------------------------- changes (issue 15 §1)
def _admin(uow: UnitOfWork, by: str | None, at: str) -> dict[str, str]:
    """The actor of an organisation change: the engine (console, `by` None) or the system administrator
    (SEC4: the organisation is set-up data, like people and roles)."""
    if by is None:
        return dict(SYSTEM_ACTOR)
    person = uow.persons.person(by)
    if person is None:
        raise Unauthenticated(f"unknown person {by!r}")
    held = [Actor(person=by, role=role, unit=unit, name=person[0])
            for role, unit, start, end in uow.persons.roles_of(by) if start <= at and (end is None or at < end)]
    for actor in held:
        if actor.role == acc.SYSTEM_ADMIN:
            return actor.to_dict()
    acc.require_admin({a.role for a in held}, acc.SYSTEM_ADMIN, ACT_ZH)
    raise AssertionError("unreachable")  # pragma: no cover


def _change(ctx: Context, by: str | None, make: Any) -> list[dict[str, Any]]:
    """Check the actor, compute the events against the chart as it stands (under the write lock) and append
    them to `org:chart`; returns the envelopes appended (none when nothing changes)."""
    at = ctx.now_iso()
    with ctx.uow.write() as uow:
        actor = _admin(uow, by, at)
        seq, _ = uow.events.last(ORG_STREAM)
        events = make(chart_of(uow))
        if not events:
            return []
        return uow.events.append(ORG_STREAM, events, at=at, actor=actor, expected_seq=seq)


def load_file(ctx: Context, data: Mapping[str, Any], by: str | None = None) -> list[dict[str, Any]]:
    """Load an org file (parsed TOML, `docs/organisation.md`): the organs and units it registers that the
    chart does not already hold exactly so. An inconsistent file is refused whole (ORG1); loading the same
    file twice appends nothing. Units the file no longer lists are not retired (retire them one by one)."""
    events = org.parse_file(data)
    return _change(ctx, by, lambda chart: org.checked(chart, org.changes(chart, events)))


def register_organ(ctx: Context, data: Mapping[str, Any], *, by: str | None = None) -> list[dict[str, Any]]:
    """Register an organ, or change a registered one (system administrator)."""
    organ = org.organ_from(data)
    return _change(ctx, by, lambda chart: org.register_organ(chart, organ))


def register_unit(ctx: Context, data: Mapping[str, Any], *, by: str | None = None) -> list[dict[str, Any]]:
    """Register a unit of an organ, or an external body, or change a registered unit (system administrator)."""
    unit = org.unit_from(data)
    return _change(ctx, by, lambda chart: org.register_unit(chart, unit))


def move_unit(ctx: Context, unit_id: str, organ: str, *, by: str | None = None) -> list[dict[str, Any]]:
    """Move a unit to another organ (system administrator)."""
    return _change(ctx, by, lambda chart: org.move_unit(chart, unit_id, organ))


def retire_unit(ctx: Context, unit_id: str, *, reason: str = "", by: str | None = None) -> list[dict[str, Any]]:
    """Retire a unit (system administrator); roles once held in it stay in the record."""
    return _change(ctx, by, lambda chart: org.retire_unit(chart, unit_id, reason))


def moment(at: str | datetime) -> str:
    """A moment as events store it (UTC ISO 8601); a moment without an offset is Beijing time."""
    try:
        when = datetime.fromisoformat(at) if isinstance(at, str) else at
        return iso(when if when.tzinfo is not None else when.replace(tzinfo=CHINA))
    except (ValueError, OverflowError):
        raise InvalidInput(f"时间格式有误：{str(at)!r}，应为 ISO 8601（如 2025-03-03T09:00:00+08:00）。(not an ISO 8601 "
                           "moment in range)", rule=org.RULE, article=org.ARTICLE) from None


def show(ctx: Context, at: str | datetime | None = None) -> dict[str, Any]:
    """The chart as JSON (now, or as it stood at a moment), with the number of organisation events it
    folds (`events`) and the stream's length now (`seq`)."""
    with ctx.uow.read() as uow:
        seq, _ = uow.events.last(ORG_STREAM)
        if at is None:
            return {**describe(chart_of(uow)), "events": seq, "seq": seq, "at": None}
        when = moment(at)
        events = uow.events.stream(ORG_STREAM, until_at=when)
    chart = org.fold_stored(org.OrgChart.single_organ(), events)
    return {**describe(chart), "events": len(events), "seq": seq, "at": when}
