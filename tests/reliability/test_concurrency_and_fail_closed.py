"""Concurrency and fail-closed behaviour of the store (issue 11 §4, §6), on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from decision_engine.adapters import store as st
from decision_engine.adapters.store import DurabilityRefused, Store
from decision_engine.domain.errors import ConcurrencyConflict, DomainError
from decision_engine.services import decisions as svc
from decision_engine.services import queries, verification
from decision_engine.services.context import Context

WRITERS = 50


INJECTIONS = int(os.environ.get("DECIDE_FAIL_INJECTIONS", "334"))


def _start(walk: Any) -> None:
    walk.open().start()


def test_fifty_concurrent_writers_on_one_decision_lose_nothing(walk_any: Any) -> None:
    walk = walk_any
    _start(walk)
    ok: list[int] = []
    conflicts: list[str] = []
    seq0 = queries.get_decision(walk.ctx, walk.did)["seq"]

    def writer(i: int) -> None:
        try:
            svc.record_artifact(walk.ctx, walk.c.drafter, walk.did, "consultation",
                                {"unit": f"单位{i}", "opinion": "同意"}, expected_seq=None)
            ok.append(i)
        except ConcurrencyConflict as err:
            conflicts.append(err.rule)
    threads = [threading.Thread(target=writer, args=(i,)) for i in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    view = queries.get_decision(walk.ctx, walk.did)
    recorded = {a["fields"]["unit"] for a in view["artifacts"] if a["kind"] == "consultation"}
    # every acknowledged write is present; every refused one was a clean conflict (409)
    assert recorded == {f"单位{i}" for i in ok}
    assert len(ok) + len(conflicts) == WRITERS
    assert all(rule == "R18" for rule in conflicts)
    events = queries.events(walk.ctx, walk.did, limit=10_000)
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert view["seq"] == seq0 + len(ok) + sum(1 for e in events if e["type"] == "AttemptRefused")
    assert verification.verify(walk.ctx).ok


def test_writers_with_the_same_expected_sequence_get_exactly_one_success(walk_any: Any) -> None:
    walk = walk_any
    _start(walk)
    seq = queries.get_decision(walk.ctx, walk.did)["seq"]
    results: list[str] = []

    def writer(i: int) -> None:
        try:
            svc.record_artifact(walk.ctx, walk.c.drafter, walk.did, "consultation",
                                {"unit": f"单位{i}", "opinion": "同意"}, expected_seq=seq)
            results.append("ok")
        except ConcurrencyConflict:
            results.append("409")
    threads = [threading.Thread(target=writer, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("ok") == 1 and results.count("409") == 19
    assert verification.verify(walk.ctx).ok


def test_concurrent_writers_on_many_decisions_all_succeed(walk_any: Any) -> None:
    walk = walk_any
    ids = []
    for _ in range(10):
        walk.open().start()
        ids.append(walk.did)
    errors: list[DomainError] = []

    def writer(did: str, i: int) -> None:
        try:
            svc.record_artifact(walk.ctx, walk.c.drafter, did, "consultation",
                                {"unit": f"单位{i}", "opinion": "同意"})
        except DomainError as err:
            errors.append(err)
    threads = [threading.Thread(target=writer, args=(ids[i % 10], i)) for i in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    total = sum(len([a for a in queries.get_decision(walk.ctx, d)["artifacts"] if a["kind"] == "consultation"])
                for d in ids)
    assert total + len(errors) == WRITERS
    assert all(isinstance(e, ConcurrencyConflict) for e in errors)
    assert verification.verify(walk.ctx).ok


@pytest.mark.parametrize("failure", ["event_insert", "projection_update", "commit"])
def test_a_failure_in_the_audit_append_commits_no_business_change(walk_any: Any, failure: str,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    walk = walk_any
    _start(walk)
    before = queries.get_decision(walk.ctx, walk.did)
    with walk.ctx.store.read() as conn:
        n_events = conn.execute(text("SELECT count(*) FROM events")).scalar_one()
    injected = 0
    for _ in range(INJECTIONS):  # 3 kinds × 334 = 1,002 failures injected per database
        with monkeypatch.context() as m:
            if failure == "event_insert":
                m.setattr(st, "_INSERT_EVENTS", st._INSERT_EVENTS.values(no_such_column=1))
            elif failure == "projection_update":
                def broken(*a: Any, **k: Any) -> None:
                    raise OSError("disk full")
                m.setattr(st, "save_decision", broken)
            else:
                def failing_commit(real: Any = walk.ctx.store.write) -> Any:
                    from contextlib import contextmanager

                    @contextmanager
                    def cm() -> Any:
                        with real() as conn:
                            yield conn
                            raise OSError("commit failed")
                    return cm()
                m.setattr(walk.ctx.store, "write", failing_commit)
            with pytest.raises(Exception):  # noqa: B017 - any failure must propagate
                svc.record_determination(walk.ctx, walk.c.drafter, walk.did, "specialised", True, "理由")
            injected += 1
    after = queries.get_decision(walk.ctx, walk.did)
    with walk.ctx.store.read() as conn:
        n_after = conn.execute(text("SELECT count(*) FROM events")).scalar_one()
    assert injected == INJECTIONS
    assert after["flags"] == before["flags"] and after["seq"] == before["seq"]
    assert n_after == n_events
    assert verification.verify(walk.ctx).ok


def test_the_store_refuses_sqlite_without_wal_and_full_sync(tmp_path: Path) -> None:
    import sqlite3
    db = tmp_path / "weak.db"
    sqlite3.connect(db).execute("PRAGMA journal_mode=DELETE").close()
    store = Store(f"sqlite:///{db}")
    from sqlalchemy import event
    event.remove(store.engine, "connect", st._sqlite_connect)

    def weak(dbapi_conn: Any, _r: Any) -> None:
        dbapi_conn.isolation_level = None
        dbapi_conn.execute("PRAGMA synchronous=NORMAL")
    event.listen(store.engine, "connect", weak)
    with pytest.raises(DurabilityRefused, match="synchronous=FULL"):
        store.check_durability()


def test_sqlite_store_runs_in_wal_with_full_sync(sqlite_ctx: Context) -> None:
    with sqlite_ctx.store.read() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2
