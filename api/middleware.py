"""Hardening as plain ASGI middleware (no BaseHTTPMiddleware: bodies stream, nothing is buffered twice).

    SecurityHeaders   CSP, X-Content-Type-Options, X-Frame-Options, Referrer-Policy on every response
    CatchAll          any unexpected exception → 500 in the one error shape, logged, never a traceback
    PublicRateLimit   the public endpoints (no login) → 429 beyond N requests a minute per client
    BodyLimit         request bodies over the limit → 413 (before or while they are read);
                      a POST body that is neither JSON nor multipart → 415
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import re
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.exceptions import HTTPException

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
Limit = Callable[[], int]

log = logging.getLogger("decide.api")

API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
PAGE_CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
DOCS_CSP = ("default-src 'self'; img-src 'self' data: https://fastapi.tiangolo.com; "
            "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
            "script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; frame-ancestors 'none'")
# A stored official document (公文) is served with its own policy: no script, no fetch, and only the exact
# <style> blocks it was rendered with (CSP hash sources), so it looks as its PDF does (GB/T 9704).
DOCUMENT_CSP_BASE = "default-src 'none'; img-src data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
_STYLE_BLOCK = re.compile(rb"<style[^>]*>(.*?)</style>", re.S | re.I)
JSON_BODY_LIMIT = 1024 * 1024
MULTIPART_OVERHEAD = 1024 * 1024


async def _send_json(send: Send, status: int, body: dict[str, Any],
                     headers: list[tuple[bytes, bytes]] | None = None) -> None:
    data = json.dumps(body, ensure_ascii=False).encode("utf-8", "replace")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(data)).encode()), *(headers or [])]})
    await send({"type": "http.response.body", "body": data})


def document_csp(html: bytes) -> str:
    """The policy for one stored document: its inline styles allowed by their SHA-256, nothing else."""
    hashes = sorted({"'sha256-" + base64.b64encode(hashlib.sha256(m.group(1)).digest()).decode() + "'"
                     for m in _STYLE_BLOCK.finditer(html)})
    return DOCUMENT_CSP_BASE + (f"; style-src {' '.join(hashes)}" if hashes else "")


def _error(status: int, error: str, message: str) -> dict[str, Any]:
    return {"error": error, "rule": "", "article": "", "message": message, "missing": []}


class SecurityHeaders:
    """Add the security headers to every HTTP response.

    A route that serves a stored document sets its own, narrower policy (`document_csp`: no script at all,
    only the document's own styles by hash); that policy is kept. Every other response gets the page, API or
    docs policy."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        csp = (DOCS_CSP if path in ("/docs", "/redoc") else
               API_CSP if path.startswith("/api/") or path == "/openapi.json" else PAGE_CSP)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                own = [v for k, v in message.get("headers", []) if k.lower() == b"content-security-policy"]
                headers = [(k, v) for k, v in message.get("headers", [])
                           if k.lower() not in (b"content-security-policy", b"x-frame-options")]
                policy = own[0] if own and own[0].startswith(DOCUMENT_CSP_BASE.encode()) else csp.encode()
                headers += [(b"content-security-policy", policy),
                            (b"x-content-type-options", b"nosniff"), (b"x-frame-options", b"DENY"),
                            (b"referrer-policy", b"no-referrer")]
                if path.startswith("/api/v1/") and not path.startswith("/api/v1/public"):
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)
        await self.app(scope, receive, with_headers)


class CatchAll:
    """Turn any unexpected exception into a generic 500 (logged here, never shown to the client)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)
        try:
            await self.app(scope, receive, tracking)
        except Exception:
            log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            if not started:
                await _send_json(send, 500, _error(500, "InternalError",
                                                   "internal error; nothing was written"))


class PublicRateLimit:
    """A sliding one-minute window per client address on the public endpoints (in memory, per worker)."""

    def __init__(self, app: ASGIApp, *, limit: Limit, prefix: str = "/api/v1/public") -> None:
        self.app = app
        self.limit = limit
        self.prefix = prefix
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _allow(self, client: str) -> int:
        """0 when allowed, else the seconds to wait."""
        now = time.monotonic()
        limit = self.limit()
        with self._lock:
            if len(self._hits) > 10_000:  # forget idle clients
                self._hits = {k: v for k, v in self._hits.items() if v and now - v[-1] < 60}
            hits = self._hits.setdefault(client, deque())
            while hits and now - hits[0] >= 60:
                hits.popleft()
            if len(hits) >= limit:
                return max(1, int(60 - (now - hits[0])) + 1)
            hits.append(now)
            return 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope.get("path", "").startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        wait = self._allow(str(client[0]) if client else "?")
        if wait:
            await _send_json(send, 429, _error(429, "TooManyRequests",
                                               f"too many requests; retry in {wait} s"),
                             [(b"retry-after", str(wait).encode())])
            return
        await self.app(scope, receive, send)


class BodyTooLarge(HTTPException):
    """Raised while reading a body past its limit (an HTTPException, so FastAPI passes it through)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body exceeds the limit of {limit} bytes")


class BodyLimit:
    """Refuse bodies over the limit (413) and POST bodies that are neither JSON nor multipart (415)."""

    def __init__(self, app: ASGIApp, *, upload_limit: Limit) -> None:
        self.app = app
        self.upload_limit = upload_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        headers = {k.lower(): v for k, v in scope.get("headers", [])}
        ctype = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
        multipart = ctype == b"multipart/form-data"
        limit = self.upload_limit() + MULTIPART_OVERHEAD if multipart else JSON_BODY_LIMIT
        length = headers.get(b"content-length")
        declared = int(length) if length is not None and length.isdigit() else None
        if declared is not None and declared > limit:
            await _send_json(send, 413, _error(413, "PayloadTooLarge",
                                               f"request body of {declared} bytes exceeds the limit of "
                                               f"{limit} bytes"))
            return
        has_body = (declared or 0) > 0 or b"transfer-encoding" in headers
        is_api = scope.get("path", "").startswith("/api/")
        if is_api and has_body and not multipart and ctype != b"application/json" \
                and not (ctype.startswith(b"application/") and ctype.endswith(b"+json")):
            await _send_json(send, 415, _error(415, "UnsupportedMediaType",
                                               "request bodies are application/json (or "
                                               "multipart/form-data for uploads)"))
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge(limit)
            return message
        await self.app(scope, counted, send)
