"""After the decision (S7–S8, R19–R21, SoD3, SoD6, Arts. 34–37): execution, change control, evaluation.

One short function per use case; every rule is checked by the decision aggregate (`domain/decision.py`)
and `domain/execution.py`. Suspension and resumption are `services.decisions.suspend` / `resume` (the head
alone, R20, SoD6). The statutory clock reads `execution_reports_due` and `evaluations_due`. Public opinions
on execution need no login: each is an event on `execution-opinions:<decision id>` (its text included, the
sender's identity kept apart in `execution_opinions`) and gets a tracking number.
"""

from __future__ import annotations

import json
import secrets
from datetime import date
from typing import Any

from decision_engine import procedures
from decision_engine.audit.canonical import sha256_hex
from decision_engine.domain import execution as ex
from decision_engine.domain import supervision as sv
from decision_engine.domain.decision import Actor, Decision, NewEvent
from decision_engine.domain.errors import (
    ConcurrencyConflict,
    DomainError,
    InvalidInput,
    NotFound,
    RuleViolation,
    Unauthenticated,
)
from decision_engine.services import decisions, meetings
from decision_engine.services.context import Context, new_id
from decision_engine.services.identity import actors_of
from decision_engine.services.ports import UnitOfWork

PUBLIC_ACTOR = {"person": "public", "role": "public", "unit": "", "name": "社会公众"}
MAX_OPINION_CHARS = 5000


def _plain(value: Any) -> Any:
    """Whole-number floats as integers: the canonical bytes (RFC 8785) write 3.0 as 3, so the live
    projection must hold 3 too, or it would differ from the replay as text (R18, `decide verify`)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _fields(**values: Any) -> dict[str, Any]:
    """Artifact fields without the options left out (None), numbers as the canonical bytes hold them."""
    return {k: _plain(v) for k, v in values.items() if v is not None}


# ---------------------------------------------------------------------------------------- execution (R19)
def designate_execution_units(ctx: Context, person_id: str, decision_id: str, units: list[str], *,
                              reason: str | None = None, expected_seq: int | None = None) -> decisions.Result:
    """The organ names the execution units before execution starts (R19, Art. 34); a change says why."""
    return decisions.record_by("execution.designate_execution_units", ctx, person_id, decision_id,
                               "execution_unit_designation", _fields(units=units, reason=reason),
                               expected_seq=expected_seq)  # its one door (AR14)


def fix_targets(ctx: Context, person_id: str, decision_id: str, *, kpis: list[dict[str, Any]],
                milestones: list[dict[str, Any]] | None = None, evaluation_on: str | None = None,
                expected_seq: int | None = None) -> decisions.Result:
    """KPIs (baseline, target), milestones and the evaluation date, fixed at decision time: refused once
    the decision is made (R19, Art. 34; R21, Art. 36)."""
    return decisions.record_artifact(ctx, person_id, decision_id, "execution_targets", _fields(
        kpis=kpis, milestones=milestones, evaluation_on=evaluation_on), expected_seq=expected_seq)


def revise_kpi(ctx: Context, person_id: str, decision_id: str, kpi_id: str, *, reason: str,
               baseline: float | None = None, target: float | None = None, name: str | None = None,
               due: str | None = None, direction: str | None = None,
               expected_seq: int | None = None) -> decisions.Result:
    """A KPI changed after the decision: a new version with its reason, by the head or organ (R19, SoD6)."""
    return decisions.record_artifact(ctx, person_id, decision_id, "kpi_revision", _fields(
        kpi_id=kpi_id, reason=reason, baseline=baseline, target=target, name=name, due=due,
        direction=direction), expected_seq=expected_seq)


def report_progress(ctx: Context, person_id: str, decision_id: str, summary: str, *,
                    kpi_values: dict[str, float] | None = None, milestones_done: list[str] | None = None,
                    obligations: dict[str, str] | None = None, supersedes: str | None = None,
                    correction_reason: str | None = None, expected_seq: int | None = None) -> decisions.Result:
    """A progress report by a designated execution unit, stamped by the engine's clock (R19, Art. 34)."""
    return decisions.record_artifact(ctx, person_id, decision_id, "execution_report", _fields(
        report_kind="progress", summary=summary, kpi_values=kpi_values, milestones_done=milestones_done,
        obligations=obligations, supersedes=supersedes, correction_reason=correction_reason),
        expected_seq=expected_seq)


