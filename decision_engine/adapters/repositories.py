"""The store port (`services/ports.py`) on SQLite and PostgreSQL: one unit of work per transaction of
`Store.write()` / `Store.read()`, and one repository per area. Every statement a service used to write
on the tables is here, unchanged (same SQL, same transaction): the services know no database."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import orjson
from sqlalchemy import Connection, bindparam, delete, exists, func, insert, select, update

from decision_engine.adapters import comment_store as cs
from decision_engine.adapters import store as st
from decision_engine.adapters.identity_repo import IdentityRepo
from decision_engine.adapters.tables import (
    ACCOUNTABILITY_CASES,
    ARTIFACTS,
    CALENDAR_YEARS,
    CLOCK_DUTIES,
    DECISIONS,
    DOCUMENTS,
    EVENTS,
    EXECUTION_OPINIONS,
    EXPERT_POOL,
    IDEMPOTENCY_KEYS,
    MEETING_ITEMS,
    MEETINGS,
    NOTIFICATION_CONTACTS,
    NOTIFICATIONS,
    PERSONS,
    PUBLIC_COMMENTS,
    ROLE_ASSIGNMENTS,
)
from decision_engine.domain.procedure import Procedure
from decision_engine.services.ports import CommandRead

if TYPE_CHECKING:
    from decision_engine.services.ports import Units

D, E, A = DECISIONS, EVENTS, ARTIFACTS


def _projection(values: dict[str, Any]) -> dict[str, Any]:
    """A projection row's values with its state stored as sorted-key JSON text (`store.state_text`)."""
    return dict(values, state=st.state_text(values["state"]))


def _rows(result: Iterable[Any]) -> list[dict[str, Any]]:
    return [dict(r._mapping) for r in result]


class _Repo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn


# ---------------------------------------------------------------------------------------- the record
class SqlEvents(_Repo):
    """The hash-chained event streams."""

    def append(self, stream: str, events: Sequence[tuple[str, dict[str, Any]]], *, at: str,
               actor: dict[str, str], expected_seq: int | None = None,
               head: tuple[int, str] | None = None) -> list[dict[str, Any]]:
        return st.append(self.conn, stream, events, at=at, actor=actor, expected_seq=expected_seq, head=head)

    def stream(self, stream: str, *, upto_seq: int | None = None,
               until_at: str | None = None) -> list[dict[str, Any]]:
        return st.stream_events(self.conn, stream, upto_seq=upto_seq, until_at=until_at)

    def iter_stream(self, stream: str, *, upto_seq: int | None = None,
                    until_at: str | None = None) -> Iterator[dict[str, Any]]:
        return st.iter_stream_events(self.conn, stream, upto_seq=upto_seq, until_at=until_at)

    def last(self, stream: str) -> tuple[int, str]:
        return st.last_of(self.conn, stream)

    def hash_at(self, stream: str, seq: int) -> str | None:
        digest = self.conn.execute(select(E.c.hash).where(E.c.stream == stream, E.c.seq == seq)).scalar()
        return None if digest is None else str(digest)

    def chain(self, stream: str) -> list[tuple[int, bytes, str, str]]:
        rows = self.conn.execute(select(E.c.seq, E.c.body, E.c.prev_hash, E.c.hash)
                                 .where(E.c.stream == stream).order_by(E.c.seq)).all()
        return [(int(r.seq), bytes(r.body), str(r.prev_hash), str(r.hash)) for r in rows]

    def count_by_stream(self, etype: str) -> dict[str, int]:
        return dict(self.conn.execute(select(E.c.stream, func.count()).where(E.c.type == etype)
                                      .group_by(E.c.stream)).tuples().all())

    def of_type(self, etype: str, streams: Sequence[str]) -> list[dict[str, Any]]:
        """stream, at, person and the decoded body of each event of a type on these streams."""
        if not streams:
            return []
        rows = self.conn.execute(select(E.c.stream, E.c.at, E.c.person, E.c.body).where(
            E.c.type == etype, E.c.stream.in_(streams))).all()
        return [{"stream": r.stream, "at": r.at, "person": r.person, "body": bytes(r.body)} for r in rows]

    def last_at(self, stream: str, etype: str) -> str | None:
        at = self.conn.execute(select(E.c.at).where(E.c.stream == stream, E.c.type == etype)
                               .order_by(E.c.seq.desc())).scalar()
        return None if at is None else str(at)

    def streams_of_person(self, person_id: str) -> set[str]:
        return set(self.conn.execute(select(E.c.stream).where(E.c.person == person_id).distinct()).scalars())


