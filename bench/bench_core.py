"""Core engine benchmark (issue 2): raw SQLite baseline vs. the engine, and `decide verify` throughput.

(a) raw: stdlib sqlite3 appending hash-chained 1 KiB events, one per transaction, WAL + synchronous=FULL;
(b) engine: complete decisions through the service layer on the same settings;
`decide verify` throughput is measured by bench/bench_verify.py (every table verify re-derives, against peers).

    .venv/bin/python bench/bench_core.py [--raw 3000] [--decisions 20]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sqlite3
import tempfile
import time
from pathlib import Path

from decision_engine import bootstrap
from decision_engine.config import Settings
from decision_engine.services import queries
from decision_engine.services.demo import cast, demo_clock, run_demo


def raw_baseline(path: Path, n: int) -> float:
    """Events/s for hash-chained 1 KiB events, one transaction each, WAL + FULL."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("CREATE TABLE ev (id INTEGER PRIMARY KEY, stream TEXT, seq INT, body BLOB, prev TEXT, "
               "hash TEXT, UNIQUE(stream, seq))")
    prev = "0" * 64
    payload = os.urandom(512).hex()
    t = time.perf_counter()
    for i in range(n):
        body = json.dumps({"stream": "s", "seq": i + 1, "payload": payload}).encode()
        h = hashlib.sha256(bytes.fromhex(prev) + body).hexdigest()
        db.execute("BEGIN IMMEDIATE")
        db.execute("INSERT INTO ev (stream, seq, body, prev, hash) VALUES ('s', ?, ?, ?, ?)",
                   (i + 1, body, prev, h))
        db.execute("COMMIT")
        prev = h
    dt = time.perf_counter() - t
    db.close()
    return n / dt


def engine_run(root: Path, decisions: int) -> dict[str, float]:
    """Complete decisions through the service layer."""
    ctx = bootstrap.build(Settings(data_dir=root, database_url=f"sqlite:///{root / 'decide.db'}"),
                          clock=demo_clock())
    people = cast(ctx)
    with ctx.store.read() as conn:
        before = conn.exec_driver_sql("SELECT count(*) FROM events").scalar_one()
    t = time.perf_counter()
    ids = [run_demo(ctx, lambda _: None, people=people) for _ in range(decisions)]
    dt = time.perf_counter() - t
    with ctx.store.read() as conn:
        after = conn.exec_driver_sql("SELECT count(*) FROM events").scalar_one()
    events = after - before
    commands = sum(len([e for e in queries.events(ctx, d) if e["type"] != "DecisionOpened"]) + 1
                   for d in ids)  # each command appends ≥ 1 event; count commands as acts
    ctx.store.dispose()
    return {"events_per_s": events / dt, "decisions_per_s": decisions / dt, "commands_per_s": commands / dt,
            "events": events, "seconds": dt}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--raw", type=int, default=3000)
    ap.add_argument("--decisions", type=int, default=20)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        raw = raw_baseline(root / "raw.db", args.raw)
        eng = engine_run(root / "engine", args.decisions)
        print(f"(a) raw sqlite3, hash-chained 1 KiB events, 1 per txn, WAL+FULL: {raw:,.0f} events/s")
        print(f"(b) engine, {args.decisions} complete decisions ({eng['events']:.0f} events, "
              f"{eng['seconds']:.2f} s): {eng['commands_per_s']:,.0f} gate commands/s, "
              f"{eng['events_per_s']:,.0f} events/s, {eng['decisions_per_s']:.2f} decisions/s")
        print(f"    ratio engine/raw (events/s): {eng['events_per_s'] / raw:.2f}  (target ≥ 0.35)")


if __name__ == "__main__":
    main()
