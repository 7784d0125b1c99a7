"""Idempotency keys: a retried request returns the first result and writes nothing twice.

A key is scoped to the person who sent it. The first request *claims* the key (a row with status 0,
"in progress"), runs its command, then *completes* the row with the response it gave. A retry with the
same key and the same request gets that stored response back; the same key with a different request is
malformed input (HTTP 422); a retry while the first is still running is a conflict (HTTP 409).

A crash between the command's commit and the completion must not let a retry run the command twice. So
the command's own transaction marks the claim COMMITTED (status 1) with the events it appended, just
before it commits (`Store.before_commit`): the events and the mark commit together or not at all. A claim
left behind by a crashed process is then taken over after `STALE_AFTER` only if it is still IN_PROGRESS
(nothing committed: running it again is safe); a COMMITTED one is answered from its events instead.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from decision_engine.audit.canonical import canonical
from decision_engine.domain.errors import ConcurrencyConflict, InvalidInput
from decision_engine.services.clock import iso
from decision_engine.services.context import Context, unit_of
from decision_engine.services.ports import UnitOfWork

IN_PROGRESS = 0
COMMITTED = 1  # the command's transaction committed; its response was not stored yet
REFUSAL_EVIDENCE = frozenset({"AttemptRefused"})  # written for a refused command: not the command's effect
STALE_AFTER = timedelta(seconds=60)
KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,100}$")  # visible ASCII, as in an HTTP header


@dataclass(frozen=True, slots=True)
class StoredResponse:
    """The response the first request with a key received."""

    status: int
    body: Any


def request_hash(fingerprint: dict[str, Any]) -> str:
    """SHA-256 of a request's canonical form (method, path, parsed input, file digests)."""
    return hashlib.sha256(b"decide.idempotency.v1\x00" + canonical(fingerprint)).hexdigest()


def _scoped(person_id: str, key: str) -> str:
    if not KEY_PATTERN.match(key):
        raise InvalidInput("Idempotency-Key must be 1–100 visible ASCII characters")
    return f"{person_id}:{key}"


def claim(ctx: Context, person_id: str, key: str, req_hash: str) -> StoredResponse | None:
    """Reserve the key for this request (None), or return the first request's stored response."""
    try:
        return _claim(ctx, _scoped(person_id, key), req_hash)
    except ConcurrencyConflict:  # two first requests raced to insert the claim: one of them is running
        raise ConcurrencyConflict(IN_PROGRESS_MESSAGE) from None


IN_PROGRESS_MESSAGE = "a request with this Idempotency-Key is still in progress; retry later"


def _claim(ctx: Context, scoped: str, req_hash: str) -> StoredResponse | None:
    now = ctx.now()
    with ctx.uow.write() as uow:
        row = uow.idempotency.get(scoped)
        if row is None:
            uow.idempotency.add(scoped, req_hash, IN_PROGRESS, "", iso(now))
            return None
        if row["request_hash"] != req_hash:
            raise InvalidInput("this Idempotency-Key was already used for a different request; "
                               "use a new key for a new request")
        if row["status"] not in (IN_PROGRESS, COMMITTED):
            return StoredResponse(status=int(row["status"]), body=json.loads(row["response"]))
        if row["created_at"] > iso(now - STALE_AFTER):
            raise ConcurrencyConflict(IN_PROGRESS_MESSAGE)
        if row["status"] == COMMITTED:  # the first request committed, then its process died: answer from it
            return _settle(uow, scoped, row["response"])
        uow.idempotency.set(scoped, created_at=iso(now))
        return None


def note_committed(tx: Any, person_id: str, key: str, events: list[dict[str, Any]]) -> None:
    """Inside the command's transaction: mark the claim COMMITTED with the events appended (see above)."""
    refs = [{"stream": e["stream"], "seq": e["seq"], "type": e["type"]} for e in events
            if e["type"] not in REFUSAL_EVIDENCE]
    if not refs:
        return
    scoped = _scoped(person_id, key)
    keys = unit_of(tx).idempotency
    row = keys.get(scoped)
    if row is None or row["status"] not in (IN_PROGRESS, COMMITTED):
        return
    earlier = json.loads(row["response"])["events"] if row["status"] == COMMITTED else []
    keys.set(scoped, status=COMMITTED, response=json.dumps({"events": earlier + refs}, ensure_ascii=False))


def _settle(uow: UnitOfWork, scoped: str, noted: str) -> StoredResponse:
    """Turn a COMMITTED claim into the stored answer a retry gets from now on: what the command committed."""
    body = recovered(json.loads(noted))
    uow.idempotency.set(scoped, status=200, response=_text(body))
    return StoredResponse(status=200, body=body)


def _text(body: Any) -> str:
    return json.dumps(body, ensure_ascii=False, sort_keys=True)


def recovered(noted: dict[str, Any]) -> dict[str, Any]:
    """The answer to a retry whose first request committed but never stored its response: what it did."""
    events = noted["events"]
    last = events[-1]
    stream = str(last["stream"])
    kind, _, ident = stream.partition(":")
    body: dict[str, Any] = {"replayed_after_crash": True, "seq": last["seq"],
                            "events": [{"seq": e["seq"], "type": e["type"]} for e in events
                                       if e["stream"] == stream],
                            "message": "the first request with this Idempotency-Key was committed; its "
                                       "response was lost when its process stopped — these are its events"}
    if kind == "decision":
        body["decision_id"] = ident
    return body


def complete(ctx: Context, person_id: str, key: str, status: int, body: Any) -> None:
    """Store the response given to the request that claimed the key."""
    scoped = _scoped(person_id, key)
    with ctx.uow.write() as uow:
        uow.idempotency.set(scoped, only_status=(IN_PROGRESS, COMMITTED), status=status, response=_text(body))


def release(ctx: Context, person_id: str, key: str) -> None:
    """Give up a claim after a failure worth retrying. Nothing committed: the key is free again. The
    command committed and something failed after it: the retry is answered from what it committed."""
    scoped = _scoped(person_id, key)
    with ctx.uow.write() as uow:
        uow.idempotency.remove(scoped, IN_PROGRESS)
        row = uow.idempotency.get(scoped)
        if row is not None and row["status"] == COMMITTED:
            _settle(uow, scoped, row["response"])