class SqlDecisions(_Repo):
    """The decisions' projections and their pinned procedures."""

    def load(self, decision_id: str) -> dict[str, Any]:
        return st.load_decision(self.conn, decision_id)

    def head(self, decision_id: str) -> int:
        return st.stream_head(self.conn, decision_id)

    def load_for_command(self, decision_id: str, *, stream: str, org_stream: str,
                         person_id: str) -> CommandRead:
        row, head, org_head, person = st.load_for_command(self.conn, decision_id, stream=stream,
                                                          org_stream=org_stream, person_id=person_id)
        return CommandRead(row, head, org_head, None if person is None else (person[0], list(person[1])))

    def save(self, state: dict[str, Any], *, previous_seq: int | None) -> None:
        st.save_decision(self.conn, state, previous_seq=previous_seq)

    def spec(self, spec_hash: str) -> Procedure:
        return st.get_spec(self.conn, spec_hash)

    def put_spec(self, spec: Procedure, at: str) -> None:
        st.put_spec(self.conn, spec, at)

    def ids(self, statuses: Sequence[str], *, recent_first: bool = False, limit: int | None = None) -> list[str]:
        q = select(D.c.id).where(D.c.status.in_(statuses))
        q = q.order_by(D.c.updated_at.desc()) if recent_first else q.order_by(D.c.id)
        if limit is not None:
            q = q.limit(limit)
        return [str(i) for i in self.conn.execute(q).scalars().all()]

    def states_opened_in(self, year: int, unit: str | None) -> list[dict[str, Any]]:
        q = select(D.c.state).where(D.c.opened_at >= f"{year}-01-01", D.c.opened_at < f"{year + 1}-01-01")
        if unit:
            q = q.where(D.c.unit == unit)
        return [orjson.loads(r[0]) for r in self.conn.execute(q)]

    def overdue_ids(self, today: str, statuses: Sequence[str]) -> list[str]:
        return [str(i) for i in self.conn.execute(select(D.c.id).where(
            D.c.due_by.is_not(None), D.c.due_by < today, D.c.status.in_(statuses))
            .order_by(D.c.due_by, D.c.id)).scalars().all()]

    def rows_in(self, statuses: Sequence[str]) -> Iterator[tuple[str, str, str]]:
        """(id, procedure hash, state text) of the decisions in these statuses, streamed in pages."""
        rows = self.conn.execute(select(D.c.id, D.c.procedure_hash, D.c.state).where(D.c.status.in_(statuses))
                                 .order_by(D.c.id).execution_options(yield_per=500))
        for did, spec_hash, state in rows:
            yield str(did), str(spec_hash), str(state)

    def published(self, *, limit: int, offset: int) -> list[dict[str, Any]]:
        """Decisions with a publication record and the first one's time, the latest published first."""
        first = func.min(A.c.recorded_at).label("published")
        query = (select(D.c.id, D.c.title, D.c.category, D.c.unit, D.c.status, first)
                 .join(A, A.c.decision_id == D.c.id).where(A.c.kind == "publication_record")
                 .group_by(D.c.id, D.c.title, D.c.category, D.c.unit, D.c.status)
                 .order_by(first.desc(), D.c.id).limit(limit).offset(offset))
        return _rows(self.conn.execute(query))


class SqlArtifacts(_Repo):
    """The artifacts' index."""

    def add(self, decision_id: str, artifact: dict[str, Any]) -> None:
        st.insert_artifact(self.conn, decision_id, artifact)

    def decisions_with(self, kind: str) -> list[str]:
        return [str(r[0]) for r in self.conn.execute(select(A.c.decision_id).distinct().where(A.c.kind == kind))]


DOC = DOCUMENTS


