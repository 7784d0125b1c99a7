"""The store port (`services/ports.py`) in memory: a real, small store for unit tests of services.

Same rules as the relational store where a service can see them: events are appended to their stream's
hash chain (the same canonical bytes and chain hash), a stale expected sequence or a duplicate key is a
`ConcurrencyConflict`, a write transaction commits when its block ends and leaves nothing behind when it
raises (the tables are restored from a copy taken when it began), writers are serialised by a lock.
What it does not have: SQL, migrations, durability, and the modules not yet behind the port (their `tx`
is this unit of work itself, which they cannot use).
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import orjson

from decision_engine.adapters.comment_store import comment_row
from decision_engine.adapters.store import artifact_values, decision_row, envelope, state_text
from decision_engine.audit.canonical import GENESIS, canonical, chain_hash
from decision_engine.domain.errors import ConcurrencyConflict, NotFound
from decision_engine.domain.procedure import Procedure
from decision_engine.services.ports import CommandRead

if TYPE_CHECKING:
    from decision_engine.services.ports import Units


def _conflict(what: str) -> ConcurrencyConflict:
    return ConcurrencyConflict(f"another writer recorded {what} first", rule="R18", article="Art. 33")


@dataclass
class Tables:
    """Everything the memory store holds (copied at the start of each write transaction)."""

    events: list[dict[str, Any]] = field(default_factory=list)
    decisions: dict[str, dict[str, Any]] = field(default_factory=dict)
    artifacts: list[dict[str, Any]] = field(default_factory=list)
    documents: dict[str, dict[str, Any]] = field(default_factory=dict)
    persons: dict[str, dict[str, Any]] = field(default_factory=dict)
    roles: list[dict[str, Any]] = field(default_factory=list)
    cases: dict[str, dict[str, Any]] = field(default_factory=dict)
    meetings: dict[str, dict[str, Any]] = field(default_factory=dict)
    meeting_items: dict[tuple[str, int], dict[str, Any]] = field(default_factory=dict)
    notifications: dict[str, dict[str, Any]] = field(default_factory=dict)
    contacts: dict[str, dict[str, Any]] = field(default_factory=dict)
    keys: dict[str, dict[str, Any]] = field(default_factory=dict)
    experts: dict[str, dict[str, Any]] = field(default_factory=dict)
    calendar_years: dict[int, dict[str, Any]] = field(default_factory=dict)
    duties: dict[tuple[str, str, str], dict[str, Any]] = field(default_factory=dict)
    opinions: dict[str, dict[str, Any]] = field(default_factory=dict)
    comments: dict[str, dict[str, Any]] = field(default_factory=dict)
    identities: dict[str, dict[str, Any]] = field(default_factory=dict)
    clusters: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    members: dict[str, dict[str, Any]] = field(default_factory=dict)


class _Repo:
    def __init__(self, t: Tables) -> None:
        self.t = t


class MemoryEvents(_Repo):
    """The hash-chained event streams."""

    def _of(self, stream: str) -> list[dict[str, Any]]:
        return [e for e in self.t.events if e["stream"] == stream]

    def append(self, stream: str, events: Sequence[tuple[str, dict[str, Any]]], *, at: str,
               actor: dict[str, str], expected_seq: int | None = None,
               head: tuple[int, str] | None = None) -> list[dict[str, Any]]:
        seq, prev = self.last(stream)
        if head is not None and head[0] != seq:  # what the unique (stream, seq) refuses on the database
            raise _conflict(f"event {stream} #{head[0] + 1}")
        if expected_seq is not None and expected_seq != seq:
            raise ConcurrencyConflict(f"stream {stream} is at sequence {seq}, the request expected "
                                      f"{expected_seq}: reload and retry", rule="R18", article="Art. 33")
        out = []
        for etype, payload in events:
            seq += 1
            body = canonical(envelope(stream, seq, etype, at, actor, payload))
            digest = chain_hash(prev, body)
            self.t.events.append({"id": len(self.t.events) + 1, "stream": stream, "seq": seq, "type": etype,
                                  "at": at, "person": actor["person"], "role": actor["role"],
                                  "unit": actor["unit"], "body": body, "prev_hash": prev, "hash": digest})
            prev = digest
            out.append(orjson.loads(body))
        return out

    def stream(self, stream: str, *, upto_seq: int | None = None,
               until_at: str | None = None) -> list[dict[str, Any]]:
        return [orjson.loads(e["body"]) for e in self._of(stream)
                if (upto_seq is None or e["seq"] <= upto_seq) and (until_at is None or e["at"] <= until_at)]

    def iter_stream(self, stream: str, *, upto_seq: int | None = None,
                    until_at: str | None = None) -> Iterator[dict[str, Any]]:
        bodies = [e["body"] for e in self._of(stream)
                  if (upto_seq is None or e["seq"] <= upto_seq) and (until_at is None or e["at"] <= until_at)]
        return map(orjson.loads, bodies)

    def last(self, stream: str) -> tuple[int, str]:
        mine = self._of(stream)
        return (0, GENESIS) if not mine else (int(mine[-1]["seq"]), str(mine[-1]["hash"]))

    def hash_at(self, stream: str, seq: int) -> str | None:
        return next((str(e["hash"]) for e in self._of(stream) if e["seq"] == seq), None)

    def chain(self, stream: str) -> list[tuple[int, bytes, str, str]]:
        return [(e["seq"], e["body"], e["prev_hash"], e["hash"]) for e in self._of(stream)]

    def count_by_stream(self, etype: str) -> dict[str, int]:
        out: dict[str, int] = {}
        for e in self.t.events:
            if e["type"] == etype:
                out[e["stream"]] = out.get(e["stream"], 0) + 1
        return out

    def of_type(self, etype: str, streams: Sequence[str]) -> list[dict[str, Any]]:
        return [{"stream": e["stream"], "at": e["at"], "person": e["person"], "body": e["body"]}
                for e in self.t.events if e["type"] == etype and e["stream"] in set(streams)]

    def last_at(self, stream: str, etype: str) -> str | None:
        mine = [e for e in self._of(stream) if e["type"] == etype]
        return str(mine[-1]["at"]) if mine else None

    def streams_of_person(self, person_id: str) -> set[str]:
        return {e["stream"] for e in self.t.events if e["person"] == person_id}


class MemoryDecisions(_Repo):
    """The decisions' projections (rows as `store.save_decision` writes them) and pinned procedures."""

    def __init__(self, t: Tables, specs: dict[str, Procedure]) -> None:
        super().__init__(t)
        self.specs = specs

    def load(self, decision_id: str) -> dict[str, Any]:
        row = self.t.decisions.get(decision_id)
        if row is None:
            raise NotFound(f"no decision {decision_id!r}")
        return dict(row)

    def head(self, decision_id: str) -> int:
        row = self.t.decisions.get(decision_id)
        if row is None:
            raise NotFound(f"no decision {decision_id!r}")
        return int(row["last_seq"])

    def load_for_command(self, decision_id: str, *, stream: str, org_stream: str,
                         person_id: str) -> CommandRead:
        row = self.load(decision_id)
        events = MemoryEvents(self.t)
        return CommandRead(row, events.last(stream), events.last(org_stream),
                           MemoryPersons(self.t).person_roles(person_id))

    def save(self, state: dict[str, Any], *, previous_seq: int | None) -> None:
        """Insert or update a decision's projection (the same columns as the relational store: `decision_row`)."""
        row = self.t.decisions.get(state["id"])
        if previous_seq is None:
            if row is not None:
                raise _conflict(f"decision {state['id']}")
        elif row is None or row["last_seq"] != previous_seq:
            raise ConcurrencyConflict(f"decision {state['id']} changed concurrently (expected sequence "
                                      f"{previous_seq})", rule="R18", article="Art. 33")
        self.t.decisions[state["id"]] = dict(decision_row(state), id=state["id"])

    def spec(self, spec_hash: str) -> Procedure:
        if spec_hash not in self.specs:
            raise NotFound(f"procedure specification {spec_hash} is not pinned in this store")
        return self.specs[spec_hash]

    def put_spec(self, spec: Procedure, at: str) -> None:
        self.specs.setdefault(spec.hash, spec)

    def ids(self, statuses: Sequence[str], *, recent_first: bool = False, limit: int | None = None) -> list[str]:
        rows = [r for r in self.t.decisions.values() if r["status"] in statuses]
        rows.sort(key=lambda r: r["id"])
        if recent_first:
            rows.sort(key=lambda r: r["updated_at"], reverse=True)
        return [r["id"] for r in rows][:limit]

    def states_opened_in(self, year: int, unit: str | None) -> list[dict[str, Any]]:
        return [orjson.loads(r["state"]) for r in self.t.decisions.values()
                if f"{year}-01-01" <= r["opened_at"] < f"{year + 1}-01-01" and (not unit or r["unit"] == unit)]

    def overdue_ids(self, today: str, statuses: Sequence[str]) -> list[str]:
        rows = [r for r in self.t.decisions.values()
                if r["due_by"] is not None and r["due_by"] < today and r["status"] in statuses]
        return [r["id"] for r in sorted(rows, key=lambda r: (r["due_by"], r["id"]))]

    def rows_in(self, statuses: Sequence[str]) -> Iterator[tuple[str, str, str]]:
        for r in sorted(self.t.decisions.values(), key=lambda r: r["id"]):
            if r["status"] in statuses:
                yield r["id"], r["procedure_hash"], r["state"]

    def published(self, *, limit: int, offset: int) -> list[dict[str, Any]]:
        first: dict[str, str] = {}
        for a in self.t.artifacts:
            if a["kind"] == "publication_record" and a["decision_id"] in self.t.decisions:
                first[a["decision_id"]] = min(first.get(a["decision_id"], a["recorded_at"]), a["recorded_at"])
        rows = [{k: self.t.decisions[d][k] for k in ("id", "title", "category", "unit", "status")} | {"published": p}
                for d, p in first.items()]
        rows.sort(key=lambda r: r["id"])
        rows.sort(key=lambda r: r["published"], reverse=True)
        return rows[offset:offset + limit]


