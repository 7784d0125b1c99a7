"""The SQL of people, roles, tokens, failed authentications and account locks (services/identity.py asks;
this module is the only one that knows the tables). Every method runs in the caller's transaction."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Sequence
from typing import Any

import orjson
from sqlalchemy import Connection, Engine, bindparam, delete, func, insert, select, update

from decision_engine.adapters.tables import (
    ACCOUNT_LOCKS,
    AUTH_FAILURES,
    EVENTS,
    PERSONS,
    ROLE_ASSIGNMENTS,
    TOKENS,
)

Tx = Connection  # the transaction handle services pass through (they import no database library)

_PERSON = select(PERSONS.c.name, PERSONS.c.active).where(PERSONS.c.id == bindparam("p"))
_PERSON_VERSION = select(PERSONS.c.name, PERSONS.c.roles_version).where(PERSONS.c.id == bindparam("p"))
_ROLES_OF = select(ROLE_ASSIGNMENTS.c.role, ROLE_ASSIGNMENTS.c.unit, ROLE_ASSIGNMENTS.c.valid_from,
                   ROLE_ASSIGNMENTS.c.valid_to) \
    .where(ROLE_ASSIGNMENTS.c.person_id == bindparam("p")).order_by(ROLE_ASSIGNMENTS.c.valid_from)
# One lookup answers a request's token: the token and whether the security administrator locked its person.
_TOKEN = select(TOKENS.c.person_id, TOKENS.c.expires_at, TOKENS.c.revoked_at,
                (ACCOUNT_LOCKS.c.person_id.is_not(None) & ACCOUNT_LOCKS.c.locked_until.is_(None)).label("held")) \
    .select_from(TOKENS.outerjoin(ACCOUNT_LOCKS, ACCOUNT_LOCKS.c.person_id == TOKENS.c.person_id)) \
    .where(TOKENS.c.token_hash == bindparam("h"))
_FAILURES = select(func.count(), func.min(AUTH_FAILURES.c.at)) \
    .where(AUTH_FAILURES.c.scope == bindparam("s"), AUTH_FAILURES.c.at > bindparam("since"))


Role = tuple[str, str, str, str | None]  # (role, unit, valid_from, valid_to) of one assignment

# The role rows of each person as of a roles_version (migration 0014), per database engine: the person's row is
# read on every request anyway, and carries the version; the roles are read again only when it changed. Keyed
# by the engine too, as two databases (two tests, two stores in one process) number their versions alike.
# Bounded: past ROLE_CACHE_SIZE people, an engine's entries are dropped and filled again as requests come.
ROLE_CACHE_SIZE = 20_000
_role_cache: weakref.WeakKeyDictionary[Engine, dict[str, tuple[int, tuple[Role, ...]]]] = \
    weakref.WeakKeyDictionary()
_role_cache_lock = threading.Lock()


def _roles_cached(engine: Engine) -> dict[str, tuple[int, tuple[Role, ...]]]:
    cache = _role_cache.get(engine)
    if cache is None:
        with _role_cache_lock:
            cache = _role_cache.setdefault(engine, {})
    return cache


def cached_roles(engine: Engine, person_id: str) -> tuple[int, tuple[Role, ...]] | None:
    """(roles_version, roles) cached for a person on this engine, or None."""
    return _roles_cached(engine).get(person_id)


def remember_roles(engine: Engine, person_id: str, version: int, roles: tuple[Role, ...]) -> None:
    """Cache a person's roles as of a roles_version read with them from committed rows only (see
    `IdentityRepo.person_roles`)."""
    cache = _roles_cached(engine)
    if len(cache) >= ROLE_CACHE_SIZE:
        cache.clear()
    cache[person_id] = (version, roles)


class IdentityRepo:
    """People, roles, tokens, failures and locks over one transaction."""

    def __init__(self, conn: Tx) -> None:
        self.conn = conn

    # -------------------------------------------------------------------------------- people and roles
    def person(self, person_id: str) -> tuple[str, bool] | None:
        """(name, active) of a person, or None."""
        row = self.conn.execute(_PERSON, {"p": person_id}).first()
        return None if row is None else (str(row.name), bool(row.active))

    def exists(self, person_id: str) -> bool:
        """Whether a person is registered."""
        return self.person(person_id) is not None

    def roles_of(self, person_id: str) -> list[Role]:
        """(role, unit, valid_from, valid_to) of every assignment a person ever held, oldest first."""
        return [(r.role, r.unit, r.valid_from, r.valid_to) for r in self.conn.execute(_ROLES_OF, {"p": person_id})]

    def person_roles(self, person_id: str) -> tuple[str, tuple[Role, ...]] | None:
        """(name, every assignment as `roles_of` gives it) of a person, or None: one lookup of the person's row
        by key, and the role rows only when the person's roles_version is not the one cached (a role granted,
        ended or edited since: the very next call reads them, in this transaction)."""
        row = self.conn.execute(_PERSON_VERSION, {"p": person_id}).first()
        if row is None:
            return None
        version = int(row.roles_version)
        hit = cached_roles(self.conn.engine, person_id)
        if hit is not None and hit[0] == version:
            return str(row.name), hit[1]
        roles = tuple(self.roles_of(person_id))
        if not self.conn.get_execution_options().get("decide_write"):
            # Filled from read transactions only: a write transaction may have changed the roles (and bumped
            # the version) and roll back, and the number it saw would be taken again by the next change.
            # A read sees committed rows only, the roles read after the version, so they are never older.
            # (`store.load_for_command` also fills it from the first read of a write transaction.)
            remember_roles(self.conn.engine, person_id, version, roles)
        return str(row.name), roles

    def add_person(self, person_id: str, name: str, at: str, password_hash: str | None) -> None:
        """Register a person's projection row."""
        self.conn.execute(insert(PERSONS).values(id=person_id, name=name, created_at=at, active=True,
                                                 password_hash=password_hash))

    def add_role(self, assignment: str, person_id: str, role: str, unit: str, *, valid_from: str,
                 valid_to: str | None, granted_by: str, reason: str) -> None:
        """Record a role assignment's projection row."""
        self.conn.execute(insert(ROLE_ASSIGNMENTS).values(
            id=assignment, person_id=person_id, role=role, unit=unit, valid_from=valid_from, valid_to=valid_to,
            granted_by=granted_by, reason=reason))

    def end_role(self, assignment: str, person_id: str, at: str) -> bool:
        """Close an open assignment; False when there is none to close."""
        res = self.conn.execute(update(ROLE_ASSIGNMENTS).where(
            ROLE_ASSIGNMENTS.c.id == assignment, ROLE_ASSIGNMENTS.c.person_id == person_id,
            ROLE_ASSIGNMENTS.c.valid_to.is_(None)).values(valid_to=at))
        return bool(res.rowcount == 1)

    def person_record(self, person_id: str) -> tuple[dict[str, Any], list[dict[str, Any]]] | None:
        """A person's row and every role row, or None."""
        p = self.conn.execute(select(PERSONS).where(PERSONS.c.id == person_id)).mappings().first()
        if p is None:
            return None
        roles = self.conn.execute(select(ROLE_ASSIGNMENTS).where(ROLE_ASSIGNMENTS.c.person_id == person_id)
                                  .order_by(ROLE_ASSIGNMENTS.c.valid_from)).mappings().all()
        return dict(p), [dict(r) for r in roles]

    def everyone(self) -> list[tuple[str, str, bool]]:
        """(id, name, active) of every person, in registration order."""
        rows = self.conn.execute(select(PERSONS.c.id, PERSONS.c.name, PERSONS.c.active)
                                 .order_by(PERSONS.c.created_at, PERSONS.c.id))
        return [(str(r.id), str(r.name), bool(r.active)) for r in rows]

    def all_roles(self) -> list[tuple[str, str, str, str, str | None]]:
        """(person, role, unit, valid_from, valid_to) of every assignment."""
        rows = self.conn.execute(select(ROLE_ASSIGNMENTS.c.person_id, ROLE_ASSIGNMENTS.c.role,
                                        ROLE_ASSIGNMENTS.c.unit, ROLE_ASSIGNMENTS.c.valid_from,
                                        ROLE_ASSIGNMENTS.c.valid_to).order_by(ROLE_ASSIGNMENTS.c.valid_from))
        return [(r.person_id, r.role, r.unit, r.valid_from, r.valid_to) for r in rows]

    # ------------------------------------------------------------------------------ passwords and tokens
    def password_hash(self, person_id: str) -> str | None:
        """A person's stored password hash (None: unknown person or no password)."""
        row = self.conn.execute(select(PERSONS.c.password_hash).where(PERSONS.c.id == person_id)).first()
        return None if row is None or row.password_hash is None else str(row.password_hash)

    def set_password_hash(self, person_id: str, password_hash: str) -> None:
        """Replace a person's password hash."""
        self.conn.execute(update(PERSONS).where(PERSONS.c.id == person_id).values(password_hash=password_hash))

    def add_token(self, token_hash: str, token_id: str, person_id: str, at: str, expires_at: str) -> None:
        """Store a token's hash."""
        self.conn.execute(insert(TOKENS).values(token_hash=token_hash, token_id=token_id, person_id=person_id,
                                                created_at=at, expires_at=expires_at))

    def token(self, token_hash: str) -> tuple[str, str, str | None, bool] | None:
        """(person, expires_at, revoked_at, locked until unlocked) of a token by its hash, or None."""
        row = self.conn.execute(_TOKEN, {"h": token_hash}).first()
        return None if row is None else (str(row.person_id), str(row.expires_at), row.revoked_at, bool(row.held))

    def token_ids(self, token_hash: str) -> tuple[str, str] | None:
        """(token id, person) of a token by its hash, or None."""
        row = self.conn.execute(select(TOKENS.c.token_id, TOKENS.c.person_id)
                                .where(TOKENS.c.token_hash == token_hash)).first()
        return None if row is None else (str(row.token_id), str(row.person_id))

    def revoke_token(self, token_hash: str, at: str) -> None:
        """Mark a token revoked."""
        self.conn.execute(update(TOKENS).where(TOKENS.c.token_hash == token_hash).values(revoked_at=at))

    # --------------------------------------------------------------------------- failures and locks
    def failures(self, scope: str, since: str) -> tuple[int, str | None]:
        """How many failures a scope has after `since`, and the oldest of them."""
        row = self.conn.execute(_FAILURES, {"s": scope, "since": since}).one()
        return int(row[0]), row[1]

    def add_failures(self, scopes: Sequence[str], at: str, *, forget_before: str) -> None:
        """Count a failure in each scope; forget every failure older than the window."""
        self.conn.execute(delete(AUTH_FAILURES).where(AUTH_FAILURES.c.at <= forget_before))
        self.conn.execute(insert(AUTH_FAILURES), [{"scope": s, "at": at} for s in scopes])

    def clear_failures(self, scope: str) -> None:
        """Forget a scope's failures (a successful login, an unlock)."""
        self.conn.execute(delete(AUTH_FAILURES).where(AUTH_FAILURES.c.scope == scope))

    def lock(self, person_id: str) -> tuple[str, str | None] | None:
        """(locked_at, locked_until) of an account's lock, or None."""
        row = self.conn.execute(select(ACCOUNT_LOCKS.c.locked_at, ACCOUNT_LOCKS.c.locked_until)
                                .where(ACCOUNT_LOCKS.c.person_id == person_id)).first()
        return None if row is None else (str(row.locked_at), row.locked_until)

    def locks(self) -> dict[str, str | None]:
        """Every account lock: person → locked_until (None: until unlocked)."""
        rows = self.conn.execute(select(ACCOUNT_LOCKS.c.person_id, ACCOUNT_LOCKS.c.locked_until))
        return {str(r.person_id): r.locked_until for r in rows}

    def put_lock(self, person_id: str, at: str, until: str | None, reason: str) -> None:
        """Lock an account (replacing an earlier lock)."""
        self.conn.execute(delete(ACCOUNT_LOCKS).where(ACCOUNT_LOCKS.c.person_id == person_id))
        self.conn.execute(insert(ACCOUNT_LOCKS).values(person_id=person_id, locked_at=at, locked_until=until,
                                                       reason=reason[:500]))

    def remove_lock(self, person_id: str) -> bool:
        """Lift an account's lock; False when it was not locked."""
        res = self.conn.execute(delete(ACCOUNT_LOCKS).where(ACCOUNT_LOCKS.c.person_id == person_id))
        return bool(res.rowcount)

    # ----------------------------------------------------------------------------- the audit trail
    def events_of_types(self, types: Sequence[str], *, stream: str | None, before_id: int | None,
                        limit: int) -> list[tuple[int, dict[str, Any]]]:
        """(event id, decoded envelope) of events of these types, newest first."""
        q = select(EVENTS.c.id, EVENTS.c.body).where(EVENTS.c.type.in_(list(types)))
        if stream is not None:
            q = q.where(EVENTS.c.stream == stream)
        if before_id is not None:
            q = q.where(EVENTS.c.id < before_id)
        rows = self.conn.execute(q.order_by(EVENTS.c.id.desc()).limit(limit))
        return [(int(r.id), orjson.loads(r.body)) for r in rows]
