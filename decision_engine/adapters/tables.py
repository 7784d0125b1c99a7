"""SQLModel tables: the event log (the record) and the projections built from it.

`EventRow` is append-only: the database itself refuses UPDATE and DELETE on it (triggers, created by the
migrations). Everything else is a projection that `decide verify` re-derives from the events.
"""

from __future__ import annotations

from sqlalchemy import Column, Index, LargeBinary, Table, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from decision_engine.domain.decision import PRE_DECISION

# Undecided decisions with a due date (R22's overdue list; migration 0009 writes the same predicate out).
_OVERDUE = text("due_by IS NOT NULL AND status IN (" + ", ".join(f"'{s}'" for s in PRE_DECISION) + ")")


class EventRow(SQLModel, table=True):
    """One event: canonical bytes and the chain hash; unique (stream, seq) gives optimistic concurrency."""

    __tablename__ = "events"
    __table_args__ = (UniqueConstraint("stream", "seq", name="uq_events_stream_seq"),
                      Index("ix_events_person", "person"), Index("ix_events_at", "at"))
    id: int | None = Field(default=None, primary_key=True)
    stream: str = Field(max_length=80)
    seq: int
    type: str = Field(max_length=60)
    schema_version: int = 1
    at: str = Field(max_length=40)
    person: str = Field(max_length=80)
    role: str = Field(max_length=40)
    unit: str = Field(max_length=200)
    body: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class DecisionRow(SQLModel, table=True):
    """Projection of a decision: searchable columns and the full folded state as JSON."""

    __tablename__ = "decisions"
    __table_args__ = (Index("ix_decisions_status", "status"), Index("ix_decisions_unit", "unit"),
                      Index("ix_decisions_category", "category"), Index("ix_decisions_stage", "stage"),
                      Index("ix_decisions_opened", "opened_at", "id"),
                      # migration 0008: the list's first page straight from an index at 100k decisions
                      Index("ix_decisions_status_opened", "status", "opened_at", "id"),
                      Index("ix_decisions_unit_opened", "unit", "opened_at", "id"),
                      Index("ix_decisions_due_status", "due_by", "status"),
                      # migration 0013: the list filtered by the reader's organs (AR13) in the query
                      Index("ix_decisions_organ_opened", "organ", "opened_at", "id"),
                      Index("ix_decisions_overdue", "opened_at", "id", postgresql_where=_OVERDUE,
                            sqlite_where=_OVERDUE))
    id: str = Field(primary_key=True, max_length=40)
    title: str = Field(max_length=500)
    category: str = Field(max_length=40)
    unit: str = Field(max_length=200)
    status: str = Field(max_length=40)
    stage: str = Field(max_length=8)
    procedure_id: str = Field(max_length=60)
    procedure_version: str = Field(max_length=60)
    procedure_hash: str = Field(max_length=64)
    opened_at: str = Field(max_length=40)
    updated_at: str = Field(max_length=40)
    due_by: str | None = Field(default=None, max_length=10)
    organ: str | None = Field(default=None, max_length=200)  # AR1: recorded at opening; None before it was
    last_seq: int
    state: str = Field(sa_column=Column(Text, nullable=False))


class ArtifactRow(SQLModel, table=True):
    """Projection of artifacts (and draft versions) for lookups and blob checks."""

    __tablename__ = "artifacts"
    __table_args__ = (Index("ix_artifacts_decision", "decision_id"), Index("ix_artifacts_sha", "sha256"))
    id: str = Field(primary_key=True, max_length=40)
    decision_id: str = Field(max_length=40)
    kind: str = Field(max_length=60)
    gate: str = Field(max_length=60)
    sha256: str = Field(max_length=64)
    size: int
    media_type: str = Field(max_length=120)
    filename: str = Field(max_length=255)
    draft_version: int
    author_person: str = Field(max_length=80)
    recorded_at: str = Field(max_length=40)
    seq: int
    storage: str = Field(default="blob", max_length=10)


class ProcedureSpecRow(SQLModel, table=True):
    """A resolved procedure specification, pinned by content hash (never changed once stored)."""

    __tablename__ = "procedure_specs"
    hash: str = Field(primary_key=True, max_length=64)
    procedure_id: str = Field(max_length=60)
    version: str = Field(max_length=60)
    body: str = Field(sa_column=Column(Text, nullable=False))
    registered_at: str = Field(max_length=40)


