"""`decide verify` on ~1M events with every table it re-derives, against peers in the same run (issue 17,
issue 19).

    .venv/bin/python bench/bench_verify.py [--events 1000000] [--workers 2]

Generator: the demo decision and the demo portfolio (seven decisions at every stage, a public comment
campaign with its clusters, a meeting with its agenda) are the template; each copy renames every decision,
artifact, meeting and comment tracking-number id (a copy tag after the prefix), re-canonicalises (RFC 8785)
and re-chains every event, rebuilds each decision's projection by replay and its artifacts index from it, and
copies the comment, cluster, meeting and agenda rows with the same renaming (meeting state re-sorted). People
are shared. SQLite in a temporary directory; the rows are written with the stdlib driver, synchronous=OFF
(generation only: verify reads them as they are).

Then, alternately in the same run (each with `--workers` processes over the same stream ranges):

    verify        `verification.verify(ctx)`: every chain from the stored bytes, the columns against the signed
                  body, every decision, meeting and comment projection rebuilt by replay and compared, the
                  artifacts index, comment/cluster/meeting/agenda/person tables, orphans, the Merkle log
    peer: hash    the same rows read through the driver in the same order, each body chain-hashed (SHA-256 of
                  the domain byte, previous hash and body) and compared with the stored hash: what a plain
                  hash-chain check of the same bytes costs
    peer: parse   the same plus each body parsed (orjson): the floor of anything that replays

Prints events/s of each and the ratios verify / peer.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sqlite3
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from decision_engine import bootstrap  # noqa: E402
from decision_engine.adapters import store as st  # noqa: E402
from decision_engine.adapters import verification_repo  # noqa: E402
from decision_engine.audit.canonical import CHAIN_DOMAIN, GENESIS, canonical, chain_hash  # noqa: E402
from decision_engine.config import Settings  # noqa: E402
from decision_engine.domain import projection  # noqa: E402
from decision_engine.domain.decision import Decision  # noqa: E402
from decision_engine.services import verification  # noqa: E402
from decision_engine.services.demo import cast, demo_clock, run_demo  # noqa: E402
from decision_engine.services.demo_portfolio import seed_portfolio  # noqa: E402

IDS = re.compile(r"\b(MAD|A|MTG)-([0-9a-f]{12})\b|\bYJ-([0-9A-Z]{4})-")
EVENT_COLS = ("stream", "seq", "type", "schema_version", "at", "person", "role", "unit", "body", "prev_hash",
              "hash")
COPIED_TABLES = ("public_comments", "comment_identities", "opinion_clusters", "opinion_cluster_members", "meeting_items",
                 "documents", "execution_opinions", "accountability_cases")


def rename(text: str, tag: str) -> str:
    """Every decision, artifact, meeting and tracking-number id given the copy's tag."""
    def sub(m: re.Match[str]) -> str:
        if m.group(1):
            return f"{m.group(1)}-{tag}{m.group(2)}"
        return f"YJ-{tag.upper()}{m.group(3)}-"
    return IDS.sub(sub, text)