def report_problem(ctx: Context, person_id: str, decision_id: str, *, ground: str, summary: str,
                   occurred_on: str | None = None, supersedes: str | None = None,
                   correction_reason: str | None = None, expected_seq: int | None = None) -> decisions.Result:
    """A problem report on an Art. 35 ground, recorded the moment it is filed (R19, Art. 35)."""
    return decisions.record_artifact(ctx, person_id, decision_id, "execution_report", _fields(
        report_kind="problem", ground=ground, summary=summary, occurred_on=occurred_on, supersedes=supersedes,
        correction_reason=correction_reason), expected_seq=expected_seq)


# ---------------------------------------------------------------------------------------- change control (R20)
def _meeting(ctx: Context, meeting_id: str | None) -> dict[str, Any] | None:
    """The state of the meeting a change rests on (its decided items never change afterwards)."""
    if not meeting_id:
        return None
    with ctx.uow.read() as uow:
        m, _ = meetings.load_meeting(uow, meeting_id)
    return m.to_dict()


def adopted_changes(ctx: Context, decision_id: str) -> list[dict[str, Any]]:
    """The change items of a decision its organ's meetings adopted (R20, Arts. 30, 37), not yet acted on:
    what the termination and adjustment forms offer."""
    with ctx.uow.read() as uow:
        d, _ = decisions.load(uow.tx, decision_id)
        rows = [r for r in meetings.meetings_of(uow, decision_id) if r["outcome"] == "adopt"]
        states = {mid: meetings.load_meeting(uow, mid)[0].state for mid in {r["meeting_id"] for r in rows}}
    used = {(str(x.get("meeting_id")), x.get("item_no"))
            for x in [*d.state.get("adjustments", []), d.state.get("termination") or {}]}
    out = []
    for r in rows:
        it = next((i for i in states[r["meeting_id"]]["items"] if i["no"] == r["item_no"]), None)
        if it is None or not it.get("change") or (r["meeting_id"], r["item_no"]) in used:
            continue
        out.append({"meeting_id": r["meeting_id"], "item_no": r["item_no"], "change": it["change"],
                    "title": r["title"], "held_on": r["held_on"], "reason": it["reason"]})
    return out


def terminate(ctx: Context, person_id: str, decision_id: str, *, basis: str, reason: str,
              basis_ref: str = "", meeting_id: str | None = None, item_no: int | None = None,
              expected_seq: int | None = None) -> decisions.Result:
    """Stop a decided decision on its stated basis, carrying out the change item `item_no` adopted at the
    organ's meeting `meeting_id`: the head or organ only (R20, SoD6, Arts. 30, 37)."""
    meeting = _meeting(ctx, meeting_id)

    def act(d: Decision, c: tuple[Actor, ...], today: date) -> tuple[Actor | None, list[NewEvent]]:
        return ex.terminate(d, c, basis, reason, basis_ref, meeting, item_no)
    return decisions.run(ctx, person_id, decision_id, act, what="terminate", expected_seq=expected_seq)


def open_adjustment(ctx: Context, person_id: str, decision_id: str, *, title: str, reason: str,
                    unit: str | None = None, due_by: str | None = None, summary: str = "",
                    basis_ref: str = "", profile: str | None = None, meeting_id: str | None = None,
                    item_no: int | None = None) -> decisions.Result:
    """A major adjustment reruns the procedure (R20, Art. 37): a NEW decision, linked both ways (an
    `AdjustmentOpened` event on the original, `AdjustsDecision` on the new one), in one transaction. The
    original stays intact and readable. Returns the new decision's result."""
    new_did = new_id("MAD")
    meeting = _meeting(ctx, meeting_id)  # R20, Arts. 30, 37: the change item the organ's meeting adopted
    at = ctx.now_iso()
    try:
        with ctx.uow.write() as uow:
            conn = uow.tx
            read = decisions.command_read(uow, decision_id, person_id, at)
            d, seq = read.decision, read.seq
            actor, here, there = ex.open_adjustment(d, read.candidates, new_did, reason, basis_ref, meeting,
                                                    item_no)
            spec = procedures.load(profile or d.spec.profile)
            _, opened = Decision.open(spec, new_did, (actor,), title=title, category=d.state["category"],
                                      unit=unit or d.state["unit"], today=ctx.today(), due_by=due_by,
                                      summary=summary, chart=d.chart)
            uow.decisions.put_spec(spec, at)
            decisions._persist(conn, d, actor, here, at, seq, None, read.head)
            new = Decision(spec, chart=d.chart)
            stored = decisions._persist(conn, new, actor, [*opened, there], at, None, 0)
            return decisions.Result(new_did, stored[-1]["seq"], tuple(stored), new.status)
    except (NotFound, Unauthenticated):
        raise
    except DomainError as refusal:
        decisions._record_refusal(ctx, person_id, decision_id, "adjust", refusal)
        raise


