"""The pieces as separate processes, measured (issue 19 §6, docs/deployment.md): a PostgreSQL primary with a
streaming replica started locally, `uvicorn api.app:app --workers N` (N = 1, 2, 4) on one port with the public
pages reading the replica (DECIDE_PUBLIC_DATABASE_URL), and for each N the public comment intake (POST, on the
primary) and the public decision page (GET, on the replica), each printed as a ratio against N = 1 in the same
run: the three servers are up at once and measured in turn, round after round. Then the replica's catch-up after the last comment, `decide verify` on the primary.

    .venv/bin/python bench/deploy_run.py [--requests 600] [--concurrency 16] [--workers 1,2,4] [--no-replica]

The replica: a private primary (initdb in a temporary directory, on a free port, `fsync=on`, a `replication`
line in its own pg_hba.conf) and a standby made by `pg_basebackup -R -X stream`, both run as the `postgres`
OS user (PostgreSQL refuses to run as root). When that cannot be done here (not root, no PostgreSQL
binaries, initdb refused), the script says why and measures on DECIDE_TEST_POSTGRES_URL without a replica.
The load client is bench_comments.py's (keep-alive connections, asyncio, in this process): on a 2-core
machine it shares the cores with the servers and the database, which bounds every ratio above 1 process.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import procs  # noqa: E402
from bench.bench_comments import consultation, generate, load, pct  # noqa: E402
from decision_engine import bootstrap  # noqa: E402
from decision_engine.config import Settings  # noqa: E402
from decision_engine.services import verification  # noqa: E402
from decision_engine.services.demo import cast  # noqa: E402


# ------------------------------------------------------------------------------------------ databases
@contextmanager
def replicated(say: Any) -> Iterator[tuple[str, str | None]]:
    """(primary URL, standby URL) of bench/procs.py's private primary and streaming standby; or, when that
    cannot be started here, (a fresh database on DECIDE_TEST_POSTGRES_URL, None) with the reason printed."""
    try:
        pair = procs.streaming_pair()
        primary, standby = pair.__enter__()
    except procs.ReplicaUnavailable as exc:
        yield from _fallback(say, str(exc))
        return
    try:
        import psycopg
        with psycopg.connect(procs.plain(primary).rsplit("/", 1)[0] + "/postgres") as conn:
            state = conn.execute("SELECT state, sync_state FROM pg_stat_replication").fetchall()
        say(f"primary {primary.rsplit('@', 1)[1]}, streaming standby {standby.rsplit('@', 1)[1]} "
            f"(pg_stat_replication: {state})")
        yield primary, standby
    finally:
        pair.__exit__(None, None, None)


def _fallback(say: Any, why: str) -> Iterator[tuple[str, str | None]]:
    say(f"no replica: {why}; measuring on DECIDE_TEST_POSTGRES_URL without one")
    server = os.environ.get("DECIDE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    url, name = procs.fresh_pg_database(server, "decide_deploy")
    try:
        yield url, None
    finally:
        procs.drop_pg_database(server, name)


# ------------------------------------------------------------------------------------------ load
def requests_for(did: str, n: int, seed: int) -> tuple[list[bytes], list[bytes]]:
    """n comment POSTs (distinct texts) and n GETs of the decision's public page."""
    def post(text: str) -> bytes:
        body = orjson.dumps({"text": text})
        return (f"POST /api/v1/public/decisions/{did}/comments HTTP/1.1\r\nHost: bench\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body
    page = f"GET /public/decisions/{did} HTTP/1.1\r\nHost: bench\r\n\r\n".encode()
    return [post(t) for t in generate(n, seed=seed)], [page] * n


def measure(apis: dict[int, procs.Api], did: str, n: int, conc: int, rounds: int, url: str,
            replica: str | None) -> dict[int, dict[str, Any]]:
    """Every process count's server is up at once; each round runs comments then page reads on each in
    turn (so whatever else the machine does falls on all of them alike). Median req/s over rounds, pooled
    p50/p99, statuses, the standby's catch-up after each comment round, the servers' CPU."""
    per = max(1, n // rounds)
    out: dict[int, dict[str, Any]] = {}
    for k, api in apis.items():  # warm-up: every worker's first requests (imports, pools, templates)
        asyncio.run(load(api.port, requests_for(did, 40, 999 + k)[1] + requests_for(did, 40, 998 + k)[0], conc))
        out[k] = {"comments": {"rates": [], "lat": [], "status": {}}, "page": {"rates": [], "lat": [], "status": {}},
                  "catch_up": [], "cpu0": api.cpu_seconds()}
    for r in range(rounds):
        for k, api in apis.items():
            posts, pages = requests_for(did, per, 100 * k + r)
            for name, reqs in (("comments", posts), ("page", pages)):
                wall, lat, statuses = asyncio.run(load(api.port, reqs, conc))
                o = out[k][name]
                o["rates"].append(per / wall)
                o["lat"] += lat
                for code, v in statuses.items():
                    o["status"][code] = o["status"].get(code, 0) + v
                if name == "comments" and replica:  # the standby's catch-up after the round's last comment
                    on_primary, t0 = count_comments(url, did), time.monotonic()
                    while count_comments(replica, did) < on_primary and time.monotonic() - t0 < 60:
                        time.sleep(0.01)  # polling interval
                    out[k]["catch_up"].append(time.monotonic() - t0)
    for k, api in apis.items():
        o = out[k]
        o["cpu"] = api.cpu_seconds() - o.pop("cpu0")
        for name in ("comments", "page"):
            v = o[name]
            o[name] = {"rate": statistics.median(v["rates"]), "p50": pct(v["lat"], 50), "p99": pct(v["lat"], 99),
                       "status": v["status"], "rounds": " ".join(f"{x:,.0f}" for x in v["rates"])}
    return out


def count_comments(url: str, did: str) -> int:
    import psycopg
    with psycopg.connect(procs.plain(url)) as conn:
        row = conn.execute("SELECT count(*) FROM public_comments WHERE decision_id = %s", (did,)).fetchone()
    return int(row[0]) if row else 0


def replica_connections(url: str) -> int:
    import psycopg
    with psycopg.connect(procs.plain(url)) as conn:
        row = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                           "AND pid <> pg_backend_pid()").fetchone()
    return int(row[0]) if row else 0


def prefect_pool(url: str, data_dir: Path, say: Any, bound: float = 300.0) -> None:
    """bench/procs.py's Prefect pieces (a server with its own database on the same PostgreSQL server, a
    process work pool `decide`, the checkpoint sequencer deployed to it, one `prefect worker`) and one run of
    the deployment; the engine's record then holds the sequenced log and a signed checkpoint."""
    t0 = time.monotonic()
    try:
        with procs.prefect_work_pool(url, data_dir, ["checkpoint-sequencer"], bound=bound) as pool:
            from prefect.deployments import run_deployment
            from prefect.settings import PREFECT_API_URL, temporary_settings
            t1 = time.monotonic()
            with temporary_settings({PREFECT_API_URL: pool.api_url}):
                run = run_deployment("checkpoint-sequencer/checkpoint-sequencer", timeout=bound, poll_interval=1,
                                     as_subflow=False)
            ran = time.monotonic() - t1
    except procs.PrefectUnavailable as exc:
        say(f"prefect: {exc}")
        return
    ctx = bootstrap.build(Settings(data_dir=data_dir, database_url=url), migrate=False)
    try:
        from decision_engine.services import transparency
        size = transparency.tree_size(ctx)
    finally:
        ctx.store.dispose()
    say(f"prefect: server up in {pool.server_up_s:.0f} s (its database on PostgreSQL); work pool `decide` "
        f"(process), checkpoint-sequencer deployed, one worker; a run {run.state.name if run.state else '?'} "
        f"{ran:.0f} s after it was asked for (the worker polls every 10 s); the log now holds {size:,} leaves "
        f"({time.monotonic() - t0:.0f} s in all)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=600, help="per kind and per number of processes")
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--workers", default="1,2,4")
    ap.add_argument("--no-replica", action="store_true")
    ap.add_argument("--no-prefect", action="store_true")
    args = ap.parse_args()
    say = print
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()
    say(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; commit {commit}; "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    data_dir = Path(tempfile.mkdtemp(prefix="decide-deploy-"))
    ctx_ = replicated(say) if not args.no_replica else _fallback_cm(say)
    try:
        with ctx_ as (url, replica):
            settings = Settings(data_dir=data_dir, database_url=url)
            ctx = bootstrap.build(settings)  # migrate once, before any API process starts
            try:
                people = cast(ctx)
                did = consultation(ctx, people)
            finally:
                ctx.store.dispose()
            env = {"DECIDE_DATABASE_URL": url, "DECIDE_DATA_DIR": str(data_dir),
                   "DECIDE_PUBLIC_RATE_PER_MINUTE": "1000000000"}
            if replica:
                env["DECIDE_PUBLIC_DATABASE_URL"] = replica
            with ExitStack() as stack:
                apis = {n: stack.enter_context(procs.api_processes("api.app:app", env, n, args=[
                    "--loop", "uvloop", "--http", "httptools"])) for n in [int(w) for w in args.workers.split(",")]}
                results = measure(apis, did, args.requests, args.concurrency, args.rounds, url, replica)
                conns = replica_connections(replica) if replica else 0
            for n, r in results.items():
                c, p = r["comments"], r["page"]
                say(f"{n} process{'es' if n > 1 else ''}: comments {c['rate']:6,.0f} req/s (p50 {c['p50']:.0f} ms, "
                    f"p99 {c['p99']:.0f} ms; rounds {c['rounds']}; {c['status']}) | public page {p['rate']:6,.0f} "
                    f"req/s (p50 {p['p50']:.0f} ms, p99 {p['p99']:.0f} ms; rounds {p['rounds']}; {p['status']}) | "
                    f"server CPU {r['cpu']:.1f} s, {1000 * r['cpu'] / (2 * args.requests):.1f} ms a request"
                    + (f" | the standby had every comment {max(r['catch_up']):.2f} s "
                                                       "(at most) after a round's last was acknowledged"
                                                       if replica else ""))
            if replica:
                say(f"connections to the standby's database from the API processes: {conns}")
            base = results[min(results)]
            for n, r in sorted(results.items()):
                say(f"  ratio vs 1 process, {n}: comment intake {r['comments']['rate'] / base['comments']['rate']:.2f}×, "
                    f"public page {r['page']['rate'] / base['page']['rate']:.2f}×")
            acknowledged = sum(r["comments"]["status"].get(201, 0) for r in results.values())
            on_primary = count_comments(url, did)
            if not args.no_prefect:
                prefect_pool(url, data_dir, say)
            ctx = bootstrap.build(settings, migrate=False)
            try:
                rep = verification.verify(ctx, workers=2, replay=True)
            finally:
                ctx.store.dispose()
            say(f"acknowledged comments {acknowledged:,} (plus warm-up), stored {on_primary:,}; decide verify: "
                f"{rep.events:,} events, {rep.decisions} projections — {'OK' if rep.ok else rep.findings[:3]}")
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


@contextmanager
def _fallback_cm(say: Any) -> Iterator[tuple[str, str | None]]:
    yield from _fallback(say, "--no-replica")


if __name__ == "__main__":
    main()
