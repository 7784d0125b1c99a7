"""Benchmark the HTTP API from a second process on loopback.

Usage: python bench/bench_api.py [--requests N=1000] [--concurrency 1,4,16] [--decisions 200] [--rounds 5]

A uvicorn server (uvloop + httptools, one worker) runs `api.app:app` in a subprocess on SQLite in a temporary
directory. This process seeds the store (people, tokens, started decisions), then drives a fixed number of
requests per (endpoint, concurrency) with a small keep-alive asyncio HTTP/1.1 client, N connections at a time:

    GET  /api/v1/health                  the trivial endpoint in the same app (no database)
    GET  /api/v1/bench-peer/decisions/{id}  PEER: the same token check, one JSON row read by key, returned as stored
    GET  /api/v1/decisions/{id}          read a decision (authenticate, role check, the full view)
    POST /api/v1/bench-peer/notes        PEER: the same token check, one durable insert
    POST /api/v1/decisions/{id}/artifacts  record an artifact (a consultation record; spread over decisions)
    GET  /api/v1/decisions?limit=50      list decisions

The server is `bench.peer_app:app`: the product's app with the two peer endpoints (bench/peer_app.py) a team
would write by hand. Prints req/s, p50 and p99 latency per endpoint and concurrency, and every figure as a
ratio against its peer measured in the same run: read / peer read, record / peer insert (issue 19 §1).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from decision_engine import bootstrap  # noqa: E402
from decision_engine.config import Settings  # noqa: E402
from decision_engine.services import decisions as svc  # noqa: E402
from decision_engine.services import identity  # noqa: E402


@dataclass
class Seed:
    """What the load needs: decision ids and a token allowed to read and record."""

    decisions: list[str]
    token: str


def seed(data_dir: Path, n_decisions: int) -> Seed:
    """People, tokens and started decisions in a fresh store (services called directly)."""
    settings = Settings(data_dir=data_dir, database_url=f"sqlite:///{data_dir / 'decide.db'}")
    ctx = bootstrap.build(settings)
    bureau, city = "某市交通运输局", "某市人民政府"
    drafter = identity.register_person(ctx, "张华")
    identity.grant_role(ctx, drafter, "undertaking_unit", bureau)
    head = identity.register_person(ctx, "王明")
    identity.grant_role(ctx, head, "admin_head", city)
    ids = []
    for i in range(n_decisions):
        did = svc.open_decision(ctx, drafter, title=f"基准测试决策 {i}", category="policy", unit=bureau,
                                due_by=(date.today() + timedelta(days=200)).isoformat()).decision_id
        svc.record_artifact(ctx, head, did, "start_decision", {"lead_unit": bureau, "units": [bureau]})
        svc.add_draft_version(ctx, drafter, did, content=f"草案 {i}".encode(), title="草案")
        ids.append(did)
    token = identity.issue_token(ctx, drafter)
    ctx.store.dispose()
    return Seed(ids, token)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    env = dict(os.environ, DECIDE_DATA_DIR=str(data_dir), DECIDE_FLOWS="0",
               DECIDE_PUBLIC_RATE_PER_MINUTE="1000000", PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "bench.peer_app:app", "--host", "127.0.0.1", "--port",
                             str(port), "--loop", "uvloop", "--http", "httptools", "--no-access-log",
                             "--log-level", "warning"], cwd=ROOT, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
                s.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                if s.recv(64).startswith(b"HTTP/1.1 200"):
                    return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("the server did not start within 60 s")


# --------------------------------------------------------------------------------------- the client
async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    if length:
        await reader.readexactly(length)
    return status


async def _worker(port: int, requests: list[bytes], latencies: list[float], errors: list[int]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        for req in requests:
            t0 = time.perf_counter()
            writer.write(req)
            status = await _read_response(reader)
            latencies.append(time.perf_counter() - t0)
            if status >= 300:
                errors.append(status)
    finally:
        writer.close()


def request(method: str, path: str, token: str | None, body: dict[str, object] | None = None) -> bytes:
    data = json.dumps(body, ensure_ascii=False).encode() if body is not None else b""
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
    if token:
        lines.append(f"Authorization: Bearer {token}")
    if body is not None:
        lines += ["Content-Type: application/json", f"Content-Length: {len(data)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + data


async def drive(port: int, reqs: list[bytes], concurrency: int, max_seconds: float
                ) -> tuple[float, list[float], list[int]]:
    chunks = [reqs[i::concurrency] for i in range(concurrency)]
    latencies: list[float] = []
    errors: list[int] = []
    t0 = time.perf_counter()
    await asyncio.wait_for(asyncio.gather(*(_worker(port, c, latencies, errors) for c in chunks)), max_seconds)
    return time.perf_counter() - t0, latencies, errors


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--requests", type=int, default=1000)
    ap.add_argument("--concurrency", default="1,4,16")
    ap.add_argument("--decisions", type=int, default=200)
    ap.add_argument("--max-seconds", type=float, default=120)
    ap.add_argument("--rounds", type=int, default=5, help="rounds per cell, endpoints alternating")
    args = ap.parse_args()
    levels = [int(x) for x in args.concurrency.split(",")]
    with tempfile.TemporaryDirectory(prefix="decide-bench-") as tmp:
        data_dir = Path(tmp) / "data"
        s = seed(data_dir, args.decisions)
        port = free_port()
        proc = start_server(data_dir, port)
        try:
            n = args.requests
            bodies = [{"kind": "consultation", "fields": {"unit": f"某市财政局{i}", "opinion": "同意"}}
                      for i in range(n)]
            endpoints = {
                "GET health": lambda i: request("GET", "/api/v1/health", None),
                "GET peer read": lambda i: request("GET", f"/api/v1/bench-peer/decisions/{s.decisions[0]}",
                                                   s.token),
                "GET decision": lambda i: request("GET", f"/api/v1/decisions/{s.decisions[0]}", s.token),
                "POST peer ins": lambda i: request("POST", "/api/v1/bench-peer/notes", s.token, bodies[i]),
                "POST artifact": lambda i: request(
                    "POST", f"/api/v1/decisions/{s.decisions[i % len(s.decisions)]}/artifacts", s.token,
                    bodies[i]),
                "GET list": lambda i: request("GET", "/api/v1/decisions?limit=50", s.token),
            }
            results: dict[tuple[str, int], tuple[float, float, float]] = {}
            print(f"{n} requests per cell; {args.decisions} decisions; server: uvicorn (uvloop, httptools), "
                  f"1 worker, SQLite (WAL, synchronous=FULL); {os.cpu_count()} CPUs shared by client and server")
            print(f"{'endpoint':<15}{'conc':>5}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}")
            for make in endpoints.values():
                asyncio.run(drive(port, [make(i) for i in range(min(50, n))], 4, args.max_seconds))  # warm-up
            # Each cell is measured in rounds, every endpoint in turn within a round (A B C … A B C …), so
            # that the machine's drift hits an endpoint and its peer alike; a ratio is taken round by round.
            rounds = max(1, args.rounds)
            per_round: dict[tuple[str, int], list[float]] = {}
            for c in levels:
                acc: dict[str, tuple[float, list[float], list[int]]] = {k: (0.0, [], []) for k in endpoints}
                for r in range(rounds):
                    for name, make in endpoints.items():
                        reqs = [make(i) for i in range(r * n // rounds, (r + 1) * n // rounds)]
                        wall, lat, errs = asyncio.run(drive(port, reqs, c, args.max_seconds))
                        w0, l0, e0 = acc[name]
                        acc[name] = (w0 + wall, l0 + lat, e0 + errs)
                        per_round.setdefault((name, c), []).append(len(lat) / wall)
                for name, (wall, lat, errs) in acc.items():
                    rps = len(lat) / wall
                    results[(name, c)] = (rps, pct(lat, 0.5), pct(lat, 0.99))
                    print(f"{name:<15}{c:>5}{rps:>10.0f}{pct(lat, 0.5):>9.2f}{pct(lat, 0.99):>9.2f}"
                          f"{len(errs):>8}" + (f"  (first: {errs[0]})" if errs else ""))
            print()

            def ratio(a: str, b: str, c: int) -> str:
                rs = sorted(x / y for x, y in zip(per_round[(a, c)], per_round[(b, c)], strict=True))
                return f"{statistics.median(rs):.2f} (rounds {rs[0]:.2f}–{rs[-1]:.2f})"
            for c in levels:
                print(f"concurrency {c:>2}: read a decision / peer read {ratio('GET decision', 'GET peer read', c)}"
                      f" (goal ≥ 0.5); record an artifact / peer insert "
                      f"{ratio('POST artifact', 'POST peer ins', c)} (goal ≥ 0.7); "
                      f"record / health {ratio('POST artifact', 'GET health', c)}")
            best = max(levels, key=lambda c: results[("POST artifact", c)][0])
            rps, p50, p99 = results[("POST artifact", best)]
            print(f"record-artifact peaks at concurrency {best}: {rps:.0f} req/s, p50 {p50:.1f} ms, "
                  f"p99 {p99:.1f} ms (p99 goal ≤ 50 ms)")
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


if __name__ == "__main__":
    main()
