"""The store port: what services ask of the store, and nothing of how it keeps things.

A service opens a unit of work — `with ctx.units.write() as uow:` (one transaction: every read and write
in it commits or vanishes together) or `with ctx.units.read() as uow:` (one consistent snapshot) — and
works through the unit's repositories: `uow.events`, `uow.decisions`, `uow.cases`, `uow.meetings`, ...
SQLite and PostgreSQL implement it in `adapters/repositories.py`, memory in `adapters/memory.py` (unit
tests). Services import no database library (import-linter contract in pyproject.toml).

`uow.tx` is the transaction handle that modules not yet behind the port still take: passing it keeps
their reads in the same transaction. `decisions.load`, `decisions._persist`, `queries.replay`,
`identity.actors_of`, `organisation.chart_of` and `organisation.chart_at` take a unit of work (or, from
callers not ported yet, a transaction handle, which `context.unit_of` wraps).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Any, NamedTuple, Protocol

from decision_engine.domain.procedure import Procedure

Role = tuple[str, str, str, str | None]  # (role, unit, valid_from, valid_to) of one assignment


class CommandRead(NamedTuple):
    """What a command on a decision reads before it writes, in one round trip (`Decisions.load_for_command`,
    issue 19 §5): the projection row (as `Decisions.load` gives it), the head (sequence, chain hash) of the
    decision's stream and of the organisation's stream, and (name, roles as `Persons.roles_of` gives them) of
    the acting person (None for an unknown person)."""

    row: dict[str, Any]
    head: tuple[int, str]
    org_head: tuple[int, str]
    person: tuple[str, list[Role]] | None


class Events(Protocol):
    """The hash-chained event streams."""

    def append(self, stream: str, events: Sequence[tuple[str, dict[str, Any]]], *, at: str,
               actor: dict[str, str], expected_seq: int | None = None,
               head: tuple[int, str] | None = None) -> list[dict[str, Any]]:
        """Append to a stream's hash chain from its head: `head` (sequence, chain hash) as this transaction
        read it (`Decisions.load_for_command`), or read here. A head another writer moved on since is a
        ConcurrencyConflict (the unique (stream, seq) at the latest), as is a stale `expected_seq`."""

    def stream(self, stream: str, *, upto_seq: int | None = None,
               until_at: str | None = None) -> list[dict[str, Any]]:
        ...

    def iter_stream(self, stream: str, *, upto_seq: int | None = None,
                    until_at: str | None = None) -> Iterator[dict[str, Any]]:
        """A stream's events as `stream` gives them, each decoded only when it is taken (a long replay holds
        one decoded event at a time, issue 19 §3); the rows are read before this returns."""

    def last(self, stream: str) -> tuple[int, str]:
        ...

    def hash_at(self, stream: str, seq: int) -> str | None:
        """The chain hash of one event (None when the stream has no such event)."""

    def chain(self, stream: str) -> list[tuple[int, bytes, str, str]]:
        ...

    def count_by_stream(self, etype: str) -> dict[str, int]:
        ...

    def of_type(self, etype: str, streams: Sequence[str]) -> list[dict[str, Any]]:
        """stream, at, person and the decoded body of each event of a type on these streams."""

    def last_at(self, stream: str, etype: str) -> str | None:
        ...

    def streams_of_person(self, person_id: str) -> set[str]:
        ...


class Decisions(Protocol):
    """The decisions' projections and their pinned procedures."""

    def load(self, decision_id: str) -> dict[str, Any]:
        ...

    def head(self, decision_id: str) -> int:
        """A decision's last sequence number from its projection (NotFound when there is none), its state
        not read."""

    def load_for_command(self, decision_id: str, *, stream: str, org_stream: str,
                         person_id: str) -> CommandRead:
        """The projection, the heads of `stream` and `org_stream` and the person's roles in ONE round trip (a
        gate command's only read before it writes; issue 19 §5); NotFound when there is no such decision."""

    def save(self, state: dict[str, Any], *, previous_seq: int | None) -> None:
        """Insert a decision's projection (`previous_seq` None) or update it from the sequence it was read at
        (another writer in between: ConcurrencyConflict)."""

    def spec(self, spec_hash: str) -> Procedure:
        ...

    def put_spec(self, spec: Procedure, at: str) -> None:
        ...

    def ids(self, statuses: Sequence[str], *, recent_first: bool = False, limit: int | None = None) -> list[str]:
        ...

    def states_opened_in(self, year: int, unit: str | None) -> list[dict[str, Any]]:
        ...

    def overdue_ids(self, today: str, statuses: Sequence[str]) -> list[str]:
        ...

    def rows_in(self, statuses: Sequence[str]) -> Iterator[tuple[str, str, str]]:
        """(id, procedure hash, state text) of the decisions in these statuses, streamed in pages."""

    def published(self, *, limit: int, offset: int) -> list[dict[str, Any]]:
        """Decisions with a publication record and the first one's time, the latest published first."""


