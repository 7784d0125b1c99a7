"""The transparency log and the auditor's queries over HTTP (issue 7 §1–2, issue 10 §4).

The log's read side is public, as a Certificate Transparency log's is (RFC 9162 §4): its verifier key, the
signed checkpoints (C2SP tlog-checkpoint notes with their witness cosignatures), inclusion proofs of an
event in a checkpoint and consistency proofs between two tree sizes. They reveal hashes, never contents,
so anybody can check that the history an auditor was shown is the one everybody else sees. The diff of a
decision between two moments and the compliance metrics need a reader's role, like every view of a decision
in procedure. Each route is one service call."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel

from api.deps import CtxDep, CurrentPerson
from api.errors import READ_ERRORS, responses
from decision_engine.services import access, compliance, timetravel, transparency

router = APIRouter(prefix="/api/v1")

PUBLIC_ERRORS = responses(404, 422, 429, 503)
Size = Annotated[int | None, Query(ge=1, le=2**53 - 1, description="a tree size with a signed checkpoint")]
Stream = Annotated[str, Query(min_length=3, max_length=120, pattern=r"^[a-z]+:[A-Za-z0-9_.:-]+$",
                              description="an event stream, e.g. decision:MAD-1a2b3c4d5e6f")]


class PublicKeyOut(BaseModel):
    verifier_key: str


class CheckpointOut(BaseModel):
    size: int
    root_hash: str
    note: str
    created_at: str
    cosigners: list[str]


class InclusionOut(BaseModel):
    stream: str
    seq: int
    leaf_index: int
    tree_size: int
    leaf_hash: str
    root_hash: str
    inclusion_proof: list[str]
    checkpoint: str | None


class ConsistencyOut(BaseModel):
    old_size: int
    new_size: int
    old_root: str
    new_root: str
    consistency_proof: list[str]
    old_checkpoint: str | None
    new_checkpoint: str | None


@router.get("/log/public-key", response_model=PublicKeyOut, responses=PUBLIC_ERRORS, tags=["transparency log"])
def public_key(ctx: CtxDep) -> dict[str, str]:
    """The log's Ed25519 verifier key (`name+keyid+base64`), for `decide verify-archive --key`."""
    return {"verifier_key": transparency.public_key(ctx)}


@router.get("/log/checkpoint", response_class=Response, tags=["transparency log"],
            responses={200: {"content": {"text/plain": {}}, "description": "the signed note"}, **PUBLIC_ERRORS})
def signed_note(ctx: CtxDep, size: Size = None) -> Response:
    """The newest signed checkpoint (or the one at `size`) as a C2SP signed note, cosignatures included."""
    return Response(transparency.signed_note(ctx, size), media_type="text/plain; charset=utf-8")


@router.get("/log/checkpoints", response_model=list[CheckpointOut], responses=PUBLIC_ERRORS,
            tags=["transparency log"])
def checkpoints(ctx: CtxDep) -> list[dict[str, Any]]:
    """Every signed checkpoint, oldest first, with the witnesses that cosigned it."""
    return [{"size": c["size"], "root_hash": c["root_hash"], "note": c["note"], "created_at": c["created_at"],
             "cosigners": transparency.cosigners(ctx, c["size"])} for c in transparency.checkpoints(ctx)]


@router.get("/log/inclusion", response_model=InclusionOut, responses=PUBLIC_ERRORS, tags=["transparency log"])
def inclusion(ctx: CtxDep, stream: Stream, seq: Annotated[int, Query(ge=1, le=2**53 - 1)],
              size: Size = None) -> dict[str, Any]:
    """RFC 9162 inclusion proof of one event in a checkpoint (by default the newest)."""
    return transparency.inclusion_proof(ctx, stream, seq, size)


@router.get("/log/consistency", response_model=ConsistencyOut, responses=PUBLIC_ERRORS,
            tags=["transparency log"])
def consistency(ctx: CtxDep, old: Annotated[int, Query(ge=0, le=2**53 - 1)],
                new: Annotated[int, Query(ge=0, le=2**53 - 1)]) -> dict[str, Any]:
    """RFC 9162 consistency proof between two tree sizes: the later log contains the earlier one."""
    return transparency.consistency_proof(ctx, old, new)


@router.get("/decisions/{decision_id}/diff", responses=READ_ERRORS, tags=["decisions"])
def diff(ctx: CtxDep, person: CurrentPerson,
         decision_id: Annotated[str, Path(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")],
         a: Annotated[str, Query(min_length=1, max_length=40, description="an ISO 8601 moment or a sequence number")],
         b: Annotated[str, Query(min_length=1, max_length=40, description="another moment or sequence number")]
         ) -> dict[str, Any]:
    """What changed in a decision between two moments: status, gates, artifacts, flags and the events."""
    access.require_reader(ctx, person, decision_id)
    return timetravel.diff(ctx, decision_id, a, b)


@router.get("/compliance/{year}", responses={**READ_ERRORS, 200: {"content": {"text/csv": {}}}},
            tags=["compliance"])
def compliance_metrics(ctx: CtxDep, person: CurrentPerson, year: Annotated[int, Path(ge=1990, le=2199)],
                       unit: Annotated[str | None, Query(max_length=200)] = None,
                       format: Annotated[str, Query(pattern="^(json|csv)$")] = "json") -> Any:
    """依法行政考核 metrics per unit for decisions opened in a year, from the record alone (JSON or CSV)."""
    access.require_reader(ctx, person)
    report = compliance.metrics(ctx, year, unit=unit)
    if format == "csv":
        return Response(compliance.to_csv(report), media_type="text/csv; charset=utf-8")
    return report
