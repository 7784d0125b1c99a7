"""The relational store: SQLite (embedded default) or PostgreSQL, one code path (DESIGN "Scale path").

Writes go through `Store.write()`: one transaction in which events are appended to their stream's
hash chain and projections are updated; if anything fails nothing is written (DESIGN principle 4).
On SQLite, writers are serialised by an in-process lock and `BEGIN IMMEDIATE` (measured: better p99
than SQLite's busy handler), and the store refuses to start without WAL and synchronous=FULL.
"""

from __future__ import annotations

import gc
import json
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from importlib import resources
from typing import Any

import orjson
from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, and_, bindparam, create_engine, event, func, insert, select, update
from sqlalchemy.exc import DatabaseError, IntegrityError, OperationalError

from decision_engine.adapters.identity_repo import Role, cached_roles, remember_roles
from decision_engine.adapters.tables import (
    ARTIFACTS,
    DECISIONS,
    EVENTS,
    LOG_PROFILE,
    PERSONS,
    PROCEDURE_SPECS,
    ROLE_ASSIGNMENTS,
)
from decision_engine.audit.canonical import GENESIS, canonical, chain_hash
from decision_engine.domain import events as event_types
from decision_engine.domain.errors import ConcurrencyConflict, NotFound, Unavailable
from decision_engine.domain.org_events import ORG as ORG_CATALOGUE
from decision_engine.domain.procedure import Procedure

E = EVENTS
D = DECISIONS
A = ARTIFACTS
P = PROCEDURE_SPECS


# A hook that runs inside a write transaction, just before it commits, with the events the transaction
# appended: what must commit atomically with a command (its idempotency key's record) hangs here.
BeforeCommit = Callable[[Connection, list[dict[str, Any]]], None]
_before_commit: ContextVar[BeforeCommit | None] = ContextVar("decide_before_commit", default=None)
_appended: ContextVar[list[dict[str, Any]] | None] = ContextVar("decide_appended", default=None)


class DurabilityRefused(RuntimeError):
    """SQLite is not in WAL mode with synchronous=FULL: acknowledged writes could be lost."""


#: Log profiles (issue 17 §5) and the hash of their event chain and Merkle tree: the default, and 国密.
DEFAULT_PROFILE = "sha256-ed25519"
PROFILE_HASHES = {DEFAULT_PROFILE: "sha256", "sm3-sm2": "sm3"}


class ProfileRefused(Unavailable):
    """The store was initialised with another log profile than the one asked for (a log never mixes
    algorithms), or the profile is unknown."""


