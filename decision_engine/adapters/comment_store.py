"""Storage of public comments, their clusters and the expert pool (issue 4): statements built once.

Comments of one decision are received on its shard streams (`comments:<decision id>#<k>`, issue 19 §4) or,
before shards or with one, on its main stream (`comments:<decision id>`), which also holds moderation,
clustering and dispositions. On SQLite the store's writer lock already serialises appends; on PostgreSQL
concurrent writers of one stream take a transaction-scoped advisory lock on the stream name, so they queue
instead of colliding on the unique (stream, seq) key, and an intake tries the shards' locks without waiting
(`try_lock_stream`) to find a shard no other writer holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson
from sqlalchemy import Connection, Integer, bindparam, func, insert, select, text, update

from decision_engine.adapters.tables import (
    COMMENT_IDENTITIES,
    OPINION_CLUSTER_MEMBERS,
    OPINION_CLUSTERS,
    PUBLIC_COMMENTS,
)
from decision_engine.domain.participation import shard_of_stream

C = PUBLIC_COMMENTS
K = OPINION_CLUSTERS
M = OPINION_CLUSTER_MEMBERS
_LOCK = text("SELECT pg_advisory_xact_lock(hashtext(:s))")
_TRY_LOCK = text("SELECT pg_try_advisory_xact_lock(hashtext(:s))")
_INSERT_COMMENT = insert(C)
_INSERT_IDENTITY = insert(COMMENT_IDENTITIES)
_INSERT_CLUSTER = insert(K)
_INSERT_MEMBER = insert(M)
_HIDE = update(C).where(C.c.tracking_number == bindparam("tn")).values(
    hidden_reason=bindparam("reason"), hidden_note=bindparam("note"))
_GROW = update(K).where(K.c.decision_id == bindparam("d"), K.c.cluster_id == bindparam("c")).values(
    size=K.c.size + bindparam("n"), seq=bindparam("s"))
_DISPOSE = update(K).where(K.c.decision_id == bindparam("d"), K.c.cluster_id == bindparam("c")).values(
    disposition=bindparam("disposition"), reason=bindparam("reason"),
    changed_in_version=bindparam("changed_in_version"), disposed_at=bindparam("at"),
    disposed_by=bindparam("by"), seq=bindparam("s"))


def lock_stream(conn: Connection, stream: str) -> None:
    """Serialise writers of one stream (PostgreSQL; SQLite writers are already serialised)."""
    if conn.dialect.name == "postgresql":
        conn.execute(_LOCK, {"s": stream})


def try_lock_stream(conn: Connection, stream: str) -> bool:
    """Take the stream's writer lock if no other transaction holds it (PostgreSQL; True on SQLite)."""
    if conn.dialect.name == "postgresql":
        return bool(conn.execute(_TRY_LOCK, {"s": stream}).scalar())
    return True


def comment_row(env: dict[str, Any]) -> dict[str, Any]:
    """The table row of a `CommentReceived` event."""
    p = env["payload"]
    return {"tracking_number": p["tracking_number"], "decision_id": p["decision_id"],
            "notice_artifact_id": p["notice_artifact_id"], "seq": env["seq"],
            "shard": shard_of_stream(env["stream"]), "channel": p["channel"],
            "text": p["text"], "text_sha256": p["text_sha256"], "identity_sha256": p["identity_sha256"],
            "attachments": orjson.dumps(p["attachments"]).decode(), "received_at": env["at"],
            "received_on": p["received_on"], "late": p["late"], "hidden_reason": None, "hidden_note": None}


def insert_comments(conn: Connection, rows: Sequence[dict[str, Any]],
                    identities: Sequence[dict[str, Any]] = ()) -> None:
    """Insert comment rows (and the identities kept apart from them)."""
    conn.execute(_INSERT_COMMENT, list(rows))
    if identities:
        conn.execute(_INSERT_IDENTITY, list(identities))


def comment(conn: Connection, tracking: str) -> dict[str, Any] | None:
    """One comment with its cluster and the cluster's disposition."""
    q = select(C, M.c.cluster_id, K.c.disposition, K.c.reason, K.c.changed_in_version, K.c.size) \
        .select_from(C.outerjoin(M, M.c.tracking_number == C.c.tracking_number)
                     .outerjoin(K, (K.c.decision_id == M.c.decision_id) & (K.c.cluster_id == M.c.cluster_id))) \
        .where(C.c.tracking_number == tracking)
    row = conn.execute(q).mappings().first()
    return None if row is None else dict(row)


def hide(conn: Connection, tracking: str, reason: str, note: str) -> None:
    """Record a moderation on the row (the event is the record)."""
    conn.execute(_HIDE, {"tn": tracking, "reason": reason, "note": note})


