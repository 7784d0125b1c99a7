"""Comment intake across API processes, sharded comment log against one chain, in the same run (issue 19 §4).

bench_comments.py (b) measures the public comment POST against one API process; deploy_run.py measures it at
1, 2 and 4 processes, where one chain per decision serialised the processes. This script runs both comment logs
side by side on one fresh PostgreSQL database: for each of DECIDE_COMMENT_SHARDS = 1 (one chain, as before) and
N (default 4) it starts `uvicorn api.app:app --workers P` for P = 1, 2, 4 (all six servers up at once, each
configuration with its own decision open for comment), then round after round sends the same number of comment
POSTs to each in turn (bench_comments.py's keep-alive asyncio client, C connections, in this process), so
whatever else the machine does falls on all of them alike. It prints the median req/s per configuration, the
ratio against 1 process of the same log, and the ratio of shards against one chain at each process count; then
it checks that every acknowledged comment is stored and runs `decide verify` (chains, shards, projections).

    .venv/bin/python bench/bench_comment_shards.py [--requests 600] [--rounds 5] [--concurrency 16]
        [--workers 1,2,4] [--shards 4]
PostgreSQL: DECIDE_TEST_POSTGRES_URL (a fresh database is created and dropped).
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
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import procs  # noqa: E402
from bench.bench_comments import consultation, load, pct  # noqa: E402
from bench.deploy_run import count_comments, requests_for  # noqa: E402
from decision_engine import bootstrap  # noqa: E402
from decision_engine.config import Settings  # noqa: E402
from decision_engine.services import verification  # noqa: E402
from decision_engine.services.demo import cast  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=600, help="comments per configuration and round")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--workers", default="1,2,4")
    ap.add_argument("--shards", type=int, default=4)
    args = ap.parse_args()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()
    print(f"machine: {os.cpu_count()} cores, load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}; "
          f"commit {commit}; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}", flush=True)
    server = os.environ.get("DECIDE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    url, name = procs.fresh_pg_database(server, "decide_shards")
    data_dir = Path(tempfile.mkdtemp(prefix="decide-shards-"))
    workers = [int(w) for w in args.workers.split(",")]
    logs = [1, args.shards]
    try:
        ctx = bootstrap.build(Settings(data_dir=data_dir, database_url=url))  # migrate once, before the servers
        try:
            people = cast(ctx)
            decision = {s: consultation(ctx, people) for s in logs}
        finally:
            ctx.store.dispose()
        rates: dict[tuple[int, int], list[float]] = {}
        lats: dict[tuple[int, int], list[float]] = {}
        status: dict[tuple[int, int], dict[int, int]] = {}
        with ExitStack() as stack:
            apis = {(s, n): stack.enter_context(procs.api_processes("api.app:app", {
                "DECIDE_DATABASE_URL": url, "DECIDE_DATA_DIR": str(data_dir), "DECIDE_COMMENT_SHARDS": str(s),
                "DECIDE_PUBLIC_RATE_PER_MINUTE": "1000000000"}, n, args=["--loop", "uvloop", "--http", "httptools"]))
                for s in logs for n in workers}
            for (s, n), api in apis.items():  # warm-up: every worker's imports, pools, first statements
                asyncio.run(load(api.port, requests_for(decision[s], 60, 900 + 10 * s + n)[0], args.concurrency))
                rates[(s, n)], lats[(s, n)], status[(s, n)] = [], [], {}
            cpu0 = {k: api.cpu_seconds() for k, api in apis.items()}
            for r in range(args.rounds):
                for (s, n), api in apis.items():
                    posts = requests_for(decision[s], args.requests, 1000 * r + 10 * s + n)[0]
                    wall, lat, codes = asyncio.run(load(api.port, posts, args.concurrency))
                    rates[(s, n)].append(args.requests / wall)
                    lats[(s, n)] += lat
                    for code, v in codes.items():
                        status[(s, n)][code] = status[(s, n)].get(code, 0) + v
            cpu = {k: (api.cpu_seconds() - cpu0[k]) * 1000 / (args.rounds * args.requests) for k, api in apis.items()}
        median = {k: statistics.median(v) for k, v in rates.items()}
        print(f"comment POSTs, {args.concurrency} connections, {args.requests} per configuration in each of "
              f"{args.rounds} rounds (median req/s; pooled p50/p99):")
        for s in logs:
            label = "one chain" if s == 1 else f"{s} shards "
            for n in workers:
                k = (s, n)
                print(f"  {label}  {n} process{'es' if n > 1 else '  '}: {median[k]:6,.0f} req/s  "
                      f"p50 {pct(lats[k], 50):5.1f} ms  p99 {pct(lats[k], 99):6.1f} ms  "
                      f"×{median[k] / median[(s, workers[0])]:.2f} vs {workers[0]}  server CPU {cpu[k]:.1f} ms/request  "
                      f"(rounds {' '.join(f'{x:,.0f}' for x in rates[k])}; {status[k]})")
        for n in workers:
            print(f"  {n} process{'es' if n > 1 else ''}: {args.shards} shards / one chain = "
                  f"{median[(args.shards, n)] / median[(1, n)]:.2f}×")

        def paired(a: tuple[int, int], b: tuple[int, int]) -> str:  # the ratio within each round, then the median
            ratios = [x / y for x, y in zip(rates[a], rates[b], strict=True)]
            return f"{statistics.median(ratios):.2f}× (rounds {' '.join(f'{x:.2f}' for x in ratios)})"
        print("ratios within each round (the configurations of a round ran back to back), median over rounds:")
        for s in logs:
            for n in workers[1:]:
                print(f"  {'one chain' if s == 1 else f'{s} shards'}: {n} / {workers[0]} process: "
                      f"{paired((s, n), (s, workers[0]))}")
        for n in workers:
            print(f"  {n} process{'es' if n > 1 else ''}: {args.shards} shards / one chain: "
                  f"{paired((args.shards, n), (1, n))}")
        print(f"load average after the run: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
        ctx = bootstrap.build(Settings(data_dir=data_dir, database_url=url), migrate=False)
        try:
            rep = verification.verify(ctx, workers=2, replay=True)
        finally:
            ctx.store.dispose()
        for s in logs:
            acknowledged = sum(status[(s, n)].get(201, 0) for n in workers)
            print(f"  {'one chain' if s == 1 else f'{s} shards'}: {acknowledged:,} acknowledged (plus warm-up), "
                  f"{count_comments(url, decision[s]):,} stored")
        print(f"decide verify: {rep.events:,} events in {rep.streams:,} chains — "
              f"{'OK' if rep.ok else [str(f) for f in rep.findings[:3]]}")
    finally:
        procs.drop_pg_database(server, name)
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
