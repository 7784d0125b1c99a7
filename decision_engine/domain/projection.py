"""The projection of a decision: how each stored event of its stream folds into the state (STYLE habit 9:
replaying every event rebuilds exactly the stored projection). Pure; `Decision.apply` calls `fold`.

Each handler is `(d, payload, envelope) -> None`; the envelope carries seq, type, at and actor.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from decision_engine.domain.procedure import Procedure


class Folding(Protocol):
    """What a fold changes: the state, and the procedure a migration moves to."""

    spec: Procedure
    state: dict[str, Any]

    def pinned(self, spec_hash: str) -> Procedure: ...


Handler = Callable[[Folding, dict[str, Any], dict[str, Any]], None]


def initial_state(spec: Procedure, p: dict[str, Any], event: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": p["decision_id"], "title": p["title"], "category": p["category"], "unit": p["unit"],
        "summary": p.get("summary", ""), "due_by": p.get("due_by"), "procedure": p["procedure"],
        "opened_at": event["at"], "opened_by": event["actor"], "status": "draft", "stage": "S0",
        "seq": 0, "updated_at": event["at"], "flags": {}, "draft_version": 0, "drafts": [],
        "start": None, "units": [p["unit"]], "artifacts": {}, "exemptions": [],
        "decided_on": None, "decided_version": None, "published_on": None, "suspension": None,
        "execution_units": [], "closed": False, "refused_attempts": 0,
        "gates": {g.id: {"status": "open", "round": 1, "round_artifacts": [], "all_artifacts": [],
                         "cleared": None, "returned": None, "exemption": None, "reopened": []}
                  for g in spec.gates},
    }


def _ap_determination(d: Folding, p: dict[str, Any], ev: dict[str, Any]) -> None:
    d.state["flags"][p["kind"]] = {"value": p["value"], "reasons": p["reasons"], "by": ev["actor"],
                                   "at": ev["at"]}


def _ap_artifact(d: Folding, p: dict[str, Any], ev: dict[str, Any]) -> None:
    art = {"id": p["artifact_id"], "kind": p["kind"], "gate": p["gate"], "sha256": p["sha256"],
           "size": p["size"], "media_type": p["media_type"], "filename": p["filename"],
           "draft_version": p["draft_version"], "fields": p["fields"], "author": ev["actor"],
           "at": ev["at"], "seq": ev["seq"], "round": None, "storage": p.get("storage", "blob")}
    s = d.state
    if p["gate"]:
        gs = s["gates"][p["gate"]]
        art["round"] = gs["round"]
        gs["round_artifacts"].append(art["id"])
        gs["all_artifacts"].append(art["id"])
    s["artifacts"][art["id"]] = art
    kind = p["kind"]
    if kind == "start_decision":
        lead = p["fields"]["lead_unit"]
        s["start"] = {"lead_unit": lead, "units": p["fields"]["units"], "at": ev["at"],
                      "affected_units": list(p["fields"].get("affected_units") or [])}
        s["units"] = [lead, *[u for u in p["fields"]["units"] if u != lead]]
        s["unit"] = lead
    elif kind == "publication_record":
        s["published_on"] = p["on"]
        s["status"] = "published"
    elif kind == "execution_unit_designation":
        s["execution_units"] = list(p["fields"]["units"])
        if s["status"] in ("decided", "published"):
            s["status"] = "in_execution"
    elif kind == "evaluation_report" and s["status"] != "suspended":
        s["status"] = "evaluated"


def _ap_draft(d: Folding, p: dict[str, Any], ev: dict[str, Any]) -> None:
    s = d.state
    s["draft_version"] = p["version"]
    s["drafts"].append({"version": p["version"], "artifact_id": p["artifact_id"], "title": p["title"],
                        "note": p["note"], "sha256": p["sha256"], "at": ev["at"]})
    s["artifacts"][p["artifact_id"]] = {
        "id": p["artifact_id"], "kind": "draft", "gate": "", "sha256": p["sha256"], "size": p["size"],
        "media_type": p["media_type"], "filename": p["filename"], "draft_version": p["version"],
        "fields": {"title": p["title"], "note": p["note"]}, "author": ev["actor"], "at": ev["at"],
        "seq": ev["seq"], "round": None}


def _new_round(gs: dict[str, Any]) -> None:
    gs["round"] += 1
    gs["round_artifacts"] = []
    gs["cleared"] = None


def _ap_cleared(d: Folding, p: dict[str, Any], ev: dict[str, Any]) -> None:
    d.state["gates"][p["gate"]]["cleared"] = {"by": ev["actor"], "at": ev["at"]}


def _ap_returned(d: Folding, p: dict[str, Any], ev: dict[str, Any]) -> None:
    gs = d.state["gates"][p["gate"]]
    _new_round(gs)
    gs["returned"] = {"by": ev["actor"], "at": ev["at"], "reason": p["reason"]}


def _ap_reopened(d: Folding, p: dict[str, Any], ev: dict[str, Any]) -> None:
    gs = d.state["gates"][p["gate"]]
    _new_round(gs)
    gs["reopened"].append({"at": ev["at"], "reason": p["reason"]})


def _ap_exempted(d: Folding, p: dict[str, Any], ev: dict[str, Any]) -> None:
    d.state["gates"][p["gate"]]["exemption"] = {"legal_basis": p["legal_basis"], "by": ev["actor"],
                                                "at": ev["at"]}
    d.state["exemptions"].append({"gate": p["gate"], "legal_basis": p["legal_basis"], "at": ev["at"]})


def _ap_finalized(d: Folding, p: dict[str, Any], ev: dict[str, Any]) -> None:
    d.state.update(status="decided", decided_on=p["on"], decided_version=p["draft_version"],
                   decided_by=ev["actor"])


def _ap_suspended(d: Folding, p: dict[str, Any], ev: dict[str, Any]) -> None:
    d.state["suspension"] = {"ground": p["ground"], "reason": p["reason"], "at": ev["at"],
                             "by": ev["actor"], "from_status": p["from_status"]}
    d.state["status"] = "suspended"


def _ap_resumed(d: Folding, p: dict[str, Any], ev: dict[str, Any]) -> None:
    d.state["status"] = d.state["suspension"]["from_status"]
    d.state["suspension"] = None


def _ap_status(status: str) -> Handler:
    def apply(d: Folding, p: dict[str, Any], ev: dict[str, Any]) -> None:
        d.state["status"] = status
        if status == "closed":
            d.state["closed"] = True
    return apply


def _ap_migrated(d: Folding, p: dict[str, Any], ev: dict[str, Any]) -> None:
    d.spec = d.pinned(p["to"]["hash"])
    d.state["procedure"] = dict(p["to"])
    d.state.setdefault("procedure_history", []).append({"from": p["from"], "to": p["to"], "at": ev["at"],
                                                        "by": ev["actor"], "justification": p["justification"]})
    for g in d.spec.gates:
        d.state["gates"].setdefault(g.id, {"status": "open", "round": 1, "round_artifacts": [],
                                           "all_artifacts": [], "cleared": None, "returned": None,
                                           "exemption": None, "reopened": []})


def _ap_refused(d: Folding, p: dict[str, Any], ev: dict[str, Any]) -> None:
    d.state["refused_attempts"] += 1


def _ap_terminated(d: Folding, p: dict[str, Any], ev: dict[str, Any]) -> None:
    """R20, Art. 37: stopped on a stated basis (`execution.terminate`)."""
    d.state["termination"] = {"basis": p["basis"], "reason": p["reason"], "basis_ref": p["basis_ref"],
                              "from_status": p["from_status"], "at": ev["at"], "by": ev["actor"]}
    d.state["status"] = "terminated"


def _ap_adjustment(d: Folding, p: dict[str, Any], ev: dict[str, Any]) -> None:
    """R20, Art. 37: a major adjustment opened as a new decision; this one stays as it was."""
    d.state.setdefault("adjustments", []).append({"decision_id": p["adjustment_id"], "reason": p["reason"],
                                                  "basis_ref": p["basis_ref"], "at": ev["at"],
                                                  "by": ev["actor"]})


def _ap_adjusts(d: Folding, p: dict[str, Any], ev: dict[str, Any]) -> None:
    d.state["adjusts"] = {"decision_id": p["original_id"], "title": p["original_title"],
                          "reason": p["reason"], "basis_ref": p["basis_ref"], "at": ev["at"]}


def _ap_record_presented(d: Folding, p: dict[str, Any], ev: dict[str, Any]) -> None:
    """A record (hearing record) presented for confirmation, by its sha256."""
    rec = d.state.setdefault("records", {}).setdefault(p["sha256"], {"subject": p["subject"],
                                                                     "confirmations": []})
    rec.update(subject=p["subject"], presented_by=ev["actor"], presented_at=ev["at"], seq=ev["seq"],
               size=p["size"], media_type=p["media_type"], filename=p["filename"],
               draft_version=p["draft_version"])


def _ap_record_confirmed(d: Folding, p: dict[str, Any], ev: dict[str, Any]) -> None:
    """A person confirmed (signed) a record with their own credential (SoD5, R9)."""
    rec = d.state.setdefault("records", {}).setdefault(p["sha256"], {"subject": p["subject"],
                                                                     "confirmations": []})
    rec["confirmations"].append({"person": ev["actor"]["person"], "role": ev["actor"]["role"],
                                 "unit": ev["actor"]["unit"], "name": ev["actor"].get("name", ""),
                                 "at": ev["at"], "seq": ev["seq"], "remarks": p.get("remarks", ""),
                                 "artifact_id": p.get("artifact_id")})


def _ap_supplement_requested(d: Folding, p: dict[str, Any], ev: dict[str, Any]) -> None:
    """The legal office asked for supplementary material (R11, Art. 26)."""
    gs = d.state["gates"][p["gate"]]
    d.state.setdefault("supplement_requests", []).append({
        "gate": p["gate"], "round": gs["round"], "items": p["items"], "reason": p["reason"],
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
}


def fold(d: Folding, event: dict[str, Any]) -> None:
    """Fold one stored event (envelope with seq, type, at, actor, payload) into the state; an event type
    this projection does not know changes only the sequence and the time."""
    etype, p = event["type"], event["payload"]
    if etype == "DecisionOpened":
        d.state = initial_state(d.spec, p, event)
    else:
        handler = HANDLERS.get(etype)
        if handler is not None:
            handler(d, p, event)
    d.state["seq"] = event["seq"]
    d.state["updated_at"] = event["at"]
