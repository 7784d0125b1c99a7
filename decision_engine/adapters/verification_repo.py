"""Reads behind `decide verify`: the event log in stream order, and every table the doors show, as rows.

The service (`services.verification`) rebuilds each table from the events and compares; this module only
knows the SQL. Rows come back as plain dicts keyed by column name.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection, Table, select

from decision_engine.adapters.tables import (
    ACCOUNTABILITY_CASES,
    ARTIFACTS,
    DECISIONS,
    DOCUMENTS,
    EVENTS,
    EXECUTION_OPINIONS,
    EXPERT_POOL,
    MEETING_ITEMS,
    MEETINGS,
    PERSONS,
    ROLE_ASSIGNMENTS,
)

E = EVENTS
D = DECISIONS
A = ARTIFACTS

__all__ = ["Connection", "artifact_row", "artifact_rows", "blob_artifacts", "decision_rows", "event_rows",
           "rows_of", "stream_names"]

# The tables a projection row of a stream lives in, by the stream's prefix, and the column that names
# the stream's key (the decision, meeting or case id).
KEYED: dict[str, list[tuple[Table, str]]] = {
    "meeting": [(MEETINGS, "id"), (MEETING_ITEMS, "meeting_id")],
    "accountability": [(ACCOUNTABILITY_CASES, "id")],
    "documents": [(DOCUMENTS, "decision_id")],
    "execution-opinions": [(EXECUTION_OPINIONS, "decision_id")],
    "person": [(PERSONS, "id"), (ROLE_ASSIGNMENTS, "person_id")],
}


def stream_names(conn: Connection) -> list[str]:
    """Every stream, sorted."""
    return [r[0] for r in conn.execute(select(E.c.stream).distinct().order_by(E.c.stream))]


def event_rows(conn: Connection, lo: str | None, hi: str | None) -> Iterator[tuple[Any, ...]]:
    """(stream, seq, type, at, person, role, unit, body, prev_hash, hash) of the streams in [lo, hi), in
    stream and sequence order, through the driver's cursor in batches (verification reads millions)."""
    q = select(E.c.stream, E.c.seq, E.c.type, E.c.at, E.c.person, E.c.role, E.c.unit, E.c.body,
               E.c.prev_hash, E.c.hash)
    if lo is not None:
        q = q.where(E.c.stream >= lo)
    if hi is not None:
        q = q.where(E.c.stream < hi)
    q = q.order_by(E.c.stream, E.c.seq)
    sql = str(q.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
    cur = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cur.execute(sql)
        while batch := cur.fetchmany(5000):
            yield from batch
    finally:
        cur.close()


def _id_range(q: Any, col: Any, lo: str | None, hi: str | None) -> Any:
    if lo is not None:
        q = q.where(col >= lo)
    if hi is not None:
        q = q.where(col < hi)
    return q


def decision_rows(conn: Connection, lo: str | None, hi: str | None) -> dict[str, dict[str, Any]]:
    """Rows of the decisions table whose id is in [lo, hi) (None: open)."""
    return {r["id"]: dict(r) for r in conn.execute(_id_range(select(D), D.c.id, lo, hi)).mappings()}


def artifact_rows(conn: Connection, lo: str | None, hi: str | None) -> dict[str, dict[str, Any]]:
    """Rows of the artifacts index whose decision id is in [lo, hi)."""
    return {r["id"]: dict(r) for r in conn.execute(_id_range(select(A), A.c.decision_id, lo, hi)).mappings()}


def artifact_row(conn: Connection, artifact_id: str) -> dict[str, Any] | None:
    """One row of the artifacts index, wherever it points."""
    r = conn.execute(select(A).where(A.c.id == artifact_id)).mappings().first()
    return None if r is None else dict(r)


def blob_artifacts(conn: Connection) -> list[tuple[str, str, str, int]]:
    """(id, decision id, sha256, seq) of every artifact stored as a blob."""
    return [tuple(r) for r in conn.execute(select(A.c.id, A.c.decision_id, A.c.sha256, A.c.seq)
                                           .where(A.c.storage == "blob"))]


def rows_of(conn: Connection, kind: str, key: str) -> dict[str, list[dict[str, Any]]]:
    """The rows a stream `kind:key` projects into, per table name (all columns)."""
    out: dict[str, list[dict[str, Any]]] = {}
    for table, col in KEYED[kind]:
        pk = [c.name for c in table.primary_key.columns]
        out[table.name] = [dict(r) for r in conn.execute(
            select(table).where(table.c[col] == key).order_by(*[table.c[c] for c in pk])).mappings()]
    return out


def keyed_ids(conn: Connection, kind: str) -> set[str]:
    """Every key a table of a stream kind holds rows for (to find rows with no stream behind them)."""
    out: set[str] = set()
    for table, col in KEYED[kind]:
        out.update(r[0] for r in conn.execute(select(table.c[col]).distinct()))
    return out


def expert_pool_rows(conn: Connection) -> list[dict[str, Any]]:
    """The expert pool (one stream, `experts:pool`, projects into the whole table)."""
    return [dict(r) for r in conn.execute(select(EXPERT_POOL).order_by(EXPERT_POOL.c.person_id)).mappings()]
