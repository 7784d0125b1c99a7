"""Login (password, argon2), logout, language switch; the home page sends each visitor where they belong."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from api.pages.i18n import LANGUAGES, N_
from api.pages.web import PageRoute, checked_form, flash, gettext, person_of, render
from decision_engine.domain.errors import DomainError, TooManyAttempts
from decision_engine.services import access, identity
from decision_engine.services.context import Context

WRONG = N_("Unknown person or wrong password.")


def _safe_next(target: str) -> str:
    """Only a path on this site (no open redirect)."""
    return target if target.startswith("/") and not target.startswith("//") else "/work"


def _person_named(ctx: Context, typed: str) -> str:
    """The person a login names: by name (as the official knows themselves) when exactly one active person
    bears it, else the text as a person id (a name two people share needs the id)."""
    if typed.startswith("P-"):
        return typed
    named = [p["id"] for p in identity.people(ctx) if p["active"] and p["name"] == typed]
    return named[0] if len(named) == 1 else typed


def router(ctx: Context) -> APIRouter:
    """Routes for login, logout and language."""
    r = APIRouter(include_in_schema=False, route_class=PageRoute)

    @r.get("/")
    def home(request: Request) -> Response:
        return RedirectResponse("/work" if person_of(request) else "/public", status_code=303)

    @r.get("/login")
    def login_page(request: Request, next: str = "/work") -> Response:
        return render(request, "login.html", next=_safe_next(next))

    @r.post("/login")
    async def login(request: Request) -> Response:
        form = await checked_form(request)
        pid = await run_in_threadpool(_person_named, ctx, str(form.get("person_id") or "").strip())
        target = _safe_next(str(form.get("next") or "/work"))
        client = request.client.host if request.client else "?"
        try:
            await run_in_threadpool(identity.check_password, ctx, pid, str(form.get("password") or ""), client)
            person = await run_in_threadpool(identity.person_view, ctx, pid)
        except TooManyAttempts as throttled:  # SEC2: this address failed too often; the page says how long
            response = render(request, "login.html", status_code=429, next=target, error=throttled.to_dict())
            response.headers["Retry-After"] = str(throttled.retry_after)
            return response
        except DomainError as refusal:
            locked = refusal.rule == "SEC2"  # a locked account says so (and when it lifts); else one message
            flash(request, "refused", error={"error": "Unauthenticated", "rule": refusal.rule if locked else "",
                                             "article": refusal.article if locked else "",
                                             "message": refusal.message if locked else gettext(request, WRONG),
                                             "missing": []})
            return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
        lang = request.session.get("lang")
        request.session.clear()  # a new session on login (no fixation)
        # the navigation offers the procedure's pages only to one who may read them (the 三员 may not: SEC4)
        reader = any(r["role"] in access.READER_ROLES and not r["valid_to"] for r in person["roles"])
        people_reader = any(r["role"] in access.PERSON_READERS and not r["valid_to"] for r in person["roles"])
        request.session.update(person=pid, name=person["name"], reader=reader, people_reader=people_reader,
                               **({"lang": lang} if lang else {}))
        return RedirectResponse(target, status_code=303)

    @r.post("/logout")
    async def logout(request: Request) -> Response:
        await checked_form(request)
        lang = request.session.get("lang")
        request.session.clear()
        if lang:
            request.session["lang"] = lang
        return RedirectResponse("/public", status_code=303)

    @r.get("/lang/{lang}")
    def switch(request: Request, lang: str, next: str = "/") -> Response:
        if lang in LANGUAGES:
            request.session["lang"] = lang
        return RedirectResponse(_safe_next(next), status_code=303)

    return r
