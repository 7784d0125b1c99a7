"""Queries for auditors (Art. 38; R18, Art. 33): a decision's event timeline as of any moment, the chain and
replay check of one decision, and the latest signed checkpoint with its witnesses. (The difference between
two moments is `timetravel.diff`; trace-back by decision and by person is `accountability`.)"""

from __future__ import annotations

from typing import Any

from decision_engine.audit.canonical import GENESIS, chain_hash
from decision_engine.services import queries, transparency
from decision_engine.services.context import Context
from decision_engine.services.decisions import load, stream_of


def timeline(ctx: Context, decision_id: str, *, at: str | None = None, seq: int | None = None
             ) -> dict[str, Any]:
    """Every event of a decision with its chain hashes; with `at` or `seq`, the decision as it stood then
    and which events came after."""
    events = queries.events(ctx, decision_id, limit=100_000)
    then = queries.history_at(ctx, decision_id, at=at, seq=seq) if (at or seq) else None
    last = then["seq"] if then else None
    for ev in events:
        ev["after"] = last is not None and ev["seq"] > last
    return {"decision_id": decision_id, "events": events, "as_of": then, "at": at, "seq": seq}


def check_decision(ctx: Context, decision_id: str) -> dict[str, Any]:
    """One decision's hash chain recomputed from the stored bytes, and its replay compared with the live
    projection (the per-decision part of `decide verify`)."""
    problems: list[str] = []
    with ctx.uow.read() as uow:
        rows = uow.events.chain(stream_of(decision_id))
        prev = GENESIS
        for n, (seq, body, prev_hash, digest) in enumerate(rows, start=1):
            if seq != n or prev_hash != prev:
                problems.append(f"seq {seq}: the chain does not link (expected seq {n})")
            if chain_hash(prev_hash, body, ctx.store.chain_algorithm) != digest:
                problems.append(f"seq {seq}: stored hash differs from the recomputed one")
            prev = digest
        live, _ = load(uow.tx, decision_id)
        replayed = queries.replay(uow, decision_id)
    if replayed.state != live.state:
        problems.append("the projection differs from the replay of the events")
    return {"decision_id": decision_id, "events": len(rows), "head": prev, "ok": not problems,
            "problems": problems}


def latest_checkpoint(ctx: Context) -> dict[str, Any] | None:
    """The newest signed checkpoint of the transparency log and the witnesses that cosigned it."""
    signed = transparency.checkpoints(ctx)
    if not signed:
        return None
    last = signed[-1]
    return dict(last, witnesses=transparency.cosigners(ctx, int(last["size"])), count=len(signed))
