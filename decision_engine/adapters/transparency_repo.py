"""The transparency log's tables (log_leaves, checkpoints, cosignatures) and the event reads the log and
the archive need: the only place their SQL lives (services/transparency.py and services/archive.py import
no SQLAlchemy)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, exists, func, insert, select

from decision_engine.adapters.tables import CHECKPOINTS, COSIGNATURES, EVENTS, LOG_LEAVES

__all__ = ["Connection"]

E = EVENTS
L = LOG_LEAVES
C = CHECKPOINTS
W = COSIGNATURES


# ---------------------------------------------------------------------------------------- leaves
def sequence_batch(conn: Connection, want: int, logged_upto: int | None, *, ids_follow_commits: bool,
                   leaf_hash: Callable[[bytes], bytes]) -> tuple[int, int | None]:
    """Log up to ``want`` events; returns how many, and the id up to which all events are logged.

    On SQLite one writer at a time assigns ids, so ids grow in commit order and "every id up to the
    newest logged one is logged" holds by construction. On PostgreSQL a transaction can commit an id
    lower than one already logged; a count tells, and an anti-join then finds the late ones.
    """
    top_index = conn.execute(select(func.max(L.c.leaf_index))).scalar()
    gapless = True
    if logged_upto is None:
        top_event, logged = conn.execute(select(func.max(L.c.event_id), func.count())).one()
        if top_event is not None:
            logged_upto = int(top_event)
            if not ids_follow_commits:
                below = conn.execute(select(func.count()).select_from(E)
                                     .where(E.c.id <= logged_upto)).scalar_one()
                gapless = below == logged
    query = select(E.c.id, E.c.body)
    if not gapless:
        query = query.where(~exists().where(L.c.event_id == E.c.id))
    elif logged_upto is not None:
        query = query.where(E.c.id > logged_upto)
    rows = conn.execute(query.order_by(E.c.id).limit(want)).all()
    if not rows:
        return 0, logged_upto if gapless else None
    start = 0 if top_index is None else int(top_index) + 1
    conn.execute(insert(L), [{"leaf_index": start + i, "event_id": event_id,
                              "leaf_hash": leaf_hash(bytes(body)).hex()}  # RFC 9162 §2.1.1
                             for i, (event_id, body) in enumerate(rows)])
    return len(rows), int(rows[-1].id) if gapless else None


def leaves_from(conn: Connection, start: int, batch: int) -> Iterator[tuple[int, str]]:
    """(leaf index, hex leaf hash) from ``start`` on, in index order, streamed."""
    rows = conn.execute(select(L.c.leaf_index, L.c.leaf_hash).where(L.c.leaf_index >= start)
                        .order_by(L.c.leaf_index).execution_options(yield_per=batch))
    for index, value in rows:
        yield int(index), str(value)


def leaves_with_events(conn: Connection, batch: int) -> Iterator[Any]:
    """(leaf index, stored leaf hash, event id, stream, seq, body) of every leaf, body None when the
    event is gone, in index order, streamed."""
    yield from conn.execute(
        select(L.c.leaf_index, L.c.leaf_hash, L.c.event_id, E.c.stream, E.c.seq, E.c.body)
        .select_from(L.outerjoin(E, E.c.id == L.c.event_id)).order_by(L.c.leaf_index)
        .execution_options(yield_per=batch))


def event_leaf(conn: Connection, stream: str, seq: int) -> Any:
    """An event's stored bytes and leaf index (None when not yet logged); None when there is no event."""
    return conn.execute(select(E.c.body, L.c.leaf_index)
                        .select_from(E.outerjoin(L, L.c.event_id == E.c.id))
                        .where(E.c.stream == stream, E.c.seq == seq)).first()


def stream_with_leaves(conn: Connection, stream: str) -> list[dict[str, Any]]:
    """A stream's events in seq order: seq, stored bytes, prev_hash, hash and leaf index (or None)."""
    rows = conn.execute(select(E.c.seq, E.c.body, E.c.prev_hash, E.c.hash, L.c.leaf_index)
                        .select_from(E.outerjoin(L, L.c.event_id == E.c.id))
                        .where(E.c.stream == stream).order_by(E.c.seq)).all()
    return [{"seq": int(r.seq), "body": bytes(r.body), "prev_hash": r.prev_hash, "hash": r.hash,
             "leaf_index": None if r.leaf_index is None else int(r.leaf_index)} for r in rows]


# ---------------------------------------------------------------------------------------- checkpoints
def checkpoint_row(conn: Connection, size: int | None) -> Any:
    """The checkpoint of a tree size (None: the newest), or None."""
    q = select(C.c.size, C.c.root_hash, C.c.note, C.c.created_at)
    q = q.order_by(C.c.size.desc()).limit(1) if size is None else q.where(C.c.size == size)
    return conn.execute(q).first()


def checkpoint_rows(conn: Connection) -> Sequence[Any]:
    """Every checkpoint (size, root_hash, note, created_at), oldest first."""
    return conn.execute(select(C.c.size, C.c.root_hash, C.c.note, C.c.created_at).order_by(C.c.size)).all()


def insert_checkpoint(conn: Connection, size: int, root_hash: str, note: str, at: str) -> None:
    conn.execute(insert(C).values(size=size, root_hash=root_hash, note=note, created_at=at))


# ---------------------------------------------------------------------------------------- cosignatures
def cosignature_lines(conn: Connection, size: int) -> list[str]:
    """The stored cosignature lines of one checkpoint, in the order they were stored."""
    return [str(line) for (line,) in conn.execute(select(W.c.signature).where(W.c.size == size)
                                                  .order_by(W.c.created_at, W.c.witness_key))]


def cosignature_rows(conn: Connection) -> Sequence[Any]:
    """Every cosignature (size, witness_key, signature, created_at), by size and key."""
    return conn.execute(select(W.c.size, W.c.witness_key, W.c.signature, W.c.created_at)
                        .order_by(W.c.size, W.c.witness_key)).all()


def has_cosignature(conn: Connection, size: int, witness_key: str) -> bool:
    return conn.execute(select(W.c.signature).where(W.c.size == size,
                                                    W.c.witness_key == witness_key)).first() is not None


def insert_cosignature(conn: Connection, size: int, witness_key: str, line: str, at: str) -> None:
    conn.execute(insert(W).values(size=size, witness_key=witness_key, signature=line, created_at=at))


def cosigner_keys(conn: Connection, size: int) -> list[str]:
    """The verifier keys that cosigned checkpoint ``size``, sorted."""
    return [str(k) for (k,) in conn.execute(select(W.c.witness_key).where(W.c.size == size)
                                            .order_by(W.c.witness_key))]
