"""Shared fixtures: a real store on SQLite (always) and PostgreSQL (when configured; required in CI)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from decision_engine import bootstrap
from decision_engine.config import Settings
from decision_engine.services.clock import CHINA, ManualClock
from decision_engine.services.context import Context

PG_URL = os.environ.get("DECIDE_TEST_POSTGRES_URL", "")
REQUIRE_PG = os.environ.get("DECIDE_REQUIRE_POSTGRES") == "1"


def _pg_available() -> bool:
    if not PG_URL:
        return False
    try:
        import psycopg
        with psycopg.connect(_plain(PG_URL), connect_timeout=3):
            return True
    except Exception:
        return False


def _plain(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


@pytest.fixture(scope="session")
def pg_ok() -> bool:
    """Whether PostgreSQL tests can run; in CI (DECIDE_REQUIRE_POSTGRES=1) they must."""
    ok = _pg_available()
    if REQUIRE_PG and not ok:
        pytest.fail(f"PostgreSQL is required (DECIDE_REQUIRE_POSTGRES=1) but {PG_URL!r} is not reachable")
    return ok


def fresh_pg_database() -> tuple[str, str]:
    """Create an empty database on the configured server; returns (url, name)."""
    import psycopg
    name = f"decide_t_{secrets.token_hex(5)}"
    with psycopg.connect(_plain(PG_URL), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = PG_URL.rsplit("/", 1)[0]
    return f"{base}/{name}", name


def drop_pg_database(name: str) -> None:
    """Drop a test database (terminating stray connections)."""
    import psycopg
    with psycopg.connect(_plain(PG_URL), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, pg_ok: bool) -> Iterator[str]:
    """A fresh database URL: SQLite in a temporary directory, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'decide.db'}"
        return
    if not pg_ok:
        pytest.skip("no PostgreSQL configured (set DECIDE_TEST_POSTGRES_URL)")
    url, name = fresh_pg_database()
    try:
        yield url
    finally:
        drop_pg_database(name)


def make_ctx(tmp_path: Path, url: str, start: datetime | None = None) -> Context:
    """A context on a real store with a manual clock (default: a Monday morning in March 2025)."""
    clock = ManualClock(start or datetime(2025, 3, 3, 9, 0, tzinfo=CHINA))
    settings = Settings(data_dir=tmp_path / "data", database_url=url)
    return bootstrap.build(settings, clock=clock)


@pytest.fixture
def ctx(tmp_path: Path, db_url: str) -> Iterator[Context]:
    """A context on each database backend."""
    c = make_ctx(tmp_path, db_url)
    yield c
    c.store.dispose()


@pytest.fixture
def sqlite_ctx(tmp_path: Path) -> Iterator[Context]:
    """A context on SQLite only (for rule tests that do not depend on the backend)."""
    c = make_ctx(tmp_path, f"sqlite:///{tmp_path / 'decide.db'}")
    yield c
    c.store.dispose()


