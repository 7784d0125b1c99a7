"""The personal work queue, the legal office's review queue, and the dashboards (server-rendered SVG)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from api.pages import charts, web
from api.pages.i18n import N_
from api.pages.web import (
    PageRoute,
    act,
    checked_form,
    gettext,
    label_for,
    render,
    require_person,
    require_reader,
)
from decision_engine import procedures
from decision_engine.services import access, identity, notifications, queries, work
from decision_engine.services.context import Context


def router(ctx: Context) -> APIRouter:
    """Routes for /work, /legal and /dashboard."""
    r = APIRouter(include_in_schema=False, route_class=PageRoute)
    web.UNREAD_COUNTER[:] = [lambda pid: notifications.unread_count(ctx, pid)]
    web.PEOPLE_NAMES[:] = [lambda: {p["id"]: p["name"] for p in identity.people(ctx)}]
    web.PEOPLE[:] = [lambda: identity.people(ctx)]
    web.DECISION_TITLES[:] = [lambda did: str(queries.get_decision(ctx, did)["title"])]

    @r.get("/inbox")
    def inbox(request: Request, unread: str = "") -> Response:
        pid = require_person(request)
        return render(request, "inbox.html", items=notifications.inbox(ctx, pid, unread_only=bool(unread), limit=200),
                      unread_only=bool(unread))

    @r.get("/work")
    def my_work(request: Request) -> Response:
        pid = require_person(request)
        return render(request, "work.html", queue=work.work_queue(ctx, pid),
                      inbox=notifications.inbox(ctx, pid, limit=20))

    @r.post("/notifications/{notification_id}/read")
    async def read(request: Request, notification_id: str) -> Response:
        pid = require_person(request)
        form = await checked_form(request)
        return await act(request, lambda: notifications.mark_read(ctx, pid, notification_id), back=_back(form),
                         done=N_("Marked as read."), form=form)

    @r.get("/legal")
    def legal(request: Request) -> Response:
        pid = require_reader(request, ctx)
        items = work.legal_queue(ctx)  # only the submissions of decisions the reader stands in relation to (AR13)
        shown = access.readable(ctx, access.current_actors(ctx, pid), [str(i["decision_id"]) for i in items])
        return render(request, "legal.html", items=[i for i in items if i["decision_id"] in shown],
                      today=ctx.today().isoformat())

    @r.get("/dashboard")
    def dashboard(request: Request) -> Response:
        require_reader(request, ctx)
        fig = work.dashboard(ctx)
        t = {k: gettext(request, v) for k, v in (("on_time", "on time"), ("late", "late"), ("pending", "pending"))}
        stages = {s["id"]: s for s in procedures.load().stages}
        lang_zh = request.session.get("lang", "zh_CN") == "zh_CN"
        by_stage = [(f"{sid} {stages[sid]['name_zh' if lang_zh else 'name_en']}" if sid in stages else sid, n)
                    for sid, n in fig["by_stage"].items()]
        svg = {
            "stage": charts.bars(gettext(request, "Decisions by stage"), by_stage),
            "status": charts.bars(gettext(request, "Decisions by status"),
                                  [(label_for(request, "status", k), n) for k, n in fig["by_status"].items()]),
            "timing": charts.stacked(gettext(request, "Statutory time limits: on time, late, pending"),
                                     [(label_for(request, "timing", k), [v["on_time"], v["late"], v["pending"]])
                                      for k, v in fig["timing"].items()],
                                     [t["on_time"], t["late"], t["pending"]]),
            "overdue": charts.bars(gettext(request, "Overdue items per unit"),
                                   list(fig["overdue_by_unit"].items())),
            "comments": charts.bars(gettext(request, "Comments per day"), work.comments_per_day(ctx)),
        }
        return render(request, "dashboard.html", fig=fig, svg=svg)

    return r


def _back(form: FormData) -> str:
    """Where to return after marking read: the inbox when asked from there, else the work queue."""
    return "/inbox" if form.get("back") == "/inbox" else "/work"
