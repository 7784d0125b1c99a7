"""Replay of a decision with 10,000 events (issue 19 §3), against a peer in the same run.

    .venv/bin/python bench/bench_replay.py [--events 10000] [--runs 20] [--profile] [--postgres]

The decision is scale.py's long decision (the demo decision, then execution reports appended, chained and
projected as the engine would), on SQLite in a temporary directory (or a fresh PostgreSQL database with
--postgres and DECIDE_TEST_POSTGRES_URL). Timed alternately, run by run:

    replay  `queries.replay`: read the stream and fold every event into a fresh aggregate, as `decide replay`
            and `decide verify` do
    peer    the least any replay must do: the same rows read in the same kind of transaction through the
            driver's cursor and each event's stored JSON parsed (orjson), nothing folded (the cyclic collector
            paused, as the replay pauses it: without that the peer measures the collector)

    fold    the fold alone: the same events decoded beforehand (untimed), then `projection.fold_all` (with
            consume=True where it has it, as `decide verify` folds) and the derived fields (`Decision.refresh`)
            into a fresh aggregate, and the events and the state freed

and checked: the replayed state is byte-identical (sorted JSON) to the stored projection. Prints p50/p99 of
each in wall time and in CPU time of this process (`time.process_time`: what the replay costs whatever else
the machine runs), and the ratios to the peer per round. --profile writes a pyinstrument call tree to
bench/profiles/replay.txt when pyinstrument is installed, a cProfile listing otherwise.
"""

from __future__ import annotations

import argparse
import inspect
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.scale import drop_db, fresh_db, long_decision  # noqa: E402
from decision_engine import bootstrap  # noqa: E402
from decision_engine.adapters import store as st  # noqa: E402
from decision_engine.adapters.tables import EVENTS  # noqa: E402
from decision_engine.config import Settings  # noqa: E402
from decision_engine.domain import projection  # noqa: E402
from decision_engine.domain.decision import Decision  # noqa: E402
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

            def replay_text() -> str:
                with ctx.store.read() as conn:
                    return st.state_text(queries.replay(conn, did).state)

            def replay() -> None:
                with ctx.store.read() as conn:
                    queries.replay(conn, did)

            with ctx.store.read() as conn:
                events_text = orjson.dumps(st.stream_events(conn, stream))
                spec = st.get_spec(conn, orjson.loads(events_text)[0]["payload"]["procedure"]["hash"])

            # as `decide verify` folds decoded events: consuming the list where fold_all can (issue 19 round 2)
            consume = "consume" in inspect.signature(projection.fold_all).parameters
            fold_kw: dict[str, Any] = {"consume": True} if consume else {}

            def fold() -> tuple[float, float]:
                events = orjson.loads(events_text)  # decoded before the clock starts
                t0, c0 = time.perf_counter(), time.process_time()
                with st.no_cyclic_gc():
                    d = Decision(spec)
                    projection.fold_all(d, events, d.events, **fold_kw)
                    d.refresh()
                del d, events
                return time.perf_counter() - t0, time.process_time() - c0

            def peer() -> int:
                with ctx.store.read() as conn, st.no_cyclic_gc():  # the collector paused, as the replay has it
                    cur = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
                    cur.execute(peer_sql)
                    return len([orjson.loads(r[0]) for r in cur.fetchall()])

            with ctx.store.read() as conn:
                stored = st.load_decision(conn, did)["state"]
            n = peer()
            same = replay_text() == stored
            print(f"{'PostgreSQL' if args.postgres else 'SQLite'}: decision {did}, {n:,} events; replay equals "
                  f"the stored projection: {same}")
            wall: dict[str, list[float]] = {"replay": [], "peer": [], "fold": []}
            cpu: dict[str, list[float]] = {"replay": [], "peer": [], "fold": []}
            for _ in range(args.runs):
                for label, fn in (("replay", replay), ("peer", peer)):
                    t0, c0 = time.perf_counter(), time.process_time()
                    fn()
                    wall[label].append((time.perf_counter() - t0) * 1000)
                    cpu[label].append((time.process_time() - c0) * 1000)
                w, c = fold()
                wall["fold"].append(w * 1000)
                cpu["fold"].append(c * 1000)
            for label in wall:
                print(f"{label:7} wall p50 {statistics.median(wall[label]):7.1f} ms  p99 {pct(wall[label], 99):7.1f} ms"
                      f"   CPU p50 {statistics.median(cpu[label]):7.1f} ms  min {min(cpu[label]):7.1f} ms")
            for kind, times in (("wall", wall), ("CPU", cpu)):
                for label in ("replay", "fold"):
                    ratios = [r / p for r, p in zip(times[label], times["peer"], strict=True)]
                    print(f"{label} / peer (read + parse the same rows), {kind}: median {statistics.median(ratios):.2f} "
                          f"(min {min(ratios):.2f}, max {max(ratios):.2f})")
            print(f"fold: fold_all(consume={consume}) + refresh, freeing included; goal: replay < 50 ms")
            if args.profile:
                out = ROOT / "bench" / "profiles"
                out.mkdir(exist_ok=True)
                try:
                    from pyinstrument import Profiler
                except ImportError:
                    import cProfile
                    import io
                    import pstats
                    prof = cProfile.Profile()
                    prof.enable()
                    for _ in range(5):
                        replay()
                    prof.disable()
                    text = io.StringIO()
                    pstats.Stats(prof, stream=text).sort_stats("tottime").print_stats(25)
                    (out / "replay-cprofile.txt").write_text(text.getvalue(), encoding="utf-8")
                    print(f"profile: {out / 'replay-cprofile.txt'}")
                else:
                    prof = Profiler(interval=0.0005)
                    prof.start()
                    for _ in range(5):
                        replay()
                    prof.stop()
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
