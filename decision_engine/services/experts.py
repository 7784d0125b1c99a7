"""Expert review use cases (R9, SoD2; Arts. 19–21, 29(3)): the expert pool, selection with dissenting
views deliberately included, conflict declarations, opinions signed by the expert's own confirmation over
their sha256, and adoption status per opinion."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import orjson

from decision_engine.domain import doors, review
from decision_engine.domain.decision import Actor, Decision, NewEvent
from decision_engine.domain.errors import DomainError, InvalidInput, NotFound, RuleViolation, Unauthenticated
from decision_engine.domain.rules import experts as rx
from decision_engine.services import decisions
from decision_engine.services.context import Context, new_id
from decision_engine.services.decisions import Result, load, run
from decision_engine.services.identity import actors_of

POOL_STREAM = "experts:pool"
POOL_KEEPERS = rx.POOL_KEEPERS  # R9, Art. 21 (the rule lives in domain/rules/experts.py)
SELECTION_DOOR = "experts.select_experts"  # the one door of `selection_note` (AR14)
OPINION_DOOR = "experts.submit_opinion"  # the one door of `expert_opinion` (AR14)


def _roles(tx: Any, person_id: str, at: str) -> tuple[Actor, ...]:
    try:
        return actors_of(tx, person_id, at)
    except Unauthenticated:
        return ()


def _barred(uow: Any) -> dict[str, str]:
    return rx.disqualified(uow.events.stream(POOL_STREAM))


def add_to_pool(ctx: Context, by: str, person_id: str, *, fields: Sequence[str], affiliation: str,
                title: str = "") -> dict[str, Any]:
    """Add an expert (a person holding the role expert) to the pool, with fields and affiliation (Art. 21);
    never one disqualified under Art. 41."""
    clean = [f.strip() for f in fields if f.strip()]
    at = ctx.now_iso()
    with ctx.uow.write() as uow:
        keeper = rx.pool_keeper(actors_of(uow.tx, by, at))
        roles = _roles(uow.tx, person_id, at)
        active = uow.experts.is_active(person_id)
        rx.check_pool_entry(person_id, [a.role for a in roles], clean, affiliation, active=active,
                            barred=_barred(uow))
        expert = next(a for a in roles if a.role == rx.EXPERT)
        [env] = uow.events.append(POOL_STREAM, [("ExpertAddedToPool", {
            "person_id": person_id, "name": expert.name, "fields": clean, "affiliation": affiliation,
            "title": title})], at=at, actor=keeper.to_dict())
        values = {"name": expert.name, "fields": orjson.dumps(clean).decode(), "affiliation": affiliation,
                  "title": title, "active": True, "added_at": at, "seq": env["seq"]}
        uow.experts.put(person_id, values, new=active is None)
    return {"person_id": person_id, "name": expert.name, "seq": env["seq"]}


def retire_from_pool(ctx: Context, by: str, person_id: str, *, reason: str, disqualify: bool = False) -> None:
    """Take an expert out of the pool (retirement, Art. 21) or disqualify them (取消资格, Art. 41: out of the
    pool and never selected again, the reason on record); the history stays."""
    at = ctx.now_iso()
    with ctx.uow.write() as uow:
        keeper = rx.pool_keeper(actors_of(uow.tx, by, at))
        active = uow.experts.is_active(person_id)
        rx.check_leaving(reason, active=active, disqualify=disqualify)
        if disqualify and active is None and rx.EXPERT not in [a.role for a in _roles(uow.tx, person_id, at)]:
            raise NotFound(f"{person_id} is neither in the pool nor a person holding the role expert", rule="R9",
                           article="Art. 41")
        if disqualify and person_id in _barred(uow):
            raise RuleViolation(f"{person_id} is already disqualified", rule="R9", article="Art. 41")
        if active:
            uow.experts.retire(person_id)
        payload: dict[str, Any] = {"person_id": person_id, "reason": reason}
        if disqualify:
            payload.update(disqualified=True, article="Art. 41")
        uow.events.append(POOL_STREAM, [("ExpertLeftPool", payload)], at=at, actor=keeper.to_dict())


def disqualify(ctx: Context, by: str, person_id: str, *, reason: str) -> None:
    """Art. 41: an expert whose breach had serious consequences is disqualified: out of the pool, and
    refused by every later selection."""
    retire_from_pool(ctx, by, person_id, reason=reason, disqualify=True)


def disqualified(ctx: Context) -> dict[str, str]:
    """Experts disqualified under Art. 41, person -> reason."""
    with ctx.uow.read() as uow:
        return _barred(uow)


def may_keep_pool(ctx: Context, person_id: str | None) -> bool:
    """Whether the person may keep the pool now: the check `add_to_pool` and `retire_from_pool` make (R9,
    Art. 21), so a page offers their forms only to the organ or the system administrator."""
    if not person_id:
        return False
    with ctx.uow.read() as uow:
        try:
            rx.pool_keeper(_roles(uow.tx, person_id, ctx.now_iso()))
        except DomainError:
            return False
    return True


def pool(ctx: Context, *, field: str | None = None) -> list[dict[str, Any]]:
    """Active experts of the pool, optionally those covering a field."""
    with ctx.uow.read() as uow:
        rows = uow.experts.active()
    out = [dict(r, fields=orjson.loads(r["fields"])) for r in rows]
    return [e for e in out if field is None or any(field in f for f in e["fields"])]


def select_experts(ctx: Context, person_id: str, decision_id: str, *, expert_ids: Sequence[str], method: str,
                   reasons: str, dissent_included: bool, dissent_note: str = "",
                   outside_pool_reason: str = "") -> Result:
    """The selection note (R9, Art. 20) — its one door (AR14): who, how, why; dissenting views deliberately
    included (or why not); experts from the pool, or the reason for going outside it (Art. 21); never an
    expert disqualified under Art. 41. The rules are the domain's (`rules.experts.check_selection`)."""
    members = {e["person_id"]: e for e in pool(ctx)}
    at = ctx.now_iso()
    with ctx.uow.read() as uow:
        held = {e: _roles(uow.tx, e, at) for e in expert_ids}
        barred = _barred(uow)
    try:
        rx.check_selection(list(expert_ids), {e: [a.role for a in h] for e, h in held.items()}, pool=set(members),
                           barred=barred, outside_pool_reason=outside_pool_reason,
                           dissent_included=dissent_included, dissent_note=dissent_note)
    except DomainError as refusal:
        decisions._record_refusal(ctx, person_id, decision_id, "artifact:selection_note", refusal)  # evidence
        raise
    names = {e: next(a.name for a in held[e] if a.role == rx.EXPERT) for e in expert_ids}
    return decisions.record_by(SELECTION_DOOR, ctx, person_id, decision_id, "selection_note", {
        "method": method, "reasons": reasons, "experts": [names[e] for e in expert_ids],
        "expert_ids": list(expert_ids),
        "affiliations": {e: members[e]["affiliation"] if e in members else "" for e in expert_ids},
        "dissent_included": dissent_included, "dissent_note": dissent_note,
        "outside_pool_reason": outside_pool_reason})


