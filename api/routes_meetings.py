"""The collective decision over HTTP (issue 5; S5, R14–R16, SoD4, SoD8, Arts. 29–31): convene an executive
or plenary meeting, place ready decisions on its agenda with their packets assembled from the record, call
the roll, record recusals and opinions in speaking order (the head last), the head's decision on each item,
the minutes generated from the record and confirmed by the secretariat and the head; and the reports before
issuance (Party committee, people's congress). Each route is one service call; the services and the domain
decide who may act and refuse with the rule and article."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response
from fastapi.responses import JSONResponse
from pydantic import AfterValidator, Field

from api.deps import CtxDep, CurrentPerson, IdempotencyKey, idempotent
from api.errors import READ_ERRORS, WRITE_ERRORS
from api.middleware import document_csp
from api.schemas import AnyOut, Code, DecisionId, Ident, In, Name, Reason, RecordId, Text, sane_date
from decision_engine.services import access, meetings

router = APIRouter(prefix="/api/v1", tags=["collective decision"])

ItemNo = Annotated[int, Path(ge=1, le=500, description="The agenda item's number (1, 2, …)")]
People = Annotated[list[Ident], Field(min_length=1, max_length=200)]


class ConveneIn(In):
    """Convene an executive (常务会议) or plenary (全体会议) meeting; a circulated sign-off is no meeting."""

    # Any short code: the domain refuses anything but executive or plenary with its rule (R15, Art. 30 ¶1),
    # so a circulated sign-off is answered with the law, not a bare schema error.
    meeting_type: Annotated[str, Field(min_length=1, max_length=40, description="executive (常务会议) or "
                                       "plenary (全体会议), R15, Art. 30 ¶1")]
    title: Name
    held_on: Annotated[date, AfterValidator(sane_date)]
    head: Ident
    members: People
    profile: Code = "order713"


class AgendaIn(In):
    decision_id: Ident


class ChangeIn(In):
    """A change of a decided decision tabled for the organ's collective decision (R20, Arts. 30, 37)."""

    decision_id: Ident
    change: Annotated[str, Field(min_length=1, max_length=40, description="terminate (终止执行) or adjust (重大调整)")]
    reason: Reason


class ChangeDecisionIn(In):
    """The presiding head's decision on a tabled change: adopt, reject or defer (R20, SoD4, Art. 30)."""

    outcome: Annotated[str, Field(min_length=1, max_length=40, description="adopt, reject or defer")]
    head_reasons: Text = ""


class AttendanceIn(In):
    present: People


class RecusalIn(In):
    member: Ident
    reason: Reason


class OpinionIn(In):
    speaker: Ident
    position: Annotated[str, Field(pattern="^(support|oppose|abstain)$")]
    text: Annotated[str, Field(min_length=1, max_length=10_000)]


class TallyIn(In):
    support: Annotated[int, Field(ge=0, le=1_000)] = 0
    oppose: Annotated[int, Field(ge=0, le=1_000)] = 0
    abstain: Annotated[int, Field(ge=0, le=1_000)] = 0


class ItemDecisionIn(In):
    """The head's decision: adopt, adopt with amendments, defer, send back (naming the gates it reopens),
    reject; the reasons when it departs from the majority of opinions (R15, Art. 30)."""

    # Any short code: the domain refuses an unknown outcome with its rule (R15, Art. 30).
    outcome: Annotated[str, Field(min_length=1, max_length=40, description="adopt, adopt_with_amendments, "
                                  "defer, send_back or reject")]
    head_reasons: Text = ""
    amendments: Text = ""
    reopen_gates: Annotated[list[Code], Field(default_factory=list, max_length=20)]
    reason: Text = ""
    tally: TallyIn | None = None
    # R10, Art. 24: where a risk was assessed, the organ records its own judgment that it is controllable.
    risk_judgment: Annotated[str, Field(max_length=40, description="controllable (决策机关认为风险可控)")] = ""
    # R15, Arts. 12 ¶4, 30: where the draft offers two or more options, the one the meeting chose.
    option_chosen: Annotated[str, Field(max_length=80)] = ""


class CorrectionIn(In):
    reason: Reason
    corrections: Annotated[list[Annotated[str, Field(min_length=1, max_length=2_000)]],
                           Field(min_length=1, max_length=100)]


class ConfirmIn(In):
    version: Annotated[int, Field(ge=1, le=1_000)]
    sha256: Annotated[str, Field(pattern="^[0-9a-f]{64}$")]
    capacity: Annotated[str, Field(pattern="^(secretariat|head)$")]


class PartyReportIn(In):
    reported_to: Name
    reported_at: Annotated[date | None, AfterValidator(sane_date)] = None
    summary: Text = ""


class NpcIn(In):
    procedure: Reason
    outcome: Reason


def _run(ctx: CtxDep, person: str, key: str | None, fingerprint: dict[str, Any], action: Any,
         status_code: int = 200) -> JSONResponse:
    return idempotent(ctx, person, key, fingerprint, action, out=AnyOut, status_code=status_code)


