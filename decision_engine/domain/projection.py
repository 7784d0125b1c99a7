"""The projection of a decision: how each stored event of its stream folds into the state (STYLE habit 9:
replaying every event rebuilds exactly the stored projection). Pure; `Decision.apply` calls `fold`.

Each handler is `(d, event, envelope) -> None`: the typed event (`domain/events.py`, upcast to its current
version when it was stored under an older one) and the envelope, which carries seq, type, at and actor.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol

from decision_engine.domain import events as ev_
from decision_engine.domain.procedure import Procedure


class Folding(Protocol):
    """What a fold changes: the state, and the procedure a migration moves to."""

    spec: Procedure
    state: dict[str, Any]

    def pinned(self, spec_hash: str) -> Procedure: ...


Handler = Callable[[Folding, Any, dict[str, Any]], None]


def initial_state(spec: Procedure, e: ev_.DecisionOpened, event: dict[str, Any]) -> dict[str, Any]:
    """The state of a decision just opened."""
    state = {
        "id": e.decision_id, "title": e.title, "category": e.category, "unit": e.unit,
        "summary": e.summary, "due_by": e.due_by, "procedure": e.procedure,
        "opened_at": event["at"], "opened_by": event["actor"], "status": "draft", "stage": "S0",
        "seq": 0, "updated_at": event["at"], "flags": {}, "draft_version": 0, "drafts": [],
        "start": None, "units": [e.unit], "artifacts": {}, "exemptions": [],
        "decided_on": None, "decided_version": None, "published_on": None, "suspension": None,
        "execution_units": [], "closed": False, "refused_attempts": 0,
        "gates": {g.id: {"status": "open", "round": 1, "round_artifacts": [], "all_artifacts": [],
                         "cleared": None, "returned": None, "exemption": None, "reopened": []}
                  for g in spec.gates},
    }
    if e.organ is not None:
        state["organ"] = e.organ  # AR1: the decision organ fixed at opening
    if e.organ_level is not None:  # R1, Arts. 2, 42
        state["organ_level"], state["applies"] = e.organ_level, e.applies
    if e.procedure_by_law is not None:  # R1, Art. 3 ¶2
        state["procedure_by_law"] = e.procedure_by_law
    return state


def _ap_determination(d: Folding, e: ev_.DeterminationRecorded, ev: dict[str, Any]) -> None:
    d.state["flags"][e.kind] = {"value": e.value, "reasons": e.reasons, "by": ev["actor"],
                                   "at": ev["at"]}


def _ap_artifact(d: Folding, e: ev_.ArtifactRecorded, ev: dict[str, Any]) -> None:
    _artifact(d.state, ev, e.artifact_id, e.kind, e.gate, e.sha256, e.size, e.media_type, e.filename,
              e.draft_version, e.fields, e.on, e.storage)


def _artifact(s: dict[str, Any], ev: dict[str, Any], artifact_id: str, kind: str, gate: str, sha256: str,
              size: int, media_type: str, filename: str, draft_version: int, fields: dict[str, Any], on: str,
              storage: str) -> None:
    """An artifact recorded (the fold of `ArtifactRecorded`, from the typed event or, in `fold_all`, from its
    payload read the way `Event.from_payload` reads it)."""
    art = {"id": artifact_id, "kind": kind, "gate": gate, "sha256": sha256,
           "size": size, "media_type": media_type, "filename": filename,
           "draft_version": draft_version, "fields": fields, "author": ev["actor"],
           "at": ev["at"], "seq": ev["seq"], "round": None, "storage": storage}
    if gate:
        gs = s["gates"][gate]
        art["round"] = gs["round"]
        gs["round_artifacts"].append(artifact_id)
        gs["all_artifacts"].append(artifact_id)
    s["artifacts"][artifact_id] = art
    if kind == "start_decision":
        lead = fields["lead_unit"]
        s["start"] = {"lead_unit": lead, "units": fields["units"], "at": ev["at"],
                      "affected_units": list(fields.get("affected_units") or [])}
        s["units"] = [lead, *[u for u in fields["units"] if u != lead]]
        s["unit"] = lead
    elif kind == "publication_record":
        s["published_on"] = on
        s["status"] = "published"
    elif kind == "execution_unit_designation":
        s["execution_units"] = list(fields["units"])
        if s["status"] in ("decided", "published"):
            s["status"] = "in_execution"
    elif kind == "evaluation_report" and s["status"] != "suspended":
        s["status"] = "evaluated"


def _ap_draft(d: Folding, e: ev_.DraftVersionAdded, ev: dict[str, Any]) -> None:
    s = d.state
    s["draft_version"] = e.version
    s["drafts"].append({"version": e.version, "artifact_id": e.artifact_id, "title": e.title,
                        "note": e.note, "sha256": e.sha256, "at": ev["at"]})
    s["artifacts"][e.artifact_id] = {
        "id": e.artifact_id, "kind": "draft", "gate": "", "sha256": e.sha256, "size": e.size,
        "media_type": e.media_type, "filename": e.filename, "draft_version": e.version,
        "fields": {"title": e.title, "note": e.note}, "author": ev["actor"], "at": ev["at"],
        "seq": ev["seq"], "round": None}


def _new_round(gs: dict[str, Any]) -> None:
    gs["round"] += 1
    gs["round_artifacts"] = []
    gs["cleared"] = None


def _ap_cleared(d: Folding, e: ev_.GateCleared, ev: dict[str, Any]) -> None:
    d.state["gates"][e.gate]["cleared"] = {"by": ev["actor"], "at": ev["at"]}


def _ap_returned(d: Folding, e: ev_.GateReturned, ev: dict[str, Any]) -> None:
    gs = d.state["gates"][e.gate]
    _new_round(gs)
    gs["returned"] = {"by": ev["actor"], "at": ev["at"], "reason": e.reason}


def _ap_reopened(d: Folding, e: ev_.GateReopened, ev: dict[str, Any]) -> None:
    gs = d.state["gates"][e.gate]
    _new_round(gs)
    gs["reopened"].append({"at": ev["at"], "reason": e.reason})


def _ap_exempted(d: Folding, e: ev_.GateExempted, ev: dict[str, Any]) -> None:
    d.state["gates"][e.gate]["exemption"] = {"legal_basis": e.legal_basis, "by": ev["actor"],
                                                "at": ev["at"]}
    d.state["exemptions"].append({"gate": e.gate, "legal_basis": e.legal_basis, "at": ev["at"]})


def _ap_finalized(d: Folding, e: ev_.DecisionFinalized, ev: dict[str, Any]) -> None:
    d.state.update(status="decided", decided_on=e.on, decided_version=e.draft_version,
                   decided_by=ev["actor"])


def _ap_suspended(d: Folding, e: ev_.DecisionSuspended, ev: dict[str, Any]) -> None:
    d.state["suspension"] = {"ground": e.ground, "reason": e.reason, "at": ev["at"],
                             "by": ev["actor"], "from_status": e.from_status}
    if e.urgency is not None:  # R20, Art. 37 (recorded since issue 16)
        d.state["suspension"]["urgency"] = e.urgency
    d.state["status"] = "suspended"


def _ap_resumed(d: Folding, e: ev_.DecisionResumed, ev: dict[str, Any]) -> None:
    d.state["status"] = d.state["suspension"]["from_status"]
    d.state["suspension"] = None


def _ap_status(status: str) -> Handler:
    def apply(d: Folding, e: ev_.Event, ev: dict[str, Any]) -> None:
        d.state["status"] = status
        if status == "closed":
            d.state["closed"] = True
    return apply


def _ap_migrated(d: Folding, e: ev_.ProcedureMigrated, ev: dict[str, Any]) -> None:
    d.spec = d.pinned(e.to["hash"])
    d.state["procedure"] = dict(e.to)
    d.state.setdefault("procedure_history", []).append({"from": e.from_, "to": e.to, "at": ev["at"],
                                                        "by": ev["actor"], "justification": e.justification})
    for g in d.spec.gates:
        d.state["gates"].setdefault(g.id, {"status": "open", "round": 1, "round_artifacts": [],
                                           "all_artifacts": [], "cleared": None, "returned": None,
                                           "exemption": None, "reopened": []})


def _ap_refused(d: Folding, e: ev_.AttemptRefused, ev: dict[str, Any]) -> None:
    d.state["refused_attempts"] += 1


def _ap_terminated(d: Folding, e: ev_.DecisionTerminated, ev: dict[str, Any]) -> None:
    """R20, Art. 37: stopped on a stated basis (`execution.terminate`)."""
    d.state["termination"] = {"basis": e.basis, "reason": e.reason, "basis_ref": e.basis_ref,
                              "from_status": e.from_status, "at": ev["at"], "by": ev["actor"]}
    if e.meeting_id is not None:  # R20, Arts. 30, 37 (recorded since issue 16)
        d.state["termination"].update(meeting_id=e.meeting_id, item_no=e.item_no)
    d.state["status"] = "terminated"


def _ap_adjustment(d: Folding, e: ev_.AdjustmentOpened, ev: dict[str, Any]) -> None:
    """R20, Art. 37: a major adjustment opened as a new decision; this one stays as it was."""
    d.state.setdefault("adjustments", []).append({"decision_id": e.adjustment_id, "reason": e.reason,
                                                  "basis_ref": e.basis_ref, "at": ev["at"],
                                                  "by": ev["actor"]})
    if e.meeting_id is not None:  # R20, Arts. 30, 37 (recorded since issue 16)
        d.state["adjustments"][-1].update(meeting_id=e.meeting_id, item_no=e.item_no)


def _ap_adjusts(d: Folding, e: ev_.AdjustsDecision, ev: dict[str, Any]) -> None:
    d.state["adjusts"] = {"decision_id": e.original_id, "title": e.original_title,
                          "reason": e.reason, "basis_ref": e.basis_ref, "at": ev["at"]}


def _ap_supervised(d: Folding, e: ev_.ExecutionSupervised, ev: dict[str, Any]) -> None:
    """R19, Art. 34: the organ's supervision of the execution, in order."""
    d.state.setdefault("supervisions", []).append({
        "no": len(d.state.get("supervisions", [])) + 1, "findings": e.findings, "instructions": e.instructions,
        "units": list(e.units), "due_by": e.due_by, "at": ev["at"], "by": ev["actor"], "seq": ev["seq"]})


