"""After the decision (issue 6): print what execution reports, public opinions on execution, the clock's
scans (reports due, evaluations due, undue delay), the trace-back and the unit report cost through the
service layer, on SQLite (default) or PostgreSQL (--postgres URL).

    .venv/bin/python bench/bench_after_decision.py --decisions 60
    .venv/bin/python bench/bench_after_decision.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/bench
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from decision_engine import bootstrap
from decision_engine.config import Settings
from decision_engine.services import accountability as acc
from decision_engine.services import decisions as svc
from decision_engine.services import execution as ex
from decision_engine.services import reports
from decision_engine.services.clock import CHINA, ManualClock
from decision_engine.services.demo import TRANSIT
from tests.conftest import Walk

KPIS = [{"id": "K1", "name": "日均客流", "baseline": 50, "target": 55, "due": "2026-03-01"}]


def timed(label: str, fn: Callable[[], Any], n: int = 1) -> Any:
    t0 = time.perf_counter()
    out = None
    for _ in range(n):
        out = fn()
    ms = (time.perf_counter() - t0) * 1000 / n
    print(f"{label:<58} {ms:9.1f} ms")
    return out


def per_call(label: str, calls: list[Callable[[], Any]]) -> None:
    lat = []
    for call in calls:
        t0 = time.perf_counter()
        call()
        lat.append((time.perf_counter() - t0) * 1000)
    lat.sort()
    p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))]
    print(f"{label:<58} {len(lat) / (sum(lat) / 1000):9.0f} /s   p50 {statistics.median(lat):.1f} ms"
          f"   p99 {p99:.1f} ms")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--decisions", type=int, default=60)
    ap.add_argument("--reports", type=int, default=300)
    ap.add_argument("--opinions", type=int, default=500)
    ap.add_argument("--postgres", default="")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench_after_"))
    url = args.postgres or f"sqlite:///{tmp / 'decide.db'}"
    ctx = bootstrap.build(Settings(data_dir=tmp / "data", database_url=url),
                          clock=ManualClock(datetime(2025, 3, 3, 9, 0, tzinfo=CHINA)))
    print(f"backend: {'PostgreSQL' if args.postgres else 'SQLite'}; {args.decisions} decided decisions")
    walk = Walk(ctx)
    c = walk.c
    today = ctx.today()
    t0 = time.perf_counter()
    late = []
    for _ in range(args.decisions // 4):  # opened with a due date the clock will pass: undue delay (R22)
        walk.did = ""
        late.append(walk.open(due_by=(today + timedelta(days=20)).isoformat()).did)
    dids = walk.ready_many(args.decisions - len(late))
    for did in dids:
        walk.did = did
        walk.meeting().report()
        ex.fix_targets(ctx, c.drafter, did, kpis=KPIS, evaluation_on="2025-12-01")
        svc.finalize(ctx, c.head, did)
        ex.designate_execution_units(ctx, c.head, did, [TRANSIT])
    print(f"{'set-up (through the services)':<58} {time.perf_counter() - t0:9.1f} s")
    per_call("progress report (execution_report, one per call)",
             [lambda i=i: ex.report_progress(ctx, c.executor, dids[i % len(dids)], "季度执行情况",
                                             kpi_values={"K1": 51}) for i in range(args.reports)])
    per_call("public opinion on execution (no login, tracking number)",
             [lambda i=i: ex.submit_opinion(ctx, dids[i % len(dids)], f"意见{i}") for i in range(args.opinions)])
    ctx.clock.advance(days=400)  # type: ignore[attr-defined]
    due = timed(f"execution_reports_due over {len(dids)} decisions", lambda: ex.execution_reports_due(ctx))
    evals = timed(f"evaluations_due over {len(dids)} decisions", lambda: ex.evaluations_due(ctx))
    opened = timed(f"open_undue_delay_incidents, first run ({len(late)} late)",
                   lambda: acc.open_undue_delay_incidents(ctx))
    again = timed("open_undue_delay_incidents, rerun (idempotent)", lambda: acc.open_undue_delay_incidents(ctx))
    timed("ledger of one decision", lambda: acc.ledger(ctx, dids[0]), n=5)
    timed("traceback_decision of one decision", lambda: acc.traceback_decision(ctx, dids[0]), n=5)
    timed(f"traceback_person (the head, {len(dids)} decisions)", lambda: acc.traceback_person(ctx, c.head))
    rep = timed("unit_report (execution unit, one year)",
                lambda: reports.unit_report(ctx, TRANSIT, "2025-01-01", "2026-12-31"))
    timed("to_csv of that report", lambda: reports.to_csv(rep))
    print(f"found: {len(due)} reports due, {len(evals)} evaluations due, {len(opened)} incidents opened, "
          f"{len(again)} on rerun; report counts {rep['counts']}")
    ctx.store.dispose()


if __name__ == "__main__":
    main()
