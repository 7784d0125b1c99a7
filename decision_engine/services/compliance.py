"""Compliance metrics (依法行政考核), computed from the record alone, per unit and year (seed 001, 003).

Targets quoted in seed 001 (legality-review rate of normative documents ≥ 90%, filing rate ≥ 95%,
filing-review rate 100%) are reported beside the measured values; nothing here is typed in by hand.
"""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from datetime import date
from typing import Any

from decision_engine.domain import authority
from decision_engine.domain.decision import Decision
from decision_engine.domain.law import article
from decision_engine.domain.statutory_time import statutory_day
from decision_engine.services import organisation
from decision_engine.services.context import Context
from decision_engine.services.decisions import load
from decision_engine.services.queries import deadlines

TARGETS = {"legality_review_rate_normative": 0.90, "filing_rate": 0.95, "filing_review_rate": 1.0}
PRE = ("draft", "in_procedure", "ready_for_decision")


def publication_kept(d: Decision, cal: Any, today: date) -> str | None:
    """Publication within the limit (R17, Art. 32) as every page counts it: on_time, late or pending, or None
    before the decision is made. One computation for the dashboard, the compliance page, the work queue and
    the statutory clock: the clock's own deadline (`queries.deadlines`, "publication_max": overdue while the
    publication gate is not satisfied after its due day). A publication the gate does not accept yet (a
    channel missing) is not on time; one settled later than the due day is late."""
    item = next((x for x in deadlines(d, cal, today) if x["name"] == "publication_max"), None)
    if item is None:
        return None
    if item["overdue"]:
        return "late"
    if not item["satisfied"]:
        return "pending"
    published = d.state.get("published_on")
    return "late" if published and statutory_day(published).isoformat() > item["due"] else "on_time"


def _year_of(state: dict[str, Any]) -> int:
    return int(str(state["opened_at"])[:4])


def leader_of(state: dict[str, Any]) -> str | None:
    """The leader who answers for a decision's making (ACC6, Art. 9): the head who presided the adopting
    meeting (the author of its meeting record), else the person recorded as deciding it; None before."""
    records = [a for a in state.get("artifacts", {}).values() if a["kind"] == "meeting_record"]
    if records:
        return str(records[-1]["author"]["person"])
    by = state.get("decided_by")
    return str(by["person"]) if isinstance(by, dict) and by.get("person") else None


def metrics(ctx: Context, year: int, *, unit: str | None = None) -> dict[str, Any]:
    """Per-unit metrics for decisions opened in a year (and the totals), from the projections and events;
    and the same per decision organ and per leader who decided (ACC6, Art. 9: 将重大行政决策情况作为考核评价
    决策机关及其领导人员的重要内容 — the organ and its leaders are assessed, not only the units), with the
    organ's own record after the decision: the superior organ's orders to correct (Art. 38 ¶1), its
    supervisions of the execution (Art. 34) and the execution failures flagged (Art. 40)."""
    cal = ctx.calendar
    today = ctx.today()
    units: dict[str, dict[str, Any]] = defaultdict(_empty)
    organs: dict[str, dict[str, Any]] = defaultdict(_empty)
    leaders: dict[str, dict[str, Any]] = defaultdict(_empty)
    with ctx.uow.read() as uow:
        states = uow.decisions.states_opened_in(year, unit)
        suspensions = uow.events.count_by_stream("DecisionSuspended")
        failures = uow.events.count_by_stream("ExecutionFailureFound")
        cases = uow.cases.count_by_decision()
        kept = {s["id"]: publication_kept(load(uow.tx, s["id"])[0], cal, today) for s in states
                if s.get("decided_on")}
        chart = organisation.chart_of(uow.tx)
        heads = {h for s in states if (h := leader_of(s)) is not None}
        names = uow.persons.names(sorted(heads))
    for s in states:
        organ = authority.decision_organ(s, chart) or "—"
        head = leader_of(s)
        for table, key in ((units, s["unit"]), (units, "__all__"), (organs, organ), (leaders, head)):
            if key is None:
                continue
            m = table[key]
            _add(m, s, cal, today, int(suspensions.get(f"decision:{s['id']}", 0)), kept.get(s["id"]))
            m["accountability_cases"] += int(cases.get(s["id"], 0))  # Arts. 38–41
            corrections = s.get("corrections") or []
            m["corrections_ordered"] += len(corrections)  # Art. 38 ¶1
            m["corrections_open"] += sum(1 for c in corrections if c.get("report") is None)
            m["supervisions"] += len(s.get("supervisions") or [])  # Art. 34
            m["execution_failures"] += int(failures.get(f"decision:{s['id']}", 0))  # Art. 40
    return {"year": year, "computed_on": today.isoformat(), "targets": TARGETS,
            "units": {u: _finish(m) for u, m in sorted(units.items()) if u != "__all__"},
            "total": _finish(units["__all__"]),
            "assessment": {"rule": "ACC6", "article": article("ACC6.assessment"),
                           "organs": {o: dict(_finish(m), organ_name=chart.organ_name(o) if o != "—" else "—")
                                      for o, m in sorted(organs.items())},
                           "leaders": {p: dict(_finish(m), name=names.get(p, p)) for p, m in sorted(leaders.items())}}}