class Store:
    """Engine, migrations and transactions for one database URL."""

    def __init__(self, url: str, *, pool_size: int = 5) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        self._lock = threading.RLock()
        self._profile: str | None = None
        self.clock_info: dict[str, object] | None = None  # a rehearsal clock's description (issue 16)
        if self.is_sqlite:
            # A small persistent pool: closing the last connection to a WAL database checkpoints it,
            # which a per-request connection would pay on every command.
            self.engine: Engine = create_engine(url, connect_args={"check_same_thread": False,
                                                                   "timeout": 30},
                                                pool_size=pool_size, max_overflow=10)
            event.listen(self.engine, "connect", _sqlite_connect)
            event.listen(self.engine, "begin", _sqlite_begin)
        else:
            self.engine = create_engine(url, pool_size=pool_size, max_overflow=10, pool_pre_ping=True)

    def migrate(self) -> None:
        """Bring the schema to the newest Alembic revision (creates the database if missing)."""
        cfg = Config()
        cfg.set_main_option("script_location",
                            str(resources.files("decision_engine.adapters") / "migrations"))
        try:
            with self._lock, self.engine.begin() as conn:
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "heads")  # feature branches off 0001 each add their own tables
        except DatabaseError as exc:  # issue 11 §5: unreachable (or unreadable) at start is the same clear 503
            raise _unavailable(exc) from None
        self.check_durability()

    def check_durability(self) -> None:
        """Refuse to run on SQLite without WAL and synchronous=FULL (acknowledged writes must last)."""
        if not self.is_sqlite:
            return
        try:
            with self.engine.connect() as conn:
                mode = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
                sync = conn.exec_driver_sql("PRAGMA synchronous").scalar()
        except DatabaseError as exc:
            raise _unavailable(exc) from None
        if str(mode).lower() != "wal" or int(sync or 0) < 2:
            raise DurabilityRefused(f"SQLite must run with journal_mode=WAL and synchronous=FULL; found "
                                    f"journal_mode={mode}, synchronous={sync}")

    @property
    def profile(self) -> str:
        """The log profile recorded in the store (``sha256-ed25519`` when none is recorded yet)."""
        if self._profile is None:
            try:
                with self.engine.connect() as conn:
                    row = conn.execute(select(LOG_PROFILE.c.profile).where(LOG_PROFILE.c.id == 1)).first()
            except DatabaseError:  # not migrated yet, or unreachable: say the default, remember nothing
                return DEFAULT_PROFILE
            if row is None:
                return DEFAULT_PROFILE  # recorded by use_profile when the store is opened
            self._profile = str(row[0])
        return self._profile

    @property
    def chain_algorithm(self) -> str:
        """The hashlib name of the profile's hash (``sha256``, ``sm3``)."""
        return PROFILE_HASHES[self.profile]

    def use_profile(self, requested: str | None, at: str) -> str:
        """Record the log profile on first use (``requested``, or the default); refuse to open a store that
        records another one, or to give a store already holding events a profile other than the default
        its events were hashed with. Returns the profile in force."""
        if requested is not None and requested not in PROFILE_HASHES:
            raise ProfileRefused(f"未知的日志算法配置 {requested!r}（可选：{', '.join(PROFILE_HASHES)}）/ "
                                 f"unknown log profile {requested!r}")
        query = select(LOG_PROFILE.c.profile).where(LOG_PROFILE.c.id == 1)
        with self.read() as conn:
            row = conn.execute(query).first()
        if row is None:
            try:
                with self.write() as conn:
                    if conn.execute(select(E.c.id).limit(1)).first() is not None \
                            and requested not in (None, DEFAULT_PROFILE):
                        raise ProfileRefused(f"存储库中已有按 {DEFAULT_PROFILE} 计算的事件，不能改用 {requested}（一个"
                                             f"日志从不混用算法）/ the store already holds events hashed under "
                                             f"{DEFAULT_PROFILE}; refusing to switch it to {requested}")
                    conn.execute(insert(LOG_PROFILE).values(id=1, profile=requested or DEFAULT_PROFILE,
                                                            recorded_at=at))
            except ConcurrencyConflict:
                pass  # another process recorded it first: read what it recorded
            with self.read() as conn:
                row = conn.execute(query).first()
        recorded = str(row[0]) if row is not None else DEFAULT_PROFILE
        if requested is not None and requested != recorded:
            raise ProfileRefused(f"存储库初始化时记录的日志算法配置是 {recorded}，设置要求 {requested}：拒绝打开"
                                 f"（一个日志从不混用算法）/ the store was initialised with log profile "
                                 f"{recorded}, the settings ask for {requested}: refusing to open it")
        self._profile = recorded
        return recorded

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One write transaction; commits on success, rolls back on any exception."""
        hook = _before_commit.get()
        options: dict[str, Any] = {"decide_write": True}
        if self.clock_info is not None:
            options["decide_clock"] = self.clock_info  # append() records the rehearsal clock in each event
        if self.profile != DEFAULT_PROFILE:
            options["decide_chain"] = PROFILE_HASHES[self.profile]  # append() hashes the chain with it
        with self._lock if self.is_sqlite else _nolock():
            try:
                with self.engine.connect().execution_options(**options) as conn:
                    with conn.begin():
                        if hook is None:
                            yield conn
                        else:
                            appended: list[dict[str, Any]] = []
                            token = _appended.set(appended)
                            try:
                                yield conn
                                if appended:
                                    hook(conn, appended)
                            finally:
                                _appended.reset(token)
            except IntegrityError as exc:
                raise ConcurrencyConflict(f"another writer appended first: {exc.orig}", rule="R18",
                                          article="Art. 33") from None
            except DatabaseError as exc:
                raise _unavailable(exc) from None

    @contextmanager
    def before_commit(self, hook: BeforeCommit) -> Iterator[None]:
        """While open, every write transaction of this thread that appends events runs `hook(conn, events)`
        just before it commits: in the same transaction, so the hook's writes and the events commit or
        vanish together (a crash in between leaves neither)."""
        token = _before_commit.set(hook)
        try:
            yield
        finally:
            _before_commit.reset(token)

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read-only transaction (one consistent snapshot)."""
        try:
            with self.engine.connect() as conn:
                with conn.begin():
                    yield conn
        except DatabaseError as exc:
            raise _unavailable(exc) from None

    def dispose(self) -> None:
        """Close pooled connections."""
        self.engine.dispose()


