"""The FastAPI app: the JSON API under /api/v1 (OpenAPI at /openapi.json), optionally the HTML pages.

`create_app(ctx)` wires an app onto a Context (tests hand in one with a manual clock); without one, the
Context is built from DECIDE_* settings on first use. `uvicorn api.app:app` gets the module-level app,
built on first access (API and pages on one port, as `decide serve` runs it).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from api import (
    errors,
    routes_after,
    routes_decisions,
    routes_identity,
    routes_log,
    routes_meetings,
    routes_org,
    routes_participation,
    routes_public_comments,
    routes_security,
    routes_stages,
)
from api.deps import ContextHolder
from api.middleware import BodyLimit, CatchAll, PublicRateLimit, SecurityHeaders
from decision_engine.services.context import Context

DESCRIPTION = """Every command and query of the major-decision procedure (重大行政决策, State Council Order
No. 713). Authenticate with `Authorization: Bearer <token>`; the public endpoints need none.

Errors share one shape: `{error, rule, article, message, missing}`: 401 identity, 403 role or separation
of duties, 404, 409 a transition the procedure refuses (with every missing item) or a stale
`expected_seq` / `If-Match`, 413, 415, 422 malformed input, 429 public rate limit. Every POST accepts an
`Idempotency-Key`."""


def create_app(ctx: Context | None = None, *, pages: bool = False) -> FastAPI:
    """The app on a Context (or one built lazily from the environment); `pages` adds the HTML pages."""
    app = FastAPI(title="decide: major administrative decision procedure", version="1.0.0",
                  description=DESCRIPTION, openapi_url="/openapi.json")
    holder = ContextHolder(ctx)
    app.state.decide = holder
    errors.install(app)
    app.include_router(routes_decisions.router)
    app.include_router(routes_identity.router)
    app.include_router(routes_security.router)
    app.include_router(routes_public_comments.router)
    app.include_router(routes_log.router)
    app.include_router(routes_participation.router)
    app.include_router(routes_stages.router)
    app.include_router(routes_meetings.router)
    app.include_router(routes_after.router)
    app.include_router(routes_org.router)
    if pages:
        from api.pages import register_pages
        register_pages(app, holder.ctx)
    # Added innermost first: SecurityHeaders ends up outermost, so even a 500 carries the headers.
    app.add_middleware(BodyLimit, upload_limit=lambda: _holder(app).settings.max_upload_bytes)
    app.add_middleware(PublicRateLimit, limit=lambda: _holder(app).settings.public_rate_per_minute)
    app.add_middleware(CatchAll)
    app.add_middleware(SecurityHeaders)
    return app


def _holder(app: FastAPI) -> ContextHolder:
    holder: ContextHolder = app.state.decide
    return holder


def __getattr__(name: str) -> Any:
    """`api.app.app`: the served app, built once on first access from DECIDE_* settings."""
    if name != "app":
        raise AttributeError(name)
    global _app
    if _app is None:
        from decision_engine import bootstrap
        from decision_engine.config import Settings
        _app = create_app(bootstrap.build(Settings.from_env()), pages=True)
    return _app


_app: FastAPI | None = None
