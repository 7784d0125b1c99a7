"""S8 post-decision evaluation (决策后评估): R21 a lawful trigger, the commission, one decision per
evaluation (Art. 36), SoD3 never the unit that did the main pre-decision work (Art. 36)."""

from __future__ import annotations

from datetime import date
from typing import Any

from decision_engine.domain.calendar import StatutoryCalendar
from decision_engine.domain.errors import InvalidInput, NotPermitted, RuleViolation
from decision_engine.domain.law import ref
from decision_engine.domain.procedure import ArtifactKind
from decision_engine.domain.rules.registry import DecisionView, Registry
from decision_engine.domain.values import Actor

# R21, Art. 36 ¶1: the three grounds (明显未达到预期效果；公民、法人或者其他组织提出较多意见；决策机关认为有必要).
# A date fixed at decision time is not a ground of its own: the organ that fixed it judged an evaluation
# necessary, so it commissions one as `organ_decision` (the clock's "evaluation due" only reminds it).
EVALUATION_TRIGGERS = ("effect_not_met", "many_public_opinions", "organ_decision")
EVALUATION_OUTCOMES = ("continue", "adjust", "stop")
# R21, Art. 36: what does not record a participation (the public heard; deputies, CPPCC members and others
# taking part), however it is typed.
PLACEHOLDERS = frozenset({"", "-", "--", "—", "——", "–", "/", "无", "暂无", "未", "没有", "n/a", "na", "none", "nil",
                          "null", "x", "略", "...", "……"})


def check_trigger(trigger: Any) -> None:
    """R21, Art. 36: an evaluation on one of the article's three grounds."""
    if trigger == "scheduled":
        raise InvalidInput("按计划评估不是《条例》第三十六条规定的情形：决策时确定评估日期的，由决策机关认为有必要而组织评估，"
                           "trigger 应为 organ_decision ('scheduled' is not one of Art. 36's grounds)",
                           **ref("R21.evaluation"))
    if trigger not in EVALUATION_TRIGGERS:
        raise InvalidInput(f"trigger must be one of {', '.join(EVALUATION_TRIGGERS)} (Art. 36's three grounds)",
                           **ref("R21.evaluation"))


def substantive(value: Any) -> bool:
    """A participation recorded in words, not a dash or a placeholder."""
    text = str(value or "").strip().lower()
    return text not in PLACEHOLDERS and not set(text) <= set("-—–_/.。…· ")


def pre_decision_units(d: DecisionView) -> set[str]:
    """Units that did the main pre-decision argument or assessment work (SoD3, Art. 36): the undertaking
    units, the risk assessors and the experts (a local rule bars pre-decision experts, e.g. 西双版纳 2024)."""
    units = set(d.undertaking_units())
    for gate, kind in (("risk_assessment", "risk_report"), ("expert_review", "expert_opinion")):
        units |= {a["author"]["unit"] for a in d.artifacts_of(gate, kind, all_rounds=True)}
    return units


# ---------------------------------------------------------------------------------------- checks
def art_commission(d: DecisionView, k: ArtifactKind, actor: Actor, f: dict[str, Any],
                   cal: StatutoryCalendar, today: date) -> None:
    """R21 and SoD3, Art. 36: the organ names an evaluator that did not do the pre-decision work."""
    check_trigger(f["trigger"])
    if str(f["evaluator_unit"]) in pre_decision_units(d):
        raise NotPermitted(f"unit {f['evaluator_unit']} did the main pre-decision argument or assessment "
                           "work and cannot be the evaluator", rule="SoD3", article="Art. 36")


def art_evaluation_trigger(d: DecisionView, k: ArtifactKind, actor: Actor, f: dict[str, Any],
                           cal: StatutoryCalendar, today: date) -> None:
    """R21 and SoD3, Art. 36: a lawful trigger; not the unit that did the main pre-decision work."""
    check_trigger(f["trigger"])
    assessors = set(d.undertaking_units()) | {a["author"]["unit"] for a in
                                              d.artifacts_of("risk_assessment", "risk_report",
                                                             all_rounds=True)}
    if actor.unit in assessors:
        raise NotPermitted(f"unit {actor.unit} did the main pre-decision work and cannot evaluate",
                           rule="SoD3", article="Art. 36")


