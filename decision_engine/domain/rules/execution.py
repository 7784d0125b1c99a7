"""S7 execution and adjustment (决策执行和调整): R19 execution units, targets fixed at decision time, KPI
revisions and reports on an Art. 35 ground (Arts. 34–35), R18 corrections as new versions (Art. 33); and the
obligations the execution follows from R10 (Arts. 23–24) and R12 (Arts. 25, 28)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from decision_engine.domain.calendar import StatutoryCalendar
from decision_engine.domain.errors import InvalidInput, NotPermitted, RuleViolation
from decision_engine.domain.law import ref
from decision_engine.domain.procedure import ArtifactKind
from decision_engine.domain.rules.registry import DecisionView, Registry
from decision_engine.domain.rules.risk import effective_report
from decision_engine.domain.values import DECIDED, Actor, iso_date

ART35_GROUNDS = ("problems_found", "major_change_of_circumstances", "force_majeure")
KPI_DIRECTIONS = ("increase", "decrease")


def _number(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInput(f"{what} must be a number, got {value!r}", rule="R19", article="Art. 34")
    return float(value)


def _text(value: Any) -> str:
    return str(value or "").strip()


def check_suspension(ground: str, reason: str, urgency: str) -> None:
    """R20, Arts. 35, 37: the head alone suspends only on a situation of Art. 35 and when it is urgent
    (执行中出现本条例第三十五条规定的情形、情况紧急的，决策机关行政首长可以先决定中止执行); otherwise a change or a
    stop goes through the organ's procedure."""
    if ground not in ART35_GROUNDS:
        raise InvalidInput(f"ground must be one of {', '.join(ART35_GROUNDS)} (第三十五条规定的情形)",
                           **ref("R20.ground"))
    if not reason.strip():
        raise InvalidInput("a suspension needs its reason", **ref("R20.change"))
    if not urgency.strip():
        raise RuleViolation("情况紧急的，行政首长方可先决定中止执行：应说明紧急情况 (urgency)；不紧急的，变更或者停止执行应当"
                            "依照法定程序由决策机关决定", **ref("R20.change"))


# R19, Art. 34: the furthest a rectification date set at a supervision may lie ahead before it is taken for a
# typing slip (days).
RECTIFY_HORIZON_DAYS = 366


def check_rectify_by(value: str | None, today: date, cit_key: str) -> str | None:
    """A rectification date set by a supervision or a correction order: a date, not before the act, within a
    year (an implausible date is refused, not stored)."""
    if value is None or not str(value).strip():
        return None
    cit = ref(cit_key)
    day = iso_date(value, "due_by", **cit)
    if day < today:
        raise RuleViolation(f"整改期限 {day.isoformat()} 早于作出之日 {today.isoformat()} (the date to correct by is "
                            "before the act)", **cit)
    if (day - today).days > RECTIFY_HORIZON_DAYS:
        raise InvalidInput(f"整改期限 {day.isoformat()} 超出一年，疑为录入错误 (the date to correct by is more than a "
                           "year ahead)", **cit)
    return day.isoformat()


def check_supervision(state: dict[str, Any], status: str, findings: str, units: list[str]) -> None:
    """R19, Art. 34: the organ supervises and checks (督促检查) the execution of a decision it made, through
    the execution units it designated: the findings are on the record; the units named are designated ones."""
    cit = ref("R19.supervision")
    if status not in (*DECIDED, "suspended"):
        raise RuleViolation(f"督促检查的是已作出决策的执行情况；本事项当前状态：{status} (supervision concerns the "
                            "execution of a decision made)", **cit)
    designated = list(state.get("execution_units") or [])
    if not designated:
        raise RuleViolation("决策机关尚未指定执行单位，无执行情况可督促检查 (no execution unit is designated)", **cit)
    if not findings.strip():
        raise InvalidInput("督促检查应当记载检查发现的情况 (findings)", **cit)
    strangers = [u for u in units if u not in designated]
    if strangers:
        raise InvalidInput(f"以下单位不是本决策的执行单位：{'、'.join(strangers)} (not designated execution units)",
                           **cit)