def _unavailable(exc: DatabaseError) -> Exception:
    """A database that cannot be reached or read is unavailable (503, nothing written); any other database
    error (a programming error, say) is not disguised as an outage."""
    if isinstance(exc, OperationalError):
        return Unavailable(f"the database is unavailable: {exc.orig}")
    if type(exc) is DatabaseError:  # SQLite: "file is not a database", "database disk image is malformed"
        return Unavailable(f"the database cannot be read: {exc.orig} — restore it from a backup and run "
                           "`decide verify`")
    return exc


@contextmanager
def _nolock() -> Iterator[None]:
    yield


def _sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.isolation_level = None  # we emit BEGIN ourselves (pysqlite's own handling is broken)
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def _sqlite_begin(conn: Connection) -> None:
    # The rows this connection has changed so far (no statement: the driver keeps the count), so that
    # `_unwritten` can tell whether the transaction has written anything yet.
    conn.info["decide_changes"] = conn.connection.dbapi_connection.total_changes  # type: ignore[union-attr]
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("decide_write")
                         else "BEGIN")


# ---------------------------------------------------------------------------------------- events
def envelope(stream: str, seq: int, etype: str, at: str, actor: dict[str, str],
             payload: dict[str, Any]) -> dict[str, Any]:
    """The canonical form of an event: what is hashed, chained, logged and archived."""
    return {"stream": stream, "seq": seq, "type": etype, "v": schema_version(etype), "at": at,
            "actor": actor, "payload": payload}


def schema_version(etype: str) -> int:
    """The schema version written for an event type: the organisation's catalogue for its events, the
    decisions' catalogue for the rest (1 for a type neither types)."""
    return ORG_CATALOGUE.version(etype) if ORG_CATALOGUE.knows(etype) else event_types.DEFAULT.version(etype)


# Hot-path statements are built once (building a statement per call cost more than running it).
_LAST = select(E.c.seq, E.c.hash).where(E.c.stream == bindparam("s")).order_by(E.c.seq.desc()).limit(1)
_INSERT_EVENTS = insert(E)
_LOAD_DECISION = select(D).where(D.c.id == bindparam("i"))
_DECISION_SEQ = select(D.c.last_seq).where(D.c.id == bindparam("i"))
_PROJECTED = ("title", "category", "unit", "status", "stage", "procedure_id", "procedure_version",
              "procedure_hash", "opened_at", "updated_at", "due_by", "last_seq", "state")
_INSERT_DECISION = insert(D)
_UPDATE_DECISION = update(D).where(D.c.id == bindparam("b_id"), D.c.last_seq == bindparam("b_prev")) \
    .values({c: bindparam(c) for c in _PROJECTED})
_INSERT_ARTIFACT = insert(A)


def last_of(conn: Connection, stream: str) -> tuple[int, str]:
    """The stream's last sequence number and hash (0 and the genesis hash when empty)."""
    row = conn.execute(_LAST, {"s": stream}).first()
    return (0, GENESIS) if row is None else (int(row[0]), str(row[1]))


def append(conn: Connection, stream: str, events: Sequence[tuple[str, dict[str, Any]]], *,
           at: str, actor: dict[str, str], expected_seq: int | None = None,
           head: tuple[int, str] | None = None) -> list[dict[str, Any]]:
    """Append events to a stream's hash chain; a stale expected_seq is a ConcurrencyConflict.

    `head` is the stream's (sequence, hash) as this transaction read it (`load_for_command`): not read again.
    A writer that appended in between (PostgreSQL runs writers concurrently) makes the insert break the
    unique (stream, seq), which `Store.write` turns into a ConcurrencyConflict, as a stale read would be."""
    seq, prev = last_of(conn, stream) if head is None else head
    algorithm = conn.get_execution_options().get("decide_chain", "sha256")  # the store's log profile
    clock = conn.get_execution_options().get("decide_clock")
    if expected_seq is not None and expected_seq != seq:
        raise ConcurrencyConflict(f"stream {stream} is at sequence {seq}, the request expected "
                                  f"{expected_seq}: reload and retry", rule="R18", article="Art. 33")
    out, rows = [], []
    for etype, payload in events:
        seq += 1
        env = envelope(stream, seq, etype, at, actor, payload)
        if clock is not None:
            env["clock"] = clock  # made on a rehearsal clock (issue 16): hashed with the event, never hidden
        body = canonical(env)
        digest = chain_hash(prev, body, algorithm)
        rows.append({"stream": stream, "seq": seq, "type": etype, "schema_version": env["v"], "at": at,
                     "person": actor["person"], "role": actor["role"], "unit": actor["unit"],
                     "body": body, "prev_hash": prev, "hash": digest})
        prev = digest
        out.append(orjson.loads(body))  # what replay will see (e.g. 3.0 is canonically 3), not the input
    if rows:
        conn.execute(_INSERT_EVENTS, rows)
        seen = _appended.get()
        if seen is not None:
            seen.extend(out)
    return out


