"""The stage acts that are more than one artifact, over HTTP (issues 4, 5, 8, 9): the expert pool and the
expert's signed opinion (R9, SoD2), the hearing record presented and confirmed by each participant (R7,
SoD5), the legal office's supplement request (R11), publication or its lawful withholding (R17), the
official documents rendered from the record (gongwen, Art. 33), and each person's work queue and
notification inbox. Each compound act has its one door here (AR14, `domain/doors.py`): the expert selection,
the expert's opinion, the confirmed hearing record, the designation of the execution units, the evaluation
report; the generic `POST /decisions/{id}/artifacts` refuses those kinds and names these routes. Other
fields-only artifacts (notices, deliveries, declarations) go through the generic door. Each route is one
service call; the services decide who may act."""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, File, Path, Query, Response, UploadFile
from fastapi.responses import JSONResponse
from pydantic import AfterValidator, Field

from api.deps import CtxDep, CurrentPerson, IdempotencyKey, IfMatch, expected_seq, idempotent
from api.errors import READ_ERRORS, WRITE_ERRORS
from api.middleware import document_csp
from api.routes_decisions import read_upload
from api.schemas import (
    AnyOut,
    DecisionId,
    ExpectedSeq,
    Ident,
    In,
    Reason,
    RecordId,
    ResultOut,
    Text,
    sane_date,
)
from decision_engine.services import (
    access,
    documents,
    execution,
    experts,
    hearings,
    legality,
    notifications,
    publication,
    work,
)

router = APIRouter(prefix="/api/v1", tags=["stage acts, documents, work"])

Short = Annotated[str, Field(min_length=1, max_length=200)]
Sha256 = Annotated[str, Field(pattern="^[0-9a-f]{64}$")]
DocKind = Annotated[str, Path(min_length=1, max_length=60, pattern=r"^[a-z][a-z0-9_]*$")]


class PoolIn(In):
    """Add a person holding the role expert to the pool (Art. 21)."""

    person_id: Ident
    fields: Annotated[list[Short], Field(min_length=1, max_length=20)]
    affiliation: Short
    title: Annotated[str, Field(max_length=200)] = ""


class RetireIn(In):
    reason: Reason


class ExpertOpinionIn(In):
    """The expert's written opinion, signed with their own credential over its SHA-256 (R9, Art. 19)."""

    opinion: Annotated[str, Field(min_length=1, max_length=20_000)]
    dissenting: bool = False


class SelectionIn(In):
    """The selection of experts for this decision (R9, Arts. 20–21, 41): from the pool (or why not), with
    dissenting experts deliberately included (or why not)."""

    expert_ids: Annotated[list[Ident], Field(min_length=1, max_length=50)]
    method: Short
    reasons: Reason
    dissent_included: bool
    dissent_note: Text = ""
    outside_pool_reason: Text = ""


class DisqualifyIn(In):
    """Art. 41: the breach and its serious consequences."""

    reason: Reason


class ParticipantsIn(In):
    """The selected hearing participants, each a registered person holding the role hearing_participant
    (R7, Art. 16; SoD5, Art. 17)."""

    participants: Annotated[list[Ident], Field(min_length=1, max_length=200)]
    selected_at: Annotated[date, AfterValidator(sane_date)]
    published_at: Annotated[date | None, AfterValidator(sane_date)] = None


class HearingRecordIn(In):
    """The hearing record presented and confirmed by every listed participant, recorded for the gate (R7,
    SoD5, Art. 17)."""

    sha256: Sha256
    summary: Reason
    held_on: Annotated[date | None, AfterValidator(sane_date)] = None
    # R7, Art. 17: the hearing's order (refused by the rule, with its article, when blank)
    presentation: Annotated[str, Field(max_length=10_000, description="决策承办单位介绍决策草案、依据和有关情况")] = ""
    statements: Annotated[str, Field(max_length=10_000, description="听证参加人陈述意见，进行询问、质证和辩论")] = ""


class DesignationIn(In):
    """The execution units the organ designates (R19, Art. 34); a change says why."""

    units: Annotated[list[Short], Field(min_length=1, max_length=20)]
    reason: Annotated[str | None, Field(max_length=2000)] = None
    expected_seq: ExpectedSeq = None


