"""Accountability (责任追究, Arts. 38–41; R22): the responsibility ledger, trace-back (责任倒查) per decision
and per person (lifelong: across transfers and retirement), accountability cases, undue-delay incidents.

The ledger and trace-back are read from the events alone (each names the natural person with the role and
unit held at that moment, Art. 38). A case is an aggregate (`domain/accountability.py`) on its own stream
`accountability:<id>` with its projection in `accountability_cases`. The Prefect clock calls
`open_undue_delay_incidents` (idempotent: a unique incident key allows at most one per decision).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from decision_engine.domain import accountability as acc
from decision_engine.domain.decision import PRE_DECISION, Actor, Decision, NewEvent
from decision_engine.domain.errors import ConcurrencyConflict, NotFound
from decision_engine.services import decisions
from decision_engine.services.context import SYSTEM_ACTOR, Context, new_id, unit_of
from decision_engine.services.identity import actors_of, person_view
from decision_engine.services.meetings import meetings_of
from decision_engine.services.meetings import stream_of as meeting_stream
from decision_engine.services.ports import UnitOfWork

LIFELONG = "Art. 38 ¶2（终身责任追究、责任倒查）；政务处分法 Art. 27（离职、退休人员仍可追究）"
CaseAct = Callable[[acc.Case, UnitOfWork, tuple[Actor, ...]], tuple[Actor, list[NewEvent]]]


@dataclass(frozen=True, slots=True)
class CaseResult:
    """What a case command did: the case, its new sequence, the events appended."""

    case_id: str
    seq: int
    events: tuple[dict[str, Any], ...]
    status: str

    def to_dict(self) -> dict[str, Any]:
        """JSON form for doors."""
        return {"case_id": self.case_id, "seq": self.seq, "status": self.status,
                "events": [{"seq": e["seq"], "type": e["type"]} for e in self.events]}


def stream_of(case_id: str) -> str:
    """The event stream of an accountability case."""
    return f"accountability:{case_id}"


# ---------------------------------------------------------------------------------------- persistence
def load_case(tx: Any, case_id: str) -> tuple[acc.Case, int]:
    """A case from its projection, with the sequence it was read at (`tx`: a unit of work or its
    transaction)."""
    row = unit_of(tx).cases.get(case_id)
    if row is None:
        raise NotFound(f"no accountability case {case_id!r}", rule="ACC1", article="Arts. 38–41")
    return acc.Case(row[0]), row[1]


def replay_case(tx: Any, case_id: str) -> acc.Case:
    """Fold a case's events into a fresh aggregate (replay must equal the projection)."""
    events = unit_of(tx).events.stream(stream_of(case_id))
    if not events:
        raise NotFound(f"no accountability case {case_id!r}", rule="ACC1", article="Arts. 38–41")
    case = acc.Case()
    for ev in events:
        case.apply(ev)
    return case


def _persist(uow: UnitOfWork, case: acc.Case, actor: dict[str, str], events: list[NewEvent], at: str,
             previous_seq: int | None) -> list[dict[str, Any]]:
    cid = case.id if previous_seq is not None else events[0].payload["case_id"]
    stored = uow.events.append(stream_of(cid), [(e.type, e.payload) for e in events], at=at, actor=actor,
                       expected_seq=previous_seq or 0)
    for env in stored:
        case.apply(env)
    s = case.state
    values = {"decision_id": s["decision_id"], "kind": s["kind"], "status": s["status"],
              "incident_key": s["incident_key"], "opened_at": s["opened_at"], "updated_at": s["updated_at"],
              "closed_at": s["closed_at"], "last_seq": s["seq"], "state": s}
    if previous_seq is None:
        uow.cases.add(cid, values)  # a second incident for a decision: a ConcurrencyConflict
    elif not uow.cases.update(cid, previous_seq, values):
        raise ConcurrencyConflict(f"case {cid} changed concurrently", rule="R18", article="Art. 33")
    return stored


def _known(uow: UnitOfWork, persons: list[Any]) -> set[str]:
    return uow.persons.known([str(p.get("person")) for p in persons if isinstance(p, dict)])


def _run(ctx: Context, person_id: str, case_id: str, act: CaseAct) -> CaseResult:
    at = ctx.now_iso()
    with ctx.uow.write() as uow:
        case, seq = load_case(uow, case_id)
        actor, events = act(case, uow, actors_of(uow.tx, person_id, at))
        stored = _persist(uow, case, actor.to_dict(), events, at, seq)
        return CaseResult(case_id, case.state["seq"], tuple(stored), case.state["status"])