def check_adopted_change(decision_id: str, organ: str | None, meeting: dict[str, Any] | None,
                         item_no: int | None, change: str, used: Sequence[dict[str, Any]] = ()) -> dict[str, Any]:
    """R20, Arts. 30, 37: a decided decision is terminated or majorly adjusted only on a change item of THIS
    decision adopted at an executive or plenary meeting of ITS organ (依法作出的重大行政决策，未经法定程序不得
    随意变更或者停止执行); an item is acted on once. Returns the meeting and item the act rests on."""
    cit = ref("R20.collective")
    what = "终止执行" if change == "terminate" else "重大调整"
    if meeting is None or item_no is None:
        raise RuleViolation(f"{what}应当经决策机关常务会议或者全体会议讨论决定：请注明通过该事项的会议和议题 "
                            "(meeting_id, item_no)", **cit)
    item = next((it for it in meeting.get("items") or [] if it["no"] == item_no), None)
    if item is None or item.get("change") is None or item["decision_id"] != decision_id:
        raise RuleViolation(f"会议“{meeting.get('title', meeting.get('id'))}”第 {item_no} 项议题不是本决策的变更事项 "
                            "(not a change item of this decision)", **cit)
    if item["change"] != change:
        raise RuleViolation(f"会议“{meeting.get('title', meeting.get('id'))}”第 {item_no} 项议题提请的不是{what} "
                            "(the item tabled another change)", **cit)
    if meeting.get("organ") is not None and organ is not None and meeting["organ"] != organ:
        raise RuleViolation(f"会议“{meeting.get('title', meeting.get('id'))}”不是本决策机关的会议 (the meeting is "
                            "not of the decision's organ)", **cit)
    outcome = item.get("outcome") or {}
    if outcome.get("decision") != "adopt":
        raise RuleViolation(f"会议“{meeting.get('title', meeting.get('id'))}”第 {item_no} 项议题尚未经会议通过 "
                            "(the change is not adopted)", **cit)
    if any(u.get("meeting_id") == meeting["id"] and u.get("item_no") == item_no for u in used):
        raise RuleViolation(f"会议“{meeting.get('title', meeting.get('id'))}”第 {item_no} 项议题已据以办理 (the "
                            "adopted item was already acted on)", **cit)
    return {"meeting_id": str(meeting["id"]), "item_no": int(item_no)}


# ---------------------------------------------------------------------------------------- queries the checks read
def targets(d: DecisionView) -> dict[str, Any] | None:
    """The execution targets fixed at decision time (the last version recorded before finalization)."""
    arts = d.artifacts_of("collective_decision", "execution_targets", all_rounds=True) \
        if d.spec.has_gate("collective_decision") else []
    return arts[-1] if arts else None


def kpi_ledger(d: DecisionView) -> dict[str, dict[str, Any]]:
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


def report_versions(d: DecisionView) -> list[dict[str, Any]]:
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


def current_reports(d: DecisionView) -> list[dict[str, Any]]:
    """The reports not superseded by a correction."""
    return [r for r in report_versions(d) if r["current"]]


def obligations(d: DecisionView) -> list[dict[str, Any]]:
    """What the execution must follow from the earlier stages, one entry each (id `<artifact>:<n>`, source,
    text, rule, article, and for a risk measure its responsible unit, due date and risk level): the
    prevention measures and contingency plan of the controllable risk assessment of the current draft
    (R10, Arts. 23–24) and the legality conditions of a 'lawful if amended' or exploratory opinion with the
    amendments made (R12–R13, Arts. 25, 28)."""
    out: list[dict[str, Any]] = []

    def add(art: dict[str, Any], n: int, text: Any, source: str, rule: str, article: str,
            responsible_unit: Any = None, due: Any = None, risk_level: Any = None) -> None:
        if _text(text):
            out.append({"id": f"{art['id']}:{n}", "source": source, "artifact_id": art["id"],
                        "text": _text(text), "rule": rule, "article": article,
                        "responsible_unit": responsible_unit, "due": due, "risk_level": risk_level})
    report = effective_report(d)
    if report is not None and report["fields"]["conclusion"] == "controllable":
        f = report["fields"]
        measures = f.get("measures")
        for i, m in enumerate(measures if isinstance(measures, list) else [measures], start=1):
            item = m if isinstance(m, dict) else {"measure": m}
            add(report, i, item.get("measure"), "risk_measure", "R10", "Arts. 23–24",
                item.get("responsible_unit"), item.get("due"), f.get("level"))
        add(report, 0, f.get("contingency_plan"), "contingency_plan", "R10", "Art. 23", risk_level=f.get("level"))
    if d.spec.has_gate("legality_review"):
        # R12, Art. 28: the conditions of every 'lawful if amended' opinion, including one given on an earlier
        # draft whose amendments the next version carries (a new round of the review).
        opinions = [o for o in d.artifacts_of("legality_review", "legality_opinion", all_rounds=True)
                    if o["fields"]["conclusion"] in ("lawful_if_amended", "exploratory_risk_stated")]
        for opinion in opinions:
            f = opinion["fields"]
            for i, key in enumerate(("amendments", "conditions", "risk_statement")):
                add(opinion, i + 1, f.get(key), "legality_condition", "R12", "Arts. 25, 28")
        if opinions:
            for rec in d.artifacts_of("legality_review", "amendment_record", all_rounds=True):
                changes = rec["fields"].get("changes")
                for i, c in enumerate(changes if isinstance(changes, list) else [changes]):
                    add(rec, i + 1, c, "legality_amendment", "R12", "Art. 28")
    return out


