"""Dependencies of the routes: the Context, the authenticated person, optimistic concurrency and
idempotent replay. The API authenticates (401); every authorisation decision is taken by the services."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Header, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel

from api.errors import ReplayedRefusal, SafeJSONResponse
from decision_engine.config import Settings
from decision_engine.domain.errors import DomainError, InvalidInput, Unauthenticated
from decision_engine.services import idempotency, identity
from decision_engine.services.context import Context


class ContextHolder:
    """The app's Context: given at creation, or built once from the environment on first use."""

    def __init__(self, ctx: Context | None) -> None:
        self._ctx = ctx
        self._settings: Settings | None = ctx.settings if ctx is not None else None
        self._lock = threading.Lock()

    @property
    def settings(self) -> Settings:
        """The settings (the Context's, or read from DECIDE_* once)."""
        if self._ctx is not None:
            return self._ctx.settings
        if self._settings is None:
            with self._lock:
                if self._settings is None:
                    self._settings = Settings.from_env()
        return self._settings

    @property
    def ctx(self) -> Context:
        """The Context (store migrated on first build)."""
        if self._ctx is None:
            with self._lock:
                if self._ctx is None:
                    from decision_engine import bootstrap
                    settings = self._settings or Settings.from_env()
                    self._ctx = bootstrap.build(settings)
                    self._settings = settings
        return self._ctx


async def get_ctx(request: Request) -> Context:
    """The Context of the app serving this request (async: no thread hop for an attribute read)."""
    holder: ContextHolder = request.app.state.decide
    return holder.ctx


CtxDep = Annotated[Context, Depends(get_ctx)]

bearer = HTTPBearer(auto_error=False, scheme_name="bearer",
                    description="An API token: `Authorization: Bearer dk_…` (issued by POST "
                                "/api/v1/persons/{id}/tokens or `decide user add`).")


def client_address(request: Request) -> str:
    """The client's address (as the server saw it, or as a trusted proxy forwarded it to uvicorn)."""
    return request.client.host if request.client else "?"


def current_person(ctx: CtxDep, request: Request,
                   credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> str:
    """The person a bearer token belongs to; 401 for none, unknown, expired or revoked; 429 when this client
    address failed too often (SEC2: token guessing is counted in the database, across workers)."""
    if credentials is None or not credentials.credentials:
        raise Unauthenticated("a bearer token is required (Authorization: Bearer <token>)")
    return identity.authenticate(ctx, credentials.credentials, client_address(request))


CurrentPerson = Annotated[str, Depends(current_person)]

IdempotencyKey = Annotated[str | None, Header(
    alias="Idempotency-Key", min_length=1, max_length=100, pattern=r"^[\x21-\x7e]+$",
    description="Retrying with the same key and the same request returns the first result and writes "
                "nothing; the same key with a different request is refused (422). Scoped per person.")]
IfMatch = Annotated[str | None, Header(
    alias="If-Match", max_length=40,
    description="The decision's sequence number the client read (its ETag); stale → 409.")]


def expected_seq(body_seq: int | None, if_match: str | None) -> int | None:
    """The sequence the client expects, from the body or an If-Match header (both must agree)."""
    header_seq: int | None = None
    if if_match is not None and if_match.strip() != "*":
        raw = if_match.strip().removeprefix("W/").strip('"')
        if not raw.isdigit() or len(raw) > 15:
            raise InvalidInput("If-Match must be a decision sequence number, e.g. If-Match: \"12\"")
        header_seq = int(raw)
    if body_seq is not None and header_seq is not None and body_seq != header_seq:
        raise InvalidInput(f"expected_seq {body_seq} and If-Match {header_seq} disagree")
    return body_seq if body_seq is not None else header_seq


def idempotent(ctx: Context, person_id: str, key: str | None, fingerprint: dict[str, Any],
               action: Callable[[], Any], *, out: type[BaseModel], status_code: int = 200,
               stored: Callable[[dict[str, Any]], dict[str, Any]] | None = None) -> JSONResponse:
    """Run a command once per Idempotency-Key: a replay returns the first response and writes nothing.

    A domain refusal (4xx) is the first result too and is replayed; a 5xx releases the key so the
    client may retry. `stored` may redact what is kept (a token's plaintext is never stored).
    """
    if key is None:
        return SafeJSONResponse(_render(out, action()), status_code=status_code)
    req_hash = idempotency.request_hash(fingerprint)
    first = idempotency.claim(ctx, person_id, key, req_hash)
    if first is not None and first.status >= 400 and "message" in first.body:
        raise ReplayedRefusal(first.body, first.status)  # said in the reader's language, as the first was
    if first is not None:
        return SafeJSONResponse(first.body, status_code=first.status, headers={"Idempotent-Replayed": "true"})
    try:
        with ctx.store.before_commit(lambda conn, events: idempotency.note_committed(conn, person_id, key, events)):
            result = action()
        body = _render(out, result)
    except DomainError as refusal:
        if refusal.status >= 500:
            idempotency.release(ctx, person_id, key)
        else:
            idempotency.complete(ctx, person_id, key, refusal.status, refusal.to_dict())
        raise
    except BaseException:
        idempotency.release(ctx, person_id, key)
        raise
    idempotency.complete(ctx, person_id, key, status_code, stored(body) if stored else body)
    return SafeJSONResponse(body, status_code=status_code)


def _render(out: type[BaseModel], value: Any) -> dict[str, Any]:
    data = value.to_dict() if hasattr(value, "to_dict") else value
    return out.model_validate(data).model_dump(mode="json")
