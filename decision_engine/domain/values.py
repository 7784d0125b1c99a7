"""The domain's small values: who acts (Actor, and how a person's role for an act is picked), what a command
produces (NewEvent), what an artifact points to (BlobRef), the lifecycle's status sets, and the one parser of
ISO dates every rule uses. Pure, stdlib only; every other domain module may import this one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from decision_engine.domain.errors import InvalidInput, NotPermitted

# The lifecycle (R13–R20): before the decision is made, and after it.
PRE_DECISION = ("draft", "in_procedure", "ready_for_decision")
DECIDED = ("decided", "published", "in_execution", "evaluated")


@dataclass(frozen=True, slots=True)
class Actor:
    """The natural person acting, with the role and unit held at that moment (Art. 38)."""

    person: str
    role: str
    unit: str
    name: str = ""

    def to_dict(self) -> dict[str, str]:
        """JSON form stored in every event."""
        return {"person": self.person, "role": self.role, "unit": self.unit, "name": self.name}


@dataclass(frozen=True, slots=True)
class NewEvent:
    """An event a command produced, before the store gives it a sequence number."""

    type: str
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class BlobRef:
    """Content-addressed bytes an artifact points to."""

    sha256: str
    size: int
    media_type: str
    filename: str
    storage: str = "blob"  # "inline": the bytes are the canonical JSON of the fields, kept in the event


def pick_actor(candidates: tuple[Actor, ...], roles: tuple[str, ...], act: str, rule: str,
               article: str) -> Actor:
    """The first of the person's current roles that may do this act, or NotPermitted."""
    for actor in candidates:
        if actor.role in roles:
            return actor
    held = ", ".join(sorted({a.role for a in candidates})) or "none"
    raise NotPermitted(f"{act} needs one of the roles {', '.join(roles)}; the person holds: {held}",
                       rule=rule, article=article)


def iso_date(value: Any, name: str, rule: str, article: str, *, kind: str = "") -> date:
    """An ISO date (YYYY-MM-DD, a longer timestamp is cut to its date) between the years 1900 and 2199, or
    InvalidInput citing the rule whose field it is; `kind` prefixes the field's name in the message."""
    label = f"{kind}.{name}" if kind else name
    if isinstance(value, date) and not isinstance(value, datetime):
        parsed = value
    else:
        try:
            parsed = date.fromisoformat(str(value)[:10])
        except ValueError:
            raise InvalidInput(f"{label} must be an ISO date (YYYY-MM-DD), got {value!r}",
                               rule=rule, article=article) from None
    if not 1900 <= parsed.year <= 2199:
        raise InvalidInput(f"{label} {parsed.isoformat()} is outside the years 1900–2199",
                           rule=rule, article=article)
    return parsed
