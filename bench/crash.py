"""Crash safety (issue 11 §3): kill -9 a writer process at random moments during N gate recordings.

A worker process records consultation artifacts (each with an uploaded attachment, so the blob store is
exercised too) and prints the id of every write the service acknowledged. The parent kills it with
SIGKILL at random moments and restarts it until N writes were acknowledged, then checks: every
acknowledged write is present, nothing unacknowledged is half-present, every chain verifies, no blob
is referenced without its bytes.

    .venv/bin/python bench/crash.py --writes 1000 [--database-url postgresql+psycopg://...]

With `--comments`, the worker submits public comments from several threads at once to one decision whose
comment log is sharded (issue 19 §4: DECIDE_COMMENT_SHARDS chains, default 4) and prints each tracking
number the service returned; the parent then checks every acknowledged comment is stored under its tracking
number, that the comments were received on several shards, and that every chain verifies.

    .venv/bin/python bench/crash.py --comments --writes 1000 [--shards 4] [--database-url ...]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import select
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def worker(data_dir: str, url: str, decision_id: str, person: str, start: int) -> None:
    """Record artifacts forever, printing `ACK <n>` after each acknowledged write."""
    from decision_engine import bootstrap
    from decision_engine.config import Settings
    from decision_engine.services import decisions as svc
    ctx = bootstrap.build(Settings(data_dir=Path(data_dir), database_url=url))
    n = start
    while True:
        n += 1
        svc.record_artifact(ctx, person, decision_id, "consultation", {"unit": f"单位{n}", "opinion": "同意"},
                            content=f"附件 {n} ".encode() * 50, media_type="text/plain",
                            filename=f"consultation-{n}.txt")
        sys.stdout.write(f"ACK {n}\n")
        sys.stdout.flush()


def comment_worker(data_dir: str, url: str, decision_id: str, start: int, shards: int, threads: int = 4) -> None:
    """Submit comments from `threads` threads forever, printing `ACK <n> <tracking number>` after each one the
    service acknowledged (it returns the tracking number only after the comment's commit)."""
    import itertools
    import threading

    from decision_engine import bootstrap
    from decision_engine.config import Settings
    from decision_engine.services import participation
    ctx = bootstrap.build(Settings(data_dir=Path(data_dir), database_url=url, comment_shards=shards))
    numbers = itertools.count(start + 1)
    out = threading.Lock()

    def submit() -> None:
        while True:
            n = next(numbers)
            receipt = participation.submit_comment(ctx, decision_id, f"意见 {n}：建议增加夜班公交线路。")
            with out:
                sys.stdout.write(f"ACK {n} {receipt['tracking_number']}\n")
                sys.stdout.flush()
    pool = [threading.Thread(target=submit, daemon=True) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()


def comment_setup(data_dir: Path, url: str) -> str:
    """A decision whose draft is open for comment (bench_comments.py's consultation)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bench.bench_comments import consultation
    from decision_engine import bootstrap
    from decision_engine.config import Settings
    from decision_engine.services.demo import cast
    ctx = bootstrap.build(Settings(data_dir=data_dir, database_url=url))
    did = consultation(ctx, cast(ctx))
    ctx.store.dispose()
    return did


def setup(data_dir: Path, url: str) -> tuple[str, str]:
    """A decision in procedure and the drafter who records consultations."""
    from decision_engine import bootstrap
    from decision_engine.config import Settings
    from decision_engine.services import decisions as svc
    from decision_engine.services.demo import BUREAU, cast
    ctx = bootstrap.build(Settings(data_dir=data_dir, database_url=url))
    c = cast(ctx)
    did = svc.open_decision(ctx, c.drafter, title="崩溃测试", category="policy", unit=BUREAU).decision_id
    svc.record_artifact(ctx, c.head, did, "start_decision", {"lead_unit": BUREAU, "units": [BUREAU]})
    ctx.store.dispose()
    return did, c.drafter


def run(writes: int, url: str | None, seed: int = 7, max_gap: float = 0.15, *, comments: bool = False,
        shards: int = 4) -> dict[str, Any]:
    """Kill and restart the worker until `writes` acknowledgements; return the counts."""
    rnd = random.Random(seed)
    tmp = Path(tempfile.mkdtemp(prefix="decide-crash-"))
    db_url = url or f"sqlite:///{tmp / 'decide.db'}"
    if comments:
        did, person = comment_setup(tmp, db_url), ""
    else:
        did, person = setup(tmp, db_url)
    acked: set[int] = set()
    tracking: dict[int, str] = {}
    kills = 0
    start = 0
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    while len(acked) < writes:
        argv = ["--comment-worker", str(tmp), db_url, did, str(start), str(shards)] if comments else \
            ["--worker", str(tmp), db_url, did, person, str(start)]
        proc = subprocess.Popen([sys.executable, __file__, *argv], stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, env=env)
        assert proc.stdout is not None
        fd = proc.stdout.fileno()
        started = time.monotonic()
        kill_at = float("inf")  # set once the worker acknowledges its first write (start-up ~1 s)
        seen = len(acked)
        buf = b""

        def take(data: bytes) -> bytes:
            *lines, rest = data.split(b"\n")
            for line in lines:
                if line.startswith(b"ACK "):
                    n, *tn = line[4:].decode().split()
                    acked.add(int(n))
                    if tn:
                        tracking[int(n)] = tn[0]
            return rest
        while time.monotonic() < min(kill_at, started + 30) and len(acked) < writes:
            if kill_at == float("inf") and len(acked) > seen:
                kill_at = time.monotonic() + rnd.uniform(0.0, max_gap)
            ready, _, _ = select.select([fd], [], [], 0.01)
            if ready:
                chunk = os.read(fd, 65536)
                if not chunk:
                    break
                buf = take(buf + chunk)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        buf = take(buf + proc.stdout.read() + b"\n")
        proc.stdout.close()
        kills += 1
        start = max(acked | {start}) + 1000  # new numbers: an unacknowledged write never collides
    if comments:
        return check_comments(tmp, db_url, did, tracking, kills)
    return check(tmp, db_url, did, acked, kills)


def check_comments(data_dir: Path, url: str, did: str, tracking: dict[int, str], kills: int) -> dict[str, Any]:
    """Every acknowledged comment stored under its tracking number; the shards used; every chain verifies."""
    from decision_engine import bootstrap
    from decision_engine.config import Settings
    from decision_engine.domain import participation as dp
    from decision_engine.services import participation, verification
    ctx = bootstrap.build(Settings(data_dir=data_dir, database_url=url))
    with ctx.store.read() as conn:
        stored = {c["tracking_number"]: c for c in participation.live_comments(conn, did)["comments"].values()}
        shards = {e["stream"] for e in participation.comment_log(conn, did)}
    lost = [n for n, tn in tracking.items() if tn not in stored or not stored[tn]["text"].startswith(f"意见 {n}：")]
    rep = verification.verify(ctx)
    result = {"acknowledged": len(tracking), "present": len(stored), "kills": kills,
              "acknowledged_but_missing": len(lost), "present_but_unacknowledged": len(set(stored) - set(tracking.values())),
              "shard_streams": len([s for s in shards if dp.shard_of_stream(s) is not None]),
              "verify_ok": rep.ok, "findings": [str(f) for f in rep.findings][:5], "blobs_missing": 0,
              "events": rep.events}
    ctx.store.dispose()
    return result


def check(data_dir: Path, url: str, did: str, acked: set[int], kills: int) -> dict[str, Any]:
    """Every acknowledged write present; chains, projections and blobs verify."""
    from decision_engine import bootstrap
    from decision_engine.config import Settings
    from decision_engine.services import queries, verification
    ctx = bootstrap.build(Settings(data_dir=data_dir, database_url=url))
    view = queries.get_decision(ctx, did)
    present = {int(a["fields"]["unit"][2:]) for a in view["artifacts"] if a["kind"] == "consultation"}
    rep = verification.verify(ctx)
    missing_blobs = [a["id"] for a in view["artifacts"]
                     if a.get("storage") == "blob" and not ctx.blobs.exists(a["sha256"])]
    result = {"acknowledged": len(acked), "present": len(present), "kills": kills,
              "acknowledged_but_missing": len(acked - present),
              "present_but_unacknowledged": len(present - acked),
              "verify_ok": rep.ok, "findings": [str(f) for f in rep.findings][:5],
              "blobs_missing": len(missing_blobs), "events": rep.events}
    ctx.store.dispose()
    return result


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        worker(*sys.argv[2:6], int(sys.argv[6]))
        return
    if len(sys.argv) > 1 and sys.argv[1] == "--comment-worker":
        comment_worker(*sys.argv[2:5], int(sys.argv[5]), int(sys.argv[6]))
        return
    ap = argparse.ArgumentParser()
    ap.add_argument("--writes", type=int, default=1000)
    ap.add_argument("--database-url", default=None)
    ap.add_argument("--comments", action="store_true", help="public comments from several threads, sharded")
    ap.add_argument("--shards", type=int, default=4)
    args = ap.parse_args()
    t = time.perf_counter()
    res = run(args.writes, args.database_url, comments=args.comments, shards=args.shards)
    res["seconds"] = round(time.perf_counter() - t, 1)
    print(json.dumps(res, ensure_ascii=False, indent=2))
    print(f"{'PostgreSQL' if args.database_url else 'SQLite'}: {res['kills']} kill -9, "
          f"{res['acknowledged']} acknowledged, {res['acknowledged_but_missing']} lost, "
          f"{res['present_but_unacknowledged']} committed before the kill but not yet acknowledged "
          f"(complete, not half-written), verify {'OK' if res['verify_ok'] else 'FAILED'}, "
          f"{res['blobs_missing']} blobs missing"
          + (f", comments received on {res['shard_streams']} shard chains" if args.comments else ""))


if __name__ == "__main__":
    main()