class EvaluationReportIn(In):
    """The commissioned evaluator's report (R21, Art. 36)."""

    trigger: Annotated[str, Field(min_length=1, max_length=60)]
    public_input: Reason
    deputy_participation: Reason
    findings: Reason
    recommendation: Annotated[str, Field(min_length=1, max_length=60)]
    participants: Annotated[list[dict[str, str]] | None, Field(max_length=100)] = None
    expected_seq: ExpectedSeq = None


class ConfirmRecordIn(In):
    sha256: Sha256
    remarks: Text = ""


class SupplementRequestIn(In):
    items: Annotated[list[Short], Field(min_length=1, max_length=50)]
    reason: Reason


class PublishIn(In):
    """Publication (R17, Art. 32): the channels, and for a matter of wide concern or a specialised one the
    adoption explanation and the interpretation."""

    channels: Annotated[list[Short], Field(min_length=1, max_length=10)]
    published_at: Annotated[date | None, AfterValidator(sane_date)] = None
    adoption_explanation: Text = ""
    interpretation: Text = ""
    # R17, Art. 32: how the interpretation is made public (press_conference, interview, or another means)
    interpretation_means: Annotated[list[Short], Field(default_factory=list, max_length=10)]
    expected_seq: ExpectedSeq = None


class WithholdIn(In):
    """Not published by law (依法不予公开): the legal reference and the reason, disclosed on the docket."""

    legal_ref: Reason
    reason: Reason
    expected_seq: ExpectedSeq = None


class RenderIn(In):
    artifact_id: Annotated[str | None, Field(max_length=80)] = None


# ------------------------------------------------------------------------------------------- experts
@router.get("/experts", responses=READ_ERRORS)
def expert_pool(ctx: CtxDep, person: CurrentPerson,
                field: Annotated[str | None, Query(max_length=200)] = None) -> list[dict[str, Any]]:
    """Active experts of the pool, optionally those covering a field (Art. 21)."""
    access.require_reader(ctx, person)
    return experts.pool(ctx, field=field)


