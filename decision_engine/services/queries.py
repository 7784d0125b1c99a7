"""Queries for doors: a decision as shown to people (gates, what is missing, deadlines), lists, history."""

from __future__ import annotations

import base64
import json
from datetime import date
from typing import Any

from sqlalchemy import Connection, Select, bindparam, func, or_, select

from decision_engine.adapters import store as st
from decision_engine.adapters.tables import DECISIONS, EVENTS
from decision_engine.domain.calendar import Deadline, StatutoryCalendar
from decision_engine.domain.decision import PRE_DECISION, Decision
from decision_engine.domain.errors import InvalidInput
from decision_engine.services.context import Context
from decision_engine.services.decisions import load, stream_of

D = DECISIONS
E = EVENTS


def deadlines(d: Decision, cal: StatutoryCalendar, today: date) -> list[dict[str, Any]]:
    """Statutory deadlines of a decision, computed on the calendar now (provisional years flagged)."""
    out: list[dict[str, Any]] = []

    def add(name: str, dl: Deadline, gate: str, satisfied: bool) -> None:
        item = dl.to_dict()
        item.update(name=name, gate=gate, overdue=(not satisfied and today > dl.due), satisfied=satisfied)
        out.append(item)
    for notice in d.artifacts_of("public_participation", "comment_notice"):
        pub = date.fromisoformat(notice["fields"]["published_at"][:10])
        dur = d.spec.durations["comment_period"]
        dl = cal.add_calendar_days(pub, dur.days, f"{dur.rule} {dur.article}")
        add("comment_period_min", dl, "public_participation", today > date.fromisoformat(
            notice["fields"]["deadline"][:10]))
    sub = d.latest("legality_review", "legality_submission")
    if sub is not None:
        dur = d.spec.durations["legality_review"]
        start = date.fromisoformat(sub["at"][:10])
        dl = cal.add_working_days(start, dur.days, f"{dur.rule} {dur.article}")
        add("legality_review_min", dl, "legality_review",
            d.gate_satisfied(d.spec.gate("legality_review")))
    if d.state.get("decided_on"):
        dur = d.spec.durations["publication"]
        dl = cal.add_working_days(date.fromisoformat(d.state["decided_on"]), dur.days,
                                  f"{dur.rule} {dur.article}")
        add("publication_max", dl, "publication", d.gate_satisfied(d.spec.gate("publication")))
    if d.state.get("due_by") and d.status in ("draft", "in_procedure", "ready_for_decision"):
        due = date.fromisoformat(d.state["due_by"])
        out.append({"name": "due_by", "gate": "collective_decision", "due": due.isoformat(),
                    "unit": "date", "days": 0, "start": d.state["opened_at"][:10], "provisional": False,
                    "basis": "R22 Art. 38 ¶2", "overdue": today > due, "satisfied": False})
    return out


def view(d: Decision, cal: StatutoryCalendar, today: date) -> dict[str, Any]:
    """The decision as doors show it: state, each gate with status and what is missing, deadlines."""
    s = d.to_dict()
    gates = []
    for g in d.spec.gates:
        status = d.gate_status(g)
        missing = [] if status in ("cleared", "exempted", "not_applicable") else \
            [m.to_dict() for m in d.missing_for(g)]
        gates.append({"id": g.id, "stage": g.stage, "name_zh": g.name_zh, "rule": g.rule,
                      "article": g.article, "status": status, "phase": g.phase,
                      "clear_roles": list(g.clear), "exemptible": g.exemptible,
                      "exemption": s["gates"][g.id]["exemption"], "missing": missing,
                      "artifacts": [a["id"] for a in d.artifacts_of(g.id, all_rounds=True)]})
    return {"id": s["id"], "title": s["title"], "category": s["category"], "unit": s["unit"],
            "units": s["units"], "status": s["status"], "stage": s["stage"], "seq": s["seq"],
            "procedure": s["procedure"], "opened_at": s["opened_at"], "updated_at": s["updated_at"],
            "due_by": s["due_by"], "draft_version": s["draft_version"], "drafts": s["drafts"],
            "flags": s["flags"], "gates": gates, "artifacts": list(s["artifacts"].values()),
            "decided_on": s["decided_on"], "published_on": s["published_on"],
            "suspension": s["suspension"], "execution_units": s["execution_units"],
            "exemptions": s["exemptions"], "refused_attempts": s["refused_attempts"],
            "finalization_missing": [m.to_dict() for m in d.finalization_missing()]
            if s["status"] in ("draft", "in_procedure", "ready_for_decision") else [],
            "deadlines": deadlines(d, cal, today)}


