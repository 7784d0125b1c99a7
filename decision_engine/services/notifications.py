"""Notifications (提醒与督办): reminders before a statutory deadline, escalations after it, notices.

Each notification is first *recorded* (event `NotificationRecorded` on the stream
`notifications:<decision>`, row in `notifications`), in the same transaction as the clock duty that
caused it; it is *delivered* afterwards from that outbox by a pluggable :class:`Notifier` (SMTP by
default), and the outcome is recorded as an event too (`NotificationDelivered`,
`NotificationDeliveryFailed`, `NotificationKeptInInbox`). Delivery is at-least-once: a crash between
sending and recording sends the message again, with the same Message-ID, so a mail client shows it
once. Every person also reads their notifications in an inbox on the pages (:func:`inbox`).

Who is told (resolved by the statutory clock, ``services.clock_duties``): the people holding the
responsible role (level 0), then the head of their unit (level 1, from :func:`set_contact`), then the
decision organ (level 2: ``admin_head`` and ``decision_organ``) — R22, Art. 38 ¶2 (inference: a
deadline missed is escalated before it becomes an undue delay).
"""

from __future__ import annotations

import smtplib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any, Protocol

from decision_engine.config import Settings
from decision_engine.domain.errors import InvalidInput, NotFound, NotPermitted
from decision_engine.domain.law import article
from decision_engine.services.context import SYSTEM_ACTOR, Context, new_id, unit_of
from decision_engine.services.identity import _admin, actors_of

KIND_ZH = {"reminder": "到期提醒", "escalation": "逾期督办", "notice": "程序通知"}
STATUS_ZH = {"pending": "待发送", "retrying": "待重试", "delivered": "已送达", "failed": "发送失败",
             "inbox": "仅站内"}
EVENT_ZH = {"NotificationRecorded": "记录通知", "NotificationDelivered": "通知已送达",
            "NotificationDeliveryFailed": "通知发送失败", "NotificationKeptInInbox": "通知仅站内",
            "NotificationRead": "通知已读", "ContactRecorded": "登记通知联系方式"}
MAX_ATTEMPTS = 5
_RULE, _ARTICLE = "R22", "Art. 38 ¶2 (inference: reminders and escalation)"


@dataclass(frozen=True, slots=True)
class Message:
    """One e-mail to send: to whom, what, and the notification it delivers."""

    notification_id: str
    to: str
    subject: str
    body: str
    link: str = ""


class Notifier(Protocol):
    """Delivers a message; returns a delivery id (the Message-ID); raises when it cannot."""

    def send(self, message: Message) -> str: ...


class SmtpNotifier:
    """The default notifier: plain-text UTF-8 e-mail over SMTP (smtplib)."""

    def __init__(self, host: str, port: int = 25, *, sender: str = "decide-noreply@localhost",
                 timeout: float = 10.0, domain: str = "decide.local", base_url: str = "") -> None:
        self.host, self.port, self.sender, self.timeout, self.domain = host, port, sender, timeout, domain
        self.base_url = base_url

    def send(self, message: Message) -> str:
        """Send one message; the Message-ID is derived from the notification id (a resend is recognisable)."""
        msg = EmailMessage()
        msg["From"] = self.sender
        msg["To"] = message.to
        msg["Subject"] = message.subject
        msg["Message-ID"] = f"<{message.notification_id}@{self.domain}>"
        msg["Date"] = format_datetime(datetime.now().astimezone())
        msg["X-Decide-Notification"] = message.notification_id
        link = f"\n\n查看：{self.base_url}{message.link}" if message.link else ""
        msg.set_content(message.body + link + "\n\n（本邮件由决策程序引擎自动发送，请勿直接回复。）\n", charset="utf-8")
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            smtp.send_message(msg)
        return str(msg["Message-ID"])


def default_notifier(settings: Settings) -> Notifier | None:
    """SMTP when `DECIDE_SMTP_HOST` is set; otherwise none (notifications stay in the inbox)."""
    return SmtpNotifier(settings.smtp_host, settings.smtp_port) if settings.smtp_host else None


@dataclass(frozen=True, slots=True)
class Planned:
    """A notification the clock decided to send (recorded by :func:`record`)."""

    decision_id: str
    person_id: str
    duty: str
    due: str
    kind: str
    level: int
    subject: str
    body: str
    link: str = ""


def stream_of(decision_id: str) -> str:
    """The notification stream of a decision."""
    return f"notifications:{decision_id}"