def _ap_correction_ordered(d: Folding, e: ev_.CorrectionOrdered, ev: dict[str, Any]) -> None:
    """ACC5, Art. 38 ¶1: the superior organ's order to correct, open until the organ reports."""
    d.state.setdefault("corrections", []).append({
        "order_id": e.order_id, "breach": e.breach, "findings": e.findings, "required": e.required,
        "due_by": e.due_by, "at": ev["at"], "by": ev["actor"], "seq": ev["seq"], "report": None})


def _ap_correction_reported(d: Folding, e: ev_.CorrectionReported, ev: dict[str, Any]) -> None:
    order = next(c for c in d.state["corrections"] if c["order_id"] == e.order_id)
    order["report"] = {"text": e.report, "at": ev["at"], "by": ev["actor"], "seq": ev["seq"]}


def _ap_record_presented(d: Folding, e: ev_.RecordPresented, ev: dict[str, Any]) -> None:
    """A record (hearing record) presented for confirmation, by its sha256."""
    rec = d.state.setdefault("records", {}).setdefault(e.sha256, {"subject": e.subject,
                                                                     "confirmations": []})
    rec.update(subject=e.subject, presented_by=ev["actor"], presented_at=ev["at"], seq=ev["seq"],
               size=e.size, media_type=e.media_type, filename=e.filename,
               draft_version=e.draft_version)


