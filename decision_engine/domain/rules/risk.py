"""S3 risk assessment (风险评估): R10 risk points, level, measures and a controllable conclusion
(Arts. 22–24)."""

from __future__ import annotations

from datetime import date
from typing import Any

from decision_engine.domain.calendar import StatutoryCalendar
from decision_engine.domain.errors import InvalidInput, Missing, RuleViolation
from decision_engine.domain.law import ref
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


def art_risk_commission(d: DecisionView, k: ArtifactKind, actor: Actor, f: dict[str, Any],
                        cal: StatutoryCalendar, today: date) -> None:
    """R10, Art. 23 ¶3: an assessment carried out by a commissioned third party (a professional body, a social
    organisation) names it and the unit that commissioned it: the undertaking unit or the other unit
    responsible for the risk assessment (Art. 22), never the third party itself. A unit that assesses itself
    records neither."""
    third = str(f.get("third_party") or "").strip()
    by = str(f.get("commissioned_by") or "").strip()
    cit = ref("R10.commission")
    if by and not third:
        raise RuleViolation("载明委托单位的，应当同时载明受委托的第三方 (third_party: the body commissioned)", **cit)
    if not third:
        return
    if not by:
        raise RuleViolation(f"委托第三方 {third} 进行风险评估的，应当载明委托单位 (commissioned_by: the undertaking unit "
                            "or the unit responsible for the risk assessment)", **cit)
    if by == third:
        raise RuleViolation(f"委托单位 {by} 不能是受委托的第三方本身 (the commissioning unit is not the third party)",
                            **cit)


def effective_report(d: DecisionView) -> dict[str, Any] | None:
    """R10, Art. 24: the risk report that speaks for the current draft version: one recorded in the current
    round of the risk gate (a new draft version opens a new round), or the earlier report a continuity note
    of the current round carries forward."""
    if not d.spec.has_gate("risk_assessment"):
        return None
    report = d.latest("risk_assessment", "risk_report")
    if report is not None:
        return report
    note = d.latest("risk_assessment", "risk_continuity")
    if note is None:
        return None
    carried: dict[str, Any] | None = d.state["artifacts"].get(str(note["fields"]["report_id"]))
    return carried


def reopens_on_new_draft(d: DecisionView) -> bool:
    """R10, Art. 24: a new draft version reopens a risk gate that holds an assessment (not one exempted by a
    prior assessment, Art. 22 ¶2): controllability is judged for the version decided."""
    gs = d.state["gates"].get("risk_assessment")
    return bool(gs is not None and not gs["exemption"] and
                d.artifacts_of("risk_assessment", "risk_report", all_rounds=True))


def art_risk_continuity(d: DecisionView, k: ArtifactKind, actor: Actor, f: dict[str, Any],
                        cal: StatutoryCalendar, today: date) -> None:
    """R10, Art. 24: the assessor records why a new draft version does not touch the risk of an earlier,
    controllable assessment; otherwise the new version is assessed again."""
    cit = ref("R10.controllable")
    report = d.state["artifacts"].get(str(f["report_id"]))
    if report is None or report["kind"] != "risk_report":
        raise RuleViolation(f"没有编号为 {f['report_id']} 的风险评估报告 (no risk report with this id)", **cit)
    if report["draft_version"] >= d.state["draft_version"]:
        raise RuleViolation("该报告评估的就是当前版本草案，无需说明 (the report already concerns the current draft "
                            "version)", **cit)
    if report["fields"]["conclusion"] != "controllable":
        raise RuleViolation("原评估结论为风险不可控，修改后的草案应当重新评估 (a report that found the risk not "
                            "controllable cannot be carried forward: assess the new version)", **cit)
    if len(str(f["reason"]).strip()) < 4:
        raise InvalidInput("说明草案修改为何不影响风险点、防范措施和处置预案 (risk_continuity.reason)", **cit)


def check_risk(d: DecisionView, g: GateSpec) -> list[Missing]:
    """R10, Arts. 23–24: a report for the current draft version (or the assessor's continuity note), the
    departments heard, and the risk found controllable."""
    out: list[Missing] = []
    report = effective_report(d)
    if report is None:
        k = d.spec.artifact_kind("risk_report")
        out.append(Missing(k.rule, k.article, g.id, f"artifact 'risk_report' ({k.name_zh}) for draft "
                           f"v{d.state['draft_version']} recorded by {' / '.join(k.roles)}, or the assessor's "
                           "risk_continuity note why the new version does not touch the risk", k.id))
    if not d.artifacts_of(g.id, "dept_opinions", all_rounds=True):
        k = d.spec.artifact_kind("dept_opinions")
        out.append(Missing(k.rule, k.article, g.id, f"artifact 'dept_opinions' ({k.name_zh}) recorded by "
                           f"{' / '.join(k.roles)}", k.id))
    if report is not None and report["fields"]["conclusion"] != "controllable":
        out.append(Missing("R10", "Art. 24", g.id, "the risk is assessed as not controllable: adjust the "
                           "draft and record a new assessment concluding 'controllable'", "risk_report"))
    return out


def register(reg: Registry) -> None:
    """S3's checks: the risk report and the controllable conclusion (R10)."""
    # pragma: no mutate block (the table is built once at import, rules.DEFAULT: structural, not a rule)
    reg.artifact("risk_report", art_risk_report, art_risk_report_content, art_risk_commission)  # R10, Arts. 23–24
    reg.artifact("risk_continuity", art_risk_continuity)  # R10, Art. 24
    reg.gate("risk_assessment", check_risk)  # R10, Arts. 23–24
