"""The events of a decision's stream, typed and versioned.

Each event type is a frozen dataclass with its `TYPE` (the stored type name) and `VERSION` (the schema
version stored as the envelope's `"v"`). `to_payload()` gives exactly the payload dict the store
canonicalises and hashes (RFC 8785), so the bytes of an event do not depend on this module's layout;
`from_payload()` reads one back. When an event's shape changes, its `VERSION` goes up and an upcaster
`(type, from_version) -> payload` turns the payloads stored under the older version into the next one:
`Catalogue.read` applies them, in order, before the fold sees the event, so a stored event keeps its bytes
and still replays.

Pure, stdlib only. The organisation's stream has its own catalogue (`domain/org_events.py`); the streams of
meetings, comments and accountability cases keep plain payloads.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import MISSING, dataclass, fields
from typing import Any, ClassVar, Self

from decision_engine.domain.values import NewEvent

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True, slots=True)
class Event:
    """An event of a decision's stream. Subclasses name their `TYPE`, `VERSION`, the payload keys that are
    left out when None (`OMIT_NONE`) and the keys that are no Python name (`KEYS`: field -> key)."""

    TYPE: ClassVar[str] = ""
    VERSION: ClassVar[int] = 1
    OMIT_NONE: ClassVar[frozenset[str]] = frozenset()
    KEYS: ClassVar[dict[str, str]] = {}

    def to_payload(self) -> dict[str, Any]:
        """The payload stored in the envelope (and hashed, canonically)."""
        out = {}
        for name, key in _keys(type(self)):
            value = getattr(self, name)
            if value is None and name in self.OMIT_NONE:
                continue
            out[key] = value
        return out

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> Self:
        """The event from a payload of this type's current version (missing optional keys take their
        defaults; a missing required key is a KeyError, as the fold always raised)."""
        keys = _payload_keys(cls)
        try:
            return cls(*[payload[key] for key in keys])  # the fields, in order (the replay's hot path)
        except KeyError:
            defaults = _defaults(cls)
            return cls(**{name: payload[key] if key in payload or name not in defaults else defaults[name]
                          for name, key in _keys(cls)})

    def new(self) -> NewEvent:
        """The event as a command returns it, for the store to append."""
        return NewEvent(self.TYPE, self.to_payload())


_KEYS: dict[type[Event], tuple[tuple[str, str], ...]] = {}
_PAYLOAD_KEYS: dict[type[Event], tuple[str, ...]] = {}
_DEFAULTS: dict[type[Event], dict[str, Any]] = {}


def _keys(cls: type[Event]) -> tuple[tuple[str, str], ...]:
    """Each field with its payload key, in the order declared (computed once per type)."""
    keys = _KEYS.get(cls)
    if keys is None:
        keys = _KEYS[cls] = tuple((f.name, cls.KEYS.get(f.name, f.name)) for f in fields(cls))
    return keys


def _payload_keys(cls: type[Event]) -> tuple[str, ...]:
    """The payload keys in the order of the fields (computed once per type)."""
    keys = _PAYLOAD_KEYS.get(cls)
    if keys is None:
        keys = _PAYLOAD_KEYS[cls] = tuple(key for _, key in _keys(cls))
    return keys


def _defaults(cls: type[Event]) -> dict[str, Any]:
    """The fields with a default, for payloads that leave them out (computed once per type)."""
    defaults = _DEFAULTS.get(cls)
    if defaults is None:
        defaults = _DEFAULTS[cls] = {f.name: f.default for f in fields(cls) if f.default is not MISSING}
    return defaults


# ------------------------------------------------------------------------------------ S0 opening
@dataclass(frozen=True, slots=True)
class DecisionOpened(Event):
    """A decision opened under a pinned procedure (R1, R3)."""

    TYPE: ClassVar[str] = "DecisionOpened"
    OMIT_NONE: ClassVar[frozenset[str]] = frozenset({"organ", "organ_level", "applies", "procedure_by_law"})
    decision_id: str
    title: str
    category: str
    unit: str
    procedure: dict[str, Any]
    due_by: str | None = None
    summary: str = ""
    organ: str | None = None  # the decision organ of the organisation chart (AR1); absent: single organ
    # R1, Arts. 2, 42 and Art. 3 ¶2 (absent in events stored before them: left out when None, same bytes)
    organ_level: str | None = None  # province / city / county / department / township
    applies: str | None = None  # "direct" (Art. 2) or "by_reference" (参照, Art. 42)
    procedure_by_law: str | None = None  # the law or administrative regulation whose procedure prevails


@dataclass(frozen=True, slots=True)
class DeterminationRecorded(Event):
    """A determination (specialised, risk-relevant...) with its reasons."""

    TYPE: ClassVar[str] = "DeterminationRecorded"
    kind: str
    value: bool
    reasons: str
    by: str


@dataclass(frozen=True, slots=True)
class ArtifactRecorded(Event):
    """An artifact recorded in its gate, content-addressed."""

    TYPE: ClassVar[str] = "ArtifactRecorded"
    artifact_id: str
    kind: str
    gate: str
    sha256: str
    size: int
    media_type: str
    filename: str
    draft_version: int
    fields: dict[str, Any]
    on: str
    storage: str = "blob"


@dataclass(frozen=True, slots=True)
class DraftVersionAdded(Event):
    """A new draft version (R13)."""

    TYPE: ClassVar[str] = "DraftVersionAdded"
    artifact_id: str
    version: int
    title: str
    note: str
    sha256: str
    size: int
    media_type: str
    filename: str
    on: str


# ------------------------------------------------------------------------------------ gates
@dataclass(frozen=True, slots=True)
class GateCleared(Event):
    """A gate cleared by act."""

    TYPE: ClassVar[str] = "GateCleared"
    gate: str
    on: str


@dataclass(frozen=True, slots=True)
class GateReturned(Event):
    """A gate's submission returned; a new round begins (R11)."""

    TYPE: ClassVar[str] = "GateReturned"
    gate: str
    reason: str