def generate(root: Path, target: int) -> tuple[Path, int]:
    db_path = root / "decide.db"
    ctx = bootstrap.build(Settings(data_dir=root, database_url=f"sqlite:///{db_path}"), clock=demo_clock())
    people = cast(ctx)
    run_demo(ctx, lambda _: None, people=people)
    seed_portfolio(ctx, people, lambda _: None)
    ctx.store.dispose()
    db = sqlite3.connect(db_path, isolation_level=None)
    db.row_factory = sqlite3.Row
    streams: dict[str, list[str]] = {}
    for r in db.execute("SELECT stream, body FROM events WHERE stream NOT LIKE 'person:%' "
                        "AND stream NOT LIKE 'experts:%' AND stream NOT LIKE 'client:%' "
                        "AND stream NOT LIKE 'org:%' ORDER BY stream, seq"):
        streams.setdefault(r["stream"], []).append(r["body"].decode())
    per = sum(len(v) for v in streams.values())
    tables = {t: [dict(r) for r in db.execute(f"SELECT * FROM {t}")] for t in COPIED_TABLES}
    meetings = [dict(r) for r in db.execute("SELECT * FROM meetings")]
    specs: dict[str, Any] = {}
    with bootstrap.build(Settings(data_dir=root, database_url=f"sqlite:///{db_path}")).store.read() as conn:
        for h in {orjson.loads(v[0])["payload"]["procedure"]["hash"] for s, v in streams.items()
                  if s.startswith("decision:")}:
            specs[h] = st.get_spec(conn, h)
    copies = max(1, (target - per) // per)
    db.execute("PRAGMA synchronous=OFF")
    db.execute("BEGIN")
    dcols = [c[1] for c in db.execute("PRAGMA table_info(decisions)")]
    acols = [c[1] for c in db.execute("PRAGMA table_info(artifacts)")]
    for k in range(copies):
        tag = f"{k:05x}"
        rows = []
        for stream, bodies in streams.items():
            new_stream = rename(stream, tag)
            prev = GENESIS
            envs = []
            for text in bodies:
                env = orjson.loads(rename(text, tag))
                p = env["payload"]
                if env["type"] == "ArtifactRecorded" and p.get("storage") == "inline":
                    data = canonical(p["fields"])  # fields naming a renamed id: the inline bytes change
                    p["sha256"], p["size"] = hashlib.sha256(data).hexdigest(), len(data)
                body = canonical(env)
                h = chain_hash(prev, body)
                a = env["actor"]
                rows.append((new_stream, env["seq"], env["type"], env.get("v", 1), env["at"], a["person"],
                             a["role"], a["unit"], body, prev, h))
                prev = h
                envs.append(orjson.loads(body))
            if new_stream.startswith("decision:"):
                d = Decision(specs[envs[0]["payload"]["procedure"]["hash"]], resolve=specs.__getitem__)
                projection.fold_all(d, envs, d.events)
                d.refresh()
                s = d.state
                row = dict(st.decision_row(s), id=s["id"])
                db.execute(f"INSERT INTO decisions ({', '.join(dcols)}) VALUES ({', '.join('?' * len(dcols))})",
                           [row.get(c) for c in dcols])
                arts = [st.artifact_values(s["id"], a) for a in s["artifacts"].values()]
                db.executemany(f"INSERT INTO artifacts ({', '.join(acols)}) VALUES "
                               f"({', '.join('?' * len(acols))})", [[a.get(c) for c in acols] for a in arts])
        db.executemany(f"INSERT INTO events ({', '.join(EVENT_COLS)}) VALUES ({', '.join('?' * 11)})", rows)
        for t, trows in tables.items():
            for r in trows:
                new = {c: rename(v, tag) if isinstance(v, str) else v for c, v in r.items()}
                db.execute(f"INSERT INTO {t} ({', '.join(new)}) VALUES ({', '.join('?' * len(new))})",
                           list(new.values()))
        for r in meetings:
            new = {c: rename(v, tag) if isinstance(v, str) else v for c, v in r.items()}
            new["state"] = st.state_text(orjson.loads(new["state"]))
            db.execute(f"INSERT INTO meetings ({', '.join(new)}) VALUES ({', '.join('?' * len(new))})",
                       list(new.values()))
    db.execute("COMMIT")
    total = db.execute("SELECT count(*) FROM events").fetchone()[0]
    db.close()
    return db_path, total


def _peer_range(db_path: str, lo: str | None, hi: str | None, parse: bool) -> int:
    db = sqlite3.connect(db_path)
    where, args = [], []
    if lo is not None:
        where.append("stream >= ?")
        args.append(lo)
    if hi is not None:
        where.append("stream < ?")
        args.append(hi)
    sql = ("SELECT stream, body, prev_hash, hash FROM events" + (" WHERE " + " AND ".join(where) if where else "")
           + " ORDER BY stream, seq")
    n = bad = 0
    sha256, loads = hashlib.sha256, orjson.loads
    cur = db.execute(sql, args)
    while batch := cur.fetchmany(5000):
        for _stream, body, prev_hash, stored in batch:
            n += 1
            if sha256(CHAIN_DOMAIN + bytes.fromhex(prev_hash) + body).hexdigest() != stored:
                bad += 1
            if parse:
                loads(body)
    db.close()
    assert bad == 0
    return n


def peer(db_path: Path, bounds: list[tuple[str | None, str | None]], parse: bool) -> int:
    if len(bounds) == 1:
        return _peer_range(str(db_path), *bounds[0], parse)
    with ProcessPoolExecutor(max_workers=len(bounds)) as pool:
        return sum(pool.map(_peer_range, [str(db_path)] * len(bounds), [b[0] for b in bounds],
                            [b[1] for b in bounds], [parse] * len(bounds)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=1)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="decide-verify-") as tmp:
        t = time.perf_counter()
        db_path, total = generate(Path(tmp), args.events)
        print(f"generated {total:,} events in {time.perf_counter() - t:.0f} s")
        ctx = bootstrap.build(Settings(data_dir=Path(tmp), database_url=f"sqlite:///{db_path}"))
        with ctx.store.read() as conn:
            streams = verification_repo.stream_names(conn)
        bounds = verification._split(  # the same ranges verify checks
            streams, args.workers if len(streams) > 2000 else 1)
        rates: dict[str, list[float]] = {"verify": [], "peer: hash": [], "peer: parse": []}
        for _ in range(args.rounds):
            t = time.perf_counter()
            rep = verification.verify(ctx, workers=args.workers)
            rates["verify"].append(rep.events / (time.perf_counter() - t))
            print(f"verify: {rep.events:,} events, {rep.streams:,} streams, {rep.decisions:,} projections "
                  f"replayed, {rep.artifacts:,} blob artifacts: {rates['verify'][-1]:,.0f} events/s; findings: "
                  f"{len(rep.findings)}" + (f" (first: {rep.findings[:3]})" if rep.findings else ""))
            for label, parse in (("peer: hash", False), ("peer: parse", True)):
                t = time.perf_counter()
                n = peer(db_path, bounds, parse)
                rates[label].append(n / (time.perf_counter() - t))
                print(f"{label}: {n:,} events: {rates[label][-1]:,.0f} events/s")
        for label in ("peer: hash", "peer: parse"):
            ratios = [v / p for v, p in zip(rates["verify"], rates[label], strict=True)]
            print(f"verify / {label}: " + ", ".join(f"{r:.2f}" for r in ratios))
        ctx.store.dispose()


if __name__ == "__main__":
    main()