class Artifacts(Protocol):
    """The artifacts' index."""

    def add(self, decision_id: str, artifact: dict[str, Any]) -> None:
        """Index an artifact an event recorded (its state in the decision's projection)."""

    def decisions_with(self, kind: str) -> list[str]:
        ...


class Documents(Protocol):
    """The official documents rendered from the record (one row per rendering, append-only)."""

    def add(self, values: dict[str, Any]) -> None:
        ...

    def get(self, doc_id: str) -> dict[str, Any] | None:
        ...

    def find(self, decision_id: str, doc_kind: str, artifact_id: str, basis_seq: int,
             template_hash: str) -> dict[str, Any] | None:
        """The rendering of this document from this basis with these templates, if one is recorded."""

    def of_decision(self, decision_id: str) -> list[dict[str, Any]]:
        """A decision's renderings, oldest first."""


class Persons(Protocol):
    """Natural persons and the roles they hold (read side; identity writes them)."""

    def known(self, ids: Sequence[str]) -> set[str]:
        ...

    def names(self, ids: Sequence[str]) -> dict[str, str]:
        ...

    def exists(self, person_id: str) -> bool:
        ...

    def person(self, person_id: str) -> tuple[str, bool] | None:
        """(name, active) of a person, or None."""

    def roles_of(self, person_id: str) -> list[tuple[str, str, str, str | None]]:
        """(role, unit, valid_from, valid_to) of every assignment a person ever held, oldest first."""

    def person_roles(self, person_id: str) -> tuple[str, list[tuple[str, str, str, str | None]]] | None:
        """(name, roles_of) of a person in one read, or None for an unknown person."""

    def role_holders(self, at: str) -> list[tuple[str, str, str]]:
        """(role, person, unit) held at `at` by active persons, oldest grant first."""


class Cases(Protocol):
    """Accountability cases and undue-delay incidents."""

    def get(self, case_id: str) -> tuple[dict[str, Any], int] | None:
        ...

    def add(self, case_id: str, values: dict[str, Any]) -> None:
        ...

    def update(self, case_id: str, previous_seq: int, values: dict[str, Any]) -> bool:
        ...

    def decision_ids(self, kind: str) -> set[str]:
        ...

    def states(self, *, decision_id: str | None = None, status: str | None = None,
               kind: str | None = None) -> list[dict[str, Any]]:
        ...

    def all_states(self) -> list[dict[str, Any]]:
        ...

    def states_for(self, decision_ids: Sequence[str]) -> list[dict[str, Any]]:
        ...

    def count_by_decision(self) -> dict[str, int]:
        ...


class Meetings(Protocol):
    """Meetings and their agenda items."""

    def get(self, meeting_id: str) -> tuple[dict[str, Any], int] | None:
        ...

    def add(self, meeting_id: str, values: dict[str, Any]) -> None:
        ...

    def update(self, meeting_id: str, previous_seq: int, values: dict[str, Any]) -> bool:
        ...

    def place_item(self, meeting_id: str, item_no: int, decision_id: str) -> None:
        ...

    def decide_item(self, meeting_id: str, item_no: int, outcome: str, at: str) -> None:
        ...

    def recent(self, limit: int) -> list[dict[str, Any]]:
        ...

    def items_of(self, decision_id: str) -> list[dict[str, Any]]:
        ...


class Notifications(Protocol):
    """The notifications' outbox and inbox, and where people receive them."""

    def notified(self, decision_id: str, duties: Sequence[str]) -> set[tuple[str, str, str]]:
        ...

    def add(self, rows: Sequence[dict[str, Any]]) -> None:
        ...

    def pending(self, after: tuple[str, str], limit: int) -> list[dict[str, Any]]:
        ...

    def set_outcomes(self, rows: Sequence[dict[str, Any]]) -> None:
        ...

    def get(self, notification_id: str) -> dict[str, Any] | None:
        ...

    def mark_read(self, notification_id: str, at: str) -> None:
        ...

    def inbox(self, person_id: str, *, unread_only: bool, limit: int) -> list[dict[str, Any]]:
        ...

    def unread(self, person_id: str) -> int:
        ...

    def addresses(self) -> dict[str, str]:
        ...

    def heads(self) -> list[tuple[str, str]]:
        """(person, unit headed), by person."""

    def set_contact(self, person_id: str, values: dict[str, Any]) -> None:
        ...


class Idempotency(Protocol):
    """Idempotency keys: (request hash, status, response, created at) per scoped key."""

    def get(self, key: str) -> dict[str, Any] | None:
        ...

    def add(self, key: str, request_hash: str, status: int, response: str, created_at: str) -> None:
        ...

    def set(self, key: str, *, only_status: Sequence[int] | None = None, **values: Any) -> None:
        ...

    def remove(self, key: str, status: int) -> None:
        ...


