"""S0 initiation and drafting (决策启动): R1 scope (Art. 3), R2 the catalogue (Art. 3 ¶3), R3 the start
decision (Arts. 10–12), R4 coordination of affected units (Art. 13)."""

from __future__ import annotations

from datetime import date
from typing import Any

from decision_engine.domain.calendar import StatutoryCalendar
from decision_engine.domain.errors import InvalidInput, Missing, RuleViolation
from decision_engine.domain.law import ref
from decision_engine.domain.procedure import DEFAULT_CATEGORIES, ArtifactKind, GateSpec
from decision_engine.domain.rules.common import need_draft
from decision_engine.domain.rules.registry import DecisionView, Registry
from decision_engine.domain.values import Actor, iso_date

# R1, Art. 3: what counts as a major decision, and what is excluded.
CATEGORIES = DEFAULT_CATEGORIES
EXCLUDED_CATEGORIES = ("macro_control", "gov_legislation", "emergency_response")


def art_start(d: DecisionView, k: ArtifactKind, actor: Actor, f: dict[str, Any], cal: StatutoryCalendar,
              today: date) -> None:
    """R3, Art. 11: the start decision names the units with exactly one lead."""
    units = f["units"]
    if not isinstance(units, list) or not all(isinstance(u, str) and u for u in units):
        raise InvalidInput("start_decision.units must be a list of unit names", rule="R3",
                           article="Art. 11")
    if f["lead_unit"] not in units or units.count(f["lead_unit"]) != 1:
        raise RuleViolation("the start decision must name exactly one lead unit among the units",
                            rule="R3", article="Art. 11")
    if d.state["start"]:
        raise RuleViolation("the decision has already been started", rule="R3", article="Art. 11")
    check_proposals_studied(d)


# R3, Art. 10: a proposal's six required elements are enforced as the kind's required fields; where it comes
# from decides who argues it. A department of the organ or the lower government argues its own proposal
# (Art. 10(2)); the organ's leaders', deputies', CPPCC members' and citizens' proposals are passed to a unit
# for study (Art. 10(1), (3)). The organ decides whether to start after the study.
PROPOSAL_SOURCES = {"leader": "决策机关领导人员", "department": "决策机关所属部门", "lower_government": "下一级人民政府",
                    "deputy": "人大代表", "cppcc_member": "政协委员", "citizen": "公民、法人或者其他组织"}
ARGUED_BY_PROPOSER = ("department", "lower_government")


def art_proposal(d: DecisionView, k: ArtifactKind, actor: Actor, f: dict[str, Any], cal: StatutoryCalendar,
                 today: date) -> None:
    """R3, Art. 10: a proposal says where it comes from (the source decides who studies it)."""
    if f.get("source") not in PROPOSAL_SOURCES:
        raise RuleViolation(f"决策事项建议应当写明提出者：{'、'.join(PROPOSAL_SOURCES.values())} "
                            f"(proposal.source must be one of {', '.join(PROPOSAL_SOURCES)})", **ref("R3.study"))


def art_proposal_study(d: DecisionView, k: ArtifactKind, actor: Actor, f: dict[str, Any],
                       cal: StatutoryCalendar, today: date) -> None:
    """R3, Art. 10: the study of a recorded proposal, by the unit it was passed to, with what it found."""
    ids = {a["id"] for a in d.artifacts_of("initiation", "proposal", all_rounds=True)}
    if f["proposal_id"] not in ids:
        raise RuleViolation(f"没有编号为 {f['proposal_id']} 的决策事项建议 (no proposal with this id)", **ref("R3.study"))
    if not str(f["study"]).strip() or not str(f["unit"]).strip():
        raise RuleViolation("研究论证意见应当写明承担研究论证的单位和研究论证情况 (proposal_study: unit, study)",
                            **ref("R3.study"))


