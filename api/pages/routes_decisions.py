"""Decisions: the list with filters and search, opening one, the decision page (the procedure as a stepper)
and a form for every act a person's roles allow them to attempt. Each POST calls exactly one service."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData, UploadFile

from api.pages import forms
from api.pages.i18n import N_
from api.pages.web import PageRoute, act, checked_form, render, require_person, require_reader
from api.pages.web import lines as _lines
from api.pages.web import text as _text
from decision_engine import procedures
from decision_engine.domain import accountability as acc
from decision_engine.domain import execution as ex
from decision_engine.domain import supervision as sv
from decision_engine.domain.decision import ART35_GROUNDS, CATEGORIES, EXCLUDED_CATEGORIES
from decision_engine.domain.errors import NotFound
from decision_engine.domain.rules.initiation import ORGAN_LEVELS
from decision_engine.services import (
    access,
    accountability,
    documents,
    execution,
    hearings,
    legality,
    participation,
    publication,
    work,
)
from decision_engine.services import decisions as svc
from decision_engine.services.context import Context

GATE_ACTS = {"clear": N_("Gate cleared."), "return": N_("Returned, with the reason recorded."),
             "exempt": N_("Exemption recorded with its legal basis.")}
DECISION_ACTS = {"finalize": N_("The decision is finalized."), "suspend": N_("Execution is suspended."),
                 "resume": N_("Execution resumed."), "withdraw": N_("The decision is withdrawn."),
                 "close": N_("The case is closed."), "terminate": N_("Execution is terminated."),
                 "accountability": N_("Accountability case opened."),
                 "case_findings": N_("Findings recorded."), "case_close": N_("The accountability case is closed."),
                 "hearing_record": N_("The hearing record is presented for confirmation."),
                 "hearing_confirm": N_("You confirmed the hearing record."),
                 "supplement": N_("Supplementary material requested; the review period stops until it arrives."),
                 "adjust": N_("A major adjustment is opened as a new decision."),
                 "evaluation_decision": N_("The decision on the evaluation is recorded."),
                 "supervise": N_("The supervision and check of the execution is recorded."),
                 "correction": N_("The order to correct is recorded."),
                 "correction_report": N_("The report on the correction is recorded.")}


COMMENT_ACTS = {"cluster": N_("Comments grouped into distinct opinions."),
                "dispose": N_("Dispositions recorded."), "report": N_("The feedback report is recorded.")}


def _dispositions(form: FormData) -> list[dict[str, Any]]:
    """One disposition per opinion group chosen on the form (`disp-<group>`, with its reason and the draft
    version that took it up); groups left at "—" are not disposed of now."""
    out: list[dict[str, Any]] = []
    for key, value in form.multi_items():
        if key.startswith("disp-") and isinstance(value, str) and value:
            cid = key.removeprefix("disp-")
            version = str(form.get(f"version-{cid}") or "")
            out.append({"cluster_id": cid, "disposition": value, "reason": str(form.get(f"reason-{cid}") or ""),
                        "changed_in_version": int(version) if version.isdigit() else None})
    return out


async def _upload(form: FormData) -> tuple[bytes | None, str, str]:
    file = form.get("file")
    if isinstance(file, UploadFile) and file.filename:
        return await file.read(), file.content_type or "application/octet-stream", file.filename
    return None, "", ""


def router(ctx: Context) -> APIRouter:
    """Routes under /decisions."""
    r = APIRouter(include_in_schema=False, route_class=PageRoute)

    @r.get("/decisions")
    def listing(request: Request, status: str = "", unit: str = "", category: str = "", stage: str = "",
                q: str = "", overdue: str = "", cursor: str = "") -> Response:
        pid = require_reader(request, ctx)
        filters = {"status": status, "unit": unit, "category": category, "stage": stage, "q": q,
                   "overdue": overdue}
        page = access.list_readable(ctx, pid, status=status or None, unit=unit or None,  # AR13
                                    category=category or None, stage=stage or None, q=q or None,
                                    overdue=bool(overdue) or None, cursor=cursor or None)
        shown = {k: v for k, v in filters.items() if v}
        next_url = f"/decisions?{urlencode({**shown, 'cursor': page['next_cursor']})}" if page["next_cursor"] else ""
        return render(request, "decisions.html", page=page, filters=filters, categories=CATEGORIES, next_url=next_url,
                      stages=procedures.load().stages,
                      statuses=("draft", "in_procedure", "ready_for_decision", "decided", "published",
                                "in_execution", "evaluated", "suspended", "withdrawn", "closed"))

    @r.get("/decisions/new")
    def new(request: Request) -> Response:
        require_person(request)
        return render(request, "decision_new.html", categories=(*CATEGORIES, *EXCLUDED_CATEGORIES),
                      profiles=procedures.titles(), levels=ORGAN_LEVELS, values={})

    @r.post("/decisions/new")
    async def open_decision(request: Request) -> Response:
        pid = require_person(request)
        form = await checked_form(request)
        return await act(request, lambda: svc.open_decision(
            ctx, pid, title=_text(form, "title"), category=_text(form, "category"), unit=_text(form, "unit"),
            profile=_text(form, "profile") or "order713", due_by=_text(form, "due_by") or None,
            summary=_text(form, "summary"), organ_level=_text(form, "organ_level") or None,
            procedure_by_law=_text(form, "procedure_by_law") or None), back="/decisions/new", done=N_("Decision opened."), form_id="open",
            form=form, then=lambda r: f"/decisions/{r.decision_id}")

    @r.get("/decisions/{decision_id}")
    def page(request: Request, decision_id: str) -> Response:
        pid = require_reader(request, ctx, decision_id)
        data = work.decision_page(ctx, decision_id, pid)
        kinds = [k for s in data["stages"] for g in s["gates"] for k in g["kinds"]]
        names = {x["id"]: x for x in [*kinds, *data["determinations"]]}
        return render(request, "decision.html", page=data, d=data["decision"], names=names,
                      fields={k["id"]: forms.fields_for(k["id"], k["fields"]) for k in kinds},
                      arts={a["id"]: a for a in data["decision"]["artifacts"]}, grounds=ART35_GROUNDS,
                      opinions=participation.public_opinions(ctx, decision_id, limit=200),
                      documents=documents.list_documents(ctx, decision_id), doc_kinds=documents.DOC_KINDS,
                      cases=accountability.cases(ctx, decision_id=decision_id), capacities=tuple(acc.CAPACITIES),
                      case_outcomes=acc.OUTCOMES, evaluation_outcomes=ex.EVALUATION_OUTCOMES,
                      change_items=execution.adopted_changes(ctx, decision_id),
                      after=execution.after_decision(ctx, decision_id, pid),
                      hearing=hearings.hearing_status(ctx, decision_id) if any(
                          g["id"] == "hearing" and g["status"] != "not_applicable"
                          for s in data["stages"] for g in s["gates"]) else None)

    @r.get("/decisions/{decision_id}/artifacts/{artifact_id}")
    def download(request: Request, decision_id: str, artifact_id: str) -> Response:
        require_reader(request, ctx, decision_id)
        art, data = access.artifact_content(ctx, decision_id, artifact_id)
        return attachment(data, art)

    @r.post("/decisions/{decision_id}/drafts")
    async def draft(request: Request, decision_id: str) -> Response:
        pid = require_person(request)
        form = await checked_form(request)
        content, media, filename = await _upload(form)
        if content is None:
            content, media, filename = _text(form, "text").encode(), "text/plain", "draft.txt"
        return await act(request, lambda: svc.add_draft_version(
            ctx, pid, decision_id, content=content, title=_text(form, "title"), note=_text(form, "note"),
            media_type=media, filename=filename), back=f"/decisions/{decision_id}",
            done=N_("Draft version added."), form_id="draft", form=form)

    @r.post("/decisions/{decision_id}/determinations")
    async def determination(request: Request, decision_id: str) -> Response:
        pid = require_person(request)
        form = await checked_form(request)
        return await act(request, lambda: svc.record_determination(
            ctx, pid, decision_id, _text(form, "kind"), _text(form, "value") == "true", _text(form, "reasons")),
            back=f"/decisions/{decision_id}", done=N_("Determination recorded."), form_id="determinations",
            form=form)

    def _text_of(fields: dict[str, Any], name: str) -> str:
        return str(fields.get(name) or "")

    # The kinds the decision page offers as forms whose act has its own use case (AR14, domain/doors.py).
    PAGE_DOORS: dict[str, Callable[[str, str, dict[str, Any]], object]] = {
        "hearing_participant_list": lambda pid, did, f: hearings.publish_participants(
            ctx, pid, did, participants=list(f.get("participants") or []), selected_at=_text_of(f, "selected_at"),
            published_at=_text_of(f, "published_at") or None),
        "execution_unit_designation": lambda pid, did, f: execution.designate_execution_units(
            ctx, pid, did, list(f.get("units") or []), reason=_text_of(f, "reason") or None),
        "evaluation_report": lambda pid, did, f: execution.evaluate(
            ctx, pid, did, trigger=_text_of(f, "trigger"), public_input=_text_of(f, "public_input"),
            deputy_participation=_text_of(f, "deputy_participation"), findings=_text_of(f, "findings"),
            recommendation=_text_of(f, "recommendation")),
    }

    @r.post("/decisions/{decision_id}/artifacts/{kind}")
    async def artifact(request: Request, decision_id: str, kind: str) -> Response:
        pid = require_person(request)
        form = await checked_form(request)
        content, media, filename = await _upload(form)

        def call() -> None:
            with ctx.store.read() as conn:
                d, _ = svc.load(conn, decision_id)
            k = d.spec.artifact_kind(kind)
            fields = forms.parse(kind, list(k.fields), form, rule=k.rule, article=k.article)
            door = PAGE_DOORS.get(kind)
            if door is not None:  # a compound act goes through its own use case (AR14), never the generic door
                door(pid, decision_id, fields)
                return
            svc.record_artifact(ctx, pid, decision_id, kind, fields, content=content,
                                media_type=media or "application/json", filename=filename)
        return await act(request, call, back=f"/decisions/{decision_id}", done=N_("Recorded."),
                         form_id=f"art-{kind}", form=form)

    @r.post("/decisions/{decision_id}/gates/{gate}/{what}")
    async def gate_act(request: Request, decision_id: str, gate: str, what: str) -> Response:
        pid = require_person(request)
        form = await checked_form(request)
        if what not in GATE_ACTS:
            raise NotFound(f"no act {what!r} on a gate")
        calls = {"clear": lambda: svc.clear_gate(ctx, pid, decision_id, gate),
                 "return": lambda: svc.return_gate(ctx, pid, decision_id, gate, _text(form, "reason")),
                 "exempt": lambda: svc.exempt_gate(ctx, pid, decision_id, gate, _text(form, "legal_basis"))}
        return await act(request, calls[what], back=f"/decisions/{decision_id}", done=GATE_ACTS[what],
                         form_id=f"gate-{gate}", form=form)

    @r.post("/decisions/{decision_id}/comments/{what}")
    async def comments(request: Request, decision_id: str, what: str) -> Response:
        pid = require_person(request)
        form = await checked_form(request)
        calls = {"cluster": lambda: participation.cluster_comments(ctx, pid, decision_id),
                 "dispose": lambda: participation.dispose_opinions(ctx, pid, decision_id, _dispositions(form)),
                 "report": lambda: participation.record_feedback_report(ctx, pid, decision_id)}
        if what not in calls:
            raise NotFound(f"no act {what!r} on comments", rule="R8", article="Art. 18")
        return await act(request, calls[what], back=f"/decisions/{decision_id}#stage-S1",
                         done=COMMENT_ACTS[what], form_id=f"comments-{what}", form=form)

    @r.post("/decisions/{decision_id}/publish")
    async def publish(request: Request, decision_id: str) -> Response:
        pid = require_person(request)
        form = await checked_form(request)
        return await act(request, lambda: publication.publish(
            ctx, pid, decision_id, channels=_lines(form, "channels"), published_at=_text(form, "published_at") or None,
            adoption_explanation=_text(form, "adoption_explanation"), interpretation=_text(form, "interpretation"),
            interpretation_means=_lines(form, "interpretation_means")),
            back=f"/decisions/{decision_id}", done=N_("The decision is published."), form_id="publish", form=form)

    @r.post("/decisions/{decision_id}/withhold")
    async def withhold(request: Request, decision_id: str) -> Response:
        pid = require_person(request)
        form = await checked_form(request)
        return await act(request, lambda: publication.withhold(
            ctx, pid, decision_id, legal_ref=_text(form, "legal_ref"), reason=_text(form, "reason")),
            back=f"/decisions/{decision_id}", done=N_("Not published: the legal basis is recorded."),
            form_id="withhold", form=form)

    @r.post("/decisions/{decision_id}/acts/{what}")
    async def decision_act(request: Request, decision_id: str, what: str) -> Response:
        pid = require_person(request)
        form = await checked_form(request)
        if what not in DECISION_ACTS:
            raise NotFound(f"no act {what!r} on a decision")
        content, media, filename = await _upload(form)
        calls = {"finalize": lambda: svc.finalize(ctx, pid, decision_id),
                 "suspend": lambda: svc.suspend(ctx, pid, decision_id, _text(form, "ground"), _text(form, "reason"),
                                                urgency=_text(form, "urgency")),
                 "resume": lambda: svc.resume(ctx, pid, decision_id, _text(form, "reason")),
                 "withdraw": lambda: svc.withdraw(ctx, pid, decision_id, _text(form, "reason")),
                 "close": lambda: svc.close(ctx, pid, decision_id),
                 "terminate": lambda: execution.terminate(ctx, pid, decision_id, basis=_text(form, "basis"),
                                                          reason=_text(form, "reason"),
                                                          basis_ref=_text(form, "basis_ref"),
                                                          **_change_item(form)),
                 "accountability": lambda: accountability.open_case(
                     ctx, pid, decision_id, grounds=_grounds(form), persons=_persons(form),
                     summary=_text(form, "summary")),
                 "case_findings": lambda: accountability.record_findings(
                     ctx, pid, _text(form, "case_id"), findings=_text(form, "findings"), persons=_finding(form)),
                 "case_close": lambda: accountability.close_case(
                     ctx, pid, _text(form, "case_id"), outcome=_text(form, "outcome"), sanctions=_sanctions(form),
                     reason=_text(form, "reason")),
                 "hearing_record": lambda: hearings.present_record(
                     ctx, pid, decision_id, content=content if content is not None else _text(form, "text").encode(),
                     media_type=media or "text/plain", filename=filename or "hearing-record.txt"),
                 "hearing_confirm": lambda: hearings.confirm_record(ctx, pid, decision_id, _text(form, "sha256"),
                                                                    _text(form, "remarks")),
                 "supplement": lambda: legality.request_supplement(ctx, pid, decision_id, items=_lines(form, "items"),
                                                                   reason=_text(form, "reason")),
                 "adjust": lambda: execution.open_adjustment(ctx, pid, decision_id, title=_text(form, "title"),
                                                             reason=_text(form, "reason"),
                                                             basis_ref=_text(form, "basis_ref"),
                                                             **_change_item(form)),
                 "evaluation_decision": lambda: execution.decide_on_evaluation(
                     ctx, pid, decision_id, _text(form, "evaluation_id"), outcome=_text(form, "outcome"),
                     reasons=_text(form, "reasons")),
                 "supervise": lambda: execution.supervise(
                     ctx, pid, decision_id, findings=_text(form, "findings"), instructions=_text(form, "instructions"),
                     units=[str(u) for u in form.getlist("units") if str(u)], due_by=_text(form, "due_by") or None),
                 "correction": lambda: execution.order_correction(
                     ctx, pid, decision_id, breach=_text(form, "breach"), findings=_text(form, "findings"),
                     required=_text(form, "required"), due_by=_text(form, "due_by") or None),
                 "correction_report": lambda: execution.report_correction(
                     ctx, pid, _order(decision_id, form), report=_text(form, "report"))}
        then = (lambda r: f"/decisions/{r.decision_id}") if what == "adjust" else None
        case = _text(form, "case_id") if what.startswith("case_") else ""
        return await act(request, calls[what], back=f"/decisions/{decision_id}", done=DECISION_ACTS[what],
                         form_id=f"act-{what}-{case}" if case else f"act-{what}", form=form, then=then)

    return r


def _change_item(form: FormData) -> dict[str, Any]:
    """The adopted change item picked on the form ("<meeting>#<item>"); none when blank, so the domain
    refuses the act under R20 (Arts. 30, 37) with its reason in words."""
    mid, _, no = _text(form, "change_item").partition("#")
    return {"meeting_id": mid, "item_no": int(no)} if mid and no.isdigit() else {}


def _order(decision_id: str, form: FormData) -> str:
    """The correction order picked on the form, one of this decision's (ACC5, Art. 38 ¶1)."""
    order = _text(form, "order_id")
    if sv.decision_of_order(order) != decision_id:
        raise NotFound(f"no correction order {order!r} on this decision", rule="ACC5", article="Art. 38 ¶1")
    return order