# ---------------------------------------------------------------------------------------- supervision (Arts. 34, 38)
def supervise(ctx: Context, person_id: str, decision_id: str, *, findings: str, instructions: str = "",
              units: list[str] | None = None, due_by: str | None = None,
              expected_seq: int | None = None) -> decisions.Result:
    """The decision organ supervises and checks the execution (督促检查, R19, Art. 34)."""
    def act(d: Decision, c: tuple[Actor, ...], today: date) -> tuple[Actor | None, list[NewEvent]]:
        return sv.supervise(d, c, findings, instructions, tuple(units or ()), due_by, today=today)
    return decisions.run(ctx, person_id, decision_id, act, what="supervise", expected_seq=expected_seq)


def order_correction(ctx: Context, person_id: str, decision_id: str, *, breach: str, findings: str,
                     required: str, due_by: str | None = None,
                     expected_seq: int | None = None) -> decisions.Result:
    """The superior organ of the decision's organ orders the correction of a breach (责令改正, ACC5,
    Art. 38 ¶1); the order's id is `CO-<decision id>-<n>`."""
    def act(d: Decision, c: tuple[Actor, ...], today: date) -> tuple[Actor | None, list[NewEvent]]:
        return sv.order_correction(d, c, breach, findings, required, due_by, today=today)
    return decisions.run(ctx, person_id, decision_id, act, what="order_correction", expected_seq=expected_seq)


def report_correction(ctx: Context, person_id: str, order_id: str, *, report: str,
                      expected_seq: int | None = None) -> decisions.Result:
    """The decision organ reports how it corrected what it was ordered to (ACC5, Art. 38 ¶1)."""
    decision_id = sv.decision_of_order(order_id)
    if not decision_id:
        raise NotFound(f"no correction order {order_id!r}", rule="ACC5", article="Art. 38 ¶1")

    def act(d: Decision, c: tuple[Actor, ...], today: date) -> tuple[Actor | None, list[NewEvent]]:
        return sv.report_correction(d, c, order_id, report)
    return decisions.run(ctx, person_id, decision_id, act, what="report_correction", expected_seq=expected_seq)


def after_decision(ctx: Context, decision_id: str, person_id: str | None) -> dict[str, Any]:
    """What the decision page shows after the decision: the organ's supervisions (R19, Art. 34), the superior
    organ's correction orders and the organ's reports (ACC5, Art. 38 ¶1), the change items its meetings
    adopted and what was done on them (R20, Arts. 30, 37); and which of the supervision acts this person may
    attempt for THIS decision (the acts' own authority check, `supervision.open_to`)."""
    with ctx.uow.read() as uow:
        d, _ = decisions.load(uow.tx, decision_id)
        actors = actors_of(uow.tx, person_id, ctx.now_iso()) if person_id else ()
        sittings = {(r["meeting_id"], r["item_no"]): r for r in meetings.meetings_of(uow, decision_id)}
    s = d.state
    done = [dict(a, change="adjust") for a in s.get("adjustments", [])]
    if s.get("termination"):
        done.append(dict(s["termination"], change="terminate"))
    acted = [dict(a, meeting=sittings.get((a.get("meeting_id"), a.get("item_no")))) for a in done
             if a.get("meeting_id")]
    return {"supervisions": list(s.get("supervisions") or []), "corrections": list(s.get("corrections") or []),
            "execution_units": list(s.get("execution_units") or []),
            "changes_pending": adopted_changes(ctx, decision_id), "changes_acted": acted,
            "may": sv.open_to(d, actors) if actors else dict.fromkeys(
                ("supervise", "order_correction", "report_correction"), False)}


# ---------------------------------------------------------------------------------------- public opinions
def opinion_stream(decision_id: str) -> str:
    """The stream of public opinions on a decision's execution."""
    return f"execution-opinions:{decision_id}"


