"""`decide serve` for real: `serve_all` (what the CLI's `decide serve` runs) serves the real app, `api.app:app`
built by the composition root from DECIDE_* settings, on the walk's database: its first page answers before
Prefect is up and its public API reads the decision walked here; then a real `prefect server start` on
loopback serves the deployments, a run of the statutory clock's deployment is triggered, and the engine's
record shows what it did. Bounded in time; skipped (with the reason) only when Prefect's server cannot start
within the bound on this machine. Free ports stand in for the CLI's fixed 8000 and 4200, nothing else."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from decision_engine.adapters.tables import CLOCK_DUTIES
from decision_engine.serve import prefect_healthy
from decision_engine.services import queries
from tests.conftest import WARNINGS_ARE_ERRORS

pytestmark = WARNINGS_ARE_ERRORS

PAGE_BOUND_S = 30.0
PREFECT_BOUND_S = 150.0
DEPLOYMENT_BOUND_S = 90.0
RUN_BOUND_S = 180.0
HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent


def _port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> tuple[int, dict[str, Any]]:
    """A real HTTP GET: the status and the JSON body (error statuses included)."""
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return int(resp.status), json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return int(err.code), json.loads(err.read())


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as resp:
            return bool(resp.status == 200)
    except OSError:
        return False


@pytest.fixture
def served(walk: Any, tmp_path: Path) -> Iterator[dict[str, Any]]:
    """`serve_all` with its default (real) app in a child process (its own process group) on free ports, on
    the walk's database."""
    web, prefect_port = _port(), _port()
    settings = walk.ctx.settings
    env = {**os.environ, "DECIDE_DATA_DIR": str(settings.data_dir), "DECIDE_DATABASE_URL": settings.database_url,
           "PREFECT_HOME": str(tmp_path / "prefect"), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
           "PYTHONPATH": str(ROOT), "DECIDE_CLOCK_INTERVAL_SECONDS": "86400",
           "DECIDE_SEQUENCER_INTERVAL_SECONDS": "5"}
    env.pop("PREFECT_API_URL", None)
    code = f"from decision_engine.serve import serve_all; serve_all(port={web}, prefect_port={prefect_port})"
    log = (tmp_path / "serve.log").open("wb")
    proc = subprocess.Popen([sys.executable, "-c", code], env=env, cwd=str(ROOT), stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield {"web": f"http://127.0.0.1:{web}/", "api": f"http://127.0.0.1:{prefect_port}/api", "proc": proc,
               "log": tmp_path / "serve.log", "home": tmp_path / "prefect"}
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)  # the group started here: uvicorn, Prefect's server, the runner
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        log.close()


def _wait(check: Any, bound: float) -> float | None:
    start = time.monotonic()
    while time.monotonic() - start < bound:
        if check():
            return time.monotonic() - start
        time.sleep(0.25)
    return None


def test_decide_serve_answers_at_once_then_serves_the_clock_on_a_real_prefect_server(
        walk: Any, served: dict[str, Any]) -> None:
    walk.open().start().determine().coordinate()
    today = walk.ctx.today()
    walk.art(walk.c.drafter, "comment_notice", explanation="说明", channels=["网站"], method="留言",
             published_at=today.isoformat(), deadline=(today + timedelta(days=30)).isoformat())
    run_day = (today + timedelta(days=31)).isoformat()

    page_after = _wait(lambda: _answers(served["web"] + "api/v1/health"), PAGE_BOUND_S)
    assert page_after is not None, served["log"].read_text(errors="replace")[-3000:]
    prefect_up_at_first_page = prefect_healthy(served["api"])
    # the real app, on the walk's database: its public API reads the decision walked above ...
    status, body = _get(f"{served['web']}api/v1/public/decisions/{walk.did}/opinions")
    assert status == 200, body
    assert body["decision_id"] == walk.did and body["opinions"] == [] and body["totals"]["on_time"] == 0
    # ... refuses an unknown one in the engine's error shape, and serves its pages and its OpenAPI description
    status, body = _get(f"{served['web']}api/v1/public/decisions/no-such-decision/opinions")
    assert (status, body["error"]) == (404, "NotFound"), body
    assert _answers(served["web"])
    assert _get(served["web"] + "openapi.json")[1]["info"]["title"] == "decide: major administrative decision procedure"
    prefect_after = _wait(lambda: prefect_healthy(served["api"]), PREFECT_BOUND_S)
    if prefect_after is None:
        pytest.skip(f"Prefect's server did not start on loopback within {PREFECT_BOUND_S:.0f} s on this machine "
                    f"(see {served['home']}/server.log)")
    assert not prefect_up_at_first_page, "the first page must not wait for Prefect"

    from prefect import get_client
    from prefect.deployments import run_deployment
    from prefect.settings import PREFECT_API_URL, temporary_settings
    with temporary_settings({PREFECT_API_URL: served["api"]}):
        def registered() -> bool:
            try:
                with get_client(sync_client=True) as client:
                    client.read_deployment_by_name("statutory-clock/statutory-clock")
                return True
            except Exception:
                return False
        assert _wait(registered, DEPLOYMENT_BOUND_S) is not None, \
            (served["home"] / "flows.log").read_text(errors="replace")[-3000:]
        run = run_deployment("statutory-clock/statutory-clock", parameters={"today": run_day},
                             timeout=RUN_BOUND_S, poll_interval=1, as_subflow=False)
        with get_client(sync_client=True) as client:  # the schedules work too: the sequencer's every 5 s
            scheduled = [r for r in client.read_flow_runs(limit=100) if "auto-scheduled" in r.tags]
    assert run.state is not None and run.state.is_completed(), \
        (run.state, (served["home"] / "flows.log").read_text(errors="replace")[-3000:])

    assert scheduled, "Prefect's scheduler created no run for the served schedules"
    types = [e["type"] for e in queries.events(walk.ctx, walk.did)]
    assert types.count("CommentWindowClosed") == 1
    with walk.ctx.store.read() as conn:
        duty = conn.execute(select(CLOCK_DUTIES.c.duty, CLOCK_DUTIES.c.status)
                            .where(CLOCK_DUTIES.c.decision_id == walk.did)).all()
    assert [(d.duty.split(":")[0], d.status) for d in duty] == [("comment_window_closed", "done")]
    print(f"first page after {page_after:.1f} s; Prefect up {prefect_after:.1f} s later")
