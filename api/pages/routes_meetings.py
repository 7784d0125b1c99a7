"""Meetings (集体讨论决定, S5): convene, the agenda with each packet, the roll, opinions in speaking order,
the head's decision, and the minutes with their confirmation. Each POST calls one meetings service."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from api.middleware import document_csp
from api.pages.i18n import N_
from api.pages.web import PageRoute, act, checked_form, people_with, render, require_person, require_reader
from api.pages.web import lines as _lines
from api.pages.web import text as _text
from decision_engine.domain.decision import HEAD_DECISIONS, MEETING_TYPES
from decision_engine.domain.errors import DomainError
from decision_engine.domain.meeting import CAPACITIES, POSITIONS
from decision_engine.services import access, meetings, queries
from decision_engine.services.context import Context
from decision_engine.services.identity import person_view

MEETING_ACTS = {
    "agenda": N_("Placed on the agenda with its packet."), "attendance": N_("Roll call recorded."),
    "opinion": N_("Opinion recorded."), "recuse": N_("Recusal recorded."), "decide": N_("The head's decision is recorded."),
    "minutes": N_("Minutes generated."), "correct": N_("Corrected minutes recorded."),
    "confirm": N_("Minutes confirmed."),
}


def _names(ctx: Context, people: list[str]) -> dict[str, str]:
    out = {}
    for p in people:
        try:
            out[p] = person_view(ctx, p)["name"]
        except DomainError:  # an unknown id is shown as it is
            out[p] = p
    return out


HEAD_ROLES = ("admin_head",)  # SoD4: the head presides and decides (the domain refuses anyone else)
MEMBER_ROLES = ("meeting_member", "admin_head")  # who sits at an executive or plenary meeting (R15, Art. 30)


def people_to_pick(ctx: Context) -> dict[str, list[dict[str, str]]]:
    """The people a convening form offers by name (issue 18: pickers, not typed ids): the administrative heads
    to preside, and the members of the government who may sit, each with their unit."""
    return {"heads": people_with(HEAD_ROLES), "members": people_with(MEMBER_ROLES)}


def picked(form: FormData, key: str) -> list[str]:
    """The people ticked on a form (one value per box; a typed list, one per line, is read too)."""
    return [x.strip() for v in form.getlist(key) for x in str(v).splitlines() if x.strip()]


def router(ctx: Context) -> APIRouter:
    """Routes under /meetings."""
    r = APIRouter(include_in_schema=False, route_class=PageRoute)

    @r.get("/meetings")
    def listing(request: Request) -> Response:
        require_reader(request, ctx)
        pick = people_to_pick(ctx)
        return render(request, "meetings.html", items=meetings.list_meetings(ctx, limit=200),
                      types=MEETING_TYPES, today=ctx.today().isoformat(), heads=pick["heads"],
                      members=pick["members"])

    @r.post("/meetings")
    async def convene(request: Request) -> Response:
        pid = require_person(request)
        form = await checked_form(request)
        return await act(request, lambda: meetings.convene(
            ctx, pid, meeting_type=_text(form, "meeting_type"), title=_text(form, "title"),
            held_on=_text(form, "held_on"), head=_text(form, "head"), members=picked(form, "members")),
            back="/meetings", done=N_("Meeting convened."), form_id="convene", form=form,
            then=lambda m: f"/meetings/{m.meeting_id}")

    @r.get("/meetings/{meeting_id}")
    def page(request: Request, meeting_id: str) -> Response:
        pid = require_reader(request, ctx)
        m = meetings.get_meeting(ctx, meeting_id)
        ready = queries.list_decisions(ctx, status="ready_for_decision", limit=200)["items"]
        # a decision is linked, and offered for the agenda, only to one who may read it (AR13)
        readable = access.readable(ctx, access.current_actors(ctx, pid),
                                   [str(x["id"]) for x in ready] + [str(i["decision_id"]) for i in m["items"]])
        # the gates a send-back may reopen, by their names (never typed as codes): the pre-decision gates
        gates = {str(i["decision_id"]): [g for g in queries.get_decision(ctx, str(i["decision_id"]))["gates"]
                                         if g["phase"] == "pre"]
                 for i in m["items"] if not i.get("outcome") and str(i["decision_id"]) in readable}
        return render(request, "meeting.html", mt=m, names=_names(ctx, m["roster"]), positions=POSITIONS,
                      outcomes=HEAD_DECISIONS, capacities=CAPACITIES, gates=gates,
                      ready=[x for x in ready if x["id"] in readable], readable=readable)

    @r.get("/meetings/{meeting_id}/minutes")
    def minutes(request: Request, meeting_id: str, version: int | None = None) -> Response:
        require_reader(request, ctx)
        meta, data = meetings.minutes_content(ctx, meeting_id, version)
        return Response(data, media_type=str(meta["media_type"]), headers={
            "x-content-sha256": str(meta["sha256"]), "x-content-type-options": "nosniff",
            "content-security-policy": document_csp(data)})

    @r.post("/meetings/{meeting_id}/{what}")
    async def meeting_act(request: Request, meeting_id: str, what: str) -> Response:
        pid = require_person(request)
        form = await checked_form(request)
        item = int(_text(form, "item_no") or 0)
        calls = {
            "agenda": lambda: meetings.place_on_agenda(ctx, pid, meeting_id, _text(form, "decision_id")),
            "attendance": lambda: meetings.record_attendance(ctx, pid, meeting_id,
                                                                   [str(x) for x in form.getlist("present")]),
            "opinion": lambda: meetings.record_opinion(ctx, pid, meeting_id, item, speaker=_text(form, "speaker"),
                                                       position=_text(form, "position"), text=_text(form, "text")),
            "recuse": lambda: meetings.recuse(ctx, pid, meeting_id, item, _text(form, "member"),
                                              _text(form, "reason")),
            "decide": lambda: meetings.decide_change(ctx, pid, meeting_id, item, outcome=_text(form, "outcome"),
                                                     head_reasons=_text(form, "head_reasons"))
            if meetings.is_change_item(ctx, meeting_id, item)  # R20: a tabled termination or major adjustment
            else meetings.decide_item(ctx, pid, meeting_id, item, outcome=_text(form, "outcome"),
                                                   head_reasons=_text(form, "head_reasons"),
                                                   amendments=_text(form, "amendments"),
                                                   reopen_gates=[str(g) for g in form.getlist("reopen_gates") if str(g)],
                                                   reason=_text(form, "reason"),
                                                   risk_judgment=_text(form, "risk_judgment"),
                                                   option_chosen=_text(form, "option_chosen")),
            "minutes": lambda: meetings.generate_minutes(ctx, pid, meeting_id),
            "correct": lambda: meetings.correct_minutes(ctx, pid, meeting_id, reason=_text(form, "reason"),
                                                        corrections=_lines(form, "corrections")),
            "confirm": lambda: meetings.confirm_minutes(ctx, pid, meeting_id, version=int(_text(form, "version") or 0),
                                                        sha256=_text(form, "sha256"),
                                                        capacity=_text(form, "capacity")),
        }
        if what not in calls:
            return render(request, "error.html", status_code=404, error={
                "error": "NotFound", "rule": "R15", "article": "Art. 30", "missing": [],
                "message": f"no act {what!r} on a meeting"})
        return await act(request, calls[what], back=f"/meetings/{meeting_id}", done=MEETING_ACTS[what],
                         form_id=f"m-{what}-{item}" if item else f"m-{what}", form=form)

    return r