def submit_opinion(ctx: Context, decision_id: str, text: str, *, name: str = "", contact: str = ""
                   ) -> dict[str, Any]:
    """A member of the public comments on execution, without login (Art. 34): a tracking number at once;
    the text is on the record, the identity (optional) is kept apart and never shown."""
    body = text.strip()
    if not body or len(body) > MAX_OPINION_CHARS:
        raise InvalidInput(f"an opinion has 1–{MAX_OPINION_CHARS} characters", rule="R19", article="Art. 34")
    tracking = f"ZX-{ctx.today():%Y%m%d}-{secrets.token_hex(5).upper()}"
    identity = json.dumps({"name": name.strip(), "contact": contact.strip()}, ensure_ascii=False) \
        if (name.strip() or contact.strip()) else None
    for attempt in range(3):  # concurrent submissions on one decision race for the next sequence number
        at = ctx.now_iso()
        try:
            with ctx.uow.write() as uow:
                d, _ = decisions.load(uow.tx, decision_id)
                if d.status not in ex.CHANGEABLE:
                    raise RuleViolation(f"decision {decision_id} is {d.status}: opinions on execution are "
                                        "received once it is decided", rule="R19", article="Art. 34")
                digest = sha256_hex(body.encode())
                [env] = uow.events.append(opinion_stream(decision_id), [("ExecutionOpinionReceived", {
                    "tracking_number": tracking, "decision_id": decision_id, "text": body,
                    "text_sha256": digest, "identified": identity is not None})], at=at, actor=PUBLIC_ACTOR)
                uow.opinions.add({"tracking_number": tracking, "decision_id": decision_id, "text": body,
                                  "text_sha256": digest, "identity": identity, "received_at": at,
                                  "seq": env["seq"]})
            return {"tracking_number": tracking, "decision_id": decision_id, "received_at": at,
                    "status": "received", "status_zh": "已收到"}
        except ConcurrencyConflict:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def opinion_status(ctx: Context, tracking_number: str) -> dict[str, Any]:
    """What the public sees for a tracking number (no identity)."""
    with ctx.uow.read() as uow:
        row = uow.opinions.get(tracking_number)
    if row is None:
        raise NotFound(f"no opinion with tracking number {tracking_number!r}", rule="R19", article="Art. 34")
    return {"tracking_number": tracking_number, "decision_id": row["decision_id"],
            "received_at": row["received_at"], "text_sha256": row["text_sha256"], "status": "received",
            "status_zh": "已收到"}


# ---------------------------------------------------------------------------------------- evaluation (R21)
def commission_evaluation(ctx: Context, person_id: str, decision_id: str, *, evaluator_unit: str,
                          trigger: str, reasons: str, expected_seq: int | None = None) -> decisions.Result:
    """The organ names the evaluator, never the unit that did the pre-decision work (R21, SoD3, Art. 36)."""
    return decisions.record_artifact(ctx, person_id, decision_id, "evaluation_commission", {
        "evaluator_unit": evaluator_unit, "trigger": trigger, "reasons": reasons}, expected_seq=expected_seq)


def evaluate(ctx: Context, person_id: str, decision_id: str, *, trigger: str, public_input: str,
             deputy_participation: str, findings: str, recommendation: str,
             participants: list[dict[str, str]] | None = None, expected_seq: int | None = None
             ) -> decisions.Result:
    """The evaluation report: public input and the participation of deputies, CPPCC members and social
    organisations on record (R21, Art. 36)."""
    return decisions.record_by("execution.evaluate", ctx, person_id, decision_id, "evaluation_report", _fields(
        trigger=trigger, public_input=public_input, deputy_participation=deputy_participation,
        findings=findings, recommendation=recommendation, participants=participants),
        expected_seq=expected_seq)


def decide_on_evaluation(ctx: Context, person_id: str, decision_id: str, evaluation_id: str, *,
                         outcome: str, reasons: str, expected_seq: int | None = None) -> decisions.Result:
    """The organ's conclusion on an evaluation: continue, adjust or stop (R21, Art. 36). It is the basis of a
    change, not the change: adjusting or stopping a decided decision then goes through the organ's
    collective decision — a change item tabled and adopted at its meeting, then `open_adjustment` or
    `terminate` (R20, Arts. 30, 37)."""
    fields = {"evaluation_id": evaluation_id, "outcome": outcome, "reasons": reasons}
    blob = decisions._store_blob(ctx, None, "application/json", "evaluation_decision.json", fields)
    aid = new_id("A")

    def record(d: Decision, c: tuple[Actor, ...], today: date) -> tuple[Actor | None, list[NewEvent]]:
        return d.record_artifact(c, "evaluation_decision", blob, fields, aid, ctx.calendar, today)
    return decisions.run(ctx, person_id, decision_id, record, what=f"evaluation_decision:{outcome}",
                         expected_seq=expected_seq)