class MemoryArtifacts(_Repo):
    """The artifacts' index."""

    def add(self, decision_id: str, artifact: dict[str, Any]) -> None:
        if any(a["id"] == artifact["id"] for a in self.t.artifacts):
            raise _conflict(f"artifact {artifact['id']}")
        self.t.artifacts.append(artifact_values(decision_id, artifact))

    def decisions_with(self, kind: str) -> list[str]:
        return list(dict.fromkeys(a["decision_id"] for a in self.t.artifacts if a["kind"] == kind))


_RENDERING = ("decision_id", "doc_kind", "artifact_id", "basis_seq", "template_hash")


class MemoryDocuments(_Repo):
    """The official documents rendered from the record (one rendering of a basis and templates each)."""

    def add(self, values: dict[str, Any]) -> None:
        key = tuple(values[k] for k in _RENDERING)
        if values["id"] in self.t.documents or any(tuple(d[k] for k in _RENDERING) == key
                                                   for d in self.t.documents.values()):
            raise _conflict(f"document {values['id']}")
        self.t.documents[values["id"]] = dict(values)

    def get(self, doc_id: str) -> dict[str, Any] | None:
        row = self.t.documents.get(doc_id)
        return None if row is None else dict(row)

    def find(self, decision_id: str, doc_kind: str, artifact_id: str, basis_seq: int,
             template_hash: str) -> dict[str, Any] | None:
        key = (decision_id, doc_kind, artifact_id, basis_seq, template_hash)
        return next((dict(d) for d in self.t.documents.values() if tuple(d[k] for k in _RENDERING) == key), None)

    def of_decision(self, decision_id: str) -> list[dict[str, Any]]:
        return sorted((dict(d) for d in self.t.documents.values() if d["decision_id"] == decision_id),
                      key=lambda d: d["event_seq"])


