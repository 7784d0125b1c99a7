"""Notifications: recorded as events, delivered over SMTP to a real local server (aiosmtpd), retried when
the server fails, kept in the inbox when there is no channel or address; read only by their recipient."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from decision_engine.adapters.tables import NOTIFICATIONS
from decision_engine.domain.errors import InvalidInput, NotPermitted
from decision_engine.services import clock_duties, notifications, queries
from decision_engine.services.demo import BUREAU
from tests.conftest import WARNINGS_ARE_ERRORS

pytestmark = WARNINGS_ARE_ERRORS


def overdue_decision(walk: Any) -> str:
    """A decision past its due date: the clock escalates to the undertaking unit's head, then the organ."""
    walk.open(due_by=(walk.ctx.today() + timedelta(days=1)).isoformat()).start()
    walk.ctx.clock.advance(days=10)  # past the due date, and past the organ's 5 working days
    clock_duties.perform(walk.ctx, [i for i in clock_duties.find_due(walk.ctx) if i["kind"] != "undue_delay"])
    return str(walk.did)


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def stream_types(walk: Any, did: str) -> list[str]:
    with walk.ctx.store.read() as conn:
        from decision_engine.adapters import store as st
        return [e["type"] for e in st.stream_events(conn, notifications.stream_of(did))]


def test_an_escalation_is_delivered_by_smtp_and_recorded(walk: Any, smtp_server: Any) -> None:
    c = walk.c
    notifications.set_contact(walk.ctx, c.bureau_head, email="li@transport.example", heads_unit=BUREAU)
    did = overdue_decision(walk)
    counts = notifications.deliver_pending(walk.ctx, notifications.SmtpNotifier(
        smtp_server.host, smtp_server.port, base_url="http://decide.test"))
    assert counts["delivered"] == 1
    (mail,) = smtp_server.to("li@transport.example")
    assert mail["Subject"].startswith("【逾期督办】决策办理期限已于")
    assert mail["Message-ID"].startswith("<N-")
    assert f"http://decide.test/decisions/{did}" in mail.get_content()
    (row,) = [r for r in notifications.inbox(walk.ctx, c.bureau_head)]
    assert (row["status"], row["address"], row["kind"], row["level"]) == ("delivered", "li@transport.example",
                                                                          "escalation", 1)
    assert stream_types(walk, did).count("NotificationDelivered") == 1
    assert notifications.deliver_pending(walk.ctx, notifications.SmtpNotifier(smtp_server.host, smtp_server.port)
                                         )["delivered"] == 0  # a second run sends nothing again
    assert len(smtp_server.to("li@transport.example")) == 1


def test_a_failing_mail_server_is_retried_then_given_up(walk: Any, smtp_server: Any) -> None:
    c = walk.c
    notifications.set_contact(walk.ctx, c.bureau_head, email="li@transport.example", heads_unit=BUREAU)
    did = overdue_decision(walk)
    down = notifications.SmtpNotifier("127.0.0.1", closed_port(), timeout=2)
    assert notifications.deliver_pending(walk.ctx, down, max_attempts=2)["retrying"] == 1
    assert notifications.deliver_pending(walk.ctx, down, max_attempts=2)["failed"] == 1
    assert notifications.deliver_pending(walk.ctx, notifications.SmtpNotifier(smtp_server.host, smtp_server.port),
                                         max_attempts=2)["delivered"] == 0
    (row,) = notifications.inbox(walk.ctx, c.bureau_head)
    assert (row["status"], row["attempts"]) == ("failed", 2) and row["last_error"]
    assert stream_types(walk, did).count("NotificationDeliveryFailed") == 2


def test_without_a_mail_channel_a_notification_stays_in_the_inbox(walk: Any) -> None:
    c = walk.c
    overdue_decision(walk)
    counts = notifications.deliver_pending(walk.ctx, None)
    assert counts["inbox"] == 4  # the head and the office, twice: no unit head registered, then the organ
    assert {r["status"] for r in notifications.inbox(walk.ctx, c.head)} == {"inbox"}
    assert notifications.unread_count(walk.ctx, c.head) == 2


def test_the_recipient_marks_a_notification_read(walk: Any) -> None:
    c = walk.c
    did = overdue_decision(walk)
    first = notifications.inbox(walk.ctx, c.head)[0]
    notifications.mark_read(walk.ctx, c.head, first["id"])
    notifications.mark_read(walk.ctx, c.head, first["id"])  # twice: recorded once
    assert notifications.unread_count(walk.ctx, c.head) == 1
    assert stream_types(walk, did).count("NotificationRead") == 1
    assert [r["id"] for r in notifications.inbox(walk.ctx, c.head, unread_only=True)] != [first["id"]]


def test_someone_else_marking_a_notification_read_is_refused(walk: Any) -> None:
    c = walk.c
    overdue_decision(walk)
    first = notifications.inbox(walk.ctx, c.head)[0]
    with pytest.raises(NotPermitted) as info:
        notifications.mark_read(walk.ctx, c.drafter, first["id"])
    assert (info.value.rule, info.value.article) == ("SoD", "Art. 38 (inference)")
    assert notifications.unread_count(walk.ctx, c.head) == 2


def test_a_contact_address_with_a_line_break_is_refused(walk: Any) -> None:
    with pytest.raises(InvalidInput) as info:
        notifications.set_contact(walk.ctx, walk.c.head, email="wang@city.example\r\nBcc: all@example")
    assert info.value.rule == "R22" and info.value.article.startswith("Art. 38 ¶2")
    with walk.ctx.store.read() as conn:
        assert conn.execute(select(NOTIFICATIONS.c.id)).first() is None


def test_a_recorded_contact_is_an_event_on_the_persons_stream(walk: Any) -> None:
    notifications.set_contact(walk.ctx, walk.c.head, email="wang@city.example")
    with walk.ctx.store.read() as conn:
        from decision_engine.adapters import store as st
        recorded = [e for e in st.stream_events(conn, f"person:{walk.c.head}") if e["type"] == "ContactRecorded"]
    assert recorded[-1]["payload"] == {"email": "wang@city.example", "heads_unit": None}
    assert queries.count_decisions(walk.ctx) == 0