@dataclass(frozen=True, slots=True)
class GateReopened(Event):
    """A gate reopened: by a new draft version (R13) or sent back by the head (R15, with `by`)."""

    TYPE: ClassVar[str] = "GateReopened"
    OMIT_NONE: ClassVar[frozenset[str]] = frozenset({"by"})
    gate: str
    reason: str
    rule: str
    article: str
    by: str | None = None


@dataclass(frozen=True, slots=True)
class GateExempted(Event):
    """A gate exempted on a determination and its legal basis."""

    TYPE: ClassVar[str] = "GateExempted"
    gate: str
    legal_basis: str
    by: str


# ------------------------------------------------------------------------------------ records (R7, R9, R11)
@dataclass(frozen=True, slots=True)
class RecordPresented(Event):
    """A record (the hearing record) presented for confirmation by its sha256 (R7, Art. 17)."""

    TYPE: ClassVar[str] = "RecordPresented"
    subject: str
    sha256: str
    size: int
    media_type: str
    filename: str
    draft_version: int


@dataclass(frozen=True, slots=True)
class RecordConfirmed(Event):
    """A person confirmed a record with their own credential (SoD5, R9)."""

    TYPE: ClassVar[str] = "RecordConfirmed"
    OMIT_NONE: ClassVar[frozenset[str]] = frozenset({"artifact_id"})
    subject: str
    sha256: str
    remarks: str = ""
    artifact_id: str | None = None


@dataclass(frozen=True, slots=True)
class SupplementRequested(Event):
    """The legal office asked for supplementary material (R11, Art. 26)."""

    TYPE: ClassVar[str] = "SupplementRequested"
    gate: str
    items: list[str]
    reason: str


# ------------------------------------------------------------------------------------ the decision and after
@dataclass(frozen=True, slots=True)
class DecisionFinalized(Event):
    """The decision made (R13–R16)."""

    TYPE: ClassVar[str] = "DecisionFinalized"
    on: str
    draft_version: int
    meeting_artifact: str


@dataclass(frozen=True, slots=True)
class DecisionSuspended(Event):
    """Execution suspended on an Art. 35 ground (R20, SoD6)."""

    TYPE: ClassVar[str] = "DecisionSuspended"
    OMIT_NONE: ClassVar[frozenset[str]] = frozenset({"urgency"})
    ground: str
    reason: str
    from_status: str
    urgency: str | None = None  # R20, Art. 37: why it is urgent (absent from suspensions before issue 16)


@dataclass(frozen=True, slots=True)
class DecisionResumed(Event):
    """A suspended decision resumed."""

    TYPE: ClassVar[str] = "DecisionResumed"
    reason: str


@dataclass(frozen=True, slots=True)
class DecisionWithdrawn(Event):
    """Withdrawn before the decision was made."""

    TYPE: ClassVar[str] = "DecisionWithdrawn"
    reason: str


@dataclass(frozen=True, slots=True)
class DecisionClosed(Event):
    """The case closed (R18)."""

    TYPE: ClassVar[str] = "DecisionClosed"
    artifacts: int


@dataclass(frozen=True, slots=True)
class DecisionTerminated(Event):
    """Stopped on a stated basis (R20, Art. 37)."""

    TYPE: ClassVar[str] = "DecisionTerminated"
    OMIT_NONE: ClassVar[frozenset[str]] = frozenset({"meeting_id", "item_no"})
    basis: str
    reason: str
    basis_ref: str
    from_status: str
    meeting_id: str | None = None  # R20, Arts. 30, 37: the meeting that adopted it (absent before issue 16)
    item_no: int | None = None


