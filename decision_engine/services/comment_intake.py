"""Public comment intake with group commit: concurrent submissions share one durable transaction.

Shards (issue 19 §4): a decision's comments are received on `settings.comment_shards` hash-chained streams
(`comments:<decision>#<k>`), so writers in several processes append to one decision at once: each transaction
takes the lock of a shard no other writer holds (`take_shard`: tried without waiting, in turn) and gives its
comments tracking numbers of that shard (`participation.shard_of`). The sequencer logs every shard's events
in the one Merkle log; counting, listing, clustering and the feedback report read the comment tables, which
hold every shard's rows under the decision. With one shard, comments go on `comments:<decision>` as before.

A durable commit costs a disk flush (about 3 ms here, SQLite WAL + synchronous=FULL or PostgreSQL); a
consultation that draws a campaign receives many comments at once. Each submitter queues its comment
and waits; one of the waiters (the leader) takes everything queued, writes it in one transaction (the
events on each `comments:<decision>` stream, the rows, the identities kept apart) and commits; then every
submitter gets its own answer (`submit`; from an event loop, `submit_async` hands the comment to a writer
thread instead, so the loop never waits on the disk). Nothing is acknowledged before its commit, and every comment is all or
nothing: a comment refused by a rule gets its own refusal and does not enter the transaction; if the
transaction fails, every comment of the batch gets the failure and none is written.
"""

from __future__ import annotations

import asyncio
import hashlib
import queue
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from decision_engine.domain import participation as dp
from decision_engine.domain.decision import Decision
from decision_engine.domain.errors import DomainError
from decision_engine.domain.statutory_time import statutory_day
from decision_engine.services.context import Context
from decision_engine.services.decisions import ACCEPTED_MEDIA, load
from decision_engine.services.ports import UnitOfWork

MAX_BATCH = 500
LINGER = 0.001  # seconds the writer waits for more comments before a flush
_CREATE = threading.Lock()


@dataclass(slots=True)
class Submission:
    """One comment waiting for its transaction, and then its answer."""

    decision_id: str
    text: str
    identity: dict[str, str]
    attachments: list[dict[str, Any]]
    done: bool = False
    receipt: dict[str, Any] = field(default_factory=dict)
    error: Exception | None = None
    settled: Callable[[], object] | None = None


