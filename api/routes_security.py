"""The accounts' security over HTTP (issue 15 §5; GB/T 22239-2019 level 3, `domain/accounts.py`): the security
administrator locks, unlocks and resets passwords; the audit administrator reads the security audit trail
(logins, failures, locks, role and token changes). Each route is one service call; the services refuse
every other role (SEC4, 三员分立)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from api.deps import CtxDep, CurrentPerson, IdempotencyKey, idempotent
from api.errors import READ_ERRORS, WRITE_ERRORS
from api.routes_identity import PersonId
from api.schemas import In, Reason, clean_text
from decision_engine.services import identity

router = APIRouter(prefix="/api/v1", tags=["security"])


class AccountActIn(In):
    """Lock or unlock an account, with the reason."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"reason": "本人来电核实身份后解锁"}]})

    reason: Reason


class PasswordResetIn(In):
    """A new password for a person (the policy SEC1 applies), with the reason."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"password": "Demo-Passw0rd!", "reason": "本人遗忘口令，核实身份后重置"}]})

    password: Annotated[str, Field(min_length=1, max_length=200), AfterValidator(clean_text)]
    reason: Reason


class AccountOut(BaseModel):
    """An account's lock state after a security administrator's act."""

    person_id: str
    locked: bool


class SecurityEventOut(BaseModel):
    """One event of the security audit trail."""

    id: int
    stream: str
    seq: int
    type: str
    at: str
    actor: dict[str, Any]
    payload: dict[str, Any]


class SecurityEventsOut(BaseModel):
    """The security audit trail, newest first; `next_before` pages on."""

    items: list[SecurityEventOut]
    next_before: int | None


@router.post("/persons/{person_id}/unlock", response_model=AccountOut, responses=WRITE_ERRORS)
def unlock(ctx: CtxDep, person: CurrentPerson, person_id: PersonId, body: AccountActIn,
           idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """Unlock an account before its lock period ends (security administrator only; SEC4)."""
    def act() -> dict[str, Any]:
        identity.unlock_account(ctx, person_id, reason=body.reason, by=person)
        return {"person_id": person_id, "locked": False}
    return idempotent(ctx, person, idempotency_key, {"op": "unlock", "id": person_id, "reason": body.reason},
                      act, out=AccountOut)


@router.post("/persons/{person_id}/lock", response_model=AccountOut, responses=WRITE_ERRORS)
def lock(ctx: CtxDep, person: CurrentPerson, person_id: PersonId, body: AccountActIn,
         idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """Lock an account until it is unlocked: its password and tokens stop (security administrator only)."""
    def act() -> dict[str, Any]:
        identity.lock_account(ctx, person_id, reason=body.reason, by=person)
        return {"person_id": person_id, "locked": True}
    return idempotent(ctx, person, idempotency_key, {"op": "lock", "id": person_id, "reason": body.reason},
                      act, out=AccountOut)


@router.post("/persons/{person_id}/password", response_model=AccountOut, responses=WRITE_ERRORS)
def reset_password(ctx: CtxDep, person: CurrentPerson, person_id: PersonId, body: PasswordResetIn,
                   idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """Reset a person's password (security administrator only; the password policy SEC1 applies). The
    password is never kept with the idempotency key."""
    def act() -> dict[str, Any]:
        identity.reset_password(ctx, person_id, body.password, reason=body.reason, by=person)
        return {"person_id": person_id, "locked": False}
    return idempotent(ctx, person, idempotency_key, {"op": "password", "id": person_id, "reason": body.reason},
                      act, out=AccountOut)


@router.get("/security/events", response_model=SecurityEventsOut, responses=READ_ERRORS)
def security_events(ctx: CtxDep, person: CurrentPerson,
                    subject: Annotated[str | None, Query(alias="person", min_length=1, max_length=80,
                                                         pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$",
                                                         description="only this person's events")] = None,
                    before: Annotated[int | None, Query(ge=1, le=2**53 - 1,
                                                        description="events older than this id")] = None,
                    limit: Annotated[int, Query(ge=1, le=500)] = 100) -> dict[str, Any]:
    """The security audit trail, newest first (audit administrator only; SEC4, GB/T 22239-2019 8.1.4.3)."""
    return identity.security_events(ctx, person, person=subject, before=before, limit=limit)
