"""The public site, no login: drafts open for comment and published decisions with their procedure
timeline, exemptions and their legal basis, the feedback on opinions and the official documents."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from api.pages.i18n import N_
from api.pages.routes_decisions import attachment
from api.pages.routes_documents import document_response
from api.pages.web import PageRoute, checked_form, compact, flash, gettext, kept, render
from api.pages.web import text as _text
from decision_engine.bootstrap import public_reads
from decision_engine.domain.errors import DomainError, InvalidInput, NotFound
from decision_engine.services import execution, participation, public_views, queries
from decision_engine.services.context import Context

RECEIVED = N_("Received. Keep your tracking number to follow how your opinion is handled:")


async def _tracked(request: Request, decision_id: str, form: FormData, call: Callable[[], dict[str, Any]],
                   form_id: str) -> Response:
    """Submit without login; show the tracking number at once, or the refusal (a late comment is kept and
    refused with its own tracking number, R6)."""
    try:
        receipt = await run_in_threadpool(call)
    except DomainError as refusal:
        flash(request, "refused", error=compact(refusal.to_dict()), form_id=form_id, values=kept(form))
        return RedirectResponse(f"/public/decisions/{decision_id}#{form_id}", status_code=303)
    flash(request, "ok", text=gettext(request, RECEIVED), tracking_number=receipt["tracking_number"])
    return RedirectResponse(f"/public/track?number={quote(receipt['tracking_number'])}", status_code=303)


def router(ctx: Context) -> APIRouter:
    """Routes under /public. The pages that only read (the index, a decision's page, its text and documents)
    read through `public_reads`: a read replica when DECIDE_PUBLIC_DATABASE_URL is set (docs/deployment.md);
    submitting and tracking stay on the primary, so a tracking number just issued is found at once."""
    r = APIRouter(include_in_schema=False, route_class=PageRoute)
    reads = public_reads(ctx)

    @r.get("/public")
    def index(request: Request) -> Response:
        return render(request, "public_index.html", index=public_views.public_index(reads))

    @r.get("/public/decisions/{decision_id}")
    def decision(request: Request, decision_id: str) -> Response:
        return render(request, "public_decision.html", d=public_views.public_decision(reads, decision_id),
                      opinions=participation.public_opinions(reads, decision_id, limit=100))

    @r.post("/public/decisions/{decision_id}/comments")
    async def comment(request: Request, decision_id: str) -> Response:
        form = await checked_form(request)
        return await _tracked(request, decision_id, form, lambda: participation.submit_comment(
            ctx, decision_id, _text(form, "text"), name=_text(form, "name"),
            organisation=_text(form, "organisation"), contact=_text(form, "contact")), "comment")

    @r.post("/public/decisions/{decision_id}/opinions")
    async def opinion(request: Request, decision_id: str) -> Response:
        form = await checked_form(request)
        return await _tracked(request, decision_id, form, lambda: execution.submit_opinion(
            ctx, decision_id, _text(form, "text"), name=_text(form, "name"), contact=_text(form, "contact")),
            "opinion")

    @r.get("/public/track")
    def track(request: Request, number: str = "") -> Response:
        status, unknown, title = None, False, ""
        if number.strip():
            try:
                status = execution.opinion_status(ctx, number.strip()) \
                    if number.strip().upper().startswith("ZX") else participation.comment_status(ctx, number)
            except (NotFound, InvalidInput):  # a mistyped number: say so plainly, no rule code for the public
                unknown = True
            else:  # the decision by its title (it was public when the opinion was given)
                title = queries.get_decision(ctx, str(status["decision_id"]))["title"]
        return render(request, "public_track.html", number=number, status=status, unknown=unknown, title=title)

    @r.get("/public/decisions/{decision_id}/text")
    def text(request: Request, decision_id: str) -> Response:
        art, data = public_views.public_text(reads, decision_id)
        return attachment(data, art)

    @r.get("/public/decisions/{decision_id}/documents/{doc_id}/file.{fmt}")
    def document(request: Request, decision_id: str, doc_id: str, fmt: str) -> Response:
        return document_response(*public_views.public_document(reads, decision_id, doc_id, fmt))

    return r