class SqlDocuments(_Repo):
    """The official documents rendered from the record."""

    def add(self, values: dict[str, Any]) -> None:
        self.conn.execute(insert(DOC).values(**values))  # the same rendering twice: IntegrityError (conflict)

    def get(self, doc_id: str) -> dict[str, Any] | None:
        row = self.conn.execute(select(DOC).where(DOC.c.id == doc_id)).mappings().first()
        return None if row is None else dict(row)

    def find(self, decision_id: str, doc_kind: str, artifact_id: str, basis_seq: int,
             template_hash: str) -> dict[str, Any] | None:
        row = self.conn.execute(select(DOC).where(
            DOC.c.decision_id == decision_id, DOC.c.doc_kind == doc_kind, DOC.c.artifact_id == artifact_id,
            DOC.c.basis_seq == basis_seq, DOC.c.template_hash == template_hash)).mappings().first()
        return None if row is None else dict(row)

    def of_decision(self, decision_id: str) -> list[dict[str, Any]]:
        return [dict(r) for r in self.conn.execute(select(DOC).where(DOC.c.decision_id == decision_id)
                                                   .order_by(DOC.c.event_seq)).mappings()]


class SqlPersons(_Repo):
    """Natural persons and the roles they hold (read side; identity writes them)."""

    def known(self, ids: Sequence[str]) -> set[str]:
        return set(self.conn.execute(select(PERSONS.c.id).where(PERSONS.c.id.in_(ids))).scalars()) if ids else set()

    def names(self, ids: Sequence[str]) -> dict[str, str]:
        if not ids:
            return {}
        return dict(self.conn.execute(select(PERSONS.c.id, PERSONS.c.name).where(PERSONS.c.id.in_(ids)))
                    .tuples().all())

    def exists(self, person_id: str) -> bool:
        return self.conn.execute(select(PERSONS.c.id).where(PERSONS.c.id == person_id)).first() is not None

    def person(self, person_id: str) -> tuple[str, bool] | None:
        return IdentityRepo(self.conn).person(person_id)

    def roles_of(self, person_id: str) -> list[tuple[str, str, str, str | None]]:
        return IdentityRepo(self.conn).roles_of(person_id)

    def person_roles(self, person_id: str) -> tuple[str, list[tuple[str, str, str, str | None]]] | None:
        found = IdentityRepo(self.conn).person_roles(person_id)  # cached on the person's roles_version
        return None if found is None else (found[0], list(found[1]))

    def role_holders(self, at: str) -> list[tuple[str, str, str]]:
        """(role, person, unit) held at `at` by active persons, oldest grant first."""
        R = ROLE_ASSIGNMENTS
        return [(str(r), str(p), str(u)) for r, p, u in self.conn.execute(
            select(R.c.role, R.c.person_id, R.c.unit).join(PERSONS, PERSONS.c.id == R.c.person_id)
            .where(R.c.valid_from <= at, (R.c.valid_to.is_(None)) | (R.c.valid_to > at), PERSONS.c.active)
            .order_by(R.c.valid_from, R.c.id))]


# ---------------------------------------------------------------------------------------- projections
C = ACCOUNTABILITY_CASES


class SqlCases(_Repo):
    """Accountability cases and undue-delay incidents."""

    def get(self, case_id: str) -> tuple[dict[str, Any], int] | None:
        row = self.conn.execute(select(C.c.state, C.c.last_seq).where(C.c.id == case_id)).first()
        return None if row is None else (json.loads(row.state), int(row.last_seq))

    def add(self, case_id: str, values: dict[str, Any]) -> None:
        self.conn.execute(insert(C).values(id=case_id, **_projection(values)))  # a second incident: IntegrityError

    def update(self, case_id: str, previous_seq: int, values: dict[str, Any]) -> bool:
        return bool(self.conn.execute(update(C).where(C.c.id == case_id, C.c.last_seq == previous_seq)
                                      .values(**_projection(values))).rowcount == 1)

    def decision_ids(self, kind: str) -> set[str]:
        return set(self.conn.execute(select(C.c.decision_id).where(C.c.kind == kind)).scalars())

    def states(self, *, decision_id: str | None = None, status: str | None = None,
               kind: str | None = None) -> list[dict[str, Any]]:
        q = select(C.c.state)
        for col, val in (("decision_id", decision_id), ("status", status), ("kind", kind)):
            if val:
                q = q.where(C.c[col] == val)
        return [json.loads(r[0]) for r in self.conn.execute(q.order_by(C.c.opened_at, C.c.id))]

    def all_states(self) -> list[dict[str, Any]]:
        return [json.loads(r[0]) for r in self.conn.execute(select(C.c.state).order_by(C.c.opened_at))]

    def states_for(self, decision_ids: Sequence[str]) -> list[dict[str, Any]]:
        if not decision_ids:
            return []
        return [json.loads(s) for s in self.conn.execute(select(C.c.state).where(
            C.c.decision_id.in_(decision_ids))).scalars().all()]

    def count_by_decision(self) -> dict[str, int]:
        return dict(self.conn.execute(select(C.c.decision_id, func.count()).group_by(C.c.decision_id))
                    .tuples().all())


