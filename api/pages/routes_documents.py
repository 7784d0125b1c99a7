"""Official documents (公文): render from the record, read the stored HTML or PDF, re-render to compare the
hashes (what an auditor does to check that a document says what the record says), and render a document made
wrongly again as a new version with its reason (nothing is replaced: every version stays)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from api.middleware import document_csp
from api.pages.i18n import N_
from api.pages.web import PageRoute, act, checked_form, render, require_person, require_reader
from api.pages.web import text as _text
from decision_engine.services import documents, identity, work
from decision_engine.services.context import Context


def router(ctx: Context) -> APIRouter:
    """Routes for rendering and reading documents."""
    r = APIRouter(include_in_schema=False, route_class=PageRoute)

    @r.post("/decisions/{decision_id}/documents")
    async def render_all(request: Request, decision_id: str) -> Response:
        pid = require_person(request)
        form = await checked_form(request)
        kind = str(form.get("kind") or "")
        if kind:
            return await act(request, lambda: documents.render(ctx, decision_id, kind, person_id=pid),
                             back=f"/decisions/{decision_id}#documents", done=N_("Document rendered."),
                             form_id="documents", form=form)
        return await act(request, lambda: documents.render_all(ctx, decision_id, person_id=pid),
                         back=f"/decisions/{decision_id}#documents", done=N_("Documents rendered."),
                         form_id="documents", form=form)

    def page(request: Request, pid: str, doc: dict[str, object], comparison: object) -> Response:
        names = {p["id"]: p["name"] for p in identity.people(ctx)}
        return render(request, "document.html", doc=doc, comparison=comparison, names=names,
                      versions=documents.versions(ctx, str(doc["decision_id"]), doc_kind=str(doc["doc_kind"]),
                                                  artifact_id=str(doc["artifact_id"])),
                      may_render=work.may_record(ctx, pid))

    @r.get("/documents/{doc_id}")
    def record(request: Request, doc_id: str) -> Response:
        doc = documents.get_document(ctx, doc_id)
        pid = require_reader(request, ctx, str(doc["decision_id"]))  # AR13: a relation to the document's decision
        return page(request, pid, doc, None)

    @r.post("/documents/{doc_id}/rerender")
    async def rerender(request: Request, doc_id: str) -> Response:
        pid = require_person(request)
        await checked_form(request)
        doc = await run_in_threadpool(documents.get_document, ctx, doc_id)
        comparison = await run_in_threadpool(documents.rerender, ctx, doc)
        return await run_in_threadpool(page, request, pid, doc, comparison)

    @r.post("/documents/{doc_id}/versions")
    async def new_version(request: Request, doc_id: str) -> Response:
        pid = require_person(request)
        form = await checked_form(request)
        return await act(request, lambda: documents.render_new_version(ctx, doc_id, reason=_text(form, "reason"),
                                                                         person_id=pid),
                         back=f"/documents/{doc_id}", done=N_("A new version of the document is rendered."),
                         form_id="new-version", form=form, then=lambda d: f"/documents/{d['id']}")

    @r.get("/documents/{doc_id}/file.{fmt}")
    def content(request: Request, doc_id: str, fmt: str) -> Response:
        require_reader(request, ctx, str(documents.get_document(ctx, doc_id)["decision_id"]))  # AR13
        return document_response(*documents.document_bytes(ctx, doc_id, fmt))

    return r


def document_response(rec: dict[str, object], data: bytes, media: str) -> Response:
    """A stored rendering, served with its hash; HTML under a script-free content security policy."""
    headers = {"x-content-sha256": str(rec["html_sha256"] if media.startswith("text/html") else rec["pdf_sha256"]),
               "content-security-policy": document_csp(data), "x-content-type-options": "nosniff"}
    if media == "application/pdf":
        headers["content-disposition"] = f'inline; filename="{rec["id"]}.pdf"'
    return Response(data, media_type=media, headers=headers)