# ---------------------------------------------------------------------------------------- the clock
def _decisions_in(uow: UnitOfWork, statuses: tuple[str, ...]) -> list[Decision]:
    return [decisions.load(uow.tx, i)[0] for i in uow.decisions.ids(statuses)]


def execution_reports_due(ctx: Context, today: date | None = None) -> list[dict[str, Any]]:
    """Execution reports due or overdue, one per execution unit and decision (R19, Art. 34; interval =
    the profile setting `execution_report_interval_days`): what the statutory clock watches."""
    today = today or ctx.today()
    with ctx.uow.read() as uow:
        loaded = _decisions_in(uow, ex.EXECUTING)
    out = [r for d in loaded for r in ex.reports_due(d, ctx.calendar, today)]
    return sorted(out, key=lambda r: (r["due"], r["decision_id"], r["unit"]))


def evaluations_due(ctx: Context, today: date | None = None) -> list[dict[str, Any]]:
    """Decisions whose post-decision evaluation is due, with each trigger (R21, Art. 36): the scheduled
    date fixed at decision time, the organ's commission, many public opinions, the effect not met."""
    today = today or ctx.today()
    out = []
    with ctx.uow.read() as uow:
        totals = uow.opinions.count_by_decision()
        for d in _decisions_in(uow, ex.CHANGEABLE):
            reports = d.artifacts_of("post_evaluation", "evaluation_report", all_rounds=True) \
                if d.spec.has_gate("post_evaluation") else []
            count = int(totals.get(d.id, 0))
            if count and reports:
                count = uow.opinions.count(d.id, reports[-1]["at"])
            triggers = ex.evaluation_triggers(d, today, count)
            if triggers:
                out.append({"decision_id": d.id, "title": d.state["title"], "unit": d.state["unit"],
                            "status": d.status, "triggers": triggers, "evaluations_done": len(reports),
                            "rule": "R21", "article": "Art. 36"})
    return out


# ---------------------------------------------------------------------------------------- the page's data
def execution_view(ctx: Context, decision_id: str) -> dict[str, Any]:
    """Everything after the decision on one page: units, targets and their versions, milestones, reports
    and their versions, obligations, reports due, suspension, termination, adjustments, evaluations."""
    today = ctx.today()
    with ctx.uow.read() as uow:
        d, _ = decisions.load(uow.tx, decision_id)
        opinions = uow.opinions.count(decision_id)
        reports = d.artifacts_of("post_evaluation", "evaluation_report", all_rounds=True) \
            if d.spec.has_gate("post_evaluation") else []
        since = uow.opinions.count(decision_id, reports[-1]["at"]) if reports else opinions
    s = d.state
    followed: dict[str, list[str]] = {}
    for r in ex.current_reports(d):
        for oid in r["fields"].get("obligations") or {}:
            followed.setdefault(str(oid), []).append(r["id"])
    post = {k: d.artifacts_of("post_evaluation", k, all_rounds=True) if d.spec.has_gate("post_evaluation")
            else [] for k in ("evaluation_commission", "evaluation_report", "evaluation_decision")}
    return {
        "decision_id": d.id, "title": s["title"], "status": s["status"], "decided_on": s["decided_on"],
        "execution_units": s["execution_units"],
        "designations": [{"id": a["id"], "units": a["fields"]["units"], "reason": a["fields"].get("reason"),
                          "at": a["at"], "by": a["author"]}
                         for a in (d.artifacts_of("execution", "execution_unit_designation", all_rounds=True)
                                   if d.spec.has_gate("execution") else [])],
        "kpis": ex.kpi_status(d, today), "kpi_versions": ex.kpi_ledger(d),
        "milestones": ex.milestones(d, today),
        "evaluation_on": (ex.targets(d) or {"fields": {}})["fields"].get("evaluation_on"),
        "reports": ex.report_versions(d),
        "obligations": [dict(o, followed_in=followed.get(o["id"], [])) for o in ex.obligations(d)],
        "reports_due": ex.reports_due(d, ctx.calendar, today),
        "suspension": s["suspension"], "termination": s.get("termination"),
        "supervisions": s.get("supervisions", []), "corrections": s.get("corrections", []),
        "adjustments": s.get("adjustments", []), "adjusts": s.get("adjusts"),
        "evaluation": {"commissions": post["evaluation_commission"], "reports": post["evaluation_report"],
                       "decisions": post["evaluation_decision"],
                       "triggers": ex.evaluation_triggers(d, today, since)},
        "public_opinions": opinions,
    }
