"""Faults (issue 11 §5): the database unreachable, the blob store's disk full, Prefect down. Each gives a
clear 503 with `Retry-After` (or, for Prefect, nothing at all on the request path), writes nothing partial,
and everything works again when the fault ends — including a retry with the same Idempotency-Key.

Real faults, not mocks: PostgreSQL refuses connections (ALLOW_CONNECTIONS false, existing sessions
terminated); the database URL points at a closed port (a loopback forwarder to PostgreSQL, stopped, then
started); the SQLite database sits on a tmpfs that fills up (SQLITE_FULL from the kernel's ENOSPC); the
blob directory is a 256 KiB tmpfs that fills up (ENOSPC); Prefect's API URL points at a port nobody
listens on, and the app with its pages is exercised in a process that never imports Prefect.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import psycopg
import pytest

from api.app import create_app
from decision_engine.services import identity, queries, verification
from decision_engine.services.context import Context
from tests.conftest import PG_URL, Walk, drop_pg_database, fresh_pg_database, make_ctx, serving

ROOT = Path(__file__).resolve().parents[2]


def _consultation(client: httpx.Client, did: str, unit: str, key: str) -> httpx.Response:
    return client.post(f"/api/v1/decisions/{did}/artifacts", headers={"Idempotency-Key": key},
                       json={"kind": "consultation", "fields": {"unit": unit, "opinion": "同意"}})


def _client(base: str, ctx: Context, person: str) -> httpx.Client:
    token = identity.issue_token(ctx, person, ttl_days=30)
    return httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30)


def _admin(sql: str) -> None:
    with psycopg.connect(PG_URL.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
        conn.execute(sql)


@pytest.fixture
def pg_walk(tmp_path: Path, pg_ok: bool) -> Iterator[tuple[Walk, str]]:
    if not pg_ok:
        pytest.skip("no PostgreSQL configured (set DECIDE_TEST_POSTGRES_URL)")
    url, name = fresh_pg_database()
    ctx = make_ctx(tmp_path, url)
    try:
        yield Walk(ctx), name
    finally:
        _admin(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        ctx.store.dispose()
        drop_pg_database(name)


@pytest.mark.postgres
def test_the_database_unreachable_is_a_503_with_nothing_written_and_the_api_recovers(
        pg_walk: tuple[Walk, str]) -> None:
    walk, name = pg_walk
    walk.open().start()
    ctx = walk.ctx
    with serving(create_app(ctx)) as base, _client(base, ctx, walk.c.drafter) as client:
        assert _consultation(client, walk.did, "某市财政局", "k-before").status_code == 201
        _admin(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        _admin(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'")
        for _ in range(2):  # the pool's dead connections, then new ones refused: both the same clear 503
            down = _consultation(client, walk.did, "某市公安局", "k-during")
            assert down.status_code == 503, down.text
            assert down.headers["Retry-After"] == "5"
            body = down.json()
            assert body["error"] == "Unavailable" and "database" in body["message"]
        read = client.get(f"/api/v1/decisions/{walk.did}")
        assert read.status_code == 503 and read.json()["error"] == "Unavailable"
        _admin(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        again = _consultation(client, walk.did, "某市公安局", "k-during")  # the same key, after recovery
        assert again.status_code == 201, again.text
        replay = _consultation(client, walk.did, "某市公安局", "k-during")
        assert replay.status_code == 201 and replay.json() == again.json()  # written once
    view = queries.get_decision(ctx, walk.did)
    units = sorted(a["fields"]["unit"] for a in view["artifacts"] if a["kind"] == "consultation")
    assert units == ["某市公安局", "某市财政局"]
    assert verification.verify(ctx, workers=1).ok


@pytest.fixture
def tiny_blob_disk(tmp_path: Path) -> Iterator[Path]:
    """The blob directory on a 256 KiB tmpfs (the test runs as root in CI; skipped where mounting is not
    allowed)."""
    with _tmpfs(tmp_path / "data" / "blobs", "256k") as blobs:
        yield blobs


def test_a_full_blob_disk_is_a_503_with_no_event_and_no_stray_file_then_the_same_upload_succeeds(
        tmp_path: Path, tiny_blob_disk: Path) -> None:
    ctx = make_ctx(tmp_path, f"sqlite:///{tmp_path / 'decide.db'}")
    walk = Walk(ctx).open().start()
    before = queries.get_decision(ctx, walk.did)
    files_before = sorted(p.name for p in tiny_blob_disk.rglob("*") if p.is_file())  # the draft's bytes
    document = os.urandom(400 * 1024)  # more than the disk holds
    upload = {"kind": (None, "consultation"),
              "fields": (None, '{"unit": "某市财政局", "opinion": "同意（书面意见见附件）"}'),
              "file": ("opinion.pdf", document, "application/pdf")}
    try:
        with serving(create_app(ctx)) as base, _client(base, ctx, walk.c.drafter) as client:
            full = client.post(f"/api/v1/decisions/{walk.did}/artifacts/upload", files=upload,
                               headers={"Idempotency-Key": "upload-1"})
            assert full.status_code == 503, full.text
            assert full.headers["Retry-After"] == "5" and "No space left" in full.json()["message"]
            after = queries.get_decision(ctx, walk.did)
            assert (after["seq"], after["artifacts"]) == (before["seq"], before["artifacts"])
            files = sorted(p.name for p in tiny_blob_disk.rglob("*") if p.is_file())
            assert files == files_before  # no half-written blob, no stray temporary file
            subprocess.run(["mount", "-o", "remount,size=4m", str(tiny_blob_disk)], check=True)  # space again
            ok = client.post(f"/api/v1/decisions/{walk.did}/artifacts/upload", files=upload,
                             headers={"Idempotency-Key": "upload-1"})
            assert ok.status_code == 201, ok.text
        [art] = [a for a in queries.get_decision(ctx, walk.did)["artifacts"] if a["kind"] == "consultation"]
        assert art["size"] == len(document) and ctx.blobs.get(art["sha256"]) == document
        assert verification.verify(ctx, workers=1).ok
    finally:
        ctx.store.dispose()


def test_prefect_down_changes_nothing_on_the_request_path_and_the_clock_runs_from_the_cli(
        tmp_path: Path) -> None:
    """Nothing a user waits for depends on Prefect (DESIGN "Where Prefect fits"); with its API unreachable
    the pages and the API answer, and `decide clock run` does the clock's duties through the services."""
    from datetime import timedelta
    env = {**os.environ, "PREFECT_API_URL": "http://127.0.0.1:9/api", "DECIDE_DATA_DIR": str(tmp_path / "data"),
           "DECIDE_DATABASE_URL": f"sqlite:///{tmp_path / 'decide.db'}"}
    ctx = make_ctx(tmp_path, env["DECIDE_DATABASE_URL"])
    walk = Walk(ctx).open(due_by=(ctx.today() + timedelta(days=1)).isoformat()).start()
    try:
        with serving(create_app(ctx)) as base, _client(base, ctx, walk.c.drafter) as client:
            assert _consultation(client, walk.did, "某市财政局", "k1").status_code == 201
            assert client.get(f"/api/v1/decisions/{walk.did}").status_code == 200
        today = (ctx.today() + timedelta(days=10)).isoformat()
        run = subprocess.run([sys.executable, "-m", "decision_engine.cli", "clock", "run", "--today", today],
                             capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
        assert run.returncode == 0, run.stderr
        summary = json.loads(run.stdout)
        assert summary["due"] >= 1 and summary["deadline"]["acted"] == 2, summary
        events = [e["type"] for e in queries.events(ctx, walk.did)]
        assert "DeadlinePassed" in events
        again = subprocess.run([sys.executable, "-m", "decision_engine.cli", "clock", "run", "--today", today],
                               capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
        assert again.returncode == 0 and json.loads(again.stdout)["due"] == 0  # idempotent: nothing owed twice
    finally:
        ctx.store.dispose()




# ------------------------------------------------------------------ database at a closed port, then open
class Forwarder:
    """A loopback TCP forwarder to PostgreSQL on a fixed port: while stopped the port is closed
    (connection refused), and stopping it also cuts every connection through it."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = int(probe.getsockname()[1])
        probe.close()
        self._server: socket.socket | None = None
        self._conns: list[socket.socket] = []

    def start(self) -> None:
        server = socket.socket()
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", self.port))
        server.listen(16)
        self._server = server
        threading.Thread(target=self._accept, args=(server,), daemon=True).start()

    def _accept(self, server: socket.socket) -> None:
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self._conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(a: socket.socket, b: socket.socket) -> None:
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass
        finally:
            for s in (a, b):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        for c in self._conns:
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            c.close()
        self._conns = []


@pytest.mark.postgres
def test_a_database_at_a_closed_port_is_a_503_from_the_first_request_and_the_api_recovers_when_it_opens(
        tmp_path: Path, pg_ok: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """The app built lazily from DECIDE_* (as `uvicorn api.app:app` runs it) whose database is not there
    yet: every request is a 503 naming the database (it was a 500 before issue 11 §5); once the port
    answers, the same app serves; when the connection is cut mid-run, a 503 again, then recovery."""
    if not pg_ok:
        pytest.skip("no PostgreSQL configured (set DECIDE_TEST_POSTGRES_URL)")
    url, name = fresh_pg_database()
    host_port = url.split("@", 1)[1].split("/", 1)[0]
    host, _, port = host_port.partition(":")
    fwd = Forwarder((host, int(port or 5432)))
    monkeypatch.setenv("DECIDE_DATABASE_URL", url.replace(host_port, f"127.0.0.1:{fwd.port}"))
    monkeypatch.setenv("DECIDE_DATA_DIR", str(tmp_path / "data"))
    app = create_app()  # the Context is built on first use, from the environment
    try:
        with serving(app) as base, httpx.Client(base_url=base, timeout=30) as anon:
            for path in ("/api/v1/decisions", "/api/v1/log/checkpoint"):
                down = anon.get(path, headers={"Authorization": "Bearer x"})
                assert down.status_code == 503, down.text
                assert down.headers["Retry-After"] == "5"
                assert down.json()["error"] == "Unavailable" and "database is unavailable" in down.json()["message"]
                assert "Connection refused" in down.json()["message"]
            fwd.start()  # the fault ends
            assert anon.get("/api/v1/decisions", headers={"Authorization": "Bearer x"}).status_code == 401
            ctx = app.state.decide.ctx
            walk = Walk(ctx).open().start()
            with _client(base, ctx, walk.c.drafter) as client:
                assert _consultation(client, walk.did, "某市财政局", "k-1").status_code == 201
                fwd.stop()  # the network cut under the pool's open connections
                cut = _consultation(client, walk.did, "某市公安局", "k-2")
                assert cut.status_code == 503 and cut.headers["Retry-After"] == "5", cut.text
                fwd.start()
                again = _consultation(client, walk.did, "某市公安局", "k-2")
                assert again.status_code == 201, again.text
            units = sorted(a["fields"]["unit"] for a in queries.get_decision(ctx, walk.did)["artifacts"]
                           if a["kind"] == "consultation")
            assert units == ["某市公安局", "某市财政局"]
            assert verification.verify(ctx, workers=1).ok
            ctx.store.dispose()
    finally:
        fwd.stop()
        drop_pg_database(name)


# ------------------------------------------------------------------------------ SQLite on a full disk
@contextmanager
def _tmpfs(path: Path, size: str) -> Iterator[Path]:
    path.mkdir(parents=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {mounted.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def _fill(path: Path) -> Path:
    """Fill the file system holding `path` up to the last byte (ENOSPC from the kernel)."""
    filler = path / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for chunk in (65536, 4096, 512, 1):  # down to the last byte
            try:
                while True:
                    os.write(fd, b"\0" * chunk)
            except OSError:
                pass
    finally:
        os.close(fd)
    return filler


def test_the_sqlite_database_on_a_full_disk_refuses_writes_with_a_503_keeps_reading_and_recovers(
        tmp_path: Path) -> None:
    with _tmpfs(tmp_path / "db", "16m") as disk:
        ctx = make_ctx(tmp_path, f"sqlite:///{disk / 'decide.db'}")
        walk = Walk(ctx).open().start()
        try:
            with serving(create_app(ctx)) as base, _client(base, ctx, walk.c.drafter) as client:
                assert _consultation(client, walk.did, "某市财政局", "k-1").status_code == 201
                with ctx.store.read() as conn:  # an empty WAL: the next write must claim new space
                    conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
                before = client.get(f"/api/v1/decisions/{walk.did}").json()
                filler = _fill(disk)
                full = _consultation(client, walk.did, "某市公安局", "k-2")
                assert full.status_code == 503, full.text
                assert full.headers["Retry-After"] == "5"
                assert full.json()["error"] == "Unavailable"
                assert "database is unavailable" in full.json()["message"] and "full" in full.json()["message"]
                during = client.get(f"/api/v1/decisions/{walk.did}")  # reads go on
                assert during.status_code == 200 and during.json() == before  # nothing partial
                filler.unlink()  # space again
                again = _consultation(client, walk.did, "某市公安局", "k-2")
                assert again.status_code == 201, again.text
            units = sorted(a["fields"]["unit"] for a in queries.get_decision(ctx, walk.did)["artifacts"]
                           if a["kind"] == "consultation")
            assert units == ["某市公安局", "某市财政局"]
            assert verification.verify(ctx, workers=1).ok
        finally:
            ctx.store.dispose()


# ------------------------------------------------------------- Prefect: not on any request path at all
_NO_PREFECT = r"""
import json, sys, warnings
warnings.simplefilter("ignore")
from tests.api.test_mutations_leave_events import all_routes
from fastapi.testclient import TestClient
from api.app import create_app
from decision_engine import bootstrap
from decision_engine.config import Settings
from decision_engine.services import identity, queries
from tests.conftest import Walk
ctx = bootstrap.build(Settings.from_env())
walk = Walk(ctx).open().start()
token = identity.issue_token(ctx, walk.c.drafter, ttl_days=1)
app = create_app(ctx, pages=True)
client = TestClient(app, raise_server_exceptions=False)
art = client.post(f"/api/v1/decisions/{walk.did}/artifacts", headers={"Authorization": f"Bearer {token}"},
                  json={"kind": "consultation", "fields": {"unit": "某市财政局", "opinion": "同意"}})
assert art.status_code == 201, art.text
ids = {"decision_id": walk.did, "did": walk.did, "person_id": walk.c.drafter, "artifact_id": queries.get_decision(ctx, walk.did)["artifacts"][-1]["id"],
       "gate": "legality_review", "year": "2025"}
answers = {"POST artifact": art.status_code}
for route in all_routes(app.routes):
    if "GET" not in route.methods:
        continue
    path = route.path
    for name, value in ids.items():
        path = path.replace("{" + name + "}", value)
    if "{" in path:
        continue
    answers["GET " + route.path] = client.get(path, headers={"Authorization": f"Bearer {token}"}).status_code
print(json.dumps({"answers": answers, "prefect_imported": sorted(m for m in sys.modules if m.split(".")[0] == "prefect")}))
"""


def test_with_prefect_down_every_get_route_answers_and_nothing_imports_prefect(tmp_path: Path) -> None:
    """Every GET route of the API and the pages, with Prefect's API unreachable and DECIDE_FLOWS=1, in a
    fresh process: none answers 5xx, and Prefect is never imported, so no request can wait on it."""
    env = {**os.environ, "PREFECT_API_URL": "http://127.0.0.1:9/api", "DECIDE_FLOWS": "1",
           "DECIDE_DATA_DIR": str(tmp_path / "data"), "DECIDE_DATABASE_URL": f"sqlite:///{tmp_path / 'd.db'}"}
    run = subprocess.run([sys.executable, "-c", _NO_PREFECT], capture_output=True, text=True, env=env, cwd=ROOT,
                         timeout=120)
    assert run.returncode == 0, run.stderr[-3000:]
    out = json.loads(run.stdout.strip().splitlines()[-1])
    answers = out["answers"]
    assert answers["POST artifact"] == 201
    assert len(answers) > 10, answers  # the API's and the pages' GET routes were reached
    assert [k for k, v in answers.items() if v >= 500] == [], answers
    assert out["prefect_imported"] == []
    print(f"\n{len(answers)} requests with Prefect down, none 5xx, prefect never imported")


def test_an_unreadable_sqlite_file_is_a_503_and_one_clear_line_from_the_cli_and_is_left_untouched(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A database file that is not a database (a bad restore, a disk fault): the API answers 503 naming
    the fault on every route (it was a 500), the CLI says so in one line with a non-zero exit (it was a
    traceback), and neither touches the file, so it can still be examined or restored."""
    from typer.testing import CliRunner

    from decision_engine.cli import app as cli
    data = tmp_path / "data"
    data.mkdir()
    bad = data / "decide.db"
    bad.write_bytes(b"not a database, " * 512)
    before = bad.read_bytes()
    monkeypatch.setenv("DECIDE_DATA_DIR", str(data))
    monkeypatch.delenv("DECIDE_DATABASE_URL", raising=False)
    with serving(create_app()) as base, httpx.Client(base_url=base, timeout=30) as anon:
        for method, path in (("GET", "/api/v1/decisions"), ("GET", "/api/v1/public/decisions"),
                             ("POST", "/api/v1/public/decisions/MAD-x/comments")):
            r = anon.request(method, path, headers={"Authorization": "Bearer x"}, json={"text": "意见"})
            assert r.status_code == 503, r.text
            assert r.json()["error"] == "Unavailable" and "file is not a database" in r.json()["message"]
    for args in (["verify"], ["compliance", "2025"], ["clock", "run"]):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 4, (args, result.output)
        assert "refused: the database cannot be read: file is not a database" in result.output
        assert "Traceback" not in result.output
    assert bad.read_bytes() == before
