"""Queries for doors: a decision as shown to people (gates, what is missing, deadlines), lists, history."""

from __future__ import annotations

import base64
import itertools
import json
from datetime import date, datetime
from typing import Any

from decision_engine.adapters import query_repo
from decision_engine.adapters import store as st
from decision_engine.adapters.store import no_cyclic_gc
from decision_engine.domain import projection
from decision_engine.domain.authority import ReadScope
from decision_engine.domain.calendar import Deadline, StatutoryCalendar
from decision_engine.domain.decision import Decision
from decision_engine.domain.errors import InvalidInput
from decision_engine.domain.rules.participation import live_notices
from decision_engine.domain.statutory_time import instant, statutory_date, statutory_day, zone_of
from decision_engine.services.clock import iso
from decision_engine.services.context import Context, unit_of
from decision_engine.services.decisions import load, stream_of
from decision_engine.services.ports import UnitOfWork


def statutory_today(d: Decision, when: date | datetime | str) -> date:
    """The statutory "today" of a decision at a moment: that moment's date in its jurisdiction's zone."""
    if isinstance(when, date) and not isinstance(when, datetime):
        return when
    return statutory_date(when, zone_of(d.spec.settings))


def deadlines(d: Decision, cal: StatutoryCalendar, now: date | datetime | str) -> list[dict[str, Any]]:
    """Statutory deadlines of a decision, computed on the calendar at a moment (provisional years flagged).

    Every date is a statutory date (``statutory_time``): an act's day is the date of its moment in the
    jurisdiction's time zone, and "today" is the date of ``now`` there (a date is taken as it is)."""
    out: list[dict[str, Any]] = []
    tz = zone_of(d.spec.settings)
    today = statutory_today(d, now)

    def add(name: str, dl: Deadline, gate: str, satisfied: bool) -> None:
        item = dl.to_dict()
        item.update(name=name, gate=gate, overdue=(not satisfied and today > dl.due), satisfied=satisfied)
        out.append(item)
    for notice in live_notices(d):
        pub = statutory_day(notice["fields"]["published_at"], tz)
        dur = d.spec.durations["comment_period"]
        dl = cal.add_calendar_days(pub, dur.days, f"{dur.rule} {dur.article}")
        add("comment_period_min", dl, "public_participation",
            today > statutory_day(notice["fields"]["deadline"], tz))
    sub = d.latest("legality_review", "legality_submission")
    if sub is not None:
        dur = d.spec.durations["legality_review"]
        start = statutory_date(sub["at"], tz)
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
                    "unit": "date", "days": 0, "start": statutory_date(d.state["opened_at"], tz).isoformat(), "provisional": False,
                    "basis": "R22 Art. 38 ¶2", "overdue": today > due, "satisfied": False})
    return out


def view(d: Decision, cal: StatutoryCalendar, now: date | datetime | str) -> dict[str, Any]:
    """The decision as doors show it at a moment: state, each gate with status and what is missing,
    deadlines (evaluated at the statutory date of ``now``).

    The view shares the state's values (no copy: a deep copy of a finished decision's state was 57% of
    reading it, bench/profiles/read-before.txt): every caller loads a Decision for the view and does not
    change it afterwards; a caller that goes on to apply events to ``d`` must copy the view first."""
    s = d.state
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
    p = d.parties()
    return {"id": s["id"], "title": s["title"], "category": s["category"], "unit": s["unit"],
            "organ": p.organ or None,
            "parties": {"experts": sorted(p.experts), "hearing_participants": sorted(p.hearing_participants),
                        "presiding_head": p.presiding_head, "execution_units": list(p.execution_units),
                        "evaluator_units": list(p.evaluator_units)},
            "units": s["units"], "status": s["status"], "stage": s["stage"], "seq": s["seq"],
            "procedure": s["procedure"], "opened_at": s["opened_at"], "updated_at": s["updated_at"],
            "due_by": s["due_by"], "draft_version": s["draft_version"], "drafts": s["drafts"],
            "organ_level": s.get("organ_level"), "applies": s.get("applies"),  # R1, Arts. 2, 42
            "procedure_by_law": s.get("procedure_by_law"),  # R1, Art. 3 ¶2
            "flags": s["flags"], "gates": gates,
            "artifacts": sorted(s["artifacts"].values(), key=lambda a: (a["seq"], a["id"])),
            "decided_on": s["decided_on"], "published_on": s["published_on"],
            "suspension": s["suspension"], "execution_units": s["execution_units"],
            "exemptions": s["exemptions"], "refused_attempts": s["refused_attempts"],
            "finalization_missing": [m.to_dict() for m in d.finalization_missing()]
            if s["status"] in ("draft", "in_procedure", "ready_for_decision") else [],
            "deadlines": deadlines(d, cal, now)}