def stream_events(conn: Connection, stream: str, *, upto_seq: int | None = None,
                  until_at: str | None = None) -> list[dict[str, Any]]:
    """A stream's events (decoded from their stored canonical bytes), oldest first.

    Read through the driver's cursor in the caller's transaction (as verification reads): SQLAlchemy's row
    objects cost as much as the query for a long stream (issue 19 §3)."""
    loads = orjson.loads
    return [loads(body) for body in _stream_bodies(conn, stream, upto_seq, until_at)]


def iter_stream_events(conn: Connection, stream: str, *, upto_seq: int | None = None,
                       until_at: str | None = None) -> Iterator[dict[str, Any]]:
    """A stream's events as `stream_events` reads them, each decoded only when it is taken: a fold that takes
    them one by one holds one decoded event at a time (a 10,000-event replay decoded them all, then folded
    them, then freed them all; issue 19 §3). The rows are read before this returns, in the caller's
    transaction."""
    return map(orjson.loads, _stream_bodies(conn, stream, upto_seq, until_at))


def _stream_bodies(conn: Connection, stream: str, upto_seq: int | None, until_at: str | None) -> list[Any]:
    """A stream's stored event bodies, oldest first, through the driver's cursor."""
    sql, params = _stream_sql(conn, stream, upto_seq, until_at)
    cur = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cur.execute(sql, params)
        rows = cur.fetchall()
    finally:
        cur.close()
    return [r[0] for r in rows]


_STREAM_SQL: dict[tuple[str, bool, bool], tuple[str, tuple[str, ...] | None]] = {}


def _stream_sql(conn: Connection, stream: str, upto_seq: int | None, until_at: str | None
                ) -> tuple[str, Any]:
    """The events query compiled once per dialect and shape, with its parameters in the driver's style."""
    key = (conn.dialect.name, upto_seq is not None, until_at is not None)
    cached = _STREAM_SQL.get(key)
    if cached is None:
        q = select(E.c.body).where(E.c.stream == bindparam("s"))
        if upto_seq is not None:
            q = q.where(E.c.seq <= bindparam("u"))
        if until_at is not None:
            q = q.where(E.c.at <= bindparam("t"))
        compiled = q.order_by(E.c.seq).compile(dialect=conn.dialect)
        order = tuple(compiled.positiontup) if compiled.positional and compiled.positiontup else None
        cached = _STREAM_SQL[key] = (compiled.string, order)
    sql, order = cached
    values = {"s": stream, "u": upto_seq, "t": until_at}
    return sql, (tuple(values[k] for k in order) if order is not None else values)


def _head_of(name: str) -> tuple[Any, Any]:
    last = select(E.c.seq, E.c.hash).where(E.c.stream == bindparam(name)).order_by(E.c.seq.desc()).limit(1)
    return last.with_only_columns(E.c.seq).scalar_subquery(), last.with_only_columns(E.c.hash).scalar_subquery()


def _for_command(postgres: bool) -> Any:
    """The one SELECT a gate command reads with: the projection row, the heads of the decision's and the
    organisation's streams (scalar subqueries on the (stream, seq) index), the person's row and, only when
    the cached roles are not of the person's roles_version (`v`: the cached version, -1 for none), the
    person's role rows (a person with n roles: n rows, the projection repeated; with none: one row). On
    PostgreSQL also whether the transaction has written anything yet (it has no transaction id then)."""
    R = ROLE_ASSIGNMENTS
    seq, digest = _head_of("s")
    org_seq, org_digest = _head_of("o")
    cols = [*D.c, seq, digest, org_seq, org_digest, PERSONS.c.name, PERSONS.c.roles_version,
            R.c.role, R.c.unit, R.c.valid_from, R.c.valid_to]
    if postgres:
        cols.append(func.pg_current_xact_id_if_assigned().is_(None))
    return (select(*cols)
            .select_from(D.outerjoin(PERSONS, PERSONS.c.id == bindparam("p"))
                         .outerjoin(R, and_(R.c.person_id == PERSONS.c.id, PERSONS.c.roles_version != bindparam("v"))))
            .where(D.c.id == bindparam("i")).order_by(R.c.valid_from))