@router.post("/experts", response_model=AnyOut, status_code=201, responses=WRITE_ERRORS)
def add_expert(ctx: CtxDep, person: CurrentPerson, body: PoolIn,
               idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """The organ or the system administrator keeps the pool (R9, Art. 21)."""
    return idempotent(ctx, person, idempotency_key, {"op": "pool_add", **body.model_dump()},
                      lambda: experts.add_to_pool(ctx, person, body.person_id, fields=body.fields,
                                                  affiliation=body.affiliation, title=body.title),
                      out=AnyOut, status_code=201)


@router.post("/experts/{person_id}/retire", response_model=AnyOut, responses=WRITE_ERRORS)
def retire_expert(ctx: CtxDep, person: CurrentPerson, person_id: RecordId, body: RetireIn,
                  idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """Take an expert out of the pool with the reason (e.g. Art. 41 disqualification); history stays."""
    def act() -> dict[str, Any]:
        experts.retire_from_pool(ctx, person, person_id, reason=body.reason)
        return {"person_id": person_id, "active": False}
    return idempotent(ctx, person, idempotency_key, {"op": "pool_retire", "p": person_id, "r": body.reason},
                      act, out=AnyOut)


@router.post("/experts/{person_id}/disqualify", response_model=AnyOut, responses=WRITE_ERRORS)
def disqualify_expert(ctx: CtxDep, person: CurrentPerson, person_id: RecordId, body: DisqualifyIn,
                      idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """Art. 41: disqualify an expert (取消资格): out of the pool and refused by every later selection."""
    def act() -> dict[str, Any]:
        experts.disqualify(ctx, person, person_id, reason=body.reason)
        return {"person_id": person_id, "active": False, "disqualified": True}
    return idempotent(ctx, person, idempotency_key, {"op": "pool_disqualify", "p": person_id, "r": body.reason},
                      act, out=AnyOut)


@router.post("/decisions/{decision_id}/expert-selection", response_model=ResultOut, status_code=201,
             responses=WRITE_ERRORS)
def select_experts(ctx: CtxDep, person: CurrentPerson, decision_id: DecisionId, body: SelectionIn,
                   idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """The undertaking unit selects the experts (the selection note's one door, AR14; R9, Arts. 20–21, 41)."""
    return idempotent(ctx, person, idempotency_key, {"op": "expert_selection", "d": decision_id,
                                                     **body.model_dump()},
                      lambda: experts.select_experts(ctx, person, decision_id, **body.model_dump()),
                      out=ResultOut, status_code=201)


@router.post("/decisions/{decision_id}/expert-opinions", response_model=ResultOut, status_code=201,
             responses=WRITE_ERRORS)
def expert_opinion(ctx: CtxDep, person: CurrentPerson, decision_id: DecisionId, body: ExpertOpinionIn,
                   idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """A selected expert without a declared direct interest submits a signed opinion (R9, SoD2, Art. 19);
    dissent is kept as written."""
    return idempotent(ctx, person, idempotency_key, {"op": "expert_opinion", "d": decision_id, **body.model_dump()},
                      lambda: experts.submit_opinion(ctx, person, decision_id, opinion=body.opinion,
                                                     dissenting=body.dissenting), out=ResultOut, status_code=201)


# ------------------------------------------------------------------------------------------- hearings
@router.get("/decisions/{decision_id}/hearing", response_model=AnyOut, responses=READ_ERRORS)
def hearing(ctx: CtxDep, person: CurrentPerson, decision_id: DecisionId) -> Any:
    """The hearing: notice, selection method, participants, deliveries with days ahead, records and who
    confirmed them (R7, Arts. 16–17)."""
    access.require_reader(ctx, person, decision_id)
    return hearings.hearing_status(ctx, decision_id)


@router.post("/decisions/{decision_id}/hearing/records", response_model=ResultOut, status_code=201,
             responses=WRITE_ERRORS)
def present_record(ctx: CtxDep, person: CurrentPerson, decision_id: DecisionId,
                   file: Annotated[UploadFile, File(description="The hearing record (PDF, text, …)")],
                   idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """The organiser presents the hearing record for each participant to confirm (R7, Art. 17)."""
    data, media, name = read_upload(ctx, file, "hearing-record")
    return idempotent(ctx, person, idempotency_key, {"op": "hearing_record", "d": decision_id, "media": media,
                                                     "sha": hashlib.sha256(data).hexdigest()},
                      lambda: hearings.present_record(ctx, person, decision_id, content=data, media_type=media,
                                                      filename=name), out=ResultOut, status_code=201)


@router.post("/decisions/{decision_id}/hearing/confirmations", response_model=ResultOut, responses=WRITE_ERRORS)
def confirm_record(ctx: CtxDep, person: CurrentPerson, decision_id: DecisionId, body: ConfirmRecordIn,
                   idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """A listed participant confirms and signs the presented record with their own credential (SoD5)."""
    return idempotent(ctx, person, idempotency_key, {"op": "hearing_confirm", "d": decision_id, **body.model_dump()},
                      lambda: hearings.confirm_record(ctx, person, decision_id, body.sha256, body.remarks),
                      out=ResultOut)


@router.post("/decisions/{decision_id}/hearing/participants", response_model=ResultOut, status_code=201,
             responses=WRITE_ERRORS)
def publish_participants(ctx: CtxDep, person: CurrentPerson, decision_id: DecisionId, body: ParticipantsIn,
                         idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """Publish the participant list after the selection, before the hearing (its one door, AR14; R7,
    Art. 16; SoD5, Art. 17: each a registered hearing participant who will confirm the record)."""
    args = body.model_dump(mode="json")
    return idempotent(ctx, person, idempotency_key, {"op": "hearing_participants", "d": decision_id, **args},
                      lambda: hearings.publish_participants(ctx, person, decision_id, participants=body.participants,
                                                            selected_at=args["selected_at"],
                                                            published_at=args["published_at"]),
                      out=ResultOut, status_code=201)


@router.post("/decisions/{decision_id}/hearing/record", response_model=ResultOut, status_code=201,
             responses=WRITE_ERRORS)
def record_hearing_record(ctx: CtxDep, person: CurrentPerson, decision_id: DecisionId, body: HearingRecordIn,
                          idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """The hearing record, once every listed participant has confirmed it, becomes the hearing gate's
    artifact (its one door, AR14; R7, SoD5, Art. 17)."""
    held_on = body.held_on.isoformat() if body.held_on else None
    return idempotent(ctx, person, idempotency_key, {"op": "hearing_record_gate", "d": decision_id,
                                                     **body.model_dump(mode="json")},
                      lambda: hearings.record_hearing_record(ctx, person, decision_id, sha256=body.sha256,
                                                             summary=body.summary, held_on=held_on,
                                                             presentation=body.presentation,
                                                             statements=body.statements),
                      out=ResultOut, status_code=201)


# ------------------------------------------------------------------------------------------- after the decision
@router.post("/decisions/{decision_id}/execution-units", response_model=ResultOut, status_code=201,
             responses=WRITE_ERRORS)
def designate_execution_units(ctx: CtxDep, person: CurrentPerson, decision_id: DecisionId, body: DesignationIn,
                              idempotency_key: IdempotencyKey = None, if_match: IfMatch = None) -> JSONResponse:
    """The organ designates the execution units (the designation's one door, AR14; R19, Art. 34)."""
    seq = expected_seq(body.expected_seq, if_match)
    return idempotent(ctx, person, idempotency_key, {"op": "designation", "d": decision_id, "u": body.units,
                                                     "r": body.reason, "seq": seq},
                      lambda: execution.designate_execution_units(ctx, person, decision_id, body.units,
                                                                  reason=body.reason, expected_seq=seq),
                      out=ResultOut, status_code=201)


@router.post("/decisions/{decision_id}/evaluation-reports", response_model=ResultOut, status_code=201,
             responses=WRITE_ERRORS)
def evaluation_report(ctx: CtxDep, person: CurrentPerson, decision_id: DecisionId, body: EvaluationReportIn,
                      idempotency_key: IdempotencyKey = None, if_match: IfMatch = None) -> JSONResponse:
    """The commissioned evaluator's report (the evaluation report's one door, AR14; R21, SoD3, Art. 36)."""
    seq = expected_seq(body.expected_seq, if_match)
    args = body.model_dump(exclude={"expected_seq"})
    return idempotent(ctx, person, idempotency_key, {"op": "evaluation_report", "d": decision_id, **args,
                                                     "seq": seq},
                      lambda: execution.evaluate(ctx, person, decision_id, expected_seq=seq, **args),
                      out=ResultOut, status_code=201)


# ------------------------------------------------------------------------------------------- legality review
@router.post("/decisions/{decision_id}/legality/supplement-requests", response_model=ResultOut,
             responses=WRITE_ERRORS)
def request_supplement(ctx: CtxDep, person: CurrentPerson, decision_id: DecisionId, body: SupplementRequestIn,
                       idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """The legal office asks for supplementary material; the review clock stops until it arrives (R11,
    Art. 26). The unit answers with a `legality_supplement` artifact."""
    return idempotent(ctx, person, idempotency_key, {"op": "supplement", "d": decision_id, **body.model_dump()},
                      lambda: legality.request_supplement(ctx, person, decision_id, items=body.items,
                                                          reason=body.reason), out=ResultOut)


# ------------------------------------------------------------------------------------------- publication
@router.post("/decisions/{decision_id}/publish", response_model=ResultOut, status_code=201,
             responses=WRITE_ERRORS)
def publish(ctx: CtxDep, person: CurrentPerson, decision_id: DecisionId, body: PublishIn,
            idempotency_key: IdempotencyKey = None, if_match: IfMatch = None) -> JSONResponse:
    """Publish a finalized decision through its channels; whether it met the deadline (20 working days by
    the profile default) is recorded with it (R17, Art. 32)."""
    seq = expected_seq(body.expected_seq, if_match)
    args = body.model_dump(mode="json", exclude={"expected_seq"}, exclude_none=True)
    return idempotent(ctx, person, idempotency_key, {"op": "publish", "d": decision_id, **args, "seq": seq},
                      lambda: publication.publish(ctx, person, decision_id, expected_seq=seq, **args),
                      out=ResultOut, status_code=201)


@router.post("/decisions/{decision_id}/withhold", response_model=ResultOut, responses=WRITE_ERRORS)
def withhold(ctx: CtxDep, person: CurrentPerson, decision_id: DecisionId, body: WithholdIn,
             idempotency_key: IdempotencyKey = None, if_match: IfMatch = None) -> JSONResponse:
    """Not published by law: the basis recorded and the publication gate exempted at once; the public
    docket still discloses the basis (R17, Art. 32)."""
    seq = expected_seq(body.expected_seq, if_match)
    return idempotent(ctx, person, idempotency_key, {"op": "withhold", "d": decision_id, "l": body.legal_ref,
                                                     "r": body.reason, "seq": seq},
                      lambda: publication.withhold(ctx, person, decision_id, legal_ref=body.legal_ref,
                                                   reason=body.reason, expected_seq=seq), out=ResultOut)


# ------------------------------------------------------------------------------------------- documents
@router.get("/decisions/{decision_id}/documents", responses=READ_ERRORS)
def list_documents(ctx: CtxDep, person: CurrentPerson, decision_id: DecisionId) -> list[dict[str, Any]]:
    """The official documents rendered from the decision's record, with template and output hashes."""
    access.require_reader(ctx, person, decision_id)
    return documents.list_documents(ctx, decision_id)


@router.post("/decisions/{decision_id}/documents/{kind}", response_model=AnyOut, status_code=201,
             responses=WRITE_ERRORS)
def render_document(ctx: CtxDep, person: CurrentPerson, decision_id: DecisionId, kind: DocKind,
                    body: RenderIn | None = None, idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """Render one official document (公文) from the record to HTML and PDF and record the rendering with
    its template and output hashes (Art. 33); the same basis gives back the rendering already recorded."""
    artifact_id = body.artifact_id if body else None
    return idempotent(ctx, person, idempotency_key, {"op": "render", "d": decision_id, "k": kind, "a": artifact_id},
                      lambda: documents.render(ctx, decision_id, kind, artifact_id=artifact_id, person_id=person),
                      out=AnyOut, status_code=201)


@router.get("/documents/{doc_id}", response_model=AnyOut, responses=READ_ERRORS)
def get_document(ctx: CtxDep, person: CurrentPerson, doc_id: RecordId) -> Any:
    """A rendering's record: kind, basis, template name and hash, HTML and PDF hashes."""
    access.require_reader(ctx, person)
    doc = documents.get_document(ctx, doc_id)
    access.require_reader(ctx, person, str(doc["decision_id"]))  # AR13: a relation to the document's decision
    return doc


@router.get("/documents/{doc_id}/content", responses={200: {"content": {"text/html": {}, "application/pdf": {}}},
                                                       **READ_ERRORS})
def document_content(ctx: CtxDep, person: CurrentPerson, doc_id: RecordId,
                     format: Annotated[str, Query(pattern="^(html|pdf)$")] = "pdf") -> Response:
    """The rendered bytes, checked against their recorded hash before they leave."""
    access.require_reader(ctx, person, str(documents.get_document(ctx, doc_id)["decision_id"]))  # AR13
    doc, data, media = documents.document_bytes(ctx, doc_id, format)
    name = quote(f"{doc['title']}.{format}")
    return Response(data, media_type=media, headers={
        "content-disposition": f"attachment; filename*=UTF-8''{name}", "x-content-type-options": "nosniff",
        "content-security-policy": document_csp(data)})


# ------------------------------------------------------------------------------------------- work
@router.get("/work", response_model=AnyOut, responses=READ_ERRORS)
def work_queue(ctx: CtxDep, person: CurrentPerson) -> Any:
    """What waits for me: every pending act of my roles, soonest statutory deadline first."""
    return work.work_queue(ctx, person)


@router.get("/notifications", responses=READ_ERRORS)
def inbox(ctx: CtxDep, person: CurrentPerson, unread: bool = False,
          limit: Annotated[int, Query(ge=1, le=200)] = 50) -> list[dict[str, Any]]:
    """My reminders and escalations (R22, Art. 42), the most recent first."""
    return notifications.inbox(ctx, person, unread_only=unread, limit=limit)


@router.post("/notifications/{notification_id}/read", response_model=AnyOut, responses=WRITE_ERRORS)
def mark_read(ctx: CtxDep, person: CurrentPerson, notification_id: RecordId) -> Any:
    """The recipient marks a notification read (recorded on the decision's notification stream)."""
    notifications.mark_read(ctx, person, notification_id)
    return {"notification_id": notification_id, "read": True}
