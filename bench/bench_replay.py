"""Replay of a decision with 10,000 events (issue 19 §3), against a peer in the same run.

    .venv/bin/python bench/bench_replay.py [--events 10000] [--runs 20] [--profile] [--postgres]

The decision is scale.py's long decision (the demo decision, then execution reports appended, chained and
projected as the engine would), on SQLite in a temporary directory (or a fresh PostgreSQL database with
--postgres and DECIDE_TEST_POSTGRES_URL). Timed alternately, run by run:

    replay  `queries.replay`: read the stream and fold every event into a fresh aggregate, as `decide replay`
            and `decide verify` do
    peer    the least any replay must do: the same rows read in the same kind of transaction through the
            driver's cursor and each event's stored JSON parsed (orjson), nothing folded

and checked: the replayed state is byte-identical (sorted JSON) to the stored projection. Prints p50/p99 of
each, and the ratio replay / peer per pair. --profile writes a pyinstrument call tree to
bench/profiles/replay.txt.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import orjson
from sqlalchemy import select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.scale import drop_db, fresh_db, long_decision  # noqa: E402
from decision_engine import bootstrap  # noqa: E402
from decision_engine.adapters import store as st  # noqa: E402
from decision_engine.adapters.tables import EVENTS  # noqa: E402
from decision_engine.config import Settings  # noqa: E402
from decision_engine.services import queries  # noqa: E402
from decision_engine.services.demo import demo_clock  # noqa: E402


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--events", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--postgres", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="decide-replay-") as tmp:
        data_dir = Path(tmp)
        name = None
        if args.postgres:
            url, name = fresh_db()
        else:
            url = f"sqlite:///{data_dir / 'decide.db'}"
        try:
            ctx = bootstrap.build(Settings(data_dir=data_dir, database_url=url), clock=demo_clock())
            did = long_decision(ctx, args.events)
            stream = f"decision:{did}"
            peer_sql = str(select(EVENTS.c.body).where(EVENTS.c.stream == stream).order_by(EVENTS.c.seq)
                           .compile(dialect=ctx.store.engine.dialect, compile_kwargs={"literal_binds": True}))

            def replay() -> str:
                with ctx.store.read() as conn:
                    return st.state_text(queries.replay(conn, did).state)

            def peer() -> int:
                with ctx.store.read() as conn:
                    cur = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
                    cur.execute(peer_sql)
                    return len([orjson.loads(r[0]) for r in cur.fetchall()])

            with ctx.store.read() as conn:
                stored = st.load_decision(conn, did)["state"]
            n = peer()
            same = replay() == stored
            print(f"{'PostgreSQL' if args.postgres else 'SQLite'}: decision {did}, {n:,} events; replay equals "
                  f"the stored projection: {same}")
            times: dict[str, list[float]] = {"replay": [], "peer": []}
            for _ in range(args.runs):
                for label, fn in (("replay", replay), ("peer", peer)):
                    t0 = time.perf_counter()
                    fn()
                    times[label].append((time.perf_counter() - t0) * 1000)
            ratios = [r / p for r, p in zip(times["replay"], times["peer"], strict=True)]
            for label, ms in times.items():
                print(f"{label:7} p50 {statistics.median(ms):7.1f} ms  p99 {pct(ms, 99):7.1f} ms")
            print(f"replay / peer (read + parse the same rows): median {statistics.median(ratios):.2f} "
                  f"(min {min(ratios):.2f}, max {max(ratios):.2f}); goal: replay < 50 ms")
            if args.profile:
                from pyinstrument import Profiler
                prof = Profiler(interval=0.0005)
                prof.start()
                for _ in range(5):
                    replay()
                prof.stop()
                out = ROOT / "bench" / "profiles"
                out.mkdir(exist_ok=True)
                (out / "replay.txt").write_text(prof.output_text(unicode=True), encoding="utf-8")
                print(f"profile: {out / 'replay.txt'}")
            ctx.store.dispose()
            if not same:
                raise SystemExit("replay differs from the stored projection")
        finally:
            if name:
                drop_db(name)


if __name__ == "__main__":
    main()
