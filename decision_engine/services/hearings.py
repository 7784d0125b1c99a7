"""Hearing use cases (R7, SoD5; Arts. 16–17): selection method and participant list published in
advance, materials delivered to each participant ≥ 7 days ahead, the record presented by its sha256 and
confirmed by every participant with their own credential before it is accepted."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from decision_engine.domain import doors
from decision_engine.domain import participation as dp
from decision_engine.domain.decision import Actor, Decision, NewEvent
from decision_engine.domain.errors import DomainError, Unauthenticated
from decision_engine.domain.rules import hearing as rules_hearing
from decision_engine.domain.rules.common import confirmed_by
from decision_engine.domain.statutory_time import statutory_day
from decision_engine.domain.values import iso_date
from decision_engine.services import decisions
from decision_engine.services.context import Context, new_id
from decision_engine.services.decisions import Result, load, run
from decision_engine.services.identity import actors_of

HEARING_RECORD_DOOR = "hearings.record_hearing_record"  # the one door of `hearing_record` (AR14)
LIST_DOOR = "hearings.publish_participants"  # the one door of `hearing_participant_list` (AR14)


def publish_selection_method(ctx: Context, person_id: str, decision_id: str, *, method: str,
                             published_at: str | None = None, sides: Sequence[str] = ()) -> Result:
    """Publish how participants will be selected, before selecting them (R7, Art. 16)."""
    return decisions.record_artifact(ctx, person_id, decision_id, "hearing_selection_method", {
        "method": method, "published_at": published_at or ctx.today().isoformat(), "sides": list(sides)})


def publish_participants(ctx: Context, person_id: str, decision_id: str, *, participants: Sequence[str],
                         selected_at: str, published_at: str | None = None) -> Result:
    """Publish the selected participants before the hearing (R7, Art. 16). Each is a registered person
    holding the role hearing_participant: they will sign the record with their own credential (SoD5)."""
    at = ctx.now_iso()
    names: dict[str, str] = {}
    roles: dict[str, tuple[str, ...] | None] = {}
    with ctx.store.read() as conn:
        for pid in participants:
            try:
                held = actors_of(conn, pid, at)
            except Unauthenticated:
                roles[pid] = None
                continue
            roles[pid] = tuple(a.role for a in held)
            names[pid] = next((a.name for a in held if a.role == rules_hearing.HEARING_PARTICIPANT), "")
    try:
        rules_hearing.check_listed_people(roles)  # SoD5, Art. 17 (domain)
    except DomainError as refusal:
        decisions._record_refusal(ctx, person_id, decision_id, "artifact:hearing_participant_list", refusal)
        raise
    return decisions.record_by(LIST_DOOR, ctx, person_id, decision_id, "hearing_participant_list", {
        "participants": list(participants), "names": names, "selected_at": selected_at,
        "published_at": published_at or ctx.today().isoformat()})


def deliver_materials(ctx: Context, person_id: str, decision_id: str, *, participant: str,
                      delivered_at: str, materials: str = "") -> Result:
    """Record the delivery of the hearing materials to one participant (≥ 7 days ahead, R7, Art. 16)."""
    return decisions.record_artifact(ctx, person_id, decision_id, "hearing_materials_delivery", {
        "participant": participant, "delivered_at": delivered_at, "materials": materials})


def present_record(ctx: Context, person_id: str, decision_id: str, *, content: bytes,
                   media_type: str = "text/plain", filename: str = "hearing-record.txt") -> Result:
    """The organiser presents the hearing record for the participants to confirm (R7, Art. 17)."""
    blob = decisions._store_blob(ctx, content, media_type, filename, {})

    def act(d: Decision, c: tuple[Actor, ...], today: date) -> tuple[Actor | None, list[NewEvent]]:
        return dp.present_record(d, c, sha256=blob.sha256, size=blob.size, media_type=blob.media_type,
                                 filename=blob.filename, today=today)
    return run(ctx, person_id, decision_id, act, what="hearing:present_record")


def confirm_record(ctx: Context, person_id: str, decision_id: str, sha256: str, remarks: str = "") -> Result:
    """A participant confirms and signs the presented record with their own credential (SoD5, Art. 17)."""
    def act(d: Decision, c: tuple[Actor, ...], today: date) -> tuple[Actor | None, list[NewEvent]]:
        return dp.confirm_record(d, c, sha256=sha256, remarks=remarks)
    return run(ctx, person_id, decision_id, act, what="hearing:confirm_record")


def record_hearing_record(ctx: Context, person_id: str, decision_id: str, *, sha256: str, summary: str,
                          held_on: str | None = None, presentation: str = "", statements: str = "") -> Result:
    """Record the confirmed hearing record as the gate's artifact — its one door (AR14; R7, SoD5, Art. 17).
    The domain refuses it until the hearing was held and every participant of the published list has
    confirmed this sha256 with their own credential; `signed_by` is read from those confirmations. The record
    states the hearing's order (R7, Art. 17): the unit's presentation, the participants' statements."""
    doors.through("hearing_record", HEARING_RECORD_DOOR, decision_id)
    with ctx.store.read() as conn:
        d, seq = load(conn, decision_id)
    rec = d.state.get("records", {}).get(sha256) or {}
    listed = d.latest("hearing", "hearing_participant_list")
    people = [str(p) for p in listed["fields"]["participants"]] if listed else []
    signed = confirmed_by(d, sha256)
    fields: dict[str, Any] = {"participants": people, "signed_by": [p for p in people if p in signed],
                              "summary": summary, "record_sha256": sha256,
                              "presentation": presentation, "statements": statements}
    if held_on:
        fields["held_on"] = held_on
    content = ctx.blobs.get(sha256) if "presented_at" in rec else None
    blob = decisions._store_blob(ctx, content, rec.get("media_type", "application/json"),
                                 rec.get("filename", "hearing_record.json"), fields)
    artifact_id = new_id("A")

    def act(d: Decision, c: tuple[Actor, ...], today: date) -> tuple[Actor | None, list[NewEvent]]:
        if not fields["signed_by"]:  # name the missing confirmations (SoD5), not an empty field
            rules_hearing.art_hearing_record_confirmed(d, d.spec.artifact_kind("hearing_record"),
                                                       Actor(person_id, "", ""), fields, ctx.calendar, today)
        return d.record_artifact(c, "hearing_record", blob, fields, artifact_id, ctx.calendar, today)
    return run(ctx, person_id, decision_id, act, what="artifact:hearing_record", expected_seq=seq)


