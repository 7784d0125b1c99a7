"""Idempotency keys: a retried request returns the first result and writes nothing twice.

A key is scoped to the person who sent it. The first request *claims* the key (a row with status 0,
"in progress"), runs its command, then *completes* the row with the response it gave. A retry with the
same key and the same request gets that stored response back; the same key with a different request is
malformed input (HTTP 422); a retry while the first is still running is a conflict (HTTP 409). A claim
left behind by a crashed process may be taken over after `STALE_AFTER`.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, insert, select, update

from decision_engine.adapters.tables import IDEMPOTENCY_KEYS
from decision_engine.audit.canonical import canonical
from decision_engine.domain.errors import ConcurrencyConflict, InvalidInput
from decision_engine.services.clock import iso
from decision_engine.services.context import Context

KEYS = IDEMPOTENCY_KEYS
IN_PROGRESS = 0
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
    with ctx.store.write() as conn:
        row = conn.execute(select(KEYS.c.request_hash, KEYS.c.status, KEYS.c.response, KEYS.c.created_at)
                           .where(KEYS.c.key == scoped)).first()
        if row is None:
            conn.execute(insert(KEYS).values(key=scoped, request_hash=req_hash, status=IN_PROGRESS,
                                             response="", created_at=iso(now)))
            return None
        if row.request_hash != req_hash:
            raise InvalidInput("this Idempotency-Key was already used for a different request; "
                               "use a new key for a new request")
        if row.status != IN_PROGRESS:
            return StoredResponse(status=int(row.status), body=json.loads(row.response))
        if row.created_at > iso(now - STALE_AFTER):
            raise ConcurrencyConflict(IN_PROGRESS_MESSAGE)
        conn.execute(update(KEYS).where(KEYS.c.key == scoped).values(created_at=iso(now)))
        return None


def complete(ctx: Context, person_id: str, key: str, status: int, body: Any) -> None:
    """Store the response given to the request that claimed the key."""
    scoped = _scoped(person_id, key)
    text = json.dumps(body, ensure_ascii=False, sort_keys=True)
    with ctx.store.write() as conn:
        conn.execute(update(KEYS).where(KEYS.c.key == scoped, KEYS.c.status == IN_PROGRESS)
                     .values(status=status, response=text))


def release(ctx: Context, person_id: str, key: str) -> None:
    """Give up a claim (the request failed for a reason worth retrying: nothing was stored)."""
    scoped = _scoped(person_id, key)
    with ctx.store.write() as conn:
        conn.execute(delete(KEYS).where(KEYS.c.key == scoped, KEYS.c.status == IN_PROGRESS))
