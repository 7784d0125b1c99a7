"""Reading at scale on PostgreSQL (issue 19: "read p99 < 50 ms on PostgreSQL at 100k decisions"), against the
peer read measured in the same run: on a database made by `bench/scale.py --generate-only --keep`,

    .venv/bin/python bench/scale.py --decisions 100000 --streams all --generate-only --keep
    .venv/bin/python bench/read_scale.py --url postgresql+psycopg://…/decide_scale_… --data-dir /tmp/decide-scale-… \\
        [--seconds 5] [--conns 1,4,16] [--workers 1,2] [--profile] [--drop]

1. Over HTTP (uvicorn `bench.peer_app:app`, wrk from a second process on loopback): `GET /api/v1/decisions/{id}`
   with an auditor's token against the peer `GET /api/v1/bench-peer/decisions/{id}` (the same token check,
   the decision's stored JSON read by key), at each number of connections and uvicorn workers, in rounds
   alternating engine and peer (so that the machine's drift hits both); req/s, p50, p99 and the ratio
   engine / peer of each round, with the load average.
2. In process: list, search and overdue (p50/p99 of 200 calls each) and the replay of a decision with 10,000
   events (a copy of the demo decision with execution reports appended, `scale.long_decision`).
3. What one read costs the database: statements, transactions, pool check-outs (each a pre-ping) and round
   trips of one engine read and one peer read, counted with SQLAlchemy events in process (the same app).
4. With --profile: py-spy samples the 1-worker server while wrk reads at 16 connections (once on CPU only,
   once with idle threads, to see the waiting on PostgreSQL): `bench/profiles/scale-read-w1.svg` (flame
   graph), `scale-read-w1.speedscope.json` and `scale-read-w1.txt` (top-N summary).
--drop drops the database and the data folder at the end.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import event  # noqa: E402

from bench import procs, scale  # noqa: E402
from decision_engine import bootstrap  # noqa: E402
from decision_engine.adapters import store as st  # noqa: E402
from decision_engine.config import Settings  # noqa: E402
from decision_engine.services import identity, queries  # noqa: E402

PROFILES = ROOT / "bench" / "profiles"


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def reader_token(url: str, data_dir: Path) -> str:
    """An auditor (reads everything, AR13) and a token, on the system clock the server runs on."""
    live = bootstrap.build(Settings(data_dir=data_dir, database_url=url))
    try:
        auditor = identity.register_person(live, "压测审计员")
        identity.grant_role(live, auditor, "auditor", "某市审计局", reason="scale read")
        return identity.issue_token(live, auditor, ttl_days=30)
    finally:
        live.store.dispose()


def in_process(url: str, data_dir: Path, long_events: int, target: str, say: Any) -> dict[str, Any]:
    ctx = bootstrap.build(Settings(data_dir=data_dir, database_url=url))
    out: dict[str, Any] = {"list": {}}
    try:
        lists = {
            "first page (50)": lambda: queries.list_decisions(ctx, limit=50),
            "status = in_execution": lambda: queries.list_decisions(ctx, status="in_execution", limit=50),
            "unit + status": lambda: queries.list_decisions(ctx, unit=scale.UNITS[3], status="in_procedure",
                                                            limit=50),
            "search title '垃圾'": lambda: queries.list_decisions(ctx, q="垃圾", limit=50),
            "overdue": lambda: queries.list_decisions(ctx, overdue=True, limit=50),
        }
        for label, fn in lists.items():
            fn()
            out["list"][label] = r = scale.timed(fn, 200)
            say(f"  list/search {label:24} p50 {r['p50_ms']} ms  p99 {r['p99_ms']} ms  (load {load()})")
        # the long decision: a copy of the demo decision (every 8th copy is one) other than the one read
        with ctx.store.read() as conn:
            ids = [r[0] for r in conn.exec_driver_sql(
                "SELECT id FROM decisions WHERE id IN ('MAD-s00000008', 'MAD-s00000016') ORDER BY id")]
        did = scale.long_decision(ctx, long_events, did=next(i for i in ids if i != target))
        with ctx.store.read() as conn:
            n = len(st.stream_events(conn, f"decision:{did}"))

        def replay() -> None:
            with ctx.store.read() as conn:
                queries.replay(conn, did)
        replay()
        out["replay"] = r = scale.timed(replay, 20)
        out["replay"]["events"] = n
        say(f"  replay of {did} ({n:,} events): p50 {r['p50_ms']} ms  p99 {r['p99_ms']} ms  (load {load()})")
    finally:
        ctx.store.dispose()
    return out


def round_trips(url: str, data_dir: Path, token: str, target: str) -> dict[str, Any]:
    """Statements, transactions, check-outs and round trips of one engine read and one peer read (the served
    app in this process, its own engine: the counts are the same in a uvicorn worker)."""
    os.environ.update(DECIDE_DATABASE_URL=url, DECIDE_DATA_DIR=str(data_dir))
    from fastapi.testclient import TestClient

    from bench.peer_app import app
    ctx = app.state.decide.ctx
    engine = ctx.store.engine
    seen: collections.Counter[str] = collections.Counter()
    statements: list[str] = []

    def on(name: str) -> Any:
        def count(*_: Any, **__: Any) -> None:
            seen[name] += 1
        return count
    event.listen(engine, "before_cursor_execute", lambda conn, cursor, stmt, params, *a: statements.append(
        f"{' '.join(stmt.split())[:90]} … {str(params)[:60]}"))
    for name in ("begin", "commit", "rollback"):
        event.listen(engine, name, on(name))
    for name in ("checkout", "reset", "connect"):
        event.listen(engine.pool, name, on(name))
    auth = {"Authorization": f"Bearer {token}"}
    out: dict[str, Any] = {}
    with TestClient(app) as client:
        for label, path in (("engine", f"/api/v1/decisions/{target}"), ("peer", f"/api/v1/bench-peer/decisions/{target}")):
            for _ in range(3):  # warm: caches filled, the pool's connections opened
                assert client.get(path, headers=auth).status_code == 200
            seen.clear()
            statements.clear()
            r = client.get(path, headers=auth)
            assert r.status_code == 200
            c = dict(seen)
            trips = len(statements) + c.get("begin", 0) + c.get("commit", 0) + c.get("rollback", 0) + \
                c.get("checkout", 0) + c.get("reset", 0)  # BEGIN, COMMIT/ROLLBACK, pre-ping, reset on return
            out[label] = {"statements": len(statements), "transactions": c.get("begin", 0),
                          "checkouts": c.get("checkout", 0), "round_trips_est": trips, "bytes": len(r.content),
                          "sql": list(statements)}
    ctx.store.dispose()
    return out


def bench_http(url: str, data_dir: Path, token: str, target: str, seconds: float, conns: list[int],
               workers_list: list[int], rounds: int, say: Any) -> dict[str, Any]:
    auth = {"Authorization": f"Bearer {token}"}
    paths = {"engine": f"/api/v1/decisions/{target}", "peer": f"/api/v1/bench-peer/decisions/{target}"}
    out: dict[str, Any] = {}
    for workers in workers_list:
        proc, base = scale.serve(url, data_dir, workers)
        try:
            for c in conns:
                runs: dict[str, list[dict[str, Any]]] = {"engine": [], "peer": []}
                for _ in range(rounds):
                    for label, path in paths.items():
                        before = procs.cpu_seconds(proc.pid)
                        r = scale.wrk(f"{base}{path}", seconds, c, None, auth)
                        r["server_cpu_ms_per_req"] = round((procs.cpu_seconds(proc.pid) - before) * 1000 /
                                                           max(1.0, r["req_s"] * r["wall_s"]), 2)
                        r["load"] = load()
                        runs[label].append(r)
                ratio = [e["req_s"] / p["req_s"] for e, p in zip(runs["engine"], runs["peer"], strict=True)
                         if p["req_s"]]
                key = f"w{workers}c{c}"
                out[key] = {"runs": runs, "ratio_median": round(statistics.median(ratio), 2) if ratio else None,
                            "ratios": [round(x, 2) for x in ratio]}
                for label in paths:
                    rs = runs[label]
                    say(f"  workers={workers} conns={c:>2} {label:6} "
                        + "; ".join(f"{r['req_s']:,.0f} req/s p50 {r['p50_ms']} p99 {r['p99_ms']} ms "
                                    f"cpu {r['server_cpu_ms_per_req']} ms/req non2xx {r['non_2xx']} "
                                    f"(load {r['load']})" for r in rs))
                say(f"  workers={workers} conns={c:>2} engine/peer req/s: {out[key]['ratios']} "
                    f"median {out[key]['ratio_median']}")
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
    return out


def profile(url: str, data_dir: Path, token: str, target: str, seconds: float, say: Any) -> dict[str, Any]:
    """py-spy on the 1-worker server while wrk reads at 16 connections: once on CPU (flame graph and
    speedscope), once with idle threads (how much of a request waits on PostgreSQL)."""
    PROFILES.mkdir(exist_ok=True)
    auth = {"Authorization": f"Bearer {token}"}
    proc, base = scale.serve(url, data_dir, 1)
    raw: dict[str, Path] = {}
    try:
        for mode in ("cpu", "idle"):
            tmp = Path(tempfile.mkdtemp(prefix="decide-pyspy-"))
            jobs = []
            for fmt, name in (("raw", "raw.txt"), ("flamegraph", "flame.svg"), ("speedscope", "speed.json")):
                if mode == "idle" and fmt != "raw":
                    continue
                cmd = [shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy"), "record", "-p", str(proc.pid), "-d", str(round(seconds)), "-r", "200",
                       "-f", fmt, "-o", str(tmp / name), "--nonblocking"] + (["--idle"] if mode == "idle" else [])
                jobs.append(subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            time.sleep(0.5)
            r = scale.wrk(f"{base}/api/v1/decisions/{target}", seconds, 16, None, auth)
            for j in jobs:
                j.wait(timeout=60)
            say(f"  profile ({mode}): {r['req_s']:,.0f} req/s during sampling (load {load()})")
            raw[mode] = tmp / "raw.txt"
            if mode == "cpu":
                shutil.copy(tmp / "flame.svg", PROFILES / "scale-read-w1.svg")
                shutil.copy(tmp / "speed.json", PROFILES / "scale-read-w1.speedscope.json")
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    summary = summarise(raw["cpu"], raw["idle"])
    for path in raw.values():
        shutil.rmtree(path.parent, ignore_errors=True)
    (PROFILES / "scale-read-w1.txt").write_text(summary["text"], encoding="utf-8")
    say(f"  profile: {PROFILES / 'scale-read-w1.svg'}, .speedscope.json, .txt")
    return {k: v for k, v in summary.items() if k != "text"}


def _stacks(path: Path) -> list[tuple[list[str], int]]:
    out = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, n = line.rpartition(" ")
        if stack and n.isdigit():
            out.append((stack.split(";"), int(n)))
    return out


def _request(frames: list[str]) -> bool:
    """A sample inside a request's handling: the product's code or the sync route's thread."""
    return any("(api/" in f or "(decision_engine/" in f or "(bench/peer_app" in f or "_run_sync_endpoint" in f
               for f in frames)