# ---------------------------------------------------------------------------------------- commands
def open_case(ctx: Context, person_id: str, decision_id: str, *, grounds: list[dict[str, str]],
              persons: list[dict[str, Any]], summary: str = "") -> CaseResult:
    """Open an accountability case on a decision: grounds citing Arts. 38–41, the persons concerned with
    the capacity they answer in (ACC1); a person named does not open it (ACC2)."""
    case_id = new_id("AC")
    at = ctx.now_iso()
    with ctx.uow.write() as uow:
        d, _ = decisions.load(uow.tx, decision_id)
        actor, events = acc.Case.open(actors_of(uow.tx, person_id, at), case_id, decision_id, grounds=grounds,
                                      persons=persons, summary=summary, known_persons=_known(uow, persons),
                                      decision=d)
        case = acc.Case()
        stored = _persist(uow, case, actor.to_dict(), events, at, None)
        return CaseResult(case_id, case.state["seq"], tuple(stored), case.state["status"])


def record_findings(ctx: Context, person_id: str, case_id: str, *, findings: str,
                    persons: list[dict[str, Any]] | None = None) -> CaseResult:
    """The findings, per person: the facts and whether they are responsible (ACC2, ACC3)."""
    people = list(persons or [])

    def act(case: acc.Case, uow: UnitOfWork, c: tuple[Actor, ...]) -> tuple[Actor, list[NewEvent]]:
        d, _ = decisions.load(uow.tx, case.state["decision_id"])
        return case.record_findings(c, findings, people, _known(uow, people), decision=d)
    return _run(ctx, person_id, case_id, act)


def close_case(ctx: Context, person_id: str, case_id: str, *, outcome: str,
               sanctions: list[dict[str, str]] | None = None, reason: str = "") -> CaseResult:
    """The outcome with each sanction's legal basis (ACC3); a dissenter's liability reduced or waived
    (ACC4, Art. 38 ¶3) — dissent read from the decision's meeting records."""
    def act(case: acc.Case, uow: UnitOfWork, c: tuple[Actor, ...]) -> tuple[Actor, list[NewEvent]]:
        d, _ = decisions.load(uow.tx, case.state["decision_id"])
        return case.close(c, outcome, list(sanctions or []), set(acc.dissents(_meeting_records(d))), reason,
                          decision=d)
    return _run(ctx, person_id, case_id, act)


def open_undue_delay_incidents(ctx: Context, today: date | None = None) -> list[dict[str, Any]]:
    """R22, Art. 38 ¶2: for each decision past its due date without a decision, open an undue-delay
    incident — at most one per decision (a unique incident key), so the clock may run it any number of
    times. Returns the incidents opened by this call."""
    today = today or ctx.today()
    with ctx.uow.read() as uow:
        late = uow.decisions.overdue_ids(today.isoformat(), PRE_DECISION)
        have = uow.cases.decision_ids("undue_delay")
    opened = []
    for did in late:
        if did in have:
            continue
        at = ctx.now_iso()
        try:
            with ctx.uow.write() as uow:
                d, _ = decisions.load(uow.tx, did)
                if d.status not in PRE_DECISION:
                    continue  # decided since the list was read
                case = acc.Case()
                _persist(uow, case, dict(SYSTEM_ACTOR), acc.Case.open_undue_delay(
                    new_id("AC"), did, due_by=str(d.state["due_by"]), today=today.isoformat(), status=d.status,
                    units=list(d.undertaking_units())), at, None)
            opened.append(case.to_dict())
        except ConcurrencyConflict:
            continue  # another run opened it first: the unique incident key holds
    return opened


# ---------------------------------------------------------------------------------------- queries
def get_case(ctx: Context, case_id: str) -> dict[str, Any]:
    """A case as stored."""
    with ctx.uow.read() as uow:
        return load_case(uow, case_id)[0].to_dict()


def cases(ctx: Context, *, decision_id: str | None = None, status: str | None = None,
          kind: str | None = None) -> list[dict[str, Any]]:
    """Cases and incidents, oldest first, filtered."""
    with ctx.uow.read() as uow:
        return uow.cases.states(decision_id=decision_id, status=status, kind=kind)


def _meeting_records(d: Decision) -> list[dict[str, Any]]:
    if not d.spec.has_gate("collective_decision"):
        return []
    return d.artifacts_of("collective_decision", "meeting_record", all_rounds=True)


def _decision_events(uow: UnitOfWork, decision_id: str) -> list[dict[str, Any]]:
    """The decision's events and, from each meeting that discussed it, the events of its item (and the
    meeting's own roll call and minutes), in time order."""
    events = uow.events.stream(decisions.stream_of(decision_id))
    for sitting in meetings_of(uow, decision_id):
        for ev in uow.events.stream(meeting_stream(sitting["meeting_id"])):
            item = ev["payload"].get("item_no")
            if item is None or item == sitting["item_no"]:
                events.append(ev)
    return sorted(events, key=lambda e: (e["at"], not e["stream"].startswith("decision:"), e["seq"]))


