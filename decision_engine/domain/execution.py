"""After the decision (S7–S8, R19–R21, SoD3, SoD6, Arts. 34–37): pure helpers and checks.

Execution targets (KPIs with baseline and target, milestones, the scheduled evaluation date) are fixed at
decision time: the `execution_targets` artifact belongs to the collective-decision gate, so the aggregate
refuses it once the decision is made; later changes are `kpi_revision` versions, each with its reason.
Execution reports are versioned (a correction supersedes an earlier report and says why) and stamped by
the engine's clock when filed. The risk measures (R10) and the legality amendments (R12) become the
obligations the execution follows. Suspension stays `Decision.suspend` (the head alone); termination and a
major adjustment (a new procedure round linked to the original) are acts here, for the head or organ only.

Pure: no I/O, no clock. `check_artifact` is called by the aggregate's artifact-check table.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

from decision_engine.domain.calendar import StatutoryCalendar
from decision_engine.domain.decision import (
    DECIDED,
    EVALUATION_TRIGGERS,
    Actor,
    Decision,
    NewEvent,
    _date,
    pick_actor,
)
from decision_engine.domain.errors import InvalidInput, NotPermitted, RuleViolation
from decision_engine.domain.procedure import ArtifactKind

EXECUTING = DECIDED  # decided, published, in_execution, evaluated: execution may be reported on
CHANGEABLE = (*DECIDED, "suspended")  # what the head or organ may terminate or adjust (R20, Art. 37)
CHANGE_ROLES = ("admin_head", "decision_organ")
KPI_DIRECTIONS = ("increase", "decrease")
EVALUATION_OUTCOMES = ("continue", "adjust", "stop")
OUTCOME_ZH = {"continue": "继续执行", "adjust": "调整", "stop": "停止执行"}
TRIGGER_ZH = {"effect_not_met": "预期效果明显未实现", "many_public_opinions": "公众意见较多",
              "organ_decision": "决策机关认为有必要", "scheduled": "决策时确定的评估日期已到"}
GROUND_ZH = {"problems_found": "发现问题", "major_change_of_circumstances": "客观情况发生重大变化",
             "force_majeure": "不可抗力"}
_CHINA = timezone(timedelta(hours=8))


def on_date(at: str) -> date:
    """The Beijing (statutory) date of a stored UTC timestamp."""
    return datetime.fromisoformat(at).astimezone(_CHINA).date()


def _number(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInput(f"{what} must be a number, got {value!r}", rule="R19", article="Art. 34")
    return float(value)


def _text(value: Any) -> str:
    return str(value or "").strip()


# ---------------------------------------------------------------------------------------- queries
def pre_decision_units(d: Decision) -> set[str]:
    """Units that did the main pre-decision argument or assessment work (SoD3, Art. 36): the undertaking
    units, the risk assessors and the experts (a local rule bars pre-decision experts, e.g. 西双版纳 2024)."""
    units = set(d.undertaking_units())
    for gate, kind in (("risk_assessment", "risk_report"), ("expert_review", "expert_opinion")):
        units |= {a["author"]["unit"] for a in d.artifacts_of(gate, kind, all_rounds=True)}
    return units


def targets(d: Decision) -> dict[str, Any] | None:
    """The execution targets fixed at decision time (the last version recorded before finalization)."""
    arts = d.artifacts_of("collective_decision", "execution_targets", all_rounds=True) \
        if d.spec.has_gate("collective_decision") else []
    return arts[-1] if arts else None


def kpi_ledger(d: Decision) -> dict[str, dict[str, Any]]:
    """Each KPI: its current baseline and target and every version (v1 as decided, then each revision with
    its reason, person and time) — R19, Art. 34; corrections are new versions (R18, Art. 33)."""
    out: dict[str, dict[str, Any]] = {}
    fixed = targets(d)
    for kpi in (fixed["fields"]["kpis"] if fixed else []):
        version = {"version": 1, "artifact_id": fixed["id"] if fixed else "", "at": fixed["at"] if fixed else "",
                   "by": fixed["author"] if fixed else {}, "reason": "决策时确定", **kpi}
        out[str(kpi["id"])] = {**kpi, "id": str(kpi["id"]), "version": 1, "versions": [version]}
    for rev in d.artifacts_of("execution", "kpi_revision", all_rounds=True):
        f = rev["fields"]
        kid = str(f["kpi_id"])
        cur = out.get(kid, {"id": kid, "version": 0, "versions": [], "direction": "increase"})
        changed = {k: f[k] for k in ("name", "unit", "baseline", "target", "direction", "due") if k in f}
        cur = {**cur, **changed, "version": cur["version"] + 1}
        cur["versions"] = [*cur["versions"], {"version": cur["version"], "artifact_id": rev["id"],
                                              "at": rev["at"], "by": rev["author"], "reason": f.get("reason"),
                                              **changed}]
        out[kid] = cur
    return out


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
        due = _date(m["due"], "due", "milestone", "R19", "Art. 34")
        out.append({**m, "done": rep is not None, "done_by_report": rep["id"] if rep else None,
                    "overdue": rep is None and today > due})
    return out


def report_versions(d: Decision) -> list[dict[str, Any]]:
    """Every execution report with its version: a correction supersedes an earlier report (v+1)."""
    reports = d.artifacts_of("execution", "execution_report", all_rounds=True) \
        if d.spec.has_gate("execution") else []
    version: dict[str, int] = {}
    root: dict[str, str] = {}
    superseded = {str(r["fields"]["supersedes"]) for r in reports if r["fields"].get("supersedes")}
    out = []
    for r in reports:
        prior = r["fields"].get("supersedes")
        version[r["id"]] = version.get(str(prior), 0) + 1 if prior else 1
        root[r["id"]] = root.get(str(prior), str(prior)) if prior else r["id"]
        out.append({"id": r["id"], "report_kind": r["fields"]["report_kind"], "unit": r["author"]["unit"],
                    "person": r["author"]["person"], "name": r["author"].get("name", ""), "at": r["at"],
                    "version": version[r["id"]], "report": root[r["id"]], "supersedes": prior,
                    "current": r["id"] not in superseded, "fields": r["fields"]})
    return out


def current_reports(d: Decision) -> list[dict[str, Any]]:
    """The reports not superseded by a correction."""
    return [r for r in report_versions(d) if r["current"]]


def obligations(d: Decision) -> list[dict[str, Any]]:
    """What the execution must follow from the earlier stages: the risk report's prevention measures and
    contingency plan (R10, Arts. 23–24) and the legality conditions of a 'lawful if amended' or exploratory
    opinion with the amendments made (R12–R13, Arts. 25, 28)."""
    out: list[dict[str, Any]] = []

    def add(art: dict[str, Any], n: int, text: Any, source: str, rule: str, article: str) -> None:
        if _text(text):
            out.append({"id": f"{art['id']}:{n}", "source": source, "artifact_id": art["id"],
                        "text": _text(text), "rule": rule, "article": article})
    if d.spec.has_gate("risk_assessment"):
        report = d.latest("risk_assessment", "risk_report")
        if report is not None:
            measures = report["fields"].get("measures")
            for i, m in enumerate(measures if isinstance(measures, list) else [measures]):
                add(report, i + 1, m, "risk_measure", "R10", "Arts. 23–24")
            add(report, 0, report["fields"].get("contingency_plan"), "contingency_plan", "R10", "Art. 23")
    if d.spec.has_gate("legality_review"):
        opinion = d.latest("legality_review", "legality_opinion")
        conclusion = opinion["fields"]["conclusion"] if opinion else ""
        if opinion is not None and conclusion in ("lawful_if_amended", "exploratory_risk_stated"):
            f = opinion["fields"]
            for i, key in enumerate(("amendments", "conditions", "risk_statement")):
                add(opinion, i + 1, f.get(key), "legality_condition", "R12", "Arts. 25, 28")
            for rec in d.artifacts_of("legality_review", "amendment_record"):
                changes = rec["fields"].get("changes")
                for i, c in enumerate(changes if isinstance(changes, list) else [changes]):
                    add(rec, i + 1, c, "legality_amendment", "R12", "Art. 28")
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
        due = _date(kpi["due"], "due", "kpi", "R19", "Art. 34") if kpi.get("due") else None
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
        when = _date(scheduled, "evaluation_on", "execution_targets", "R21", "Art. 36")
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
    if missed and (last_eval is None or any(last_eval < _date(k["due"], "due", "kpi", "R21", "Art. 36")
                                            for k in missed)):
        out.append({"trigger": "effect_not_met", "since": min(k["due"] for k in missed),
                    "detail": "未达目标：" + "、".join(f"{k['name'] or k['id']}" for k in missed)})
    return out


# ---------------------------------------------------------------------------------------- checks
def check_artifact(d: Decision, k: ArtifactKind, actor: Actor, f: dict[str, Any], today: date) -> None:
    """Rules for the artifacts after the decision (called from the aggregate's check table)."""
    check = _CHECKS.get(k.id)
    if check is not None:
        check(d, actor, f, today)


def _designation(d: Decision, actor: Actor, f: dict[str, Any], today: date) -> None:
    """R19, Art. 34: the organ names the execution units; a later change says why."""
    units = f["units"]
    if not isinstance(units, list) or not all(isinstance(u, str) and u.strip() for u in units):
        raise InvalidInput("execution_unit_designation.units must list unit names", rule="R19",
                           article="Art. 34")
    if d.state["execution_units"] and not _text(f.get("reason")):
        raise RuleViolation("execution units were already designated: a change states its reason",
                            rule="R19", article="Art. 34")


def _targets(d: Decision, actor: Actor, f: dict[str, Any], today: date) -> None:
    """R19, Art. 34 (and R21, Art. 36 for the evaluation date): KPIs with baseline and target."""
    kpis = f["kpis"]
    if not isinstance(kpis, list) or not kpis:
        raise InvalidInput("execution_targets.kpis must be a non-empty list", rule="R19", article="Art. 34")
    seen: set[str] = set()
    for kpi in kpis:
        if not isinstance(kpi, dict) or not _text(kpi.get("id")) or not _text(kpi.get("name")):
            raise InvalidInput("each KPI needs an id and a name", rule="R19", article="Art. 34")
        if str(kpi["id"]) in seen:
            raise InvalidInput(f"KPI id {kpi['id']!r} appears twice", rule="R19", article="Art. 34")
        seen.add(str(kpi["id"]))
        _check_kpi_values(kpi, str(kpi["id"]))
    ms = f.get("milestones") or []
    if not isinstance(ms, list) or any(not isinstance(m, dict) or not _text(m.get("id")) or
                                       not _text(m.get("name")) for m in ms):
        raise InvalidInput("each milestone needs an id, a name and a due date", rule="R19", article="Art. 34")
    for m in ms:
        _date(m.get("due"), "due", "milestone", "R19", "Art. 34")
    if f.get("evaluation_on"):
        _date(f["evaluation_on"], "evaluation_on", "execution_targets", "R21", "Art. 36")


def _check_kpi_values(kpi: dict[str, Any], kid: str) -> None:
    for key in ("baseline", "target"):
        if key in kpi:
            _number(kpi[key], f"KPI {kid} {key}")
    if kpi.get("direction", "increase") not in KPI_DIRECTIONS:
        raise InvalidInput(f"KPI direction must be one of {', '.join(KPI_DIRECTIONS)}", rule="R19",
                           article="Art. 34")
    if kpi.get("due"):
        _date(kpi["due"], "due", "kpi", "R19", "Art. 34")


def _kpi_revision(d: Decision, actor: Actor, f: dict[str, Any], today: date) -> None:
    """R19, Art. 34; R18, Art. 33: a KPI changed after the decision is a new version with its reason."""
    kid = str(f["kpi_id"])
    if not _text(f.get("reason")):
        raise RuleViolation(f"KPI {kid}: a change after the decision is a new version and must state its "
                            "reason (reason)", rule="R19", article="Art. 34")
    ledger = kpi_ledger(d)
    changed = [k for k in ("name", "unit", "baseline", "target", "direction", "due") if k in f]
    if kid not in ledger and not all(k in f for k in ("name", "baseline", "target")):
        raise InvalidInput(f"KPI {kid} is new: give its name, baseline and target", rule="R19",
                           article="Art. 34")
    if not changed:
        raise InvalidInput(f"KPI {kid}: the revision changes nothing", rule="R19", article="Art. 34")
    _check_kpi_values(f, kid)


def _report(d: Decision, actor: Actor, f: dict[str, Any], today: date) -> None:
    """R19, Arts. 34–35: reports refer to known KPIs, milestones and obligations; a correction supersedes
    one of the unit's own reports and states why (the original stays, R18 Art. 33)."""
    ledger = kpi_ledger(d)
    values = f.get("kpi_values") or {}
    if not isinstance(values, dict):
        raise InvalidInput("kpi_values maps KPI ids to numbers", rule="R19", article="Art. 34")
    for kid, value in values.items():
        if str(kid) not in ledger:
            raise InvalidInput(f"unknown KPI {kid!r}; known: {', '.join(ledger) or 'none'}", rule="R19",
                               article="Art. 34")
        _number(value, f"KPI {kid} value")
    fixed = targets(d)
    known_ms = {str(m["id"]) for m in (fixed["fields"].get("milestones") or [] if fixed else [])}
    done = f.get("milestones_done") or []
    if not isinstance(done, list) or any(str(m) not in known_ms for m in done):
        raise InvalidInput("milestones_done lists ids of the milestones fixed at decision time", rule="R19",
                           article="Art. 34")
    followed = f.get("obligations") or {}
    known_ob = {o["id"] for o in obligations(d)}
    if not isinstance(followed, dict) or any(str(o) not in known_ob for o in followed):
        raise InvalidInput("obligations maps obligation ids (from the risk measures and legality "
                           "conditions) to how they were followed", rule="R19", article="Art. 34")
    if f.get("occurred_on") and _date(f["occurred_on"], "occurred_on", "execution_report", "R19",
                                      "Art. 35") > today:
        raise InvalidInput("occurred_on cannot be in the future", rule="R19", article="Art. 35")
    prior = f.get("supersedes")
    if prior:
        versions = {r["id"]: r for r in report_versions(d)}
        old = versions.get(str(prior))
        if old is None:
            raise InvalidInput(f"no execution report {prior!r} to correct", rule="R19", article="Art. 34")
        if old["unit"] != actor.unit:
            raise NotPermitted("a unit corrects only its own reports", rule="R19", article="Art. 34")
        if not old["current"]:
            raise RuleViolation(f"report {prior} was already corrected; correct its latest version",
                                rule="R18", article="Art. 33")
        if not _text(f.get("correction_reason")):
            raise RuleViolation("a corrected report is a new version and states why (correction_reason)",
                                rule="R18", article="Art. 33")


def _commission(d: Decision, actor: Actor, f: dict[str, Any], today: date) -> None:
    """R21 and SoD3, Art. 36: the organ names an evaluator that did not do the pre-decision work."""
    if f["trigger"] not in EVALUATION_TRIGGERS:
        raise InvalidInput(f"trigger must be one of {', '.join(EVALUATION_TRIGGERS)}", rule="R21",
                           article="Art. 36")
    if str(f["evaluator_unit"]) in pre_decision_units(d):
        raise NotPermitted(f"unit {f['evaluator_unit']} did the main pre-decision argument or assessment "
                           "work and cannot be the evaluator", rule="SoD3", article="Art. 36")


def _evaluation(d: Decision, actor: Actor, f: dict[str, Any], today: date) -> None:
    """SoD3 (experts too) and R21, Art. 36: when the organ commissioned an evaluator, only it reports."""
    if actor.unit in pre_decision_units(d):
        raise NotPermitted(f"unit {actor.unit} did the main pre-decision work and cannot evaluate",
                           rule="SoD3", article="Art. 36")
    named = {str(c["fields"]["evaluator_unit"])
             for c in d.artifacts_of("post_evaluation", "evaluation_commission", all_rounds=True)}
    if named and actor.unit not in named:
        raise NotPermitted(f"the organ named {', '.join(sorted(named))} as evaluator, not {actor.unit}",
                           rule="R21", article="Art. 36")


def _evaluation_decision(d: Decision, actor: Actor, f: dict[str, Any], today: date) -> None:
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


_CHECKS = {"execution_unit_designation": _designation, "execution_targets": _targets,
           "kpi_revision": _kpi_revision, "execution_report": _report,
           "evaluation_commission": _commission, "evaluation_report": _evaluation,
           "evaluation_decision": _evaluation_decision}


# ---------------------------------------------------------------------------------------- change control
def _changeable(d: Decision, act: str) -> None:
    if d.status not in CHANGEABLE:
        raise RuleViolation(f"{act} concerns a decided decision; status is {d.status}", rule="R20",
                            article="Art. 37")


def terminate(d: Decision, candidates: tuple[Actor, ...], basis: str, reason: str,
              basis_ref: str = "") -> tuple[Actor, list[NewEvent]]:
    """Stop a decided decision (终止执行) on a stated basis: the head or the organ only (R20, SoD6)."""
    actor = pick_actor(candidates, CHANGE_ROLES, "terminating a decision", "SoD6", "Arts. 35, 37")
    _changeable(d, "termination")
    if not _text(basis) or not _text(reason):
        raise InvalidInput("a termination states its basis and reason", rule="R20", article="Art. 37")
    refs = set(d.state["artifacts"]) | {a["decision_id"] for a in d.state.get("adjustments", [])}
    if basis_ref and basis_ref not in refs:
        raise InvalidInput(f"basis_ref {basis_ref!r} is neither an artifact of this decision nor its "
                           "adjustment", rule="R20", article="Art. 37")
    return actor, [NewEvent("DecisionTerminated", {"basis": basis.strip(), "reason": reason.strip(),
                                                   "basis_ref": basis_ref, "from_status": d.status})]


def open_adjustment(d: Decision, candidates: tuple[Actor, ...], adjustment_id: str, reason: str,
                    basis_ref: str = "") -> tuple[Actor, list[NewEvent], NewEvent]:
    """A major adjustment reruns the procedure (R20, Art. 37): a new decision linked to this one, which
    stays intact. Returns the link event for this decision and the one for the new decision."""
    actor = pick_actor(candidates, CHANGE_ROLES, "opening a major adjustment", "SoD6", "Arts. 35, 37")
    _changeable(d, "a major adjustment")
    if not _text(reason):
        raise InvalidInput("a major adjustment states its reason", rule="R20", article="Art. 37")
    if basis_ref and basis_ref not in d.state["artifacts"]:
        raise InvalidInput(f"basis_ref {basis_ref!r} is not an artifact of this decision", rule="R20",
                           article="Art. 37")
    here = NewEvent("AdjustmentOpened", {"adjustment_id": adjustment_id, "reason": reason.strip(),
                                         "basis_ref": basis_ref})
    there = NewEvent("AdjustsDecision", {"original_id": d.id, "original_title": d.state["title"],
                                         "original_status": d.status, "reason": reason.strip(),
                                         "basis_ref": basis_ref})
    return actor, [here], there
