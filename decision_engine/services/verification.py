"""`decide verify`: every chain, every artifact's bytes, every projection re-derived from the events."""

from __future__ import annotations

import hashlib
import multiprocessing as mp
import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import select

from decision_engine.adapters import store as st
from decision_engine.adapters.store import Store
from decision_engine.adapters.tables import ARTIFACTS, DECISIONS, EVENTS
from decision_engine.audit.canonical import CHAIN_DOMAIN, GENESIS, canonical, hash_constructor, sha256_hex
from decision_engine.domain.decision import Decision
from decision_engine.domain.errors import DomainError
from decision_engine.services.context import Context

E = EVENTS
D = DECISIONS
A = ARTIFACTS


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing that does not verify: where, and what differs."""

    stream: str
    seq: int
    what: str

    def __str__(self) -> str:
        return f"{self.stream} seq {self.seq}: {self.what}"


@dataclass
class Report:
    """The result of a full verification."""

    events: int = 0
    streams: int = 0
    artifacts: int = 0
    decisions: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing differs."""
        return not self.findings


_COLUMNS = ("stream", "seq", "type", "at", "person", "role", "unit")


def _column_difference(env: dict[str, Any], row: tuple[Any, ...]) -> str:
    actor = env.get("actor") or {}
    signed = (env.get("stream"), env.get("seq"), env.get("type"), env.get("at"), actor.get("person"),
              actor.get("role"), actor.get("unit"))
    return "; ".join(f"column {name}={have!r} differs from the signed body's {want!r}"
                     for name, have, want in zip(_COLUMNS, row, signed, strict=True) if have != want)


def verify(ctx: Context, *, replay: bool = True, workers: int | None = None) -> Report:
    """Verify every stream's hash chain, every artifact blob and (with replay) every projection.

    Streams are split into contiguous ranges checked in parallel processes (each opens its own
    connection); a chain never crosses a range boundary, so the split changes no result.
    """
    rep = Report()
    workers = workers or min(2, os.cpu_count() or 1)
    with ctx.store.read() as conn:
        streams = [r[0] for r in conn.execute(select(E.c.stream).distinct().order_by(E.c.stream))]
    bounds = _split(streams, workers if len(streams) > 2000 else 1)
    if len(bounds) == 1:
        _merge(rep, _verify_range(ctx.store, bounds[0], replay))
    else:
        with ProcessPoolExecutor(max_workers=len(bounds), mp_context=mp.get_context("fork")) as pool:
            for part in pool.map(_verify_range_url, [ctx.store.url] * len(bounds), bounds,
                                 [replay] * len(bounds)):
                _merge(rep, part)
    with ctx.store.read() as conn:
        for art in conn.execute(select(A.c.id, A.c.decision_id, A.c.sha256, A.c.seq)
                                .where(A.c.storage == "blob")):
            rep.artifacts += 1
            where = (f"decision:{art.decision_id}", art.seq)
            if not ctx.blobs.exists(art.sha256):
                rep.findings.append(Finding(*where, f"artifact {art.id}: blob {art.sha256[:16]}… is missing"))
            elif hashlib.sha256(ctx.blobs.get(art.sha256)).hexdigest() != art.sha256:
                rep.findings.append(Finding(*where, f"artifact {art.id}: blob bytes do not match "
                                            f"{art.sha256[:16]}…"))
    from decision_engine.services.transparency import verify_log  # here: transparency imports Finding
    rep.findings.extend(verify_log(ctx))
    return rep