def _ap_record_confirmed(d: Folding, e: ev_.RecordConfirmed, ev: dict[str, Any]) -> None:
    """A person confirmed (signed) a record with their own credential (SoD5, R9)."""
    rec = d.state.setdefault("records", {}).setdefault(e.sha256, {"subject": e.subject,
                                                                     "confirmations": []})
    rec["confirmations"].append({"person": ev["actor"]["person"], "role": ev["actor"]["role"],
                                 "unit": ev["actor"]["unit"], "name": ev["actor"].get("name", ""),
                                 "at": ev["at"], "seq": ev["seq"], "remarks": e.remarks,
                                 "artifact_id": e.artifact_id})


def _ap_supplement_requested(d: Folding, e: ev_.SupplementRequested, ev: dict[str, Any]) -> None:
    """The legal office asked for supplementary material (R11, Art. 26)."""
    gs = d.state["gates"][e.gate]
    d.state.setdefault("supplement_requests", []).append({
        "gate": e.gate, "round": gs["round"], "items": e.items, "reason": e.reason,
        "at": ev["at"], "seq": ev["seq"], "by": ev["actor"]})


HANDLERS: dict[str, Handler] = {
    "DeterminationRecorded": _ap_determination, "ArtifactRecorded": _ap_artifact,
    "DraftVersionAdded": _ap_draft, "GateCleared": _ap_cleared, "GateReturned": _ap_returned,
    "GateReopened": _ap_reopened, "GateExempted": _ap_exempted, "DecisionFinalized": _ap_finalized,
    "DecisionSuspended": _ap_suspended, "DecisionResumed": _ap_resumed,
    "DecisionWithdrawn": _ap_status("withdrawn"), "DecisionClosed": _ap_status("closed"),
    "AttemptRefused": _ap_refused, "ProcedureMigrated": _ap_migrated,
    "RecordPresented": _ap_record_presented, "RecordConfirmed": _ap_record_confirmed,  # R7 SoD5, R9
    "SupplementRequested": _ap_supplement_requested,  # R11, Art. 26
    "DecisionTerminated": _ap_terminated, "AdjustmentOpened": _ap_adjustment,
    "AdjustsDecision": _ap_adjusts,
    "ExecutionSupervised": _ap_supervised,  # R19, Art. 34
    "CorrectionOrdered": _ap_correction_ordered, "CorrectionReported": _ap_correction_reported,  # ACC5
}