def check_proposals_studied(d: DecisionView) -> None:
    """R3, Art. 10: the organ decides whether to start after the study: every proposal passed to a unit has
    its study on record; where the procedure requires a proposal before the start (`proposal_before_start`),
    there is one."""
    proposals = d.artifacts_of("initiation", "proposal", all_rounds=True)
    if d.spec.settings.get("proposal_before_start") and not proposals:
        raise RuleViolation("本程序要求决策启动前有决策事项建议并经研究论证 (a proposal on record before the start)",
                            **ref("R3.study"))
    studied = {a["fields"]["proposal_id"] for a in d.artifacts_of("initiation", "proposal_study", all_rounds=True)}
    unstudied = [p["id"] for p in proposals
                 if p["fields"].get("source") not in ARGUED_BY_PROPOSER and p["id"] not in studied]
    if unstudied:
        raise RuleViolation(f"决策事项建议 {', '.join(unstudied)} 应当交有关单位研究论证后，再报请决策机关决定是否启动 "
                            "(a proposal passed to a unit is studied before the start)", **ref("R3.study"))


def art_catalog_entry(d: DecisionView, k: ArtifactKind, actor: Actor, f: dict[str, Any],
                      cal: StatutoryCalendar, today: date) -> None:
    """R2, Art. 3 ¶3: a catalogued matter's catalogue is published only after the Party committee at the
    same level agreed to it (`party_consent_at < published_at`), and neither date lies in the future."""
    consent = iso_date(f["party_consent_at"], "party_consent_at", "R2", "Art. 3 ¶3", kind=k.id)
    published = iso_date(f["published_at"], "published_at", "R2", "Art. 3 ¶3", kind=k.id)
    if not consent < published:
        raise RuleViolation(f"决策事项目录须经同级党委同意后向社会公布：同意日期 {consent.isoformat()} 应早于公布日期 "
                            f"{published.isoformat()} (the Party committee's consent must precede publication)",
                            rule="R2", article="Art. 3 ¶3")
    if published > today:
        raise InvalidInput(f"catalog_entry.published_at {published.isoformat()} lies in the future", rule="R2",
                           article="Art. 3 ¶3")


def check_coordination(d: DecisionView, g: GateSpec) -> list[Missing]:
    """R4, Art. 13: every affected unit consulted; an open dispute needs a dispute statement."""
    out: list[Missing] = []
    start = d.state["start"] or {}
    consulted = {a["fields"]["unit"] for a in d.artifacts_of(g.id, "consultation")}
    for unit in [u for u in start.get("affected_units", []) if u not in consulted]:
        out.append(Missing("R4", "Art. 13", g.id, f"consultation of affected unit {unit}", "consultation"))
    if any(a["fields"].get("dispute") for a in d.artifacts_of(g.id, "consultation")) and \
            not d.artifacts_of(g.id, "dispute_statement"):
        out.append(Missing("R4", "Art. 13", g.id, "a dispute is open: dispute statement (issue, each "
                           "unit's view, the lead unit's view, reasons, basis)", "dispute_statement"))
    return out


def register(reg: Registry) -> None:
    """S0's checks: the start decision (R3), the catalogue (R2), coordination (R4)."""
    # pragma: no mutate block (the table is built once at import, rules.DEFAULT: structural, not a rule)
    reg.artifact("start_decision", art_start)  # R3, Arts. 10–11
    reg.artifact("proposal", art_proposal)  # R3, Art. 10
    reg.artifact("proposal_study", art_proposal_study)  # R3, Art. 10
    reg.artifact("catalog_entry", art_catalog_entry)  # R2, Art. 3 ¶3
    reg.artifact("draft_options", art_draft_options)  # R3, Art. 12 ¶4
    reg.gate("coordination", check_coordination)  # R4, Art. 13


def option_ids(d: DecisionView) -> list[str]:
    """R3, Art. 12 ¶4: the ids of the options the drafting stage offered (the latest record), if any."""
    recs = d.artifacts_of("initiation", "draft_options", all_rounds=True) if d.spec.has_gate("initiation") else []
    return [str(o["id"]) for o in recs[-1]["fields"]["options"]] if recs else []