def art_evaluation_participation(d: DecisionView, k: ArtifactKind, actor: Actor, f: dict[str, Any],
                                 cal: StatutoryCalendar, today: date) -> None:
    """R21, Art. 36: the public heard, and deputies, CPPCC members and others taking part, each recorded in
    words (应当注重听取社会公众的意见，吸收人大代表、政协委员……参与评估), never a dash."""
    for name, what in (("public_input", "听取社会公众意见的情况 (how the public was heard)"),
                       ("deputy_participation", "人大代表、政协委员等参与评估的情况 (how deputies, CPPCC members and "
                                                "others took part)")):
        if not substantive(f.get(name)):
            raise RuleViolation(f"evaluation_report.{name} 应当如实记载{what}，不能以“{f.get(name)}”代替",
                                **ref("R21.evaluation"))


def art_evaluation(d: DecisionView, k: ArtifactKind, actor: Actor, f: dict[str, Any],
                   cal: StatutoryCalendar, today: date) -> None:
    """SoD3 (experts too) and R21, Art. 36: the organ organises the evaluation and names the unit that does
    it (决策机关可以组织决策后评估，并确定承担评估具体工作的单位): only a commissioned evaluator reports."""
    if actor.unit in pre_decision_units(d):
        raise NotPermitted(f"unit {actor.unit} did the main pre-decision work and cannot evaluate",
                           rule="SoD3", article="Art. 36")
    named = {str(c["fields"]["evaluator_unit"])
             for c in d.artifacts_of("post_evaluation", "evaluation_commission", all_rounds=True)}
    if not named:
        raise RuleViolation("决策后评估由决策机关组织并确定承担评估工作的单位：尚无评估委托 (no evaluation_commission "
                            "by the organ is on record)", **ref("R21.evaluation"))
    if actor.unit not in named:
        raise NotPermitted(f"the organ named {', '.join(sorted(named))} as evaluator, not {actor.unit}",
                           rule="R21", article="Art. 36")


def art_evaluation_decision(d: DecisionView, k: ArtifactKind, actor: Actor, f: dict[str, Any],
                            cal: StatutoryCalendar, today: date) -> None:
    """R21, Art. 36: the organ decides continue, adjust or stop on an evaluation on record, once."""
    if f["outcome"] not in EVALUATION_OUTCOMES:
        raise InvalidInput(f"outcome must be one of {', '.join(EVALUATION_OUTCOMES)}", rule="R21",
                           article="Art. 36")
    art = d.state["artifacts"].get(str(f["evaluation_id"]))
    if art is None or art["kind"] != "evaluation_report":
        raise RuleViolation(f"no evaluation report {f['evaluation_id']!r} on record", rule="R21",
                            article="Art. 36")
    if any(a["fields"]["evaluation_id"] == f["evaluation_id"]
           for a in d.artifacts_of("post_evaluation", "evaluation_decision", all_rounds=True)):
        raise RuleViolation(f"the organ already decided on evaluation {f['evaluation_id']}", rule="R21",
                            article="Art. 36")


def register(reg: Registry) -> None:
    """S8's checks: commission, report, the organ's decision (R21, SoD3)."""
    # pragma: no mutate block (the table is built once at import, rules.DEFAULT: structural, not a rule)
    reg.artifact("evaluation_commission", art_commission)  # R21, SoD3, Art. 36
    reg.artifact("evaluation_report", art_evaluation_trigger, art_evaluation,
                 art_evaluation_participation)  # R21, SoD3, Art. 36
    reg.artifact("evaluation_decision", art_evaluation_decision)  # R21, Art. 36