M, MI = MEETINGS, MEETING_ITEMS


class SqlMeetings(_Repo):
    """Meetings and their agenda items."""

    def get(self, meeting_id: str) -> tuple[dict[str, Any], int] | None:
        row = self.conn.execute(select(M.c.state, M.c.last_seq).where(M.c.id == meeting_id)).first()
        return None if row is None else (json.loads(row.state), int(row.last_seq))

    def add(self, meeting_id: str, values: dict[str, Any]) -> None:
        self.conn.execute(insert(M).values(id=meeting_id, **_projection(values)))

    def update(self, meeting_id: str, previous_seq: int, values: dict[str, Any]) -> bool:
        return bool(self.conn.execute(update(M).where(M.c.id == meeting_id, M.c.last_seq == previous_seq)
                                      .values(**_projection(values))).rowcount == 1)

    def place_item(self, meeting_id: str, item_no: int, decision_id: str) -> None:
        self.conn.execute(insert(MI).values(meeting_id=meeting_id, item_no=item_no, decision_id=decision_id))

    def decide_item(self, meeting_id: str, item_no: int, outcome: str, at: str) -> None:
        self.conn.execute(update(MI).where(MI.c.meeting_id == meeting_id, MI.c.item_no == item_no)
                          .values(outcome=outcome, decided_at=at))

    def recent(self, limit: int) -> list[dict[str, Any]]:
        return _rows(self.conn.execute(select(M.c.id, M.c.title, M.c.meeting_type, M.c.held_on, M.c.status,
                                              M.c.head).order_by(M.c.held_on.desc(), M.c.id).limit(limit)))

    def items_of(self, decision_id: str) -> list[dict[str, Any]]:
        return _rows(self.conn.execute(
            select(MI.c.meeting_id, MI.c.item_no, MI.c.outcome, MI.c.decided_at, M.c.meeting_type, M.c.held_on,
                   M.c.title)
            .join(M, M.c.id == MI.c.meeting_id).where(MI.c.decision_id == decision_id)
            .order_by(M.c.held_on, MI.c.meeting_id, MI.c.item_no)))


N, NC = NOTIFICATIONS, NOTIFICATION_CONTACTS
_PENDING = select(N.c.id, N.c.decision_id, N.c.person_id, N.c.subject, N.c.body, N.c.link, N.c.attempts,
                  N.c.created_at).where(N.c.status.in_(("pending", "retrying"))).order_by(N.c.created_at, N.c.id)
_SET_OUTCOME = update(N).where(N.c.id == bindparam("b_id")).values(
    {c: bindparam(c) for c in ("status", "attempts", "address", "last_error", "delivered_at")})


