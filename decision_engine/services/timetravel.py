"""Time travel: what changed in a decision between two moments (or two sequence numbers).

Both sides are full replays of the decision's events (``queries.replay``), never the live projection,
so the diff shows what the record itself says. A side before the decision was opened is the empty
state (everything then appears as added).
"""

from __future__ import annotations

from typing import Any

from decision_engine.domain.errors import InvalidInput
from decision_engine.domain.statutory_time import instant
from decision_engine.services import queries
from decision_engine.services.clock import iso
from decision_engine.services.context import Context
from decision_engine.services.decisions import stream_of

Point = str | int

_SCALARS = ("status", "stage", "draft_version", "decided_on", "decided_version", "published_on",
            "suspension", "closed", "unit", "units", "due_by", "execution_units", "refused_attempts")


def point(value: Point) -> tuple[int | None, str | None]:
    """(sequence, None) for a sequence number; (None, UTC ISO moment) for an ISO 8601 moment."""
    if isinstance(value, bool):
        raise InvalidInput(f"a point in time is a sequence number or an ISO 8601 moment, got {value!r}")
    if isinstance(value, int):
        if value < 0:
            raise InvalidInput(f"sequence number must be >= 0, got {value}")
        return value, None
    text = value.strip()
    if text.isdigit():
        return int(text), None
    try:
        moment = instant(text)  # a naive moment is UTC
    except ValueError:
        raise InvalidInput(f"{value!r} is neither a sequence number nor an ISO 8601 moment") from None
    return None, iso(moment)  # as events store `at`


def _state(ctx: Context, decision_id: str, where: Point) -> dict[str, Any]:
    seq, at = point(where)
    with ctx.uow.read() as uow:
        if seq == 0:
            uow.decisions.head(decision_id)  # NotFound for an unknown decision
            return {}
        try:
            return queries.replay(uow, decision_id, upto_seq=seq, until_at=at).state
        except InvalidInput:
            return {}  # the decision did not exist yet: the empty state


def _side(state: dict[str, Any], where: Point) -> dict[str, Any]:
    return {"point": where, "seq": state.get("seq", 0), "at": state.get("updated_at"),
            "status": state.get("status")}


def diff(ctx: Context, decision_id: str, a: Point, b: Point) -> dict[str, Any]:
    """What changed from ``a`` to ``b``: status and other scalars, gates, artifacts, flags, events.

    ``a`` and ``b`` are sequence numbers or ISO 8601 moments (a naive moment is UTC); ``b`` may be
    earlier than ``a`` (the diff then runs backwards, artifacts showing as removed).
    """
    old, new = _state(ctx, decision_id, a), _state(ctx, decision_id, b)
    changes = {k: {"from": old.get(k), "to": new.get(k)} for k in _SCALARS if old.get(k) != new.get(k)}
    gates = []
    old_gates, new_gates = old.get("gates", {}), new.get("gates", {})
    for gate_id in sorted(set(old_gates) | set(new_gates)):
        before, after = old_gates.get(gate_id, {}), new_gates.get(gate_id, {})
        changed = {k: {"from": before.get(k), "to": after.get(k)}
                   for k in ("status", "round", "cleared", "returned", "exemption")
                   if before.get(k) != after.get(k)}
        if changed:
            gates.append({"gate": gate_id, **changed})
    old_arts, new_arts = old.get("artifacts", {}), new.get("artifacts", {})
    artifacts = {
        "added": [_artifact(new_arts[i]) for i in new_arts if i not in old_arts],
        "removed": [_artifact(old_arts[i]) for i in old_arts if i not in new_arts],
    }
    old_flags, new_flags = old.get("flags", {}), new.get("flags", {})
    flags = [{"flag": k, "from": _flag(old_flags.get(k)), "to": _flag(new_flags.get(k))}
             for k in sorted(set(old_flags) | set(new_flags))
             if _flag(old_flags.get(k)) != _flag(new_flags.get(k))]
    lo, hi = sorted((int(old.get("seq", 0)), int(new.get("seq", 0))))
    with ctx.uow.read() as uow:
        between = uow.events.stream(stream_of(decision_id), upto_seq=hi)[lo:]
    events = [{"seq": e["seq"], "type": e["type"], "at": e["at"], "person": e["actor"]["person"],
               "role": e["actor"]["role"]} for e in between]
    return {"decision_id": decision_id, "a": _side(old, a), "b": _side(new, b),
            "direction": "forward" if int(new.get("seq", 0)) >= int(old.get("seq", 0)) else "backward",
            "changes": changes, "gates": gates, "artifacts": artifacts, "flags": flags, "events": events}


def _artifact(art: dict[str, Any]) -> dict[str, Any]:
    return {"id": art["id"], "kind": art["kind"], "gate": art["gate"], "sha256": art["sha256"],
            "seq": art["seq"], "at": art["at"], "author": art["author"].get("person")}


def _flag(entry: dict[str, Any] | None) -> bool | None:
    return None if entry is None else bool(entry.get("value"))
