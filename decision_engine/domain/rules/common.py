"""What several stages' rules share: the draft a stage's artifact concerns (R3, Art. 12), the confirmations
of a presented record (SoD5, R9), the adoption dispositions (R8, R9) and a lenient yes."""

from __future__ import annotations

from typing import Any

from decision_engine.domain.errors import RuleViolation
from decision_engine.domain.procedure import ArtifactKind
from decision_engine.domain.rules.registry import DecisionView

# R8, Art. 18 and R9, Art. 29(3): each opinion adopted, partly adopted or not adopted, with a reason.
DISPOSITIONS = {"adopted": "采纳", "partly": "部分采纳", "not_adopted": "未采纳"}


def need_draft(d: DecisionView, k: ArtifactKind) -> None:
    """R3, Art. 12: an artifact that concerns a draft needs a draft version first."""
    if d.state["draft_version"] < 1:
        raise RuleViolation(f"'{k.id}' concerns a draft, and no draft version exists yet", rule="R3",
                            article="Art. 12")


def confirmed_by(d: DecisionView, sha256: str) -> dict[str, dict[str, Any]]:
    """Who confirmed the record with this sha256 (person -> their confirmation), SoD5 and R9."""
    rec = d.state.get("records", {}).get(sha256)
    return {c["person"]: c for c in rec["confirmations"]} if rec else {}


def truthy(v: Any) -> bool:
    """A yes given as a boolean or as text ("true", "1", "yes")."""
    return v is True or str(v).lower() in ("true", "1", "yes")