class SqlNotifications(_Repo):
    """The notifications' outbox and inbox, and where people receive them."""

    def notified(self, decision_id: str, duties: Sequence[str]) -> set[tuple[str, str, str]]:
        return {(r.duty, r.due, r.person_id) for r in self.conn.execute(
            select(N.c.duty, N.c.due, N.c.person_id).where(N.c.decision_id == decision_id,
                                                           N.c.duty.in_(sorted(set(duties)))))}

    def add(self, rows: Sequence[dict[str, Any]]) -> None:
        if rows:
            self.conn.execute(insert(N), list(rows))

    def pending(self, after: tuple[str, str], limit: int) -> list[dict[str, Any]]:
        return _rows(self.conn.execute(_PENDING.where((N.c.created_at > after[0]) | (
            (N.c.created_at == after[0]) & (N.c.id > after[1]))).limit(limit)))

    def set_outcomes(self, rows: Sequence[dict[str, Any]]) -> None:
        self.conn.execute(_SET_OUTCOME, list(rows))

    def get(self, notification_id: str) -> dict[str, Any] | None:
        row = self.conn.execute(select(N.c.decision_id, N.c.person_id, N.c.read_at)
                                .where(N.c.id == notification_id)).first()
        return None if row is None else dict(row._mapping)

    def mark_read(self, notification_id: str, at: str) -> None:
        self.conn.execute(update(N).where(N.c.id == notification_id).values(read_at=at))

    def inbox(self, person_id: str, *, unread_only: bool, limit: int) -> list[dict[str, Any]]:
        q = select(N).where(N.c.person_id == person_id)
        if unread_only:
            q = q.where(N.c.read_at.is_(None))
        return [dict(r) for r in self.conn.execute(q.order_by(N.c.created_at.desc(), N.c.id.desc())
                                                   .limit(limit)).mappings().all()]

    def unread(self, person_id: str) -> int:
        return int(self.conn.execute(select(func.count()).select_from(N).where(
            N.c.person_id == person_id, N.c.read_at.is_(None))).scalar_one())

    def addresses(self) -> dict[str, str]:
        return {str(r[0]): str(r[1]) for r in self.conn.execute(
            select(NC.c.person_id, NC.c.email).where(NC.c.email.is_not(None)))}

    def heads(self) -> list[tuple[str, str]]:
        """(person, unit headed), by person."""
        return [(str(p), str(u)) for p, u in self.conn.execute(
            select(NC.c.person_id, NC.c.heads_unit).where(NC.c.heads_unit.is_not(None)).order_by(NC.c.person_id))]

    def set_contact(self, person_id: str, values: dict[str, Any]) -> None:
        if self.conn.execute(update(NC).where(NC.c.person_id == person_id).values(**values)).rowcount == 0:
            self.conn.execute(insert(NC).values(person_id=person_id, **values))


K = IDEMPOTENCY_KEYS


class SqlIdempotency(_Repo):
    """Idempotency keys: (request hash, status, response, created at) per scoped key."""

    def get(self, key: str) -> dict[str, Any] | None:
        row = self.conn.execute(select(K.c.request_hash, K.c.status, K.c.response, K.c.created_at)
                                .where(K.c.key == key)).first()
        return None if row is None else dict(row._mapping)

    def add(self, key: str, request_hash: str, status: int, response: str, created_at: str) -> None:
        self.conn.execute(insert(K).values(key=key, request_hash=request_hash, status=status, response=response,
                                           created_at=created_at))

    def set(self, key: str, *, only_status: Sequence[int] | None = None, **values: Any) -> None:
        q = update(K).where(K.c.key == key)
        if only_status is not None:
            q = q.where(K.c.status.in_(tuple(only_status)))
        self.conn.execute(q.values(**values))

    def remove(self, key: str, status: int) -> None:
        self.conn.execute(delete(K).where(K.c.key == key, K.c.status == status))


P = EXPERT_POOL


class SqlExperts(_Repo):
    """The expert pool."""

    def is_active(self, person_id: str) -> bool | None:
        row = self.conn.execute(select(P.c.active).where(P.c.person_id == person_id)).first()
        return None if row is None else bool(row.active)

    def put(self, person_id: str, values: dict[str, Any], *, new: bool) -> None:
        if new:
            self.conn.execute(insert(P).values(person_id=person_id, **values))
        else:
            self.conn.execute(update(P).where(P.c.person_id == person_id).values(**values))

    def retire(self, person_id: str) -> bool:
        return bool(self.conn.execute(update(P).where(P.c.person_id == person_id, P.c.active.is_(True))
                                      .values(active=False)).rowcount == 1)

    def active(self) -> list[dict[str, Any]]:
        return [dict(r) for r in self.conn.execute(select(P).where(P.c.active.is_(True)).order_by(P.c.name))
                .mappings().all()]


