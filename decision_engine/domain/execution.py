"""After the decision (S7–S8, R19–R21, SoD3, SoD6, Arts. 34–37): pure helpers and checks.

Execution targets (KPIs with baseline and target, milestones, the scheduled evaluation date) are fixed at
decision time: the `execution_targets` artifact belongs to the collective-decision gate, so the aggregate
refuses it once the decision is made; later changes are `kpi_revision` versions, each with its reason.
Execution reports are versioned (a correction supersedes an earlier report and says why) and stamped by
the engine's clock when filed. The risk measures (R10) and the legality amendments (R12) become the
obligations the execution follows. Suspension stays `Decision.suspend` (the head alone, when urgent, on an
Art. 35 ground); termination and a major adjustment (a new procedure round linked to the original) are acts
here, for the head or organ only, each carrying out a change item adopted at the organ's executive or plenary
meeting (`Meeting.place_change_item` / `decide_change_item`; R20, Arts. 30, 37).

Pure: no I/O, no clock. The checks of the execution and evaluation artifacts live in `domain/rules/execution.py`
and `domain/rules/evaluation.py` (with the queries they read, re-exported here).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

from decision_engine.domain import authority
from decision_engine.domain import events as ev
from decision_engine.domain.calendar import StatutoryCalendar
from decision_engine.domain.decision import Decision
from decision_engine.domain.errors import InvalidInput, RuleViolation
from decision_engine.domain.law import ref
from decision_engine.domain.rules.evaluation import EVALUATION_OUTCOMES, pre_decision_units
from decision_engine.domain.rules.execution import (
    KPI_DIRECTIONS,
    check_adopted_change,
    current_reports,
    kpi_ledger,
    obligations,
    report_versions,
    targets,
)
from decision_engine.domain.values import DECIDED, Actor, NewEvent, iso_date

# The checks' queries, kept importable from here for the services and pages that read them.
__all__ = ["EVALUATION_OUTCOMES", "KPI_DIRECTIONS", "current_reports", "kpi_ledger", "obligations",
           "pre_decision_units", "report_versions", "targets"]

EXECUTING = DECIDED  # decided, published, in_execution, evaluated: execution may be reported on
CHANGEABLE = (*DECIDED, "suspended")  # what the head or organ may terminate or adjust (R20, Art. 37)
CHANGE_ROLES = ("admin_head", "decision_organ")
OUTCOME_ZH = {"continue": "继续执行", "adjust": "调整", "stop": "停止执行"}
TRIGGER_ZH = {"effect_not_met": "预期效果明显未实现", "many_public_opinions": "公众意见较多",
              "organ_decision": "决策机关认为有必要", "scheduled": "决策时确定的评估日期已到"}
GROUND_ZH = {"problems_found": "发现问题", "major_change_of_circumstances": "客观情况发生重大变化",
             "force_majeure": "不可抗力"}
_CHINA = timezone(timedelta(hours=8))


def on_date(at: str) -> date:
    """The Beijing (statutory) date of a stored UTC timestamp."""
    return datetime.fromisoformat(at).astimezone(_CHINA).date()


def _text(value: Any) -> str:
    return str(value or "").strip()


# ---------------------------------------------------------------------------------------- queries
def milestones(d: Decision, today: date) -> list[dict[str, Any]]:
    """The milestones fixed at decision time, each done (by which report) or open, overdue when past due."""
    fixed = targets(d)
    done: dict[str, dict[str, Any]] = {}
    for r in current_reports(d):
        for mid in r["fields"].get("milestones_done") or []:
            done.setdefault(str(mid), r)
    out = []
    for m in (fixed["fields"].get("milestones") or [] if fixed else []):
        rep = done.get(str(m["id"]))
        due = iso_date(m["due"], "due", "R19", "Art. 34", kind="milestone")
        out.append({**m, "done": rep is not None, "done_by_report": rep["id"] if rep else None,
                    "overdue": rep is None and today > due})
    return out


def reports_due(d: Decision, cal: StatutoryCalendar, today: date) -> list[dict[str, Any]]:
    """Each execution unit's next report (R19, Art. 34; interval = the profile setting, calendar days
    from its last report or the designation): listed once due, overdue after the due date."""
    interval = int(d.spec.settings.get("execution_report_interval_days") or 0)
    if interval <= 0 or d.status not in EXECUTING or not d.state["execution_units"]:
        return []
    designation = d.latest("execution", "execution_unit_designation")
    if designation is None:
        return []
    out = []
    for unit in d.state["execution_units"]:
        filed = [on_date(r["at"]) for r in report_versions(d) if r["unit"] == unit]
        since = max([on_date(designation["at"]), *filed])
        dl = cal.add_calendar_days(since, interval, "R19 Art. 34")
        if today >= dl.due:
            out.append({"decision_id": d.id, "title": d.state["title"], "unit": unit,
                        "last_report_on": max(filed).isoformat() if filed else None,
                        "since": since.isoformat(), "due": dl.due.isoformat(), "provisional": dl.provisional,
                        "overdue": today > dl.due, "days_overdue": max(0, (today - dl.due).days),
                        "rule": "R19", "article": "Art. 34"})
    return out


# R19, Art. 40 (inference, profile settings): how many calendar days a periodic report may be overdue before the
# unit is flagged for delay, and how many days after the event a problem report is still "prompt" (及时).
FAILURE_AFTER_DAYS = 10
PROBLEM_REPORT_DAYS = 5
FAILURE_ZH = {"report_missed": "逾期未报送执行情况", "problem_report_late": "问题迟报",
              "problem_not_reported": "问题漏报"}


def execution_failures(d: Decision, cal: StatutoryCalendar, today: date) -> list[dict[str, Any]]:
    """The execution units' failures to report that Art. 40 names (拖延……或者对执行中发现的重大问题瞒报、谎报、
    漏报), each a finding citing R19 Art. 40 for the statutory clock to raise: a periodic report overdue more
    than the profile's grace (`execution_failure_after_days`); a problem report filed more than
    `problem_report_days` after the event it reports; a suspension on an Art. 35 ground with no problem report
    on record from any execution unit before it (the omission). Pure."""
    cit = ref("R19.failure")
    out: list[dict[str, Any]] = []
    after = int(d.spec.settings.get("execution_failure_after_days") or FAILURE_AFTER_DAYS)
    for r in reports_due(d, cal, today):
        if r["overdue"] and r["days_overdue"] > after:
            out.append({"failure": "report_missed", "unit": r["unit"], "due": r["due"], "report": "",
                        "detail": f"{r['unit']}执行情况报告应于{r['due']}报送，已逾期{r['days_overdue']}日", **cit})
    limit = int(d.spec.settings.get("problem_report_days") or PROBLEM_REPORT_DAYS)
    problems = [r for r in report_versions(d) if r["report_kind"] == "problem"]
    for r in problems:
        occurred = r["fields"].get("occurred_on")
        if r["supersedes"] or not occurred:
            continue
        late = (on_date(r["at"]) - iso_date(occurred, "occurred_on", **cit)).days
        if late > limit:
            due = iso_date(occurred, "occurred_on", **cit) + timedelta(days=limit)
            out.append({"failure": "problem_report_late", "unit": r["unit"], "due": due.isoformat(),
                        "report": r["id"], "detail": f"{r['unit']}于{on_date(r['at']).isoformat()}报告"
                        f"{occurred}发生的问题，迟于{limit}日", **cit})
    suspension = d.state.get("suspension")
    if d.status == "suspended" and suspension and suspension.get("ground") in GROUND_ZH:
        if not any(r["at"] <= suspension["at"] for r in problems):
            for unit in d.state["execution_units"]:
                out.append({"failure": "problem_not_reported", "unit": unit,
                            "due": on_date(suspension["at"]).isoformat(), "report": "",
                            "detail": f"决策因“{GROUND_ZH[suspension['ground']]}”中止执行，此前{unit}未报告该问题", **cit})
    return out


def _reached(kpi: dict[str, Any], value: float) -> bool:
    target = float(kpi["target"])
    return value <= target if kpi.get("direction") == "decrease" else value >= target


def kpi_status(d: Decision, today: date) -> list[dict[str, Any]]:
    """Each KPI with its latest reported value; 'not met' once its due date has passed short of target."""
    latest: dict[str, tuple[str, float]] = {}
    for r in current_reports(d):
        for kid, value in (r["fields"].get("kpi_values") or {}).items():
            latest[str(kid)] = (r["at"], float(value))
    out = []
    for kid, kpi in kpi_ledger(d).items():
        at, value = latest[kid] if kid in latest else ("", None)
        due = iso_date(kpi["due"], "due", "R19", "Art. 34", kind="kpi") if kpi.get("due") else None
        met = None if value is None else _reached(kpi, value)
        out.append({"id": kid, "name": kpi.get("name", ""), "baseline": kpi.get("baseline"),
                    "target": kpi.get("target"), "direction": kpi.get("direction", "increase"),
                    "due": kpi.get("due"), "version": kpi["version"], "latest_value": value,
                    "latest_at": at or None, "met": met,
                    "not_met": bool(due is not None and today > due and met is False)})
    return out


def evaluation_triggers(d: Decision, today: date, public_opinions: int) -> list[dict[str, Any]]:
    """Why a post-decision evaluation is due now (R21, Art. 36): effect clearly not met, many public
    opinions since the last evaluation (≥ the profile setting), the organ's own decision (a commission not
    yet reported on), or the date scheduled at decision time. Empty when an evaluation after the trigger is
    already on record."""
    if d.status not in CHANGEABLE:
        return []
    reports = d.artifacts_of("post_evaluation", "evaluation_report", all_rounds=True) \
        if d.spec.has_gate("post_evaluation") else []
    last_eval = on_date(reports[-1]["at"]) if reports else None
    out: list[dict[str, Any]] = []
    fixed = targets(d)
    scheduled = fixed["fields"].get("evaluation_on") if fixed else None
    if scheduled:
        when = iso_date(scheduled, "evaluation_on", "R21", "Art. 36", kind="execution_targets")
        if today >= when and (last_eval is None or last_eval < when):
            out.append({"trigger": "scheduled", "since": when.isoformat(), "detail": TRIGGER_ZH["scheduled"]})
    last_seq = reports[-1]["seq"] if reports else 0
    commissions = d.artifacts_of("post_evaluation", "evaluation_commission", all_rounds=True) \
        if d.spec.has_gate("post_evaluation") else []
    for c in commissions:
        if c["seq"] > last_seq:  # commissioned and not yet reported on
            out.append({"trigger": c["fields"]["trigger"], "since": on_date(c["at"]).isoformat(),
                        "detail": f"委托 {c['fields']['evaluator_unit']} 评估：{c['fields']['reasons']}",
                        "commission": c["id"], "evaluator_unit": c["fields"]["evaluator_unit"]})
    threshold = int(d.spec.settings.get("evaluation_public_opinion_threshold") or 0)
    if threshold and public_opinions >= threshold:
        out.append({"trigger": "many_public_opinions", "since": None,
                    "detail": f"上次评估以来收到执行意见 {public_opinions} 件（阈值 {threshold}）"})
    missed = [k for k in kpi_status(d, today) if k["not_met"]]
    if missed and (last_eval is None or any(last_eval < iso_date(k["due"], "due", "R21", "Art. 36", kind="kpi")
                                            for k in missed)):
        out.append({"trigger": "effect_not_met", "since": min(k["due"] for k in missed),
                    "detail": "未达目标：" + "、".join(f"{k['name'] or k['id']}" for k in missed)})
    return out


# ---------------------------------------------------------------------------------------- change control
def _changeable(d: Decision, act: str) -> None:
    if d.status not in CHANGEABLE:
        raise RuleViolation(f"{act} concerns a decided decision; status is {d.status}", rule="R20",
                            article="Art. 37")


def terminate(d: Decision, candidates: tuple[Actor, ...], basis: str, reason: str,
              basis_ref: str = "", meeting: dict[str, Any] | None = None, item_no: int | None = None
              ) -> tuple[Actor, list[NewEvent]]:
    """Stop a decided decision (终止执行) on a stated basis, carrying out a change item the organ's executive
    or plenary meeting adopted (`meeting`: that meeting's state; R20, Arts. 30, 37): the head or the organ
    only (SoD6). An evaluation recommending a stop does not stop the decision by itself."""
    actor = d.pick(candidates, CHANGE_ROLES, "terminating a decision", "SoD6", "Arts. 35, 37")
    _changeable(d, "termination")
    if not _text(basis) or not _text(reason):
        raise InvalidInput("a termination states its basis and reason", rule="R20", article="Art. 37")
    refs = set(d.state["artifacts"]) | {a["decision_id"] for a in d.state.get("adjustments", [])}
    if basis_ref and basis_ref not in refs:
        raise InvalidInput(f"basis_ref {basis_ref!r} is neither an artifact of this decision nor its "
                           "adjustment", rule="R20", article="Art. 37")
    adopted = check_adopted_change(d.id, authority.decision_organ(d.state, d.chart), meeting, item_no, "terminate")
    return actor, [ev.DecisionTerminated(basis=basis.strip(), reason=reason.strip(), basis_ref=basis_ref,
                                         from_status=d.status, **adopted).new()]


def open_adjustment(d: Decision, candidates: tuple[Actor, ...], adjustment_id: str, reason: str,
                    basis_ref: str = "", meeting: dict[str, Any] | None = None, item_no: int | None = None
                    ) -> tuple[Actor, list[NewEvent], NewEvent]:
    """A major adjustment reruns the procedure (R20, Art. 37): a new decision linked to this one, which
    stays intact, opened on a change item the organ's meeting adopted (R20, Arts. 30, 37). Returns the link
    event for this decision and the one for the new decision."""
    actor = d.pick(candidates, CHANGE_ROLES, "opening a major adjustment", "SoD6", "Arts. 35, 37")
    _changeable(d, "a major adjustment")
    if not _text(reason):
        raise InvalidInput("a major adjustment states its reason", rule="R20", article="Art. 37")
    if basis_ref and basis_ref not in d.state["artifacts"]:
        raise InvalidInput(f"basis_ref {basis_ref!r} is not an artifact of this decision", rule="R20",
                           article="Art. 37")
    adopted = check_adopted_change(d.id, authority.decision_organ(d.state, d.chart), meeting, item_no, "adjust",
                                   d.state.get("adjustments", []))
    here = ev.AdjustmentOpened(adjustment_id=adjustment_id, reason=reason.strip(), basis_ref=basis_ref,
                               **adopted).new()
    there = ev.AdjustsDecision(original_id=d.id, original_title=d.state["title"], original_status=d.status,
                               reason=reason.strip(), basis_ref=basis_ref).new()
    return actor, [here], there