# ---------------------------------------------------------------------------------------- recording
def record(tx: Any, planned: Sequence[Planned], *, at: str) -> list[str]:
    """Record notifications inside the caller's transaction (`tx`: its unit of work, or the transaction
    handle) — one event each; returns their ids.

    A (decision, duty, due, person) already notified is skipped: the unique key makes a rerun a no-op.
    """
    if not planned:
        return []
    uow = unit_of(tx)
    by_decision: dict[str, list[Planned]] = defaultdict(list)
    for p in planned:
        by_decision[p.decision_id].append(p)
    ids: list[str] = []
    for decision_id, items in by_decision.items():
        have = uow.notifications.notified(decision_id, [p.duty for p in items])
        fresh: list[tuple[str, Planned]] = []
        for p in items:
            if (p.duty, p.due, p.person_id) in have:
                continue
            have.add((p.duty, p.due, p.person_id))
            fresh.append((new_id("N"), p))
        if not fresh:
            continue
        stored = uow.events.append(stream_of(decision_id), [("NotificationRecorded", {
            "notification_id": nid, "decision_id": decision_id, "person_id": p.person_id, "duty": p.duty,
            "due": p.due, "kind": p.kind, "level": p.level, "subject": p.subject, "body": p.body,
            "link": p.link}) for nid, p in fresh], at=at, actor=dict(SYSTEM_ACTOR))
        uow.notifications.add([{
            "id": nid, "decision_id": decision_id, "person_id": p.person_id, "duty": p.duty, "due": p.due,
            "kind": p.kind, "level": p.level, "subject": p.subject[:500], "body": p.body, "link": p.link[:300],
            "created_at": at, "status": "pending", "attempts": 0, "seq": env["seq"]}
            for (nid, p), env in zip(fresh, stored, strict=True)])
        ids.extend(nid for nid, _ in fresh)
    return ids


# ---------------------------------------------------------------------------------------- delivery
def deliver_pending(ctx: Context, notifier: Notifier | None, *, limit: int = 100_000,
                    max_attempts: int = MAX_ATTEMPTS, batch: int = 500) -> dict[str, int]:
    """Deliver what the outbox holds (pending, or failed fewer than `max_attempts` times), oldest first, at
    most `limit` per call; record each outcome as an event, a batch per transaction. Without a notifier or
    an address, a notification stays in the inbox only."""
    with ctx.uow.read() as uow:
        addresses = uow.notifications.addresses()
    counts = {"delivered": 0, "failed": 0, "retrying": 0, "inbox": 0}
    after: tuple[str, str] = ("", "")
    while sum(counts.values()) < limit:
        with ctx.uow.read() as uow:  # keyset pages: a notification that fails now waits for the next run
            rows = uow.notifications.pending(after, min(batch, limit - sum(counts.values())))
        if not rows:
            break
        after = (rows[-1]["created_at"], rows[-1]["id"])
        outcomes = [_deliver(r, addresses.get(r["person_id"]), notifier, max_attempts) for r in rows]
        _record_outcomes(ctx, outcomes)
        for _, status, _ in outcomes:
            counts[status] += 1
    return counts


def _deliver(r: dict[str, Any], address: str | None, notifier: Notifier | None, max_attempts: int
             ) -> tuple[dict[str, Any], str, dict[str, Any]]:
    if notifier is None or not address:
        return r, "inbox", {"reason": "未配置邮件通道（DECIDE_SMTP_HOST）" if notifier is None else "收件人未登记邮箱"}
    try:
        delivery_id = notifier.send(Message(r["id"], address, r["subject"], r["body"], r["link"]))
    except Exception as exc:  # any transport failure is recorded, then retried by the next run
        final = r["attempts"] + 1 >= max_attempts
        return r, "failed" if final else "retrying", {"address": address, "attempt": r["attempts"] + 1,
                                                      "error": f"{type(exc).__name__}: {exc}"[:500], "final": final}
    return r, "delivered", {"address": address, "delivery_id": delivery_id, "channel": "email",
                            "attempt": r["attempts"] + 1}


_OUTCOME_EVENT = {"delivered": "NotificationDelivered", "failed": "NotificationDeliveryFailed",
                  "retrying": "NotificationDeliveryFailed", "inbox": "NotificationKeptInInbox"}


