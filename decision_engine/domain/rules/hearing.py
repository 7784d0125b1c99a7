"""S1 hearings (听证): R7 for every hearing held, required by another law or held by choice (Art. 16: 可以
组织听证会): the notice, the selection and the participant list published in advance and the materials
delivered at least 7 days ahead (Art. 16); the record presented after the hearing and confirmed by each
listed participant with their own credential (Art. 17, with SoD5) — no typed signatures."""

from __future__ import annotations

from datetime import date
from typing import Any

from decision_engine.domain.calendar import StatutoryCalendar
from decision_engine.domain.errors import InvalidInput, Missing, NotPermitted, RuleViolation
from decision_engine.domain.law import ref
from decision_engine.domain.procedure import ArtifactKind, GateSpec
from decision_engine.domain.rules.common import confirmed_by, need_draft
from decision_engine.domain.rules.registry import DecisionView, Registry
from decision_engine.domain.values import Actor, iso_date

HELD_BY_CHOICE = ("hearing",)  # R7, Art. 16: gates an organ may open by choice; once opened, their rules apply
HEARING_PARTICIPANT = "hearing_participant"  # SoD5, Art. 17: who confirms the record with their own credential


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
    """R7, Art. 16: materials reach each participant at least 7 days before the hearing."""
    notice = d.latest("hearing", "hearing_notice")
    if notice is None:
        raise RuleViolation("the hearing notice must precede everything else", rule="R7",
                            article="Art. 16")
    hearing_at = iso_date(notice["fields"]["hearing_at"], "hearing_at", "R7", "Art. 16", kind="hearing_notice")
    delivered = iso_date(f["delivered_at"], "delivered_at", "R7", "Art. 16", kind=k.id)
    need = d.spec.durations["hearing_materials"].days
    if cal.calendar_days_between(delivered, hearing_at) < need:
        raise RuleViolation(f"materials delivered {delivered.isoformat()} reach the participant less "
                            f"than {need} days before the hearing on {hearing_at.isoformat()}",
                            rule="R7", article="Art. 16")


def art_delivery_to_listed(d: DecisionView, k: ArtifactKind, actor: Actor, f: dict[str, Any],
                           cal: StatutoryCalendar, today: date) -> None:
    """R7, Art. 16: once a list is published, materials go to its participants."""
    listed = _listed(d)
    if listed is not None and f["participant"] not in listed:
        raise RuleViolation(f"{f['participant']} 不在已公布的听证参加人名单中 (not on the published list)",
                            rule="R7", article="Art. 16")


def check_listed_people(roles: dict[str, tuple[str, ...] | None]) -> None:
    """SoD5, Art. 17: each person on the participant list is a registered person holding the role
    hearing_participant, so that they confirm the record with their own credential (`roles`: person id ->
    the roles they hold now, None when no such person is registered)."""
    for pid, held in roles.items():
        if held is None:
            raise InvalidInput(f"听证参加人 {pid!r} 未登记，无法以本人身份确认笔录 (not a registered person)",
                               rule="SoD5", article="Art. 17")
        if HEARING_PARTICIPANT not in held:
            raise NotPermitted(f"{pid} 不具有听证参加人身份，无法以本人身份签字 (does not hold the role "
                               "hearing_participant)", rule="SoD5", article="Art. 17")


