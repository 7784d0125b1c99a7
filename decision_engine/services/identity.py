"""People, roles and tokens, themselves recorded as events (who granted what, when, why; Art. 38); and the
accounts' security (GB/T 22239-2019 level 3, `domain/accounts.py`: SEC1 password policy, SEC2 failed logins
lock an account and throttle a client, SEC4 the three administrators separated). Logins, failures, locks and
unlocks are events on the person's stream, so the audit administrator reads them as the security trail.

The SQL lives in `adapters/identity_repo.py`; failure counts and locks are kept in the database, so that
every API worker (and every server process) counts the same attempts.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from decision_engine.adapters import store as st
from decision_engine.adapters.identity_repo import IdentityRepo, Tx
from decision_engine.domain import accounts as acc
from decision_engine.domain import organisation as org
from decision_engine.domain.decision import Actor
from decision_engine.domain.errors import InvalidInput, NotFound, NotPermitted, Unauthenticated
from decision_engine.domain.procedure import ROLES
from decision_engine.services.clock import iso
from decision_engine.services.context import SYSTEM_ACTOR, Context, new_id, unit_of
from decision_engine.services.organisation import chart_of
from decision_engine.services.ports import UnitOfWork

_hasher = PasswordHasher()
FOREVER = datetime.max.replace(tzinfo=UTC)  # the end of a lock the security administrator set

# The security audit trail (GB/T 22239-2019 8.1.4.3): what the audit administrator reads.
SECURITY_EVENTS = ("PersonRegistered", "RoleGranted", "RoleEnded", "TokenIssued", "TokenRevoked",
                   "LoginSucceeded", "LoginFailed", "AccountLocked", "AccountUnlocked", "PasswordReset",
                   "ClientThrottled")


def actors_of(tx: UnitOfWork | Tx, person_id: str, at: str) -> tuple[Actor, ...]:
    """The roles a person holds at a moment, as Actors (validity periods respected); `tx` is a unit of work,
    or the transaction handle of a caller not behind the port yet. The SQL store answers from the roles cached
    on the person's roles_version (migration 0014)."""
    return held_at(person_id, unit_of(tx).persons.person_roles(person_id), at)


def held_at(person_id: str, found: tuple[str, Sequence[tuple[str, str, str, str | None]]] | None,
            at: str) -> tuple[Actor, ...]:
    """The Actors of a person's (name, every assignment) — as `Persons.person_roles` or
    `Decisions.load_for_command` read them — at a moment; an unknown person (None) is Unauthenticated."""
    if found is None:
        raise Unauthenticated(f"unknown person {person_id!r}")
    name, roles = found
    return tuple(Actor(person=person_id, role=role, unit=unit, name=name)
                 for role, unit, start, end in roles if start <= at and (end is None or at < end))


def _held(conn: Tx, person_id: str, at: str) -> set[str]:
    return {a.role for a in actors_of(conn, person_id, at)}


def _acting(conn: Tx, by: str | None, at: str, role: str, act: str) -> dict[str, str]:
    """The actor of an account act: the engine (console, `by` None) or the person in `role` (SEC4)."""
    if by is None:
        return dict(SYSTEM_ACTOR)
    actors = actors_of(conn, by, at)
    for actor in actors:
        if actor.role == role:
            return actor.to_dict()
    acc.require_admin({a.role for a in actors}, role, act)
    raise AssertionError("unreachable")  # pragma: no cover


def _admin(conn: Tx, by: str | None, at: str) -> dict[str, str]:
    """The system administrator managing people, roles and tokens (SEC4)."""
    return _acting(conn, by, at, acc.SYSTEM_ADMIN, "管理人员、角色和令牌")


def register_person(ctx: Context, name: str, *, person_id: str | None = None, password: str | None = None,
                    by: str | None = None) -> str:
    """Register a natural person; returns the person id."""
    if not name.strip():
        raise InvalidInput("a person needs a name")
    pid = person_id or new_id("P")
    if password is not None:
        acc.check_password_policy(password, pid)
    at = ctx.now_iso()
    with ctx.store.write() as conn:
        repo = IdentityRepo(conn)
        actor = _admin(conn, by, at)
        if repo.exists(pid):
            raise InvalidInput(f"person {pid} already exists")
        st.append(conn, f"person:{pid}", [("PersonRegistered", {"person_id": pid, "name": name,
                                                                "password_set": password is not None})],
                  at=at, actor=actor)
        repo.add_person(pid, name, at, _hasher.hash(password) if password else None)
    return pid


