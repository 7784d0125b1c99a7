"""HTML pages (server-rendered Jinja2), doors onto the same services as the API and the CLI.

`register_pages(app, ctx)` adds the signed session cookie (SessionMiddleware, settings.secret_key), the
static files and every page router. No page decides anything: each act calls a service, and a refusal is
shown as the domain raised it (rule, article, message, what is missing).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from api.pages import (
    routes_audit,
    routes_auth,
    routes_compliance,
    routes_decisions,
    routes_documents,
    routes_experts,
    routes_meetings,
    routes_public,
    routes_work,
)
from api.pages.idle import IdleSessions
from decision_engine.services.context import Context

STATIC_DIR = Path(__file__).resolve().parents[1] / "static"
SESSION_HOURS = 8


def register_pages(app: FastAPI, ctx: Context, *, idle_clock: Callable[[], float] = time.time) -> None:
    """Mount the pages, their static files and the session middleware on an app (idle sessions end after
    `settings.session_idle_minutes`, measured on `idle_clock`: SEC3)."""
    app.add_middleware(IdleSessions, ctx=ctx, clock=idle_clock)  # added first: runs inside the session
    app.add_middleware(SessionMiddleware, secret_key=ctx.settings.secret_key, session_cookie="decide_session",
                       max_age=SESSION_HOURS * 3600, same_site="lax",
                       https_only=ctx.settings.environment != "development")
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for module in (routes_auth, routes_work, routes_decisions, routes_meetings, routes_experts, routes_documents,
                   routes_audit, routes_compliance, routes_public):
        app.include_router(module.router(ctx))

