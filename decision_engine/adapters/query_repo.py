"""Reads behind the query services (lists, event pages, counts): the SQL of `services.queries`."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, and_, bindparam, false, func, or_, select

from decision_engine.adapters.tables import DECISIONS, EVENTS
from decision_engine.domain.authority import ReadScope
from decision_engine.domain.decision import PRE_DECISION

D = DECISIONS
E = EVENTS

__all__ = ["Connection", "count_decisions", "event_page", "list_decisions", "list_statement"]


def event_page(conn: Connection, stream: str, *, after_seq: int, limit: int) -> list[dict[str, Any]]:
    """A stream's events with their chain hashes, oldest first, after a sequence number."""
    rows = conn.execute(select(E.c.body, E.c.hash, E.c.prev_hash)
                        .where(E.c.stream == stream, E.c.seq > after_seq)
                        .order_by(E.c.seq).limit(limit)).all()
    return [dict(json.loads(r.body), hash=r.hash, prev_hash=r.prev_hash) for r in rows]


def list_decisions(conn: Connection, today: str, *, status: str | None, unit: str | None,
                   category: str | None, stage: str | None, q: str | None, overdue: bool | None,
                   cursor: tuple[str, str] | None, limit: int, reader: ReadScope | None = None
                   ) -> list[dict[str, Any]]:
    """One more row than the page (to know whether another page follows)."""
    query = list_statement(today, status=status, unit=unit, category=category, stage=stage, q=q,
                           overdue=overdue, cursor=cursor, limit=limit, reader=reader)
    return [dict(r) for r in conn.execute(query).mappings()]


def list_statement(today: str, *, status: str | None = None, unit: str | None = None,
                   category: str | None = None, stage: str | None = None, q: str | None = None,
                   overdue: bool | None = None, cursor: tuple[str, str] | None = None,
                   limit: int = 50, reader: ReadScope | None = None) -> Select[Any]:
    """The list's query, newest first (one more row than the page), holding only what `reader` admits."""
    query = select(D.c.id, D.c.title, D.c.category, D.c.unit, D.c.status, D.c.stage, D.c.opened_at,
                   D.c.updated_at, D.c.due_by, D.c.procedure_id, D.c.last_seq, D.c.organ)
    if reader is not None and not reader.everything:  # AR13, the SQL of `ReadScope.admits`
        unrecorded: ColumnElement[bool] = D.c.organ.is_(None)
        if reader.units is not None:
            unrecorded = and_(unrecorded, D.c.unit.in_(sorted(reader.units)))
        elif not reader.organs:
            unrecorded = false()
        query = query.where(or_(D.c.organ.in_(sorted(reader.organs)), unrecorded))
    for col, val in (("status", status), ("unit", unit), ("category", category), ("stage", stage)):
        if val:
            query = query.where(D.c[col] == val)
    if q:
        like = f"%{q}%"
        query = query.where(or_(D.c.title.like(like), D.c.id == q))
    if overdue:  # R22: literals, so that the planner sees the partial index ix_decisions_overdue applies
        query = query.where(D.c.due_by.is_not(None), D.c.due_by < today,
                            D.c.status.in_(bindparam("undecided", PRE_DECISION, expanding=True,
                                                     literal_execute=True)))
    if cursor:
        opened, did = cursor
        query = query.where(or_(D.c.opened_at < opened, (D.c.opened_at == opened) & (D.c.id < did)))
    return query.order_by(D.c.opened_at.desc(), D.c.id.desc()).limit(limit + 1)


def count_decisions(conn: Connection) -> int:
    """How many decisions the store holds."""
    return int(conn.execute(select(func.count()).select_from(D)).scalar_one())