Y = CALENDAR_YEARS


class SqlCalendarYears(_Repo):
    """Operator-added official holiday years."""

    def has(self, year: int) -> bool:
        return self.conn.execute(select(Y.c.year).where(Y.c.year == year)).first() is not None

    def add(self, year: int, source: str, body: str, added_at: str) -> None:
        self.conn.execute(insert(Y).values(year=year, source=source, body=body, added_at=added_at))

    def bodies(self) -> list[str]:
        return [str(b) for (b,) in self.conn.execute(select(Y.c.body).order_by(Y.c.year))]


CD = CLOCK_DUTIES


class SqlDuties(_Repo):
    """What the statutory clock and the background flows have done, keyed (decision, duty, due)."""

    def done_keys(self, decision_ids: Iterable[str]) -> set[tuple[str, str, str]]:
        ids = sorted(decision_ids)
        keys: set[tuple[str, str, str]] = set()
        for i in range(0, len(ids), 500):
            keys.update((r[0], r[1], r[2]) for r in self.conn.execute(
                select(CD.c.decision_id, CD.c.duty, CD.c.due).where(CD.c.decision_id.in_(ids[i:i + 500]))))
        return keys

    def add(self, rows: Sequence[dict[str, Any]]) -> None:
        if rows:
            self.conn.execute(insert(CD), list(rows))

    def detail(self, decision_id: str, duty: str, due: str) -> str | None:
        done = self.conn.execute(select(CD.c.detail).where(CD.c.decision_id == decision_id, CD.c.duty == duty,
                                                           CD.c.due == due)).scalar()
        return None if done is None else str(done)

    def documents_pending(self, triggers: Sequence[str], *, lookback: int, max_attempts: int,
                          limit: int) -> list[tuple[int, str, str]]:
        """(event id, stream, type) of decision events that call for documents and are not handled yet."""
        top = self.conn.execute(select(func.max(CD.c.ref)).where(CD.c.duty == "documents")).scalar()
        handled = exists().where(CD.c.duty == "documents", CD.c.ref == E.c.id,
                                 (CD.c.status != "failed") | (CD.c.attempts >= max_attempts))
        rows = self.conn.execute(select(E.c.id, E.c.stream, E.c.type)
                                 .where(E.c.type.in_(triggers), E.c.stream.like("decision:%"),
                                        E.c.id > max(0, int(top or 0) - lookback), ~handled)
                                 .order_by(E.c.id).limit(limit)).all()
        return [(int(i), str(s), str(t)) for i, s, t in rows]

    def record_attempt(self, decision_id: str, duty: str, due: str, values: dict[str, Any]) -> bool:
        """Update a keyed duty, counting one more attempt; False when there is none yet."""
        res = self.conn.execute(update(CD).where(CD.c.decision_id == decision_id, CD.c.duty == duty, CD.c.due == due)
                                .values(attempts=CD.c.attempts + 1, **values))
        return bool(res.rowcount)


OP = EXECUTION_OPINIONS


class SqlOpinions(_Repo):
    """Public opinions on a decision's execution."""

    def add(self, values: dict[str, Any]) -> None:
        self.conn.execute(insert(OP).values(**values))

    def get(self, tracking_number: str) -> dict[str, Any] | None:
        row = self.conn.execute(select(OP.c.decision_id, OP.c.received_at, OP.c.text_sha256)
                                .where(OP.c.tracking_number == tracking_number)).first()
        return None if row is None else dict(row._mapping)

    def count(self, decision_id: str, since: str | None = None) -> int:
        q = select(func.count()).select_from(OP).where(OP.c.decision_id == decision_id)
        if since:
            q = q.where(OP.c.received_at > since)
        return int(self.conn.execute(q).scalar_one())

    def count_by_decision(self) -> dict[str, int]:
        return dict(self.conn.execute(select(OP.c.decision_id, func.count()).group_by(OP.c.decision_id))
                    .tuples().all())