class PersonRow(SQLModel, table=True):
    """Projection of a natural person (never deleted: lifelong accountability, Art. 38)."""

    __tablename__ = "persons"
    id: str = Field(primary_key=True, max_length=80)
    name: str = Field(max_length=200)
    password_hash: str | None = Field(default=None, max_length=200)
    created_at: str = Field(max_length=40)
    active: bool = True
    # migration 0014: bumped by triggers on every change to the person's role_assignments rows, so that a
    # request's roles are cached on (person, roles_version) (`IdentityRepo.person_roles`, issue 19 §2)
    roles_version: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class RoleAssignmentRow(SQLModel, table=True):
    """Projection of a role held by a person in a unit, with its validity period."""

    __tablename__ = "role_assignments"
    __table_args__ = (Index("ix_roles_person", "person_id"),)
    id: str = Field(primary_key=True, max_length=40)
    person_id: str = Field(max_length=80)
    role: str = Field(max_length=40)
    unit: str = Field(max_length=200)
    valid_from: str = Field(max_length=40)
    valid_to: str | None = Field(default=None, max_length=40)
    granted_by: str = Field(max_length=80)
    reason: str = Field(max_length=500)


class TokenRow(SQLModel, table=True):
    """An API token, stored as its SHA-256 only; expiring and revocable."""

    __tablename__ = "api_tokens"
    token_hash: str = Field(primary_key=True, max_length=64)
    token_id: str = Field(max_length=40, unique=True)
    person_id: str = Field(max_length=80, index=True)
    created_at: str = Field(max_length=40)
    expires_at: str = Field(max_length=40)
    revoked_at: str | None = Field(default=None, max_length=40)


class IdempotencyRow(SQLModel, table=True):
    """The first result of a request sent with an Idempotency-Key."""

    __tablename__ = "idempotency_keys"
    key: str = Field(primary_key=True, max_length=200)
    request_hash: str = Field(max_length=64)
    status: int
    response: str = Field(sa_column=Column(Text, nullable=False))
    created_at: str = Field(max_length=40)


class CalendarYearRow(SQLModel, table=True):
    """An operator-added official holiday arrangement for a year the package does not cover."""

    __tablename__ = "calendar_years"
    year: int = Field(primary_key=True)
    source: str = Field(max_length=500)
    body: str = Field(sa_column=Column(Text, nullable=False))
    added_at: str = Field(max_length=40)


class LogLeafRow(SQLModel, table=True):
    """The transparency log: leaf index → event (RFC 9162 leaf = the event's canonical bytes)."""

    __tablename__ = "log_leaves"
    leaf_index: int = Field(primary_key=True)
    event_id: int = Field(unique=True)
    leaf_hash: str = Field(max_length=64)


class CheckpointRow(SQLModel, table=True):
    """A signed checkpoint (C2SP tlog-checkpoint note) with its cosignatures."""

    __tablename__ = "checkpoints"
    size: int = Field(primary_key=True)
    root_hash: str = Field(max_length=64)
    note: str = Field(sa_column=Column(Text, nullable=False))
    created_at: str = Field(max_length=40)


def _t(model: type[SQLModel]) -> Table:
    return model.__table__  # type: ignore[attr-defined, no-any-return]


EVENTS = _t(EventRow)
DECISIONS = _t(DecisionRow)
ARTIFACTS = _t(ArtifactRow)
PROCEDURE_SPECS = _t(ProcedureSpecRow)
PERSONS = _t(PersonRow)
ROLE_ASSIGNMENTS = _t(RoleAssignmentRow)
TOKENS = _t(TokenRow)
IDEMPOTENCY_KEYS = _t(IdempotencyRow)
CALENDAR_YEARS = _t(CalendarYearRow)
LOG_LEAVES = _t(LogLeafRow)
CHECKPOINTS = _t(CheckpointRow)


