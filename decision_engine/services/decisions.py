"""Use cases on a decision: one short function each (open the unit of work, load, call the domain,
append the events, save the projection, commit). Refused attempts by a known person are recorded
as evidence (`AttemptRefused`) without changing the decision's state.

A gate command reads once before it writes (issue 19 §5): `command_read` takes the projection, the stream's
head, the chart's head and the person's roles in one round trip, and the append continues from that head."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import orjson

from decision_engine import procedures
from decision_engine.audit.canonical import canonical, sha256_hex
from decision_engine.domain import doors
from decision_engine.domain.decision import Actor, BlobRef, Decision, NewEvent
from decision_engine.domain.errors import (
    ConcurrencyConflict,
    DomainError,
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    Unauthenticated,
    UnsupportedMediaType,
)
from decision_engine.domain.events import AttemptRefused
from decision_engine.domain.organisation import OrgChart
from decision_engine.services import organisation
from decision_engine.services.context import Context, new_id, unit_of
from decision_engine.services.identity import actors_of, held_at
from decision_engine.services.ports import UnitOfWork

ACCEPTED_MEDIA = ("application/pdf", "application/json", "text/plain", "text/markdown", "text/html",
                  "text/csv", "image/png", "image/jpeg",
                  "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                  "application/msword", "application/ofd", "application/zip")

Act = Callable[[Decision, tuple[Actor, ...], date], tuple[Actor | None, list[NewEvent]]]


@dataclass(frozen=True, slots=True)
class Result:
    """What a command did: the decision, its new sequence, the events appended."""

    decision_id: str
    seq: int
    events: tuple[dict[str, Any], ...]
    status: str

    def to_dict(self) -> dict[str, Any]:
        """JSON form for doors."""
        return {"decision_id": self.decision_id, "seq": self.seq, "status": self.status,
                "events": [{"seq": e["seq"], "type": e["type"]} for e in self.events]}


def stream_of(decision_id: str) -> str:
    """The event stream of a decision."""
    return f"decision:{decision_id}"


def load(tx: UnitOfWork | Any, decision_id: str, *, chart: OrgChart | None = None) -> tuple[Decision, int]:
    """A decision from its projection, with the sequence it was read at (`tx`: a unit of work, or the
    transaction handle of a caller not behind the port yet); `chart`: the organisation chart this
    transaction has already read (else it is read here)."""
    uow = unit_of(tx)
    row = uow.decisions.load(decision_id)
    return _decision_of(uow, row, chart if chart is not None else organisation.chart_of(uow)), int(row["last_seq"])


def _decision_of(uow: UnitOfWork, row: dict[str, Any], chart: OrgChart) -> Decision:
    """The aggregate of a projection row, under its pinned procedure (from the spec cache, keyed by hash)."""
    return Decision(uow.decisions.spec(row["procedure_hash"]), orjson.loads(row["state"]),
                    resolve=uow.decisions.spec, chart=chart)


@dataclass(frozen=True, slots=True)
class CommandState:
    """What a command on a decision read before it writes (`command_read`)."""

    decision: Decision
    seq: int  # the projection's sequence (the update's `previous_seq`)
    candidates: tuple[Actor, ...]  # the person's roles now
    head: tuple[int, str]  # the decision stream's (sequence, chain hash): the append starts there


def command_read(uow: UnitOfWork, decision_id: str, person_id: str, at: str) -> CommandState:
    """A gate command's reads in one round trip (issue 19 §5): the projection, the decision's and the
    organisation's stream heads and the person's roles (`Decisions.load_for_command`); the pinned procedure
    and the chart come from their caches (keyed by hash). NotFound for no such decision, then
    Unauthenticated for an unknown person (the order `load` then `actors_of` refused them in)."""
    read = uow.decisions.load_for_command(decision_id, stream=stream_of(decision_id),
                                          org_stream=organisation.ORG_STREAM, person_id=person_id)
    d = _decision_of(uow, read.row, organisation.chart_of(uow, read.org_head))
    return CommandState(d, int(read.row["last_seq"]), held_at(person_id, read.person, at), read.head)


def _persist(tx: UnitOfWork | Any, d: Decision, actor: Actor, events: list[NewEvent], at: str,
             previous_seq: int | None, expected_seq: int | None,
             head: tuple[int, str] | None = None) -> list[dict[str, Any]]:
    uow = unit_of(tx)
    stored = uow.events.append(stream_of(d.id) if previous_seq is not None else
                               stream_of(events[0].payload["decision_id"]),
                               [(e.type, e.payload) for e in events], at=at, actor=actor.to_dict(),
                               expected_seq=expected_seq, head=head)
    for env in stored:
        d.apply(env)
        if env["type"] in ("ArtifactRecorded", "DraftVersionAdded"):
            uow.artifacts.add(d.id, d.state["artifacts"][env["payload"]["artifact_id"]])
    uow.decisions.save(d.state, previous_seq=previous_seq)
    return stored


CONFLICT_RETRIES = 16  # a writer that pinned no sequence is re-run on the new state, not refused


def run(ctx: Context, person_id: str, decision_id: str, act: Act, *, what: str,
        expected_seq: int | None = None) -> Result:
    """Run one act on a decision in one transaction; record a refusal as evidence and re-raise.

    When another writer appended first (PostgreSQL runs concurrent transactions; SQLite serialises them)
    and the caller pinned no `expected_seq`, the act is re-run on the decision as it now stands — every
    rule is checked again — so a retry never needs the client; with a pinned sequence the conflict is the
    answer (409)."""
    for attempt in range(CONFLICT_RETRIES + 1):
        at = ctx.now_iso()
        today = ctx.today()
        try:
            with ctx.uow.write() as uow:
                read = command_read(uow, decision_id, person_id, at)
                d, seq, candidates = read.decision, read.seq, read.candidates
                actor, events = act(d, candidates, today)
                if not events:
                    return Result(decision_id, seq, (), d.status)
                stored = _persist(uow, d, actor or candidates[0], events, at, seq, expected_seq, read.head)
                return Result(decision_id, stored[-1]["seq"], tuple(stored), d.status)
        except (NotFound, Unauthenticated):
            raise
        except ConcurrencyConflict as conflict:
            if expected_seq is None and attempt < CONFLICT_RETRIES:
                time.sleep(random.uniform(0, min(0.05, 0.002 * 2 ** attempt)))  # jittered, doubling
                continue
            _record_refusal(ctx, person_id, decision_id, what, conflict)
            raise
        except DomainError as refusal:
            _record_refusal(ctx, person_id, decision_id, what, refusal)
            raise
    raise AssertionError("unreachable")  # pragma: no cover


def _record_refusal(ctx: Context, person_id: str, decision_id: str, what: str, refusal: DomainError) -> None:
    """Art. 38 evidence: who tried what, and which rule refused it (state unchanged)."""
    if refusal.status == 503:
        return
    at = ctx.now_iso()
    try:
        with ctx.uow.write() as uow:
            read = command_read(uow, decision_id, person_id, at)
            candidates = read.candidates
            actor = candidates[0] if candidates else Actor(person_id, "none", "")
            _persist(uow, read.decision, actor, [AttemptRefused(
                act=what, error=type(refusal).__name__, rule=refusal.rule, article=refusal.article,
                message=refusal.message[:500], missing=[m.to_dict() for m in refusal.missing][:50]).new()],
                     at, read.seq, None, read.head)
    except DomainError:
        pass  # the refusal itself stands; failing to log it must not hide it


def open_decision(ctx: Context, person_id: str, *, title: str, category: str, unit: str,
                  profile: str = procedures.BASE, due_by: str | None = None, summary: str = "",
                  decision_id: str | None = None, organ_level: str | None = None,
                  procedure_by_law: str | None = None) -> Result:
    """Open a decision under a pinned procedure profile (R1; the organ's level, Arts. 2, 42; the law whose
    procedure prevails, Art. 3 ¶2)."""
    spec = procedures.load(profile)
    did = decision_id or new_id("MAD")
    at = ctx.now_iso()
    with ctx.uow.write() as uow:
        chart = organisation.chart_of(uow)
        actor, events = Decision.open(spec, did, actors_of(uow.tx, person_id, at), title=title,
                                      category=category, unit=unit, today=ctx.today(), due_by=due_by,
                                      summary=summary, chart=chart, organ_level=organ_level,
                                      procedure_by_law=procedure_by_law)
        uow.decisions.put_spec(spec, at)
        d = Decision(spec, chart=chart)
        stored = _persist(uow, d, actor, events, at, None, 0)
        return Result(did, stored[-1]["seq"], tuple(stored), d.status)


def record_determination(ctx: Context, person_id: str, decision_id: str, kind: str, value: bool,
                         reasons: str, *, expected_seq: int | None = None) -> Result:
    """Record a determination (R2, R5, R7, R9, R10, R13, R14, R16, R17)."""
    def act(d: Decision, c: tuple[Actor, ...], today: date) -> tuple[Actor | None, list[NewEvent]]:
        return d.record_determination(c, kind, value, reasons)
    return run(ctx, person_id, decision_id, act, what=f"determination:{kind}", expected_seq=expected_seq)


def _store_blob(ctx: Context, content: bytes | None, media_type: str, filename: str,
                fields: dict[str, Any]) -> BlobRef:
    if content is None:
        # A fields-only artifact: its bytes are the canonical JSON of the fields, which the event itself
        # carries (and the hash chain protects); no separate blob write is needed.
        data = canonical(fields)
        if len(data) > ctx.settings.max_upload_bytes:
            raise PayloadTooLarge(f"fields of {len(data)} bytes exceed the limit of "
                                  f"{ctx.settings.max_upload_bytes}", rule="R18", article="Art. 33")
        return BlobRef(sha256=sha256_hex(data), size=len(data), media_type="application/json",
                       filename=filename or "fields.json", storage="inline")
    if len(content) > ctx.settings.max_upload_bytes:
        raise PayloadTooLarge(f"upload of {len(content)} bytes exceeds the limit of "
                              f"{ctx.settings.max_upload_bytes}", rule="R18", article="Art. 33")
    if media_type.split(";")[0].strip() not in ACCEPTED_MEDIA:
        raise UnsupportedMediaType(f"media type {media_type!r} is not accepted; accepted: "
                                   + ", ".join(ACCEPTED_MEDIA), rule="R18", article="Art. 33")
    sha = ctx.blobs.put(content)
    return BlobRef(sha256=sha, size=len(content), media_type=media_type.split(";")[0].strip(),
                   filename=filename[:255])


def record_artifact(ctx: Context, person_id: str, decision_id: str, kind: str, fields: dict[str, Any], *,
                    content: bytes | None = None, media_type: str = "application/json",
                    filename: str = "", expected_seq: int | None = None) -> Result:
    """Record an artifact through the generic door: bytes into the blob store first, then the event (never
    the reverse). A kind produced by a compound act of its own (a meeting record, an expert's opinion, a
    hearing record, the feedback report...) is refused here, naming its door (AR14, `domain/doors.py`);
    the attempt is kept as evidence like every refusal."""
    try:
        doors.through(kind, None, decision_id)
    except DomainError as refusal:
        _record_refusal(ctx, person_id, decision_id, f"artifact:{kind}", refusal)
        raise
    return _record_artifact(ctx, person_id, decision_id, kind, fields, content=content, media_type=media_type,
                            filename=filename, expected_seq=expected_seq)


def record_by(use_case: str, ctx: Context, person_id: str, decision_id: str, kind: str, fields: dict[str, Any],
              *, content: bytes | None = None, media_type: str = "application/json", filename: str = "",
              expected_seq: int | None = None) -> Result:
    """The use case `use_case` records the artifact its act produces (its door in `doors.DOORS`)."""
    doors.through(kind, use_case, decision_id)
    return _record_artifact(ctx, person_id, decision_id, kind, fields, content=content, media_type=media_type,
                            filename=filename, expected_seq=expected_seq)


def _record_artifact(ctx: Context, person_id: str, decision_id: str, kind: str, fields: dict[str, Any], *,
                     content: bytes | None = None, media_type: str = "application/json",
                     filename: str = "", expected_seq: int | None = None) -> Result:
    if not isinstance(fields, dict):
        raise InvalidInput("fields must be an object")
    blob = _store_blob(ctx, content, media_type, filename or f"{kind}.json", fields)
    artifact_id = new_id("A")

    def act(d: Decision, c: tuple[Actor, ...], today: date) -> tuple[Actor | None, list[NewEvent]]:
        return d.record_artifact(c, kind, blob, fields, artifact_id, ctx.calendar, today)
    return run(ctx, person_id, decision_id, act, what=f"artifact:{kind}", expected_seq=expected_seq)


def add_draft_version(ctx: Context, person_id: str, decision_id: str, *, content: bytes, title: str,
                      note: str = "", media_type: str = "text/plain", filename: str = "draft.txt",
                      expected_seq: int | None = None) -> Result:
    """A new draft version (reopens a legality review of an older version, R13)."""
    blob = _store_blob(ctx, content, media_type, filename, {})
    artifact_id = new_id("A")

    def act(d: Decision, c: tuple[Actor, ...], today: date) -> tuple[Actor | None, list[NewEvent]]:
        return d.add_draft_version(c, blob, title, note, artifact_id, today)
    return run(ctx, person_id, decision_id, act, what="draft_version", expected_seq=expected_seq)


def clear_gate(ctx: Context, person_id: str, decision_id: str, gate_id: str, *,
               expected_seq: int | None = None) -> Result:
    """Clear a gate by act: its requirements met, by a role that may clear it, never by an author (SoD8)."""
    def act(d: Decision, c: tuple[Actor, ...], today: date) -> tuple[Actor | None, list[NewEvent]]:
        return d.clear_gate(c, gate_id, today)
    return run(ctx, person_id, decision_id, act, what=f"clear:{gate_id}", expected_seq=expected_seq)


def return_gate(ctx: Context, person_id: str, decision_id: str, gate_id: str, reason: str, *,
                expected_seq: int | None = None) -> Result:
    """Return a gate's submission with the reason; a new round begins (R11, Art. 26)."""
    def act(d: Decision, c: tuple[Actor, ...], today: date) -> tuple[Actor | None, list[NewEvent]]:
        return d.return_gate(c, gate_id, reason)
    return run(ctx, person_id, decision_id, act, what=f"return:{gate_id}", expected_seq=expected_seq)