class SqlComments(_Repo):
    """Public comments (R6): the comment store's tables."""

    def lock(self, stream: str) -> None:
        cs.lock_stream(self.conn, stream)

    def try_lock(self, stream: str) -> bool:
        return cs.try_lock_stream(self.conn, stream)

    def shards(self, decision_id: str) -> list[int]:
        return cs.shards(self.conn, decision_id)

    def insert(self, rows: Sequence[dict[str, Any]], identities: Sequence[dict[str, Any]] = ()) -> None:
        cs.insert_comments(self.conn, rows, identities)

    def insert_received(self, envelopes: Sequence[dict[str, Any]],
                        identities: Sequence[dict[str, Any]] = ()) -> None:
        """Index the comments of `CommentReceived` events just appended (identities kept apart)."""
        cs.insert_comments(self.conn, [cs.comment_row(e) for e in envelopes], identities)

    def comment(self, tracking_number: str) -> dict[str, Any] | None:
        return cs.comment(self.conn, tracking_number)

    def hide(self, tracking_number: str, reason: str, note: str) -> None:
        cs.hide(self.conn, tracking_number, reason, note)

    def for_clustering(self, decision_id: str) -> list[tuple[str, str, str | None, bool]]:
        return cs.for_clustering(self.conn, decision_id)

    def add_clusters(self, decision_id: str, new: Sequence[dict[str, Any]], grown: Sequence[tuple[str, int, int]],
                     members: Sequence[tuple[str, str]]) -> None:
        cs.add_clusters(self.conn, decision_id, new, grown, members)

    def clusters(self, decision_id: str, *, limit: int | None = None, offset: int = 0) -> list[dict[str, Any]]:
        return cs.clusters(self.conn, decision_id, limit=limit, offset=offset)

    def dispose(self, decision_id: str, items: Sequence[dict[str, Any]], at: str, person: str, seq: int) -> None:
        cs.dispose(self.conn, decision_id, items, at, person, seq)

    def totals(self, decision_id: str) -> dict[str, int]:
        return cs.totals(self.conn, decision_id)

    def live(self, decision_id: str) -> dict[str, Any]:
        return cs.live(self.conn, decision_id)

    def per_day(self, days: int) -> list[tuple[str, int]]:
        day = PUBLIC_COMMENTS.c.received_on
        rows = self.conn.execute(select(day, func.count()).group_by(day).order_by(day.desc()).limit(days)).all()
        return [(str(d)[:10], int(n)) for d, n in reversed(rows)]


# ---------------------------------------------------------------------------------------- the unit of work
class SqlUnitOfWork:
    """The repositories of one transaction on the relational store."""

    def __init__(self, conn: Connection) -> None:
        self.tx = conn
        self.events = SqlEvents(conn)
        self.decisions = SqlDecisions(conn)
        self.artifacts = SqlArtifacts(conn)
        self.documents = SqlDocuments(conn)
        self.persons = SqlPersons(conn)
        self.cases = SqlCases(conn)
        self.meetings = SqlMeetings(conn)
        self.notifications = SqlNotifications(conn)
        self.idempotency = SqlIdempotency(conn)
        self.experts = SqlExperts(conn)
        self.calendar_years = SqlCalendarYears(conn)
        self.duties = SqlDuties(conn)
        self.opinions = SqlOpinions(conn)
        self.comments = SqlComments(conn)


class SqlUnits:
    """Units of work over `Store.write()` (one serialised write transaction) and `Store.read()`."""

    def __init__(self, store: st.Store) -> None:
        self.store = store

    @contextmanager
    def write(self) -> Iterator[SqlUnitOfWork]:
        with self.store.write() as conn:
            yield SqlUnitOfWork(conn)

    @contextmanager
    def read(self) -> Iterator[SqlUnitOfWork]:
        with self.store.read() as conn:
            yield SqlUnitOfWork(conn)


def unit_of(tx: Any) -> SqlUnitOfWork:
    """The unit of work over a connection held by a caller not behind the port yet (a raw transaction)."""
    return tx if isinstance(tx, SqlUnitOfWork) else SqlUnitOfWork(tx)


if TYPE_CHECKING:  # mypy checks that the relational store implements the whole port
    _port: Units = SqlUnits(st.Store("sqlite://"))
