"""Request (`...In`) and response (`...Out`) models of the JSON API. Never table rows.

Inputs forbid extra fields and bound every string to what the store keeps; text must be valid Unicode
without NUL characters, and free-form JSON (artifact fields) must be canonicalisable (RFC 8785: finite
numbers, integers within ±2^53), so that malformed input is a 422 and never reaches the store.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import Path
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

_BAD_TEXT = re.compile("[\x00\ud800-\udfff]")
_ISO_DATE = re.compile(r"^(\d{4})-\d{2}-\d{2}")
YEARS = (1900, 2199)  # statutory dates outside these years are typing errors, and overflow date arithmetic
MAX_SAFE_INT = 2**53 - 1
MAX_DEPTH = 16
MAX_NODES = 20_000


def clean_text(value: str) -> str:
    """Refuse NUL characters and lone surrogates (the store and the canonical JSON cannot keep them)."""
    if _BAD_TEXT.search(value):
        raise ValueError("text must be valid Unicode without NUL characters")
    return value


def check_json(value: Any) -> Any:
    """Refuse JSON the audit log cannot canonicalise (deep nesting, huge integers, NaN, bad text) and
    ISO dates outside 1900–2199 (the statutory calendar's arithmetic would overflow on them)."""
    budget = [MAX_NODES]

    def walk(v: Any, depth: int) -> None:
        budget[0] -= 1
        if budget[0] < 0:
            raise ValueError(f"JSON has more than {MAX_NODES} values")
        if depth > MAX_DEPTH:
            raise ValueError(f"JSON is nested deeper than {MAX_DEPTH} levels")
        if isinstance(v, bool) or v is None:
            return
        if isinstance(v, int):
            if abs(v) > MAX_SAFE_INT:
                raise ValueError("integers must lie within ±(2^53−1) (RFC 8785)")
        elif isinstance(v, float):
            if not math.isfinite(v):
                raise ValueError("numbers must be finite")
        elif isinstance(v, str):
            clean_text(v)
            date_like = _ISO_DATE.match(v)
            if date_like and not YEARS[0] <= int(date_like.group(1)) <= YEARS[1]:
                raise ValueError(f"dates must lie in the years {YEARS[0]}–{YEARS[1]}: {v[:20]!r}")
        elif isinstance(v, dict):
            for k, item in v.items():
                clean_text(str(k))
                walk(item, depth + 1)
        elif isinstance(v, list):
            for item in v:
                walk(item, depth + 1)
        else:
            raise ValueError(f"unsupported JSON value of type {type(v).__name__}")
    walk(value, 0)
    return value


def sane_date(value: date | None) -> date | None:
    """A statutory date within the years the engine computes on."""
    if value is not None and not YEARS[0] <= value.year <= YEARS[1]:
        raise ValueError(f"dates must lie in the years {YEARS[0]}–{YEARS[1]}")
    return value


SafeStr = Annotated[str, AfterValidator(clean_text)]
Text = Annotated[str, Field(max_length=10_000), AfterValidator(clean_text)]
Reason = Annotated[str, Field(min_length=1, max_length=2_000), AfterValidator(clean_text)]
Name = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(clean_text)]
Unit = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(clean_text)]
Code = Annotated[str, Field(min_length=1, max_length=60, pattern=r"^[a-z][a-z0-9_]*$")]
Ident = Annotated[str, Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")]
JsonFields = Annotated[dict[str, Any], AfterValidator(check_json)]
ExpectedSeq = Annotated[int | None, Field(default=None, ge=0, le=MAX_SAFE_INT,
                                          description="The decision's sequence the client last read "
                                                      "(or send `If-Match: <seq>`); stale → 409.")]


class In(BaseModel):
    """Base of every request body: unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")


# ------------------------------------------------------------------------------------------- inputs
class DecisionOpenIn(In):
    """Open a decision (R1 scope, R3 start)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"title": "关于调整公交票价的决定", "category": "public_project", "unit": "某市交通运输局", "due_by": "2025-12-31"}]})

    title: Annotated[str, Field(min_length=1, max_length=500), AfterValidator(clean_text)]
    category: Code
    unit: Unit
    profile: Code = "order713"
    due_by: Annotated[date | None, AfterValidator(sane_date)] = None
    summary: Text = ""
    # R1, Arts. 2, 42: province / city / county (decide under Order 713), department / township (by reference)
    # (no pattern: a value the rule governs is refused by the rule, with its article, not by validation)
    organ_level: Annotated[str | None, Field(max_length=40, description="province, city, county (Art. 2); "
                                             "department, township (by reference, Art. 42)")] = None
    # R1, Art. 3 ¶2: the law or administrative regulation (and article) whose procedure prevails
    procedure_by_law: Text | None = None


