"""SEC3 (GB/T 22239-2019 8.1.4.1 b), "登录连接超时自动退出"): a page session left idle longer than
`settings.session_idle_minutes` ends; the next page leads to the login page with a message saying why.

Plain ASGI, inside the session middleware (it reads and writes `scope["session"]`). The idle clock is the
wall clock by default (the engine's clock may be a manual one that jumps days in a walk-through); a test
hands in its own."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from api.pages.i18n import DEFAULT, LANGUAGES, N_, translations
from decision_engine.services.context import Context

Scope = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Any, Any], Awaitable[None]]

IDLE_MESSAGE = N_("You were inactive for more than %(minutes)s minutes, so the session ended; please log in "
                  "again.")
KEPT = ("lang", "csrf")  # what survives the end of a session: the language and the form token


class IdleSessions:
    """End a logged-in page session idle for longer than the configured minutes (SEC3)."""

    def __init__(self, app: ASGIApp, *, ctx: Context, clock: Callable[[], float] = time.time) -> None:
        self.app = app
        self.ctx = ctx
        self.clock = clock

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        path: str = scope.get("path", "")
        session = scope.get("session") if scope["type"] == "http" else None
        if session is not None and session.get("person") and not path.startswith(("/static/", "/api/")):
            now = self.clock()
            minutes = self.ctx.settings.session_idle_minutes
            seen = session.get("seen")
            if isinstance(seen, (int, float)) and now - seen > minutes * 60:
                kept = {k: session[k] for k in KEPT if k in session}
                session.clear()
                session.update(kept)
                lang = kept.get("lang", DEFAULT)
                text = translations(lang if lang in LANGUAGES else DEFAULT).gettext(IDLE_MESSAGE)
                session["flash"] = [{"kind": "info", "text": text % {"minutes": minutes}}]
            else:
                session["seen"] = now
        await self.app(scope, receive, send)
