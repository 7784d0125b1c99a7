"""The expert pool page (专家库, issue 4; R9, Art. 21): the active experts with their fields and
affiliations, filtered by field; the organ or the system administrator adds a person holding the role
expert and takes one out with the reason (e.g. an Art. 41 disqualification). The history stays on the
pool's stream; `services.experts` decides who may keep the pool."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.pages.i18n import N_
from api.pages.web import PageRoute, act, checked_form, render, require_person, require_reader
from api.pages.web import lines as _lines
from api.pages.web import text as _text
from decision_engine.services import experts
from decision_engine.services.context import Context


def router(ctx: Context) -> APIRouter:
    """Routes for /experts."""
    r = APIRouter(include_in_schema=False, route_class=PageRoute)

    @r.get("/experts")
    def page(request: Request, field: str = "") -> Response:
        pid = require_reader(request, ctx)
        return render(request, "experts.html", pool=experts.pool(ctx, field=field.strip() or None),
                      field=field.strip(), keeper=experts.may_keep_pool(ctx, pid))

    @r.post("/experts")
    async def add(request: Request) -> Response:
        pid = require_person(request)
        form = await checked_form(request)
        return await act(request, lambda: experts.add_to_pool(
            ctx, pid, _text(form, "person_id"), fields=_lines(form, "fields"), affiliation=_text(form, "affiliation"),
            title=_text(form, "title")), back="/experts", done=N_("The expert is in the pool."),
            form_id="pool-add", form=form)

    @r.post("/experts/{person_id}/retire")
    async def retire(request: Request, person_id: str) -> Response:
        pid = require_person(request)
        form = await checked_form(request)
        return await act(request, lambda: experts.retire_from_pool(ctx, pid, person_id, reason=_text(form, "reason")),
                         back="/experts", done=N_("The expert left the pool; the history stays."),
                         form_id=f"pool-retire-{person_id}", form=form)

    return r