class Walk:
    """Walks one decision through the procedure step by step, for rule tests to stop anywhere."""

    def __init__(self, ctx: Context) -> None:
        from decision_engine.services import decisions as svc
        from decision_engine.services.demo import BUREAU, cast
        self.ctx, self.svc, self.bureau = ctx, svc, BUREAU
        self.c = cast(ctx)
        self.did = ""

    def open(self, **kw: object) -> Walk:
        args: dict[str, object] = {"title": "关于调整公交票价的决定", "category": "public_project",
                                   "unit": self.bureau}
        args.update(kw)
        self.did = self.svc.open_decision(self.ctx, self.c.drafter, **args).decision_id  # type: ignore[arg-type]
        return self

    def art(self, who: str, kind: str, **fields: object) -> object:
        return self.svc.record_artifact(self.ctx, who, self.did, kind, dict(fields))

    def start(self) -> Walk:
        self.art(self.c.head, "start_decision", lead_unit=self.bureau, units=[self.bureau],
                 affected_units=["某市财政局"])
        self.svc.add_draft_version(self.ctx, self.c.drafter, self.did, content=b"draft v1", title="v1")
        return self

    def determine(self, **flags: bool) -> Walk:
        base = {"specialised": False, "risk_relevant": False, "hearing_required_by_law": False,
                "nondisclosable": False, "affects_specific_group": False,
                "affects_market_entities": False, "high_concern": False}
        base.update(flags)
        for k, v in base.items():
            self.svc.record_determination(self.ctx, self.c.drafter, self.did, k, v, "理由")
        return self

    def coordinate(self) -> Walk:
        self.art(self.c.drafter, "consultation", unit="某市财政局", opinion="同意")
        return self

    def participate(self, days: int = 30) -> Walk:
        from datetime import timedelta
        today = self.ctx.today()
        self.art(self.c.drafter, "comment_notice", explanation="说明", channels=["网站"], method="留言",
                 published_at=today.isoformat(), deadline=(today + timedelta(days=days)).isoformat())
        self.ctx.clock.advance(days=days + 1)  # type: ignore[attr-defined]
        self.art(self.c.drafter, "opinion_summary", opinions=[
            {"opinion": "意见", "disposition": "adopted", "reason": "合理"}])
        self.svc.clear_gate(self.ctx, self.c.bureau_head, self.did, "public_participation")
        return self

    def legality(self, conclusion: str = "lawful") -> Walk:
        deadline = self.ctx.calendar.add_working_days(self.ctx.today(), 8)
        self.art(self.c.drafter, "legality_submission", legal_basis="价格法", procedure_explanation="已履行",
                 requested_deadline=deadline.due.isoformat())
        self.art(self.c.adviser, "legal_adviser_opinion", opinion="合法")
        self.art(self.c.reviewer, "legality_opinion", authority="有权", procedure="完备", content="合法",
                 conclusion=conclusion)
        if conclusion != "unlawful":
            self.svc.clear_gate(self.ctx, self.c.legal_director, self.did, "legality_review")
        return self

    def meeting(self, decision: str = "adopt", **extra: object) -> Walk:
        c = self.c
        fields: dict[str, object] = {
            "meeting_type": "executive", "attendance": [c.member_a, c.member_b, c.head], "members_total": 3,
            "opinions": [{"person": c.member_a, "position": "support", "text": "同意"},
                         {"person": c.member_b, "position": "support", "text": "同意"},
                         {"person": c.head, "position": "support", "text": "同意"}],
            "head_decision": decision, "risk_judgment": "controllable"}  # R10, Art. 24: the organ's judgment
        fields.update(extra)
        self.art(c.head, "meeting_record", **fields)
        return self

    def report(self) -> Walk:
        self.art(self.c.office, "party_report", reported_to="市委", reported_at=self.ctx.today().isoformat())
        return self

    def ready(self) -> Walk:
        """Opened, started, determined (nothing conditional), coordinated, participated, reviewed."""
        return self.open().start().determine().coordinate().participate().legality()

    def ready_many(self, n: int) -> list[str]:
        """n decisions walked to ready for the collective decision together (one clock advance for all
        their comment windows, not one each): for benchmarks and scale set-ups."""
        from datetime import timedelta
        today, dids = self.ctx.today(), []
        for _ in range(n):
            self.did = ""
            self.open().start().determine().coordinate()
            self.art(self.c.drafter, "comment_notice", explanation="说明", channels=["网站"], method="留言",
                     published_at=today.isoformat(), deadline=(today + timedelta(days=30)).isoformat())
            dids.append(self.did)
        self.ctx.clock.advance(days=31)  # type: ignore[attr-defined]
        for did in dids:
            self.did = did
            self.art(self.c.drafter, "opinion_summary", opinions=[
                {"opinion": "意见", "disposition": "adopted", "reason": "合理"}])
            self.svc.clear_gate(self.ctx, self.c.bureau_head, did, "public_participation")
            self.legality()
        return dids

    def decided(self) -> Walk:
        self.ready().meeting().report()
        self.svc.finalize(self.ctx, self.c.head, self.did)
        return self


@pytest.fixture
def walk(sqlite_ctx: Context) -> Walk:
    """A decision walker on SQLite."""
    return Walk(sqlite_ctx)


@pytest.fixture
def walk_any(ctx: Context) -> Walk:
    """A decision walker on each backend."""
    return Walk(ctx)


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """A real uvicorn server for `app` on a free loopback port, in a thread; yields its base URL."""
    import socket
    import threading
    import time

    import uvicorn
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off", ws="none", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start within 10 s"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
        assert not thread.is_alive(), "uvicorn did not stop within 10 s"