class MeetingRow(SQLModel, table=True):
    """Projection of an executive or plenary meeting (stream `meeting:<id>`, R15, Art. 30)."""

    __tablename__ = "meetings"
    __table_args__ = (Index("ix_meetings_held_on", "held_on"),)
    id: str = Field(primary_key=True, max_length=40)
    title: str = Field(max_length=500)
    meeting_type: str = Field(max_length=20)
    held_on: str = Field(max_length=10)
    status: str = Field(max_length=20)
    head: str = Field(max_length=80)
    convened_at: str = Field(max_length=40)
    updated_at: str = Field(max_length=40)
    last_seq: int
    state: str = Field(sa_column=Column(Text, nullable=False))


class MeetingItemRow(SQLModel, table=True):
    """One agenda item of a meeting: which decision, and the head's decision on it (R14–R15)."""

    __tablename__ = "meeting_items"
    __table_args__ = (Index("ix_meeting_items_decision", "decision_id"),)
    meeting_id: str = Field(primary_key=True, max_length=40)
    item_no: int = Field(primary_key=True)
    decision_id: str = Field(max_length=40)
    outcome: str | None = Field(default=None, max_length=40)
    decided_at: str | None = Field(default=None, max_length=40)


MEETINGS = _t(MeetingRow)
MEETING_ITEMS = _t(MeetingItemRow)


class DocumentRow(SQLModel, table=True):
    """An official document (公文) rendered from the record: template and output hashes for re-rendering
    (issue 9; R18, Art. 33: append-only, a new rendering is a new row)."""

    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("decision_id", "doc_kind", "artifact_id", "basis_seq", "template_hash",
                                       name="uq_documents_rendering"),
                      Index("ix_documents_decision", "decision_id", "doc_kind"))
    id: str = Field(primary_key=True, max_length=40)
    decision_id: str = Field(max_length=40)
    doc_kind: str = Field(max_length=60)
    artifact_id: str = Field(max_length=40)
    basis_seq: int
    basis_hash: str = Field(max_length=64)
    title: str = Field(max_length=500)
    doc_number: str = Field(max_length=200)
    template_name: str = Field(max_length=120)
    template_hash: str = Field(max_length=64)
    context_hash: str = Field(max_length=64)
    html_sha256: str = Field(max_length=64)
    html_size: int
    pdf_sha256: str = Field(max_length=64)
    pdf_size: int
    rendered_at: str = Field(max_length=40)
    rendered_by: str = Field(max_length=80)
    event_seq: int


DOCUMENTS = _t(DocumentRow)


class CosignatureRow(SQLModel, table=True):
    """A witness's cosignature of a checkpoint (a signed-note signature line over the same text)."""

    __tablename__ = "cosignatures"
    size: int = Field(primary_key=True)
    witness_key: str = Field(primary_key=True, max_length=300)
    signature: str = Field(sa_column=Column(Text, nullable=False))
    created_at: str = Field(max_length=40)


COSIGNATURES = _t(CosignatureRow)


class LogProfileRow(SQLModel, table=True):
    """The log profile a store was initialised with (one row): the hash of the event chain and the Merkle
    tree and the signature of checkpoints and cosignatures, never mixed within one log."""

    __tablename__ = "log_profile"
    id: int = Field(primary_key=True)
    profile: str = Field(max_length=40)
    recorded_at: str = Field(max_length=40)


LOG_PROFILE = _t(LogProfileRow)


class AccountabilityCaseRow(SQLModel, table=True):
    """Projection of an accountability case or undue-delay incident (stream `accountability:<id>`,
    Arts. 38–41, R22); `incident_key` is unique, so the clock opens at most one incident per decision."""

    __tablename__ = "accountability_cases"
    __table_args__ = (UniqueConstraint("incident_key", name="uq_accountability_incident"),
                      Index("ix_accountability_decision", "decision_id"),
                      Index("ix_accountability_status", "status", "opened_at"))
    id: str = Field(primary_key=True, max_length=40)
    decision_id: str = Field(max_length=40)
    kind: str = Field(max_length=20)
    status: str = Field(max_length=20)
    incident_key: str | None = Field(default=None, max_length=100)
    opened_at: str = Field(max_length=40)
    updated_at: str = Field(max_length=40)
    closed_at: str | None = Field(default=None, max_length=40)
    last_seq: int
    state: str = Field(sa_column=Column(Text, nullable=False))