class MemoryPersons(_Repo):
    """Natural persons and the roles they hold."""

    def add(self, person_id: str, name: str, *, active: bool = True,
            roles: Iterable[tuple[str, str]] = (), since: str = "2000-01-01T00:00:00+08:00") -> None:
        """A person and their roles (role, unit), valid from `since` (the tests' way in)."""
        self.t.persons[person_id] = {"id": person_id, "name": name, "active": active}
        for role, unit in roles:
            self.t.roles.append({"id": f"R{len(self.t.roles) + 1:06d}", "person_id": person_id, "role": role,
                                 "unit": unit, "valid_from": since, "valid_to": None})

    def known(self, ids: Sequence[str]) -> set[str]:
        return {i for i in ids if i in self.t.persons}

    def names(self, ids: Sequence[str]) -> dict[str, str]:
        return {i: self.t.persons[i]["name"] for i in ids if i in self.t.persons}

    def exists(self, person_id: str) -> bool:
        return person_id in self.t.persons

    def person(self, person_id: str) -> tuple[str, bool] | None:
        row = self.t.persons.get(person_id)
        return None if row is None else (str(row["name"]), bool(row["active"]))

    def roles_of(self, person_id: str) -> list[tuple[str, str, str, str | None]]:
        return [(r["role"], r["unit"], r["valid_from"], r["valid_to"])
                for r in sorted(self.t.roles, key=lambda r: r["valid_from"]) if r["person_id"] == person_id]

    def person_roles(self, person_id: str) -> tuple[str, list[tuple[str, str, str, str | None]]] | None:
        found = self.person(person_id)
        return None if found is None else (found[0], self.roles_of(person_id))

    def role_holders(self, at: str) -> list[tuple[str, str, str]]:
        held = [r for r in self.t.roles if r["valid_from"] <= at and (r["valid_to"] is None or r["valid_to"] > at)
                and self.t.persons.get(r["person_id"], {}).get("active")]
        return [(r["role"], r["person_id"], r["unit"]) for r in sorted(held, key=lambda r: (r["valid_from"], r["id"]))]


