"""Audit benchmark (issue 7): the transparency log, its proofs, and the offline archive verifier.

(a) log: N synthetic hash-chained events (default 1,000,000, ~400-byte canonical envelopes in 1,000
    streams) written straight into the events table; then, through the service layer:
    sequencing them into the Merkle log, a cold checkpoint (a fresh process: every leaf read and the
    tree built, then signed), an incremental checkpoint after 1,000 more events, inclusion and
    consistency proof generation p50/p99 (`transparency.inclusion_proof` / `consistency_proof`,
    each one read transaction), `verify_log` (the log part of `decide verify`) and the whole
    `decide verify --no-replay` (chains, then the log; the synthetic streams have no projections),
    in events/s;
(b) archive: the demo decision extended to E events (default 10,000) with synthetic execution
    reports appended straight to its stream (the service path re-serialises the whole projection
    per command, which is not what is measured here), exported, then checked by `verify-archive`'s
    verifier (events/s).

    .venv/bin/python bench/bench_audit.py [--leaves 1000000] [--archive-events 10000] [--queries 1000]
                                          [--database-url URL]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import orjson
from sqlalchemy import insert

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from decision_engine import bootstrap
from decision_engine.adapters import store as st
from decision_engine.adapters.tables import EVENTS
from decision_engine.audit import archive_verify
from decision_engine.audit.canonical import GENESIS, chain_hash, sha256_hex
from decision_engine.config import Settings
from decision_engine.services import archive, transparency, verification
from decision_engine.services.context import Context
from decision_engine.services.demo import demo_clock, run_demo

STREAMS = 1000
ACTOR = {"person": "P-bench0000001", "role": "execution_unit", "unit": "某市公交集团", "name": "冯经理"}


def _percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p50 = statistics.median(ordered) * 1000
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))] * 1000
    return f"p50 {p50:7.2f} ms   p99 {p99:7.2f} ms"


def _timed(action: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def _body(stream: str, seq: int, i: int) -> bytes:
    """A canonical-looking envelope (sorted keys, no whitespace, UTF-8) of an execution report."""
    fields = {"report_kind": "progress", "summary": f"第{i}次执行情况报告：线网运行平稳，客流增长"}
    data = orjson.dumps(fields, option=orjson.OPT_SORT_KEYS)  # = RFC 8785 for these plain strings
    payload = {"artifact_id": f"A-{i:012x}", "kind": "execution_report", "gate": "execution",
               "sha256": sha256_hex(data), "size": len(data),
               "media_type": "application/json", "filename": "execution_report.json", "draft_version": 2,
               "fields": fields, "storage": "inline", "on": "2025-06-01"}
    env = st.envelope(stream, seq, "ArtifactRecorded", "2025-06-01T01:00:00.000000+00:00", ACTOR, payload)
    return orjson.dumps(env, option=orjson.OPT_SORT_KEYS)


def synthesize(ctx: Context, n: int, *, streams: int = STREAMS, prefix: str = "bench") -> None:
    """n hash-chained events spread round-robin over `streams` streams, in batches of 10,000."""
    heads: dict[str, tuple[int, str]] = {}
    batch: list[dict[str, object]] = []
    for i in range(n):
        stream = f"{prefix}:{i % streams:05d}"
        seq, prev = heads.get(stream, (0, GENESIS))
        seq += 1
        body = _body(stream, seq, i)
        digest = chain_hash(prev, body)
        heads[stream] = (seq, digest)
        batch.append({"stream": stream, "seq": seq, "type": "ArtifactRecorded", "schema_version": 1,
                      "at": "2025-06-01T01:00:00.000000+00:00", "person": ACTOR["person"],
                      "role": ACTOR["role"], "unit": ACTOR["unit"], "body": body, "prev_hash": prev,
                      "hash": digest})
        if len(batch) == 10_000:
            with ctx.store.write() as conn:
                conn.execute(insert(EVENTS), batch)
            batch = []
    if batch:
        with ctx.store.write() as conn:
            conn.execute(insert(EVENTS), batch)


def bench_log(root: Path, url: str | None, n: int, queries: int) -> None:
    settings = Settings(data_dir=root, database_url=url or f"sqlite:///{root / 'log.db'}")
    ctx = bootstrap.build(settings, clock=demo_clock())
    seconds, _ = _timed(lambda: synthesize(ctx, n))
    print(f"synthesize {n:,} chained events            {seconds:8.2f} s  ({n / seconds:,.0f} events/s)")
    seconds, added = _timed(lambda: transparency.sequence(ctx))
    print(f"sequence {added:,} leaves                   {seconds:8.2f} s  ({n / seconds:,.0f} leaves/s)")
    cold = bootstrap.build(settings, clock=demo_clock())  # a fresh process: no cached tree
    seconds, head = _timed(lambda: transparency.checkpoint(cold))
    assert isinstance(head, dict) and head["size"] == n
    print(f"checkpoint {n:,} leaves (cold: read + build + sign) {seconds:6.2f} s")
    synthesize(cold, 1000, streams=10, prefix="late")
    transparency.sequence(cold)
    seconds, head = _timed(lambda: transparency.checkpoint(cold))
    print(f"checkpoint +1,000 leaves (warm, incremental)  {seconds * 1000:6.1f} ms")
    rng = random.Random(9162)
    samples = []
    for _ in range(queries):
        i = rng.randrange(n)
        stream, seq = f"bench:{i % STREAMS:05d}", i // STREAMS + 1
        seconds, _ = _timed(lambda s=stream, q=seq: transparency.inclusion_proof(cold, s, q))  # type: ignore[misc]
        samples.append(seconds)
    print(f"inclusion proof via the service ({queries:,})   {_percentiles(samples)}")
    samples = []
    size = int(head["size"])  # type: ignore[index]
    for _ in range(queries):
        a, b = sorted(rng.sample(range(1, size + 1), 2))
        seconds, _ = _timed(lambda a=a, b=b: transparency.consistency_proof(cold, a, b))  # type: ignore[misc]
        samples.append(seconds)
    print(f"consistency proof via the service ({queries:,}) {_percentiles(samples)}")
    seconds, findings = _timed(lambda: transparency.verify_log(cold))
    assert findings == [], findings
    print(f"verify_log {size:,} leaves + 2 checkpoints     {seconds:8.2f} s  ({size / seconds:,.0f} events/s)")
    seconds, report = _timed(lambda: verification.verify(cold, replay=False))
    assert isinstance(report, verification.Report) and report.ok, report.findings[:3]
    print(f"decide verify --no-replay (chains + log)      {seconds:8.2f} s  ({size / seconds:,.0f} events/s)")
    ctx.store.dispose()
    cold.store.dispose()


def bench_archive(root: Path, events: int) -> None:
    settings = Settings(data_dir=root, database_url=f"sqlite:///{root / 'archive.db'}")
    ctx = bootstrap.build(settings, clock=demo_clock())
    did = run_demo(ctx, lambda _: None)
    stream = f"decision:{did}"
    with ctx.store.read() as conn:
        have, _ = st.last_of(conn, stream)
    extra = max(0, events - have)
    for start in range(0, extra, 1000):
        items = [("ArtifactRecorded", orjson.loads(_body(stream, 0, have + start + k))["payload"])
                 for k in range(min(1000, extra - start))]
        with ctx.store.write() as conn:
            st.append(conn, stream, items, at="2025-06-01T01:00:00.000000+00:00", actor=ACTOR)
    out = root / f"{did}.zip"
    seconds, manifest = _timed(lambda: archive.export(ctx, did, out))
    count = manifest["counts"]["events"]  # type: ignore[index]
    print(f"export a {count:,}-event bundle ({out.stat().st_size / 1e6:.1f} MB)  {seconds:8.2f} s")
    key = transparency.public_key(ctx)
    seconds, report = _timed(lambda: archive_verify.verify_archive(out, key))
    assert isinstance(report, archive_verify.ArchiveReport)
    assert report.ok, [str(p) for p in report.problems[:5]]
    print(f"verify-archive {count:,} events, {report.artifacts:,} artifacts {seconds:8.2f} s  "
          f"({count / seconds:,.0f} events/s)")
    ctx.store.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--leaves", type=int, default=1_000_000)
    parser.add_argument("--archive-events", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--database-url", default=None, help="log part on this database (default SQLite)")
    args = parser.parse_args()
    print(f"Python {sys.version.split()[0]}; log on {args.database_url or 'SQLite (WAL, synchronous=FULL)'}")
    with tempfile.TemporaryDirectory(prefix="bench-audit-") as tmp:
        root = Path(tmp)
        bench_log(root / "log", args.database_url, args.leaves, args.queries)
        bench_archive(root / "archive", args.archive_events)


if __name__ == "__main__":
    main()
