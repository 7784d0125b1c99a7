"""Queries for the people's pages: what waits for each person (with its deadline and legal basis), the
legal office's review queue, the decision page as a procedure stepper, and the dashboard figures.

Everything here reads; what is missing and who may supply it comes from the domain (`missing_for`) and the
pinned procedure (roles per artifact kind, determination and gate), never from a page.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from decision_engine.domain import accountability as acc
from decision_engine.domain import execution as ex
from decision_engine.domain.decision import DECIDED, OPENERS, PRE_DECISION, Decision
from decision_engine.domain.errors import DomainError, InvalidInput, Missing
from decision_engine.domain.participation import RECORD_PRESENTERS
from decision_engine.domain.procedure import GateSpec
from decision_engine.domain.statutory_time import statutory_day
from decision_engine.domain.values import Actor, BlobRef
from decision_engine.services import access
from decision_engine.services.clock import statutory_date
from decision_engine.services.compliance import publication_kept
from decision_engine.services.context import Context, unit_of
from decision_engine.services.decisions import load
from decision_engine.services.identity import actors_of
from decision_engine.services.meetings import meetings_of
from decision_engine.services.queries import deadlines, view

LIVE = (*PRE_DECISION, *DECIDED, "suspended")
SETTLED = ("cleared", "exempted", "not_applicable")


def decisions_in(tx: Any, statuses: tuple[str, ...], limit: int = 500) -> list[Decision]:
    """Decisions in these statuses, most recently changed first (`tx`: a unit of work's transaction)."""
    uow = unit_of(tx)
    ids = uow.decisions.ids(statuses, recent_first=True, limit=limit)
    return [load(uow.tx, i)[0] for i in ids]


def _roles_for(d: Decision, g: GateSpec, m: Missing) -> tuple[str, ...]:
    """Who may supply a missing item: the determination's, the gate's clearing or the artifact's roles."""
    if m.kind.startswith("determination:"):
        return d.spec.determination(m.kind.removeprefix("determination:")).roles
    if m.kind == "clear":
        return g.clear
    kind = d.spec.artifacts.get(m.kind)
    return kind.roles if kind else ()


def _what(d: Decision, kind: str) -> dict[str, Any] | None:
    """The artifact kind or determination a missing item names: its id, Chinese name and roles."""
    if kind.startswith("determination:"):
        det = d.spec.determinations.get(kind.removeprefix("determination:"))
        return {"id": det.id, "name_zh": det.name_zh, "roles": list(det.roles)} if det else None
    k = d.spec.artifacts.get(kind)
    return {"id": k.id, "name_zh": k.name_zh, "roles": list(k.roles)} if k else None


class _ContentNeeded(Exception):
    """The dry run reached what the person will type: from here on, the form and its refusal decide."""


class _Untyped:
    """A field the person has not typed yet. Any use of it ends the dry run, except the domain's check that
    a field is present (`fields.get(f) in (None, "", [], {})`), which it passes."""

    __slots__ = ("_present",)

    def __init__(self, present: bool) -> None:
        self._present = present

    def __eq__(self, other: object) -> bool:
        if self._present:
            return False
        raise _ContentNeeded

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    def _stop(self, *args: Any, **kwargs: Any) -> Any:
        raise _ContentNeeded

    __hash__ = __bool__ = __len__ = __iter__ = __str__ = __repr__ = __format__ = _stop
    __lt__ = __le__ = __gt__ = __ge__ = __contains__ = __getitem__ = __float__ = __int__ = _stop

    def __getattr__(self, name: str) -> Any:
        raise _ContentNeeded


class _Unfilled(dict[str, Any]):
    """A form not filled in yet, for a dry run of the act."""

    def get(self, key: str, default: Any = None) -> Any:
        return _Untyped(present=True)

    def __getitem__(self, key: str) -> Any:
        return _Untyped(present=False)

    def __contains__(self, key: object) -> bool:
        return True


_PROBE = BlobRef(sha256="0" * 64, size=0, media_type="application/json", filename="dry-run.json")


def refused_now(d: Decision, actors: tuple[Actor, ...], act: str, gate: str, kind: str, cal: Any,
                today: date) -> DomainError | None:
    """The refusal the domain would give this person for this act now, whatever they type (a dry run of the
    domain's own command; nothing is kept), or None when only what they type can still be refused. A queue
    offers only acts that are not refused now (issue 18 §6: the same rules as the refusals)."""
    try:
        if act in ("record", "may_record"):
            d.record_artifact(actors, kind, _PROBE, _Unfilled(), "dry-run", cal, today)
        elif act == "clear":
            d.clear_gate(actors, gate, today)
        elif act == "finalize":
            d.finalize(actors, today)
    except (_ContentNeeded, InvalidInput):
        return None
    except DomainError as refusal:
        return refusal
    except (TypeError, ValueError, KeyError, AttributeError):  # the dry run's blank form, not the rules
        return None
    return None


def _in_phase(d: Decision, g: GateSpec) -> bool:
    return d.status in (PRE_DECISION if g.phase == "pre" else (*DECIDED, "suspended"))


def pending(d: Decision, roles: set[str], person_id: str, today: date, cal: Any,
            actors: tuple[Actor, ...] = ()) -> list[dict[str, Any]]:
    """What this decision waits for from someone holding these roles, with deadlines and legal basis: each
    act once, and only acts the domain would not refuse them now (with `actors`, a dry run of each)."""
    due = {x["gate"]: x for x in deadlines(d, cal, today) if not x["satisfied"]}
    out: list[dict[str, Any]] = []
    seen: set[tuple[str, str, str]] = set()
    stage_names = {s["id"]: s.get("name_zh", s["id"]) for s in d.spec.stages}

    def add(g: GateSpec, m: Missing, act: str) -> None:
        if (g.id, act, m.kind) in seen:
            return
        seen.add((g.id, act, m.kind))
        if actors and refused_now(d, actors, act, g.id, m.kind, cal, today) is not None:
            return
        out.append({"decision_id": d.id, "title": d.state["title"], "status": d.status, "gate": g.id,
                    "gate_name": g.name_zh, "stage": g.stage, "stage_name": stage_names.get(g.stage, g.stage),
                    "act": act, "kind": m.kind, "need": m.need,
                    "rule": m.rule, "article": m.article, "deadline": due.get(g.id), "what": _what(d, m.kind)})
    for g in d.spec.gates:
        status = d.gate_status(g)
        if not _in_phase(d, g):
            continue
        if g.condition == "optional" and status == "not_applicable":
            for k in d.spec.kinds_of_gate(g.id):
                if roles & set(k.roles) and k.required:
                    add(g, Missing(k.rule, k.article, g.id, f"artifact '{k.id}' ({k.name_zh}) may be recorded",
                                   k.id), "may_record")
            continue
        if status in SETTLED:
            continue
        missing = d.missing_for(g)
        order = [k.id for k in d.spec.kinds_of_gate(g.id)]
        for m in missing:
            mine = bool(roles & set(_roles_for(d, g, m)))
            # In the procedure's order: an item is offered once what the procedure lists before it in the
            # same gate, for others to record, is there (no legality opinion before the submission).
            earlier = [x for x in missing if x.kind in order and m.kind in order and
                       order.index(x.kind) < order.index(m.kind) and not roles & set(_roles_for(d, g, x))]
            if mine and not earlier:
                add(g, m, "determine" if m.kind.startswith("determination:") else "record")
        authors = {a["author"]["person"] for a in d.artifacts_of(g.id)}
        if not missing and not g.auto and status == "submitted" and roles & set(g.clear) and \
                person_id not in authors:  # SoD8: an author is not asked to clear
            add(g, Missing(g.rule, g.article, g.id, f"the gate waits to be cleared by {' / '.join(g.clear)}",
                           "clear"), "clear")
    if d.status == "ready_for_decision" and "admin_head" in roles and not d.finalization_missing():
        g = d.spec.gate("collective_decision")
        add(g, Missing("R15", "Art. 30", g.id, "every gate holds: the head may finalize the decision",
                       "finalize"), "finalize")
    return out


def work_queue(ctx: Context, person_id: str) -> dict[str, Any]:
    """The person's roles now and everything that waits for them, soonest deadline first."""
    at, today = ctx.now_iso(), ctx.today()
    with ctx.store.read() as conn:
        actors = actors_of(conn, person_id, at)
        decisions = decisions_in(conn, LIVE)
    roles = {a.role for a in actors}
    items = [i for d in decisions for i in pending(d, roles, person_id, today, ctx.calendar, actors)]
    items.sort(key=lambda i: (i["deadline"]["due"] if i["deadline"] else "9999", i["decision_id"], i["gate"]))
    legal_office = bool(roles & LEGAL_OFFICE)
    return {"person": person_id, "roles": [a.to_dict() for a in actors], "items": items,
            "today": today.isoformat(), "may_open": bool(roles & set(OPENERS)),
            # issue 18 §6: the legal office sees on its work page the submissions /legal holds
            "legal_held": legal_queue(ctx) if legal_office else []}


LEGAL_OFFICE = {"legality_reviewer", "legal_adviser"}  # the legal office (合法性审查机构) and its advisers


def legal_queue(ctx: Context) -> list[dict[str, Any]]:
    """Decisions submitted for legality review (R11–R12): working days left, the statutory minimum."""
    today = ctx.today()
    cal = ctx.calendar
    with ctx.store.read() as conn:
        decisions = decisions_in(conn, PRE_DECISION)
    out = []
    for d in decisions:
        if not d.spec.has_gate("legality_review"):
            continue
        g = d.spec.gate("legality_review")
        sub = d.latest(g.id, "legality_submission")
        status = d.gate_status(g)
        if sub is None or status in SETTLED:
            continue
        requested = statutory_day(sub["fields"]["requested_deadline"])
        left, provisional = cal.working_days_between(today, requested)
        dur = d.spec.durations["legality_review"]
        submitted = statutory_date(sub["at"])
        minimum = cal.add_working_days(submitted, dur.days, f"{dur.rule} {dur.article}")
        out.append({"decision_id": d.id, "title": d.state["title"], "unit": d.state["unit"], "status": status,
                    "submitted_on": submitted.isoformat(), "draft_version": sub["draft_version"],
                    "requested_deadline": requested.isoformat(), "working_days_left": left,
                    "provisional": provisional or minimum.provisional, "minimum": minimum.to_dict(),
                    "advisers": len(d.artifacts_of(g.id, "legal_adviser_opinion")),
                    "opinion": (d.latest(g.id, "legality_opinion") or {}).get("fields", {}).get("conclusion"),
                    "missing": [m.to_dict() for m in d.missing_for(g)]})
    out.sort(key=lambda x: x["working_days_left"])
    return out


def decision_page(ctx: Context, decision_id: str, person_id: str | None) -> dict[str, Any]:
    """The decision as a stepper: stages, their gates, artifact kinds and determinations, the acts the
    person's roles allow them to attempt (the domain still decides), and what waits for them."""
    at, today = ctx.now_iso(), ctx.today()
    with ctx.store.read() as conn:
        d, _ = load(conn, decision_id)
        actors = actors_of(conn, person_id, at) if person_id else ()
        sittings = meetings_of(conn, decision_id)
    roles = {a.role for a in actors}
    v = view(d, ctx.calendar, today)
    gates = {g["id"]: g for g in v["gates"]}
    due: dict[str, list[dict[str, Any]]] = {}
    for x in v["deadlines"]:
        due.setdefault(x["gate"], []).append(x)
    stages = []
    for stage in d.spec.stages:
        mine = [g for g in d.spec.gates if g.stage == stage["id"]]
        views = []
        for g in mine:
            kinds = [{"id": k.id, "name_zh": k.name_zh, "roles": list(k.roles), "fields": list(k.fields),
                      "required": k.required, "when": k.when, "rule": k.rule, "article": k.article,
                      "mine": bool(roles & set(k.roles))} for k in d.spec.kinds_of_gate(g.id)]
            exemption = d.spec.artifacts.get(g.exemption_kind) if g.exemptible else None
            views.append(dict(gates[g.id], kinds=kinds, deadlines=due.get(g.id, []),
                              can_clear=bool(roles & set(g.clear)),
                              can_exempt=bool(exemption and roles & set(exemption.roles))))
        statuses = {g["status"] for g in views}
        state = "not_applicable" if statuses == {"not_applicable"} else \
            "done" if views and statuses <= set(SETTLED) else \
            "current" if stage["id"] == v["stage"] else "waiting"
        stages.append(dict(stage, gates=views, state=state))
    dets = [{"id": k.id, "name_zh": k.name_zh, "roles": list(k.roles), "rule": k.rule, "article": k.article,
             "mine": bool(roles & set(k.roles)), "recorded": v["flags"].get(k.id)}
            for k in d.spec.determinations.values()]
    acts = {"draft": bool(roles & set(d.spec.artifact_kind("draft").roles)),
            "finalize": "admin_head" in roles, "suspend": "admin_head" in roles, "resume": "admin_head" in roles,
            "withdraw": bool(roles & {"admin_head", "decision_organ"}),
            "close": bool(roles & {"admin_head", "decision_organ"}),
            "publish": d.spec.has_gate("publication") and bool(
                roles & set(d.spec.artifact_kind("publication_record").roles)),
            "supplement": "legality_reviewer" in roles,
            "hearing_present": bool(roles & set(RECORD_PRESENTERS)),
            "hearing_confirm": "hearing_participant" in roles,
            "adjust": bool(roles & set(ex.CHANGE_ROLES)) and d.status in ex.CHANGEABLE,
            "cases": bool(roles & set(acc.CASE_ROLES)),
            "render": bool(person_id) and may_record(ctx, person_id or "")}
    return {"decision": v, "stages": stages, "determinations": dets, "acts": acts,
            "roles": [a.to_dict() for a in actors], "summary": d.state.get("summary", ""),
            "waiting": pending(d, roles, person_id or "", today, ctx.calendar, actors) if person_id else [],
            "procedure_title": d.spec.title_zh, "today": today.isoformat(), "meetings": sittings}


def may_record(ctx: Context, person_id: str) -> bool:
    """Whether the person may put anything into a record (a rendering too): the rule documents.render
    applies (an auditor reads and compares, and is not offered what would be refused)."""
    try:
        access.require_procedure_role(ctx, person_id, "rendering an official document into the record")
    except DomainError:
        return False
    return True


def dashboard(ctx: Context) -> dict[str, Any]:
    """Figures for the dashboard: decisions by stage and status, statutory time limits kept or missed
    (R17 publication, R11 review time given, R22 due date), overdue items per unit."""
    today = ctx.today()
    cal = ctx.calendar
    with ctx.store.read() as conn:
        decisions = decisions_in(conn, (*LIVE, "closed", "withdrawn"), limit=2000)
    by_stage: Counter[str] = Counter()
    by_status: Counter[str] = Counter()
    timing: dict[str, Counter[str]] = {"publication": Counter(), "legality_review": Counter(),
                                       "due_by": Counter()}
    overdue: Counter[str] = Counter()
    for d in decisions:
        s = d.state
        by_stage[s["stage"]] += 1
        by_status[s["status"]] += 1
        for x in deadlines(d, cal, today):
            overdue[s["unit"]] += bool(x["overdue"])
        kept = publication_kept(d, cal, today) if d.spec.has_gate("publication") else None
        if kept:  # the clock's computation, as on the compliance page and in the queue
            timing["publication"][kept] += 1
        if s.get("due_by"):
            timing["due_by"][_kept(s.get("decided_on"), s["due_by"], today)] += 1
        if d.spec.has_gate("legality_review"):
            sub = d.latest("legality_review", "legality_submission")
            op = d.latest("legality_review", "legality_opinion")
            if sub is not None:
                timing["legality_review"][_kept(statutory_date(op["at"]).isoformat() if op else None,
                                                statutory_day(sub["fields"]["requested_deadline"]).isoformat(),
                                                today)] += 1
    return {"today": today.isoformat(), "decisions": len(decisions),
            "by_stage": dict(sorted(by_stage.items())), "by_status": dict(sorted(by_status.items())),
            "timing": {k: {"on_time": c["on_time"], "late": c["late"], "pending": c["pending"]}
                       for k, c in timing.items()},
            "overdue_by_unit": dict(sorted(((u, n) for u, n in overdue.items() if n), key=lambda x: -x[1]))}


def _kept(done_on: str | None, due: str, today: date) -> str:
    """on_time, late or pending for a limit due on `due` and met (or not yet) on `done_on`."""
    if done_on:
        return "on_time" if statutory_day(done_on).isoformat() <= due else "late"
    return "late" if today.isoformat() > due else "pending"


def comments_per_day(ctx: Context, days: int = 30) -> list[tuple[str, int]]:
    """Public comments received per day (R6, the comment intake records), the latest `days` days that had
    any, oldest first — for the dashboard's chart."""
    with ctx.uow.read() as uow:
        return uow.comments.per_day(days)
