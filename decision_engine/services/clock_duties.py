"""The statutory clock (法定时限时钟) and the other background duties: find what is due, act exactly once.

One clock run handles every decision that is due (DESIGN "Where Prefect fits"):

* **comment windows** (R6, Art. 15): a notice whose deadline has passed is closed —
  `CommentWindowClosed` on the decision's stream, and a notice to the undertaking unit to dispose of
  the opinions (R8, Art. 18);
* **deadlines**: the legality review (R12, Art. 28: the opinion given promptly, by the deadline the unit
  requested, which allows at least 7 working days, R11, Art. 26 ¶2), publication (R17, Art. 32: 20 working days, profile default), the decision's own
  due date (R22, Art. 38 ¶2) and each execution unit's report (R19, Art. 34): a *reminder* to the
  people responsible a few working days before (setting `reminder_working_days_before`); once passed,
  `DeadlinePassed` and an *escalation* to the head of their unit; some working days later
  (`escalation_organ_working_days`) `DeadlineEscalated` and an escalation to the decision organ;
* **undue delay** (R22, Art. 38 ¶2): an incident — by ``services.accountability`` when it is
  installed, otherwise by the minimal `UndueDelayIncidentOpened` here;
* **execution reports due** (R19, Art. 34) and **scheduled post-evaluations** (R21, Art. 36):
  `ExecutionReportDue` / `EvaluationDue`, with notices to the execution unit / the organ;
* **execution failures** (R19, Art. 40): an execution unit whose periodic report is long overdue, whose
  problem report came late, or that reported nothing before the head suspended on an Art. 35 ground —
  `ExecutionFailureFound` (an `execution_failure` finding) and an escalation to the decision organ.

Every act carries a deterministic key ``(decision, duty, due)``, stored in ``clock_duties`` in the same
transaction as its events and notifications: running a duty twice, or retrying after a crash, appends
nothing twice and leaves nothing half-written. The same keys guard the other background duties here:
rendering documents when a gate clears, exporting the archive bundle when a case closes, and the
yearly compliance report.
"""

from __future__ import annotations

import hashlib
import importlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import orjson

from decision_engine.domain import authority
from decision_engine.domain.calendar import StatutoryCalendar
from decision_engine.domain.decision import DECIDED, PRE_DECISION, Actor, Decision, NewEvent
from decision_engine.domain.errors import ConcurrencyConflict, DomainError, InvalidInput, Unavailable
from decision_engine.domain.law import ref
from decision_engine.domain.organisation import OrgChart
from decision_engine.domain.rules.legality import opinion_due
from decision_engine.domain.rules.participation import live_notices
from decision_engine.domain.statutory_time import statutory_day
from decision_engine.services import compliance, notifications, organisation
from decision_engine.services.context import SYSTEM_ACTOR, Context
from decision_engine.services.decisions import _persist, stream_of
from decision_engine.services.ports import UnitOfWork

CLOCK_ACTOR = Actor(SYSTEM_ACTOR["person"], SYSTEM_ACTOR["role"], SYSTEM_ACTOR["unit"], "法定时限时钟")
LIVE = (*PRE_DECISION, *DECIDED, "suspended")
KINDS = ("comment_window", "reminder", "deadline", "undue_delay", "execution_report", "execution_failure",
         "evaluation")
ACTED_KINDS = tuple(k for k in KINDS if k != "undue_delay")  # undue delay opens incidents instead


