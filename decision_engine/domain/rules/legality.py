"""S4 legality review (合法性审查): R8 opinions summarised before submission (Arts. 18, 29(2)), R11 the
packet, the time and supplements (Art. 26, the time ¶2), R12 adviser opinions and amendments (Art. 28), R13 the
reviewed version and an unlawful draft (Art. 25), SoD1 never the undertaking unit (Arts. 25, 28)."""

from __future__ import annotations

from datetime import date
from typing import Any

from decision_engine.domain.calendar import StatutoryCalendar
from decision_engine.domain.errors import InvalidInput, Missing, NotPermitted, RuleViolation
from decision_engine.domain.law import ref
from decision_engine.domain.procedure import ArtifactKind, GateSpec
from decision_engine.domain.rules.common import need_draft
from decision_engine.domain.rules.normative import check_normative_checklist
from decision_engine.domain.rules.registry import DecisionView, Registry
from decision_engine.domain.statutory_time import statutory_day
from decision_engine.domain.values import Actor, iso_date

LEGALITY_CONCLUSIONS = ("lawful", "lawful_if_amended", "unlawful", "exploratory_risk_stated")


def pending_supplement(d: DecisionView) -> dict[str, Any] | None:
    """R11, Art. 26: the supplement request of the review's current round not yet answered, if any."""
    gs = d.state["gates"].get("legality_review")
    if gs is None:
        return None
    reqs = [r for r in d.state.get("supplement_requests", []) if r["round"] == gs["round"]]
    if not reqs:
        return None
    answered = [a["seq"] for a in d.artifacts_of("legality_review", "legality_supplement")]
    last = reqs[-1]
    return None if answered and max(answered) > last["seq"] else last


def opinion_due(d: DecisionView, cal: StatutoryCalendar) -> tuple[date, bool] | None:
    """R12, Art. 28: the legality review department gives its opinion promptly (及时). The day it is due, and
    whether that day is provisional (a calendar year not yet published): the deadline the submission
    requested (which allows at least the review time of R11, Art. 26 ¶2), or without one, the review time
    counted in working days from the submission. None when no submission awaits the review (none recorded, or
    the review gate already satisfied)."""
    if not d.spec.has_gate("legality_review"):
        return None
    sub = d.latest("legality_review", "legality_submission")
    g = d.spec.gate("legality_review")
    if sub is None or d.gate_status(g) in ("cleared", "exempted", "not_applicable"):
        return None
    requested = sub["fields"].get("requested_deadline")
    if requested:
        return statutory_day(str(requested)), False
    dl = cal.add_working_days(statutory_day(sub["at"]), d.spec.durations["legality_review"].days)
    return dl.due, dl.provisional


def art_legality_submission(d: DecisionView, k: ArtifactKind, actor: Actor, f: dict[str, Any],
                            cal: StatutoryCalendar, today: date) -> None:
    """R11, Arts. 25–26 (and R8 before it): the packet, and ≥ 7 working days for the review."""
    need_draft(d, k)
    part = d.spec.gate("public_participation")
    if d.gate_status(part) not in ("exempted", "not_applicable") and \
            not d.artifacts_of(part.id, "opinion_summary"):
        raise RuleViolation("public opinions must be summarised with their dispositions before the "
                            "legality submission", rule="R8", article="Arts. 18, 29(2)")
    cit = ref("R11.review_time")
    wanted = iso_date(f["requested_deadline"], "requested_deadline", **cit, kind=k.id)
    if wanted <= today:
        # R11, Art. 26 ¶2: a review deadline on or before the submission day leaves no review time at all;
        # no reason can shorten a review to nothing (or below it).
        raise RuleViolation(f"审查期限 {wanted.isoformat()} 不晚于送审日 {today.isoformat()}，应当保证必要的审查时间 "
                            "(the requested deadline is not after the submission day)", **cit)
    if (wanted - today).days > 366:
        raise InvalidInput(f"审查期限 {wanted.isoformat()} 距送审日超过一年，疑为录入错误 (legality_submission."
                           "requested_deadline far outside the review's horizon)", **cit)
    days, _ = cal.working_days_between(today, wanted)
    need = d.spec.durations["legality_review"].days
    if days < need and not str(f.get("short_review_reason") or "").strip():
        raise RuleViolation(f"审查时间为 {days} 个工作日，一般不少于 {need} 个工作日，缩短的应说明理由：the review is "
                            f"given {days} working days; at least {need} unless a reason is recorded "
                            "(short_review_reason)", **cit)


