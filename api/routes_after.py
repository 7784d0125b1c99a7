"""After the decision over HTTP (issue 6; S7–S8, R19–R22, SoD3, SoD6, Arts. 34–41): the execution picture,
termination and major adjustment, the organ's decision on an evaluation, the public's opinions on execution,
accountability cases, the responsibility ledger and the trace-back reports, and the per-unit report (JSON or
CSV). Execution reports, KPIs, designations and evaluation reports are artifacts of their kinds
(`POST /decisions/{id}/artifacts`). Each route is one service call; the services decide who may act."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response
from fastapi.responses import JSONResponse
from pydantic import AfterValidator, Field

from api.deps import CtxDep, CurrentPerson, IdempotencyKey, IfMatch, expected_seq, idempotent
from api.errors import READ_ERRORS, WRITE_ERRORS, responses
from api.schemas import (
    AnyOut,
    Code,
    DecisionId,
    ExpectedSeq,
    Ident,
    In,
    Reason,
    RecordId,
    ResultOut,
    Text,
    Unit,
    sane_date,
)
from decision_engine.services import access, accountability, execution, reports

router = APIRouter(prefix="/api/v1", tags=["after the decision"])

PUBLIC_ERRORS = responses(400, 404, 409, 422, 429, 503)
Tracking = Annotated[str, Path(min_length=6, max_length=40, pattern=r"^[A-Z]{2}-[0-9]{8}-[0-9A-F]{10}$")]
Short = Annotated[str, Field(min_length=1, max_length=500)]


class TerminateIn(In):
    """Stop a decided decision on its stated basis (the head or the organ; R20, SoD6, Art. 37)."""

    basis: Reason
    reason: Reason
    basis_ref: Annotated[str, Field(max_length=80)] = ""
    meeting_id: Annotated[str | None, Field(max_length=80, description="the meeting that adopted the change "
                                                                         "(R20, Arts. 30, 37)")] = None
    item_no: Annotated[int | None, Field(ge=1, le=500, description="its change item")] = None
    expected_seq: ExpectedSeq = None


class AdjustmentIn(In):
    """A major adjustment reruns the procedure as a new decision linked to this one (R20, Art. 37)."""

    title: Annotated[str, Field(min_length=1, max_length=500)]
    reason: Reason
    unit: Unit | None = None
    due_by: Annotated[date | None, AfterValidator(sane_date)] = None
    summary: Text = ""
    basis_ref: Annotated[str, Field(max_length=80)] = ""
    profile: Code | None = None
    meeting_id: Annotated[str | None, Field(max_length=80, description="the meeting that adopted the change "
                                                                         "(R20, Arts. 30, 37)")] = None
    item_no: Annotated[int | None, Field(ge=1, le=500, description="its change item")] = None


class EvaluationDecisionIn(In):
    """The organ's decision on an evaluation report: continue, adjust or stop (R21, Art. 36)."""

    outcome: Annotated[str, Field(pattern="^(continue|adjust|stop)$")]
    reasons: Reason
    expected_seq: ExpectedSeq = None


class SupervisionIn(In):
    """The organ's supervision and check of the execution (督促检查, R19, Art. 34)."""

    findings: Reason
    instructions: Text = ""
    units: Annotated[list[Unit], Field(default_factory=list, max_length=50)]
    due_by: Annotated[date | None, AfterValidator(sane_date)] = None
    expected_seq: ExpectedSeq = None


class CorrectionOrderIn(In):
    """The superior organ's order to correct a breach (责令改正, ACC5, Art. 38 ¶1)."""

    breach: Reason
    findings: Reason
    required: Reason
    due_by: Annotated[date | None, AfterValidator(sane_date)] = None
    expected_seq: ExpectedSeq = None


class CorrectionReportIn(In):
    """The decision organ's report on the correction (ACC5, Art. 38 ¶1)."""

    report: Reason
    expected_seq: ExpectedSeq = None


class ExecutionOpinionIn(In):
    """A member of the public on the execution of a decision (Art. 34); identity optional, never shown."""

    text: Annotated[str, Field(min_length=1, max_length=5_000)]
    name: Annotated[str, Field(max_length=200)] = ""
    contact: Annotated[str, Field(max_length=200)] = ""


class GroundIn(In):
    article: Annotated[str, Field(min_length=1, max_length=60, description="Art. 38, 39, 40 or 41")]
    text: Reason


class CasePersonIn(In):
    person: Ident
    capacity: Annotated[str, Field(pattern="^(head|leader|direct|undertaking|execution|expert)$")]
    finding: Text = ""
    responsible: bool | None = None