def get_decision(ctx: Context, decision_id: str) -> dict[str, Any]:
    """The current view of a decision."""
    with ctx.store.read() as conn:
        d, _ = load(conn, decision_id)
    return view(d, ctx.calendar, ctx.today())


def replay(conn: Connection, decision_id: str, *, upto_seq: int | None = None,
           until_at: str | None = None) -> Decision:
    """Fold a decision's events (up to a sequence or a moment) into a fresh aggregate."""
    st.load_decision(conn, decision_id)
    events = st.stream_events(conn, stream_of(decision_id), upto_seq=upto_seq, until_at=until_at)
    if not events:
        raise InvalidInput(f"decision {decision_id} did not exist at that moment")
    d = Decision(st.get_spec(conn, events[0]["payload"]["procedure"]["hash"]),
                 resolve=lambda h: st.get_spec(conn, h))
    for ev in events:
        d.apply(ev, refresh=False)  # derived fields depend only on the rest of the state: once, at the end
    d.refresh()
    return d


def history_at(ctx: Context, decision_id: str, *, at: str | None = None, seq: int | None = None
               ) -> dict[str, Any]:
    """The decision as it stood at a moment or sequence number (time travel)."""
    with ctx.store.read() as conn:
        d = replay(conn, decision_id, upto_seq=seq, until_at=at)
    when = date.fromisoformat(at[:10]) if at else ctx.today()
    return view(d, ctx.calendar, when)


def events(ctx: Context, decision_id: str, *, after_seq: int = 0, limit: int = 500) -> list[dict[str, Any]]:
    """A decision's events with their chain hashes, oldest first."""
    with ctx.store.read() as conn:
        st.load_decision(conn, decision_id)
        rows = conn.execute(select(E.c.body, E.c.hash, E.c.prev_hash)
                            .where(E.c.stream == stream_of(decision_id), E.c.seq > after_seq)
                            .order_by(E.c.seq).limit(limit)).all()
    return [dict(json.loads(r.body), hash=r.hash, prev_hash=r.prev_hash) for r in rows]


def list_decisions(ctx: Context, *, status: str | None = None, unit: str | None = None,
                   category: str | None = None, stage: str | None = None, q: str | None = None,
                   overdue: bool | None = None, cursor: str | None = None, limit: int = 50
                   ) -> dict[str, Any]:
    """Decisions, newest first, filtered, with an opaque cursor for the next page."""
    limit = max(1, min(limit, 200))
    query = list_statement(ctx.today().isoformat(), status=status, unit=unit, category=category, stage=stage,
                           q=q, overdue=overdue, cursor=cursor, limit=limit)
    with ctx.store.read() as conn:
        rows = [dict(r) for r in conn.execute(query).mappings()]
    nxt = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        nxt = base64.urlsafe_b64encode(json.dumps([last["opened_at"], last["id"]]).encode()).decode()
    return {"items": rows, "next_cursor": nxt}


def list_statement(today: str, *, status: str | None = None, unit: str | None = None,
                   category: str | None = None, stage: str | None = None, q: str | None = None,
                   overdue: bool | None = None, cursor: str | None = None, limit: int = 50) -> Select[Any]:
    """The list's query (one more row than the page, to know whether another page follows)."""
    query = select(D.c.id, D.c.title, D.c.category, D.c.unit, D.c.status, D.c.stage, D.c.opened_at,
                   D.c.updated_at, D.c.due_by, D.c.procedure_id, D.c.last_seq)
    for col, val in (("status", status), ("unit", unit), ("category", category), ("stage", stage)):
        if val:
            query = query.where(D.c[col] == val)
    if q:
        like = f"%{q}%"
        query = query.where(or_(D.c.title.like(like), D.c.id == q))
    if overdue:  # R22: literals, so that the planner sees the partial index ix_decisions_overdue applies
        query = query.where(D.c.due_by.is_not(None), D.c.due_by < today,
                            D.c.status.in_(bindparam("undecided", PRE_DECISION, expanding=True,
                                                     literal_execute=True)))
    if cursor:
        try:
            opened, did = json.loads(base64.urlsafe_b64decode(cursor.encode()).decode())
            if not isinstance(opened, str) or not isinstance(did, str):
                raise TypeError("cursor parts must be strings")
        except (ValueError, TypeError):
            raise InvalidInput("malformed cursor") from None
        query = query.where(or_(D.c.opened_at < opened, (D.c.opened_at == opened) & (D.c.id < did)))
    return query.order_by(D.c.opened_at.desc(), D.c.id.desc()).limit(limit + 1)


def count_decisions(ctx: Context) -> int:
    """How many decisions the store holds."""
    with ctx.store.read() as conn:
        return int(conn.execute(select(func.count()).select_from(D)).scalar_one())
