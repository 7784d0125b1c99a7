"""One error shape for every refusal: `{error, rule, article, message, missing}`. A domain refusal is said in the
reader's language: a request whose Accept-Language prefers Chinese gets the message, the article and each missing
item in Chinese (api/i18n/refusals.py, `Content-Language: zh-CN`); any other gets the domain's English.

    DomainError               → its own status (401/403/404/409/413/415/422/503) and `to_dict()`
    RequestValidationError    → 422 InvalidInput, each problem listed in `missing` (rule "")
    Starlette HTTPException   → its status (unknown path 404, wrong method 405, unreadable body 400)
    SQLAlchemy connection errors (OperationalError, or a DBAPI error that invalidated the connection) raised
    outside the store's own guards → 503 Unavailable with Retry-After (issue 11 §5)
    anything else             → 500 with a generic body (the middleware `CatchAll`); never a traceback
"""

from __future__ import annotations

import json
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.i18n import refusals
from api.schemas import ErrorOut
from decision_engine.domain.errors import DomainError, TooManyAttempts

_NAMES = {400: "BadRequest", 401: "Unauthenticated", 403: "NotPermitted", 404: "NotFound",
          405: "MethodNotAllowed", 409: "RuleViolation", 413: "PayloadTooLarge",
          415: "UnsupportedMediaType", 422: "InvalidInput", 429: "TooManyRequests", 500: "InternalError",
          503: "Unavailable"}
_DESCRIPTIONS = {
    400: "The request body could not be read.",
    401: "Unknown, expired or revoked token, or none given.",
    403: "The person's role or a separation-of-duties rule (SoD1–SoD8) forbids the act.",
    404: "No such decision, artifact, gate, person or token.",
    409: "The procedure refuses the transition now (rule, article, what is missing), or the expected "
         "sequence is stale.",
    413: "The request body or upload is too large.",
    415: "The media type is not accepted.",
    422: "Malformed input: missing, extra or wrongly typed fields; an Idempotency-Key reused for another "
         "request.",
    429: "Too many requests, or too many failed authentications, from this client; retry after the number "
         "of seconds in Retry-After.",
    503: "The database or blob store is unavailable; nothing was written.",
}


RETRY_AFTER_SECONDS = 5  # a database or blob store fault (issue 11 §5): nothing was written, try again


class SafeJSONResponse(JSONResponse):
    """JSON that never fails to encode (a stray surrogate becomes U+FFFD instead of a 500)."""

    def render(self, content: Any) -> bytes:
        try:
            return orjson.dumps(content)
        except TypeError:  # e.g. a lone surrogate, which orjson refuses
            return json.dumps(content, ensure_ascii=False, separators=(",", ":"), default=str) \
                .encode("utf-8", "replace")


def error_body(status: int, message: str, *, rule: str = "", article: str = "",
               missing: list[dict[str, str]] | None = None, error: str | None = None) -> dict[str, Any]:
    """The error shape for a refusal that did not come from the domain."""
    return {"error": error or _NAMES.get(status, "Error"), "rule": rule, "article": article,
            "message": message, "missing": missing or []}


def error_response(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> JSONResponse:
    """A JSON error response."""
    return SafeJSONResponse(body, status_code=status, headers=headers)


def responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI declarations of the error responses a route can give (all in the one shape)."""
    return {code: {"model": ErrorOut, "description": _DESCRIPTIONS[code]} for code in codes}


# The error responses the routes declare (one shape, `ErrorOut`): for a command, and for an authenticated read.
WRITE_ERRORS = responses(400, 401, 403, 404, 409, 413, 415, 422, 429, 503)
READ_ERRORS = responses(401, 403, 404, 422, 429, 503)


class ReplayedRefusal(DomainError):
    """A refusal given before to the same Idempotency-Key, answered again as it was (status and body), and
    said in the reader's language like any refusal."""

    def __init__(self, body: dict[str, Any], status: int) -> None:
        super().__init__(str(body.get("message", "")), rule=str(body.get("rule", "")),
                         article=str(body.get("article", "")))
        self.body, self.status = dict(body), status

    def to_dict(self) -> dict[str, object]:
        """The body first given."""
        return dict(self.body)


async def _domain(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else \
        {"Retry-After": str(RETRY_AFTER_SECONDS)} if exc.status == 503 else \
        {"Retry-After": str(exc.retry_after)} if isinstance(exc, TooManyAttempts) else None
    if isinstance(exc, ReplayedRefusal):
        headers = {**(headers or {}), "Idempotent-Replayed": "true"}
    body = exc.to_dict()
    if prefers_chinese(request.headers.get("accept-language", "")):
        body = refusals.refusal(refusals.with_names(body, _names(request)), "zh_CN")
        headers = {**(headers or {}), "Content-Language": "zh-CN"}
    return error_response(exc.status, body, headers)


def _names(request: Request) -> dict[str, str]:
    """Person id → name, to say a refusal with names (empty when the app holds no store yet)."""
    from decision_engine.services import identity

    holder = getattr(request.app.state, "decide", None)
    try:
        return {p["id"]: p["name"] for p in identity.people(holder.ctx)} if holder is not None else {}
    except DomainError:
        return {}


def prefers_chinese(accept_language: str) -> bool:
    """Whether an Accept-Language header ranks Chinese above English (RFC 9110 §12.5.4 weights)."""
    best: dict[str, float] = {}
    for part in accept_language.split(","):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        lang = tag.strip().lower().split("-")[0]
        if lang in ("zh", "en"):
            best[lang] = max(best.get(lang, 0.0), q)
    return best.get("zh", 0.0) > 0 and best.get("zh", 0.0) >= best.get("en", 0.0)


def _loc(loc: Any) -> str:
    return ".".join(str(p) for p in loc) if isinstance(loc, (list, tuple)) else str(loc)


async def _validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = exc.errors()
    missing = [{"rule": "", "article": "", "gate": "", "kind": _loc(p.get("loc", ()))[:200],
                "need": str(p.get("msg", "invalid"))[:300]} for p in problems[:50]]
    return error_response(422, error_body(422, f"malformed request: {len(problems)} problem(s)",
                                          missing=missing))


async def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code if exc.status_code >= 400 else 400
    message = exc.detail if isinstance(exc.detail, str) else _NAMES.get(status, "error")
    return error_response(status, error_body(status, message), dict(exc.headers or {}))


async def _database(request: Request, exc: Exception) -> JSONResponse:
    """Issue 11 §5: the database unreachable is a clear 503 naming it (not a 500); the transaction was
    rolled back, so nothing was written. Any other DBAPI error is a genuine fault: re-raised to `CatchAll`."""
    assert isinstance(exc, DBAPIError)
    if not (isinstance(exc, OperationalError) or exc.connection_invalidated):
        raise exc
    return error_response(503, error_body(503, f"the database is unavailable: {str(exc.orig)[:300]}"),
                          {"Retry-After": str(RETRY_AFTER_SECONDS)})


def install(app: FastAPI) -> None:
    """Register the handlers on an app."""
    app.add_exception_handler(DomainError, _domain)
    app.add_exception_handler(DBAPIError, _database)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
