"""Profile reading a decision over HTTP, in process (issue 19 §2), and time it against the peer read.

    PYTHONPATH=/tmp/prof .venv/bin/python bench/profile_read.py [--requests 2000] [--profile]

A fresh SQLite store in a temporary directory holds the demo decision (every gate, finalized, published,
in execution: the view is ~20 KB of JSON). The app is the served one plus the peer endpoints
(bench/peer_app.py) on the same Context; requests go through the ASGI stack in this process (Starlette's
TestClient), so what is measured is the server's work per request without a network. Prints the mean time per
request of each endpoint, alternating rounds A B A B so that drift hits both, and the ratio
peer / read (= read throughput as a fraction of the peer's), then the same for the server's work alone (the route's steps called in this thread, no HTTP stack). With --profile, pyinstrument
(`pip install pyinstrument`) samples the read and writes `bench/profiles/read.txt` (call tree) and
`read.html` (flame graph, open in a browser); --name changes the file name.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fastapi.testclient import TestClient  # noqa: E402

from decision_engine import bootstrap  # noqa: E402
from decision_engine.config import Settings  # noqa: E402
from decision_engine.services import identity  # noqa: E402
from decision_engine.services.demo import demo_clock, run_demo  # noqa: E402


def build(data_dir: Path) -> tuple[TestClient, str, str]:
    ctx = bootstrap.build(Settings(data_dir=data_dir, database_url=f"sqlite:///{data_dir / 'decide.db'}"),
                          clock=demo_clock())
    did = run_demo(ctx, lambda _: None)
    auditor = identity.register_person(ctx, "审计员")
    identity.grant_role(ctx, auditor, "auditor", "某市审计局", reason="bench")
    token = identity.issue_token(ctx, auditor)
    from api.app import create_app
    app = create_app(ctx)
    import bench.peer_app as peer
    peer.PEER.create_all(ctx.store.engine)
    app.include_router(peer.router)
    return TestClient(app), did, token


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--name", default="read", help="profile file name (bench/profiles/NAME.txt, NAME.html)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="decide-read-") as tmp:
        client, did, token = build(Path(tmp))
        auth = {"Authorization": f"Bearer {token}"}
        read, peer = f"/api/v1/decisions/{did}", f"/api/v1/bench-peer/decisions/{did}"
        r = client.get(read, headers=auth)
        assert r.status_code == 200, r.text
        assert client.get(peer, headers=auth).status_code == 200
        print(f"decision {did}: view {len(r.content):,} bytes; stored projection "
              f"{len(client.get(peer, headers=auth).content):,} bytes")
        per = max(1, args.requests // args.rounds)
        times: dict[str, list[float]] = {"read": [], "peer": []}
        for _ in range(args.rounds):
            for name, path in (("read", read), ("peer", peer)):
                t0 = time.perf_counter()
                for _ in range(per):
                    client.get(path, headers=auth)
                times[name].append((time.perf_counter() - t0) / per * 1000)
        ratios = [p / r for p, r in zip(times["peer"], times["read"], strict=True)]
        print(f"read a decision: {statistics.median(times['read']):.2f} ms/request (median of {args.rounds} "
              f"rounds of {per}); peer read (same token check, JSON row by key): "
              f"{statistics.median(times['peer']):.2f} ms/request")
        print(f"read / peer throughput ratio: median {statistics.median(ratios):.2f} "
              f"(min {min(ratios):.2f}, max {max(ratios):.2f}) — in process, no network")
        # The server's work without the HTTP stack: what the route does, step by step, in this thread (a sampling
        # profiler started here does not see the worker thread Starlette runs a sync route in), against what
        # the peer route does (the same token check, one keyed read of the stored JSON).
        from pydantic import TypeAdapter

        from api.schemas import DecisionOut
        from bench.peer_app import _READ
        from decision_engine.services import access, queries
        ctx = client.app.state.decide.ctx  # type: ignore[attr-defined]
        adapter = TypeAdapter(DecisionOut)

        def route() -> bytes:
            person = identity.authenticate(ctx, token, "127.0.0.1")  # api.deps.current_person
            access.require_reader(ctx, person)
            view = queries.get_decision(ctx, did)
            return adapter.dump_json(adapter.validate_python(view))  # response_model (FastAPI's dump_json path)

        def peer_route() -> bytes:
            identity.authenticate(ctx, token, "127.0.0.1")
            with ctx.store.read() as conn:
                return str(conn.execute(_READ, {"i": did}).scalar_one()).encode()
        work: dict[str, list[float]] = {"read": [], "peer": []}
        for _ in range(args.rounds):
            for name, fn in (("read", route), ("peer", peer_route)):
                t0 = time.perf_counter()
                for _ in range(per):
                    fn()
                work[name].append((time.perf_counter() - t0) / per * 1000)
        wr = [p / r for p, r in zip(work["peer"], work["read"], strict=True)]
        print(f"server work only: read {statistics.median(work['read']):.3f} ms, peer "
              f"{statistics.median(work['peer']):.3f} ms per request; peer / read median {statistics.median(wr):.2f} "
              f"(min {min(wr):.2f}, max {max(wr):.2f})")
        if args.profile:
            from pyinstrument import Profiler

            prof = Profiler(interval=0.0002)
            prof.start()
            for _ in range(per * 2):
                route()
            prof.stop()
            out = ROOT / "bench" / "profiles"
            out.mkdir(exist_ok=True)
            (out / f"{args.name}.txt").write_text(prof.output_text(unicode=True, show_all=False), encoding="utf-8")
            (out / f"{args.name}.html").write_text(prof.output_html(), encoding="utf-8")
            print(f"profile: {out / args.name}.txt and {args.name}.html")


if __name__ == "__main__":
    main()