STEPS = (  # the step of the read a sample is in: the outermost frame matching one of these
    ("token check (identity.authenticate)", "authenticate (decision_engine/services/identity.py"),
    ("reader check (access.require_reader: roles, org chart, relation)", "require_reader (decision_engine/"),
    ("projection load (decisions.load: row + JSON → Decision)", "load (decision_engine/services/decisions.py"),
    ("view (queries.view: derived gates, calendar)", "view (decision_engine/services/queries.py"),
    ("response model (FastAPI serialize_response, pydantic)", "serialize_response (fastapi"),
)
NOTABLE = (  # single calls worth naming, inclusive share
    ("org chart head re-read (organisation.chart_of: events.last('org:chart'))", "chart_of (decision_engine/"),
    ("the reader's roles (access.current_actors)", "current_actors (decision_engine/"),
    ("the reader's relation to the decision (access.readable)", "readable (decision_engine/"),
)
WAIT = "Connection.wait (psycopg/connection.py"  # blocked on the server's answer
CONNECT = ("_connect_gen (psycopg", "Connection.close (psycopg", "__connect (sqlalchemy/pool")  # pool churn


def summarise(cpu: Path, idle: Path, top: int = 25) -> dict[str, Any]:
    lines = ["py-spy samples of the 1-worker uvicorn server while wrk reads one decision at 16 connections",
             "(bench/read_scale.py --profile; 200 Hz). 'default' = py-spy's own idle filter (it does not drop",
             "threads blocked in libpq's wait, so it is not CPU time); '--idle' = every thread, here only the",
             "samples inside a request's handling. Columns: share of those samples; of which blocked on",
             "PostgreSQL's answer (innermost frame psycopg Connection.wait: libpq's wait), psycopg's own work",
             "under that wait (send, prepare, parse results; with 16 threads, also waiting to get the GIL back",
             "after a libpq call), opening/closing a connection (pool overflow),",
             "and the rest (Python in the product, SQLAlchemy, FastAPI).", ""]
    result: dict[str, Any] = {}
    for mode, path in (("default", cpu), ("--idle", idle)):
        stacks = [(f, n) for f, n in _stacks(path) if _request(f)]
        everything = sum(n for _, n in _stacks(path)) or 1
        total = sum(n for _, n in stacks) or 1
        steps: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
        self_: collections.Counter[str] = collections.Counter()
        for frames, n in stacks:
            self_[frames[-1]] += n
            step = next((name for f in frames for name, key in STEPS if key in f), "other (HTTP stack, routing, "
                                                                                   "dependencies)")
            text = ";".join(frames)
            what = ("connect" if any(k in text for k in CONNECT) else "wait" if frames[-1].startswith(WAIT)
                    else "psycopg" if WAIT in text else "rest")
            steps[step][what] += n
            steps["TOTAL"][what] += n
        result[mode] = {k: {w: round(100 * v / total, 1) for w, v in c.items()} for k, c in steps.items()}
        result[mode]["samples"] = total
        lines.append(f"== {mode}: {total} of {everything} samples inside a request")
        lines.append(f"  {'step':66} {'all':>6} {'wait PG':>8} {'psycopg':>8} {'connect':>8} {'rest':>6}")
        for name, c in sorted(steps.items(), key=lambda kv: -sum(kv[1].values())):
            lines.append(f"  {name:66} {100 * sum(c.values()) / total:5.1f}% {100 * c['wait'] / total:7.1f}% "
                         f"{100 * c['psycopg'] / total:7.1f}% {100 * c['connect'] / total:7.1f}% "
                         f"{100 * c['rest'] / total:5.1f}%")
        lines.append("  single calls, inclusive:")
        for name, key in NOTABLE:
            n_in = sum(n for frames, n in stacks if any(key in f for f in frames))
            result[mode][name] = round(100 * n_in / total, 1)
            lines.append(f"    {100 * n_in / total:5.1f} %  {name}")
        lines.append(f"  top {top} frames by self samples:")
        for k, v in self_.most_common(top):
            lines.append(f"    {100 * v / total:5.1f} %  {k}")
        lines.append("")
    result["text"] = "\n".join(lines)
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url")
    ap.add_argument("--data-dir", type=Path)
    ap.add_argument("--summarise", nargs=2, type=Path, metavar=("RAW", "RAW_IDLE"),
                    help="only write bench/profiles/scale-read-w1.txt from two py-spy --format raw files")
    ap.add_argument("--seconds", type=float, default=5)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--conns", default="1,4,16")
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("--long-events", type=int, default=10_000)
    ap.add_argument("--skip", default="", help="comma-separated parts to skip: http,inproc,trips,profile")
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--drop", action="store_true")
    ap.add_argument("--pool", type=int, help="serve with a persistent pool of N connections "
                    "(DECIDE_BENCH_POOL_SIZE, bench/peer_app.py); the product's default is 5 + overflow 10")
    args = ap.parse_args()
    if args.pool:
        os.environ["DECIDE_BENCH_POOL_SIZE"] = str(args.pool)
    say = print
    if args.summarise:
        (PROFILES / "scale-read-w1.txt").write_text(summarise(*args.summarise)["text"], encoding="utf-8")
        return
    if not args.url or not args.data_dir:
        ap.error("--url and --data-dir are required")
    skip = set(args.skip.split(",")) - {""}
    report: dict[str, Any] = {"load_start": load(), "pool": args.pool or "5 + overflow 10"}
    try:
        ctx = bootstrap.build(Settings(data_dir=args.data_dir, database_url=args.url))
        with ctx.store.read() as conn:
            target = conn.exec_driver_sql("SELECT id FROM decisions WHERE status = 'in_execution' AND id LIKE "
                                          "'MAD-s%%' ORDER BY id LIMIT 1").scalar_one()
            n = conn.exec_driver_sql("SELECT count(*) FROM decisions").scalar_one()
            size = len(conn.exec_driver_sql("SELECT state FROM decisions WHERE id = %(i)s",
                                            {"i": target}).scalar_one())
        ctx.store.dispose()
        token = reader_token(args.url, args.data_dir)
        report.update(decisions=n, target=target, stored_json_bytes=size)
        say(f"{n:,} decisions; reading {target} (stored projection {size:,} bytes); load {load()}")
        if "trips" not in skip:
            report["round_trips"] = t = round_trips(args.url, args.data_dir, token, target)
            for label, v in t.items():
                say(f"  one {label} read: {v['statements']} statements in {v['transactions']} transactions, "
                    f"{v['checkouts']} check-outs, ~{v['round_trips_est']} round trips, {v['bytes']:,} bytes")
                for s in v["sql"]:
                    say(f"      {s}")
        if "http" not in skip:
            report["http"] = bench_http(args.url, args.data_dir, token, target, args.seconds,
                                        [int(c) for c in args.conns.split(",")],
                                        [int(w) for w in args.workers.split(",")], args.rounds, say)
        if args.profile and "profile" not in skip:
            report["profile"] = p = profile(args.url, args.data_dir, token, target, max(args.seconds, 10), say)
            for mode, groups in p.items():
                say(f"  {mode}: " + "; ".join(f"{k} {sum(v.values()) if isinstance(v, dict) else v}"
                                              for k, v in groups.items()))
        if "inproc" not in skip:
            report["in_process"] = in_process(args.url, args.data_dir, args.long_events, target, say)
        report["load_end"] = load()
        out = ROOT / "bench" / "out"
        out.mkdir(exist_ok=True)
        (out / f"read-scale{f'-pool{args.pool}' if args.pool else ''}.json").write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    finally:
        if args.drop:
            procs.drop_pg_database(scale.pg_url(), args.url.rsplit("/", 1)[1])
            shutil.rmtree(args.data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