def art_legality_opinion(d: DecisionView, k: ArtifactKind, actor: Actor, f: dict[str, Any],
                         cal: StatutoryCalendar, today: date) -> None:
    """R12, Arts. 27–28 and SoD1: scope, conclusion, adviser opinions, not the undertaking unit."""
    if actor.unit in d.undertaking_units():
        raise NotPermitted("the undertaking unit cannot give the legality opinion on its own draft",
                           rule="SoD1", article="Arts. 25, 28")
    if d.latest("legality_review", "legality_submission") is None:
        raise RuleViolation("no legality submission to review", rule="R11", article="Art. 26")
    if d.spec.artifact_kind("legal_adviser_opinion").required and \
            not d.artifacts_of("legality_review", "legal_adviser_opinion"):
        raise RuleViolation("the reviewer must first obtain at least one legal adviser's opinion",
                            rule="R12", article="Art. 28")
    if "checklist" in k.fields:
        check_normative_checklist(f)  # ND1, seeds 001, 004
    if f["conclusion"] not in LEGALITY_CONCLUSIONS:
        raise InvalidInput(f"conclusion must be one of {', '.join(LEGALITY_CONCLUSIONS)}",
                           **ref("R12.conclusion"))
    if f["conclusion"] == "exploratory_risk_stated":
        if not d.flag("exploratory_reform") or not str(f.get("risk_statement") or "").strip():
            raise RuleViolation("'exploratory reform' needs the exploratory_reform determination and an "
                                "explicit statement of the legal risk", rule="R13", article="Art. 25 ¶2")


def art_no_pending_supplement(d: DecisionView, k: ArtifactKind, actor: Actor, f: dict[str, Any],
                              cal: StatutoryCalendar, today: date) -> None:
    """R11, Art. 26: no opinion while the legal office waits for the supplement it asked for."""
    req = pending_supplement(d)
    if req is not None:
        raise RuleViolation(f"已要求补充材料（{'；'.join(map(str, req['items']))}），补充前不得出具审查意见",
                            rule="R11", article="Art. 26")


def art_supplement(d: DecisionView, k: ArtifactKind, actor: Actor, f: dict[str, Any],
                   cal: StatutoryCalendar, today: date) -> None:
    """R11, Art. 26: a supplement answers a pending request."""
    if pending_supplement(d) is None:
        raise RuleViolation("合法性审查机构未要求补充材料 (no supplement request is pending)", rule="R11",
                            article="Art. 26")


def last_opinion(d: DecisionView) -> dict[str, Any] | None:
    """The legal office's latest opinion, in whichever round of the review it was given."""
    ops = d.artifacts_of("legality_review", "legality_opinion", all_rounds=True)
    return ops[-1] if ops else None


def art_answers_opinion(d: DecisionView, k: ArtifactKind, actor: Actor, f: dict[str, Any],
                        cal: StatutoryCalendar, today: date) -> None:
    """R12, Art. 28; seed 000: amendments and non-adoption explanations answer a legality opinion; the
    amendments are made in a new draft version (决策承办单位根据合法性审查意见进行必要的调整), so the text
    decided carries them."""
    op = last_opinion(d)
    if op is None:
        raise RuleViolation("尚无合法性审查意见 (there is no legality opinion to answer)", **ref("R12.opinion"))
    if k.id == "amendment_record" and d.state["draft_version"] <= op["draft_version"]:
        raise RuleViolation(f"审查意见针对草案第 {op['draft_version']} 版：应先形成载有修改内容的新版本草案，再登记修改情况 "
                            "(make the amendments in a new draft version first; the record states how that "
                            "version carries them)", **ref("R12.opinion"))