@dataclass(frozen=True, slots=True)
class AdjustmentOpened(Event):
    """A major adjustment opened as a new decision (R20, Art. 37), on the original's stream."""

    TYPE: ClassVar[str] = "AdjustmentOpened"
    OMIT_NONE: ClassVar[frozenset[str]] = frozenset({"meeting_id", "item_no"})
    adjustment_id: str
    reason: str
    basis_ref: str
    meeting_id: str | None = None  # R20, Arts. 30, 37: the meeting that adopted it (absent before issue 16)
    item_no: int | None = None


@dataclass(frozen=True, slots=True)
class AdjustsDecision(Event):
    """The link from the adjustment to the decision it adjusts, on the new decision's stream."""

    TYPE: ClassVar[str] = "AdjustsDecision"
    original_id: str
    original_title: str
    original_status: str
    reason: str
    basis_ref: str


@dataclass(frozen=True, slots=True)
class ExecutionSupervised(Event):
    """The organ's supervision and check of the execution (督促检查, R19, Art. 34; since issue 16)."""

    TYPE: ClassVar[str] = "ExecutionSupervised"
    OMIT_NONE: ClassVar[frozenset[str]] = frozenset({"due_by"})
    findings: str
    instructions: str
    units: list[str]
    due_by: str | None = None


@dataclass(frozen=True, slots=True)
class CorrectionOrdered(Event):
    """The superior organ of the decision's organ orders it to correct a breach (责令改正, ACC5, Art. 38 ¶1)."""

    TYPE: ClassVar[str] = "CorrectionOrdered"
    OMIT_NONE: ClassVar[frozenset[str]] = frozenset({"due_by"})
    order_id: str
    breach: str
    findings: str
    required: str
    due_by: str | None = None


@dataclass(frozen=True, slots=True)
class CorrectionReported(Event):
    """The decision organ reports how it corrected what it was ordered to correct (ACC5, Art. 38 ¶1)."""

    TYPE: ClassVar[str] = "CorrectionReported"
    order_id: str
    report: str


@dataclass(frozen=True, slots=True)
class ProcedureMigrated(Event):
    """A running decision moved to another procedure version (PV1)."""

    TYPE: ClassVar[str] = "ProcedureMigrated"
    KEYS: ClassVar[dict[str, str]] = {"from_": "from"}
    from_: dict[str, Any]
    justification: str
    to: dict[str, Any]


@dataclass(frozen=True, slots=True)
class AttemptRefused(Event):
    """A refused attempt kept as evidence (Art. 38); the state does not change."""

    TYPE: ClassVar[str] = "AttemptRefused"
    act: str
    error: str
    rule: str
    article: str
    message: str
    missing: list[dict[str, str]]


DECISION_EVENTS: tuple[type[Event], ...] = (
    DecisionOpened, DeterminationRecorded, ArtifactRecorded, DraftVersionAdded, GateCleared, GateReturned,
    GateReopened, GateExempted, RecordPresented, RecordConfirmed, SupplementRequested, DecisionFinalized,
    DecisionSuspended, DecisionResumed, DecisionWithdrawn, DecisionClosed, DecisionTerminated, AdjustmentOpened,
    AdjustsDecision, ProcedureMigrated, AttemptRefused, ExecutionSupervised, CorrectionOrdered, CorrectionReported)


class Catalogue:
    """The event types by name, and the upcasters by (type, version they read)."""

    def __init__(self, types: Iterable[type[Event]]) -> None:
        self._types = {t.TYPE: t for t in types}
        self._upcasters: dict[tuple[str, int], Upcaster] = {}

    def upcaster(self, etype: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
        """Register `fn` as turning a payload of `etype` stored under `from_version` into the next version."""
        def register(fn: Upcaster) -> Upcaster:
            self._upcasters[(etype, from_version)] = fn
            return fn
        return register

    def knows(self, etype: str) -> bool:
        """Whether this catalogue types events of `etype`."""
        return etype in self._types

    def version(self, etype: str) -> int:
        """The schema version written for an event type (1 for a type this catalogue does not type)."""
        cls = self._types.get(etype)
        return cls.VERSION if cls is not None else 1

    def read(self, envelope: dict[str, Any]) -> Event | None:
        """The typed event of a stored envelope, upcast from the version it was stored under; None for a
        type this catalogue does not know (another stream's, or one the fold ignores)."""
        etype, version, payload = envelope["type"], envelope.get("v", 1), envelope["payload"]
        if self._upcasters:
            while (etype, version) in self._upcasters:
                payload = self._upcasters[(etype, version)](payload)
                version += 1
        cls = self._types.get(etype)
        if cls is None:
            return None
        if version != cls.VERSION:
            raise ValueError(f"{etype} stored under version {envelope.get('v', 1)} cannot be read as version "
                             f"{cls.VERSION}: no upcaster from version {version}")
        return cls.from_payload(payload)


DEFAULT = Catalogue(DECISION_EVENTS)
