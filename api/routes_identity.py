"""People, roles and tokens over HTTP. The identity services record each change as an event (who granted
what, when, why) and refuse account management to anyone but the system administrator."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path
from fastapi.responses import JSONResponse

from api.deps import CtxDep, CurrentPerson, IdempotencyKey, idempotent
from api.errors import READ_ERRORS, WRITE_ERRORS
from api.schemas import (
    MeOut,
    PersonIn,
    PersonOut,
    RevokedOut,
    RoleEndIn,
    RoleGrantedOut,
    RoleGrantIn,
    TokenIssueIn,
    TokenOut,
    TokenRevokeIn,
)
from decision_engine.domain.errors import InvalidInput
from decision_engine.services import access, identity
from decision_engine.services.clock import CHINA, iso

router = APIRouter(prefix="/api/v1", tags=["identity"])

PersonId = Annotated[str, Path(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")]
AssignmentId = Annotated[str, Path(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")]



@router.get("/me", response_model=MeOut, responses=READ_ERRORS)
def me(ctx: CtxDep, person: CurrentPerson) -> dict[str, Any]:
    """The authenticated person, every role they ever held, and the roles held now."""
    view = identity.person_view(ctx, person)
    view["current_roles"] = sorted({a.role for a in access.current_actors(ctx, person)})
    return view


@router.get("/persons/{person_id}", response_model=PersonOut, responses=READ_ERRORS)
def get_person(ctx: CtxDep, person: CurrentPerson, person_id: PersonId) -> dict[str, Any]:
    """A person and their role history (the person, the system administrator, auditors)."""
    access.require_person_reader(ctx, person, person_id)
    return identity.person_view(ctx, person_id)


@router.post("/persons", response_model=PersonOut, status_code=201, responses=WRITE_ERRORS)
def register_person(ctx: CtxDep, person: CurrentPerson, body: PersonIn,
                    idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """Register a natural person (system administrator)."""
    def act() -> dict[str, Any]:
        pid = identity.register_person(ctx, body.name, person_id=body.person_id, password=body.password,
                                       by=person)
        return identity.person_view(ctx, pid)
    return idempotent(ctx, person, idempotency_key, {"op": "person", "body": body.model_dump(mode="json")},
                      act, out=PersonOut, status_code=201)


@router.post("/persons/{person_id}/roles", response_model=RoleGrantedOut, status_code=201,
             responses=WRITE_ERRORS)
def grant_role(ctx: CtxDep, person: CurrentPerson, person_id: PersonId, body: RoleGrantIn,
               idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """Grant a role in a unit from now, until `valid_to` (without an offset: Beijing time); system
    administrator only; recorded as an event."""
    valid_to = None
    if body.valid_to is not None:
        try:
            given = body.valid_to
            valid_to = iso(given if given.tzinfo is not None else given.replace(tzinfo=CHINA))
        except (OverflowError, ValueError):
            raise InvalidInput("valid_to is out of range") from None
        if valid_to <= ctx.now_iso():
            raise InvalidInput("valid_to must lie in the future")

    def act() -> dict[str, Any]:
        rid = identity.grant_role(ctx, person_id, body.role, body.unit, reason=body.reason,
                                  valid_to=valid_to, by=person)
        return {"assignment": rid, "person_id": person_id, "role": body.role, "unit": body.unit}
    return idempotent(ctx, person, idempotency_key,
                      {"op": "grant", "id": person_id, "body": body.model_dump(mode="json")},
                      act, out=RoleGrantedOut, status_code=201)


@router.post("/persons/{person_id}/roles/{assignment}/end", response_model=PersonOut, responses=WRITE_ERRORS)
def end_role(ctx: CtxDep, person: CurrentPerson, person_id: PersonId, assignment: AssignmentId,
             body: RoleEndIn, idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """End a role assignment now (transfer, retirement); the history stays (Art. 38)."""
    def act() -> dict[str, Any]:
        identity.end_role(ctx, person_id, assignment, reason=body.reason, by=person)
        return identity.person_view(ctx, person_id)
    return idempotent(ctx, person, idempotency_key,
                      {"op": "end", "id": person_id, "assignment": assignment, "reason": body.reason},
                      act, out=PersonOut)


@router.post("/persons/{person_id}/tokens", response_model=TokenOut, status_code=201, responses=WRITE_ERRORS)
def issue_token(ctx: CtxDep, person: CurrentPerson, person_id: PersonId, body: TokenIssueIn | None = None,
                idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """Issue an API token for a person (system administrator). The token is shown once: only its hash is
    stored, and a replay of this request returns `token: null`."""
    ttl = (body.ttl_days if body else None) or ctx.settings.token_ttl_days

    def act() -> dict[str, Any]:
        token = identity.issue_token(ctx, person_id, ttl_days=ttl, by=person)
        return {"person_id": person_id, "token": token, "ttl_days": ttl}
    return idempotent(ctx, person, idempotency_key, {"op": "token", "id": person_id, "ttl": ttl}, act,
                      out=TokenOut, status_code=201, stored=lambda b: {**b, "token": None})


@router.post("/tokens/revoke", response_model=RevokedOut, responses=WRITE_ERRORS)
def revoke_token(ctx: CtxDep, person: CurrentPerson, body: TokenRevokeIn,
                 idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """Revoke a token at once: one's own, or anyone's as system administrator."""
    def act() -> dict[str, Any]:
        identity.revoke_token(ctx, body.token, by=person)
        return {"revoked": True}
    return idempotent(ctx, person, idempotency_key, {"op": "revoke", "token": body.token}, act,
                      out=RevokedOut)

