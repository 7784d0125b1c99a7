"""Services run on the in-memory store (`adapters/memory.py`): the store port is all they need.

No database: the memory store keeps the same hash chain, the same keys and the same all-or-nothing write
transactions, so a service's use case can be tested in milliseconds. (The same use cases run on SQLite
and PostgreSQL in tests/stages, tests/flows and tests/reliability.)
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from decision_engine.adapters.memory import MemoryUnits
from decision_engine.adapters.official_calendar import load_calendar, parse_year_file
from decision_engine.audit.canonical import GENESIS, chain_hash
from decision_engine.config import Settings
from decision_engine.domain.errors import ConcurrencyConflict, InvalidInput, RuleViolation
from decision_engine.services import calendar_years, idempotency, notifications
from decision_engine.services.clock import ManualClock
from decision_engine.services.context import Context

YEAR_FILE = Path(__file__).resolve().parent.parent / "data" / "calendar" / "2027-test.toml"


def memory_context(tmp_path: Path) -> tuple[Context, MemoryUnits]:
    units = MemoryUnits()

    def calendar() -> Any:
        cal = load_calendar()
        with units.read() as uow:
            for body in uow.calendar_years.bodies():
                cal = cal.with_year(parse_year_file(body))
        return cal

    ctx = Context(settings=Settings(data_dir=tmp_path, database_url="memory://"), store=None,  # type: ignore[arg-type]
                  blobs=None, clock=ManualClock(datetime(2026, 3, 2, 1, 0, tzinfo=UTC)),  # type: ignore[arg-type]
                  load_calendar=calendar, units=units)
    return ctx, units


def test_a_calendar_year_added_on_the_memory_store_is_chained_recorded_and_used(tmp_path: Path) -> None:
    ctx, units = memory_context(tmp_path)
    text = YEAR_FILE.read_text(encoding="utf-8")
    year = parse_year_file(text).year
    assert not ctx.calendar.has_year(year)

    assert calendar_years.add_year(ctx, text) == year

    assert ctx.calendar.has_year(year)  # the service reloaded the calendar, which read the memory store
    with units.read() as uow:
        [(seq, body, prev, digest)] = uow.events.chain("calendar")
        assert (seq, prev) == (1, GENESIS) and chain_hash(prev, body) == digest
        assert uow.events.stream("calendar")[0]["payload"]["year"] == year


def test_a_second_calendar_year_for_the_same_year_is_refused_and_writes_nothing(tmp_path: Path) -> None:
    ctx, units = memory_context(tmp_path)
    text = YEAR_FILE.read_text(encoding="utf-8")
    calendar_years.add_year(ctx, text)

    with pytest.raises(RuleViolation) as refused:
        calendar_years.add_year(ctx, text)

    assert refused.value.rule == "R18"
    with units.read() as uow:
        assert uow.events.last("calendar")[0] == 1


def test_a_write_that_fails_half_way_leaves_nothing_in_the_memory_store(tmp_path: Path) -> None:
    _, units = memory_context(tmp_path)
    actor = {"person": "p", "role": "r", "unit": "u"}
    with pytest.raises(ConcurrencyConflict), units.write() as uow:
        uow.events.append("s", [("First", {})], at="2026-03-02T09:00:00+08:00", actor=actor)
        uow.events.append("s", [("Second", {})], at="2026-03-02T09:00:00+08:00", actor=actor, expected_seq=0)
    with units.read() as uow:
        assert uow.events.stream("s") == []


def test_an_idempotency_key_replays_the_first_response_and_refuses_a_different_request(tmp_path: Path) -> None:
    ctx, _ = memory_context(tmp_path)
    first = idempotency.request_hash({"path": "/decisions", "title": "A"})

    assert idempotency.claim(ctx, "alice", "key-1", first) is None
    with pytest.raises(ConcurrencyConflict):  # the first request is still running
        idempotency.claim(ctx, "alice", "key-1", first)
    idempotency.complete(ctx, "alice", "key-1", 201, {"decision_id": "D-1"})

    stored = idempotency.claim(ctx, "alice", "key-1", first)
    assert stored == idempotency.StoredResponse(201, {"decision_id": "D-1"})
    with pytest.raises(InvalidInput):
        idempotency.claim(ctx, "alice", "key-1", idempotency.request_hash({"path": "/decisions", "title": "B"}))
    assert idempotency.claim(ctx, "bob", "key-1", first) is None  # a key is scoped to its sender


def test_a_committed_claim_released_after_a_failure_answers_the_retry_from_its_events(tmp_path: Path) -> None:
    ctx, units = memory_context(tmp_path)
    req = idempotency.request_hash({"path": "/decisions/D-1/publish"})
    idempotency.claim(ctx, "alice", "k", req)
    with units.write() as uow:  # the command's transaction marks the claim (Store.before_commit on SQL)
        idempotency.note_committed(uow, "alice", "k", [{"stream": "decision:D-1", "seq": 7, "type": "Published"}])

    idempotency.release(ctx, "alice", "k")

    stored = idempotency.claim(ctx, "alice", "k", req)
    assert stored is not None and stored.status == 200
    assert stored.body["decision_id"] == "D-1" and stored.body["replayed_after_crash"] is True
    assert stored.body["events"] == [{"seq": 7, "type": "Published"}]


class Outbox:
    """A notifier that keeps what it was asked to send (a fake transport, not a mock of the store)."""

    def __init__(self) -> None:
        self.sent: list[notifications.Message] = []

    def send(self, message: notifications.Message) -> str:
        self.sent.append(message)
        return f"<{message.notification_id}@test>"


def test_notifications_are_recorded_once_delivered_by_address_and_kept_in_the_inbox(tmp_path: Path) -> None:
    ctx, units = memory_context(tmp_path)
    planned = [notifications.Planned("D-1", person, "reminder:publication", "2026-03-20", "reminder", 0,
                                     "公开提醒", "决定应于期限内公开") for person in ("alice", "bob")]
    with units.write() as uow:
        uow.notifications.set_contact("alice", {"email": "alice@example.org", "heads_unit": None,
                                                "updated_at": ctx.now_iso()})
        ids = notifications.record(uow, planned, at=ctx.now_iso())
        assert notifications.record(uow, planned, at=ctx.now_iso()) == []  # a rerun of the clock: no-op
    assert len(ids) == 2

    outbox = Outbox()
    counts = notifications.deliver_pending(ctx, outbox)

    assert counts == {"delivered": 1, "failed": 0, "retrying": 0, "inbox": 1}
    assert [m.to for m in outbox.sent] == ["alice@example.org"]
    assert [n["status"] for n in notifications.inbox(ctx, "alice")] == ["delivered"]
    assert [n["status"] for n in notifications.inbox(ctx, "bob")] == ["inbox"]
    assert notifications.unread_count(ctx, "bob") == 1
    with units.read() as uow:
        types = [e["type"] for e in uow.events.stream(notifications.stream_of("D-1"))]
    assert types[:2] == ["NotificationRecorded", "NotificationRecorded"]
    assert sorted(types[2:]) == ["NotificationDelivered", "NotificationKeptInInbox"]  # in notification-id order
    assert notifications.deliver_pending(ctx, outbox) == {"delivered": 0, "failed": 0, "retrying": 0, "inbox": 0}


def test_the_organisation_chart_is_changed_shown_and_travels_in_time_on_the_memory_store(tmp_path: Path) -> None:
    """`organisation._change`, `show` and `chart_at` go through the store port alone (no connection)."""
    from decision_engine.services import organisation
    from decision_engine.services.demo import org_file
    ctx, units = memory_context(tmp_path)
    assert organisation.load_file(ctx, org_file())
    assert organisation.load_file(ctx, org_file()) == []  # the same file again appends nothing
    before = ctx.now_iso()
    ctx.clock.advance(days=10)  # type: ignore[attr-defined]
    organisation.retire_unit(ctx, "某市信访局", reason="撤并")
    with units.read() as uow:
        assert "某市信访局" in organisation.chart_at(uow, before).units
        assert "某市信访局" not in organisation.chart_of(uow).units
        assert organisation.chart_at(uow, "2000-01-01T00:00:00+00:00").single
        seq = uow.events.last(organisation.ORG_STREAM)[0]
    shown = organisation.show(ctx)
    assert shown["seq"] == seq and not shown["single"]
    assert organisation.show(ctx, before)["events"] == seq - 1