class DeterminationIn(In):
    """A recorded finding with its reasons (specialised, risk-relevant, non-disclosable, …)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"kind": "specialised", "value": True, "reasons": "线网优化涉及客流模型"}]})

    kind: Code
    value: bool
    reasons: Reason
    expected_seq: ExpectedSeq = None


class ArtifactIn(In):
    """A fields-only artifact of a kind (the fields are the document)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"kind": "consultation", "fields": {"unit": "某市财政局", "opinion": "原则同意"}}]})

    kind: Code
    fields: JsonFields
    expected_seq: ExpectedSeq = None


class ActIn(In):
    """An act that needs nothing but (optionally) the sequence the client read."""

    expected_seq: ExpectedSeq = None


class ReasonIn(In):
    """An act that needs a reason."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"reason": "请补充听证笔录"}]})

    reason: Reason
    expected_seq: ExpectedSeq = None


class GateExemptIn(In):
    """Exempt a gate on its legal basis (never the legality review or the collective decision)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"legal_basis": "政府信息公开条例第十四条"}]})

    legal_basis: Reason
    expected_seq: ExpectedSeq = None


class SuspendIn(In):
    """Suspend execution on an Art. 35 ground (the head alone, SoD6)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"ground": "force_majeure", "reason": "台风", "urgency": "台风红色预警，线路停运"}]})

    ground: Code
    reason: Reason
    urgency: Annotated[str, Field(max_length=2_000, description="why it is urgent (情况紧急, R20, Art. 37)")] = ""
    expected_seq: ExpectedSeq = None


class PersonIn(In):
    """Register a natural person."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"name": "张华"}]})

    name: Name
    person_id: Ident | None = None
    password: Annotated[str | None, Field(default=None, min_length=1, max_length=200),
                        AfterValidator(lambda v: v if v is None else clean_text(v))] = None


class RoleGrantIn(In):
    """Grant a role in a unit, from now until `valid_to` (open-ended if absent)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"role": "expert", "unit": "某大学交通学院", "reason": "聘任"}]})

    role: Code
    unit: Unit
    reason: Annotated[str, Field(max_length=500), AfterValidator(clean_text)] = ""
    valid_to: datetime | None = None


class RoleEndIn(In):
    """End a role assignment (transfer, retirement); the history stays."""

    reason: Annotated[str, Field(min_length=1, max_length=500), AfterValidator(clean_text)]


class TokenIssueIn(In):
    """Issue an API token for a person."""

    ttl_days: Annotated[int | None, Field(default=None, ge=1, le=3650)] = None


class TokenRevokeIn(In):
    """Revoke a token (one's own, or anyone's as system administrator)."""

    token: Annotated[str, Field(min_length=1, max_length=200), AfterValidator(clean_text)]


# ------------------------------------------------------------------------------------------ outputs
class MissingOut(BaseModel):
    """One unmet requirement."""

    rule: str
    article: str
    gate: str
    kind: str
    need: str


class ErrorOut(BaseModel):
    """The one error shape."""

    error: str
    rule: str
    article: str
    message: str
    missing: list[MissingOut]


class HealthOut(BaseModel):
    """Liveness."""

    status: str


class EventRefOut(BaseModel):
    """An event a command appended."""

    seq: int
    type: str


class ResultOut(BaseModel):
    """What a command did."""

    decision_id: str
    seq: int
    status: str
    events: list[EventRefOut]


class ActorOut(BaseModel):
    """The natural person acting, with the role and unit held at that moment."""

    person: str
    role: str
    unit: str
    name: str = ""


class ProcedureRefOut(BaseModel):
    """The pinned procedure a decision runs under."""

    id: str
    version: str
    hash: str = ""
    profile: str = ""


class ArtifactOut(BaseModel):
    """An artifact (or draft version) as recorded: content address, fields, author."""

    id: str
    kind: str
    gate: str
    sha256: str
    size: int
    media_type: str
    filename: str
    draft_version: int
    fields: dict[str, Any]
    author: ActorOut
    at: str
    seq: int
    round: int | None = None
    storage: str | None = None


class DraftOut(BaseModel):
    """A draft version."""

    version: int
    artifact_id: str
    title: str
    note: str
    sha256: str
    at: str


class FlagOut(BaseModel):
    """A recorded determination."""

    value: bool
    reasons: str
    by: ActorOut
    at: str


class GateOut(BaseModel):
    """A gate: status, what is missing, who clears it."""

    id: str
    stage: str
    name_zh: str
    rule: str
    article: str
    status: str
    phase: str
    clear_roles: list[str]
    exemptible: bool
    exemption: dict[str, Any] | None
    missing: list[MissingOut]
    artifacts: list[str]


class DeadlineOut(BaseModel):
    """A statutory deadline computed on the legal calendar."""

    name: str
    gate: str
    due: str
    unit: str
    days: int
    start: str
    provisional: bool
    basis: str
    overdue: bool
    satisfied: bool


class DecisionOut(BaseModel):
    """A decision as doors show it."""

    id: str
    title: str
    category: str
    unit: str
    organ: str | None = Field(None, description="The decision organ fixed at opening (AR1); none without an org file")
    parties: dict[str, Any] = Field(default_factory=dict, description="Who the record names for this decision "
                                    "(AR1–AR13): selected experts, listed participants, presiding head, "
                                    "execution units, commissioned evaluators")
    units: list[str]
    status: str
    stage: str
    seq: int
    procedure: ProcedureRefOut
    opened_at: str
    updated_at: str
    due_by: str | None
    organ_level: str | None = Field(None, description="The organ's level (R1, Arts. 2, 42)")
    applies: str | None = Field(None, description="direct (Art. 2) or by_reference (参照, Art. 42)")
    procedure_by_law: str | None = Field(None, description="The law whose procedure prevails (R1, Art. 3 ¶2)")
    draft_version: int
    drafts: list[DraftOut]
    flags: dict[str, FlagOut]
    gates: list[GateOut]
    artifacts: list[ArtifactOut]
    decided_on: str | None
    published_on: str | None
    suspension: dict[str, Any] | None
    execution_units: list[str]
    exemptions: list[dict[str, Any]]
    refused_attempts: int
    finalization_missing: list[MissingOut]
    deadlines: list[DeadlineOut]


class DecisionSummaryOut(BaseModel):
    """A row of the decision list."""

    id: str
    title: str
    category: str
    unit: str
    status: str
    stage: str
    opened_at: str
    updated_at: str
    due_by: str | None
    procedure_id: str
    last_seq: int


class DecisionListOut(BaseModel):
    """A page of decisions and the cursor of the next one."""

    items: list[DecisionSummaryOut]
    next_cursor: str | None


class EventOut(BaseModel):
    """An event with its chain hashes."""

    stream: str
    seq: int
    type: str
    v: int
    at: str
    actor: dict[str, Any]
    payload: dict[str, Any]
    hash: str
    prev_hash: str


class EventListOut(BaseModel):
    """A decision's events, oldest first."""

    decision_id: str
    items: list[EventOut]