def fold(d: Folding, event: dict[str, Any], catalogue: ev_.Catalogue = ev_.DEFAULT) -> None:
    """Fold one stored event (envelope with seq, type, v, at, actor, payload) into the state, read through
    the catalogue (so an older version is upcast first); an event type this projection does not know
    changes only the sequence and the time."""
    typed = catalogue.read(event)
    if isinstance(typed, ev_.DecisionOpened):
        d.state = initial_state(d.spec, typed, event)
    elif typed is not None:
        handler = HANDLERS.get(typed.TYPE)
        if handler is not None:
            handler(d, typed, event)
    d.state["seq"] = event["seq"]
    d.state["updated_at"] = event["at"]


_ARTIFACT_VERSION = ev_.ArtifactRecorded.VERSION


def fold_all(d: Folding, events: Iterable[dict[str, Any]], catalogue: ev_.Catalogue = ev_.DEFAULT, *,
             consume: bool = False) -> None:
    """Fold a stream's events in order: the same state as `fold` on each, faster (issue 19 §3).

    Most events of a long decision are `ArtifactRecorded`; building the frozen typed event was a quarter of a
    replay. When the catalogue reads that type as `events.ArtifactRecorded` with no upcaster and the event is
    stored under the current version, the payload is read here exactly as `Event.from_payload` reads it
    (every field required but `storage`, which defaults to "blob"; other keys ignored) and folded by the same
    code as the typed event; any other event goes through `fold`. The sequence and the time, which every
    event overwrites, are written once after a run of such events.

    `events` may be any iterable (a replay parses each stored event just before it is folded). With
    `consume=True` it must be a list, which is emptied as it is folded: each envelope is released once folded
    (what the state keeps of it, the artifact's fields and actor, stays), so a long stream's events are not all
    held, and then all freed, beside the state they built."""
    fast = (catalogue._types.get("ArtifactRecorded") is ev_.ArtifactRecorded  # same package: read, not changed
            and not any(t == "ArtifactRecorded" for t, _ in catalogue._upcasters)
            and HANDLERS.get("ArtifactRecorded") is _ap_artifact)
    if consume:
        if not isinstance(events, list):
            raise TypeError("fold_all(consume=True) takes a list of events")
        events.reverse()
        events = _drain(events)
    last: dict[str, Any] | None = None  # the last event of the current run of fast-folded events
    for event in events:
        if fast and event["type"] == "ArtifactRecorded" and event.get("v", 1) == _ARTIFACT_VERSION:
            p = event["payload"]
            _artifact(d.state, event, p["artifact_id"], p["kind"], p["gate"], p["sha256"], p["size"],
                      p["media_type"], p["filename"], p["draft_version"], p["fields"], p["on"],
                      p.get("storage", "blob"))
            last = event
        else:
            if last is not None:
                _stamp(d.state, last)
                last = None
            fold(d, event, catalogue)
    if last is not None:
        _stamp(d.state, last)


def _stamp(s: dict[str, Any], event: dict[str, Any]) -> None:
    """What every folded event sets: the state's sequence number and time."""
    s["seq"] = event["seq"]
    s["updated_at"] = event["at"]


def _drain(reversed_events: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """The events of a reversed list in stream order, each removed from the list as it is taken."""
    pop = reversed_events.pop
    while reversed_events:
        yield pop()
