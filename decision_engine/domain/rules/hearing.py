"""S1 hearings (听证): R7 notice, selection and participant list (Art. 16), materials at least 7 days ahead and
a record confirmed by every participant (Art. 17, with SoD5)."""

from __future__ import annotations

from datetime import date
from typing import Any

from decision_engine.domain.calendar import StatutoryCalendar
from decision_engine.domain.errors import InvalidInput, Missing, RuleViolation
from decision_engine.domain.procedure import ArtifactKind, GateSpec
from decision_engine.domain.rules.common import confirmed_by, need_draft
from decision_engine.domain.rules.registry import DecisionView, Registry
from decision_engine.domain.values import Actor, iso_date


def _hearing_at(d: DecisionView) -> date:
    notice = d.latest("hearing", "hearing_notice")
    if notice is None:
        raise RuleViolation("听证公告应当先于其他听证事项发布 (the hearing notice must come first)",
                            rule="R7", article="Art. 16")
    return iso_date(notice["fields"]["hearing_at"], "hearing_at", "R7", "Art. 16")


def _listed(d: DecisionView) -> list[str] | None:
    lst = d.latest("hearing", "hearing_participant_list")
    return None if lst is None else [str(p) for p in lst["fields"]["participants"]]


def art_hearing_notice(d: DecisionView, k: ArtifactKind, actor: Actor, f: dict[str, Any],
                       cal: StatutoryCalendar, today: date) -> None:
    """R7, Art. 16: the notice (draft, time, place) precedes the hearing."""
    need_draft(d, k)
    pub = iso_date(f["published_at"], "published_at", "R7", "Art. 16", kind=k.id)
    at = iso_date(f["hearing_at"], "hearing_at", "R7", "Art. 16", kind=k.id)
    if pub >= at:
        raise RuleViolation("the hearing notice must be published before the hearing", rule="R7",
                            article="Art. 16")


def art_selection_method(d: DecisionView, k: ArtifactKind, actor: Actor, f: dict[str, Any],
                         cal: StatutoryCalendar, today: date) -> None:
    """R7, Art. 16: the selection method is published (after the notice) before the hearing."""
    hearing_at = _hearing_at(d)
    published = iso_date(f["published_at"], "published_at", "R7", "Art. 16")
    if published >= hearing_at or published > today:
        raise RuleViolation("遴选办法应当在听证会前公布，且不得预填未来日期 (published_at must be before the "
                            "hearing and not in the future)", rule="R7", article="Art. 16")


def art_participant_list(d: DecisionView, k: ArtifactKind, actor: Actor, f: dict[str, Any],
                         cal: StatutoryCalendar, today: date) -> None:
    """R7, Art. 16: method published before selection; list published after selection, before the hearing."""
    hearing_at = _hearing_at(d)
    method = d.latest("hearing", "hearing_selection_method")
    if method is None:
        raise RuleViolation("遴选听证参加人的，应当先公布遴选办法 (publish the selection method before "
                            "selecting participants)", rule="R7", article="Art. 16")
    method_at = iso_date(method["fields"]["published_at"], "published_at", "R7", "Art. 16")
    selected = iso_date(f["selected_at"], "selected_at", "R7", "Art. 16")
    published = iso_date(f["published_at"], "published_at", "R7", "Art. 16")
    if not method_at < selected:
        raise RuleViolation(f"遴选办法公布于 {method_at.isoformat()}，遴选不得早于或同日进行 (selection "
                            f"on {selected.isoformat()} must follow the method's publication)",
                            rule="R7", article="Art. 16")
    if not selected <= published < hearing_at or published > today:
        raise RuleViolation("听证参加人名单应当在遴选后、听证会前公布 (the list is published after the "
                            "selection and before the hearing)", rule="R7", article="Art. 16")
    people = f["participants"]
    if not isinstance(people, list) or not all(isinstance(p, str) and p for p in people) or \
            len(set(people)) != len(people):
        raise InvalidInput("participants must be a list of distinct person ids", rule="R7", article="Art. 16")


def art_hearing_delivery(d: DecisionView, k: ArtifactKind, actor: Actor, f: dict[str, Any],
                         cal: StatutoryCalendar, today: date) -> None:
    """R7, Art. 17: materials reach each participant at least 7 days before the hearing."""
    notice = d.latest("hearing", "hearing_notice")
    if notice is None:
        raise RuleViolation("the hearing notice must precede everything else", rule="R7",
                            article="Art. 16")
    hearing_at = iso_date(notice["fields"]["hearing_at"], "hearing_at", "R7", "Art. 17", kind="hearing_notice")
    delivered = iso_date(f["delivered_at"], "delivered_at", "R7", "Art. 17", kind=k.id)
    need = d.spec.durations["hearing_materials"].days
    if cal.calendar_days_between(delivered, hearing_at) < need:
        raise RuleViolation(f"materials delivered {delivered.isoformat()} reach the participant less "
                            f"than {need} days before the hearing on {hearing_at.isoformat()}",
                            rule="R7", article="Art. 17")


