"""S5 collective decision (集体讨论决定): R13 the version decided (Art. 25), R14 the agenda and the packet
(Art. 29), R15 the meeting, quorum and tally (Art. 30), SoD4 the head speaks last (Art. 30), R16 the report
to the Party committee (Art. 31)."""

from __future__ import annotations

from datetime import date
from typing import Any

from decision_engine.domain.calendar import StatutoryCalendar
from decision_engine.domain.errors import InvalidInput, Missing, RuleViolation
from decision_engine.domain.law import ref
from decision_engine.domain.procedure import ArtifactKind, GateSpec
from decision_engine.domain.rules.initiation import option_ids
from decision_engine.domain.rules.registry import DecisionView, Registry
from decision_engine.domain.rules.risk import effective_report
from decision_engine.domain.values import Actor, iso_date

HEAD_DECISIONS = ("adopt", "adopt_with_amendments", "defer", "send_back", "reject")
MEETING_TYPES = ("executive", "plenary")


def departs_from_majority(member_opinions: list[dict[str, Any]], head_decision: str) -> bool:
    """R15, Art. 30: does the head's decision go against the majority of the members' opinions?"""
    support = sum(1 for o in member_opinions if o.get("position") == "support")
    against = sum(1 for o in member_opinions if o.get("position") == "oppose")
    adopting = head_decision in ("adopt", "adopt_with_amendments")
    return (adopting and against > support) or (not adopting and support > against)


def check_tally(tally: Any, attendance: list[Any], opinions: list[Any], members_total: int) -> None:
    """R15, Art. 30: a stated tally matches the record: no count larger than those present, each
    present member counted once as spoken, and no present member's voice turned into an absence."""
    keys = ("support", "oppose", "abstain")
    if not isinstance(tally, dict) or any(not isinstance(tally.get(k, 0), int) or tally.get(k, 0) < 0
                                          for k in (*keys, "absent")):
        raise InvalidInput("tally counts support, oppose, abstain (and absent) as whole numbers",
                           rule="R15", article="Art. 30")
    for k in keys:
        if tally.get(k, 0) > len(attendance):
            raise RuleViolation(f"the tally counts {tally[k]} '{k}' but only {len(attendance)} members "
                                "were present", rule="R15", article="Art. 30")
        recorded = sum(1 for o in opinions if isinstance(o, dict) and o.get("position") == k)
        if tally.get(k, 0) != recorded:
            raise RuleViolation(f"the tally counts {tally.get(k, 0)} '{k}', the recorded opinions "
                                f"{recorded}", rule="R15", article="Art. 30")
    if "absent" in tally and tally["absent"] != members_total - len(attendance):
        raise RuleViolation(f"the tally counts {tally['absent']} absent; the attendance shows "
                            f"{members_total - len(attendance)}: a member present is never counted "
                            "absent", rule="R15", article="Art. 30")


