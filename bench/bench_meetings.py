"""Collective decision and publication (issue 5): print what meetings, the clock's publication scan and the
public docket cost through the service layer, on SQLite (default) or PostgreSQL (--postgres URL).

    .venv/bin/python bench/bench_meetings.py --meetings 20 --items 5
    .venv/bin/python bench/bench_meetings.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/bench
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from decision_engine import bootstrap
from decision_engine.config import Settings
from decision_engine.services import decisions as svc
from decision_engine.services import identity
from decision_engine.services import meetings as mtg
from decision_engine.services import publication as pub
from decision_engine.services.clock import CHINA, ManualClock
from decision_engine.services.demo import CITY
from tests.conftest import Walk

CHANNELS = ["某市人民政府公报", "某市人民政府网站", "某市日报"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--meetings", type=int, default=20)
    ap.add_argument("--items", type=int, default=5)
    ap.add_argument("--postgres", default="")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench_meetings_"))
    url = args.postgres or f"sqlite:///{tmp / 'decide.db'}"
    ctx = bootstrap.build(Settings(data_dir=tmp / "data", database_url=url),
                          clock=ManualClock(datetime(2025, 3, 3, 9, 0, tzinfo=CHINA)))
    walk = Walk(ctx)
    sec = identity.register_person(ctx, "秘书")
    identity.grant_role(ctx, sec, "secretariat", CITY)
    c = walk.c
    n = args.meetings * args.items
    t0 = time.perf_counter()
    dids = walk.ready_many(n)
    print(f"setup: {n} ready decisions in {time.perf_counter() - t0:.1f} s ({url.split(':')[0]})")

    commands, sitting_times = 0, []
    for k in range(args.meetings):
        start = time.perf_counter()
        mid = mtg.convene(ctx, sec, meeting_type="executive", title=f"第{k + 1}次常务会议",
                          held_on=ctx.today().isoformat(), head=c.head,
                          members=[c.member_a, c.member_b]).meeting_id
        items = dids[k * args.items:(k + 1) * args.items]
        for did in items:
            mtg.place_on_agenda(ctx, sec, mid, did)
        mtg.record_attendance(ctx, sec, mid, [c.member_a, c.member_b, c.head])
        for no in range(1, len(items) + 1):
            for who in (c.member_a, c.member_b, c.head):
                mtg.record_opinion(ctx, who, mid, no, speaker=who, position="support", text="同意")
            mtg.decide_item(ctx, c.head, mid, no, outcome="adopt")
        mtg.generate_minutes(ctx, sec, mid)
        meta, _ = mtg.minutes_content(ctx, mid)
        mtg.confirm_minutes(ctx, sec, mid, version=1, sha256=meta["sha256"], capacity="secretariat")
        mtg.confirm_minutes(ctx, c.head, mid, version=1, sha256=meta["sha256"], capacity="head")
        sitting_times.append(time.perf_counter() - start)
        commands += 2 + len(items) * 5 + 3
    total = sum(sitting_times)
    print(f"meetings: {args.meetings} sittings x {args.items} items, {commands} commands in {total:.2f} s "
          f"= {commands / total:.0f} commands/s; one sitting p50 {statistics.median(sitting_times) * 1000:.0f} ms")

    for did in dids:
        mtg.report_to_party(ctx, c.office, did, reported_to="市委")
        svc.finalize(ctx, c.head, did)
    t = time.perf_counter()
    due = pub.publication_due(ctx)
    print(f"publication_due over {len(due)} decided, unpublished decisions: {(time.perf_counter() - t) * 1000:.0f} ms")
    for did in dids:
        pub.publish(ctx, c.office, did, channels=CHANNELS)
    lat: list[float] = []
    for did in dids:
        t = time.perf_counter()
        docket: dict[str, Any] = pub.public_docket(ctx, did)
        lat.append(time.perf_counter() - t)
        assert docket["text"]["content"]
    lat.sort()
    t = time.perf_counter()
    listing = pub.public_list(ctx, limit=50)
    print(f"public_docket p50 {lat[len(lat) // 2] * 1000:.1f} ms, p99 {lat[int(len(lat) * 0.99) - 1] * 1000:.1f} ms; "
          f"public_list (50 of {n}) {(time.perf_counter() - t) * 1000:.1f} ms, {len(listing)} items")
    ctx.store.dispose()


if __name__ == "__main__":
    main()