def art_delivery_to_listed(d: DecisionView, k: ArtifactKind, actor: Actor, f: dict[str, Any],
                           cal: StatutoryCalendar, today: date) -> None:
    """R7, Art. 17: once a list is published, materials go to its participants."""
    listed = _listed(d)
    if listed is not None and f["participant"] not in listed:
        raise RuleViolation(f"{f['participant']} 不在已公布的听证参加人名单中 (not on the published list)",
                            rule="R7", article="Art. 17")


def art_hearing_record_confirmed(d: DecisionView, k: ArtifactKind, actor: Actor, f: dict[str, Any],
                                 cal: StatutoryCalendar, today: date) -> None:
    """R7 and SoD5, Art. 17: the record is the one presented, held after the hearing, and every
    participant has confirmed its sha256 with their own credential. Records of hearings without a
    published list and without a presented record keep the declared `signed_by` check below."""
    listed = _listed(d)
    sha = str(f.get("record_sha256") or "")
    if listed is None and not sha:
        return
    participants = [str(p) for p in f["participants"]] if isinstance(f["participants"], list) else []
    if listed is not None and sorted(participants) != sorted(listed):
        raise RuleViolation("听证笔录的参加人应当与公布的名单一致 (the record's participants must be the "
                            "published list)", rule="R7", article="Art. 16")
    if not sha:
        raise RuleViolation("听证笔录应当由每一位参加人以本人身份确认 (present the record and let each "
                            "participant confirm its sha256)", rule="SoD5", article="Art. 17")
    rec = d.state.get("records", {}).get(sha)
    if rec is None or rec.get("subject") != "hearing_record" or "presented_at" not in rec:
        raise RuleViolation(f"听证笔录 {sha[:12]}… 未经提交确认 (no record with this sha256 was presented)",
                            rule="SoD5", article="Art. 17")
    if today < _hearing_at(d):
        raise RuleViolation("听证会尚未举行 (the hearing has not been held yet)", rule="R7", article="Art. 17")
    signed = confirmed_by(d, sha)
    unsigned = [p for p in participants if p not in signed]
    if unsigned:
        raise RuleViolation(f"听证笔录尚未经以下参加人确认签字: {', '.join(unsigned)}", rule="SoD5",
                            article="Art. 17", missing=tuple(
                                Missing("SoD5", "Art. 17", "hearing", f"confirmation by participant {p}",
                                        "hearing_record") for p in unsigned))


def art_hearing_record_signed(d: DecisionView, k: ArtifactKind, actor: Actor, f: dict[str, Any],
                              cal: StatutoryCalendar, today: date) -> None:
    """R7 and SoD5, Art. 17: every participant confirms and signs the record."""
    if d.latest("hearing", "hearing_notice") is None:
        raise RuleViolation("no hearing notice was published", rule="R7", article="Art. 16")
    unsigned = [p for p in f["participants"] if p not in f["signed_by"]]
    if unsigned:
        raise RuleViolation(f"the hearing record is not signed by: {', '.join(map(str, unsigned))}",
                            rule="SoD5", article="Art. 17")


def check_hearing(d: DecisionView, g: GateSpec) -> list[Missing]:
    """R7, Art. 17: materials delivered to every participant; the record signed by each."""
    out: list[Missing] = []
    record = d.latest(g.id, "hearing_record")
    if record is not None:
        delivered = {a["fields"]["participant"] for a in d.artifacts_of(g.id, "hearing_materials_delivery")}
        for person in record["fields"]["participants"]:
            if person not in delivered:
                out.append(Missing("R7", "Art. 17", g.id, f"materials delivery to participant {person}",
                                   "hearing_materials_delivery"))
    return out


def register(reg: Registry) -> None:
    """The hearing's checks: notice, selection, list, delivery, record (R7, SoD5)."""
    reg.artifact("hearing_notice", art_hearing_notice)  # R7, Art. 16
    reg.artifact("hearing_selection_method", art_selection_method)  # R7, Art. 16
    reg.artifact("hearing_participant_list", art_participant_list)  # R7, Art. 16
    reg.artifact("hearing_materials_delivery", art_hearing_delivery, art_delivery_to_listed)  # R7, Art. 17
    reg.artifact("hearing_record", art_hearing_record_confirmed, art_hearing_record_signed)  # R7, SoD5, Art. 17
    reg.gate("hearing", check_hearing)  # R7, Art. 17
