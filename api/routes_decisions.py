"""Decisions over HTTP: open, read, list, history, events, drafts, determinations, artifacts, gates,
finalization, suspension, withdrawal, closure; and the public docket. Each route turns input into one
service call; the services decide (roles, SoD, every rule) and the error handlers translate refusals."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Path, Query, Response, UploadFile
from fastapi.responses import JSONResponse

from api.deps import CtxDep, CurrentPerson, IdempotencyKey, IfMatch, expected_seq, idempotent
from api.errors import READ_ERRORS, WRITE_ERRORS, responses
from api.schemas import (
    ActIn,
    ArtifactIn,
    ArtifactOut,
    DecisionListOut,
    DecisionOpenIn,
    DecisionOut,
    DeterminationIn,
    EventListOut,
    GateExemptIn,
    HealthOut,
    PublicDocketOut,
    PublicListOut,
    ReasonIn,
    ResultOut,
    SuspendIn,
    check_json,
    clean_text,
)
from decision_engine.domain.errors import InvalidInput
from decision_engine.services import access, publication, queries
from decision_engine.services import decisions as svc
from decision_engine.services.clock import CHINA, iso
from decision_engine.services.decisions import ACCEPTED_MEDIA

router = APIRouter(prefix="/api/v1")

DecisionId = Annotated[str, Path(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$",
                                 description="A decision id, e.g. MAD-1a2b3c4d5e6f")]
ArtifactId = Annotated[str, Path(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")]
GateId = Annotated[str, Path(min_length=1, max_length=60, pattern=r"^[a-z][a-z0-9_]*$",
                             description="A gate of the pinned procedure, e.g. legality_review")]
Filter = Annotated[str | None, Query(max_length=200)]

PUBLIC_ERRORS = responses(404, 422, 429, 503)
JSON_FORM_LIMIT = 1024 * 1024


def _text(value: str | None, name: str) -> str | None:
    if value is None:
        return None
    try:
        return clean_text(value)
    except ValueError:
        raise InvalidInput(f"{name} must be valid Unicode without NUL characters") from None


def _cursor(value: str | None) -> str | None:
    """The list cursor is opaque to clients: base64 of [opened_at, id]; anything else is malformed."""
    if value is None:
        return None
    try:
        opened, did = json.loads(base64.urlsafe_b64decode(value.encode()).decode())
        if isinstance(opened, str) and isinstance(did, str):
            return value
    except (ValueError, TypeError):
        pass
    raise InvalidInput("malformed cursor")


def _result(ctx: CtxDep, person: str, key: str | None, fingerprint: dict[str, Any], action: Any,
            status_code: int = 200) -> JSONResponse:
    return idempotent(ctx, person, key, fingerprint, action, out=ResultOut, status_code=status_code)


# ------------------------------------------------------------------------------------------- health
@router.get("/health", response_model=HealthOut, tags=["health"])
async def health() -> dict[str, str]:
    """Liveness: answers without touching the database (the benchmark's baseline)."""
    return {"status": "ok"}


# -------------------------------------------------------------------------------------------- reads
@router.get("/decisions", response_model=DecisionListOut, responses=READ_ERRORS, tags=["decisions"])
def list_decisions(ctx: CtxDep, person: CurrentPerson, status: Filter = None, unit: Filter = None,
                   category: Filter = None, stage: Filter = None, overdue: bool | None = None,
                   q: Filter = None, cursor: Annotated[str | None, Query(max_length=400)] = None,
                   limit: Annotated[int, Query(ge=1, le=200)] = 50) -> dict[str, Any]:
    """Decisions, newest first: filter by status, unit, category, stage, overdue (R22), or search `q`."""
    access.require_reader(ctx, person)
    return access.list_readable(
        ctx, person, status=_text(status, "status"), unit=_text(unit, "unit"), category=_text(category, "category"),
        stage=_text(stage, "stage"), q=_text(q, "q"), overdue=overdue, cursor=_cursor(cursor), limit=limit)


@router.get("/decisions/{decision_id}", response_model=DecisionOut, responses=READ_ERRORS,
            tags=["decisions"])
def get_decision(ctx: CtxDep, person: CurrentPerson, decision_id: DecisionId, response: Response,
                 at: Annotated[datetime | None, Query(description="The decision as it stood at this "
                                                      "moment (ISO 8601; without an offset, Beijing time)")]
                 = None,
                 seq: Annotated[int | None, Query(ge=1, le=2**53 - 1, description="…or after this event")]
                 = None) -> dict[str, Any]:
    """The decision now, or as of a moment (`?at=`) or a sequence number (`?seq=`): replayed from events."""
    if at is None and seq is None:
        view = access.read_decision(ctx, person, decision_id)  # the reader checked and the view: one read
        response.headers["ETag"] = f'"{view["seq"]}"'
        return view
    access.require_reader(ctx, person, decision_id)
    if at is not None and seq is not None:
        raise InvalidInput("give either at or seq, not both")
    when = None
    if at is not None:
        try:
            when = iso(at if at.tzinfo is not None else at.replace(tzinfo=CHINA))
        except (OverflowError, ValueError):
            raise InvalidInput("at is out of range") from None
    return queries.history_at(ctx, decision_id, at=when, seq=seq)


@router.get("/decisions/{decision_id}/events", response_model=EventListOut, responses=READ_ERRORS,
            tags=["decisions"])
def decision_events(ctx: CtxDep, person: CurrentPerson, decision_id: DecisionId,
                    after_seq: Annotated[int, Query(ge=0, le=2**53 - 1)] = 0,
                    limit: Annotated[int, Query(ge=1, le=500)] = 500) -> dict[str, Any]:
    """The decision's events with their chain hashes (refused attempts included), oldest first."""
    access.require_reader(ctx, person, decision_id)
    return {"decision_id": decision_id,
            "items": queries.events(ctx, decision_id, after_seq=after_seq, limit=limit)}


@router.get("/decisions/{decision_id}/artifacts/{artifact_id}", response_model=ArtifactOut,
            responses=READ_ERRORS, tags=["artifacts"])
def get_artifact(ctx: CtxDep, person: CurrentPerson, decision_id: DecisionId,
                 artifact_id: ArtifactId) -> dict[str, Any]:
    """An artifact's (or draft version's) record: content address, fields, author, round."""
    access.require_reader(ctx, person, decision_id)
    return access.artifact(ctx, decision_id, artifact_id)


_CONTENT: dict[str, dict[str, Any]] = {media: ({"schema": {}} if media == "application/json" else
                    {"schema": {"type": "string", "format": "binary"}}) for media in ACCEPTED_MEDIA}


@router.get("/decisions/{decision_id}/artifacts/{artifact_id}/content", response_class=Response,
            responses={200: {"description": "The artifact's bytes, in its media type; `X-Content-SHA256` "
                             "is their content address.", "content": _CONTENT}, **READ_ERRORS},
            tags=["artifacts"])
def get_artifact_content(ctx: CtxDep, person: CurrentPerson, decision_id: DecisionId,
                         artifact_id: ArtifactId) -> Response:
    """Download an artifact's bytes, verified against their SHA-256 before they are sent."""
    access.require_reader(ctx, person, decision_id)
    art, data = access.artifact_content(ctx, decision_id, artifact_id)
    name = quote(str(art["filename"]) or "artifact", safe="")
    return Response(data, media_type=str(art["media_type"]),
                    headers={"X-Content-SHA256": str(art["sha256"]), "ETag": f'"{art["sha256"]}"',
                             "Content-Disposition": f"attachment; filename*=UTF-8''{name}"})


# ------------------------------------------------------------------------------------------- writes
@router.post("/decisions", response_model=ResultOut, status_code=201, responses=WRITE_ERRORS,
             tags=["decisions"])
def open_decision(ctx: CtxDep, person: CurrentPerson, body: DecisionOpenIn,
                  idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """Open a decision under a pinned procedure profile (R1 scope; undertaking unit, organ or head)."""
    return _result(ctx, person, idempotency_key, {"op": "open", "body": body.model_dump(mode="json")},
                   lambda: svc.open_decision(ctx, person, title=body.title, category=body.category,
                                             unit=body.unit, profile=body.profile, summary=body.summary,
                                             due_by=body.due_by.isoformat() if body.due_by else None,
                                             organ_level=body.organ_level,
                                             procedure_by_law=body.procedure_by_law),
                   status_code=201)


@router.post("/decisions/{decision_id}/determinations", response_model=ResultOut, status_code=201,
             responses=WRITE_ERRORS, tags=["decisions"])
def record_determination(ctx: CtxDep, person: CurrentPerson, decision_id: DecisionId, body: DeterminationIn,
                         idempotency_key: IdempotencyKey = None, if_match: IfMatch = None) -> JSONResponse:
    """Record a determination with its reasons (switches conditional gates: R5, R7, R9, R10, …)."""
    seq = expected_seq(body.expected_seq, if_match)
    return _result(ctx, person, idempotency_key,
                   {"op": "determination", "id": decision_id, "body": body.model_dump(mode="json"), "seq": seq},
                   lambda: svc.record_determination(ctx, person, decision_id, body.kind, body.value,
                                                    body.reasons, expected_seq=seq), status_code=201)


@router.post("/decisions/{decision_id}/artifacts", response_model=ResultOut, status_code=201,
             responses=WRITE_ERRORS, tags=["artifacts"])
def record_artifact(ctx: CtxDep, person: CurrentPerson, decision_id: DecisionId, body: ArtifactIn,
                    idempotency_key: IdempotencyKey = None, if_match: IfMatch = None) -> JSONResponse:
    """Record a fields-only artifact of a kind in its gate, after every rule that applies to it. A kind
    produced by a compound act of its own (meeting record, selection note, expert opinion, hearing record,
    feedback report, evaluation report, execution designation) is refused (409, AR14) naming its door."""
    seq = expected_seq(body.expected_seq, if_match)
    return _result(ctx, person, idempotency_key,
                   {"op": "artifact", "id": decision_id, "body": body.model_dump(mode="json"), "seq": seq},
                   lambda: svc.record_artifact(ctx, person, decision_id, body.kind, body.fields,
                                               expected_seq=seq), status_code=201)


def read_upload(ctx: CtxDep, file: UploadFile, default_name: str) -> tuple[bytes, str, str]:
    """An uploaded file's bytes (at most one byte past the limit: the service refuses more, 413), its media
    type and a clean file name (NUL or invalid text → 422)."""
    data = file.file.read(ctx.settings.max_upload_bytes + 1)
    media = (file.content_type or "application/octet-stream").split(";")[0].strip().lower()[:120]
    return data, media, _text((file.filename or default_name)[:255], "filename") or default_name


@router.post("/decisions/{decision_id}/artifacts/upload", response_model=ResultOut, status_code=201,
             responses=WRITE_ERRORS, tags=["artifacts"])
def upload_artifact(ctx: CtxDep, person: CurrentPerson, decision_id: DecisionId,
                    kind: Annotated[str, Form(min_length=1, max_length=60, pattern=r"^[a-z][a-z0-9_]*$")],
                    file: Annotated[UploadFile, File(description="The document (PDF, OFD, DOCX, text, …)")],
                    fields: Annotated[str, Form(max_length=JSON_FORM_LIMIT,
                                                description="The artifact's fields as a JSON object")] = "{}",
                    expected_seq_: Annotated[int | None, Form(alias="expected_seq", ge=0,
                                                              le=2**53 - 1)] = None,
                    idempotency_key: IdempotencyKey = None, if_match: IfMatch = None) -> JSONResponse:
    """Record an artifact with its document: bytes into the content-addressed store, then the event."""
    try:
        parsed = json.loads(fields)
    except (ValueError, RecursionError):
        raise InvalidInput("fields must be a JSON object") from None
    if not isinstance(parsed, dict):
        raise InvalidInput("fields must be a JSON object")
    try:
        check_json(parsed)
    except ValueError as exc:
        raise InvalidInput(f"fields: {exc}") from None
    seq = expected_seq(expected_seq_, if_match)
    data, media, filename = read_upload(ctx, file, "upload")
    return _result(ctx, person, idempotency_key,
                   {"op": "upload", "id": decision_id, "kind": kind, "fields": parsed, "seq": seq,
                    "media": media, "filename": filename, "sha256": hashlib.sha256(data).hexdigest()},
                   lambda: svc.record_artifact(ctx, person, decision_id, kind, parsed, content=data,
                                               media_type=media, filename=filename, expected_seq=seq),
                   status_code=201)


@router.post("/decisions/{decision_id}/drafts", response_model=ResultOut, status_code=201,
             responses=WRITE_ERRORS, tags=["artifacts"])
def add_draft(ctx: CtxDep, person: CurrentPerson, decision_id: DecisionId,
              file: Annotated[UploadFile, File(description="The draft text or document")],
              title: Annotated[str, Form(min_length=1, max_length=500)],
              note: Annotated[str, Form(max_length=2000)] = "",
              expected_seq_: Annotated[int | None, Form(alias="expected_seq", ge=0, le=2**53 - 1)] = None,
              idempotency_key: IdempotencyKey = None, if_match: IfMatch = None) -> JSONResponse:
    """Add a draft version (a legality review of an older version reopens, R13)."""
    title_, note_ = _text(title, "title") or "", _text(note, "note") or ""
    seq = expected_seq(expected_seq_, if_match)
    data, media, filename = read_upload(ctx, file, "draft")
    return _result(ctx, person, idempotency_key,
                   {"op": "draft", "id": decision_id, "title": title_, "note": note_, "seq": seq,
                    "media": media, "filename": filename, "sha256": hashlib.sha256(data).hexdigest()},
                   lambda: svc.add_draft_version(ctx, person, decision_id, content=data, title=title_,
                                                 note=note_, media_type=media, filename=filename,
                                                 expected_seq=seq), status_code=201)


@router.post("/decisions/{decision_id}/gates/{gate}/clear", response_model=ResultOut,
             responses=WRITE_ERRORS, tags=["gates"])
def clear_gate(ctx: CtxDep, person: CurrentPerson, decision_id: DecisionId, gate: GateId,
               body: ActIn | None = None, idempotency_key: IdempotencyKey = None,
               if_match: IfMatch = None) -> JSONResponse:
    """Clear a gate: requirements met, the right role, never on one's own artifact (SoD1, SoD8)."""
    seq = expected_seq(body.expected_seq if body else None, if_match)
    return _result(ctx, person, idempotency_key, {"op": "clear", "id": decision_id, "gate": gate, "seq": seq},
                   lambda: svc.clear_gate(ctx, person, decision_id, gate, expected_seq=seq))


@router.post("/decisions/{decision_id}/gates/{gate}/return", response_model=ResultOut,
             responses=WRITE_ERRORS, tags=["gates"])
def return_gate(ctx: CtxDep, person: CurrentPerson, decision_id: DecisionId, gate: GateId, body: ReasonIn,
                idempotency_key: IdempotencyKey = None, if_match: IfMatch = None) -> JSONResponse:
    """Return a gate's submission with a reason; the review clock restarts (R11, Art. 26)."""
    seq = expected_seq(body.expected_seq, if_match)
    return _result(ctx, person, idempotency_key,
                   {"op": "return", "id": decision_id, "gate": gate, "reason": body.reason, "seq": seq},
                   lambda: svc.return_gate(ctx, person, decision_id, gate, body.reason, expected_seq=seq))


@router.post("/decisions/{decision_id}/gates/{gate}/exempt", response_model=ResultOut,
             responses=WRITE_ERRORS, tags=["gates"])
def exempt_gate(ctx: CtxDep, person: CurrentPerson, decision_id: DecisionId, gate: GateId,
                body: GateExemptIn, idempotency_key: IdempotencyKey = None,
                if_match: IfMatch = None) -> JSONResponse:
    """Exempt a gate on a recorded determination and its legal basis."""
    seq = expected_seq(body.expected_seq, if_match)
    return _result(ctx, person, idempotency_key,
                   {"op": "exempt", "id": decision_id, "gate": gate, "basis": body.legal_basis, "seq": seq},
                   lambda: svc.exempt_gate(ctx, person, decision_id, gate, body.legal_basis,
                                           expected_seq=seq))


@router.post("/decisions/{decision_id}/finalize", response_model=ResultOut, responses=WRITE_ERRORS,
             tags=["decisions"])
def finalize(ctx: CtxDep, person: CurrentPerson, decision_id: DecisionId, body: ActIn | None = None,
             idempotency_key: IdempotencyKey = None, if_match: IfMatch = None) -> JSONResponse:
    """Finalize: the head alone, with every pre-decision gate satisfied (R13–R16, SoD4); else 409 listing
    every missing item with its rule and article."""
    seq = expected_seq(body.expected_seq if body else None, if_match)
    return _result(ctx, person, idempotency_key, {"op": "finalize", "id": decision_id, "seq": seq},
                   lambda: svc.finalize(ctx, person, decision_id, expected_seq=seq))


@router.post("/decisions/{decision_id}/suspend", response_model=ResultOut, responses=WRITE_ERRORS,
             tags=["decisions"])
def suspend(ctx: CtxDep, person: CurrentPerson, decision_id: DecisionId, body: SuspendIn,
            idempotency_key: IdempotencyKey = None, if_match: IfMatch = None) -> JSONResponse:
    """Suspend execution (中止) on an Art. 35 ground: the administrative head alone (R20, SoD6)."""
    seq = expected_seq(body.expected_seq, if_match)
    return _result(ctx, person, idempotency_key,
                   {"op": "suspend", "id": decision_id, "ground": body.ground, "reason": body.reason,
                    "urgency": body.urgency, "seq": seq},
                   lambda: svc.suspend(ctx, person, decision_id, body.ground, body.reason, urgency=body.urgency,
                                       expected_seq=seq))


@router.post("/decisions/{decision_id}/resume", response_model=ResultOut, responses=WRITE_ERRORS,
             tags=["decisions"])
def resume(ctx: CtxDep, person: CurrentPerson, decision_id: DecisionId, body: ReasonIn,
           idempotency_key: IdempotencyKey = None, if_match: IfMatch = None) -> JSONResponse:
    """Resume a suspended decision (the head, with a reason)."""
    seq = expected_seq(body.expected_seq, if_match)
    return _result(ctx, person, idempotency_key,
                   {"op": "resume", "id": decision_id, "reason": body.reason, "seq": seq},
                   lambda: svc.resume(ctx, person, decision_id, body.reason, expected_seq=seq))


@router.post("/decisions/{decision_id}/withdraw", response_model=ResultOut, responses=WRITE_ERRORS,
             tags=["decisions"])
def withdraw(ctx: CtxDep, person: CurrentPerson, decision_id: DecisionId, body: ReasonIn,
             idempotency_key: IdempotencyKey = None, if_match: IfMatch = None) -> JSONResponse:
    """Withdraw a decision before it is made (the organ or the head, with a reason)."""
    seq = expected_seq(body.expected_seq, if_match)
    return _result(ctx, person, idempotency_key,
                   {"op": "withdraw", "id": decision_id, "reason": body.reason, "seq": seq},
                   lambda: svc.withdraw(ctx, person, decision_id, body.reason, expected_seq=seq))


@router.post("/decisions/{decision_id}/close", response_model=ResultOut, responses=WRITE_ERRORS,
             tags=["decisions"])
def close(ctx: CtxDep, person: CurrentPerson, decision_id: DecisionId, body: ActIn | None = None,
          idempotency_key: IdempotencyKey = None, if_match: IfMatch = None) -> JSONResponse:
    """Close the case once publication is settled and the record is complete (R18, Art. 33)."""
    seq = expected_seq(body.expected_seq if body else None, if_match)
    return _result(ctx, person, idempotency_key, {"op": "close", "id": decision_id, "seq": seq},
                   lambda: svc.close(ctx, person, decision_id, expected_seq=seq))


# ------------------------------------------------------------------------------------------- public
@router.get("/public/decisions", response_model=PublicListOut, responses=PUBLIC_ERRORS, tags=["public"])
def public_decisions(ctx: CtxDep, offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
                     limit: Annotated[int, Query(ge=1, le=200)] = 50) -> dict[str, Any]:
    """Published decisions, the most recently published first (no login; rate-limited)."""
    items = publication.public_list(ctx, limit=limit, offset=offset)
    return {"items": items, "next_offset": offset + limit if len(items) == limit else None}


@router.get("/public/decisions/{decision_id}", response_model=PublicDocketOut, responses=PUBLIC_ERRORS,
            tags=["public"])
def public_decision(ctx: CtxDep, decision_id: DecisionId) -> dict[str, Any]:
    """A published decision: the text decided, feedback on opinions, the procedure timeline (no login)."""
    return publication.public_docket(ctx, decision_id)

