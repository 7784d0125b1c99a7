"""People, roles and tokens, themselves recorded as events (who granted what, when, why; Art. 38)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError, VerifyMismatchError
from sqlalchemy import Connection, bindparam, insert, select, update

from decision_engine.adapters import store as st
from decision_engine.adapters.tables import PERSONS, ROLE_ASSIGNMENTS, TOKENS
from decision_engine.domain.decision import Actor
from decision_engine.domain.errors import InvalidInput, NotFound, NotPermitted, Unauthenticated
from decision_engine.domain.procedure import ROLES
from decision_engine.services.clock import iso
from decision_engine.services.context import SYSTEM_ACTOR, Context, new_id

ROLE_ROWS = ROLE_ASSIGNMENTS
TOKENS = TOKENS
_hasher = PasswordHasher()


_PERSON = select(PERSONS.c.name, PERSONS.c.active).where(PERSONS.c.id == bindparam("p"))
_ROLES_OF = select(ROLE_ROWS.c.role, ROLE_ROWS.c.unit, ROLE_ROWS.c.valid_from, ROLE_ROWS.c.valid_to) \
    .where(ROLE_ROWS.c.person_id == bindparam("p")).order_by(ROLE_ROWS.c.valid_from)


def actors_of(conn: Connection, person_id: str, at: str) -> tuple[Actor, ...]:
    """The roles a person holds at a moment, as Actors (validity periods respected)."""
    person = conn.execute(_PERSON, {"p": person_id}).first()
    if person is None:
        raise Unauthenticated(f"unknown person {person_id!r}")
    rows = conn.execute(_ROLES_OF, {"p": person_id}).all()
    return tuple(Actor(person=person_id, role=r.role, unit=r.unit, name=person.name) for r in rows
                 if r.valid_from <= at and (r.valid_to is None or at < r.valid_to))


def _admin(conn: Connection, by: str | None, at: str) -> dict[str, str]:
    if by is None:
        return dict(SYSTEM_ACTOR)
    for actor in actors_of(conn, by, at):
        if actor.role == "system_admin":
            return actor.to_dict()
    raise NotPermitted("managing people and roles needs the system_admin role", rule="SoD",
                       article="Art. 38 (inference)")


def register_person(ctx: Context, name: str, *, person_id: str | None = None, password: str | None = None,
                    by: str | None = None) -> str:
    """Register a natural person; returns the person id."""
    if not name.strip():
        raise InvalidInput("a person needs a name")
    pid = person_id or new_id("P")
    at = ctx.now_iso()
    with ctx.store.write() as conn:
        actor = _admin(conn, by, at)
        if conn.execute(select(PERSONS.c.id).where(PERSONS.c.id == pid)).first() is not None:
            raise InvalidInput(f"person {pid} already exists")
        st.append(conn, f"person:{pid}", [("PersonRegistered", {"person_id": pid, "name": name,
                                                                "password_set": password is not None})],
                  at=at, actor=actor)
        conn.execute(insert(PERSONS).values(id=pid, name=name, created_at=at, active=True,
                                            password_hash=_hasher.hash(password) if password else None))
    return pid


def grant_role(ctx: Context, person_id: str, role: str, unit: str, *, reason: str = "",
               valid_to: str | None = None, by: str | None = None) -> str:
    """Grant a role in a unit from now (until valid_to); recorded as an event."""
    if role not in ROLES:
        raise InvalidInput(f"unknown role {role!r}; roles: {', '.join(ROLES)}")
    at = ctx.now_iso()
    rid = new_id("R")
    with ctx.store.write() as conn:
        actor = _admin(conn, by, at)
        if conn.execute(select(PERSONS.c.id).where(PERSONS.c.id == person_id)).first() is None:
            raise NotFound(f"no person {person_id!r}")
        st.append(conn, f"person:{person_id}", [("RoleGranted", {
            "assignment": rid, "role": role, "unit": unit, "valid_from": at, "valid_to": valid_to,
            "reason": reason})], at=at, actor=actor)
        conn.execute(insert(ROLE_ROWS).values(id=rid, person_id=person_id, role=role, unit=unit,
                                              valid_from=at, valid_to=valid_to, granted_by=actor["person"],
                                              reason=reason))
    return rid


def end_role(ctx: Context, person_id: str, assignment_id: str, *, reason: str, by: str | None = None) -> None:
    """End a role assignment now (transfer, retirement); the history stays."""
    at = ctx.now_iso()
    with ctx.store.write() as conn:
        actor = _admin(conn, by, at)
        res = conn.execute(update(ROLE_ROWS).where(ROLE_ROWS.c.id == assignment_id,
                                                   ROLE_ROWS.c.person_id == person_id,
                                                   ROLE_ROWS.c.valid_to.is_(None)).values(valid_to=at))
        if res.rowcount != 1:
            raise NotFound(f"no open assignment {assignment_id} for {person_id}")
        st.append(conn, f"person:{person_id}", [("RoleEnded", {"assignment": assignment_id,
                                                               "reason": reason})], at=at, actor=actor)


def issue_token(ctx: Context, person_id: str, *, ttl_days: int | None = None, by: str | None = None) -> str:
    """A new random API token; only its SHA-256 is stored."""
    token = "dk_" + secrets.token_urlsafe(32)
    at = ctx.now()
    tid = new_id("T")
    expires = iso(at + timedelta(days=ttl_days or ctx.settings.token_ttl_days))
    with ctx.store.write() as conn:
        actor = _admin(conn, by, iso(at))
        if conn.execute(select(PERSONS.c.id).where(PERSONS.c.id == person_id)).first() is None:
            raise NotFound(f"no person {person_id!r}")
        st.append(conn, f"person:{person_id}", [("TokenIssued", {"token_id": tid, "expires_at": expires})],
                  at=iso(at), actor=actor)
        conn.execute(insert(TOKENS).values(token_hash=_token_hash(token), token_id=tid, person_id=person_id,
                                           created_at=iso(at), expires_at=expires))
    return token


def revoke_token(ctx: Context, token: str, *, by: str | None = None) -> None:
    """Revoke a token at once."""
    at = ctx.now_iso()
    with ctx.store.write() as conn:
        row = conn.execute(select(TOKENS).where(TOKENS.c.token_hash == _token_hash(token))).first()
        if row is None:
            raise NotFound("no such token")
        if by is not None and by == row.person_id:
            actor = {"person": by, "role": "self", "unit": "", "name": ""}
        else:
            actor = _admin(conn, by, at)
        conn.execute(update(TOKENS).where(TOKENS.c.token_hash == row.token_hash).values(revoked_at=at))
        st.append(conn, f"person:{row.person_id}", [("TokenRevoked", {"token_id": row.token_id})],
                  at=at, actor=actor)


def authenticate(ctx: Context, token: str) -> str:
    """The person a token belongs to, or Unauthenticated (unknown, expired, revoked)."""
    now = ctx.now_iso()
    with ctx.store.read() as conn:
        row = conn.execute(select(TOKENS.c.person_id, TOKENS.c.expires_at, TOKENS.c.revoked_at)
                           .where(TOKENS.c.token_hash == _token_hash(token))).first()
    if row is None:
        raise Unauthenticated("unknown token")
    if row.revoked_at is not None:
        raise Unauthenticated("the token was revoked")
    if row.expires_at <= now:
        raise Unauthenticated("the token has expired")
    return str(row.person_id)


def check_password(ctx: Context, person_id: str, password: str) -> str:
    """Verify a page login password (argon2); returns the person id."""
    with ctx.store.read() as conn:
        row = conn.execute(select(PERSONS.c.password_hash).where(PERSONS.c.id == person_id)).first()
    if row is None or row.password_hash is None:
        raise Unauthenticated("unknown person or no password set")
    try:
        _hasher.verify(row.password_hash, password)
    except (VerifyMismatchError, VerificationError):
        raise Unauthenticated("wrong password") from None
    return person_id


def person_view(ctx: Context, person_id: str) -> dict[str, Any]:
    """A person with every role they ever held (lifelong accountability)."""
    with ctx.store.read() as conn:
        p = conn.execute(select(PERSONS).where(PERSONS.c.id == person_id)).mappings().first()
        if p is None:
            raise NotFound(f"no person {person_id!r}")
        roles = conn.execute(select(ROLE_ROWS).where(ROLE_ROWS.c.person_id == person_id)
                             .order_by(ROLE_ROWS.c.valid_from)).mappings().all()
    return {"id": p["id"], "name": p["name"], "active": p["active"],
            "roles": [{k: r[k] for k in ("id", "role", "unit", "valid_from", "valid_to", "reason")}
                      for r in roles]}


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