def grant_role(ctx: Context, person_id: str, role: str, unit: str, *, reason: str = "",
               valid_to: str | None = None, by: str | None = None) -> str:
    """Grant a role in a unit from now (until valid_to); recorded as an event. The three administrators are
    appointed at the console only and hold no other role (SEC4). With an org loaded, the unit is one the
    chart knows, except for external roles (ORG2)."""
    if role not in ROLES:
        raise InvalidInput(f"unknown role {role!r}; roles: {', '.join(ROLES)}")
    at = ctx.now_iso()
    rid = new_id("R")
    with ctx.store.write() as conn:
        repo = IdentityRepo(conn)
        actor = _admin(conn, by, at)
        if not repo.exists(person_id):
            raise NotFound(f"no person {person_id!r}")
        acc.check_grant(role, _held(conn, person_id, at), by_console=by is None, self_grant=by == person_id)
        org.check_role_unit(chart_of(conn), role, unit)
        st.append(conn, f"person:{person_id}", [("RoleGranted", {
            "assignment": rid, "role": role, "unit": unit, "valid_from": at, "valid_to": valid_to,
            "reason": reason})], at=at, actor=actor)
        repo.add_role(rid, person_id, role, unit, valid_from=at, valid_to=valid_to, granted_by=actor["person"],
                      reason=reason)
    return rid


def end_role(ctx: Context, person_id: str, assignment_id: str, *, reason: str, by: str | None = None) -> None:
    """End a role assignment now (transfer, retirement); the history stays."""
    at = ctx.now_iso()
    with ctx.store.write() as conn:
        actor = _admin(conn, by, at)
        if not IdentityRepo(conn).end_role(assignment_id, person_id, at):
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
        repo = IdentityRepo(conn)
        actor = _admin(conn, by, iso(at))
        if not repo.exists(person_id):
            raise NotFound(f"no person {person_id!r}")
        st.append(conn, f"person:{person_id}", [("TokenIssued", {"token_id": tid, "expires_at": expires})],
                  at=iso(at), actor=actor)
        repo.add_token(_token_hash(token), tid, person_id, iso(at), expires)
    return token


def revoke_token(ctx: Context, token: str, *, by: str | None = None) -> None:
    """Revoke a token at once."""
    at = ctx.now_iso()
    digest = _token_hash(token)
    with ctx.store.write() as conn:
        repo = IdentityRepo(conn)
        found = repo.token_ids(digest)
        if found is None:
            raise NotFound("no such token")
        token_id, owner = found
        if by is not None and by == owner:
            actor = {"person": by, "role": "self", "unit": "", "name": ""}
        else:
            actor = _admin(conn, by, at)
        repo.revoke_token(digest, at)
        st.append(conn, f"person:{owner}", [("TokenRevoked", {"token_id": token_id})], at=at, actor=actor)


def authenticate(ctx: Context, token: str, client: str = "") -> str:
    """The person a token belongs to, or Unauthenticated (unknown, expired, revoked). A valid token costs
    one lookup, as before; a failed lookup is counted for the client's address, and an address past the
    limit is answered TooManyAttempts (429, SEC2) without looking further."""
    now = ctx.now_iso()
    with ctx.store.read() as conn:
        row = IdentityRepo(conn).token(_token_hash(token))
    if row is not None and row[2] is None and row[1] > now:
        if row[3]:  # locked by the security administrator: tokens stop too (a timed lock stops passwords only)
            acc.refuse_locked(row[0], None, ctx.now())
        return row[0]
    _count_client_failure(ctx, client)
    if row is None:
        raise Unauthenticated("unknown token")
    if row[2] is not None:
        raise Unauthenticated("the token was revoked")
    raise Unauthenticated("the token has expired")


def _since(now: datetime) -> str:
    return iso(now - acc.FAILURE_WINDOW)


def _client_wait(repo: IdentityRepo, client: str, now: datetime) -> int:
    count, oldest = repo.failures(f"client:{client}", _since(now))
    return acc.throttle_wait(count, datetime.fromisoformat(oldest) if oldest else None, now)


def _count_client_failure(ctx: Context, client: str, also: tuple[str, ...] = ()) -> None:
    """Count a failed authentication for a client address (and other scopes); refuse a throttled client
    (429) without counting further, and record the moment the throttle engages as an event."""
    now = ctx.now()
    with ctx.store.write() as conn:
        repo = IdentityRepo(conn)
        wait = _client_wait(repo, client, now)
        if not wait:
            repo.add_failures((f"client:{client}", *also), iso(now), forget_before=_since(now))
            wait = _client_wait(repo, client, now)
            if wait:
                st.append(conn, f"client:{client[:60]}", [("ClientThrottled", {
                    "client": client, "failures": acc.CLIENT_FAILURES, "retry_after": wait})],
                    at=iso(now), actor=dict(SYSTEM_ACTOR))
            wait = 0  # this attempt was counted and is answered as a failure
    if wait:
        acc.refuse_throttled(wait)