def _grounds(form: FormData) -> list[dict[str, str]]:
    """An accountability case's ground from its form: the article (Arts. 38–41) and the facts (none if blank,
    so the domain refuses it under ACC1)."""
    return [{"article": _text(form, "article"), "text": _text(form, "facts")}] if _text(form, "facts") else []


def _persons(form: FormData) -> list[dict[str, str]]:
    """The person concerned and the capacity they answer in (none if blank: refused under ACC1)."""
    return [{"person": _text(form, "person"), "capacity": _text(form, "capacity")}] if _text(form, "person") else []


def _finding(form: FormData) -> list[dict[str, Any]]:
    """One person's finding in a case: facts and whether they are responsible (ACC2, ACC3)."""
    if not _text(form, "person"):
        return []
    return [{"person": _text(form, "person"), "capacity": _text(form, "capacity"),
             "finding": _text(form, "finding"), "responsible": _text(form, "responsible") == "yes"}]


def _sanctions(form: FormData) -> list[dict[str, str]]:
    """Each sanction the form names (`sanction_person-<n>`, picked by name, with its measure, legal basis and,
    for a dissenter, how the dissent was considered: ACC3, ACC4); a row partly filled is kept so the domain
    refuses it with its rule."""
    out = []
    for n in range(1, 11):
        row = {"person": _text(form, f"sanction_person-{n}"), "measure": _text(form, f"sanction_measure-{n}"),
               "basis": _text(form, f"sanction_basis-{n}"), "dissent_considered": _text(form, f"sanction_dissent-{n}")}
        if any(row.values()):
            out.append(row)
    return out


def attachment(data: bytes, art: dict[str, Any]) -> Response:
    """Artifact bytes with their recorded media type, as a download (never rendered inline as HTML)."""
    media = "application/json" if art.get("storage") == "inline" else str(art["media_type"])
    name = str(art["filename"] or f"{art['id']}.bin").replace('"', "")
    return Response(data, media_type=media, headers={
        "content-disposition": f"attachment; filename*=UTF-8''{quote(name, safe='')}",
        "x-content-sha256": str(art["sha256"]), "x-content-type-options": "nosniff"})