def check_legality(d: DecisionView, g: GateSpec) -> list[Missing]:
    """R11–R13, Arts. 25–28: reviewed version is the current one, not unlawful, amendments recorded."""
    out: list[Missing] = []
    current = d.state["draft_version"]
    sub = d.latest(g.id, "legality_submission")
    if sub is not None and sub["draft_version"] != current:
        out.append(Missing("R13", "Art. 25", g.id, f"submission concerns draft v{sub['draft_version']}, "
                           f"current is v{current}", "legality_submission"))
    op = d.latest(g.id, "legality_opinion")
    if op is not None:
        conclusion = op["fields"]["conclusion"]
        if op["draft_version"] != current:
            out.append(Missing("R13", "Art. 25", g.id, f"opinion concerns draft v{op['draft_version']}, "
                               f"current is v{current}", "legality_opinion"))
        if conclusion == "unlawful":
            out.append(Missing("R13", "Art. 25 ¶2", g.id, "the legality opinion found the draft "
                               "unlawful: it must not be discussed", "legality_opinion"))
        if conclusion == "lawful_if_amended" and not d.artifacts_of(g.id, "nonadoption_explanation"):
            # R12, Art. 28: the amendments go into a new draft version (which reopens the review, R13), or
            # the unit explains in writing why it does not adopt them (seed 000).
            out.append(Missing(**ref("R12.opinion"), gate=g.id, need="a new draft version carrying the "
                               "amendments asked for (then its amendment record and the legal office's review of "
                               "it), or a written explanation of non-adoption", kind="draft"))
    out.extend(_amendments_carried(d, g))
    return out


def _amendments_carried(d: DecisionView, g: GateSpec) -> list[Missing]:
    """R12, Art. 28: after a 'lawful if amended' opinion on an earlier version, the round reviewing the new
    version holds the amendment record made on it, and the legal office confirms it by its own opinion and
    its clearing (SoD8: never the unit)."""
    rnd = d.state["gates"][g.id]["round"]
    earlier = [o for o in d.artifacts_of(g.id, "legality_opinion", all_rounds=True) if o["round"] < rnd]
    if not earlier or earlier[-1]["fields"]["conclusion"] != "lawful_if_amended":
        return []
    current = d.state["draft_version"]
    if any(a["draft_version"] == current for a in d.artifacts_of(g.id, "amendment_record")):
        return []
    return [Missing(**ref("R12.opinion"), gate=g.id, need=f"the amendment record for draft v{current}: how it "
                    f"carries the amendments the legal office asked for on v{earlier[-1]['draft_version']}",
                    kind="amendment_record")]


def check_legality_supplement(d: DecisionView, g: GateSpec) -> list[Missing]:
    """R11, Art. 26: a pending supplement request holds the review."""
    req = pending_supplement(d)
    if req is None:
        return []
    return [Missing("R11", "Art. 26", g.id, "supplementary material requested by the legal office: "
                    + "; ".join(map(str, req["items"])), "legality_supplement")]


def register(reg: Registry) -> None:
    """S4's checks: submission, opinion, supplement, answers to the opinion (R8, R11–R13, SoD1, ND1)."""
    # pragma: no mutate block (the table is built once at import, rules.DEFAULT: structural, not a rule)
    reg.artifact("legality_submission", art_legality_submission)  # R8, R11, Arts. 18, 26 ¶2
    reg.artifact("legality_opinion", art_legality_opinion, art_no_pending_supplement)  # R11–R13, SoD1, ND1
    reg.artifact("legality_supplement", art_supplement)  # R11, Art. 26
    reg.artifact("amendment_record", art_answers_opinion)  # R12, Art. 28
    reg.artifact("nonadoption_explanation", art_answers_opinion)  # R12, Art. 28; seed 000
    reg.gate("legality_review", check_legality, check_legality_supplement)  # R11–R13, Arts. 25–28