def declare_conflict(ctx: Context, expert_id: str, decision_id: str, *, direct_interest: bool,
                     statement: str, interests: Sequence[str] = ()) -> Result:
    """The expert's own conflict-of-interest declaration; a direct interest bars them (SoD2, Art. 20)."""
    return decisions.record_artifact(ctx, expert_id, decision_id, "conflict_declaration", {
        "direct_interest": bool(direct_interest), "statement": statement, "interests": list(interests)})


def submit_opinion(ctx: Context, expert_id: str, decision_id: str, *, opinion: str, dissenting: bool = False,
                   content: bytes | None = None, media_type: str = "text/plain", filename: str = "") -> Result:
    """The expert's written opinion, signed by their own confirmation over its sha256 in the same
    transaction (R9, Art. 19: 书面意见应当签字或者盖章)."""
    doors.through("expert_opinion", OPINION_DOOR, decision_id)
    if not opinion.strip():
        raise InvalidInput("the opinion is empty", rule="R9", article="Art. 19")
    with ctx.uow.read() as uow:
        barred = _barred(uow)
    try:
        rx.check_not_disqualified(expert_id, barred)  # Art. 41 (domain)
    except DomainError as refusal:
        decisions._record_refusal(ctx, expert_id, decision_id, "artifact:expert_opinion", refusal)
        raise
    blob = decisions._store_blob(ctx, content if content is not None else opinion.encode(), media_type,
                                 filename or "expert-opinion.txt", {})
    artifact_id = new_id("A")
    fields = {"opinion": opinion, "signature": review.signature(blob.sha256), "dissenting": bool(dissenting)}

    def act(d: Decision, c: tuple[Actor, ...], today: date) -> tuple[Actor | None, list[NewEvent]]:
        actor, events = d.record_artifact(c, "expert_opinion", blob, fields, artifact_id, ctx.calendar, today)
        return actor, [*events, review.opinion_signed(artifact_id, blob.sha256)]
    return run(ctx, expert_id, decision_id, act, what="artifact:expert_opinion")


def record_adoption(ctx: Context, person_id: str, decision_id: str,
                    adoptions: Mapping[str, Mapping[str, Any]]) -> Result:
    """The adoption status of each expert opinion (R9, Art. 29(3)), keyed by the opinion's artifact id."""
    with ctx.store.read() as conn:
        d, seq = load(conn, decision_id)
    entries = review.adoption_entries(d, {k: dict(v) for k, v in adoptions.items()})
    return decisions.record_artifact(ctx, person_id, decision_id, "expert_adoption", {"adoptions": entries},
                                     expected_seq=seq)