_FOR_COMMAND = {False: _for_command(False), True: _for_command(True)}
_D_COLUMNS = tuple(D.c.keys())


def _unwritten(conn: Connection, row: Any) -> bool:
    """Whether the transaction had written nothing when `row` was read (its reads saw committed rows only)."""
    if conn.dialect.name == "postgresql":
        return bool(row[-1])
    dbapi = conn.connection.dbapi_connection
    return getattr(dbapi, "total_changes", None) == conn.info.get("decide_changes")


def load_for_command(conn: Connection, decision_id: str, *, stream: str, org_stream: str,
                     person_id: str) -> tuple[dict[str, Any], tuple[int, str], tuple[int, str],
                                              tuple[str, tuple[Role, ...]] | None]:
    """What a gate command reads before it writes, in one SELECT (issue 19 §5): the projection row (as
    `load_decision`), the heads of `stream` and `org_stream` (as `last_of`), and the person's (name, roles) as
    `IdentityRepo.person_roles` gives them (None for an unknown person); NotFound when there is no decision.

    The roles come from the cache when it holds the person's roles_version, else from the same SELECT; read so
    by a transaction that had written nothing yet (they are committed rows), they fill the cache."""
    cached = cached_roles(conn.engine, person_id)
    postgres = conn.dialect.name == "postgresql"
    rows = conn.execute(_FOR_COMMAND[postgres], {"i": decision_id, "s": stream, "o": org_stream, "p": person_id,
                                                  "v": -1 if cached is None else cached[0]}).all()
    if not rows:
        raise NotFound(f"no decision {decision_id!r}")
    first = rows[0]
    n = len(_D_COLUMNS)
    row = dict(zip(_D_COLUMNS, first[:n], strict=True))
    head = (0, GENESIS) if first[n] is None else (int(first[n]), str(first[n + 1]))
    org_head = (0, GENESIS) if first[n + 2] is None else (int(first[n + 2]), str(first[n + 3]))
    name, version = first[n + 4], first[n + 5]
    if name is None:
        return row, head, org_head, None
    if cached is not None and cached[0] == int(version):
        return row, head, org_head, (str(name), cached[1])
    roles: tuple[Role, ...] = tuple((str(r[n + 6]), str(r[n + 7]), str(r[n + 8]), r[n + 9])
                                    for r in rows if r[n + 6] is not None)
    if not conn.get_execution_options().get("decide_write") or _unwritten(conn, first):
        remember_roles(conn.engine, person_id, int(version), roles)
    return row, head, org_head, (str(name), roles)


def stream_head(conn: Connection, decision_id: str) -> int:
    """A decision's last sequence number from its projection row (NotFound when there is none), without
    reading its state."""
    row = conn.execute(_DECISION_SEQ, {"i": decision_id}).first()
    if row is None:
        raise NotFound(f"no decision {decision_id!r}")
    return int(row[0])


_gc_lock = threading.Lock()
_gc_pausers = 0
_gc_was_enabled = False
_gc_paused_at = 0.0
#: Overlapping pauses could keep the collector off indefinitely in a busy server: a pause that ends while
#: others go on, after the collector has been off this long, collects once (what cycles there are go).
GC_MAX_PAUSE_SECONDS = 2.0