@router.post("/meetings", response_model=AnyOut, status_code=201, responses=WRITE_ERRORS)
def convene(ctx: CtxDep, person: CurrentPerson, body: ConveneIn,
            idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """Convene a meeting; the quorum is the profile's setting (R15, Art. 30). The secretariat, the organ or
    the head convenes."""
    args = body.model_dump(mode="json")
    return _run(ctx, person, idempotency_key, {"op": "convene", **args},
                lambda: meetings.convene(ctx, person, **args), status_code=201)


@router.get("/meetings", responses=READ_ERRORS)
def list_meetings(ctx: CtxDep, person: CurrentPerson,
                  limit: Annotated[int, Query(ge=1, le=200)] = 50) -> list[dict[str, Any]]:
    """Meetings, the most recent first."""
    access.require_reader(ctx, person)
    return meetings.list_meetings(ctx, limit=limit)


@router.get("/meetings/{meeting_id}", response_model=AnyOut, responses=READ_ERRORS)
def get_meeting(ctx: CtxDep, person: CurrentPerson, meeting_id: RecordId) -> Any:
    """A meeting: agenda with packets, roll, recusals, opinions in speaking order, outcomes, minutes."""
    access.require_reader(ctx, person)
    return meetings.get_meeting(ctx, meeting_id)


@router.post("/meetings/{meeting_id}/agenda", response_model=AnyOut, responses=WRITE_ERRORS)
def place_on_agenda(ctx: CtxDep, person: CurrentPerson, meeting_id: RecordId, body: AgendaIn,
                    idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """Place a decision whose pre-decision gates are all satisfied on the agenda, with its packet
    assembled from the record (R14, Art. 29)."""
    return _run(ctx, person, idempotency_key, {"op": "agenda", "m": meeting_id, "d": body.decision_id},
                lambda: meetings.place_on_agenda(ctx, person, meeting_id, body.decision_id))


@router.post("/meetings/{meeting_id}/changes", response_model=AnyOut, responses=WRITE_ERRORS)
def table_change(ctx: CtxDep, person: CurrentPerson, meeting_id: RecordId, body: ChangeIn,
                 idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """Table the termination (终止执行) or a major adjustment (重大调整) of a decided decision of this
    meeting's organ for its collective decision (R20, Arts. 30, 37)."""
    return _run(ctx, person, idempotency_key, {"op": "change", "m": meeting_id, **body.model_dump()},
                lambda: meetings.table_change(ctx, person, meeting_id, body.decision_id, change=body.change,
                                              reason=body.reason))


@router.post("/meetings/{meeting_id}/items/{item_no}/change-decision", response_model=AnyOut,
             responses=WRITE_ERRORS)
def decide_change(ctx: CtxDep, person: CurrentPerson, meeting_id: RecordId, item_no: ItemNo,
                  body: ChangeDecisionIn, idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """The presiding head decides a tabled change once every present member has spoken, the head last
    (R20, SoD4, Arts. 30, 37); an adopted change is then carried out (terminate, adjustments)."""
    return _run(ctx, person, idempotency_key, {"op": "decide_change", "m": meeting_id, "i": item_no,
                                               **body.model_dump()},
                lambda: meetings.decide_change(ctx, person, meeting_id, item_no, outcome=body.outcome,
                                               head_reasons=body.head_reasons))


@router.post("/meetings/{meeting_id}/attendance", response_model=AnyOut, responses=WRITE_ERRORS)
def attendance(ctx: CtxDep, person: CurrentPerson, meeting_id: RecordId, body: AttendanceIn,
               idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """Call the roll (the secretariat); without a quorum there is no meeting (R15, Art. 30)."""
    return _run(ctx, person, idempotency_key, {"op": "roll", "m": meeting_id, "present": body.present},
                lambda: meetings.record_attendance(ctx, person, meeting_id, list(body.present)))


@router.post("/meetings/{meeting_id}/items/{item_no}/recusals", response_model=AnyOut, responses=WRITE_ERRORS)
def recuse(ctx: CtxDep, person: CurrentPerson, meeting_id: RecordId, item_no: ItemNo, body: RecusalIn,
           idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """A member steps aside from one item, with the reason (R15)."""
    return _run(ctx, person, idempotency_key, {"op": "recuse", "m": meeting_id, "i": item_no, **body.model_dump()},
                lambda: meetings.recuse(ctx, person, meeting_id, item_no, body.member, body.reason))


@router.post("/meetings/{meeting_id}/items/{item_no}/opinions", response_model=AnyOut, responses=WRITE_ERRORS)
def opinion(ctx: CtxDep, person: CurrentPerson, meeting_id: RecordId, item_no: ItemNo, body: OpinionIn,
            idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """A member's opinion in speaking order, dissent verbatim; the head speaks last (R15, SoD4, Art. 30).
    Recorded by the member or, for them, by the secretariat."""
    return _run(ctx, person, idempotency_key, {"op": "opinion", "m": meeting_id, "i": item_no, **body.model_dump()},
                lambda: meetings.record_opinion(ctx, person, meeting_id, item_no, speaker=body.speaker,
                                                position=body.position, text=body.text))


@router.post("/meetings/{meeting_id}/items/{item_no}/decision", response_model=AnyOut, responses=WRITE_ERRORS)
def decide(ctx: CtxDep, person: CurrentPerson, meeting_id: RecordId, item_no: ItemNo, body: ItemDecisionIn,
           idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """The presiding head decides the item once every present member has spoken (SoD4, R15, Art. 30); the
    decision's `meeting_record` is recorded in the same transaction."""
    args = body.model_dump(exclude_none=True)
    return _run(ctx, person, idempotency_key, {"op": "decide", "m": meeting_id, "i": item_no, **args},
                lambda: meetings.decide_item(ctx, person, meeting_id, item_no, **args))


@router.post("/meetings/{meeting_id}/minutes", response_model=AnyOut, status_code=201, responses=WRITE_ERRORS)
def minutes(ctx: CtxDep, person: CurrentPerson, meeting_id: RecordId,
            idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """Generate the minutes from the meeting's record (the secretariat, SoD8; R15, Art. 30)."""
    return _run(ctx, person, idempotency_key, {"op": "minutes", "m": meeting_id},
                lambda: meetings.generate_minutes(ctx, person, meeting_id), status_code=201)


@router.post("/meetings/{meeting_id}/minutes/corrections", response_model=AnyOut, status_code=201,
             responses=WRITE_ERRORS)
def correct(ctx: CtxDep, person: CurrentPerson, meeting_id: RecordId, body: CorrectionIn,
            idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """A correction is a new version of the minutes with its reason, to be confirmed again (R18, Art. 33)."""
    return _run(ctx, person, idempotency_key, {"op": "correct", "m": meeting_id, **body.model_dump()},
                lambda: meetings.correct_minutes(ctx, person, meeting_id, reason=body.reason,
                                                 corrections=list(body.corrections)), status_code=201)


@router.post("/meetings/{meeting_id}/minutes/confirmations", response_model=AnyOut, responses=WRITE_ERRORS)
def confirm(ctx: CtxDep, person: CurrentPerson, meeting_id: RecordId, body: ConfirmIn,
            idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """Confirm the latest minutes, naming its version and SHA-256: by the secretariat (never the head as
    secretary, SoD8) and by the head."""
    return _run(ctx, person, idempotency_key, {"op": "confirm", "m": meeting_id, **body.model_dump()},
                lambda: meetings.confirm_minutes(ctx, person, meeting_id, version=body.version,
                                                 sha256=body.sha256, capacity=body.capacity))


@router.get("/meetings/{meeting_id}/minutes", responses={200: {"content": {"text/html": {}}}, **READ_ERRORS})
def minutes_document(ctx: CtxDep, person: CurrentPerson, meeting_id: RecordId,
                     version: Annotated[int | None, Query(ge=1, le=1_000)] = None) -> Response:
    """The minutes as generated (the latest version unless one is named), with their SHA-256."""
    access.require_reader(ctx, person)
    meta, content = meetings.minutes_content(ctx, meeting_id, version)
    return Response(content, media_type="text/html; charset=utf-8", headers={
        "x-content-sha256": str(meta["sha256"]), "content-security-policy": document_csp(content)})


@router.get("/decisions/{decision_id}/meeting-packet", response_model=AnyOut, responses=READ_ERRORS)
def packet(ctx: CtxDep, person: CurrentPerson, decision_id: DecisionId) -> Any:
    """The packet the decision would carry onto an agenda now, assembled from the record (R14, Art. 29);
    409 naming every missing item when a pre-decision gate is not satisfied."""
    access.require_reader(ctx, person, decision_id)
    return meetings.packet_preview(ctx, decision_id)


@router.post("/decisions/{decision_id}/party-report", response_model=AnyOut, status_code=201,
             responses=WRITE_ERRORS)
def party_report(ctx: CtxDep, person: CurrentPerson, decision_id: DecisionId, body: PartyReportIn,
                 idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """The report to the same-level Party committee before issuance (R16, SoD7, Art. 31)."""
    args = body.model_dump(mode="json", exclude_none=True)
    return _run(ctx, person, idempotency_key, {"op": "party", "d": decision_id, **args},
                lambda: meetings.report_to_party(ctx, person, decision_id, **args), status_code=201)


@router.post("/decisions/{decision_id}/npc-procedure", response_model=AnyOut, status_code=201,
             responses=WRITE_ERRORS)
def npc(ctx: CtxDep, person: CurrentPerson, decision_id: DecisionId, body: NpcIn,
        idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """The people's congress procedure, when the matter belongs to it (R16, Art. 8)."""
    return _run(ctx, person, idempotency_key, {"op": "npc", "d": decision_id, **body.model_dump()},
                lambda: meetings.record_npc_procedure(ctx, person, decision_id, procedure=body.procedure,
                                                      outcome=body.outcome), status_code=201)
