"""Public comments over HTTP, without login (R6, R8; Arts. 15, 18): submit a comment and get a tracking
number at once, look up its status and disposition by that number, read each distinct opinion once with
its count and disposition. Each route is one service call; refusals keep the one error shape (a late
comment answers 409 with rule R6, Art. 15 and the tracking number under which it is kept)."""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, File, Form, Path, Query, Response, UploadFile
from pydantic import BaseModel, ConfigDict, Field, field_validator

from api.deps import CtxDep
from api.errors import responses
from api.schemas import clean_text
from decision_engine.domain.errors import InvalidInput
from decision_engine.services import participation

router = APIRouter(prefix="/api/v1/public", tags=["public"])

DecisionId = Annotated[str, Path(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")]
SUBMIT_ERRORS = responses(400, 404, 409, 413, 415, 422, 429, 503)
READ_ERRORS = responses(404, 422, 429, 503)


class CommentIn(BaseModel):
    """A public comment: the text; name, organisation and contact are optional (anonymous by default)
    and are kept apart from the public record."""

    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=20000)
    name: str = Field(default="", max_length=200)
    organisation: str = Field(default="", max_length=200)
    contact: str = Field(default="", max_length=200)

    @field_validator("text", "name", "organisation", "contact")
    @classmethod
    def _clean(cls, v: str) -> str:
        return clean_text(v)


class ReceiptOut(BaseModel):
    """The receipt: the tracking number to look the comment up by."""

    tracking_number: str
    decision_id: str
    received_at: str
    deadline: str
    late: bool
    status: str


class CommentStatusOut(BaseModel):
    """A comment's status and the disposition of the opinion it belongs to (never the identity)."""

    tracking_number: str
    decision_id: str
    received_at: str
    received_on: str
    channel: str
    late: bool
    status: str
    text: str | None
    hidden: dict[str, str] | None
    cluster_id: str | None
    same_opinion_count: int | None
    disposition: str | None
    disposition_zh: str | None
    reason: str | None
    changed_in_version: int | None


@router.post("/decisions/{decision_id}/comments", status_code=201, response_class=Response,
             responses={201: {"model": ReceiptOut, "description": "the receipt"}, **SUBMIT_ERRORS})
async def submit_comment(ctx: CtxDep, decision_id: DecisionId, body: CommentIn) -> Response:
    """Comment on a draft open for comment; the tracking number is issued at once (R6, Art. 15)."""
    receipt = await participation.submit_comment_async(ctx, decision_id, body.text, name=body.name,
                                                       organisation=body.organisation, contact=body.contact)
    # The hot path of a campaign: the receipt is plain strings, serialised once (no re-validation).
    return Response(orjson.dumps(receipt), status_code=201, media_type="application/json")


@router.post("/decisions/{decision_id}/comments/form", status_code=201, response_model=ReceiptOut,
             responses=SUBMIT_ERRORS)
def submit_comment_with_attachments(
        ctx: CtxDep, decision_id: DecisionId, text: Annotated[str, Form(min_length=1, max_length=20000)],
        name: Annotated[str, Form(max_length=200)] = "", organisation: Annotated[str, Form(max_length=200)] = "",
        contact: Annotated[str, Form(max_length=200)] = "",
        files: Annotated[list[UploadFile] | None, File(description="attachments (limits per procedure)")] = None
) -> dict[str, Any]:
    """The same as a form with attachments (count, size and media type within the procedure's limits)."""
    attachments = [(f.filename or "attachment", f.content_type or "application/octet-stream", f.file.read())
                   for f in files or []]
    try:  # a NUL or a lone surrogate in a form field is malformed input (422), not a 500 (issue 11 §8)
        text, name, organisation, contact = (clean_text(v) for v in (text, name, organisation, contact))
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None
    return participation.submit_comment(ctx, decision_id, text, name=name, organisation=organisation,
                                        contact=contact, attachments=attachments)


@router.get("/comments/{tracking_number}", response_model=CommentStatusOut, responses=READ_ERRORS)
def comment_status(ctx: CtxDep, tracking_number: Annotated[str, Path(min_length=6, max_length=40)]
                   ) -> dict[str, Any]:
    """Status and disposition of a comment, by its tracking number."""
    return participation.comment_status(ctx, tracking_number)


@router.get("/decisions/{decision_id}/opinions", responses=READ_ERRORS)
def opinions(ctx: CtxDep, decision_id: DecisionId, offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
             limit: Annotated[int, Query(ge=1, le=500)] = 50) -> dict[str, Any]:
    """Each distinct opinion once: a representative text, how many comments share it, its disposition."""
    return participation.public_opinions(ctx, decision_id, limit=limit, offset=offset)