class ExecutionOpinionRow(SQLModel, table=True):
    """A public opinion on a decision's execution (Art. 34, no login): the text here, its SHA-256 in the
    event on stream `execution-opinions:<decision id>`; the sender's identity kept apart, never shown."""

    __tablename__ = "execution_opinions"
    __table_args__ = (Index("ix_execution_opinions_decision", "decision_id", "received_at"),)
    tracking_number: str = Field(primary_key=True, max_length=40)
    decision_id: str = Field(max_length=40)
    text: str = Field(sa_column=Column(Text, nullable=False))
    text_sha256: str = Field(max_length=64)
    identity: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    received_at: str = Field(max_length=40)
    seq: int


ACCOUNTABILITY_CASES = _t(AccountabilityCaseRow)
EXECUTION_OPINIONS = _t(ExecutionOpinionRow)


class PublicCommentRow(SQLModel, table=True):
    """A public comment (R6, Art. 15), projected from stream `comments:<decision id>` or one of its shards
    `comments:<decision id>#<k>` (issue 19 §4): never edited;
    moderation hides it with a reason and never deletes it; late comments are kept and flagged."""

    __tablename__ = "public_comments"
    __table_args__ = (Index("ix_public_comments_decision", "decision_id", "seq"),)
    tracking_number: str = Field(primary_key=True, max_length=24)
    decision_id: str = Field(max_length=40)
    notice_artifact_id: str = Field(max_length=40)
    seq: int
    channel: str = Field(max_length=20)
    text: str = Field(sa_column=Column(Text, nullable=False))
    text_sha256: str = Field(max_length=64)
    identity_sha256: str | None = Field(default=None, max_length=64)
    attachments: str = Field(sa_column=Column(Text, nullable=False))
    received_at: str = Field(max_length=40)
    received_on: str = Field(max_length=10)
    late: bool
    hidden_reason: str | None = Field(default=None, max_length=20)
    hidden_note: str | None = Field(default=None, max_length=500)
    shard: int | None = None  # the shard stream `comments:<decision>#<shard>` recording it; None: the main stream


class CommentIdentityRow(SQLModel, table=True):
    """A commenter's optional identity, kept apart from the public record; the log holds only its salted
    SHA-256 (`identity_sha256`)."""

    __tablename__ = "comment_identities"
    tracking_number: str = Field(primary_key=True, max_length=24)
    name: str = Field(default="", max_length=200)
    organisation: str = Field(default="", max_length=200)
    contact: str = Field(default="", max_length=200)
    salt: str = Field(max_length=32)


class OpinionClusterRow(SQLModel, table=True):
    """One distinct opinion (a cluster of identical or near-identical comments) and its disposition (R8)."""

    __tablename__ = "opinion_clusters"
    decision_id: str = Field(primary_key=True, max_length=40)
    cluster_id: str = Field(primary_key=True, max_length=12)
    representative: str = Field(max_length=24)
    size: int
    disposition: str | None = Field(default=None, max_length=12)
    reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    changed_in_version: int | None = None
    disposed_at: str | None = Field(default=None, max_length=40)
    disposed_by: str | None = Field(default=None, max_length=80)
    seq: int


class OpinionClusterMemberRow(SQLModel, table=True):
    """Which cluster a comment belongs to (written once by a clustering run; R8)."""

    __tablename__ = "opinion_cluster_members"
    __table_args__ = (Index("ix_opinion_cluster_members_cluster", "decision_id", "cluster_id"),)
    tracking_number: str = Field(primary_key=True, max_length=24)
    decision_id: str = Field(max_length=40)
    cluster_id: str = Field(max_length=12)


class ExpertPoolRow(SQLModel, table=True):
    """An expert in the pool (专家库, Art. 21), projected from stream `experts:pool`."""

    __tablename__ = "expert_pool"
    person_id: str = Field(primary_key=True, max_length=80)
    name: str = Field(max_length=200)
    fields: str = Field(sa_column=Column(Text, nullable=False))
    affiliation: str = Field(max_length=200)
    title: str = Field(default="", max_length=100)
    active: bool = True
    added_at: str = Field(max_length=40)
    seq: int


PUBLIC_COMMENTS = _t(PublicCommentRow)
COMMENT_IDENTITIES = _t(CommentIdentityRow)
OPINION_CLUSTERS = _t(OpinionClusterRow)
OPINION_CLUSTER_MEMBERS = _t(OpinionClusterMemberRow)
EXPERT_POOL = _t(ExpertPoolRow)


