"""A complete decision through the service layer on SQLite and PostgreSQL; replay equals live."""

from __future__ import annotations

import json

from decision_engine.services import queries, verification
from decision_engine.services.context import Context
from decision_engine.services.decisions import load
from decision_engine.services.demo import run_demo


def test_complete_decision_runs_every_gate_and_the_log_verifies(ctx: Context) -> None:
    lines: list[str] = []
    did = run_demo(ctx, lines.append)
    view = queries.get_decision(ctx, did)
    assert view["status"] == "evaluated"
    statuses = {g["id"]: g["status"] for g in view["gates"]}
    assert statuses["legality_review"] == "cleared"
    assert statuses["collective_decision"] == "cleared"
    assert statuses["hearing"] == "cleared"
    assert view["refused_attempts"] == 2  # the premature finalization and the reviewer's own clearing
    rep = verification.verify(ctx)
    assert rep.ok, [str(f) for f in rep.findings]
    assert rep.decisions == 1 and rep.events > 60


def test_replay_of_every_prefix_equals_the_projection_it_produced(ctx: Context) -> None:
    did = run_demo(ctx, lambda _: None)
    with ctx.store.read() as conn:
        live, seq = load(conn, did)
        assert queries.replay(conn, did).state == live.state
        # time travel: each prefix replays to a consistent state whose seq is the prefix length
        for upto in (1, 5, 20, seq - 1):
            past = queries.replay(conn, did, upto_seq=upto)
            assert past.state["seq"] == upto
    stored = json.loads(json.dumps(live.state))
    assert stored == live.state


def test_history_at_a_moment_shows_the_decision_before_finalization(ctx: Context) -> None:
    did = run_demo(ctx, lambda _: None)
    events = queries.events(ctx, did)
    finalized = next(e for e in events if e["type"] == "DecisionFinalized")
    before = queries.history_at(ctx, did, seq=finalized["seq"] - 1)
    after = queries.history_at(ctx, did, at=finalized["at"])
    assert before["status"] == "ready_for_decision"
    assert after["status"] == "decided"