def art_meeting(d: DecisionView, k: ArtifactKind, actor: Actor, f: dict[str, Any], cal: StatutoryCalendar,
                today: date) -> None:
    """R13–R15, SoD4, Arts. 25, 29–30: a real meeting, the head last, reasons for departing."""
    if f["meeting_type"] not in MEETING_TYPES:
        raise RuleViolation(f"the decision is taken at an executive or plenary meeting, not by "
                            f"{f['meeting_type']!r}", **ref("R15.venue"))
    blocking = d.agenda_blockers()
    if blocking:
        # R14, Art. 29: only a complete packet goes on the agenda.
        raise RuleViolation("only a decision whose pre-decision gates are all satisfied and whose packet "
                            "is complete can be placed on the agenda", rule="R14",
                            article="Art. 29(1)" if all(m.kind == "fair_competition_review"
                                                        for m in blocking) else "Art. 29",
                            missing=tuple(blocking))
    ops = f["opinions"]
    attendance = f["attendance"]
    if not isinstance(ops, list) or not ops or not isinstance(attendance, list):
        raise InvalidInput("meeting_record.opinions and attendance must be non-empty lists", rule="R15",
                           article="Art. 30")
    speakers = [str(o.get("person")) for o in ops if isinstance(o, dict)]
    if len(speakers) != len(ops) or any(p not in attendance for p in speakers):
        raise RuleViolation("every opinion must come from a member present at the meeting", rule="R15",
                            article="Art. 30")
    if speakers[-1] != actor.person:
        # SoD4, Art. 30: the head speaks last, then decides.
        raise RuleViolation("the administrative head speaks last: the last opinion must be the head's",
                            rule="SoD4", article="Art. 30")
    present_members = [p for p in attendance if p != actor.person]
    if any(p not in speakers[:-1] for p in present_members):
        raise RuleViolation("the head decides only after every present member has spoken", rule="SoD4",
                            article="Art. 30")
    if f["head_decision"] not in HEAD_DECISIONS:
        raise InvalidInput(f"head_decision must be one of {', '.join(HEAD_DECISIONS)}", rule="R15",
                           article="Art. 30")
    if departs_from_majority(ops[:-1], f["head_decision"]) and not str(f.get("head_reasons") or "").strip():
        raise RuleViolation("the head's decision departs from the majority of opinions: the reasons "
                            "must be stated at the meeting (head_reasons)", rule="R15", article="Art. 30")
    quorum = float(d.spec.settings.get("quorum_fraction", 0.5))
    members_total = int(f.get("members_total") or len(attendance))
    if len(attendance) <= quorum * members_total:
        raise RuleViolation(f"{len(attendance)} of {members_total} members present: no quorum",
                            rule="R15", article="Art. 30")
    if f.get("tally") is not None:
        check_tally(f["tally"], attendance, ops, members_total)
    if f["head_decision"] == "adopt_with_amendments" and not str(f.get("amendments") or "").strip():
        raise InvalidInput("adoption with amendments states the amendments", rule="R15", article="Art. 30")
    if f["head_decision"] == "send_back" and not (isinstance(f.get("reopen_gates"), list)
                                                  and f["reopen_gates"]):
        raise InvalidInput("sending back states which gates reopen (reopen_gates)", rule="R15",
                           article="Art. 30")
    report = effective_report(d)
    if d.spec.has_gate("risk_assessment") and d.gate_applicable(d.spec.gate("risk_assessment")) and \
            report is not None and report["fields"]["conclusion"] != "controllable":
        # R10, Art. 24: a risk not controllable is never decided on.
        raise RuleViolation("the risk is not controllable for this draft", rule="R10", article="Art. 24")
    options = option_ids(d)
    if options and f["head_decision"] in ("adopt", "adopt_with_amendments") and \
            str(f.get("option_chosen") or "") not in options:
        # R15, Arts. 12 ¶4, 30: where the draft offers options, the collective decision names the one chosen.
        raise RuleViolation(f"决策草案提出了 {len(options)} 个方案（{'、'.join(options)}），会议决定应载明所选方案 "
                            "(option_chosen)", **ref("R15.option_chosen"))
    if report is not None and f["head_decision"] in ("adopt", "adopt_with_amendments") and \
            str(f.get("risk_judgment") or "") != "controllable":
        # R10, Art. 24: 决策机关认为风险可控的，可以作出决策 — the organ's own judgment, not the assessor's.
        raise RuleViolation("决策机关认为风险可控的，方可作出决策：会议记录应载明决策机关自己的判断 (risk_judgment = "
                            "controllable); the assessor's conclusion does not stand in for the organ's",
                            **ref("R10.controllable"))