class CommentIntake:
    """The group committer of one Context: threads submit as leader/follower (no thread of its own); an
    event loop hands its comments to one writer thread, started on first use, which lingers a moment
    (LINGER) to gather concurrent comments into one flush."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self._queue: list[Submission] = []
        self._mutex = threading.Lock()
        self._leader = threading.Lock()
        self._inbox: queue.SimpleQueue[Submission] = queue.SimpleQueue()
        self._writer: threading.Thread | None = None
        self._turn = secrets.randbelow(1 << 16)  # the shard this intake tries first, moved on every commit

    def submit(self, item: Submission) -> dict[str, Any]:
        """Queue a comment, commit it (alone or with others), and return its receipt or raise its refusal."""
        with self._mutex:
            self._queue.append(item)
        while not item.done:
            with self._leader:
                if item.done:
                    break
                with self._mutex:
                    batch, self._queue = self._queue[:MAX_BATCH], self._queue[MAX_BATCH:]
                self._commit(batch)
        if item.error is not None:
            raise item.error
        return item.receipt

    async def submit_async(self, item: Submission) -> dict[str, Any]:
        """The same for an event loop: a writer thread commits; the loop never blocks on the disk."""
        loop = asyncio.get_running_loop()
        settled: asyncio.Future[None] = loop.create_future()
        item.settled = lambda: loop.call_soon_threadsafe(_settle, settled)
        with self._mutex:
            if self._writer is None:
                self._writer = threading.Thread(target=self._write_forever, name="comment-intake", daemon=True)
                self._writer.start()
        self._inbox.put(item)
        await settled
        if item.error is not None:
            raise item.error
        return item.receipt

    def _write_forever(self) -> None:
        last = 1
        while True:
            batch = [self._inbox.get()]
            until = time.monotonic() + LINGER
            # Wait a moment for company (one flush for many comments), but no longer than it takes for as
            # many comments as the last flush carried: steady traffic does not pay the whole linger.
            while len(batch) < MAX_BATCH:
                try:
                    wait = 0.0 if len(batch) >= last else max(0.0, until - time.monotonic())
                    batch.append(self._inbox.get(timeout=wait) if wait else self._inbox.get_nowait())
                except queue.Empty:
                    break
            last = len(batch)
            try:
                with self._leader:
                    self._commit(batch)
            except Exception as failure:  # outside the transaction: nothing of the batch was acknowledged
                for item in batch:
                    if not item.done:
                        item.error, item.done = failure, True
            for item in batch:
                if item.settled is not None:
                    try:
                        item.settled()
                    except RuntimeError:  # the submitter's event loop is gone
                        pass

    def _commit(self, batch: list[Submission]) -> None:
        ctx = self.ctx
        at, today = ctx.now_iso(), ctx.today()
        shards = ctx.settings.comment_shards
        self._turn += 1
        accepted: list[tuple[Submission, dict[str, Any], dict[str, Any] | None, str]] = []
        try:
            with ctx.uow.write() as uow:
                # one shard per decision, locked in the order of the decision ids (no two writers wait on
                # each other in a cycle)
                taken = {did: take_shard(uow, did, shards, self._turn)
                         for did in sorted({item.decision_id for item in batch})}
                loaded: dict[str, Decision] = {}
                for item in batch:
                    try:
                        d = loaded.get(item.decision_id)
                        if d is None:
                            d = loaded[item.decision_id] = load(uow.tx, item.decision_id)[0]
                        dp.check_comment(item.text, item.identity, (), d.spec.settings, ACCEPTED_MEDIA)
                        accepted.append((item, *new_comment(d, item.text, item.identity, item.attachments,
                                                            "online", today, shard=taken[item.decision_id],
                                                            shards=shards)))
                    except DomainError as refusal:
                        item.error = refusal
                received: list[dict[str, Any]] = []
                idents = []
                for did in loaded:
                    mine = [(p, ident) for item, p, ident, _ in accepted if item.decision_id == did]
                    if not mine:
                        continue
                    received += uow.events.append(comment_stream(did, taken[did]),
                                                  [("CommentReceived", p) for p, _ in mine],
                                                  at=at, actor=dp.PUBLIC_ACTOR)
                    idents += [ident for _, ident in mine if ident]
                if received:
                    uow.comments.insert_received(received, idents)
        except Exception as failure:  # nothing of the batch was written: each submitter gets the failure
            for item, *_ in accepted:
                item.error = failure
            accepted = []
        for item, payload, _, deadline in accepted:
            tn = payload["tracking_number"]
            if payload["late"]:
                item.error = dp.CommentWindowClosed(dp.late_message(deadline, tn), tracking_number=tn,
                                                    deadline=deadline)
            item.receipt = {"tracking_number": tn, "decision_id": item.decision_id, "received_at": at,
                            "deadline": deadline, "late": False, "status": "received"}
        for item in batch:
            item.done = True


def _settle(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


def take_shard(uow: UnitOfWork, decision_id: str, shards: int, turn: int) -> int | None:
    """Lock the stream this transaction will receive the decision's comments on: with several shards, the
    first (from `turn` on) no other writer holds, or, when every one is held, wait for shard `turn`; with one,
    the decision's main comment stream (None)."""
    if shards <= 1:
        uow.comments.lock(dp.comments_stream(decision_id))
        return None
    for i in range(shards):
        k = (turn + i) % shards
        if uow.comments.try_lock(dp.shard_stream(decision_id, k)):
            return k
    k = turn % shards
    uow.comments.lock(dp.shard_stream(decision_id, k))
    return k


def comment_stream(decision_id: str, shard: int | None) -> str:
    """The stream comments are received on: a shard's, or the decision's main comment stream."""
    return dp.comments_stream(decision_id) if shard is None else dp.shard_stream(decision_id, shard)


def _random_bits() -> Iterator[int]:
    while True:
        yield secrets.randbits(55)


def new_comment(d: Decision, text: str, identity: dict[str, str], attachments: list[dict[str, Any]],
                channel: str, received_on: date, *, shard: int | None = None, shards: int = 1
                ) -> tuple[dict[str, Any], dict[str, Any] | None, str]:
    """The CommentReceived payload, the identity row kept apart (if any), and the deadline it met or missed;
    received on a shard, its tracking number is one of that shard's."""
    notice, late = dp.comment_window(d, received_on)
    tracking = dp.tracking_number(secrets.randbits(55)) if shard is None else \
        dp.tracking_number_in(shard, shards, _random_bits())
    salt = secrets.token_hex(16)
    payload = {"decision_id": d.id, "tracking_number": tracking, "notice_artifact_id": notice["id"],
               "channel": channel, "text": text, "text_sha256": hashlib.sha256(text.encode()).hexdigest(),
               "identity_sha256": dp.identity_commitment(identity, salt), "attachments": attachments,
               "received_on": received_on.isoformat(), "late": late}
    ident = None if payload["identity_sha256"] is None else dict(
        {k: identity.get(k, "") for k in dp.IDENTITY_FIELDS}, tracking_number=tracking, salt=salt)
    return payload, ident, statutory_day(notice["fields"]["deadline"]).isoformat()


def intake(ctx: Context) -> CommentIntake:
    """The Context's group committer (created on first use)."""
    found = ctx.extras.get("comment_intake")
    if found is None:
        with _CREATE:
            found = ctx.extras.setdefault("comment_intake", CommentIntake(ctx))
    assert isinstance(found, CommentIntake)
    return found
