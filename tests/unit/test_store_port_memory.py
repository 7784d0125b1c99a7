"""The memory store implements the store port the decision and document services use as the relational
store does (the same scenario runs on SQLite and PostgreSQL in tests/integration/test_store_port.py)."""

from __future__ import annotations

from decision_engine.adapters.memory import MemoryUnits
from tests.integration.test_store_port import exercise, exercise_command_read, memory_person


def test_the_memory_store_keeps_events_decisions_artifacts_and_documents_and_refuses_conflicts() -> None:
    units = MemoryUnits()
    kept = exercise(units)
    assert kept["status"] == "in_procedure" and [d["id"] for d in kept["documents"]] == ["DOC-1", "DOC-2"]
    assert len(units.tables.events) == 2 and len(units.tables.artifacts) == 1  # refused writes left nothing


def test_the_memory_store_reads_a_gate_command_at_once_and_refuses_an_append_from_a_stale_head() -> None:
    units = MemoryUnits()
    kept = exercise_command_read(units, memory_person(units))
    assert kept["head"][0] == 3 and kept["org_head"][0] == 2
    assert [e["seq"] for e in units.tables.events if e["stream"] == "decision:MAD-port"] == [1, 2, 3]
