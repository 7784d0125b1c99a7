"""Pages and official documents (issue 9): print what the server-rendered pages and the 公文 renderings cost
through the service layer, on SQLite, with N demo decisions in the store.

    .venv/bin/python bench/bench_pages.py --decisions 10 --rounds 20
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fastapi import FastAPI

from api.pages import register_pages
from decision_engine import bootstrap
from decision_engine.config import Settings
from decision_engine.services import documents
from decision_engine.services.demo import cast, demo_clock, run_demo

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


def ms(samples: list[float]) -> str:
    """p50 and max in milliseconds."""
    return f"p50 {statistics.median(samples) * 1000:.1f} ms, max {max(samples) * 1000:.1f} ms"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--decisions", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=20)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-pages-"))
    ctx = bootstrap.build(Settings(data_dir=tmp, database_url=f"sqlite:///{tmp / 'd.db'}"), clock=demo_clock())
    people = cast(ctx, "Bench-Passw0rd!")
    ids = [run_demo(ctx, lambda _: None, people=people) for _ in range(args.decisions)]
    did = ids[-1]

    started = time.perf_counter()
    records = documents.render_all(ctx, did)
    first = time.perf_counter() - started
    print(f"render_all: {len(records)} documents (HTML + PDF) in {first:.2f} s "
          f"({first / len(records) * 1000:.0f} ms each); PDF {min(r['pdf_size'] for r in records) // 1024}–"
          f"{max(r['pdf_size'] for r in records) // 1024} KiB, HTML {min(r['html_size'] for r in records)}–"
          f"{max(r['html_size'] for r in records)} B")
    started = time.perf_counter()
    documents.render_all(ctx, did)
    print(f"render_all again (idempotent, nothing re-rendered): {(time.perf_counter() - started) * 1000:.0f} ms")
    started = time.perf_counter()
    same = all(documents.rerender_matches(ctx, r) for r in records)
    print(f"re-render and compare all: {time.perf_counter() - started:.2f} s, all identical: {same}")

    app = FastAPI()
    register_pages(app, ctx)
    client = TestClient(app)
    token = client.get("/login").text.split('name="csrf_token" value="')[1].split('"')[0]
    client.post("/login", data={"csrf_token": token, "person_id": people.head, "password": "Bench-Passw0rd!"})
    for url in ("/work", "/decisions", f"/decisions/{did}", "/legal", "/dashboard", f"/audit/decisions/{did}",
                "/public", f"/public/decisions/{did}"):
        samples = []
        for _ in range(args.rounds):
            t = time.perf_counter()
            r = client.get(url)
            samples.append(time.perf_counter() - t)
            assert r.status_code == 200, (url, r.status_code)
        print(f"GET {url.replace(did, '<id>'):28s} {len(r.content) // 1024:4d} KiB  {ms(samples)}  "
              f"({args.decisions} decisions in the store)")


if __name__ == "__main__":
    main()