def check_password(ctx: Context, person_id: str, password: str, client: str = "") -> str:
    """Verify a page login password (argon2); returns the person id. A throttled client is refused before
    the password is looked at (429); a locked account is refused even with the right password; five wrong
    passwords within 15 minutes lock the account for 30 minutes (SEC2). Every outcome for a known person is
    an event on the person's stream (LoginSucceeded, LoginFailed, AccountLocked, AccountUnlocked)."""
    now = ctx.now()
    with ctx.store.read() as conn:
        repo = IdentityRepo(conn)
        wait = _client_wait(repo, client, now)
        known = repo.exists(person_id)
        stored = repo.password_hash(person_id)
        lock = repo.lock(person_id)
    if wait:
        acc.refuse_throttled(wait)
    if not known or stored is None:
        _count_client_failure(ctx, client)
        raise Unauthenticated("unknown person or no password set")
    until = _lock_end(lock)
    if until is not None and until > now:
        _record_login(ctx, person_id, client, ok=False, reason="locked")
        _count_client_failure(ctx, client)
        acc.refuse_locked(person_id, None if until == FOREVER else until, now)
    try:
        _hasher.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        locked = _record_login(ctx, person_id, client, ok=False, reason="wrong_password")
        if locked is not None:
            acc.refuse_locked(person_id, locked, ctx.now())
        raise Unauthenticated("wrong password") from None
    _record_login(ctx, person_id, client, ok=True, reason="")
    return person_id


def _lock_end(lock: tuple[str, str | None] | None) -> datetime | None:
    """When a lock ends (FOREVER for a lock until unlocked), or None without a lock."""
    if lock is None:
        return None
    return datetime.fromisoformat(lock[1]) if lock[1] else FOREVER


def _record_login(ctx: Context, person_id: str, client: str, *, ok: bool, reason: str) -> datetime | None:
    """Record a login's outcome; returns the end of a lock this failure set, if any."""
    now = ctx.now()
    at = iso(now)
    stream = f"person:{person_id}"
    with ctx.store.write() as conn:
        repo = IdentityRepo(conn)
        events: list[tuple[str, dict[str, Any]]] = []
        lock = repo.lock(person_id)
        end = _lock_end(lock)
        if lock is not None and end is not None and end <= now:  # the lock period elapsed: lift it on record
            repo.remove_lock(person_id)
            repo.clear_failures(stream)
            events.append(("AccountUnlocked", {"reason": "lock period elapsed", "locked_until": lock[1]}))
        locked_until = None
        if ok:
            repo.clear_failures(stream)
            events.append(("LoginSucceeded", {"client": client}))
            actor = {"person": person_id, "role": "self", "unit": "", "name": ""}
        else:
            actor = dict(SYSTEM_ACTOR)
            events.append(("LoginFailed", {"client": client, "reason": reason}))
            if reason == "wrong_password":
                repo.add_failures((stream, f"client:{client}"), at, forget_before=_since(now))
                count, _ = repo.failures(stream, _since(now))
                locked_until = acc.lock_until(count, now)
                if locked_until is not None:
                    repo.put_lock(person_id, at, iso(locked_until), "failed logins")
                    events.append(("AccountLocked", {"reason": "failed logins", "failures": count,
                                                     "locked_until": iso(locked_until)}))
        st.append(conn, stream, events, at=at, actor=actor)
    return locked_until


def _security(conn: Tx, by: str | None, at: str, act: str) -> dict[str, str]:
    return _acting(conn, by, at, acc.SECURITY_ADMIN, act)


def lock_account(ctx: Context, person_id: str, *, reason: str, by: str | None = None) -> None:
    """Lock an account until the security administrator unlocks it (SEC4: the security administrator)."""
    at = ctx.now_iso()
    with ctx.store.write() as conn:
        repo = IdentityRepo(conn)
        actor = _security(conn, by, at, "锁定账户")
        if by is not None:
            require_not_self(by, person_id)
        if not repo.exists(person_id):
            raise NotFound(f"no person {person_id!r}")
        repo.put_lock(person_id, at, None, reason)
        st.append(conn, f"person:{person_id}", [("AccountLocked", {"reason": reason, "locked_until": None})],
                  at=at, actor=actor)


