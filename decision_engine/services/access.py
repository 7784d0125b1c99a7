"""Who may read what (the services decide; doors only authenticate), and reads that need that check.

Writes are authorised by the domain (`pick_actor` and SoD1–SoD8): an auditor or a system administrator
holds no procedure role, so every procedure act is refused to them. Reads are decided here:

- a person holding a procedure role, or an auditor, reads every decision in full, including withdrawn
  drafts and refused attempts (Art. 38: auditors trace responsibility);
- the system administrator manages accounts and, holding no procedure role, does not read procedure
  files through the internal views (separation of account management from the procedure, inference);
- anyone, without a token, reads published decisions through `services.publication` (the docket).
"""

from __future__ import annotations

import hashlib
from typing import Any

from decision_engine.domain import authority
from decision_engine.domain.decision import Actor, Decision
from decision_engine.domain.errors import NotFound, NotPermitted, Unavailable
from decision_engine.domain.procedure import ROLES
from decision_engine.services import decisions, organisation, queries
from decision_engine.services.clock import iso
from decision_engine.services.context import Context
from decision_engine.services.identity import actors_of

ACCOUNT_ROLES = frozenset({"system_admin", "security_admin", "audit_admin"})  # SEC4: 三员, no procedure role
READER_ROLES = frozenset(ROLES) - ACCOUNT_ROLES
PERSON_READERS = frozenset({"system_admin", "auditor", "security_admin", "audit_admin"})


def current_actors(ctx: Context, person_id: str) -> tuple[Actor, ...]:
    """The roles a person holds now."""
    with ctx.store.read() as conn:
        return actors_of(conn, person_id, ctx.now_iso())


def require_reader(ctx: Context, person_id: str, decision_id: str | None = None) -> None:
    """Internal decision views need a current procedure or audit role; a decision's own views need the
    reader to stand in a relation to it (AR13, `domain/authority.may_read`): staff read their organ's
    decisions and a superior organ its subordinates', externals only the decisions they are parties to,
    the auditor everything. One read transaction (`_checked_reader`)."""
    with ctx.store.read() as conn:
        _checked_reader(conn, person_id, decision_id, ctx.now_iso())


def read_decision(ctx: Context, person_id: str, decision_id: str) -> dict[str, Any]:
    """The current view of a decision for a reader, checked as `require_reader` checks it, in the same read
    transaction: the decision checked is the decision shown, each read once (issue 19 §2)."""
    now = ctx.now()
    with ctx.store.read() as conn:
        d = _checked_reader(conn, person_id, decision_id, iso(now))
    if d is None:
        raise NotFound(f"no decision {decision_id!r}")
    return queries.view(d, ctx.calendar, now)


def _checked_reader(conn: Any, person_id: str, decision_id: str | None, at: str) -> Decision | None:
    """`require_reader`'s checks within one transaction: the person's roles, then (for a decision) the chart
    and the decision, each read once. Returns the decision checked; None without a decision id or for an
    unknown one (the read itself then answers 404)."""
    actors = actors_of(conn, person_id, at)
    held = {a.role for a in actors}
    if not held & READER_ROLES:
        raise NotPermitted("reading decisions in procedure needs a procedure role or the auditor role; "
                           f"the person holds: {', '.join(sorted(held)) or 'none'} (published decisions "
                           "are at /api/v1/public/decisions)", rule="SoD", article="Art. 38 (inference)")
    if decision_id is None:
        return None
    chart = organisation.chart_of(conn)
    try:
        d, _ = decisions.load(conn, decision_id, chart=chart)
    except NotFound:
        return None
    if not authority.may_read(actors, d.state, chart):
        raise NotPermitted(f"本人与决策事项 {decision_id} 无办理、参与或监督关系，不能查阅其内部材料（已公布的决策"
                           "见公开栏目）", rule=authority.READ_RULE, article=authority.READ_ARTICLE)
    return d


def readable(ctx: Context, actors: tuple[Actor, ...], decision_ids: list[str]) -> set[str]:
    """Which of these decisions the person (as these actors) may read in full (AR13). Unknown ids are
    kept, so that the read itself answers 404."""
    out = set()
    with ctx.store.read() as conn:
        chart = organisation.chart_of(conn)
        for did in decision_ids:
            try:
                d, _ = decisions.load(conn, did, chart=chart)
            except NotFound:
                out.add(did)
                continue
            if authority.may_read(actors, d.state, chart):
                out.add(did)
    return out


def require_procedure_role(ctx: Context, person_id: str, act: str) -> None:
    """An act that records something needs a current procedure role: the auditor reads and re-renders,
    the system administrator manages accounts; neither writes into a decision's record (SoD)."""
    held = {a.role for a in current_actors(ctx, person_id)}
    if not held - ACCOUNT_ROLES - {"auditor"}:
        raise NotPermitted(f"{act} needs a procedure role; the person holds: {', '.join(sorted(held)) or 'none'}",
                           rule="SoD", article="Art. 38 (inference)")


def require_person_reader(ctx: Context, viewer: str, person_id: str) -> None:
    """A person's record is read by the person, the system administrator and auditors."""
    if viewer == person_id:
        return
    held = {a.role for a in current_actors(ctx, viewer)}
    if not held & PERSON_READERS:
        raise NotPermitted("reading another person's record needs an administrator's or the auditor role",
                           rule="SoD", article="Art. 38 (inference)")


def artifact(ctx: Context, decision_id: str, artifact_id: str) -> dict[str, Any]:
    """An artifact's (or a draft version's) metadata and fields, as recorded."""
    with ctx.store.read() as conn:
        d, _ = decisions.load(conn, decision_id)
    art = d.state["artifacts"].get(artifact_id)
    if art is None:
        raise NotFound(f"no artifact {artifact_id!r} in decision {decision_id}", rule="R18", article="Art. 33")
    return dict(art)


def artifact_content(ctx: Context, decision_id: str, artifact_id: str) -> tuple[dict[str, Any], bytes]:
    """An artifact's metadata and bytes, checked against its content address before they leave."""
    art, data = decisions.artifact_content(ctx, decision_id, artifact_id)
    if hashlib.sha256(data).hexdigest() != art["sha256"]:
        raise Unavailable(f"artifact {artifact_id}: stored bytes do not match their SHA-256 "
                          f"{art['sha256']} (run `decide verify`)", rule="R18", article="Art. 33")
    return art, data


def list_readable(ctx: Context, person_id: str, **filters: Any) -> dict[str, Any]:
    """A page of the decision list holding only the decisions this person may read (AR13). For staff the
    read rule is a filter of the list's query (`authority.read_scope`), so a page is full and no decision is
    loaded; a person who also acts as an external party (expert, assessor, designated unit...) reads by the
    record of each decision, so the rows outside their organs are checked one by one (the cursor stays the
    underlying page's, so paging never skips a readable decision)."""
    actors = current_actors(ctx, person_id)
    with ctx.store.read() as conn:
        scope = authority.read_scope(actors, organisation.chart_of(conn))
    if scope.exact:
        return queries.list_decisions(ctx, reader=scope, **filters)
    page = queries.list_decisions(ctx, **filters)
    items = page["items"]
    unsure = [str(r["id"]) for r in items if not scope.admits(r.get("organ"), str(r["unit"]))]
    keep = readable(ctx, actors, unsure) if unsure else set()
    return dict(page, items=[r for r in items if str(r["id"]) in keep or str(r["id"]) not in unsure])