class _Projections(_Repo):
    """A projection keyed by id with optimistic concurrency on `last_seq`."""

    table = "cases"
    unique: tuple[str, ...] = ()

    def _rows(self) -> dict[str, dict[str, Any]]:
        rows: dict[str, dict[str, Any]] = getattr(self.t, self.table)
        return rows

    def get(self, key: str) -> tuple[dict[str, Any], int] | None:
        row = self._rows().get(key)
        return None if row is None else (orjson.loads(row["state"]), int(row["last_seq"]))

    def add(self, key: str, values: dict[str, Any]) -> None:
        rows = self._rows()
        for col in self.unique:
            if values.get(col) is not None and any(r.get(col) == values[col] for r in rows.values()):
                raise _conflict(f"{col} {values[col]}")
        if key in rows:
            raise _conflict(f"{self.table} {key}")
        rows[key] = dict(values, id=key, state=state_text(values["state"]))

    def update(self, key: str, previous_seq: int, values: dict[str, Any]) -> bool:
        row = self._rows().get(key)
        if row is None or row["last_seq"] != previous_seq:
            return False
        row.update(values, state=state_text(values["state"]))
        return True


class MemoryCases(_Projections):
    """Accountability cases and undue-delay incidents (one incident key each)."""

    table = "cases"
    unique = ("incident_key",)

    def _sorted(self) -> list[dict[str, Any]]:
        return sorted(self.t.cases.values(), key=lambda r: (r["opened_at"], r["id"]))

    def decision_ids(self, kind: str) -> set[str]:
        return {r["decision_id"] for r in self.t.cases.values() if r["kind"] == kind}

    def states(self, *, decision_id: str | None = None, status: str | None = None,
               kind: str | None = None) -> list[dict[str, Any]]:
        want = {k: v for k, v in (("decision_id", decision_id), ("status", status), ("kind", kind)) if v}
        return [orjson.loads(r["state"]) for r in self._sorted() if all(r[k] == v for k, v in want.items())]

    def all_states(self) -> list[dict[str, Any]]:
        return [orjson.loads(r["state"]) for r in self._sorted()]

    def states_for(self, decision_ids: Sequence[str]) -> list[dict[str, Any]]:
        return [orjson.loads(r["state"]) for r in self.t.cases.values() if r["decision_id"] in set(decision_ids)]

    def count_by_decision(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for r in self.t.cases.values():
            out[r["decision_id"]] = out.get(r["decision_id"], 0) + 1
        return out


class MemoryMeetings(_Projections):
    """Meetings and their agenda items."""

    table = "meetings"

    def place_item(self, meeting_id: str, item_no: int, decision_id: str) -> None:
        if (meeting_id, item_no) in self.t.meeting_items:
            raise _conflict(f"item {item_no} of meeting {meeting_id}")
        self.t.meeting_items[(meeting_id, item_no)] = {"meeting_id": meeting_id, "item_no": item_no,
                                                       "decision_id": decision_id, "outcome": None,
                                                       "decided_at": None}

    def decide_item(self, meeting_id: str, item_no: int, outcome: str, at: str) -> None:
        item = self.t.meeting_items.get((meeting_id, item_no))
        if item is not None:
            item.update(outcome=outcome, decided_at=at)

    def recent(self, limit: int) -> list[dict[str, Any]]:
        rows = sorted(self.t.meetings.values(), key=lambda r: r["id"])
        rows.sort(key=lambda r: r["held_on"], reverse=True)
        return [{k: r[k] for k in ("id", "title", "meeting_type", "held_on", "status", "head")} for r in rows[:limit]]

    def items_of(self, decision_id: str) -> list[dict[str, Any]]:
        out = []
        for it in self.t.meeting_items.values():
            if it["decision_id"] == decision_id:
                m = self.t.meetings[it["meeting_id"]]
                out.append({k: it[k] for k in ("meeting_id", "item_no", "outcome", "decided_at")}
                           | {k: m[k] for k in ("meeting_type", "held_on", "title")})
        return sorted(out, key=lambda r: (r["held_on"], r["meeting_id"], r["item_no"]))


class MemoryNotifications(_Repo):
    """The notifications' outbox and inbox, and where people receive them."""

    def notified(self, decision_id: str, duties: Sequence[str]) -> set[tuple[str, str, str]]:
        return {(n["duty"], n["due"], n["person_id"]) for n in self.t.notifications.values()
                if n["decision_id"] == decision_id and n["duty"] in set(duties)}

    def add(self, rows: Sequence[dict[str, Any]]) -> None:
        for r in rows:
            if r["id"] in self.t.notifications or (r["duty"], r["due"], r["person_id"]) in self.notified(
                    r["decision_id"], [r["duty"]]):
                raise _conflict(f"notification {r['id']}")
            self.t.notifications[r["id"]] = dict({"address": None, "delivered_at": None, "read_at": None,
                                                  "last_error": None}, **r)

    def pending(self, after: tuple[str, str], limit: int) -> list[dict[str, Any]]:
        rows = sorted((n for n in self.t.notifications.values() if n["status"] in ("pending", "retrying")
                       and (n["created_at"], n["id"]) > after), key=lambda n: (n["created_at"], n["id"]))
        keys = ("id", "decision_id", "person_id", "subject", "body", "link", "attempts", "created_at")
        return [{k: n[k] for k in keys} for n in rows[:limit]]

    def set_outcomes(self, rows: Sequence[dict[str, Any]]) -> None:
        for r in rows:
            n = self.t.notifications.get(r["b_id"])
            if n is not None:
                n.update({k: v for k, v in r.items() if k != "b_id"})

    def get(self, notification_id: str) -> dict[str, Any] | None:
        n = self.t.notifications.get(notification_id)
        return None if n is None else {k: n[k] for k in ("decision_id", "person_id", "read_at")}

    def mark_read(self, notification_id: str, at: str) -> None:
        self.t.notifications[notification_id]["read_at"] = at

    def inbox(self, person_id: str, *, unread_only: bool, limit: int) -> list[dict[str, Any]]:
        rows = [dict(n) for n in self.t.notifications.values()
                if n["person_id"] == person_id and (not unread_only or n["read_at"] is None)]
        return sorted(rows, key=lambda n: (n["created_at"], n["id"]), reverse=True)[:limit]

    def unread(self, person_id: str) -> int:
        return sum(1 for n in self.t.notifications.values() if n["person_id"] == person_id and n["read_at"] is None)

    def addresses(self) -> dict[str, str]:
        return {p: c["email"] for p, c in self.t.contacts.items() if c["email"] is not None}

    def heads(self) -> list[tuple[str, str]]:
        return [(p, c["heads_unit"]) for p, c in sorted(self.t.contacts.items()) if c["heads_unit"] is not None]

    def set_contact(self, person_id: str, values: dict[str, Any]) -> None:
        self.t.contacts[person_id] = dict(values, person_id=person_id)


class MemoryIdempotency(_Repo):
    """Idempotency keys."""

    def get(self, key: str) -> dict[str, Any] | None:
        row = self.t.keys.get(key)
        return None if row is None else dict(row)

    def add(self, key: str, request_hash: str, status: int, response: str, created_at: str) -> None:
        if key in self.t.keys:
            raise _conflict(f"idempotency key {key}")
        self.t.keys[key] = {"request_hash": request_hash, "status": status, "response": response,
                            "created_at": created_at}

    def set(self, key: str, *, only_status: Sequence[int] | None = None, **values: Any) -> None:
        row = self.t.keys.get(key)
        if row is not None and (only_status is None or row["status"] in only_status):
            row.update(values)

    def remove(self, key: str, status: int) -> None:
        if key in self.t.keys and self.t.keys[key]["status"] == status:
            del self.t.keys[key]


class MemoryExperts(_Repo):
    """The expert pool."""

    def is_active(self, person_id: str) -> bool | None:
        row = self.t.experts.get(person_id)
        return None if row is None else bool(row["active"])

    def put(self, person_id: str, values: dict[str, Any], *, new: bool) -> None:
        if new and person_id in self.t.experts:
            raise _conflict(f"expert {person_id}")
        self.t.experts.setdefault(person_id, {"person_id": person_id}).update(values)

    def retire(self, person_id: str) -> bool:
        row = self.t.experts.get(person_id)
        if row is None or not row["active"]:
            return False
        row["active"] = False
        return True

    def active(self) -> list[dict[str, Any]]:
        return [dict(r) for r in sorted(self.t.experts.values(), key=lambda r: r["name"]) if r["active"]]


class MemoryCalendarYears(_Repo):
    """Operator-added official holiday years."""

    def has(self, year: int) -> bool:
        return year in self.t.calendar_years

    def add(self, year: int, source: str, body: str, added_at: str) -> None:
        if year in self.t.calendar_years:
            raise _conflict(f"calendar year {year}")
        self.t.calendar_years[year] = {"year": year, "source": source, "body": body, "added_at": added_at}

    def bodies(self) -> list[str]:
        return [self.t.calendar_years[y]["body"] for y in sorted(self.t.calendar_years)]


class MemoryDuties(_Repo):
    """What the statutory clock and the background flows have done, keyed (decision, duty, due)."""

    def done_keys(self, decision_ids: Iterable[str]) -> set[tuple[str, str, str]]:
        ids = set(decision_ids)
        return {k for k in self.t.duties if k[0] in ids}

    def add(self, rows: Sequence[dict[str, Any]]) -> None:
        for r in rows:
            key = (r["decision_id"], r["duty"], r["due"])
            if key in self.t.duties:
                raise _conflict(f"duty {key}")
            self.t.duties[key] = dict(r)

    def detail(self, decision_id: str, duty: str, due: str) -> str | None:
        row = self.t.duties.get((decision_id, duty, due))
        return None if row is None else str(row["detail"])

    def documents_pending(self, triggers: Sequence[str], *, lookback: int, max_attempts: int,
                          limit: int) -> list[tuple[int, str, str]]:
        docs = [d for d in self.t.duties.values() if d["duty"] == "documents"]
        top = max((int(d["ref"]) for d in docs if d["ref"] is not None), default=0)
        handled = {d["ref"] for d in docs if d["status"] != "failed" or d["attempts"] >= max_attempts}
        rows = [(e["id"], e["stream"], e["type"]) for e in self.t.events
                if e["type"] in triggers and e["stream"].startswith("decision:") and e["id"] > max(0, top - lookback)
                and e["id"] not in handled]
        return rows[:limit]

    def record_attempt(self, decision_id: str, duty: str, due: str, values: dict[str, Any]) -> bool:
        row = self.t.duties.get((decision_id, duty, due))
        if row is None:
            return False
        row.update(values, attempts=row["attempts"] + 1)
        return True


class MemoryOpinions(_Repo):
    """Public opinions on a decision's execution."""

    def add(self, values: dict[str, Any]) -> None:
        if values["tracking_number"] in self.t.opinions:
            raise _conflict(f"opinion {values['tracking_number']}")
        self.t.opinions[values["tracking_number"]] = dict(values)

    def get(self, tracking_number: str) -> dict[str, Any] | None:
        row = self.t.opinions.get(tracking_number)
        return None if row is None else {k: row[k] for k in ("decision_id", "received_at", "text_sha256")}

    def count(self, decision_id: str, since: str | None = None) -> int:
        return sum(1 for o in self.t.opinions.values()
                   if o["decision_id"] == decision_id and (not since or o["received_at"] > since))

    def count_by_decision(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for o in self.t.opinions.values():
            out[o["decision_id"]] = out.get(o["decision_id"], 0) + 1
        return out


class MemoryComments(_Repo):
    """Public comments, their identities (kept apart), clusters and members."""

    def lock(self, stream: str) -> None:
        """Writers are already serialised by the store's lock."""

    def try_lock(self, stream: str) -> bool:
        return True

    def shards(self, decision_id: str) -> list[int]:
        return sorted({c["shard"] for c in self.t.comments.values()
                       if c["decision_id"] == decision_id and c.get("shard") is not None})

    def insert(self, rows: Sequence[dict[str, Any]], identities: Sequence[dict[str, Any]] = ()) -> None:
        for r in rows:
            if r["tracking_number"] in self.t.comments:
                raise _conflict(f"comment {r['tracking_number']}")
            self.t.comments[r["tracking_number"]] = dict(r)
        for i in identities:
            self.t.identities[i["tracking_number"]] = dict(i)

    def insert_received(self, envelopes: Sequence[dict[str, Any]],
                        identities: Sequence[dict[str, Any]] = ()) -> None:
        self.insert([comment_row(e) for e in envelopes], identities)

    def _cluster_of(self, tn: str) -> dict[str, Any] | None:
        m = self.t.members.get(tn)
        return None if m is None else self.t.clusters.get((m["decision_id"], m["cluster_id"]))

    def comment(self, tracking_number: str) -> dict[str, Any] | None:
        row = self.t.comments.get(tracking_number)
        if row is None:
            return None
        k = self._cluster_of(tracking_number) or {}
        member = self.t.members.get(tracking_number) or {}
        return dict(row, cluster_id=member.get("cluster_id"),
                    **{c: k.get(c) for c in ("disposition", "reason", "changed_in_version", "size")})

    def hide(self, tracking_number: str, reason: str, note: str) -> None:
        self.t.comments[tracking_number].update(hidden_reason=reason, hidden_note=note)

    def for_clustering(self, decision_id: str) -> list[tuple[str, str, str | None, bool]]:
        rows = sorted((c for c in self.t.comments.values() if c["decision_id"] == decision_id and not c["late"]),
                      key=lambda c: (c["received_at"], -1 if c.get("shard") is None else c["shard"], c["seq"]))
        return [(c["tracking_number"], c["text"], (self.t.members.get(c["tracking_number"]) or {}).get("cluster_id"),
                 c["hidden_reason"] is not None) for c in rows]

    def add_clusters(self, decision_id: str, new: Sequence[dict[str, Any]], grown: Sequence[tuple[str, int, int]],
                     members: Sequence[tuple[str, str]]) -> None:
        for c in new:
            self.t.clusters[(decision_id, c["cluster_id"])] = dict(
                {"disposition": None, "reason": None, "changed_in_version": None, "disposed_at": None,
                 "disposed_by": None}, **c, decision_id=decision_id)
        for cid, n, seq in grown:
            k = self.t.clusters[(decision_id, cid)]
            k.update(size=k["size"] + n, seq=seq)
        for tn, cid in members:
            self.t.members[tn] = {"tracking_number": tn, "decision_id": decision_id, "cluster_id": cid}

    def clusters(self, decision_id: str, *, limit: int | None = None, offset: int = 0) -> list[dict[str, Any]]:
        rows = sorted((k for k in self.t.clusters.values() if k["decision_id"] == decision_id),
                      key=lambda k: (-k["size"], k["cluster_id"]))
        out = [dict(k, **{c: self.t.comments[k["representative"]][c]
                          for c in ("text", "hidden_reason", "notice_artifact_id")}) for k in rows]
        return out[offset:offset + limit] if limit is not None else out

    def dispose(self, decision_id: str, items: Sequence[dict[str, Any]], at: str, person: str, seq: int) -> None:
        for i in items:
            self.t.clusters[(decision_id, i["cluster_id"])].update(
                disposition=i["disposition"], reason=i["reason"], changed_in_version=i["changed_in_version"],
                disposed_at=at, disposed_by=person, seq=seq)

    def totals(self, decision_id: str) -> dict[str, int]:
        mine = [c for c in self.t.comments.values() if c["decision_id"] == decision_id]
        late = sum(1 for c in mine if c["late"])
        return {"on_time": len(mine) - late, "late": late,
                "hidden": sum(1 for c in mine if c["hidden_reason"] is not None),
                "unclustered": sum(1 for c in mine if not c["late"] and c["tracking_number"] not in self.t.members)}

    def live(self, decision_id: str) -> dict[str, Any]:
        comments = {}
        for c in self.t.comments.values():
            if c["decision_id"] == decision_id:
                row = dict(c, cluster_id=(self.t.members.get(c["tracking_number"]) or {}).get("cluster_id"))
                row["attachments"] = orjson.loads(row["attachments"])
                row["late"] = bool(row["late"])
                comments[c["tracking_number"]] = row
        groups = {}
        for (d, cid), k in self.t.clusters.items():
            if d == decision_id:
                groups[cid] = {f: v for f, v in k.items() if f != "decision_id"}
        return {"comments": comments, "clusters": groups}

    def per_day(self, days: int) -> list[tuple[str, int]]:
        counts: dict[str, int] = {}
        for c in self.t.comments.values():
            counts[c["received_on"]] = counts.get(c["received_on"], 0) + 1
        latest = sorted(counts.items(), reverse=True)[:days]
        return [(d[:10], n) for d, n in reversed(latest)]


class MemoryUnitOfWork:
    """The repositories of one transaction on the memory store."""

    def __init__(self, t: Tables, specs: dict[str, Procedure]) -> None:
        self.events = MemoryEvents(t)
        self.decisions = MemoryDecisions(t, specs)
        self.artifacts = MemoryArtifacts(t)
        self.documents = MemoryDocuments(t)
        self.persons = MemoryPersons(t)
        self.cases = MemoryCases(t)
        self.meetings = MemoryMeetings(t)
        self.notifications = MemoryNotifications(t)
        self.idempotency = MemoryIdempotency(t)
        self.experts = MemoryExperts(t)
        self.calendar_years = MemoryCalendarYears(t)
        self.duties = MemoryDuties(t)
        self.opinions = MemoryOpinions(t)
        self.comments = MemoryComments(t)

    @property
    def tx(self) -> MemoryUnitOfWork:
        """No transaction handle beyond the unit of work itself."""
        return self


class MemoryUnits:
    """Units of work on tables held in memory; writers serialised, a failed write leaves nothing."""

    def __init__(self) -> None:
        self.tables = Tables()
        self.specs: dict[str, Procedure] = {}
        self._lock = threading.RLock()

    @contextmanager
    def write(self) -> Iterator[MemoryUnitOfWork]:
        with self._lock:
            before = copy.deepcopy(self.tables)
            try:
                yield MemoryUnitOfWork(self.tables, self.specs)
            except BaseException:
                self.tables.__dict__.update(before.__dict__)
                raise

    @contextmanager
    def read(self) -> Iterator[MemoryUnitOfWork]:
        with self._lock:
            yield MemoryUnitOfWork(self.tables, self.specs)


if TYPE_CHECKING:  # mypy checks that the memory store implements the whole port
    _port: Units = MemoryUnits()