def unlock_account(ctx: Context, person_id: str, *, reason: str, by: str | None = None) -> None:
    """Lift an account's lock before its time (SEC4: the security administrator only)."""
    at = ctx.now_iso()
    with ctx.store.write() as conn:
        repo = IdentityRepo(conn)
        actor = _security(conn, by, at, "解锁账户")
        if by is not None:
            require_not_self(by, person_id)
        if not repo.exists(person_id):
            raise NotFound(f"no person {person_id!r}")
        lock = repo.lock(person_id)
        if lock is None:
            raise InvalidInput(f"账户 {person_id} 未被锁定（the account is not locked）", rule="SEC2",
                               article=acc.ART_FAILURES)
        repo.remove_lock(person_id)
        repo.clear_failures(f"person:{person_id}")
        st.append(conn, f"person:{person_id}", [("AccountUnlocked", {"reason": reason, "locked_until": lock[1]})],
                  at=at, actor=actor)


def reset_password(ctx: Context, person_id: str, password: str, *, reason: str, by: str | None = None) -> None:
    """Set a new password for a person (SEC4: the security administrator; SEC1: the policy holds)."""
    acc.check_password_policy(password, person_id)
    at = ctx.now_iso()
    digest = _hasher.hash(password)
    with ctx.store.write() as conn:
        repo = IdentityRepo(conn)
        actor = _security(conn, by, at, "重置口令")
        if by is not None:
            require_not_self(by, person_id)
        if not repo.exists(person_id):
            raise NotFound(f"no person {person_id!r}")
        repo.set_password_hash(person_id, digest)
        st.append(conn, f"person:{person_id}", [("PasswordReset", {"reason": reason})], at=at, actor=actor)


def security_events(ctx: Context, reader: str, *, person: str | None = None, before: int | None = None,
                    limit: int = 100) -> dict[str, Any]:
    """The security audit trail, newest first: registrations, roles, tokens, logins, locks (SEC4: the audit
    administrator only; GB/T 22239-2019 8.1.4.3, 8.1.5.2)."""
    at = ctx.now_iso()
    with ctx.store.read() as conn:
        acc.require_admin(_held(conn, reader, at), acc.AUDIT_ADMIN, "查阅安全审计记录")
        rows = IdentityRepo(conn).events_of_types(SECURITY_EVENTS, stream=f"person:{person}" if person else None,
                                                  before_id=before, limit=max(1, min(limit, 500)))
    items = [{"id": eid, **{k: env[k] for k in ("stream", "seq", "type", "at", "actor", "payload")}}
             for eid, env in rows]
    return {"items": items, "next_before": items[-1]["id"] if len(items) == limit else None}


def person_view(ctx: Context, person_id: str) -> dict[str, Any]:
    """A person with every role they ever held (lifelong accountability)."""
    with ctx.store.read() as conn:
        found = IdentityRepo(conn).person_record(person_id)
    if found is None:
        raise NotFound(f"no person {person_id!r}")
    p, roles = found
    return {"id": p["id"], "name": p["name"], "active": p["active"],
            "roles": [{k: r[k] for k in ("id", "role", "unit", "valid_from", "valid_to", "reason")}
                      for r in roles]}


def people(ctx: Context) -> list[dict[str, Any]]:
    """Every person with the roles held now, their units and whether the account is locked now."""
    now = ctx.now()
    at = iso(now)
    with ctx.store.read() as conn:
        repo = IdentityRepo(conn)
        everyone, roles, locks = repo.everyone(), repo.all_roles(), repo.locks()
    held: dict[str, list[tuple[str, str]]] = {}
    for pid, role, unit, start, end in roles:
        if start <= at and (end is None or at < end):
            held.setdefault(pid, []).append((role, unit))
    out = []
    for pid, name, active in everyone:
        lock_end = _lock_end((at, locks[pid])) if pid in locks else None
        locked = lock_end is not None and lock_end > now
        out.append({"id": pid, "name": name, "active": active, "roles": [r for r, _ in held.get(pid, [])],
                    "units": sorted({u for _, u in held.get(pid, [])}), "locked": locked,
                    "locked_until": locks[pid] if locked else None})
    return out


def require_not_self(by: str, person_id: str) -> None:
    """Nobody unlocks or resets their own account (SEC4)."""
    if by == person_id:
        raise NotPermitted("不得办理本人账户的解锁或口令重置（not for one's own account）", rule="SEC4",
                           article=acc.ART_SEPARATION)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