class CaseOpenIn(In):
    grounds: Annotated[list[GroundIn], Field(min_length=1, max_length=20)]
    persons: Annotated[list[CasePersonIn], Field(min_length=1, max_length=100)]
    summary: Text = ""


class FindingsIn(In):
    findings: Reason
    persons: Annotated[list[CasePersonIn], Field(default_factory=list, max_length=100)]


class SanctionIn(In):
    person: Ident
    measure: Short
    basis: Short
    dissent_considered: Text = ""


class CaseCloseIn(In):
    outcome: Annotated[str, Field(pattern="^(no_liability|corrected|sanctioned|disqualified|referred)$")]
    sanctions: Annotated[list[SanctionIn], Field(default_factory=list, max_length=100)]
    reason: Text = ""


def _dump(items: list[Any]) -> list[dict[str, Any]]:
    return [i.model_dump(exclude_none=True) for i in items]


# ------------------------------------------------------------------------------------------- execution
@router.get("/decisions/{decision_id}/execution", response_model=AnyOut, responses=READ_ERRORS)
def execution_view(ctx: CtxDep, person: CurrentPerson, decision_id: DecisionId) -> Any:
    """Execution units, KPIs with baseline and target, milestones, reports, obligations from the risk and
    legality stages, problems, suspensions, evaluations (R19–R21)."""
    access.require_reader(ctx, person, decision_id)
    return execution.execution_view(ctx, decision_id)


@router.post("/decisions/{decision_id}/terminate", response_model=ResultOut, responses=WRITE_ERRORS)
def terminate(ctx: CtxDep, person: CurrentPerson, decision_id: DecisionId, body: TerminateIn,
              idempotency_key: IdempotencyKey = None, if_match: IfMatch = None) -> JSONResponse:
    """Terminate (终止执行) with the basis, carrying out the change item adopted at the organ's meeting
    (meeting_id, item_no): the head or the organ (R20, SoD6, Arts. 30, 35, 37)."""
    seq = expected_seq(body.expected_seq, if_match)
    return idempotent(ctx, person, idempotency_key, {"op": "terminate", "d": decision_id, **body.model_dump(),
                                                     "seq": seq},
                      lambda: execution.terminate(ctx, person, decision_id, basis=body.basis, reason=body.reason,
                                                  basis_ref=body.basis_ref, meeting_id=body.meeting_id,
                                                  item_no=body.item_no, expected_seq=seq), out=ResultOut)


@router.post("/decisions/{decision_id}/adjustments", response_model=ResultOut, status_code=201,
             responses=WRITE_ERRORS)
