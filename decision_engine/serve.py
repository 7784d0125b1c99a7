"""`decide serve`: the API and pages on one port (SQLite by default), with demo data if asked, and beside
them Prefect: its server and UI on http://127.0.0.1:4200 and the deployments served with their schedules.

The first page answers before any background machinery starts: the web server never waits for Prefect.
Prefect's server and the deployment runner are child processes started from a background thread
(:class:`PrefectBeside`); Prefect's ~2 s import and its server's 12–30 s start-up happen there, never on
the request path. ``--no-flows`` skips them. Their output goes to ``<data dir>/prefect/*.log``.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from typing import IO, Any

import uvicorn

from decision_engine import bootstrap
from decision_engine.config import Settings, child_environment

PREFECT_HOST = "127.0.0.1"
PREFECT_PORT = 4200


def seed_demo(settings: Settings) -> str | None:
    """Run the demo decision, then the portfolio of decisions in flight, into the configured database —
    once: a store that already holds decisions (a second `make run`) is left as it is (returns None)."""
    from decision_engine.services.demo import DEMO_PASSWORD, cast, demo_clock, run_demo, staff
    from decision_engine.services.demo_portfolio import seed_portfolio
    from decision_engine.services.queries import count_decisions
    ctx = bootstrap.build(settings, clock=demo_clock())
    if count_decisions(ctx):
        ctx.store.dispose()
        return None
    people = cast(ctx, DEMO_PASSWORD)
    did = run_demo(ctx, print, people=people)
    seed_portfolio(ctx, people, print, password=DEMO_PASSWORD)  # decisions in flight at every stage
    staff(ctx, DEMO_PASSWORD)  # the auditor, the other procedure roles and the three administrators
    ctx.store.dispose()
    return did


def print_people(settings: Settings) -> None:
    """The people in the store, their roles, units and locks (as `decide user list`), on every start."""
    from rich.console import Console

    from decision_engine.cli import people_table
    from decision_engine.services import identity
    from decision_engine.services.demo import DEMO_PASSWORD
    ctx = bootstrap.build(settings)
    try:
        rows = identity.people(ctx)
    finally:
        ctx.store.dispose()
    Console(width=max(160, Console().width)).print(people_table(rows, title=f"演示人员：以姓名（同名时以人员编号）和口令 {DEMO_PASSWORD} 登录 "
                                             f"(demo people: log in with the name, or the id where two share it, and the password {DEMO_PASSWORD})"))


def prefect_healthy(api_url: str, timeout: float = 2.0) -> bool:
    """True when a Prefect API answers its health check."""
    try:
        with urllib.request.urlopen(f"{api_url}/health", timeout=timeout) as resp:
            return bool(resp.status == 200)
    except (urllib.error.URLError, OSError, ValueError):
        return False


class PrefectBeside:
    """Prefect's server (reused when one already answers on the port) and `python -m flows.deployments
    serve`, as child processes supervised from a background thread."""

    def __init__(self, settings: Settings, *, host: str = PREFECT_HOST, port: int = PREFECT_PORT,
                 startup_timeout: float = 180.0, env: dict[str, str] | None = None) -> None:
        self.api_url = f"http://{host}:{port}/api"
        self.host, self.port, self.startup_timeout = host, port, startup_timeout
        self.home = settings.prefect_home or settings.data_dir / "prefect"
        self.env = child_environment(**{"PREFECT_HOME": str(self.home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
                                        "DECIDE_DATA_DIR": str(settings.data_dir),
                                        "DECIDE_DATABASE_URL": settings.database_url, **(env or {})})
        self.server: subprocess.Popen[bytes] | None = None
        self.runner: subprocess.Popen[bytes] | None = None
        self.state = "starting"
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="prefect-beside", daemon=True)
        self._logs: list[IO[Any]] = []

    def start(self) -> PrefectBeside:
        """Start in the background; returns at once."""
        self.home.mkdir(parents=True, exist_ok=True)
        self._thread.start()
        return self

    def _spawn(self, args: list[str], log_name: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
        log = (self.home / log_name).open("ab")
        self._logs.append(log)
        return subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=env, stdin=subprocess.DEVNULL)

    def _run(self) -> None:
        if not prefect_healthy(self.api_url):
            self.server = self._spawn([sys.executable, "-m", "prefect", "server", "start", "--host", self.host,
                                       "--port", str(self.port)], "server.log", self.env)
            deadline = time.monotonic() + self.startup_timeout
            while not prefect_healthy(self.api_url):
                if self._stop.wait(0.5) or self.server.poll() is not None or time.monotonic() > deadline:
                    self.state = "stopped" if self._stop.is_set() else "server failed to start (see server.log)"
                    print(f"prefect: {self.state}", file=sys.stderr)
                    return
        self.state = "serving"
        print(f"prefect: UI and API on http://{self.host}:{self.port}; serving the deployments", file=sys.stderr)
        restarts = 0
        while not self._stop.is_set() and restarts <= 5:
            self.runner = self._spawn([sys.executable, "-m", "flows.deployments", "serve"], "flows.log",
                                      {**self.env, "PREFECT_API_URL": self.api_url})
            while self.runner.poll() is None:
                if self._stop.wait(1.0):
                    return
            restarts += 1
            self._stop.wait(min(60.0, 2.0 ** restarts))  # the runner died: back off, then serve again
        self.state = "runner failed (see flows.log)"

    def stop(self, timeout: float = 15.0) -> None:
        """Stop the runner, then the server (only the processes started here)."""
        self._stop.set()
        for proc in (self.runner, self.server):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        for log in self._logs:
            log.close()


def serve_all(*, host: str = "127.0.0.1", port: int = 8000, demo: bool = False, workers: int = 1,
              flows: bool = True, app: str = "api.app:app", prefect_port: int = PREFECT_PORT) -> None:
    """Serve the API and pages at once; beside them (unless `flows` is off) Prefect and the deployments."""
    settings = Settings.from_env()
    bootstrap.build(settings).store.dispose()  # migrate once before workers start
    if demo:
        from decision_engine.services.demo import DEMO_PASSWORD
        did = seed_demo(settings)
        print_people(settings)  # on every start, not only the first
        print(f"demo decision {did}: " if did else "demo data already in the store: ", end="")
        print(f"http://{host}:{port}/  (password for demo people: {DEMO_PASSWORD})")
    children = {"DECIDE_FLOWS": "1", "DECIDE_BASE_URL": settings.base_url or f"http://{host}:{port}"}
    beside = PrefectBeside(settings, port=prefect_port, env=children).start() if flows else None
    try:
        uvicorn.run(app, host=host, port=port, workers=workers, log_level="info")
    finally:
        if beside is not None:
            beside.stop()
