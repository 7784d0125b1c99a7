"""The pieces as separate processes (issue 19 §6, docs/deployment.md): a fresh PostgreSQL database migrated
once, then `uvicorn api.app:app --workers 2` — two API processes behind one port — doing real acts over HTTP
(a decision opened, its start decision, draft and comment notice recorded), public comments sent from eight
threads at once, each on its own connection. Which worker process served each request is read from the
kernel's socket table (the accepted socket of that connection, found among the workers' file descriptors):
both must have served. After the processes are stopped, `decide verify` passes on the database and every
tracking number a client was given is in it. No timing is asserted; the processes are always stopped."""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import threading
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from decision_engine import bootstrap
from decision_engine.config import Settings
from decision_engine.services import identity, participation
from decision_engine.services.demo import BUREAU, cast
from tests.conftest import PG_URL

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # the benches' process helpers (bench/procs.py) are shared with this test
from bench.procs import (  # noqa: E402
    PrefectUnavailable,
    ReplicaUnavailable,
    api_processes,
    drop_pg_database,
    fresh_pg_database,
    prefect_work_pool,
    serving_process,
    streaming_pair,
)

pytestmark = pytest.mark.postgres
THREADS, PER_THREAD = 8, 12


def _comment(port: int, did: str, text: str, pids: list[int]) -> tuple[int, dict[str, Any], int | None]:
    """One public comment on a new connection: the status, the body, and the worker that served it."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        body = json.dumps({"text": text}, ensure_ascii=False).encode()
        conn.request("POST", f"/api/v1/public/decisions/{did}/comments", body=body,
                     headers={"Content-Type": "application/json"})
        resp = conn.getresponse()
        data = json.loads(resp.read() or b"{}")
        served_by = serving_process(port, conn.sock.getsockname()[1], pids)  # before the connection closes
        return resp.status, data, served_by
    finally:
        conn.close()


def test_two_api_processes_behind_one_port_serve_acts_and_concurrent_comments_then_verify_passes(
        tmp_path: Path, pg_ok: bool) -> None:
    if not pg_ok:
        pytest.skip("no PostgreSQL configured (set DECIDE_TEST_POSTGRES_URL)")
    url, name = fresh_pg_database(PG_URL, "decide_mp")
    data_dir = tmp_path / "data"
    env = {"DECIDE_DATABASE_URL": url, "DECIDE_DATA_DIR": str(data_dir), "DECIDE_PUBLIC_RATE_PER_MINUTE": "100000"}
    try:
        # migrate once, in this process, before any API process starts; the people are made on the system
        # clock the servers run on
        ctx = bootstrap.build(Settings(data_dir=data_dir, database_url=url))
        try:
            c = cast(ctx)
            tokens = {who: identity.issue_token(ctx, who, ttl_days=1) for who in (c.drafter, c.head)}
            today = ctx.today()
        finally:
            ctx.store.dispose()
        log = (tmp_path / "uvicorn.log").open("wb")
        acknowledged: list[str] = []
        served: Counter[int | None] = Counter()
        failures: list[str] = []
        try:
            with api_processes("api.app:app", env, 2, log=log) as api:
                pids = api.workers()
                assert len(pids) == 2, pids

                def client(who: str) -> httpx.Client:
                    return httpx.Client(base_url=f"{api.base}/api/v1", timeout=120,
                                        headers={"Authorization": f"Bearer {tokens[who]}"})

                with client(c.drafter) as drafter, client(c.head) as head:
                    r = drafter.post("/decisions", json={"title": "关于调整公交票价的决定（多进程）",
                                                         "category": "public_project", "unit": BUREAU})
                    assert r.status_code == 201, r.text
                    did = r.json()["decision_id"]
                    r = head.post(f"/decisions/{did}/artifacts", json={"kind": "start_decision", "fields": {
                        "lead_unit": BUREAU, "units": [BUREAU], "affected_units": ["某市财政局"]}})
                    assert r.status_code == 201, r.text
                    r = drafter.post(f"/decisions/{did}/drafts", data={"title": "征求意见稿"},
                                     files={"file": ("draft.txt", "第一条 票价调整为……".encode(), "text/plain")})
                    assert r.status_code == 201, r.text
                    r = drafter.post(f"/decisions/{did}/artifacts", json={"kind": "comment_notice", "fields": {
                        "explanation": "起草说明", "channels": ["政府网站"], "method": "网站留言",
                        "published_at": today.isoformat(), "deadline": (today + timedelta(days=30)).isoformat()}})
                    assert r.status_code == 201, r.text

                def send(k: int) -> None:
                    for i in range(PER_THREAD):
                        try:
                            status, body, pid = _comment(api.port, did, f"第{k}组第{i}条：建议延长末班车时间。", pids)
                        except OSError as exc:  # a connection that failed acknowledged nothing
                            failures.append(f"{k}/{i}: {exc!r}")
                            continue
                        served[pid] += 1
                        if status == 201:
                            acknowledged.append(body["tracking_number"])
                        else:
                            failures.append(f"{k}/{i}: {status} {body}")

                threads = [threading.Thread(target=send, args=(k,)) for k in range(THREADS)]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join()
                # Both workers accept from the one socket; which one wakes is the kernel's choice. Should one
                # have taken every comment, a bounded number of further requests shows the other one serving.
                extra = 0
                while not set(pids) <= set(served) and extra < 400:
                    status, body, pid = _comment(api.port, did, f"补充意见{extra}", pids)
                    served[pid] += 1
                    extra += 1
                    assert status == 201, body
                    acknowledged.append(body["tracking_number"])
                assert set(pids) <= set(served), f"served by {dict(served)}; workers {pids}"
                assert served[None] == 0, f"a connection not found among the workers: {dict(served)}"
        finally:
            log.close()
        assert not failures, failures[:5]
        assert len(acknowledged) >= THREADS * PER_THREAD

        # the processes are stopped: `decide verify` on the database, and every acknowledged comment is there
        run = subprocess.run([sys.executable, "-m", "decision_engine.cli", "verify"], cwd=ROOT, capture_output=True,
                             text=True, timeout=600, env={**os.environ, "PYTHONPATH": str(ROOT), **env})
        assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
        assert "OK" in run.stdout, run.stdout
        check = bootstrap.build(Settings(data_dir=data_dir, database_url=url), migrate=False)
        try:
            for tn in acknowledged:
                assert participation.comment_status(check, tn)["decision_id"] == did
            with check.store.read() as conn:
                stored = conn.exec_driver_sql("SELECT count(*) FROM public_comments WHERE decision_id = %(d)s",
                                              {"d": did}).scalar_one()
        finally:
            check.store.dispose()
        assert stored == len(acknowledged)  # every acknowledged comment, and nothing else
        print(f"comments acknowledged {len(acknowledged)}, stored {stored}; served per worker "
              f"{ {pid: served[pid] for pid in pids} }")
    finally:
        drop_pg_database(PG_URL, name)


def test_the_public_pages_of_api_processes_read_a_streaming_standby_and_tracking_reads_the_primary(
        tmp_path: Path) -> None:
    """A private primary and a hot standby streaming from it (bench/procs.py `streaming_pair`: initdb,
    pg_basebackup, run as the postgres OS user); `uvicorn --workers 2` with DECIDE_PUBLIC_DATABASE_URL on
    the standby: a decision opened for comment on the primary reaches the public page through replication,
    the standby's database is connected to by the API processes, a comment is taken by the primary and its
    tracking number found at once; `decide verify` passes on the primary."""
    try:
        pair = streaming_pair()
        primary, standby = pair.__enter__()
    except ReplicaUnavailable as exc:
        pytest.skip(f"no local streaming replica on this machine: {exc}")
    import psycopg

    from bench.procs import plain
    try:
        data_dir = tmp_path / "data"
        ctx = bootstrap.build(Settings(data_dir=data_dir, database_url=primary))  # migrate once
        try:
            c = cast(ctx)
            from decision_engine.services import decisions as svc
            did = svc.open_decision(ctx, c.drafter, title="关于调整公交票价的决定（只读副本）",
                                    category="public_project", unit=BUREAU).decision_id
            svc.record_artifact(ctx, c.head, did, "start_decision", {"lead_unit": BUREAU, "units": [BUREAU]})
            svc.add_draft_version(ctx, c.drafter, did, content="第一条 票价……".encode(), title="征求意见稿")
            today = ctx.today()
            svc.record_artifact(ctx, c.drafter, did, "comment_notice", {
                "explanation": "起草说明", "channels": ["政府网站"], "method": "网站留言",
                "published_at": today.isoformat(), "deadline": (today + timedelta(days=30)).isoformat()})
        finally:
            ctx.store.dispose()
        env = {"DECIDE_DATABASE_URL": primary, "DECIDE_PUBLIC_DATABASE_URL": standby, "DECIDE_DATA_DIR": str(data_dir)}
        with psycopg.connect(plain(standby), autocommit=True) as conn:
            assert conn.execute("SELECT pg_is_in_recovery()").fetchone() == (True,)
        with api_processes("api.app:app", env, 2) as api, httpx.Client(base_url=api.base, timeout=120) as web:
            status = 0
            for _ in range(600):  # the standby replays the primary's commits: poll, bounded
                status = web.get(f"/public/decisions/{did}").status_code
                if status == 200:
                    break
            assert status == 200
            page = web.get(f"/public/decisions/{did}")
            assert "网站留言" in page.text and "关于调整公交票价的决定（只读副本）" in page.text
            with psycopg.connect(plain(standby), autocommit=True) as conn:
                readers = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                                       "AND pid <> pg_backend_pid()").fetchone()
            assert readers is not None and readers[0] >= 1  # the API processes read the standby
            r = web.post(f"/api/v1/public/decisions/{did}/comments", json={"text": "建议保留老年人免费乘车。"})
            assert r.status_code == 201, r.text
            number = r.json()["tracking_number"]
            tracked = web.get("/public/track", params={"number": number})  # on the primary: found at once
            assert tracked.status_code == 200 and "建议保留老年人免费乘车" in tracked.text
        run = subprocess.run([sys.executable, "-m", "decision_engine.cli", "verify"], cwd=ROOT, capture_output=True,
                             text=True, timeout=600, env={**os.environ, "PYTHONPATH": str(ROOT), **env})
        assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    finally:
        pair.__exit__(None, None, None)


def test_a_prefect_server_with_a_process_work_pool_runs_the_sequencer_on_the_engines_database(
        tmp_path: Path, pg_ok: bool) -> None:
    """`prefect server start` (its own database on PostgreSQL), a process work pool, the checkpoint sequencer
    registered with `python -m flows.deployments deploy --work-pool` and one `prefect worker`, each its own
    process: a run of the deployment completes on the worker, and the engine's record shows it — every event
    sequenced into the transparency log and a signed checkpoint; `decide verify` passes. Skipped (with the
    reason) only when Prefect's server cannot start within the bound on this machine."""
    if not pg_ok:
        pytest.skip("no PostgreSQL configured (set DECIDE_TEST_POSTGRES_URL)")
    url, name = fresh_pg_database(PG_URL, "decide_pool")
    data_dir = tmp_path / "data"
    try:
        ctx = bootstrap.build(Settings(data_dir=data_dir, database_url=url))
        try:
            cast(ctx)  # people and their roles: events on their streams, none sequenced yet
            from decision_engine.services import transparency
            assert transparency.tree_size(ctx) == 0
        finally:
            ctx.store.dispose()
        try:
            with prefect_work_pool(url, data_dir, ["checkpoint-sequencer"], bound=300) as pool:
                from prefect.deployments import run_deployment
                from prefect.settings import PREFECT_API_URL, temporary_settings
                with temporary_settings({PREFECT_API_URL: pool.api_url}):
                    run = run_deployment("checkpoint-sequencer/checkpoint-sequencer", timeout=300, poll_interval=1,
                                         as_subflow=False)
                assert run.state is not None and run.state.is_completed(), run.state
                assert run.work_pool_name == "decide"
        except PrefectUnavailable as exc:
            pytest.skip(str(exc))
        check = bootstrap.build(Settings(data_dir=data_dir, database_url=url), migrate=False)
        try:
            with check.store.read() as conn:
                events = conn.exec_driver_sql("SELECT count(*) FROM events").scalar_one()
            assert transparency.tree_size(check) == events > 0
            assert max(c["size"] for c in transparency.checkpoints(check)) == events  # signed by the flow
        finally:
            check.store.dispose()
        env = {"DECIDE_DATABASE_URL": url, "DECIDE_DATA_DIR": str(data_dir)}
        verify = subprocess.run([sys.executable, "-m", "decision_engine.cli", "verify"], cwd=ROOT,
                                capture_output=True, text=True, timeout=600,
                                env={**os.environ, "PYTHONPATH": str(ROOT), **env})
        assert verify.returncode == 0, verify.stdout[-3000:] + verify.stderr[-3000:]
    finally:
        drop_pg_database(PG_URL, name)