class PublicDecisionOut(BaseModel):
    """A published decision in the public index."""

    id: str
    title: str
    category: str
    unit: str
    status: str
    published_on: str


class PublicListOut(BaseModel):
    """A page of the public index."""

    items: list[PublicDecisionOut]
    next_offset: int | None


class PublicDocketOut(BaseModel):
    """A published decision for the public: text decided, feedback, timeline; no persons named."""

    id: str
    title: str
    category: str
    unit: str
    units: list[str]
    status: str
    decided_on: str | None
    published_on: str | None
    procedure: dict[str, Any]
    publication: dict[str, Any]
    text: dict[str, Any]
    feedback: dict[str, Any]
    timeline: list[dict[str, Any]]
    exemptions: list[dict[str, Any]]
    tracking_numbers: list[str]


class RoleOut(BaseModel):
    """A role assignment with its validity period."""

    id: str
    role: str
    unit: str
    valid_from: str
    valid_to: str | None
    reason: str


class PersonOut(BaseModel):
    """A person with every role they ever held."""

    id: str
    name: str
    active: bool
    roles: list[RoleOut]


class MeOut(PersonOut):
    """The authenticated person and the roles held now."""

    current_roles: list[str]


class RoleGrantedOut(BaseModel):
    """A new role assignment."""

    assignment: str
    person_id: str
    role: str
    unit: str


class TokenOut(BaseModel):
    """A new API token: shown once (a replayed request returns `token: null`)."""

    person_id: str
    token: str | None
    ttl_days: int


class RevokedOut(BaseModel):
    """A revoked token."""

    revoked: bool


# ------------------------------------------------------------------------------------------- shared by routes
DecisionId = Annotated[str, Path(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$",
                                 description="A decision id, e.g. MAD-1a2b3c4d5e6f")]
RecordId = Annotated[str, Path(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$",
                               description="A record id (meeting MTG-…, case AC-…, person P-…, document …)")]


class AnyOut(BaseModel):
    """A service's answer, as the service gives it (counts, sequence numbers, ids)."""

    model_config = ConfigDict(extra="allow")