def _split(streams: list[str], parts: int) -> list[tuple[str | None, str | None]]:
    """Contiguous [lo, hi) stream ranges of about equal size."""
    if parts <= 1 or not streams:
        return [(None, None)]
    cuts = [streams[len(streams) * i // parts] for i in range(1, parts)]
    return list(zip([None, *cuts], [*cuts, None], strict=True))


def _merge(into: Report, part: Report) -> None:
    into.events += part.events
    into.streams += part.streams
    into.decisions += part.decisions
    into.findings.extend(part.findings)


def _verify_range_url(url: str, bounds: tuple[str | None, str | None], replay: bool) -> Report:
    store = Store(url)
    try:
        return _verify_range(store, bounds, replay)
    finally:
        store.dispose()


def _verify_range(store: Store, bounds: tuple[str | None, str | None], replay: bool) -> Report:
    """Chains (and projections) of the streams in [lo, hi)."""
    rep = Report()
    lo, hi = bounds
    decisions: dict[str, list[dict[str, Any]]] = {}
    others: list[str] = []
    with store.read() as conn:
        cur_stream, expect_seq, prev = "", 0, GENESIS
        sha256 = hash_constructor(store.chain_algorithm)  # SHA-256, or SM3 under the 国密 log profile
        q = select(E.c.stream, E.c.seq, E.c.type, E.c.at, E.c.person, E.c.role, E.c.unit, E.c.body,
                   E.c.prev_hash, E.c.hash)
        if lo is not None:
            q = q.where(E.c.stream >= lo)
        if hi is not None:
            q = q.where(E.c.stream < hi)
        q = q.order_by(E.c.stream, E.c.seq)
        for stream, seq, etype, at, person, role, unit, body, prev_hash, stored_hash in _rows(conn, q):
            rep.events += 1
            if stream != cur_stream:
                cur_stream, expect_seq, prev = stream, 0, GENESIS
                rep.streams += 1
            expect_seq += 1
            if seq != expect_seq:
                rep.findings.append(Finding(stream, seq, f"sequence gap or reordering: expected {expect_seq}"))
                expect_seq = seq
            if prev_hash != prev:
                rep.findings.append(Finding(stream, seq, f"prev_hash {prev_hash[:16]}… does not link to the "
                                            f"previous event's hash {prev[:16]}… (deleted or inserted event)"))
            body = bytes(body)
            computed = sha256(CHAIN_DOMAIN + bytes.fromhex(prev_hash) + body).hexdigest()
            if computed != stored_hash:
                rep.findings.append(Finding(stream, seq, f"hash differs: stored {stored_hash[:16]}…, "
                                            f"computed {computed[:16]}… (event bytes edited)"))
            prev = stored_hash
            try:
                env = orjson.loads(body)
            except orjson.JSONDecodeError:
                rep.findings.append(Finding(stream, seq, "stored bytes are not JSON"))
                continue
            actor = env.get("actor") or {}
            if (env.get("stream"), env.get("seq"), env.get("type"), env.get("at"), actor.get("person"),
                    actor.get("role"), actor.get("unit")) != (stream, seq, etype, at, person, role, unit):
                rep.findings.append(Finding(stream, seq, _column_difference(
                    env, (stream, seq, etype, at, person, role, unit))))
            if replay and stream.startswith("decision:"):
                decisions.setdefault(stream[9:], []).append(env)
            elif replay and seq == 1 and stream.startswith(_OTHER_PROJECTIONS):
                others.append(stream)
        if replay:
            _check_projections(conn, decisions, rep, lo, hi)
            _check_other_projections(conn, others, rep)
    return rep


# Streams besides decisions whose tables are projections too: meetings (R15), accountability cases
# (Arts. 38–41) and the public comments of a decision (R6, R8). Each is rebuilt from its own events.
_OTHER_PROJECTIONS = ("meeting:", "accountability:", "comments:")


def _check_other_projections(conn: Any, streams: list[str], rep: Report) -> None:
    from decision_engine.services import accountability, meetings, participation
    for stream in streams:
        kind, _, key = stream.partition(":")
        try:
            if kind == "meeting":
                same = meetings.replay_meeting(conn, key).state == meetings.load_meeting(conn, key)[0].state
            elif kind == "accountability":
                same = (accountability.replay_case(conn, key).state
                        == accountability.load_case(conn, key)[0].state)
            else:
                same = participation.replay_comments(conn, key) == participation.live_comments(conn, key)
        except DomainError as err:  # events without their projection row
            rep.findings.append(Finding(stream, 0, f"no projection to compare with the replay ({err.message})"))
            continue
        if not same:
            rep.findings.append(Finding(stream, 0, f"{kind} tables differ from the replay of the stream"))


def _rows(conn: Any, query: Any) -> Iterator[tuple[Any, ...]]:
    """Stream rows through the driver's cursor in batches (verification reads millions of them)."""
    sql = str(query.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
    cur = conn.connection.dbapi_connection.cursor()
    try:
        cur.execute(sql)
        while batch := cur.fetchmany(5000):
            yield from batch
    finally:
        cur.close()


def _check_projections(conn: Any, decisions: dict[str, list[dict[str, Any]]], rep: Report,
                       lo: str | None, hi: str | None) -> None:
    q = select(D.c.id, D.c.procedure_hash, D.c.state, D.c.last_seq, D.c.status)
    prefix = "decision:"  # decision streams form one contiguous block of the sorted stream names
    if (hi is not None and hi <= prefix) or (lo is not None and lo >= prefix + "\uffff"):
        rows: dict[str, Any] = {}
    else:
        if lo is not None and lo.startswith(prefix):
            q = q.where(D.c.id >= lo[len(prefix):])
        if hi is not None and hi.startswith(prefix):
            q = q.where(D.c.id < hi[len(prefix):])
        rows = {r.id: r for r in conn.execute(q)}
    for did, row in rows.items():
        rep.decisions += 1
        evs = decisions.pop(did, [])
        first = evs[0]["payload"]["procedure"]["hash"] if evs else row.procedure_hash
        d = Decision(st.get_spec(conn, first), resolve=lambda h: st.get_spec(conn, h))
        for ev in evs:
            d.apply(ev, refresh=False)
        if evs:
            d.refresh()
        for art in d.state.get("artifacts", {}).values():
            if art.get("storage") == "inline" and sha256_hex(canonical(art["fields"])) != art["sha256"]:
                rep.findings.append(Finding(f"decision:{did}", art["seq"], f"artifact {art['id']}: inline "
                                            "fields do not match their recorded sha256"))
        if st.state_text(d.state) != row.state:
            stored = orjson.loads(row.state)
            diff = sorted(k for k in set(stored) | set(d.state) if stored.get(k) != d.state.get(k))
            rep.findings.append(Finding(f"decision:{did}", row.last_seq,
                                        f"projection differs from replay in: {', '.join(diff)}"))
    for did, evs in decisions.items():
        rep.findings.append(Finding(f"decision:{did}", evs[-1]["seq"], "events without a projection row"))
