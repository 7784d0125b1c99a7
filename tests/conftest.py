"""Shared fixtures: a real store on SQLite (always) and PostgreSQL (when configured; required in CI)."""

from __future__ import annotations

import atexit
import dataclasses
import os
import queue
import secrets
import shutil
import sys
import tempfile
import threading
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

# `pytestmark = WARNINGS_ARE_ERRORS` makes every warning raised in a module an error, as the ini's
# filterwarnings does, and more strictly (deprecations too) — except a ResourceWarning. That one is raised
# by a finalizer (an unclosed socket, a database connection) whenever the garbage collector meets an object
# left by an EARLIER test, which under `pytest -n` is a test of any other module that ran on the same
# worker: it is never the fault of the test it lands in (a plain "error" mark failed such tests at random).
WARNINGS_ARE_ERRORS = pytest.mark.filterwarnings("error", "ignore::ResourceWarning")


class Statements:
    """The SQL a store's engine runs, seen by a listener on the real engine (nothing is replaced): `seen` holds
    each statement's text; `of(command)` runs a command and gives the first word of each statement it ran."""

    def __init__(self, engine: Any) -> None:
        from sqlalchemy import event
        self.engine = engine
        self.seen: list[str] = []
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        self.seen.append(statement)

    def of(self, command: Any) -> list[str]:
        self.seen.clear()
        command()
        return [s.split(None, 1)[0].upper() for s in self.seen]

    def role_queries(self) -> int:
        return sum("role_assignments" in s for s in self.seen)

    def close(self) -> None:
        from sqlalchemy import event
        event.remove(self.engine, "before_cursor_execute", self._seen)


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