class Experts(Protocol):
    """The expert pool."""

    def is_active(self, person_id: str) -> bool | None:
        ...

    def put(self, person_id: str, values: dict[str, Any], *, new: bool) -> None:
        ...

    def retire(self, person_id: str) -> bool:
        ...

    def active(self) -> list[dict[str, Any]]:
        ...


class CalendarYears(Protocol):
    """Operator-added official holiday years."""

    def has(self, year: int) -> bool:
        ...

    def add(self, year: int, source: str, body: str, added_at: str) -> None:
        ...

    def bodies(self) -> list[str]:
        ...


class Duties(Protocol):
    """What the statutory clock and the background flows have done, keyed (decision, duty, due)."""

    def done_keys(self, decision_ids: Iterable[str]) -> set[tuple[str, str, str]]:
        ...

    def add(self, rows: Sequence[dict[str, Any]]) -> None:
        ...

    def detail(self, decision_id: str, duty: str, due: str) -> str | None:
        ...

    def documents_pending(self, triggers: Sequence[str], *, lookback: int, max_attempts: int,
                          limit: int) -> list[tuple[int, str, str]]:
        """(event id, stream, type) of decision events that call for documents and are not handled yet."""

    def record_attempt(self, decision_id: str, duty: str, due: str, values: dict[str, Any]) -> bool:
        """Update a keyed duty, counting one more attempt; False when there is none yet."""


class Opinions(Protocol):
    """Public opinions on a decision's execution."""

    def add(self, values: dict[str, Any]) -> None:
        ...

    def get(self, tracking_number: str) -> dict[str, Any] | None:
        ...

    def count(self, decision_id: str, since: str | None = None) -> int:
        ...

    def count_by_decision(self) -> dict[str, int]:
        ...


class Comments(Protocol):
    """Public comments (R6): the comment store's tables."""

    def lock(self, stream: str) -> None:
        ...

    def try_lock(self, stream: str) -> bool:
        """Take the stream's writer lock if no other writer holds it (True), else False without waiting."""

    def shards(self, decision_id: str) -> list[int]:
        """The shards the decision's comments were received on (issue 19 §4)."""

    def insert(self, rows: Sequence[dict[str, Any]], identities: Sequence[dict[str, Any]] = ()) -> None:
        ...

    def insert_received(self, envelopes: Sequence[dict[str, Any]],
                        identities: Sequence[dict[str, Any]] = ()) -> None:
        """Index the comments of `CommentReceived` events just appended (identities kept apart)."""

    def comment(self, tracking_number: str) -> dict[str, Any] | None:
        ...

    def hide(self, tracking_number: str, reason: str, note: str) -> None:
        ...

    def for_clustering(self, decision_id: str) -> list[tuple[str, str, str | None, bool]]:
        ...

    def add_clusters(self, decision_id: str, new: Sequence[dict[str, Any]], grown: Sequence[tuple[str, int, int]],
                     members: Sequence[tuple[str, str]]) -> None:
        ...

    def clusters(self, decision_id: str, *, limit: int | None = None, offset: int = 0) -> list[dict[str, Any]]:
        ...

    def dispose(self, decision_id: str, items: Sequence[dict[str, Any]], at: str, person: str, seq: int) -> None:
        ...

    def totals(self, decision_id: str) -> dict[str, int]:
        ...

    def live(self, decision_id: str) -> dict[str, Any]:
        ...

    def per_day(self, days: int) -> list[tuple[str, int]]:
        ...


class UnitOfWork(Protocol):
    """The repositories of one transaction."""

    @property
    def tx(self) -> Any:
        """The transaction handle for modules not yet behind the port (see the module's docstring)."""

    @property
    def events(self) -> Events: ...
    @property
    def decisions(self) -> Decisions: ...
    @property
    def artifacts(self) -> Artifacts: ...
    @property
    def documents(self) -> Documents: ...
    @property
    def persons(self) -> Persons: ...
    @property
    def cases(self) -> Cases: ...
    @property
    def meetings(self) -> Meetings: ...
    @property
    def notifications(self) -> Notifications: ...
    @property
    def idempotency(self) -> Idempotency: ...
    @property
    def experts(self) -> Experts: ...
    @property
    def calendar_years(self) -> CalendarYears: ...
    @property
    def duties(self) -> Duties: ...
    @property
    def opinions(self) -> Opinions: ...
    @property
    def comments(self) -> Comments: ...


class Units(Protocol):
    """Opens units of work on one store."""

    def write(self) -> AbstractContextManager[UnitOfWork]:
        """One write transaction: commits when the block ends, rolls back on any exception."""

    def read(self) -> AbstractContextManager[UnitOfWork]:
        """One read-only transaction (a consistent snapshot)."""