def _empty() -> dict[str, Any]:
    return {"decisions": 0, "by_category": Counter(), "by_procedure": Counter(), "by_status": Counter(),
            "gates": defaultdict(Counter), "exemptions": [], "overdue": 0, "suspensions": 0,
            "evaluations": 0, "accountability_cases": 0, "finalized": 0, "legality_cleared_at_finalization": 0,
            "normative_published": 0, "normative_reviewed": 0, "normative_filed": 0,
            "normative_filed_on_time": 0, "publication_due": 0, "publication_on_time": 0,
            "corrections_ordered": 0, "corrections_open": 0, "supervisions": 0, "execution_failures": 0}


def _add(m: dict[str, Any], s: dict[str, Any], cal: Any, today: date, suspensions: int,
         publication: str | None) -> None:
    m["decisions"] += 1
    m["by_category"][s["category"]] += 1
    m["by_procedure"][s["procedure"].get("profile", s["procedure"]["id"])] += 1
    m["by_status"][s["status"]] += 1
    for gid, g in s["gates"].items():
        m["gates"][gid][g["status"]] += 1
    m["exemptions"] += [{"decision": s["id"], **e} for e in s.get("exemptions", [])]
    if s.get("due_by") and s["status"] in PRE and s["due_by"] < today.isoformat():
        m["overdue"] += 1
    m["suspensions"] += suspensions
    arts = list(s["artifacts"].values())
    m["evaluations"] += sum(1 for a in arts if a["kind"] == "evaluation_report")
    if s.get("decided_on"):
        m["finalized"] += 1
        if s["gates"].get("legality_review", {}).get("status") == "cleared":
            m["legality_cleared_at_finalization"] += 1
        if publication in ("on_time", "late"):  # publication_kept: the one computation every page reads
            m["publication_due"] += 1
            m["publication_on_time"] += publication == "on_time"
    if s["procedure"]["id"] == "normative_document" and s.get("published_on"):
        m["normative_published"] += 1
        m["normative_reviewed"] += s["gates"]["legality_review"]["status"] == "cleared"
        filings = [a for a in arts if a["kind"] == "filing_record"]
        if filings:
            m["normative_filed"] += 1
            filed = statutory_day(filings[0]["fields"]["filed_at"])
            # ND3: within 15 days of publication
            m["normative_filed_on_time"] += (filed - date.fromisoformat(s["published_on"])).days <= 15


def _rate(a: int, b: int) -> float | None:
    return round(a / b, 4) if b else None


def _finish(m: dict[str, Any]) -> dict[str, Any]:
    out = {k: (dict(v) if isinstance(v, Counter) else v) for k, v in m.items() if k != "gates"}
    out["gates"] = {g: dict(c) for g, c in sorted(m["gates"].items())}
    out["share_through_gate"] = {g: _rate(c.get("cleared", 0) + c.get("exempted", 0), m["decisions"])
                                 for g, c in sorted(m["gates"].items())}
    out["legality_review_rate"] = _rate(m["legality_cleared_at_finalization"], m["finalized"])
    out["legality_review_rate_normative"] = _rate(m["normative_reviewed"], m["normative_published"])
    out["filing_rate"] = _rate(m["normative_filed"], m["normative_published"])
    out["filing_on_time_rate"] = _rate(m["normative_filed_on_time"], m["normative_filed"])
    out["filing_review_rate"] = None  # the superior's review of filings is not recorded in this engine
    out["publication_on_time_rate"] = _rate(m["publication_on_time"], m["publication_due"])
    return out


CSV_COLUMNS = ("unit", "decisions", "finalized", "overdue", "suspensions", "evaluations", "accountability_cases",
               "exemptions",
               "legality_review_rate", "legality_review_rate_normative", "filing_rate", "filing_on_time_rate",
               "publication_on_time_rate")


def to_csv(report: dict[str, Any]) -> str:
    """One row per unit plus the total, for spreadsheets and the yearly 法治政府建设 report."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(CSV_COLUMNS)
    rows = [*report["units"].items(), ("合计", report["total"])]
    for unit, m in rows:
        w.writerow([unit, m["decisions"], m["finalized"], m["overdue"], m["suspensions"], m["evaluations"],
                    m["accountability_cases"], len(m["exemptions"]),
                    *(("" if m[c] is None else m[c]) for c in CSV_COLUMNS[8:])])
    return buf.getvalue()