# ---------------------------------------------------------------------------------------- checks
def art_designation(d: DecisionView, k: ArtifactKind, actor: Actor, f: dict[str, Any],
                    cal: StatutoryCalendar, today: date) -> None:
    """R19, Art. 34: the organ names the execution units; a later change says why."""
    units = f["units"]
    if not isinstance(units, list) or not all(isinstance(u, str) and u.strip() for u in units):
        raise InvalidInput("execution_unit_designation.units must list unit names", rule="R19",
                           article="Art. 34")
    if d.state["execution_units"] and not _text(f.get("reason")):
        raise RuleViolation("execution units were already designated: a change states its reason",
                            rule="R19", article="Art. 34")


def art_targets(d: DecisionView, k: ArtifactKind, actor: Actor, f: dict[str, Any],
                cal: StatutoryCalendar, today: date) -> None:
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
        iso_date(m.get("due"), "due", "R19", "Art. 34", kind="milestone")
    if f.get("evaluation_on"):
        iso_date(f["evaluation_on"], "evaluation_on", "R21", "Art. 36", kind="execution_targets")


def _check_kpi_values(kpi: dict[str, Any], kid: str) -> None:
    for key in ("baseline", "target"):
        if key in kpi:
            _number(kpi[key], f"KPI {kid} {key}")
    if kpi.get("direction", "increase") not in KPI_DIRECTIONS:
        raise InvalidInput(f"KPI direction must be one of {', '.join(KPI_DIRECTIONS)}", rule="R19",
                           article="Art. 34")
    if kpi.get("due"):
        iso_date(kpi["due"], "due", "R19", "Art. 34", kind="kpi")


def art_kpi_revision(d: DecisionView, k: ArtifactKind, actor: Actor, f: dict[str, Any],
                     cal: StatutoryCalendar, today: date) -> None:
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


def art_execution_unit(d: DecisionView, k: ArtifactKind, actor: Actor, f: dict[str, Any],
                       cal: StatutoryCalendar, today: date) -> None:
    """R19, Arts. 34–35: only a designated execution unit reports; problem reports name a ground."""
    if not d.state["execution_units"]:
        raise RuleViolation("no execution unit has been designated", rule="R19", article="Art. 34")
    if actor.unit not in d.state["execution_units"]:
        raise NotPermitted(f"unit {actor.unit} is not an execution unit of this decision", rule="R19",
                           article="Art. 34")
    if f["report_kind"] not in ("progress", "problem"):
        raise InvalidInput("report_kind must be progress or problem", rule="R19", article="Art. 35")
    if f["report_kind"] == "problem" and f.get("ground") not in ART35_GROUNDS:
        raise InvalidInput(f"a problem report names its Art. 35 ground: {', '.join(ART35_GROUNDS)}",
                           rule="R19", article="Art. 35")


def art_report(d: DecisionView, k: ArtifactKind, actor: Actor, f: dict[str, Any],
               cal: StatutoryCalendar, today: date) -> None:
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
    if f.get("occurred_on") and iso_date(f["occurred_on"], "occurred_on", "R19", "Art. 35",
                                         kind="execution_report") > today:
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


def register(reg: Registry) -> None:
    """S7's checks: designation, targets, KPI revisions, reports (R18, R19)."""
    # pragma: no mutate block (the table is built once at import, rules.DEFAULT: structural, not a rule)
    reg.artifact("execution_unit_designation", art_designation)  # R19, Art. 34
    reg.artifact("execution_targets", art_targets)  # R19, Art. 34; R21, Art. 36
    reg.artifact("kpi_revision", art_kpi_revision)  # R19, Art. 34; R18, Art. 33
    reg.artifact("execution_report", art_execution_unit, art_report)  # R19, Arts. 34–35; R18, Art. 33