def fresh_pg_database(template: str | None = None) -> tuple[str, str]:
    """Create a database on the configured server — empty, or a copy of `template` — ; returns (url, name)."""
    import psycopg
    name = f"decide_t_{secrets.token_hex(5)}"
    with psycopg.connect(_plain(PG_URL), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    base = PG_URL.rsplit("/", 1)[0]
    return f"{base}/{name}", name


# Migrated templates (suite speed): migrating a fresh database to the newest schema cost 0.2 s on SQLite and
# 0.7 s on PostgreSQL for every test that builds a context. The schema is migrated once per test session
# into a template (the Alembic migrations only, no data: the migrations write none, and the log profile is
# recorded by `bootstrap.build` on each copy as before); each test gets a copy, and `bootstrap.build` still
# runs the migrations on it (finding nothing to do), so a test sees exactly the store it saw before.
_templates: dict[str, str] = {}
_templates_lock = threading.RLock()  # the seeded template is made from the migrated one


def _migrated(url: str) -> None:
    from decision_engine.adapters.store import Store
    store = Store(url)
    try:
        store.migrate()
    finally:
        store.dispose()


def sqlite_template() -> Path:
    """A SQLite database migrated to the newest schema, made once per test process."""
    with _templates_lock:
        if "sqlite" not in _templates:
            folder = Path(tempfile.mkdtemp(prefix="decide-template-"))
            atexit.register(shutil.rmtree, folder, True)
            _migrated(f"sqlite:///{folder / 'decide.db'}")
            assert not (folder / "decide.db-wal").exists() or (folder / "decide.db-wal").stat().st_size == 0
            _templates["sqlite"] = str(folder / "decide.db")
        return Path(_templates["sqlite"])


def pg_template() -> str:
    """The name of a PostgreSQL database migrated to the newest schema, made once per test process (dropped
    when the session ends)."""
    with _templates_lock:
        if "postgres" not in _templates:
            url, name = fresh_pg_database()
            atexit.register(drop_pg_database, name)
            _migrated(url)
            _templates["postgres"] = name
        return _templates["postgres"]


def _sqlite_path(url: str) -> Path | None:
    return Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else None


def drop_pg_database(name: str) -> None:
    """Drop a test database (terminating stray connections)."""
    import psycopg
    with psycopg.connect(_plain(PG_URL), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, pg_ok: bool) -> Iterator[str]:
    """A fresh database URL: SQLite in a temporary directory (no file yet: `make_ctx` puts a migrated copy
    there), or a fresh PostgreSQL database copied from the migrated template. Every user of this fixture
    builds its store with `bootstrap.build`, which migrates (here: finds the schema current)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'decide.db'}"
        return
    if not pg_ok:
        pytest.skip("no PostgreSQL configured (set DECIDE_TEST_POSTGRES_URL)")
    url, name = fresh_pg_database(template=pg_template())
    try:
        yield url
    finally:
        drop_later(name)


_dropping: queue.Queue[str] = queue.Queue()
_drop_failures: list[str] = []


def _dropper() -> None:
    while True:
        name = _dropping.get()
        try:
            drop_pg_database(name)
        except Exception as exc:  # reported when the session ends (a teardown used to fail on it)
            _drop_failures.append(f"{name}: {exc!r}")
        finally:
            _dropping.task_done()


def _wait_for_drops() -> None:
    _dropping.join()
    for failure in _drop_failures:
        print(f"warning: a test database could not be dropped: {failure}", file=sys.stderr)


def drop_later(name: str) -> None:
    """Drop a test database behind the next test (suite speed: DROP DATABASE ... WITH (FORCE) waits 0.2–0.4 s
    on the server's files; one thread drops them in order, and the session's end waits for the last)."""
    with _templates_lock:
        if "dropper" not in _templates:
            threading.Thread(target=_dropper, name="drop-test-databases", daemon=True).start()
            atexit.register(_wait_for_drops)  # registered after the template's drop: runs before it
            _templates["dropper"] = "started"
    _dropping.put(name)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Drop this process's PostgreSQL databases when its session ends, not only at exit: under `pytest -n`
    each worker is a process of its own with its own template, and a worker's exit handlers are not
    guaranteed to run (the atexit registrations stay, for a run that never reaches this hook)."""
    if "dropper" in _templates:
        _wait_for_drops()
    name = _templates.pop("postgres", None)
    if name:
        drop_pg_database(name)


def make_ctx(tmp_path: Path, url: str, start: datetime | None = None) -> Context:
    """A context on a real store with a manual clock (default: a Monday morning in March 2025)."""
    clock = ManualClock(start or datetime(2025, 3, 3, 9, 0, tzinfo=CHINA))
    settings = Settings(data_dir=tmp_path / "data", database_url=url)
    path = _sqlite_path(url)
    if path is not None and not path.exists() and path.parent.is_dir():
        shutil.copyfile(sqlite_template(), path)  # the migrated schema, as `build` would make it
    return bootstrap.build(settings, clock=clock)


@pytest.fixture
def ctx(tmp_path: Path, db_url: str) -> Iterator[Context]:
    """A context on each database backend."""
    c = make_ctx(tmp_path, db_url)
    yield c
    c.store.dispose()


def seeded_sqlite_template() -> tuple[Path, Any]:
    """A SQLite store as `Walk` leaves it before its first step — migrated, the demo's organisation loaded and
    its people registered (`demo.cast`) at `make_ctx`'s moment — with that cast; made once per test process."""
    from decision_engine.services.demo import cast
    with _templates_lock:
        if "seeded" not in _templates:
            folder = Path(tempfile.mkdtemp(prefix="decide-seeded-"))
            atexit.register(shutil.rmtree, folder, True)
            ctx = make_ctx(folder, f"sqlite:///{folder / 'decide.db'}")
            try:
                _seeded_cast.append(cast(ctx))
            finally:
                ctx.store.dispose()
            blobs = [p for p in (folder / "data").rglob("*") if p.is_file()]
            assert blobs == [], "the cast wrote files beside the database: copy them too"
            _templates["seeded"] = str(folder / "decide.db")
        return Path(_templates["seeded"]), _seeded_cast[0]


_seeded_cast: list[Any] = []


@pytest.fixture
def sqlite_ctx(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Context]:
    """A context on SQLite only (for rule tests that do not depend on the backend). When the test walks a
    decision (`walk`), the store is a copy of the seeded template and the walker takes its cast: the same
    store `Walk` made itself by seeding, 0.05–0.3 s a test cheaper."""
    path = tmp_path / "decide.db"
    seeded = "walk" in request.fixturenames
    if seeded:
        template, people = seeded_sqlite_template()
        shutil.copyfile(template, path)
    c = make_ctx(tmp_path, f"sqlite:///{path}")
    if seeded:
        c.extras[SEEDED_CAST] = dataclasses.replace(people)  # the walker's own copy (it may add a secretary)
    yield c
    c.store.dispose()


SEEDED_CAST = "tests.seeded_cast"


class Walk:
    """Walks one decision through the procedure step by step, for rule tests to stop anywhere."""

    def __init__(self, ctx: Context) -> None:
        from decision_engine.services import decisions as svc
        from decision_engine.services.demo import BUREAU, cast
        self.ctx, self.svc, self.bureau = ctx, svc, BUREAU
        seeded = ctx.extras.pop(SEEDED_CAST, None)  # the store was copied with the cast in it (`sqlite_ctx`)
        self.c = seeded if seeded is not None else cast(ctx)
        self.did = ""
        self.meeting_id = ""

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

    def select_experts(self, *experts: str) -> Walk:
        """The undertaking unit selects the experts by person id (R9, Art. 20: only they act)."""
        from decision_engine.services import experts as expert_svc
        ids = list(experts or (self.c.expert_a, self.c.expert_b))
        expert_svc.select_experts(self.ctx, self.c.drafter, self.did, expert_ids=ids, method="随机抽取",
                                  reasons="专业对口", dissent_included=True, outside_pool_reason="本市未建专家库")
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
        self.feedback()
        self.svc.clear_gate(self.ctx, self.c.bureau_head, self.did, "public_participation")
        return self

    def feedback(self) -> object:
        """The feedback report through its one door (AR14), generated from the record (R8)."""
        from decision_engine.services import participation
        return participation.record_feedback_report(self.ctx, self.c.drafter, self.did, other_opinions=[
            {"opinion": "意见", "disposition": "adopted", "reason": "合理"}])

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

    def meeting(self, decision: str = "adopt", *, opinions: list[dict[str, str]] | None = None,
                head_reasons: str = "") -> Walk:
        """The collective decision through the meeting's own door (AR14): convened, roll called, members
        speak in order with the head last, the head decides (R15, SoD4)."""
        from decision_engine.services.demo import hold_meeting
        spoken = [(o["person"], o["position"], o["text"]) for o in opinions] if opinions else None
        self.meeting_id = hold_meeting(self.ctx, self.c, self.did, opinions=spoken, outcome=decision,
                                       head_reasons=head_reasons)
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
            self.feedback()
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
