"""The organisation chart over HTTP (issue 15 §1, `docs/organisation.md`): anyone signed in reads it; only the
system administrator changes it (SEC4), each change an event on `org:chart` carrying the acting
administrator. Thin: parse, call `services/organisation.py`, return."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from api.deps import CtxDep, CurrentPerson, IdempotencyKey, idempotent
from api.errors import READ_ERRORS, WRITE_ERRORS
from api.schemas import In, clean_text
from decision_engine.services import organisation

router = APIRouter(prefix="/api/v1", tags=["organisation"])

OrgId = Annotated[str, Field(min_length=1, max_length=120), AfterValidator(clean_text)]
OrgCode = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[a-z][a-z_]*$")]
OrgText = Annotated[str, Field(max_length=200), AfterValidator(clean_text)]


class OrganIn(In):
    """Register an organ (a government or a department that decides), or change a registered one."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"id": "某县人民政府", "name": "某县人民政府", "level": "county", "kind": "government",
         "superior": "某市人民政府"}]})

    id: OrgId
    name: OrgText = ""
    level: OrgCode
    kind: OrgCode = "government"
    superior: OrgId | None = None


class UnitIn(In):
    """Register a unit of an organ (or an external body: no organ, kind `external`), or change one."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"id": "某县交通运输局", "organ": "某县人民政府", "kind": "department", "name": "某县交通运输局"}]})

    id: OrgId
    organ: OrgId | None = None
    kind: OrgCode = "department"
    name: OrgText = ""


class UnitMoveIn(In):
    """Move a registered unit to another registered organ."""

    unit: OrgId
    organ: OrgId


class UnitRetireIn(In):
    """Retire a registered unit (abolished, merged); roles once held in it stay in the record."""

    unit: OrgId
    reason: Annotated[str, Field(min_length=1, max_length=500), AfterValidator(clean_text)]


class OrgUnitOut(BaseModel):
    """A unit as the chart holds it."""

    id: str
    kind: str
    name: str


class OrganOut(BaseModel):
    """An organ with its units."""

    id: str
    name: str
    level: str
    kind: str
    superior: str | None
    units: list[OrgUnitOut]


class OrgOut(BaseModel):
    """The organisation chart: `single` when no org is loaded (every unit in one implicit organ)."""

    single: bool
    organs: list[OrganOut]
    external: list[OrgUnitOut]
    events: int = Field(description="organisation events the chart folds")
    seq: int = Field(description="the length of the stream org:chart now")
    at: str | None = Field(description="the moment asked for, or null for now")


class OrgEventOut(BaseModel):
    """An event appended to `org:chart`."""

    seq: int
    type: str
    at: str
    payload: dict[str, Any]


class OrgChangeOut(BaseModel):
    """The events a change appended (none when the chart already held it so) and the chart after it."""

    appended: list[OrgEventOut]
    chart: OrgOut


@router.get("/org", response_model=OrgOut, responses=READ_ERRORS)
def get_org(ctx: CtxDep, person: CurrentPerson,
            at: Annotated[datetime | None, Query(description="the chart as it stood at this moment")] = None
            ) -> dict[str, Any]:
    """The organisation chart (anyone signed in): organs with their level, superior and units; external
    bodies."""
    return organisation.show(ctx, at)


def _change(ctx: Any, person: str, key: str | None, fingerprint: dict[str, Any], act: Any) -> JSONResponse:
    def action() -> dict[str, Any]:
        appended = act()
        return {"appended": appended, "chart": organisation.show(ctx)}
    return idempotent(ctx, person, key, fingerprint, action, out=OrgChangeOut, status_code=201)


@router.post("/org/organs", response_model=OrgChangeOut, status_code=201, responses=WRITE_ERRORS)
def register_organ(ctx: CtxDep, person: CurrentPerson, body: OrganIn,
                   idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """Register an organ or change a registered one (system administrator; ORG1 refuses an inconsistent
    chart)."""
    data = body.model_dump(mode="json")
    return _change(ctx, person, idempotency_key, {"op": "organ", "body": data},
                   lambda: organisation.register_organ(ctx, data, by=person))


@router.post("/org/units", response_model=OrgChangeOut, status_code=201, responses=WRITE_ERRORS)
def register_unit(ctx: CtxDep, person: CurrentPerson, body: UnitIn,
                  idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """Register a unit or change a registered one (system administrator)."""
    data = body.model_dump(mode="json")
    return _change(ctx, person, idempotency_key, {"op": "unit", "body": data},
                   lambda: organisation.register_unit(ctx, data, by=person))


@router.post("/org/units/move", response_model=OrgChangeOut, status_code=201, responses=WRITE_ERRORS)
def move_unit(ctx: CtxDep, person: CurrentPerson, body: UnitMoveIn,
              idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """Move a unit to another organ (system administrator)."""
    return _change(ctx, person, idempotency_key, {"op": "move", "body": body.model_dump(mode="json")},
                   lambda: organisation.move_unit(ctx, body.unit, body.organ, by=person))


@router.post("/org/units/retire", response_model=OrgChangeOut, status_code=201, responses=WRITE_ERRORS)
def retire_unit(ctx: CtxDep, person: CurrentPerson, body: UnitRetireIn,
                idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """Retire a unit (system administrator)."""
    return _change(ctx, person, idempotency_key, {"op": "retire", "body": body.model_dump(mode="json")},
                   lambda: organisation.retire_unit(ctx, body.unit, reason=body.reason, by=person))