def plan(due: Sequence[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    """The due items grouped by kind, in the order the clock acts on them (undue delay apart)."""
    return [(kind, items) for kind in ACTED_KINDS if (items := [i for i in due if i["kind"] == kind])]
KIND_ZH = {"comment_window": "征求意见期届满", "reminder": "到期提醒", "deadline": "逾期督办",
           "undue_delay": "久拖不决", "execution_report": "执行情况报告", "execution_failure": "执行单位未依法报告",
           "evaluation": "决策后评估"}
EVENT_ZH = {"CommentWindowClosed": "公开征求意见期届满", "DeadlinePassed": "期限届满未办结",
            "DeadlineEscalated": "逾期报决策机关督办", "UndueDelayIncidentOpened": "久拖不决事件立案",
            "ExecutionReportDue": "执行情况报告到期", "EvaluationDue": "决策后评估日期已到",
            "ExecutionFailureFound": "执行单位未依法报告（第四十条）",
            "ArchiveExported": "档案包已导出", "ComplianceReportGenerated": "生成依法行政考核报告"}
REMINDER_DAYS, ORGAN_DAYS = 3, 5  # defaults when a pinned procedure predates these settings
DOCUMENT_TRIGGERS = ("GateCleared", "GateExempted", "DecisionFinalized", "DecisionClosed")
DOCUMENT_LOOKBACK = 5000  # event ids may commit out of order on PostgreSQL: look back this far
MAX_DOCUMENT_ATTEMPTS = 3
ORGAN_ROLES = ("admin_head", "decision_organ")
log = logging.getLogger("decide.clock")


# ---------------------------------------------------------------------------------------- optional peers
def _peer(module: str, name: str) -> Callable[..., Any] | None:
    """A service another issue provides, when installed (`decision_engine.services.<module>.<name>`)."""
    path = f"decision_engine.services.{module}"
    try:
        mod = importlib.import_module(path)
    except ModuleNotFoundError as exc:
        if exc.name == path:
            return None
        raise
    fn = getattr(mod, name, None)
    return fn if callable(fn) else None


def _execution() -> Any:
    """The execution rules (issue 6: `domain.execution`), when installed."""
    try:
        return importlib.import_module("decision_engine.domain.execution")
    except ModuleNotFoundError as exc:
        if exc.name == "decision_engine.domain.execution":
            return None
        raise


# ---------------------------------------------------------------------------------------- what is due
@dataclass(frozen=True, slots=True)
class Watched:
    """A deadline the clock watches for one decision, and who answers for it."""

    name: str
    label: str
    due: date
    provisional: bool
    gate: str
    rule: str
    article: str
    role: str
    unit: str | None
    extra: dict[str, Any] = field(default_factory=dict)


def _day(at: str) -> date:
    """The statutory (Beijing) date of a stored timestamp or an ISO date."""
    return statutory_day(at)


def _short(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def watched(d: Decision, cal: StatutoryCalendar, today: date) -> list[Watched]:
    """The unmet deadlines of a decision: legality review (R11), publication (R17), its due date
    (R22) and each execution unit's report (R19)."""
    out: list[Watched] = []
    s = d.state
    review = opinion_due(d, cal) if s["status"] in PRE_DECISION else None
    if review is not None:  # R12, Art. 28: the reviewer gives its opinion promptly, by the deadline allowed
        out.append(Watched("legality_review", "合法性审查期限", review[0], review[1], "legality_review",
                           **ref("R12.prompt"), role="legality_reviewer", unit=None))
    if s["status"] in DECIDED and s.get("decided_on") and d.spec.has_gate("publication") \
            and "publication" in d.spec.durations and not d.gate_satisfied(d.spec.gate("publication")):
        dur = d.spec.durations["publication"]
        dl = cal.add_working_days(date.fromisoformat(s["decided_on"]), dur.days)
        out.append(Watched("publication", f"决策公布期限（{dur.days}个工作日）", dl.due, dl.provisional,
                           "publication", "R17", "Art. 32", "decision_organ", None))
    if s["status"] in PRE_DECISION and s.get("due_by"):
        out.append(Watched("due_by", "决策办理期限", date.fromisoformat(s["due_by"]), False,
                           "collective_decision", "R22", "Art. 38 ¶2", "undertaking_unit", s["unit"]))
    execution = _execution()
    if execution is not None and s["status"] in DECIDED:
        for r in execution.reports_due(d, cal, today):
            out.append(Watched(f"execution_report:{_short(r['unit'])}", f"{r['unit']}执行情况报告期限",
                               date.fromisoformat(r["due"]), bool(r["provisional"]), "execution", "R19",
                               "Art. 34", "execution_unit", r["unit"],
                               {"unit": r["unit"], "since": r["since"], "last_report_on": r["last_report_on"]}))
    return out


def duties_of(d: Decision, cal: StatutoryCalendar, today: date, *, incidents: bool = True) -> list[dict[str, Any]]:
    """Every duty the clock owes a decision today, each with its key (decision, duty, due); pure."""
    s, items = d.state, []
    title, unit = s["title"], s["unit"]
    if s["status"] in PRE_DECISION and d.spec.has_gate("public_participation") and \
            not d.gate_satisfied(d.spec.gate("public_participation")):  # a cleared gate's windows closed (R6)
        for notice in live_notices(d):
            deadline = statutory_day(notice["fields"]["deadline"])
            if today > deadline:  # R6, Art. 15: the window ends with its last day
                items.append(_item(
                    d, "comment_window", f"comment_window_closed:{notice['id']}", deadline,
                    ("CommentWindowClosed", {"artifact_id": notice["id"], "deadline": deadline.isoformat(),
                                             "published_at": notice["fields"].get("published_at"),
                                             "rule": "R6", "article": "Art. 15"}),
                    [("responsible", "undertaking_unit", unit, 0, "notice")],
                    f"【程序通知】公开征求意见期已于{deadline.isoformat()}届满：{title}",
                    "公开征求意见期已届满。请整理、研究公众意见，记录采纳情况及理由（R8，第十八条），"
                    "再提交合法性审查。"))
    remind = int(d.spec.settings.get("reminder_working_days_before", REMINDER_DAYS))
    organ_after = int(d.spec.settings.get("escalation_organ_working_days", ORGAN_DAYS))
    for w in watched(d, cal, today):
        basis = f"{w.rule}，{w.article}"
        due = w.due.isoformat() + ("（暂定）" if w.provisional else "")
        facts = {"deadline": w.name, "due": w.due.isoformat(), "gate": w.gate, "rule": w.rule,
                 "article": w.article, "provisional": w.provisional, **w.extra}
        responsible = ("responsible", w.role, w.unit, 0, "reminder")
        if w.name.startswith("execution_report:"):
            items.append(_item(d, "execution_report", f"execution_report_due:{w.name[17:]}", w.due,
                               ("ExecutionReportDue", facts), [responsible],
                               f"【执行报告提醒】{w.extra['unit']}执行情况报告应于{due}报送：{title}",
                               f"依据{basis}，请报送执行情况（自{w.extra['since']}起）。"))
        elif today <= w.due and cal.working_days_between(today, w.due)[0] <= remind:
            items.append(_item(d, "reminder", f"reminder:{w.name}", w.due, None, [responsible],
                               f"【到期提醒】{w.label}将于{due}届满：{title}",
                               f"{w.label}将于{due}届满（依据{basis}），请在期限内办理。"))
        if today <= w.due:
            continue
        late = cal.working_days_between(w.due, today)[0]
        items.append(_item(d, "deadline", f"deadline_passed:{w.name}", w.due, ("DeadlinePassed", facts),
                           [("heads", w.role, w.unit, 1, "escalation")],
                           f"【逾期督办】{w.label}已于{due}届满未办结：{title}",
                           f"{w.label}已于{due}届满未办结（依据{basis}），请督促办理并说明原因。"))
        if late >= organ_after:
            items.append(_item(d, "deadline", f"escalation_organ:{w.name}", w.due,
                               ("DeadlineEscalated", dict(facts, to="decision_organ", working_days_late=late)),
                               [("organ", w.role, w.unit, 2, "escalation")],
                               f"【逾期督办·报决策机关】{w.label}逾期{late}个工作日：{title}",
                               f"{w.label}已于{due}届满，逾期{late}个工作日仍未办结（依据{basis}），"
                               "报请决策机关督办。"))
        if w.name == "due_by" and incidents:
            # R22, Art. 38 ¶2 (inference): a decision legally due and not made opens an incident.
            items.append(_item(d, "undue_delay", "undue_delay", w.due, ("UndueDelayIncidentOpened", dict(
                facts, incident=f"UD-{d.id}-{w.due.isoformat()}", days_late=(today - w.due).days)), [],
                "", ""))
    execution = _execution()
    if execution is not None and s["status"] in (*DECIDED, "suspended") and hasattr(execution, "execution_failures"):
        for f in execution.execution_failures(d, cal, today):
            # R19, Art. 40: an execution unit that delays or omits a report it owes is flagged to the organ,
            # which orders the correction (由决策机关责令改正)
            what = execution.FAILURE_ZH[f["failure"]]
            items.append(_item(d, "execution_failure", f"execution_failure:{f['failure']}:{_short(f['unit'] + f['report'])}",
                               date.fromisoformat(f["due"]),
                               ("ExecutionFailureFound", {"finding": "execution_failure", "failure": f["failure"],
                                                          "unit": f["unit"], "due": f["due"], "report": f["report"],
                                                          "detail": f["detail"], "rule": f["rule"],
                                                          "article": f["article"]}),
                               [("organ", "decision_organ", None, 0, "escalation")],
                               f"【执行监督】{f['unit']}{what}：{title}",
                               f"{f['detail']}。依据{f['rule']}，《条例》第四十条，决策执行单位拖延执行或者对执行中发现的"
                               "重大问题瞒报、谎报、漏报的，由决策机关责令改正，请督促检查并依法处理。"))
    if execution is not None and s["status"] in (*DECIDED, "suspended"):
        for t in execution.evaluation_triggers(d, today, 0):
            if t["trigger"] == "scheduled":  # R21, Art. 36: the date fixed at decision time
                items.append(_item(d, "evaluation", "evaluation_due:scheduled", date.fromisoformat(t["since"]),
                                   ("EvaluationDue", {"trigger": "scheduled", "since": t["since"],
                                                      "rule": "R21", "article": "Art. 36"}),
                                   [("organ", "decision_organ", None, 0, "notice")],
                                   f"【决策后评估提醒】决策时确定的评估日期{t['since']}已到：{title}",
                                   "决策时确定的评估日期已到，请委托评估单位开展决策后评估（R21，第三十六条）。"))
    return items


def _item(d: Decision, kind: str, duty: str, due: date, event: tuple[str, dict[str, Any]] | None,
          notify: list[tuple[str, str, str | None, int, str]], subject: str, body: str) -> dict[str, Any]:
    return {"decision_id": d.id, "duty": duty, "due": due.isoformat(), "kind": kind, "title": d.state["title"],
            "event": [event[0], dict(event[1], decision_id=d.id)] if event else None,
            "notify": [{"audience": a, "role": r, "unit": u, "level": lv, "kind": k} for a, r, u, lv, k in notify],
            "subject": subject, "body": body, "link": f"/decisions/{d.id}", "on": None}


def _today(ctx: Context, today: date | str | None) -> date:
    if today is None:
        return ctx.today()
    if isinstance(today, date):
        return today
    try:
        return date.fromisoformat(today)
    except ValueError:
        raise InvalidInput(f"today must be an ISO date, got {today!r}", rule="R22", article="Art. 38 ¶2") from None


def find_due(ctx: Context, today: date | str | None = None) -> list[dict[str, Any]]:
    """Every duty due today across all live decisions, minus those already done (one read pass)."""
    day = _today(ctx, today)
    cal = ctx.calendar
    incidents = _peer("accountability", "open_undue_delay_incidents") is None
    out: list[dict[str, Any]] = []
    with ctx.uow.read() as uow:
        for did, spec_hash, state in uow.decisions.rows_in(LIVE):
            d = Decision(uow.decisions.spec(spec_hash), orjson.loads(state), resolve=uow.decisions.spec)
            try:
                out.extend(duties_of(d, cal, day, incidents=incidents))
            except (DomainError, ValueError, KeyError, TypeError) as exc:  # one malformed record never stops the clock
                log.error("statutory clock: decision %s skipped: %s: %s", did, type(exc).__name__, exc)
        done = uow.duties.done_keys({i["decision_id"] for i in out})
    return [dict(i, on=day.isoformat()) for i in out if (i["decision_id"], i["duty"], i["due"]) not in done]


# ---------------------------------------------------------------------------------------- acting
@dataclass
class Directory:
    """Who holds which role in which unit now, who heads which unit (for resolving recipients)."""

    holders: dict[str, list[tuple[str, str]]]
    heads: dict[str, list[str]]
    chart: OrgChart = field(default_factory=OrgChart.single_organ)

    def _of(self, unit: str, organ: str | None) -> bool:
        """Is the unit in the decision's organ (AR1)? Without an organ on record, every unit is."""
        return organ is None or self.chart.organ_of(unit) == organ

    def responsible(self, role: str, unit: str | None, organ: str | None = None) -> list[str]:
        """People holding the role (in the unit, when one is named; in the decision's organ otherwise)."""
        return [p for p, u in self.holders.get(role, []) if u == unit or (unit is None and self._of(u, organ))]

    def organ(self, organ: str | None = None) -> list[str]:
        """The decision organ: the administrative head and the organ's staff — of this decision's organ only,
        never another government's (AR1)."""
        return [p for r in ORGAN_ROLES for p, u in self.holders.get(r, []) if self._of(u, organ)]

    def recipients(self, audience: str, role: str, unit: str | None, organ: str | None = None) -> list[str]:
        """Level 0: those responsible; level 1: the heads of their units (the organ when none is
        registered); level 2: the organ — each within the decision's own organ."""
        if audience == "responsible":
            people = self.responsible(role, unit, organ)
        elif audience == "heads":
            units = {unit} if unit else {u for _, u in self.holders.get(role, []) if self._of(u, organ)}
            people = [p for u in sorted(units) for p in self.heads.get(u, [])] or self.organ(organ)
        else:
            people = self.organ(organ)
        return list(dict.fromkeys(people))


def directory(uow: UnitOfWork, at: str) -> Directory:
    """The current role holders and unit heads."""
    holders: dict[str, list[tuple[str, str]]] = {}
    for role, person, unit in uow.persons.role_holders(at):
        holders.setdefault(role, []).append((person, unit))
    heads: dict[str, list[str]] = {}
    for person, unit in uow.notifications.heads():
        heads.setdefault(unit, []).append(person)
    return Directory(holders, heads, organisation.chart_of(uow.tx))


def perform(ctx: Context, items: Sequence[dict[str, Any]], *, chunk: int = 200) -> dict[str, Any]:
    """Act on due items: for each decision, in one transaction, the duty keys, the decision's events and
    the notifications. A key already present is skipped; a decision refused (e.g. a concurrent writer) is
    reported and left for the next run; an unavailable database stops the run with nothing half-written."""
    result: dict[str, Any] = {"acted": 0, "skipped": 0, "stale": 0, "notifications": 0, "decisions": [],
                              "failed": []}
    if not items:
        return result
    at = ctx.now_iso()
    by_decision: dict[str, list[dict[str, Any]]] = {}
    for it in items:
        by_decision.setdefault(it["decision_id"], []).append(it)
    with ctx.uow.read() as uow:
        people = directory(uow, at)
    ids = list(by_decision)
    for i in range(0, len(ids), max(1, chunk)):
        part = ids[i:i + max(1, chunk)]
        try:
            with ctx.uow.write() as uow:
                outcomes = _act(uow, part, by_decision, people, at, ctx.calendar)
        except Unavailable:
            raise
        except DomainError:  # one decision refused: redo this chunk one decision at a time
            outcomes = []
            for did in part:
                try:
                    with ctx.uow.write() as uow:
                        outcomes += _act(uow, [did], by_decision, people, at, ctx.calendar)
                except Unavailable:
                    raise
                except DomainError as err:
                    result["failed"].append({"decision_id": did, "error": type(err).__name__,
                                             "rule": err.rule, "article": err.article, "message": err.message})
        for did, acted, skipped, stale, notified in outcomes:
            result["acted"] += acted
            result["skipped"] += skipped
            result["stale"] += stale
            result["notifications"] += notified
            if acted:
                result["decisions"].append(did)
    return result


def _act(uow: UnitOfWork, part: list[str], by_decision: dict[str, list[dict[str, Any]]], people: Directory,
         at: str, cal: StatutoryCalendar) -> list[tuple[str, int, int, int, int]]:
    done = uow.duties.done_keys(part)
    out: list[tuple[str, int, int, int, int]] = []
    for did in part:
        todo: dict[tuple[str, str], dict[str, Any]] = {}
        for it in by_decision[did]:
            key = (it["duty"], it["due"])
            if (did, *key) not in done:
                todo.setdefault(key, it)
        skipped = len(by_decision[did]) - len(todo)
        if not todo:
            out.append((did, 0, skipped, 0, 0))
            continue
        row = uow.decisions.load(did)
        d = Decision(uow.decisions.spec(row["procedure_hash"]), orjson.loads(row["state"]),
                     resolve=uow.decisions.spec)
        on = {it["on"] for it in todo.values() if it.get("on")}
        if len(on) == 1:  # the decision may have moved since it was found due: act only on what still is
            still = {(i["duty"], i["due"]) for i in duties_of(d, cal, date.fromisoformat(on.pop()))}
            todo = {k: it for k, it in todo.items() if k in still}
        stale = len(by_decision[did]) - skipped - len(todo)
        if not todo:
            out.append((did, 0, skipped, stale, 0))
            continue
        with_event = [it for it in todo.values() if it["event"]]
        seqs: dict[tuple[str, str], int] = {}
        if with_event:
            stored = _persist(uow.tx, d, CLOCK_ACTOR, [NewEvent(it["event"][0], it["event"][1]) for it in with_event],
                              at, int(row["last_seq"]), None)
            seqs = {(it["duty"], it["due"]): env["seq"] for it, env in zip(with_event, stored, strict=True)}
        uow.duties.add([{
            "decision_id": did, "duty": it["duty"], "due": it["due"], "ref": None, "status": "done", "attempts": 1,
            "stream": stream_of(did) if key in seqs else notifications.stream_of(did), "seq": seqs.get(key),
            "detail": orjson.dumps({"kind": it["kind"], "event": it["event"][0] if it["event"] else None}).decode(),
            "done_at": at} for key, it in todo.items()])
        organ = authority.decision_organ(d.state, people.chart) or None  # AR1: its own organ's people only
        planned = [notifications.Planned(did, person, it["duty"], it["due"], n["kind"], n["level"], it["subject"],
                                         it["body"], it["link"])
                   for it in todo.values() for n in it["notify"]
                   for person in people.recipients(n["audience"], n["role"], n["unit"], organ)]
        notified = notifications.record(uow, planned, at=at)
        out.append((did, len(todo), skipped, stale, len(notified)))
    return out


def open_undue_delay_incidents(ctx: Context, items: Sequence[dict[str, Any]],
                               today: date | str | None = None) -> dict[str, Any]:
    """R22, Art. 38 ¶2: open an incident for each decision past its due date without a decision — by
    `services.accountability.open_undue_delay_incidents` when installed, else the minimal event here."""
    peer = _peer("accountability", "open_undue_delay_incidents")
    if peer is not None:
        opened = peer(ctx, _today(ctx, today))
        return {"delegated": "services.accountability.open_undue_delay_incidents",
                "result": orjson.loads(orjson.dumps(opened, default=str))}
    return perform(ctx, [i for i in items if i["kind"] == "undue_delay"])


# ---------------------------------------------------------------------------------------- documents
def documents_due(ctx: Context, *, limit: int = 500) -> list[dict[str, Any]]:
    """Decisions with a gate cleared or exempted, a decision made or a case closed whose documents have
    not been rendered since (R18, Art. 33: records archived promptly and completely)."""
    with ctx.uow.read() as uow:
        rows = uow.duties.documents_pending(DOCUMENT_TRIGGERS, lookback=DOCUMENT_LOOKBACK,
                                            max_attempts=MAX_DOCUMENT_ATTEMPTS, limit=limit)
    out: dict[str, dict[str, Any]] = {}
    for event_id, stream, etype in rows:
        item = out.setdefault(stream[9:], {"decision_id": stream[9:], "events": [], "closed": False})
        item["events"].append(int(event_id))
        item["closed"] = item["closed"] or etype == "DecisionClosed"
    return list(out.values())


def render_documents(ctx: Context, decision_id: str, event_ids: Sequence[int]) -> dict[str, Any]:
    """Render every official document the record supports now (``services.documents.render_all``,
    idempotent per record basis) and mark the triggering events handled."""
    render_all = _peer("documents", "render_all")
    status, rendered, error = "done", [], None
    if render_all is None:
        status = "skipped"
    else:
        try:
            rendered = [{"id": r["id"], "doc_kind": r["doc_kind"], "title": r.get("title", "")}
                        for r in render_all(ctx, decision_id)]
        except Unavailable:
            raise
        except Exception as exc:  # a template or PDF failure: recorded, retried by later runs
            status, error = "failed", f"{type(exc).__name__}: {exc}"[:500]
    at = ctx.now_iso()
    with ctx.uow.write() as uow:
        for event_id in event_ids:
            key = str(event_id)
            detail = orjson.dumps({"documents": [r["id"] for r in rendered], "error": error}).decode()
            if not uow.duties.record_attempt(decision_id, "documents", key,
                                             {"status": status, "detail": detail, "done_at": at}):
                uow.duties.add([{"decision_id": decision_id, "duty": "documents", "due": key, "ref": event_id,
                                 "status": status, "attempts": 1, "stream": f"documents:{decision_id}",
                                 "seq": None, "detail": detail, "done_at": at}])
    return {"decision_id": decision_id, "status": status, "documents": rendered, "error": error}


def export_archive(ctx: Context, decision_id: str, *, out_dir: Path | None = None) -> dict[str, Any]:
    """Export the archive bundle (档案, R18, Art. 33) of a decision once per head of its record:
    the bundle's hash is recorded (`ArchiveExported` on the stream `archive:<decision>`)."""
    export = _peer("archive", "export")
    with ctx.uow.read() as uow:
        head = int(uow.decisions.load(decision_id)["last_seq"])
        done = uow.duties.detail(decision_id, "archive", f"seq:{head:08d}")
    if done is not None:
        return dict(orjson.loads(done), new=False)
    if export is None:
        return {"decision_id": decision_id, "status": "skipped", "reason": "services.archive is not installed",
                "new": False}
    folder = out_dir or ctx.settings.data_dir / "archives" / decision_id
    path = folder / f"{decision_id}-seq{head:08d}.zip"
    manifest = export(ctx, decision_id, path)
    data = path.read_bytes()
    detail = {"decision_id": decision_id, "status": "done", "path": str(path), "head_seq": head,
              "sha256": hashlib.sha256(data).hexdigest(), "size": len(data),
              "checkpoint_size": manifest.get("checkpoint", {}).get("size")}
    at = ctx.now_iso()
    try:
        with ctx.uow.write() as uow:
            stored = uow.events.append(f"archive:{decision_id}", [("ArchiveExported", {
                k: v for k, v in detail.items() if k != "status"})], at=at, actor=dict(SYSTEM_ACTOR))
            uow.duties.add([{"decision_id": decision_id, "duty": "archive", "due": f"seq:{head:08d}", "ref": head,
                             "status": "done", "attempts": 1, "stream": f"archive:{decision_id}",
                             "seq": stored[-1]["seq"], "detail": orjson.dumps(detail).decode(), "done_at": at}])
    except ConcurrencyConflict:  # a concurrent run recorded this head first: keep its record
        return export_archive(ctx, decision_id, out_dir=out_dir)
    return dict(detail, new=True)


# ---------------------------------------------------------------------------------------- reports
def record_compliance_report(ctx: Context, year: int | None = None, *, scheduled: bool = False,
                             unit: str | None = None) -> dict[str, Any]:
    """The compliance report (依法行政考核, seed 001/003) per unit, from the record alone: computed,
    stored as JSON and CSV blobs and recorded once per (year, run) — yearly when scheduled, daily on demand."""
    today = ctx.today()
    year = year or (today.year - 1 if scheduled else today.year)
    duty = f"compliance_report:{year}" + (f":{_short(unit)}" if unit else "")
    due = "yearly" if scheduled else today.isoformat()
    with ctx.uow.read() as uow:
        done = uow.duties.detail("", duty, due)
    if done is not None:
        return dict(orjson.loads(done), new=False)
    report = compliance.metrics(ctx, year, unit=unit)
    json_sha = ctx.blobs.put(orjson.dumps(report, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2))
    csv_sha = ctx.blobs.put(compliance.to_csv(report).encode("utf-8"))
    rows = [{"unit": u, "decisions": m["decisions"], "finalized": m["finalized"], "overdue": m["overdue"],
             "suspensions": m["suspensions"], "evaluations": m["evaluations"],
             "legality_review_rate": m["legality_review_rate"],
             "publication_on_time_rate": m["publication_on_time_rate"]}
            for u, m in [*report["units"].items(), ("合计", report["total"])]]
    detail = {"year": year, "unit": unit, "scheduled": scheduled, "as_of": today.isoformat(), "json_sha256": json_sha,
              "csv_sha256": csv_sha, "rows": rows}
    at = ctx.now_iso()
    try:
        with ctx.uow.write() as uow:
            stored = uow.events.append("reports:compliance", [("ComplianceReportGenerated", {
                k: v for k, v in detail.items() if k != "rows"})], at=at, actor=dict(SYSTEM_ACTOR))
            uow.duties.add([{"decision_id": "", "duty": duty, "due": due, "ref": None, "status": "done",
                             "attempts": 1, "stream": "reports:compliance", "seq": stored[-1]["seq"],
                             "detail": orjson.dumps(detail).decode(), "done_at": at}])
    except ConcurrencyConflict:
        return record_compliance_report(ctx, year, scheduled=scheduled, unit=unit)
    return dict(detail, new=True)