def _record_outcomes(ctx: Context, outcomes: list[tuple[dict[str, Any], str, dict[str, Any]]]) -> None:
    if not outcomes:
        return
    at = ctx.now_iso()
    with ctx.uow.write() as uow:
        by_decision: dict[str, list[tuple[dict[str, Any], str, dict[str, Any]]]] = defaultdict(list)
        for o in outcomes:
            by_decision[o[0]["decision_id"]].append(o)
        for decision_id, items in by_decision.items():
            uow.events.append(stream_of(decision_id), [(_OUTCOME_EVENT[status], {"notification_id": r["id"], **extra})
                                                       for r, status, extra in items],
                              at=at, actor=dict(SYSTEM_ACTOR))
        uow.notifications.set_outcomes([{
            "b_id": r["id"], "status": status, "attempts": r["attempts"] + (0 if status == "inbox" else 1),
            "address": extra.get("address"), "last_error": extra.get("error"),
            "delivered_at": at if status == "delivered" else None} for r, status, extra in outcomes])



# ---------------------------------------------------------------------------------------- contacts
def set_contact(ctx: Context, person_id: str, *, email: str | None = None, heads_unit: str | None = None,
                by: str | None = None) -> None:
    """Record where a person receives notifications and which unit they head (escalation level 1)."""
    if email is not None and (not email.strip() or "@" not in email or any(c in email for c in " \r\n\t<>,")):
        raise InvalidInput(f"not a plain e-mail address: {email!r}", rule=_RULE, article=_ARTICLE)
    at = ctx.now_iso()
    with ctx.uow.write() as uow:
        actor = _admin(uow.tx, by, at)
        if not uow.persons.exists(person_id):
            raise NotFound(f"no person {person_id!r}", rule=_RULE, article=_ARTICLE)
        uow.events.append(f"person:{person_id}", [("ContactRecorded", {"email": email, "heads_unit": heads_unit})],
                  at=at, actor=actor)
        uow.notifications.set_contact(person_id, {"email": email, "heads_unit": heads_unit, "updated_at": at})


# ---------------------------------------------------------------------------------------- inbox
# The legal basis of each duty the clock notifies about (as `clock_duties.watched` and `duties_of` cite it):
# a duty id is `kind[:window[:detail]]`, e.g. `reminder:legality_review`, `deadline_passed:publication`,
# `execution_report_due:某市公交集团`, `comment_window_closed:A-…`.
DUTY_BASIS: dict[str, tuple[str, str]] = {
    "comment_window_closed": ("R6", "Art. 15"), "legality_review": ("R12", article("R12.prompt")),
    "publication": ("R17", "Art. 32"), "due_by": ("R22", "Art. 38 ¶2"), "execution_report": ("R19", "Art. 34"),
    "execution_report_due": ("R19", "Art. 34"), "evaluation_due": ("R21", "Art. 36"),
    "undue_delay": ("R22", "Art. 38 ¶2"), "execution_failure": ("R19", article("R19.failure"))}


def duty_basis(duty: str) -> tuple[str, str] | None:
    """The rule and article a notified duty rests on (None for a duty the clock does not know)."""
    for part in duty.split(":")[:2]:
        if part in DUTY_BASIS:
            return DUTY_BASIS[part]
    return None


def inbox(ctx: Context, person_id: str, *, unread_only: bool = False, limit: int = 50) -> list[dict[str, Any]]:
    """A person's notifications, newest first (for the pages' inbox)."""
    with ctx.uow.read() as uow:
        rows = uow.notifications.inbox(person_id, unread_only=unread_only, limit=max(1, min(limit, 500)))
    out = []
    for r in rows:
        rule, article = duty_basis(r["duty"]) or ("", "")
        out.append(dict(r, kind_zh=KIND_ZH.get(r["kind"], r["kind"]),
                        status_zh=STATUS_ZH.get(r["status"], r["status"]), rule=rule, article=article))
    return out


def unread_count(ctx: Context, person_id: str) -> int:
    """How many notifications a person has not read."""
    with ctx.uow.read() as uow:
        return uow.notifications.unread(person_id)


def mark_read(ctx: Context, person_id: str, notification_id: str) -> None:
    """The recipient marks a notification read (recorded; only the recipient may)."""
    at = ctx.now_iso()
    with ctx.uow.write() as uow:
        row = uow.notifications.get(notification_id)
        if row is None:
            raise NotFound(f"no notification {notification_id!r}", rule=_RULE, article=_ARTICLE)
        if row["person_id"] != person_id:
            raise NotPermitted("only the recipient marks a notification read", rule="SoD",
                               article="Art. 38 (inference)")
        if row["read_at"] is not None:
            return
        roles = actors_of(uow.tx, person_id, at)
        actor = roles[0].to_dict() if roles else {"person": person_id, "role": "none", "unit": "", "name": ""}
        uow.events.append(stream_of(row["decision_id"]), [("NotificationRead", {"notification_id": notification_id})],
                          at=at, actor=actor)
        uow.notifications.mark_read(notification_id, at)
