"""The organisation chart the domain's authority checks read (DESIGN §8; `domain/organisation.py`).

The chart is the fold of the organisation's own stream `org:chart`: organs and units registered from the org
file at set-up, or changed through the API by the system administrator, each change an event. No event: the
single-organ chart (every unit in one implicit organ). The chart is cached per connection's database and
refreshed when the stream's last sequence moves, so a read costs one indexed lookup.
"""

from __future__ import annotations

from typing import Any

from decision_engine.adapters import store as st
from decision_engine.adapters.identity_repo import Tx as Connection
from decision_engine.domain import organisation as org

ORG_STREAM = "org:chart"
_cache: dict[tuple[int, int], org.OrgChart] = {}


def chart_of(conn: Connection) -> org.OrgChart:
    """The organisation chart as its events stand now."""
    seq, _ = st.last_of(conn, ORG_STREAM)
    if seq == 0:
        return org.OrgChart.single_organ()
    key = (id(conn.engine), seq)
    chart = _cache.get(key)
    if chart is None:
        events = st.stream_events(conn, ORG_STREAM)
        chart = org.fold(org.OrgChart.single_organ(), [(e["type"], e["payload"]) for e in events])
        _cache.clear()
        _cache[key] = chart
    return chart


def chart_at(conn: Connection, at: str) -> org.OrgChart:
    """The chart as it stood at a moment (time travel and replay)."""
    events = st.stream_events(conn, ORG_STREAM, until_at=at)
    if not events:
        return org.OrgChart.single_organ()
    return org.fold(org.OrgChart.single_organ(), [(e["type"], e["payload"]) for e in events])


def describe(chart: org.OrgChart) -> dict[str, Any]:
    """The chart as JSON: organs with their units."""
    return {"single": chart.single,
            "organs": [{"id": o.id, "name": o.name, "level": o.level, "kind": o.kind, "superior": o.superior,
                        "units": [{"id": u.id, "kind": u.kind, "name": u.name}
                                  for u in chart.units.values() if u.organ == o.id]}
                       for o in chart.organs.values()],
            "external": [{"id": u.id, "kind": u.kind, "name": u.name}
                         for u in chart.units.values() if u.organ is None]}