@contextmanager
def no_cyclic_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while a replay or `decide verify` builds its objects (issue 19 §3).

    Parsing and folding a long stream creates hundreds of thousands of dicts and lists, none of them in a
    reference cycle; the collector's generational passes over them were half of a 10,000-event replay.
    Reference counting still frees everything; the collector resumes when the last concurrent pause ends
    (it is process-wide: a counter under a lock, and it is left off if something else had turned it off),
    and overlapping pauses never keep it off longer than `GC_MAX_PAUSE_SECONDS` without one collection."""
    global _gc_pausers, _gc_was_enabled, _gc_paused_at
    with _gc_lock:
        if _gc_pausers == 0:
            _gc_was_enabled = gc.isenabled()
            _gc_paused_at = time.monotonic()
            gc.disable()
        _gc_pausers += 1
    try:
        yield
    finally:
        collect = False
        with _gc_lock:
            _gc_pausers -= 1
            if _gc_pausers == 0:
                if _gc_was_enabled:
                    gc.enable()
            elif _gc_was_enabled and time.monotonic() - _gc_paused_at > GC_MAX_PAUSE_SECONDS:
                _gc_paused_at = time.monotonic()
                collect = True
        if collect:
            gc.collect()


# ---------------------------------------------------------------------------------------- projections
def put_spec(conn: Connection, spec: Procedure, at: str) -> None:
    """Pin a resolved procedure by its hash (idempotent; never overwritten)."""
    if conn.execute(select(P.c.hash).where(P.c.hash == spec.hash)).first() is None:
        conn.execute(insert(P).values(hash=spec.hash, procedure_id=spec.id, version=spec.version,
                                      body=spec.to_json(), registered_at=at))


_SPECS: dict[str, Procedure] = {}


def get_spec(conn: Connection, spec_hash: str) -> Procedure:
    """The pinned procedure a decision runs under (cached: a pinned specification never changes)."""
    spec = _SPECS.get(spec_hash)
    if spec is not None:
        return spec
    row = conn.execute(select(P.c.body).where(P.c.hash == spec_hash)).first()
    if row is None:
        raise NotFound(f"procedure specification {spec_hash} is not pinned in this store")
    spec = Procedure(json.loads(row[0]))
    if spec.hash != spec_hash:
        raise NotFound(f"procedure specification {spec_hash} does not match its content "
                       f"(recomputed {spec.hash})")
    _SPECS[spec_hash] = spec
    return spec


def load_decision(conn: Connection, decision_id: str) -> dict[str, Any]:
    """The projection row of a decision as a dict, or NotFound."""
    row = conn.execute(_LOAD_DECISION, {"i": decision_id}).mappings().first()
    if row is None:
        raise NotFound(f"no decision {decision_id!r}")
    return dict(row)


def state_text(state: dict[str, Any]) -> str:
    """The stored form of a projection: sorted-key JSON, so a replay can be compared as text."""
    return orjson.dumps(state, option=orjson.OPT_SORT_KEYS).decode()


def decision_row(state: dict[str, Any]) -> dict[str, Any]:
    """The decisions table's columns for a projection (without its id): the one place that maps them."""
    return {"title": state["title"], "category": state["category"], "unit": state["unit"],
              "status": state["status"], "stage": state["stage"],
              "procedure_id": state["procedure"]["id"], "procedure_version": state["procedure"]["version"],
              "procedure_hash": state["procedure"]["hash"], "opened_at": state["opened_at"],
              "updated_at": state["updated_at"], "due_by": state["due_by"], "organ": state.get("organ"),
              "last_seq": state["seq"], "state": state_text(state)}


def save_decision(conn: Connection, state: dict[str, Any], *, previous_seq: int | None) -> None:
    """Insert or update a decision's projection; the update checks the sequence it was read at."""
    values = decision_row(state)
    if previous_seq is None:
        conn.execute(_INSERT_DECISION, dict(values, id=state["id"]))
        return
    res = conn.execute(_UPDATE_DECISION, dict(values, b_id=state["id"], b_prev=previous_seq))
    if res.rowcount != 1:
        raise ConcurrencyConflict(f"decision {state['id']} changed concurrently (expected sequence "
                                  f"{previous_seq})", rule="R18", article="Art. 33")


def artifact_values(decision_id: str, art: dict[str, Any]) -> dict[str, Any]:
    """The artifacts index row of an artifact recorded by an event (`decide verify` rebuilds it too)."""
    return dict(id=art["id"], decision_id=decision_id, kind=art["kind"], gate=art["gate"], sha256=art["sha256"],
                size=art["size"], media_type=art["media_type"], filename=art["filename"],
                draft_version=art["draft_version"], author_person=art["author"]["person"],
                recorded_at=art["at"], seq=art["seq"], storage=art.get("storage", "blob"))


def insert_artifact(conn: Connection, decision_id: str, art: dict[str, Any]) -> None:
    """Index an artifact recorded by an event."""
    conn.execute(_INSERT_ARTIFACT, artifact_values(decision_id, art))