def ledger(ctx: Context, decision_id: str) -> list[dict[str, Any]]:
    """Every act on a decision with the person, role and unit at that moment and the procedure version in
    force (Art. 38; §4 records 1 and 7), refused attempts included as evidence."""
    with ctx.uow.read() as uow:
        decisions.load(uow.tx, decision_id)
        return acc.ledger(_decision_events(uow, decision_id))


def _standing(uow: UnitOfWork, pids: list[str], at: str) -> dict[str, dict[str, Any]]:
    """Each person's name and whether they still hold any role now (transfer or retirement ends roles;
    nothing is purged: lifelong accountability)."""
    out: dict[str, dict[str, Any]] = {}
    names = uow.persons.names(pids)
    for pid in pids:
        now = actors_of(uow.tx, pid, at) if pid in names else ()
        out[pid] = {"name": names.get(pid, ""), "in_office": bool(now),
                    "current": [{"role": a.role, "unit": a.unit} for a in now]}
    return out


def traceback_decision(ctx: Context, decision_id: str) -> dict[str, Any]:
    """责任倒查 for one decision: the head, the responsible leaders and the direct persons with every act,
    the role and unit when acting, the article they answer under (Arts. 38–41), their positions at the
    meeting with dissent marked (Art. 38 ¶3), where they are now, the cases and the undue-delay record."""
    at = ctx.now_iso()
    with ctx.uow.read() as uow:
        d, _ = decisions.load(uow.tx, decision_id)
        entries = acc.ledger(_decision_events(uow, decision_id))
        records = _meeting_records(d)
        head = (d.state.get("decided_by") or (records[-1]["author"] if records else {})).get("person")
        people = acc.responsible(entries, acc.meeting_positions(records), head)
        standing = _standing(uow, [p["person"] for p in people], at)
    for p in people:
        p.update(name=p["name"] or standing[p["person"]]["name"], now=standing[p["person"]])
    s = d.state
    delayed = bool(s.get("due_by") and (s["decided_on"] or ctx.today().isoformat()) > s["due_by"])
    return {"decision": {"id": d.id, "title": s["title"], "status": s["status"], "unit": s["unit"],
                         "units": s["units"], "due_by": s.get("due_by"), "decided_on": s["decided_on"],
                         "procedure": s["procedure"], "adjusts": s.get("adjusts"),
                         "adjustments": s.get("adjustments", []), "termination": s.get("termination")},
            "persons": people, "dissenters": sorted(acc.dissents(records)),
            "delay": {"due_by": s.get("due_by"), "late": delayed, "rule": "R22", "article": "Art. 38 ¶2"},
            "cases": cases(ctx, decision_id=decision_id), "refused_attempts": sum(e["refused"] for e in entries),
            "lifelong": LIFELONG}


def traceback_person(ctx: Context, person_id: str) -> dict[str, Any]:
    """责任倒查 for one person across every decision they touched — their own acts, the meetings where
    they spoke (dissent marked), the cases naming them — whatever roles they hold now (lifelong)."""
    who = person_view(ctx, person_id)
    with ctx.uow.read() as uow:
        streams = uow.events.streams_of_person(person_id)
        touched = {s.removeprefix("decision:") for s in streams if s.startswith("decision:")}
        for s in (s for s in streams if s.startswith("meeting:")):
            for ev in uow.events.stream(s):
                if ev["actor"]["person"] == person_id and ev["payload"].get("decision_id"):
                    touched.add(str(ev["payload"]["decision_id"]))
        spoke = uow.artifacts.decisions_with("meeting_record")
        rows = []
        for did in sorted(touched | set(spoke)):
            d, _ = decisions.load(uow.tx, did)
            positions = acc.meeting_positions(_meeting_records(d)).get(person_id, [])
            if did not in touched and not positions:
                continue
            acts = [e for e in acc.ledger(_decision_events(uow, did)) if e["person"] == person_id]
            rows.append({"decision_id": did, "title": d.state["title"], "status": d.status,
                         "decided_on": d.state["decided_on"], "acts": acts, "positions": positions,
                         "dissented": any(p["dissent"] for p in positions),
                         "roles": sorted({a["role"] for a in acts} | ({"meeting_member"} if positions else set())),
                         "units": sorted({a["unit"] for a in acts}),
                         "articles": sorted({a["article"] for a in acts if a["article"]}
                                            | ({"Art. 38"} if positions else set()))})
        named = uow.cases.all_states()
    return {"person": who, "in_office": any(r["valid_to"] is None for r in who["roles"]),
            "decisions": rows, "cases": [c for c in named if person_id in c["persons"]], "lifelong": LIFELONG}