def exempt_gate(ctx: Context, person_id: str, decision_id: str, gate_id: str, legal_basis: str, *,
                expected_seq: int | None = None) -> Result:
    """Exempt a gate on its recorded determination, artifact and legal basis."""
    def act(d: Decision, c: tuple[Actor, ...], today: date) -> tuple[Actor | None, list[NewEvent]]:
        return d.exempt_gate(c, gate_id, legal_basis)
    return run(ctx, person_id, decision_id, act, what=f"exempt:{gate_id}", expected_seq=expected_seq)


def finalize(ctx: Context, person_id: str, decision_id: str, *, expected_seq: int | None = None) -> Result:
    """Finalize the decision: the head, every pre-decision gate satisfied (R13–R16, SoD4)."""
    def act(d: Decision, c: tuple[Actor, ...], today: date) -> tuple[Actor | None, list[NewEvent]]:
        return d.finalize(c, today)
    return run(ctx, person_id, decision_id, act, what="finalize:", expected_seq=expected_seq)


def suspend(ctx: Context, person_id: str, decision_id: str, ground: str, reason: str, *, urgency: str = "",
            expected_seq: int | None = None) -> Result:
    """Suspend execution on an Art. 35 ground when urgent: the head alone (R20, SoD6, Art. 37)."""
    def act(d: Decision, c: tuple[Actor, ...], today: date) -> tuple[Actor | None, list[NewEvent]]:
        return d.suspend(c, ground, reason, urgency)
    return run(ctx, person_id, decision_id, act, what=f"suspend:{ground}", expected_seq=expected_seq)


