"""S3 risk assessment (风险评估): R10 risk points, level, measures and a controllable conclusion
(Arts. 22–24)."""

from __future__ import annotations

from datetime import date
from typing import Any

from decision_engine.domain.calendar import StatutoryCalendar
from decision_engine.domain.errors import InvalidInput, Missing, RuleViolation
from decision_engine.domain.procedure import ArtifactKind, GateSpec
from decision_engine.domain.rules.common import need_draft
from decision_engine.domain.rules.registry import DecisionView, Registry
from decision_engine.domain.values import Actor

# R10: the three-level scale of 发改投资〔2012〕2492号 Art. 4 (profile default, inference).
RISK_LEVELS = {"high": "高风险", "medium": "中风险", "low": "低风险"}


def art_risk_report(d: DecisionView, k: ArtifactKind, actor: Actor, f: dict[str, Any],
                    cal: StatutoryCalendar, today: date) -> None:
    """R10, Arts. 23–24: risk points, measures, contingency plan, conclusion."""
    need_draft(d, k)
    if f["conclusion"] not in ("controllable", "not_controllable"):
        raise InvalidInput("risk_report.conclusion must be controllable or not_controllable",
                           rule="R10", article="Art. 24")
    prior = d.latest("risk_assessment", "risk_report")
    if prior is not None and prior["fields"]["conclusion"] != "controllable" and \
            prior["draft_version"] == d.state["draft_version"]:
        raise RuleViolation("the risk was found not controllable for this draft version: adjust the "
                            "draft (a new version) before a new assessment", rule="R10", article="Art. 24")


def art_risk_report_content(d: DecisionView, k: ArtifactKind, actor: Actor, f: dict[str, Any],
                            cal: StatutoryCalendar, today: date) -> None:
    """R10, Arts. 23–24: risk points, a level on the three-level scale, prevention measures."""
    if f["level"] not in RISK_LEVELS:
        raise InvalidInput(f"level must be one of {', '.join(RISK_LEVELS)} (高/中/低, 发改投资〔2012〕2492号 "
                           "Art. 4)", rule="R10", article="Art. 23")
    if not isinstance(f["risk_points"], list):
        raise InvalidInput("risk_points must be a list", rule="R10", article="Art. 23")
    measures = f["measures"]
    if not isinstance(measures, list) or not all(
            (isinstance(m, str) and m.strip()) or (isinstance(m, dict) and str(m.get("measure") or "").strip())
            for m in measures):
        raise InvalidInput("measures must list each prevention measure (text, or {measure, responsible_unit, "
                           "due})", rule="R10", article="Art. 23")


def check_risk(d: DecisionView, g: GateSpec) -> list[Missing]:
    """R10, Art. 24: the latest assessment must find the risk controllable."""
    report = d.latest(g.id, "risk_report")
    if report is not None and report["fields"]["conclusion"] != "controllable":
        return [Missing("R10", "Art. 24", g.id, "the risk is assessed as not controllable: adjust the "
                        "draft and record a new assessment concluding 'controllable'", "risk_report")]
    return []


def register(reg: Registry) -> None:
    """S3's checks: the risk report and the controllable conclusion (R10)."""
    reg.artifact("risk_report", art_risk_report, art_risk_report_content)  # R10, Arts. 23–24
    reg.gate("risk_assessment", check_risk)  # R10, Art. 24