def art_party_report(d: DecisionView, k: ArtifactKind, actor: Actor, f: dict[str, Any],
                     cal: StatutoryCalendar, today: date) -> None:
    """R16, Art. 31: reported before issuance (this engine: before finalization), so on a day already come:
    a report dated in the future is not a report made."""
    cit = ref("R16.party_report")
    reported = iso_date(f["reported_at"], "reported_at", **cit, kind=k.id)
    if reported > today:
        raise RuleViolation(f"请示报告日期 {reported.isoformat()} 晚于登记日 {today.isoformat()}：尚未报告的不得登记为已报告 "
                            "(party_report.reported_at lies in the future)", **cit)
    if (today - reported).days > 366 * 2:
        raise InvalidInput(f"请示报告日期 {reported.isoformat()} 早于登记日两年以上，疑为录入错误 "
                           "(party_report.reported_at far outside the decision's horizon)", **cit)


def art_party_reply(d: DecisionView, k: ArtifactKind, actor: Actor, f: dict[str, Any],
                    cal: StatutoryCalendar, today: date) -> None:
    """SoD7, Art. 31: the same-level Party committee answers the report itself (its relation is checked by
    `Decision.pick`, AR12): only after a report is on record, and on a day already come."""
    cit = ref("SoD7.reply")
    report = d.latest("party_report", "party_report")
    if report is None:
        raise RuleViolation("同级党委的答复针对请示报告：请先登记向同级党委的请示报告 (no party_report on record)", **cit)
    replied = iso_date(f["replied_at"], "replied_at", **cit, kind=k.id)
    reported = iso_date(report["fields"]["reported_at"], "reported_at", **cit, kind="party_report")
    if replied > today or replied < reported:
        raise RuleViolation(f"答复日期 {replied.isoformat()} 应在请示报告日 {reported.isoformat()} 之后、登记日 "
                            f"{today.isoformat()} 之前 (the reply follows the report and has been given)", **cit)


def art_other_material(d: DecisionView, k: ArtifactKind, actor: Actor, f: dict[str, Any],
                       cal: StatutoryCalendar, today: date) -> None:
    """R14, Art. 29(6): "需要报送的其他材料": a material goes to the organ with the packet when it needs to, so it
    is named and says why it needs to (not a blank line); the packet carries it (`meeting.assemble_packet`)."""
    absent = [name for name in ("title", "reason") if not str(f.get(name) or "").strip()]
    if absent:
        raise RuleViolation(f"需要报送的其他材料应当写明材料名称和报送理由 (other_material: {', '.join(absent)})",
                            **ref("R14.other_materials"))


def check_collective(d: DecisionView, g: GateSpec) -> list[Missing]:
    """R15, Art. 30: the head's decision adopts the draft (and R13, Art. 25: the version discussed)."""
    rec = d.latest(g.id, "meeting_record")
    if rec is None:
        return []
    decided, current = rec["fields"]["head_decision"], d.state["draft_version"]
    if decided not in ("adopt", "adopt_with_amendments"):
        return [Missing("R15", "Art. 30", g.id, f"the meeting's decision was '{decided}', not adoption",
                        "meeting_record")]
    if decided == "adopt_with_amendments" and current <= rec["draft_version"]:
        return [Missing("R15", "Art. 30", g.id, "the amendments adopted at the meeting must be made in a "
                        "new draft version, reviewed again for legality (R13)", "draft")]
    if decided == "adopt" and current != rec["draft_version"]:
        return [Missing("R13", "Art. 25", g.id, f"the meeting adopted draft v{rec['draft_version']}, the "
                        f"current draft is v{current}: the version decided must be the one discussed",
                        "meeting_record")]
    return []


def register(reg: Registry) -> None:
    """S5's checks: the meeting record (R13–R15, SoD4), the Party report (R16)."""
    # pragma: no mutate block (the table is built once at import, rules.DEFAULT: structural, not a rule)
    reg.artifact("meeting_record", art_meeting)  # R13–R15, SoD4, Arts. 25, 29–30
    reg.artifact("party_report", art_party_report)  # R16, Art. 31
    reg.artifact("other_material", art_other_material)  # R14, Art. 29(6)
    reg.artifact("party_reply", art_party_reply)  # SoD7, Art. 31
    reg.gate("collective_decision", check_collective)  # R13, R15, Arts. 25, 30
