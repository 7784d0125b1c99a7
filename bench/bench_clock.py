"""The statutory clock over many due decisions (issue 8): print how long one clock run takes and how many
decisions per second it handles, on SQLite (default) or PostgreSQL (--postgres URL).

Each generated decision (through the service layer) has a closed comment window and is past its due date,
so one run owes it: CommentWindowClosed, DeadlinePassed and DeadlineEscalated on its stream (with
notifications to the undertaking unit and the organ) and an undue-delay incident (services.accountability).

    .venv/bin/python bench/bench_clock.py --decisions 10000
    .venv/bin/python bench/bench_clock.py --decisions 10000 --keep /tmp/clock10k   # reuse the generated DB
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from decision_engine import bootstrap
from decision_engine.config import Settings
from decision_engine.services import clock_duties, notifications
from decision_engine.services import decisions as svc
from decision_engine.services.clock import CHINA, ManualClock
from decision_engine.services.demo import BUREAU, cast

START = datetime(2025, 3, 3, 9, 0, tzinfo=CHINA)


def generate(ctx: Any, n: int) -> None:
    """n decisions, each with a comment window and a due date, both passed 40 days later."""
    c = cast(ctx)
    today = ctx.today()
    t0 = time.perf_counter()
    for i in range(n):
        did = svc.open_decision(ctx, c.drafter, title=f"关于第{i}项公共交通调整的决定", category="public_project",
                                unit=BUREAU, due_by=(today + timedelta(days=20)).isoformat()).decision_id
        svc.record_artifact(ctx, c.head, did, "start_decision", {"lead_unit": BUREAU, "units": [BUREAU]})
        svc.add_draft_version(ctx, c.drafter, did, content=b"draft v1", title="v1")
        svc.record_artifact(ctx, c.drafter, did, "comment_notice", {
            "explanation": "说明", "channels": ["网站"], "method": "留言", "published_at": today.isoformat(),
            "deadline": (today + timedelta(days=30)).isoformat()})
        if (i + 1) % 1000 == 0:
            print(f"  generated {i + 1} decisions ({(i + 1) / (time.perf_counter() - t0):.0f}/s)", flush=True)


def timed(label: str, fn: Any, n: int) -> Any:
    t0 = time.perf_counter()
    out = fn()
    dt = time.perf_counter() - t0
    print(f"{label:<44} {dt:8.2f} s   {n / dt:9.0f} decisions/s")
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--decisions", type=int, default=10_000)
    ap.add_argument("--postgres", default="")
    ap.add_argument("--keep", default="", help="directory holding a generated SQLite DB to reuse (or create)")
    ap.add_argument("--chunk", type=int, default=200)
    args = ap.parse_args()
    n = args.decisions
    work = Path(tempfile.mkdtemp(prefix="bench_clock_"))
    if args.keep and not args.postgres:
        kept = Path(args.keep)
        if not (kept / "decide.db").exists():
            kept.mkdir(parents=True, exist_ok=True)
            ctx = bootstrap.build(Settings(data_dir=kept / "data", database_url=f"sqlite:///{kept / 'decide.db'}"),
                                  clock=ManualClock(START))
            print(f"generating {n} due decisions into {kept} ...")
            generate(ctx, n)
            ctx.store.dispose()
        shutil.copy(kept / "decide.db", work / "decide.db")
    url = args.postgres or f"sqlite:///{work / 'decide.db'}"
    clock = ManualClock(START)
    ctx = bootstrap.build(Settings(data_dir=work / "data", database_url=url), clock=clock)
    if not args.keep or args.postgres:
        print(f"generating {n} due decisions ...")
        generate(ctx, n)
    clock.advance(days=40)
    print(f"\none clock run over {n} due decisions ({'PostgreSQL' if args.postgres else 'SQLite WAL + FULL'}):")
    t_all = time.perf_counter()
    due = timed("find what is due (one read pass)", lambda: clock_duties.find_due(ctx), n)
    kinds = [(k, [i for i in due if i["kind"] == k]) for k in clock_duties.KINDS if k != "undue_delay"]
    for kind, items in kinds:
        if items:
            r = timed(f"perform {kind} ({len(items)} duties)",
                      lambda items=items: clock_duties.perform(ctx, items, chunk=args.chunk), n)
            assert not r["failed"], r["failed"][:3]
    timed("undue-delay incidents (services.accountability)",
          lambda: clock_duties.open_undue_delay_incidents(ctx, due), n)
    sent = timed("deliver notifications (inbox only, no SMTP)", lambda: notifications.deliver_pending(
        ctx, None, limit=10 * n), n)
    total = time.perf_counter() - t_all
    print(f"{'whole run':<44} {total:8.2f} s   {n / total:9.0f} decisions/s   "
          f"({len(due)} duties, {sum(sent.values())} notifications)")
    again = timed("a second run (nothing left to do)", lambda: clock_duties.perform(ctx, clock_duties.find_due(ctx)), n)
    assert again["acted"] == 0
    print(f"\nscheduling interval of the statutory-clock deployment: 900 s; one run took {total:.0f} s")
    ctx.store.dispose()


if __name__ == "__main__":
    main()
