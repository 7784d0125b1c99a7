"""The rule registry: each stage's module registers its gate checks (by gate id) and artifact checks (by
artifact kind); the aggregate asks the registry, never a table of its own.

A check sees the decision through `DecisionView`, the read side of the aggregate, so no rule module imports
`decision.py` (which imports the rules): the import graph has no circle.

    ArtifactCheck  (d, kind, actor, fields, calendar, today) -> None      raises DomainError with rule + article
    GateCheck      (d, gate) -> list[Missing]                            what the gate still needs
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, Protocol

from decision_engine.domain.calendar import StatutoryCalendar
from decision_engine.domain.errors import Missing
from decision_engine.domain.procedure import ArtifactKind, GateSpec, Procedure
from decision_engine.domain.values import Actor


class DecisionView(Protocol):
    """What a rule may read of a decision (implemented by `decision.Decision`)."""

    spec: Procedure
    state: dict[str, Any]

    @property
    def id(self) -> str: ...

    @property
    def status(self) -> str: ...

    def flag(self, name: str) -> bool | None: ...

    def gate_applicable(self, g: GateSpec) -> bool | None: ...

    def gate_status(self, g: GateSpec) -> str: ...

    def artifacts_of(self, gate_id: str, kind: str | None = None, *, all_rounds: bool = False
                     ) -> list[dict[str, Any]]: ...

    def latest(self, gate_id: str, kind: str) -> dict[str, Any] | None: ...

    def undertaking_units(self) -> tuple[str, ...]: ...

    def agenda_blockers(self) -> list[Missing]: ...


ArtifactCheck = Callable[[DecisionView, ArtifactKind, Actor, dict[str, Any], StatutoryCalendar, date], None]
GateCheck = Callable[[DecisionView, GateSpec], list[Missing]]


class Registry:
    """Gate checks by gate id and artifact checks by kind, each run in the order registered."""

    def __init__(self) -> None:
        self._gates: dict[str, list[GateCheck]] = {}
        self._artifacts: dict[str, list[ArtifactCheck]] = {}

    def gate(self, gate_id: str, *checks: GateCheck) -> None:
        """Register what a gate still needs beyond its required artifacts."""
        self._gates.setdefault(gate_id, []).extend(checks)

    def artifact(self, kind: str, *checks: ArtifactCheck) -> None:
        """Register the checks an artifact of this kind passes before it is recorded."""
        self._artifacts.setdefault(kind, []).extend(checks)

    def gate_checks(self, gate_id: str) -> tuple[GateCheck, ...]:
        """The gate checks of a gate, in order."""
        return tuple(self._gates.get(gate_id, ()))

    def artifact_checks(self, kind: str) -> tuple[ArtifactCheck, ...]:
        """The artifact checks of a kind, in order."""
        return tuple(self._artifacts.get(kind, ()))

    def missing(self, d: DecisionView, g: GateSpec) -> list[Missing]:
        """Everything the gate's checks find missing, in the order registered."""
        return [m for check in self._gates.get(g.id, ()) for m in check(d, g)]

    def check_artifact(self, d: DecisionView, k: ArtifactKind, actor: Actor, fields: dict[str, Any],
                       cal: StatutoryCalendar, today: date) -> None:
        """Run the artifact's checks in order; the first refusal wins."""
        for check in self._artifacts.get(k.id, ()):
            check(d, k, actor, fields, cal, today)
