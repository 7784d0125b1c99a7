"""Reports after the decision, per unit and period (issue 6): decisions in execution, overdue execution
reports, suspensions, evaluations due and done, open accountability cases — as data and as CSV.

A unit is concerned by a decision when it is one of its undertaking units or execution units. Everything
is computed from the record (the decisions' events and projections, the cases); dates are Beijing dates.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from typing import Any

from decision_engine.domain import execution as ex
from decision_engine.domain.errors import InvalidInput
from decision_engine.domain.statutory_time import statutory_day
from decision_engine.services import decisions
from decision_engine.services.context import Context
from decision_engine.services.execution import evaluations_due

AFTER = (*ex.CHANGEABLE, "terminated", "closed")
SECTIONS_ZH = {"in_execution": "执行中的决策", "overdue_reports": "逾期未报送执行情况",
               "suspensions": "中止执行", "evaluations_due": "应当开展的决策后评估",
               "evaluations_done": "已完成的决策后评估", "open_cases": "未结问责案件"}


def _day(value: date | str, name: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return statutory_day(str(value))
    except ValueError:
        raise InvalidInput(f"{name} must be an ISO date (YYYY-MM-DD), got {value!r}") from None


def unit_report(ctx: Context, unit: str, start: date | str, end: date | str) -> dict[str, Any]:
    """One unit's post-decision picture for a period [start, end] (inclusive, Beijing dates)."""
    s, e = _day(start, "start"), _day(end, "end")
    if e < s:
        raise InvalidInput("the period ends before it starts")
    as_of = min(e, ctx.today())
    with ctx.uow.read() as uow:
        ids = uow.decisions.ids(AFTER)
        mine = [d for d in (decisions.load(uow.tx, i)[0] for i in ids)
                if unit in d.undertaking_units() or unit in d.state["execution_units"]]
        streams = [decisions.stream_of(d.id) for d in mine]
        suspended = uow.events.of_type("DecisionSuspended", streams)
        case_states = uow.cases.states_for([d.id for d in mine])
    titles = {d.id: d.state["title"] for d in mine}
    report: dict[str, Any] = {"unit": unit, "start": s.isoformat(), "end": e.isoformat(),
                              "as_of": as_of.isoformat(), **{k: [] for k in SECTIONS_ZH}}
    for d in mine:
        st = d.state
        designated = d.artifacts_of("execution", "execution_unit_designation", all_rounds=True) \
            if d.spec.has_gate("execution") else []
        ended = (st.get("termination") or {}).get("at")
        if designated and ex.on_date(designated[0]["at"]) <= e and (not ended or ex.on_date(ended) >= s):
            report["in_execution"].append({"decision_id": d.id, "title": st["title"], "status": st["status"],
                                           "execution_units": st["execution_units"],
                                           "date": ex.on_date(designated[0]["at"]).isoformat(),
                                           "detail": "、".join(st["execution_units"])})
        for due in ex.reports_due(d, ctx.calendar, as_of):
            if due["overdue"] and (due["unit"] == unit or unit in d.undertaking_units()):
                report["overdue_reports"].append({"decision_id": d.id, "title": st["title"], "date": due["due"],
                                                  "unit": due["unit"],
                                                  "detail": f"{due['unit']} 逾期 {due['days_overdue']} 日"})
        for ev in (d.artifacts_of("post_evaluation", "evaluation_report", all_rounds=True)
                   if d.spec.has_gate("post_evaluation") else []):
            if s <= ex.on_date(ev["at"]) <= e:
                report["evaluations_done"].append({"decision_id": d.id, "title": st["title"],
                                                   "date": ex.on_date(ev["at"]).isoformat(),
                                                   "unit": ev["author"]["unit"],
                                                   "detail": str(ev["fields"]["recommendation"])})
    for due in evaluations_due(ctx, as_of):
        if due["decision_id"] in titles:
            triggers = due["triggers"]
            report["evaluations_due"].append({"decision_id": due["decision_id"], "title": due["title"],
                                              "date": next((t["since"] for t in triggers if t["since"]), ""),
                                              "detail": "；".join(ex.TRIGGER_ZH.get(t["trigger"], t["trigger"])
                                                                 for t in triggers)})
    for ev in suspended:
        stream, at, person = ev["stream"], ev["at"], ev["person"]
        if s <= ex.on_date(at) <= e:
            p = json.loads(ev["body"])["payload"]
            did = stream.removeprefix("decision:")
            report["suspensions"].append({"decision_id": did, "title": titles.get(did, ""),
                                          "date": ex.on_date(at).isoformat(), "person": person,
                                          "detail": f"{ex.GROUND_ZH.get(p['ground'], p['ground'])}：{p['reason']}"})
    for case in case_states:
        opened, closed = ex.on_date(case["opened_at"]), case.get("closed_at")
        if opened <= e and (closed is None or ex.on_date(closed) > e):
            report["open_cases"].append({"decision_id": case["decision_id"], "case_id": case["id"],
                                         "title": titles.get(case["decision_id"], ""),
                                         "date": opened.isoformat(), "kind": case["kind"],
                                         "detail": case["summary"]})
    report["counts"] = {k: len(report[k]) for k in SECTIONS_ZH}
    return report


CSV_HEADER = ("类别", "section", "决策编号", "决策名称", "日期", "说明")


def to_csv(report: dict[str, Any]) -> str:
    """The report as CSV: a count row per section, then one row per item (zh-CN first, UTF-8)."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(CSV_HEADER)
    for key, name_zh in SECTIONS_ZH.items():
        w.writerow([name_zh, key, "", f"合计 {len(report[key])}", report["end"], report["unit"]])
    for key, name_zh in SECTIONS_ZH.items():
        for item in report[key]:
            w.writerow([name_zh, key, item["decision_id"], item.get("title", ""), item.get("date", ""),
                        item.get("detail", "")])
    return buf.getvalue()