class ClockDutyRow(SQLModel, table=True):
    """A duty the statutory clock (or a background flow) performed, keyed (decision, duty, due): the key
    makes a second run or a retried task a no-op (issue 8; migration 0006_notifications)."""

    __tablename__ = "clock_duties"
    __table_args__ = (Index("ix_clock_duties_ref", "duty", "ref"),)
    decision_id: str = Field(primary_key=True, max_length=40)
    duty: str = Field(primary_key=True, max_length=80)
    due: str = Field(primary_key=True, max_length=40)
    ref: int | None = None
    status: str = Field(max_length=20)
    attempts: int = 0
    stream: str = Field(max_length=80)
    seq: int | None = None
    detail: str = Field(sa_column=Column(Text, nullable=False))
    done_at: str = Field(max_length=40)


class NotificationRow(SQLModel, table=True):
    """A reminder or escalation (stream `notifications:<decision>`): the outbox the notifier delivers from
    and the inbox the pages show; one per (decision, duty, due, person)."""

    __tablename__ = "notifications"
    __table_args__ = (UniqueConstraint("decision_id", "duty", "due", "person_id",
                                       name="uq_notifications_duty_person"),
                      Index("ix_notifications_person", "person_id", "created_at"),
                      Index("ix_notifications_status", "status"))
    id: str = Field(primary_key=True, max_length=40)
    decision_id: str = Field(max_length=40)
    person_id: str = Field(max_length=80)
    duty: str = Field(max_length=80)
    due: str = Field(max_length=40)
    kind: str = Field(max_length=20)
    level: int
    subject: str = Field(max_length=500)
    body: str = Field(sa_column=Column(Text, nullable=False))
    link: str = Field(max_length=300)
    created_at: str = Field(max_length=40)
    status: str = Field(max_length=20)
    attempts: int = 0
    address: str | None = Field(default=None, max_length=300)
    delivered_at: str | None = Field(default=None, max_length=40)
    read_at: str | None = Field(default=None, max_length=40)
    last_error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    seq: int


class NotificationContactRow(SQLModel, table=True):
    """Where a person receives notifications, and the unit they head (escalation level 1)."""

    __tablename__ = "notification_contacts"
    __table_args__ = (Index("ix_notification_contacts_heads", "heads_unit"),)
    person_id: str = Field(primary_key=True, max_length=80)
    email: str | None = Field(default=None, max_length=300)
    heads_unit: str | None = Field(default=None, max_length=200)
    updated_at: str = Field(max_length=40)


CLOCK_DUTIES = _t(ClockDutyRow)
NOTIFICATIONS = _t(NotificationRow)
NOTIFICATION_CONTACTS = _t(NotificationContactRow)


class AuthFailureRow(SQLModel, table=True):
    """A failed authentication (SEC2, GB/T 22239-2019 8.1.4.1 b)), kept only as long as the window it counts
    in: `scope` is `person:<id>` (a wrong password) or `client:<address>` (any failure from an address).
    Counting in the database lets every API worker see the same counts (migration 0011_accounts)."""

    __tablename__ = "auth_failures"
    __table_args__ = (Index("ix_auth_failures_scope", "scope", "at"), Index("ix_auth_failures_at", "at"))
    id: int | None = Field(default=None, primary_key=True)
    scope: str = Field(max_length=140)
    at: str = Field(max_length=40)


class AccountLockRow(SQLModel, table=True):
    """Projection of an account's lock (events AccountLocked / AccountUnlocked on `person:<id>`)."""

    __tablename__ = "account_locks"
    person_id: str = Field(primary_key=True, max_length=80)
    locked_at: str = Field(max_length=40)
    locked_until: str | None = Field(default=None, max_length=40)
    reason: str = Field(max_length=500)


AUTH_FAILURES = _t(AuthFailureRow)
ACCOUNT_LOCKS = _t(AccountLockRow)
# The security audit trail reads events by type, newest first (migration 0011_accounts).
EVENTS_BY_TYPE = Index("ix_events_type_id", EVENTS.c.type, EVENTS.c.id)