def adjustment(ctx: CtxDep, person: CurrentPerson, decision_id: DecisionId, body: AdjustmentIn,
               idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """Open a major adjustment: a new decision running the procedure again, linked both ways; the original
    stays intact (R20, SoD6, Art. 37). Answers with the new decision."""
    args = body.model_dump(mode="json", exclude_none=True)
    return idempotent(ctx, person, idempotency_key, {"op": "adjust", "d": decision_id, **args},
                      lambda: execution.open_adjustment(ctx, person, decision_id, **args), out=ResultOut,
                      status_code=201)


@router.post("/decisions/{decision_id}/evaluations/{evaluation_id}/decision", response_model=ResultOut,
             responses=WRITE_ERRORS)
def evaluation_decision(ctx: CtxDep, person: CurrentPerson, decision_id: DecisionId, evaluation_id: RecordId,
                        body: EvaluationDecisionIn, idempotency_key: IdempotencyKey = None,
                        if_match: IfMatch = None) -> JSONResponse:
    """The organ's conclusion on the evaluation report: continue, adjust or stop (R21, Art. 36); an
    adjustment or a stop is then tabled and decided at the organ's meeting (R20, Arts. 30, 37)."""
    seq = expected_seq(body.expected_seq, if_match)
    return idempotent(ctx, person, idempotency_key, {"op": "evaluation", "d": decision_id, "e": evaluation_id,
                                                     "o": body.outcome, "r": body.reasons, "seq": seq},
                      lambda: execution.decide_on_evaluation(ctx, person, decision_id, evaluation_id,
                                                             outcome=body.outcome, reasons=body.reasons,
                                                             expected_seq=seq), out=ResultOut)


@router.post("/decisions/{decision_id}/supervisions", response_model=ResultOut, status_code=201,
             responses=WRITE_ERRORS)
def supervision(ctx: CtxDep, person: CurrentPerson, decision_id: DecisionId, body: SupervisionIn,
                idempotency_key: IdempotencyKey = None, if_match: IfMatch = None) -> JSONResponse:
    """The decision organ supervises and checks the execution: findings, instructions to the designated
    units, a date to rectify by (督促检查, R19, Art. 34)."""
    seq = expected_seq(body.expected_seq, if_match)
    args = body.model_dump(mode="json", exclude={"expected_seq"})
    return idempotent(ctx, person, idempotency_key, {"op": "supervise", "d": decision_id, **args, "seq": seq},
                      lambda: execution.supervise(ctx, person, decision_id, **args, expected_seq=seq),
                      out=ResultOut, status_code=201)


@router.post("/decisions/{decision_id}/corrections", response_model=ResultOut, status_code=201,
             responses=WRITE_ERRORS)
def correction_order(ctx: CtxDep, person: CurrentPerson, decision_id: DecisionId, body: CorrectionOrderIn,
                     idempotency_key: IdempotencyKey = None, if_match: IfMatch = None) -> JSONResponse:
    """The superior organ of this decision's organ orders it to correct a breach (责令改正, ACC5,
    Art. 38 ¶1); the order's id is in the stored event."""
    seq = expected_seq(body.expected_seq, if_match)
    args = body.model_dump(mode="json", exclude={"expected_seq"})
    return idempotent(ctx, person, idempotency_key, {"op": "correction", "d": decision_id, **args, "seq": seq},
                      lambda: execution.order_correction(ctx, person, decision_id, **args, expected_seq=seq),
                      out=ResultOut, status_code=201)


@router.post("/corrections/{order_id}/report", response_model=ResultOut, responses=WRITE_ERRORS)
def correction_report(ctx: CtxDep, person: CurrentPerson, order_id: RecordId, body: CorrectionReportIn,
                      idempotency_key: IdempotencyKey = None, if_match: IfMatch = None) -> JSONResponse:
    """The decision organ reports how it corrected what it was ordered to correct (ACC5, Art. 38 ¶1)."""
    seq = expected_seq(body.expected_seq, if_match)
    return idempotent(ctx, person, idempotency_key, {"op": "correction_report", "o": order_id,
                                                     "r": body.report, "seq": seq},
                      lambda: execution.report_correction(ctx, person, order_id, report=body.report,
                                                          expected_seq=seq), out=ResultOut)


@router.post("/public/decisions/{decision_id}/execution-opinions", response_model=AnyOut, status_code=201,
             responses=PUBLIC_ERRORS, tags=["public"])
def execution_opinion(ctx: CtxDep, decision_id: DecisionId, body: ExecutionOpinionIn) -> JSONResponse:
    """The public's opinion on how a decided decision is executed (Art. 34): no login, a tracking number
    at once; the identity, if given, is kept apart and never shown (rate-limited)."""
    return JSONResponse(execution.submit_opinion(ctx, decision_id, body.text, name=body.name,
                                                 contact=body.contact), status_code=201)


@router.get("/public/execution-opinions/{tracking_number}", response_model=AnyOut, responses=PUBLIC_ERRORS,
            tags=["public"])
def execution_opinion_status(ctx: CtxDep, tracking_number: Tracking) -> Any:
    """What the public sees for a tracking number of an opinion on execution (no identity)."""
    return execution.opinion_status(ctx, tracking_number)


# ------------------------------------------------------------------------------------------- accountability
@router.post("/decisions/{decision_id}/accountability-cases", response_model=AnyOut, status_code=201,
             responses=WRITE_ERRORS)
def open_case(ctx: CtxDep, person: CurrentPerson, decision_id: DecisionId, body: CaseOpenIn,
              idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """Open an accountability case: grounds citing Arts. 38–41 and the persons concerned with their
    capacity (ACC1); a person named does not open it (ACC2)."""
    grounds, persons = _dump(body.grounds), _dump(body.persons)
    return idempotent(ctx, person, idempotency_key, {"op": "case", "d": decision_id, "g": grounds, "p": persons,
                                                     "s": body.summary},
                      lambda: accountability.open_case(ctx, person, decision_id, grounds=grounds, persons=persons,
                                                       summary=body.summary), out=AnyOut, status_code=201)


@router.get("/accountability-cases", responses=READ_ERRORS)
def list_cases(ctx: CtxDep, person: CurrentPerson,
               decision_id: Annotated[str | None, Query(max_length=80)] = None,
               status: Annotated[str | None, Query(max_length=40)] = None,
               kind: Annotated[str | None, Query(max_length=40)] = None) -> list[dict[str, Any]]:
    """Accountability cases and undue-delay incidents (R22), oldest first, filtered."""
    access.require_reader(ctx, person, decision_id)
    return accountability.cases(ctx, decision_id=decision_id, status=status, kind=kind)


@router.get("/accountability-cases/{case_id}", response_model=AnyOut, responses=READ_ERRORS)
def get_case(ctx: CtxDep, person: CurrentPerson, case_id: RecordId) -> Any:
    """One case: grounds, persons, findings, outcome, sanctions with their legal basis."""
    access.require_reader(ctx, person)
    case = accountability.get_case(ctx, case_id)
    access.require_reader(ctx, person, str(case["decision_id"]))  # AR13: the case's decision is readable
    return case


@router.post("/accountability-cases/{case_id}/findings", response_model=AnyOut, responses=WRITE_ERRORS)
def findings(ctx: CtxDep, person: CurrentPerson, case_id: RecordId, body: FindingsIn,
             idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """The findings, per person: the facts and whether they are responsible (ACC2, ACC3)."""
    persons = _dump(body.persons)
    return idempotent(ctx, person, idempotency_key, {"op": "findings", "c": case_id, "f": body.findings,
                                                     "p": persons},
                      lambda: accountability.record_findings(ctx, person, case_id, findings=body.findings,
                                                             persons=persons), out=AnyOut)


@router.post("/accountability-cases/{case_id}/close", response_model=AnyOut, responses=WRITE_ERRORS)
def close_case(ctx: CtxDep, person: CurrentPerson, case_id: RecordId, body: CaseCloseIn,
               idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """The outcome with each sanction's person, measure and legal basis (ACC3); a member who dissented at
    the collective discussion is treated as Art. 38 ¶3 requires (ACC4)."""
    sanctions = _dump(body.sanctions)
    return idempotent(ctx, person, idempotency_key, {"op": "close_case", "c": case_id, "o": body.outcome,
                                                     "s": sanctions, "r": body.reason},
                      lambda: accountability.close_case(ctx, person, case_id, outcome=body.outcome,
                                                        sanctions=sanctions, reason=body.reason), out=AnyOut)


@router.get("/decisions/{decision_id}/ledger", responses=READ_ERRORS)
def ledger(ctx: CtxDep, person: CurrentPerson, decision_id: DecisionId) -> list[dict[str, Any]]:
    """Every act on the decision with the person, role and unit at that moment and the procedure version
    in force, refused attempts included (Art. 38)."""
    access.require_reader(ctx, person, decision_id)
    return accountability.ledger(ctx, decision_id)


@router.get("/decisions/{decision_id}/traceback", response_model=AnyOut, responses=READ_ERRORS)
def traceback_decision(ctx: CtxDep, person: CurrentPerson, decision_id: DecisionId) -> Any:
    """责任倒查 for a decision: who did what under which rule, dissent marked (Arts. 38–41)."""
    access.require_reader(ctx, person, decision_id)
    return accountability.traceback_decision(ctx, decision_id)


@router.get("/persons/{person_id}/traceback", response_model=AnyOut, responses=READ_ERRORS)
def traceback_person(ctx: CtxDep, person: CurrentPerson, person_id: RecordId) -> Any:
    """责任倒查 for a person across every decision they touched, after transfers or retirement (lifelong,
    Art. 38)."""
    access.require_person_reader(ctx, person, person_id)  # the same reader rule as GET /persons/{id}
    return accountability.traceback_person(ctx, person_id)


# ------------------------------------------------------------------------------------------- reports
@router.get("/reports/units/{unit}", response_model=AnyOut,
            responses={200: {"content": {"text/csv": {}}}, **READ_ERRORS})
def unit_report(ctx: CtxDep, person: CurrentPerson, unit: Annotated[str, Path(min_length=1, max_length=200)],
                start: Annotated[date, Query(), AfterValidator(sane_date)],
                end: Annotated[date, Query(), AfterValidator(sane_date)],
                format: Annotated[str, Query(pattern="^(json|csv)$")] = "json") -> Any:
    """One unit's post-decision picture for a period: decisions in execution, overdue execution reports,
    suspensions, evaluations due and done, open accountability cases (R19–R22) — JSON or CSV."""
    access.require_reader(ctx, person)
    report = reports.unit_report(ctx, unit, start, end)
    if format == "csv":
        return Response(reports.to_csv(report), media_type="text/csv; charset=utf-8", headers={
            "content-disposition": f"attachment; filename=unit-report-{start}-{end}.csv"})
    return report