def for_clustering(conn: Connection, decision_id: str) -> list[tuple[str, str, str | None, bool]]:
    """(tracking number, text, cluster id, hidden) of every comment received in time, in arrival order (the
    moment received, then shard and sequence: comments of one transaction share their moment)."""
    q = select(C.c.tracking_number, C.c.text, M.c.cluster_id, C.c.hidden_reason.is_not(None)) \
        .select_from(C.outerjoin(M, M.c.tracking_number == C.c.tracking_number)) \
        .where(C.c.decision_id == decision_id, C.c.late.is_(False)) \
        .order_by(C.c.received_at, func.coalesce(C.c.shard, -1), C.c.seq)
    return [(r[0], r[1], r[2], bool(r[3])) for r in conn.execute(q)]


def shards(conn: Connection, decision_id: str) -> list[int]:
    """The shards a decision's comments were received on (none when all are on its main stream)."""
    q = select(C.c.shard).distinct().where(C.c.decision_id == decision_id, C.c.shard.is_not(None)) \
        .order_by(C.c.shard)
    return [int(r[0]) for r in conn.execute(q)]


def add_clusters(conn: Connection, decision_id: str, new: Sequence[dict[str, Any]],
                 grown: Sequence[tuple[str, int, int]], members: Sequence[tuple[str, str]]) -> None:
    """Write a clustering run: new clusters, sizes of clusters that grew, member rows."""
    if new:
        conn.execute(_INSERT_CLUSTER, [dict(c, decision_id=decision_id) for c in new])
    if grown:
        conn.execute(_GROW, [{"d": decision_id, "c": c, "n": n, "s": seq} for c, n, seq in grown])
    if members:
        conn.execute(_INSERT_MEMBER, [{"tracking_number": t, "decision_id": decision_id, "cluster_id": c}
                                      for t, c in members])


def clusters(conn: Connection, decision_id: str, *, limit: int | None = None, offset: int = 0
             ) -> list[dict[str, Any]]:
    """Clusters of a decision, largest first, with the representative's text and moderation."""
    q = select(K, C.c.text, C.c.hidden_reason, C.c.notice_artifact_id) \
        .select_from(K.join(C, C.c.tracking_number == K.c.representative)) \
        .where(K.c.decision_id == decision_id).order_by(K.c.size.desc(), K.c.cluster_id)
    if limit is not None:
        q = q.limit(limit).offset(offset)
    return [dict(r) for r in conn.execute(q).mappings()]


def dispose(conn: Connection, decision_id: str, items: Sequence[dict[str, Any]], at: str, by: str,
            seq: int) -> None:
    """Record dispositions on cluster rows."""
    conn.execute(_DISPOSE, [{"d": decision_id, "c": i["cluster_id"], "disposition": i["disposition"],
                             "reason": i["reason"], "changed_in_version": i["changed_in_version"],
                             "at": at, "by": by, "s": seq} for i in items])


def totals(conn: Connection, decision_id: str) -> dict[str, int]:
    """Comments received in time, late, hidden, and not yet clustered."""
    q = select(func.count(), func.sum(C.c.late.cast(Integer)),
               func.sum((C.c.hidden_reason.is_not(None)).cast(Integer)),
               func.sum(((M.c.cluster_id.is_(None)) & C.c.late.is_(False)).cast(Integer))) \
        .select_from(C.outerjoin(M, M.c.tracking_number == C.c.tracking_number)) \
        .where(C.c.decision_id == decision_id)
    total, late, hidden, unclustered = conn.execute(q).one()
    return {"on_time": int(total) - int(late or 0), "late": int(late or 0), "hidden": int(hidden or 0),
            "unclustered": int(unclustered or 0)}


# Built once (verify reads every comment stream's tables: building the statement per call cost more than running it)
_LIVE_COMMENTS = select(C, M.c.cluster_id).select_from(C.outerjoin(M, M.c.tracking_number == C.c.tracking_number)) \
    .where(C.c.decision_id == bindparam("d"))
_LIVE_CLUSTERS = select(K).where(K.c.decision_id == bindparam("d"))


def live(conn: Connection, decision_id: str) -> dict[str, Any]:
    """The tables of a decision's comment stream, in the shape of `participation.fold_comments`."""
    comments = {}
    for r in conn.execute(_LIVE_COMMENTS, {"d": decision_id}).mappings():
        row = dict(r)
        row["attachments"] = orjson.loads(row["attachments"])
        row["late"] = bool(row["late"])
        comments[row["tracking_number"]] = row
    groups = {}
    for r in conn.execute(_LIVE_CLUSTERS, {"d": decision_id}).mappings():
        row = dict(r)
        row.pop("decision_id")
        groups[row["cluster_id"]] = row
    return {"comments": comments, "clusters": groups}
