"""Shared by the tests/domain/test_mutants_*.py files (issue 14 §5, `make mutation MODULE=<stage>`)."""

from __future__ import annotations

from decision_engine.domain.errors import Missing
from tests.domain.builders import Build


def gate_missing(b: Build, gate_id: str) -> list[Missing]:
    """What a gate still needs, each item naming its gate and saying in words what is needed (a gap with
    no gate or no text is a mutant the tuples of `Build.missing` let live)."""
    out = b.d.missing_for(b.spec.gate(gate_id))
    for m in out:
        assert m.gate == gate_id and isinstance(m.need, str) and m.need.strip(), m
    return out
