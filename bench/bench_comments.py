"""Public comments at scale (issue 4): intake through the service layer and over HTTP, on SQLite and
PostgreSQL, and clustering of 100,000 comments.

(a) service: `participation.submit_comment` one after another (each a durable transaction: a hash-chained
    event on `comments:<decision>`, the comment row): comments/s, p50/p99;
(b) HTTP: `POST /api/v1/public/decisions/{id}/comments` (no login) against `GET /api/v1/health` (the API's
    trivial endpoint) in the same run, uvicorn (uvloop + httptools, one worker) in a child process, a
    keep-alive client with C concurrent connections in this one: req/s, p50/p99, ratio (target ≥ 0.5×);
(c) clustering: the pure clustering of N generated comments (campaigns with personal variations and
    unique comments), then the same N loaded through `import_comments` and clustered by the service,
    then an incremental run (target < 60 s for 100,000).

    .venv/bin/python bench/bench_comments.py [--service 2000] [--http 3000] [--concurrency 10]
        [--cluster 100000] [--no-postgres]
PostgreSQL: DECIDE_TEST_POSTGRES_URL (a fresh database is created and dropped).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import orjson

from decision_engine import bootstrap
from decision_engine.config import Settings
from decision_engine.domain.participation import cluster_labels
from decision_engine.services import decisions as svc
from decision_engine.services import participation as part
from decision_engine.services.context import Context
from decision_engine.services.demo import BUREAU, cast

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repository root: bench.procs
from bench import procs

ROOT = Path(__file__).resolve().parent.parent
PHRASES = ["票价上涨幅度过大", "建议增加夜班公交", "老年人免费乘车应保留", "学生票应当半价", "换乘优惠很好",
           "线路调整影响上班", "希望延长末班车时间", "站点设置不合理", "建议公开成本核算", "支持线网优化",
           "反对取消101路", "公交专用道应增加", "地铁接驳需改善", "空调车票价不应上浮"]
CHARS = ("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后"
         "多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还"
         "因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结"
         "解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级")


def generate(n: int, seed: int = 7) -> list[str]:
    """n comments: 60% from 30 campaigns (identical, signed, or with a character changed), 40% unique."""
    rng = random.Random(seed)
    out: list[str] = []
    campaigns = max(1, min(30, n // 100))
    per = int(n * 0.6) // campaigns
    for _ in range(campaigns):
        base = "".join(rng.choice(PHRASES) + "，" for _ in range(5)) + "".join(rng.choice(CHARS) for _ in range(20))
        for _ in range(per):
            r, t = rng.random(), base
            if r < 0.4:
                t += "——市民" + "".join(rng.choice(CHARS) for _ in range(3))
            elif r < 0.6:
                k = rng.randrange(len(t))
                t = t[:k] + rng.choice(CHARS) + t[k + 1:]
            out.append(t)
    while len(out) < n:
        out.append("".join(rng.choice(PHRASES) if rng.random() < 0.3 else "".join(rng.choice(CHARS) for _ in range(8))
                           for _ in range(8)))
    rng.shuffle(out)
    return out


def pct(xs: list[float], p: float) -> float:
    """The p-th percentile of latencies, in milliseconds."""
    s = sorted(xs)
    return 1000 * s[min(len(s) - 1, int(p / 100 * len(s)))]


# ------------------------------------------------------------------------------------------ databases
@contextmanager
def databases(tmp: Path, postgres: bool) -> Iterator[list[tuple[str, str]]]:
    """(label, url) of a fresh SQLite file and, when configured, a fresh PostgreSQL database."""
    dbs = [("SQLite", f"sqlite:///{tmp / 'sqlite' / 'decide.db'}")]
    (tmp / "sqlite").mkdir()
    pg = os.environ.get("DECIDE_TEST_POSTGRES_URL", "")
    name = ""
    if postgres and pg:
        import psycopg
        name = f"decide_bench_{secrets.token_hex(4)}"
        with psycopg.connect(pg.replace("+psycopg", ""), autocommit=True) as c:
            c.execute(f'CREATE DATABASE "{name}"')
        dbs.append(("PostgreSQL", pg.rsplit("/", 1)[0] + "/" + name))
    try:
        yield dbs
    finally:
        if name:
            import psycopg
            with psycopg.connect(pg.replace("+psycopg", ""), autocommit=True) as c:
                c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def consultation(ctx: Context, people: Any) -> str:
    """A decision whose draft is open for comment from today (real clock) for 30 days."""
    did = svc.open_decision(ctx, people.drafter, title="关于调整公交票价的决定（压力测试）", category="public_project",
                            unit=BUREAU).decision_id
    svc.record_artifact(ctx, people.head, did, "start_decision", {"lead_unit": BUREAU, "units": [BUREAU]})
    svc.add_draft_version(ctx, people.drafter, did, content=b"draft v1", title="v1")
    today = ctx.today()
    svc.record_artifact(ctx, people.drafter, did, "comment_notice", {
        "explanation": "起草说明", "channels": ["政府网站"], "method": "网上留言",
        "published_at": today.isoformat(), "deadline": (today + timedelta(days=30)).isoformat()})
    return did


# ------------------------------------------------------------------------------------------ (a) service
def service_intake(ctx: Context, did: str, n: int) -> dict[str, float]:
    texts = generate(n, seed=11)
    lat = []
    t0 = time.perf_counter()
    for text in texts:
        t = time.perf_counter()
        part.submit_comment(ctx, did, text)
        lat.append(time.perf_counter() - t)
    wall = time.perf_counter() - t0
    return {"rate": n / wall, "p50": pct(lat, 50), "p99": pct(lat, 99)}


# ------------------------------------------------------------------------------------------ (b) HTTP
def server_app() -> Any:
    """The API app of the child process, with the public comment routes (uvicorn --factory)."""
    from api import routes_public_comments
    from api.app import create_app
    app = create_app(bootstrap.build(Settings.from_env()))
    app.include_router(routes_public_comments.router)
    return app


@contextmanager
def server(url: str, data_dir: Path) -> Iterator[int]:
    with procs.api_processes("bench_comments:server_app", {
            "DECIDE_DATABASE_URL": url, "DECIDE_DATA_DIR": str(data_dir),
            "DECIDE_PUBLIC_RATE_PER_MINUTE": "1000000000"}, 1,
            args=["--factory", "--app-dir", str(ROOT / "bench"), "--loop", "uvloop", "--http", "httptools"]) as api:
        yield api.port


async def _one(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes) -> int:
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    await reader.readexactly(length)
    return status


async def load(port: int, requests: list[bytes], concurrency: int) -> tuple[float, list[float], dict[int, int]]:
    """Send the requests over `concurrency` keep-alive connections; wall time, latencies, statuses."""
    queue = list(reversed(requests))
    lat: list[float] = []
    statuses: dict[int, int] = {}

    async def worker() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        while queue:
            req = queue.pop()
            t = time.perf_counter()
            status = await _one(reader, writer, req)
            lat.append(time.perf_counter() - t)
            statuses[status] = statuses.get(status, 0) + 1
        writer.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - t0, lat, statuses


def http_intake(port: int, did: str, n: int, concurrency: int, rounds: int = 5) -> dict[str, dict[str, float]]:
    """Alternate rounds of health and comment requests (the machine is shared: both sides see the same
    contention); rates are the median over rounds, latencies pooled."""
    health = b"GET /api/v1/health HTTP/1.1\r\nHost: bench\r\n\r\n"

    def post(text: str) -> bytes:
        body = orjson.dumps({"text": text})
        return (f"POST /api/v1/public/decisions/{did}/comments HTTP/1.1\r\nHost: bench\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body

    asyncio.run(load(port, [health] * 300 + [post("预热")] * 50, concurrency))  # warm-up
    per = max(1, n // rounds)
    texts = generate(per * rounds, seed=13)
    rates: dict[str, list[float]] = {"health": [], "comments": []}
    lats: dict[str, list[float]] = {"health": [], "comments": []}
    ok = 0
    for r in range(rounds):
        for name, reqs in (("health", [health] * per), ("comments", [post(t) for t in texts[r * per:(r + 1) * per]])):
            wall, lat, statuses = asyncio.run(load(port, reqs, concurrency))
            rates[name].append(per / wall)
            lats[name] += lat
            ok += statuses.get(201, 0)
    return {name: {"rate": statistics.median(rates[name]), "p50": pct(lats[name], 50), "p99": pct(lats[name], 99),
                   "ok": ok, "rounds": " ".join(f"{x:,.0f}" for x in rates[name])} for name in rates}


# ------------------------------------------------------------------------------------------ (c) clustering
def clustering(ctx: Context, people: Any, did: str, texts: list[str]) -> dict[str, float]:
    t = time.perf_counter()
    for i in range(0, len(texts), 1000):
        part.import_comments(ctx, people.drafter, did, [{"text": x} for x in texts[i:i + 1000]])
    load_s = time.perf_counter() - t
    t = time.perf_counter()
    run = part.cluster_comments(ctx, people.drafter, did)
    cluster_s = time.perf_counter() - t
    part.import_comments(ctx, people.drafter, did, [{"text": x} for x in generate(1000, seed=17)])
    t = time.perf_counter()
    again = part.cluster_comments(ctx, people.drafter, did)
    return {"load_s": load_s, "load_rate": len(texts) / load_s, "cluster_s": cluster_s,
            "clusters": run["clusters_total"], "incremental_s": time.perf_counter() - t,
            "incremental_new": again["new_clusters"]}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--service", type=int, default=2000)
    ap.add_argument("--http", type=int, default=3000)
    ap.add_argument("--concurrency", type=int, default=10)
    ap.add_argument("--cluster", type=int, default=100_000)
    ap.add_argument("--no-postgres", action="store_true")
    args = ap.parse_args()
    print(f"machine: {os.cpu_count()} cores; Python {sys.version.split()[0]}")
    if args.cluster:
        texts = generate(args.cluster)
        t = time.perf_counter()
        labels = cluster_labels(texts)
        dt = time.perf_counter() - t
        print(f"(c) pure clustering of {len(texts):,} comments: {dt:.1f} s → {len(set(labels)):,} distinct opinions "
              f"(target < 60 s)")
    with tempfile.TemporaryDirectory() as tmp_name, databases(Path(tmp_name), not args.no_postgres) as dbs:
        tmp = Path(tmp_name)
        for label, url in dbs:
            data = tmp / f"data-{label}"
            ctx = bootstrap.build(Settings(data_dir=data, database_url=url))
            people = cast(ctx)
            if args.service:
                r = service_intake(ctx, consultation(ctx, people), args.service)
                print(f"(a) {label}: service intake of {args.service:,} comments, one after another: "
                      f"{r['rate']:,.0f} comments/s, p50 {r['p50']:.1f} ms, p99 {r['p99']:.1f} ms")
            if args.http:
                did = consultation(ctx, people)
                with server(url, data) as port:
                    h = http_intake(port, did, args.http, args.concurrency)
                hb, cm = h["health"], h["comments"]
                print(f"(b) {label}: HTTP, {args.concurrency} connections, {args.http:,} requests each, in 5 "
                      f"alternating rounds (median req/s; rounds: health {hb['rounds']} | comments {cm['rounds']}):\n"
                      f"    GET  /api/v1/health                {hb['rate']:7,.0f} req/s  p50 {hb['p50']:5.1f} ms  "
                      f"p99 {hb['p99']:6.1f} ms\n"
                      f"    POST /api/v1/public/…/comments     {cm['rate']:7,.0f} req/s  p50 {cm['p50']:5.1f} ms  "
                      f"p99 {cm['p99']:6.1f} ms  ({cm['ok']:,.0f} × 201)\n"
                      f"    ratio comments/health: {cm['rate'] / hb['rate']:.2f}× (target ≥ 0.5×)")
            if args.cluster:
                c = clustering(ctx, people, consultation(ctx, people), texts)
                print(f"(c) {label}: {len(texts):,} comments loaded through import_comments (batches of 1,000) "
                      f"in {c['load_s']:.1f} s ({c['load_rate']:,.0f}/s); clustered by the service in "
                      f"{c['cluster_s']:.1f} s → {c['clusters']:,.0f} opinions (target < 60 s); +1,000 comments "
                      f"re-clustered incrementally in {c['incremental_s']:.1f} s ({c['incremental_new']:.0f} new)")
            ctx.store.dispose()


if __name__ == "__main__":
    main()
