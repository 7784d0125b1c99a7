"""S8 post-decision evaluation (决策后评估): R21 a lawful trigger, the commission, one decision per
evaluation (Art. 36), SoD3 never the unit that did the main pre-decision work (Art. 36)."""

from __future__ import annotations

from datetime import date
from typing import Any

from decision_engine.domain.calendar import StatutoryCalendar
from decision_engine.domain.errors import InvalidInput, NotPermitted, RuleViolation
from decision_engine.domain.procedure import ArtifactKind
from decision_engine.domain.rules.registry import DecisionView, Registry
from decision_engine.domain.values import Actor

EVALUATION_TRIGGERS = ("effect_not_met", "many_public_opinions", "organ_decision", "scheduled")
EVALUATION_OUTCOMES = ("continue", "adjust", "stop")


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
    if f["trigger"] not in EVALUATION_TRIGGERS:
        raise InvalidInput(f"trigger must be one of {', '.join(EVALUATION_TRIGGERS)}", rule="R21",
                           article="Art. 36")
    if str(f["evaluator_unit"]) in pre_decision_units(d):
        raise NotPermitted(f"unit {f['evaluator_unit']} did the main pre-decision argument or assessment "
                           "work and cannot be the evaluator", rule="SoD3", article="Art. 36")


def art_evaluation_trigger(d: DecisionView, k: ArtifactKind, actor: Actor, f: dict[str, Any],
                           cal: StatutoryCalendar, today: date) -> None:
    """R21 and SoD3, Art. 36: a lawful trigger; not the unit that did the main pre-decision work."""
    if f["trigger"] not in EVALUATION_TRIGGERS:
        raise InvalidInput(f"trigger must be one of {', '.join(EVALUATION_TRIGGERS)}", rule="R21",
                           article="Art. 36")
    assessors = set(d.undertaking_units()) | {a["author"]["unit"] for a in
                                              d.artifacts_of("risk_assessment", "risk_report",
                                                             all_rounds=True)}
    if actor.unit in assessors:
        raise NotPermitted(f"unit {actor.unit} did the main pre-decision work and cannot evaluate",
                           rule="SoD3", article="Art. 36")


def art_evaluation(d: DecisionView, k: ArtifactKind, actor: Actor, f: dict[str, Any],
                   cal: StatutoryCalendar, today: date) -> None:
    """SoD3 (experts too) and R21, Art. 36: when the organ commissioned an evaluator, only it reports."""
    if actor.unit in pre_decision_units(d):
        raise NotPermitted(f"unit {actor.unit} did the main pre-decision work and cannot evaluate",
                           rule="SoD3", article="Art. 36")
    named = {str(c["fields"]["evaluator_unit"])
             for c in d.artifacts_of("post_evaluation", "evaluation_commission", all_rounds=True)}
    if named and actor.unit not in named:
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
    reg.artifact("evaluation_commission", art_commission)  # R21, SoD3, Art. 36
    reg.artifact("evaluation_report", art_evaluation_trigger, art_evaluation)  # R21, SoD3, Art. 36
    reg.artifact("evaluation_decision", art_evaluation_decision)  # R21, Art. 36