def art_hearing_record_confirmed(d: DecisionView, k: ArtifactKind, actor: Actor, f: dict[str, Any],
                                 cal: StatutoryCalendar, today: date) -> None:
    """R7 and SoD5, Art. 17, for every hearing held: the record is the one presented after the hearing,
    its participants are the published list, and every one of them has confirmed its sha256 with their own
    credential. A typed list of signatures proves nothing and is not accepted."""
    hearing_at = _hearing_at(d)
    if today < hearing_at:
        raise RuleViolation("听证会尚未举行 (the hearing has not been held yet)", rule="R7", article="Art. 17")
    held_on = f.get("held_on")
    if held_on and iso_date(held_on, "held_on", "R7", "Art. 17", kind=k.id) < hearing_at:
        raise RuleViolation(f"听证笔录日期 {held_on} 早于公告的听证日期 {hearing_at.isoformat()} (a record dated "
                            "before the hearing)", rule="R7", article="Art. 17")
    listed = _listed(d)
    if listed is None:
        raise RuleViolation("听证笔录应当由公布名单中的每一位参加人以本人身份确认：请先公布听证参加人名单 (publish "
                            "the participant list: each listed participant confirms the record)", rule="SoD5",
                            article="Art. 17")
    participants = [str(p) for p in f["participants"]] if isinstance(f["participants"], list) else []
    if sorted(participants) != sorted(listed):
        raise RuleViolation("听证笔录的参加人应当与公布的名单一致 (the record's participants must be the "
                            "published list)", rule="R7", article="Art. 16")
    sha = str(f.get("record_sha256") or "")
    rec = d.state.get("records", {}).get(sha) if sha else None
    if rec is None or rec.get("subject") != "hearing_record" or "presented_at" not in rec:
        raise RuleViolation("听证笔录应当先提交，再由每一位参加人以本人身份确认 (no record with this sha256 was "
                            "presented; typed signatures are not accepted)", rule="SoD5", article="Art. 17")
    signed = confirmed_by(d, sha)
    unsigned = [p for p in participants if p not in signed]
    if unsigned:
        raise RuleViolation(f"听证笔录尚未经以下参加人确认签字: {', '.join(unsigned)}", rule="SoD5",
                            article="Art. 17", missing=tuple(
                                Missing("SoD5", "Art. 17", "hearing", f"confirmation by participant {p}",
                                        "hearing_record") for p in unsigned))
    if sorted(str(p) for p in (f.get("signed_by") or [])) != sorted(signed.keys() & set(participants)):
        raise RuleViolation("signed_by 只能是以本人身份确认了笔录的参加人 (signed_by lists the confirmations on "
                            "record, never typed names)", rule="SoD5", article="Art. 17")
    check_hearing_order(f)


# R7, Art. 17 (一)–(二): what the record says of the hearing's order, field → what it states.
HEARING_ORDER = {"presentation": "决策承办单位介绍决策草案、依据和有关情况",
                 "statements": "听证参加人陈述意见，进行询问、质证和辩论"}


def check_hearing_order(f: dict[str, Any]) -> None:
    """R7, Art. 17: the hearing is held in its order, and the record says so: first the undertaking unit
    presents the draft, its basis and circumstances (presentation), then the participants state their views,
    question, cross-examine and debate (statements); the confirmation (三) is SoD5's."""
    absent = [name for name in HEARING_ORDER if not str(f.get(name) or "").strip()]
    if absent:
        said = "；".join(HEARING_ORDER[n] for n in absent)
        raise RuleViolation(f"听证会应当按程序举行，听证笔录应当载明：{said} (the record states the hearing's order: "
                            f"{', '.join(absent)})", **ref("R7.order"))


def check_hearing(d: DecisionView, g: GateSpec) -> list[Missing]:
    """R7, Art. 16: materials delivered to every participant of the record."""
    out: list[Missing] = []
    record = d.latest(g.id, "hearing_record")
    if record is not None:
        delivered = {a["fields"]["participant"] for a in d.artifacts_of(g.id, "hearing_materials_delivery")}
        for person in record["fields"]["participants"]:
            if person not in delivered:
                out.append(Missing("R7", "Art. 16", g.id, f"materials delivery to participant {person}",
                                   "hearing_materials_delivery"))
    return out


def register(reg: Registry) -> None:
    """The hearing's checks: notice, selection, list, delivery, record (R7, SoD5)."""
    # pragma: no mutate block (the table is built once at import, rules.DEFAULT: structural, not a rule)
    reg.artifact("hearing_notice", art_hearing_notice)  # R7, Art. 16
    reg.artifact("hearing_selection_method", art_selection_method)  # R7, Art. 16
    reg.artifact("hearing_participant_list", art_participant_list)  # R7, Art. 16
    reg.artifact("hearing_materials_delivery", art_hearing_delivery, art_delivery_to_listed)  # R7, Art. 16
    reg.artifact("hearing_record", art_hearing_record_confirmed)  # R7, SoD5, Art. 17
    reg.gate("hearing", check_hearing)  # R7, Art. 16