def art_draft_options(d: DecisionView, k: ArtifactKind, actor: Actor, f: dict[str, Any], cal: StatutoryCalendar,
                      today: date) -> None:
    """R3, Art. 12 ¶4: where views diverge sharply the unit offers two or more options, each named and
    summarised, for the meeting to choose among."""
    need_draft(d, k)
    opts = f["options"]
    cit = ref("R3.options")
    if not isinstance(opts, list) or not all(isinstance(o, dict) and str(o.get("id") or "").strip()
                                             and str(o.get("summary") or "").strip() for o in opts):
        raise InvalidInput("draft_options.options 应逐项列明方案编号和内容 (a list of {id, summary})", **cit)
    ids = [str(o["id"]).strip() for o in opts]
    if len(set(ids)) < 2 or len(set(ids)) != len(ids):
        raise RuleViolation(f"存在较大分歧的，应当提出两个以上方案：recorded {len(set(ids))} distinct option(s)", **cit)


# R22: the furthest a due date may lie from the opening before it is taken for a typing slip (years).
DUE_BY_HORIZON_YEARS = 10


def check_due_by(due_by: str, today: date) -> date:
    """R22, Art. 38 ¶2: a decision's due date is a date, not already past when it opens (the clock would open
    an undue-delay case at once), and within the decision's horizon."""
    cit = ref("R22.due")
    due = iso_date(due_by, "due_by", **cit, kind="decision")
    if due < today:
        raise RuleViolation(f"决策期限 decision.due_by = {due.isoformat()} 早于立项日 {today.isoformat()}，立项时已逾期 "
                            "(the due date has already passed at opening)", **cit)
    if due.year > today.year + DUE_BY_HORIZON_YEARS:
        raise InvalidInput(f"决策期限 decision.due_by = {due.isoformat()} 超出立项后 {DUE_BY_HORIZON_YEARS} 年，疑为录入错误 "
                           "(a year far outside the decision's horizon)", **cit)
    return due


# R1, Arts. 2, 42: the organ's level → how Order 713 applies. County-level and above local governments decide
# under it (适用, Art. 2); the departments of governments at county level and above and township governments
# apply it by reference (参照, Art. 42). Any other level is outside the regulation.
ORGAN_LEVELS: dict[str, str] = {"province": "direct", "city": "direct", "county": "direct",
                                "department": "by_reference", "township": "by_reference"}
# R1, Art. 3 ¶2: only a law or an administrative regulation (法律、行政法规) sets a procedure that prevails.
_LAW_WORDS = ("法", "条例")


def check_organ_level(level: str | None) -> str | None:
    """R1, Arts. 2, 42: how the regulation applies to the organ's level (None when no level is given)."""
    if level is None:
        return None
    applies = ORGAN_LEVELS.get(level.strip())
    if applies is None:
        raise RuleViolation(f"决策机关层级 {level!r} 不在本条例适用范围：本条例适用于县级以上地方人民政府，县级以上人民政府部门和"
                            f"乡级人民政府参照执行 (organ level must be one of {', '.join(ORGAN_LEVELS)})",
                            **ref("R1.level"))
    return applies


def check_procedure_by_law(citation: str | None) -> str | None:
    """R1, Art. 3 ¶2: a procedure set by another law prevails; the opening records which law or administrative
    regulation (its name and article), not a bare remark."""
    if citation is None:
        return None
    text = citation.strip()
    if not text or not any(w in text for w in _LAW_WORDS) or len(text) > 500:
        raise RuleViolation(f"法律、行政法规对决策程序另有规定的，应当写明该法律或行政法规的名称和条款：{text[:60]!r} "
                            "(procedure_by_law names the law or administrative regulation and its article)",
                            **ref("R1.procedure_by_law"))
    return text
