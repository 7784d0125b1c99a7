"""The auditor's pages: a decision's event timeline as of any moment, the difference between two moments,
its chain and replay check, the full verification with the latest signed checkpoint and its witnesses, and
the trace-back of one person's acts (Art. 38; R18, Art. 33)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from api.pages.web import PageRoute, checked_form, render, require_person, require_reader
from decision_engine import procedures
from decision_engine.domain.errors import DomainError, InvalidInput
from decision_engine.services import (
    access,
    accountability,
    auditing,
    identity,
    queries,
    timetravel,
    verification,
)
from decision_engine.services.clock import CHINA, iso
from decision_engine.services.context import Context


def moment(value: str) -> str | None:
    """A moment typed on a page (Beijing time unless it says otherwise) as stored in events (UTC)."""
    if not value.strip():
        return None
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(f"not an ISO 8601 moment: {value!r}", rule="R18", article="Art. 33") from None
    return iso((when if when.tzinfo else when.replace(tzinfo=CHINA)).astimezone(UTC))


def local(at: str | None) -> str:
    """A stored moment as Beijing time for a datetime-local input."""
    return datetime.fromisoformat(at).astimezone(CHINA).strftime("%Y-%m-%dT%H:%M") if at else ""


def _words(ctx: Context, view: dict[str, Any], d: dict[str, Any]) -> dict[str, dict[str, str]]:
    """Names for what a comparison lists by id: gates, stages, determinations, artifact kinds and persons."""
    try:
        spec = procedures.load(str(view["procedure"].get("id") or procedures.BASE))
    except DomainError:
        spec = procedures.load()
    people: dict[str, str] = {}
    for e in d["events"]:
        if e["person"] not in people:
            try:
                people[e["person"]] = str(identity.person_view(ctx, e["person"])["name"])
            except DomainError:
                people[e["person"]] = e["person"]
    return {"gate": {g.id: g.name_zh for g in spec.gates}, "stage": {s["id"]: s.get("name_zh", s["id"])
                                                                      for s in spec.stages},
            "kind": {k.id: k.name_zh for k in spec.artifacts.values()},
            "flag": {k.id: k.name_zh for k in spec.determinations.values()},
            "person": people}


def router(ctx: Context) -> APIRouter:
    """Routes under /audit."""
    r = APIRouter(include_in_schema=False, route_class=PageRoute)

    @r.get("/audit")
    def index(request: Request, decision: str = "", person: str = "") -> Response:
        require_person(request)
        return render(request, "audit_index.html", checkpoint=auditing.latest_checkpoint(ctx), report=None,
                      decision=decision, person_query=person)

    @r.get("/audit/find")
    def find(request: Request, decision: str = "", person: str = "") -> Response:
        require_person(request)
        if decision.strip():
            return RedirectResponse(f"/audit/decisions/{quote(decision.strip(), safe='')}", status_code=303)
        if person.strip():
            return RedirectResponse(f"/audit/people/{quote(person.strip(), safe='')}", status_code=303)
        return RedirectResponse("/audit", status_code=303)

    @r.post("/audit/verify")
    async def verify_all(request: Request) -> Response:
        require_person(request)
        await checked_form(request)
        report = await run_in_threadpool(verification.verify, ctx)
        return render(request, "audit_index.html", checkpoint=auditing.latest_checkpoint(ctx), report=report,
                      decision="", person_query="")

    @r.get("/audit/decisions/{decision_id}")
    def decision(request: Request, decision_id: str, at: str = "", seq: int | None = None) -> Response:
        require_reader(request, ctx, decision_id)
        when = moment(at)
        return render(request, "audit_decision.html", t=auditing.timeline(ctx, decision_id, at=when, seq=seq),
                      check=auditing.check_decision(ctx, decision_id), at_local=local(when) if when else at,
                      decision_id=decision_id)

    @r.get("/audit/decisions/{decision_id}/diff")
    def diff(request: Request, decision_id: str, a: str = "", b: str = "") -> Response:
        require_reader(request, ctx, decision_id)
        ma, mb = moment(a), moment(b)
        if ma is None or mb is None:
            raise InvalidInput("a difference needs two moments (a and b)", rule="R18", article="Art. 33")
        view = queries.get_decision(ctx, decision_id)
        d = timetravel.diff(ctx, decision_id, ma, mb)
        return render(request, "audit_diff.html", decision_id=decision_id, title=view["title"], diff=d,
                      a=local(ma), b=local(mb), words=_words(ctx, view, d))

    @r.get("/audit/decisions/{decision_id}/traceback")
    def traceback(request: Request, decision_id: str) -> Response:
        require_reader(request, ctx, decision_id)
        return render(request, "audit_traceback.html", t=accountability.traceback_decision(ctx, decision_id))

    @r.get("/audit/people/{person_id}")
    def person(request: Request, person_id: str) -> Response:
        access.require_person_reader(ctx, require_person(request), person_id)
        return render(request, "audit_person.html", trace=accountability.traceback_person(ctx, person_id))

    return r