def hearing_status(ctx: Context, decision_id: str) -> dict[str, Any]:
    """The hearing as the organiser sees it: notice, list, deliveries (with days ahead), confirmations."""
    with ctx.store.read() as conn:
        d, _ = load(conn, decision_id)
    notice = d.latest("hearing", "hearing_notice")
    hearing_at = iso_date(notice["fields"]["hearing_at"], "hearing_at", "R7", "Art. 16") if notice else None
    listed = d.latest("hearing", "hearing_participant_list")
    deliveries = {a["fields"]["participant"]: a["fields"]["delivered_at"]
                  for a in d.artifacts_of("hearing", "hearing_materials_delivery")}
    records = {sha: r for sha, r in d.state.get("records", {}).items() if r.get("subject") == "hearing_record"}
    people = [str(p) for p in listed["fields"]["participants"]] if listed else sorted(deliveries)
    return {"decision_id": decision_id, "hearing_at": hearing_at.isoformat() if hearing_at else None,
            "selection_method": (d.latest("hearing", "hearing_selection_method") or {}).get("fields"),
            "participants": [{"person": p, "name": (listed["fields"].get("names") or {}).get(p, "") if listed
                              else "", "delivered_at": deliveries.get(p),
                              "days_ahead": ctx.calendar.calendar_days_between(
                                  statutory_day(deliveries[p]), hearing_at)
                              if p in deliveries and hearing_at else None,
                              "confirmed": [sha for sha in records if p in confirmed_by(d, sha)]}
                             for p in people],
            "records": [{"sha256": sha, "presented_at": r.get("presented_at"),
                         "confirmations": r["confirmations"]} for sha, r in records.items()],
            "gate": d.gate_status(d.spec.gate("hearing"))}