def get_decision(ctx: Context, decision_id: str) -> dict[str, Any]:
    """The current view of a decision."""
    with ctx.store.read() as conn:
        d, _ = load(conn, decision_id)
    return view(d, ctx.calendar, ctx.now())


def replay(tx: UnitOfWork | Any, decision_id: str, *, upto_seq: int | None = None,
           until_at: str | None = None) -> Decision:
    """Fold a decision's events (up to a sequence or a moment) into a fresh aggregate (`tx`: a unit of work,
    or the transaction handle of a caller not behind the port yet)."""
    uow = unit_of(tx)
    uow.decisions.head(decision_id)  # NotFound for an unknown decision (its state is not read)
    with no_cyclic_gc():
        # each event decoded just before it is folded and released after (issue 19 §3)
        events = uow.events.iter_stream(stream_of(decision_id), upto_seq=upto_seq, until_at=until_at)
        first = next(events, None)
        if first is None:
            raise InvalidInput(f"decision {decision_id} did not exist at that moment")
        d = Decision(uow.decisions.spec(first["payload"]["procedure"]["hash"]), resolve=uow.decisions.spec)
        # = d.apply(ev, refresh=False) for each event, faster
        projection.fold_all(d, itertools.chain((first,), events), d.events)
        del first, events
        d.refresh()  # derived fields depend only on the rest of the state: once, at the end
    return d


def history_at(ctx: Context, decision_id: str, *, at: str | None = None, seq: int | None = None
               ) -> dict[str, Any]:
    """The decision as it stood at a moment or sequence number (time travel).

    Deadlines are evaluated at the statutory date of ``at`` (the view a person saw at that moment), or
    of now when only a sequence number is given."""
    with ctx.uow.read() as uow:
        d = replay(uow, decision_id, upto_seq=seq, until_at=_stored_moment(at) if at else None)
    return view(d, ctx.calendar, at or ctx.now())


def _stored_moment(at: str) -> str:
    """A moment as events store `at` (UTC, microseconds), so that the text comparison is a time one."""
    try:
        return iso(instant(at))
    except ValueError:
        raise InvalidInput(f"{at!r} is not an ISO 8601 moment") from None


def events(ctx: Context, decision_id: str, *, after_seq: int = 0, limit: int = 500) -> list[dict[str, Any]]:
    """A decision's events with their chain hashes, oldest first."""
    with ctx.store.read() as conn:
        st.load_decision(conn, decision_id)
        return query_repo.event_page(conn, stream_of(decision_id), after_seq=after_seq, limit=limit)


def list_decisions(ctx: Context, *, status: str | None = None, unit: str | None = None,
                   category: str | None = None, stage: str | None = None, q: str | None = None,
                   overdue: bool | None = None, cursor: str | None = None, limit: int = 50,
                   reader: ReadScope | None = None) -> dict[str, Any]:
    """Decisions, newest first, filtered (to what `reader` admits, AR13), with an opaque cursor for the
    next page."""
    limit = max(1, min(limit, 200))
    with ctx.store.read() as conn:
        rows = query_repo.list_decisions(conn, ctx.today().isoformat(), status=status, unit=unit,
                                         category=category, stage=stage, q=q, overdue=overdue,
                                         cursor=_cursor(cursor) if cursor else None, limit=limit,
                                         reader=reader)
    nxt = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        nxt = base64.urlsafe_b64encode(json.dumps([last["opened_at"], last["id"]]).encode()).decode()
    return {"items": rows, "next_cursor": nxt}


def _cursor(cursor: str) -> tuple[str, str]:
    try:
        opened, did = json.loads(base64.urlsafe_b64decode(cursor.encode()).decode())
        if not isinstance(opened, str) or not isinstance(did, str):
            raise TypeError("cursor parts must be strings")
    except (ValueError, TypeError):
        raise InvalidInput("malformed cursor") from None
    return opened, did


def count_decisions(ctx: Context) -> int:
    """How many decisions the store holds."""
    with ctx.store.read() as conn:
        return query_repo.count_decisions(conn)