def resume(ctx: Context, person_id: str, decision_id: str, reason: str, *,
           expected_seq: int | None = None) -> Result:
    """Resume a suspended decision: the head, with a reason (R20)."""
    def act(d: Decision, c: tuple[Actor, ...], today: date) -> tuple[Actor | None, list[NewEvent]]:
        return d.resume(c, reason)
    return run(ctx, person_id, decision_id, act, what=f"resume:{reason}", expected_seq=expected_seq)


def withdraw(ctx: Context, person_id: str, decision_id: str, reason: str, *,
             expected_seq: int | None = None) -> Result:
    """Withdraw a decision before it is made, with a reason (R18)."""
    def act(d: Decision, c: tuple[Actor, ...], today: date) -> tuple[Actor | None, list[NewEvent]]:
        return d.withdraw(c, reason)
    return run(ctx, person_id, decision_id, act, what=f"withdraw:{reason}", expected_seq=expected_seq)


def close(ctx: Context, person_id: str, decision_id: str, *, expected_seq: int | None = None) -> Result:
    """Close the case once publication is settled (R18, Art. 33)."""
    def act(d: Decision, c: tuple[Actor, ...], today: date) -> tuple[Actor | None, list[NewEvent]]:
        return d.close(c)
    return run(ctx, person_id, decision_id, act, what="close:", expected_seq=expected_seq)


def artifact_content(ctx: Context, decision_id: str, artifact_id: str) -> tuple[dict[str, Any], bytes]:
    """An artifact's metadata and bytes (inline artifacts are re-serialised from their fields)."""
    with ctx.uow.read() as uow:
        d, _ = load(uow, decision_id)
    art = d.state["artifacts"].get(artifact_id)
    if art is None:
        raise NotFound(f"no artifact {artifact_id!r} in decision {decision_id}")
    data = canonical(art["fields"]) if art.get("storage") == "inline" else ctx.blobs.get(art["sha256"])
    return art, data


def migrate_procedure(ctx: Context, person_id: str, decision_id: str, profile: str, justification: str, *,
                      expected_seq: int | None = None) -> Result:
    """Move a running decision to another procedure version, approved by the legal office (PV1)."""
    new = procedures.load(profile)
    with ctx.uow.write() as uow:
        uow.decisions.put_spec(new, ctx.now_iso())

    def act(d: Decision, c: tuple[Actor, ...], today: date) -> tuple[Actor | None, list[NewEvent]]:
        return d.migrate_procedure(c, new, justification)
    return run(ctx, person_id, decision_id, act, what=f"migrate:{profile}", expected_seq=expected_seq)
