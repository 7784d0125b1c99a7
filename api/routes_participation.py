"""Public participation and the legality review's desk over HTTP (issue 4; S1 R6–R8, S4 R11): the acts of
the undertaking unit on the comments received — hide one with a recorded reason, group them into distinct
opinions, record each opinion's disposition, generate the feedback report from the record — and the legal
office's packet and queue. Each route is one service call; the services check roles and rules."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse
from pydantic import Field

from api.deps import CtxDep, CurrentPerson, IdempotencyKey, idempotent
from api.errors import READ_ERRORS, WRITE_ERRORS
from api.schemas import AnyOut, DecisionId, In, Reason
from decision_engine.services import access, legality, participation

router = APIRouter(prefix="/api/v1", tags=["participation and legality review"])

Tracking = Annotated[str, Path(min_length=6, max_length=40)]


class HideIn(In):
    reason: Annotated[str, Field(pattern="^(abusive|off_topic|personal_data)$",
                                 description="abusive, off_topic or personal_data")]
    note: Annotated[str, Field(max_length=2_000)] = ""


class DispositionIn(In):
    cluster_id: Annotated[str, Field(min_length=1, max_length=80)]
    disposition: Annotated[str, Field(pattern="^(adopted|partly|not_adopted)$")]
    reason: Reason
    changed_in_version: Annotated[int | None, Field(ge=1, le=10_000)] = None


class DispositionsIn(In):
    items: Annotated[list[DispositionIn], Field(min_length=1, max_length=500)]


@router.post("/public/comments/{tracking_number}/hide", response_model=AnyOut, responses=WRITE_ERRORS)
def hide_comment(ctx: CtxDep, person: CurrentPerson, tracking_number: Tracking, body: HideIn,
                 idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """Hide a comment from the public page for a recorded reason (never deleted, still counted; R6)."""
    return idempotent(ctx, person, idempotency_key, {"op": "hide", "tn": tracking_number, **body.model_dump()},
                      lambda: participation.moderate_comment(ctx, person, tracking_number, body.reason, body.note),
                      out=AnyOut)


@router.post("/decisions/{decision_id}/comments/cluster", response_model=AnyOut, responses=WRITE_ERRORS)
def cluster(ctx: CtxDep, person: CurrentPerson, decision_id: DecisionId,
            idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """Group identical and near-identical comments into distinct opinions, incrementally (R8, Art. 18)."""
    return idempotent(ctx, person, idempotency_key, {"op": "cluster", "id": decision_id},
                      lambda: participation.cluster_comments(ctx, person, decision_id), out=AnyOut)


@router.post("/decisions/{decision_id}/comments/dispositions", response_model=AnyOut, responses=WRITE_ERRORS)
def dispose(ctx: CtxDep, person: CurrentPerson, decision_id: DecisionId, body: DispositionsIn,
            idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """Each distinct opinion adopted / partly / not adopted with its reason and the draft version it
    changed (R8, Art. 18)."""
    items = [i.model_dump(exclude_none=True) for i in body.items]
    return idempotent(ctx, person, idempotency_key, {"op": "dispose", "id": decision_id, "items": items},
                      lambda: participation.dispose_opinions(ctx, person, decision_id, items), out=AnyOut)


class OtherOpinionIn(In):
    """A main opinion gathered by another method (symposium, visit, written consultation...), with its
    disposition and reason (R8, Art. 18)."""

    opinion: Annotated[str, Field(min_length=1, max_length=5_000)]
    disposition: Annotated[str, Field(pattern="^(adopted|partly|not_adopted)$")]
    reason: Reason
    source: Annotated[str, Field(max_length=200)] = ""


class FeedbackIn(In):
    other_opinions: Annotated[list[OtherOpinionIn], Field(default_factory=list, max_length=500)]


@router.post("/decisions/{decision_id}/feedback-report", response_model=AnyOut, status_code=201,
             responses=WRITE_ERRORS)
def feedback_report(ctx: CtxDep, person: CurrentPerson, decision_id: DecisionId, body: FeedbackIn | None = None,
                    idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """Generate the feedback report (意见采纳情况及其理由) from the record and record it (R6, R8): the one door
    of `opinion_summary` (AR14); opinions gathered by other methods join it with their dispositions."""
    others = [o.model_dump(exclude_defaults=True) for o in body.other_opinions] if body else []
    return idempotent(ctx, person, idempotency_key, {"op": "feedback", "id": decision_id, "o": others},
                      lambda: participation.record_feedback_report(ctx, person, decision_id,
                                                                   other_opinions=others).to_dict(),
                      out=AnyOut, status_code=201)


@router.get("/decisions/{decision_id}/legality/packet", response_model=AnyOut, responses=READ_ERRORS)
def legality_packet(ctx: CtxDep, person: CurrentPerson, decision_id: DecisionId,
                    legal_basis: Annotated[str, Query(min_length=1, max_length=2_000)] = "（待填写）") -> Any:
    """The legality-review packet the record would produce now (R11, Art. 26): generated, not typed."""
    access.require_reader(ctx, person, decision_id)
    return legality.packet(ctx, decision_id, legal_basis)


@router.get("/legality/queue", responses=READ_ERRORS)
def legality_queue(ctx: CtxDep, person: CurrentPerson) -> list[dict[str, Any]]:
    """The legal office's queue: submissions not yet cleared, earliest deadline first (R11)."""
    access.require_reader(ctx, person)
    return legality.review_queue(ctx)
