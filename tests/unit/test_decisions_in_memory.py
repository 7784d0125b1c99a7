"""The decision use cases (`services/decisions.py`) run on the in-memory store: they need nothing but the
store port. A decision is opened, a determination and an artifact recorded, a refused act kept as evidence
(Art. 38) without changing the state, a stale sequence refused, each written to a hash chain whose projection
row is the one the relational store keeps (`store.decision_row`). The same use cases run on SQLite and
PostgreSQL in tests/stages and tests/integration."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest

from decision_engine.adapters.memory import MemoryUnits
from decision_engine.adapters.official_calendar import load_calendar
from decision_engine.adapters.store import decision_row
from decision_engine.audit.canonical import GENESIS, chain_hash
from decision_engine.config import Settings
from decision_engine.domain.errors import ConcurrencyConflict, DomainError, Unauthenticated
from decision_engine.services import decisions as svc
from decision_engine.services.clock import ManualClock
from decision_engine.services.context import Context

BUREAU = "某市交通运输局"


@pytest.fixture
def memory(tmp_path: Path) -> tuple[Context, MemoryUnits]:
    units = MemoryUnits()
    ctx = Context(settings=Settings(data_dir=tmp_path, database_url="memory://"), store=None,  # type: ignore[arg-type]
                  blobs=None, clock=ManualClock(datetime(2026, 3, 2, 1, 0, tzinfo=UTC)),  # type: ignore[arg-type]
                  load_calendar=load_calendar, units=units)
    with units.write() as uow:
        uow.persons.add("P-drafter", "张华", roles=[("undertaking_unit", BUREAU)])
        uow.persons.add("P-expert", "王专家", roles=[("expert", "某大学交通学院")])
    return ctx, units


def test_a_decision_opened_and_worked_on_in_memory_is_chained_and_projected(
        memory: tuple[Context, MemoryUnits]) -> None:
    ctx, units = memory
    opened = svc.open_decision(ctx, "P-drafter", title="关于优化公交线网的决定", category="public_project",
                               unit=BUREAU, decision_id="MAD-mem")
    assert (opened.decision_id, opened.seq) == ("MAD-mem", 1)
    svc.record_determination(ctx, "P-drafter", "MAD-mem", "specialised", True, "线网调整涉及客流模型")
    recorded = svc.record_artifact(ctx, "P-drafter", "MAD-mem", "proposal", {
        "problem": "线网重复", "reasons": "客流变化", "basis": "城市公共交通条例", "plan": "调整 12 条线路",
        "necessity": "必要", "feasibility": "可行", "source": "department"}, expected_seq=2)
    assert recorded.seq == 3

    with units.read() as uow:
        chain = uow.events.chain("decision:MAD-mem")
        assert [seq for seq, *_ in chain] == [1, 2, 3] and chain[0][2] == GENESIS
        assert all(chain_hash(prev, body) == digest for _, body, prev, digest in chain)
        row = uow.decisions.load("MAD-mem")
        state = orjson.loads(row["state"])
        assert dict(decision_row(state), id="MAD-mem") == row and row["last_seq"] == 3
        assert state["flags"]["specialised"]["value"] is True
        assert uow.artifacts.decisions_with("proposal") == ["MAD-mem"]
        d, seq = svc.load(uow, "MAD-mem")
        assert seq == 3 and d.status == state["status"] and d.state["flags"] == state["flags"]


def test_a_refused_act_is_kept_as_evidence_and_changes_nothing_else(memory: tuple[Context, MemoryUnits]) -> None:
    ctx, units = memory
    svc.open_decision(ctx, "P-drafter", title="关于优化公交线网的决定", category="public_project", unit=BUREAU,
                      decision_id="MAD-mem")
    with units.read() as uow:
        before = orjson.loads(uow.decisions.load("MAD-mem")["state"])

    with pytest.raises(DomainError) as refused:  # R9: the undertaking unit determines this, not an expert
        svc.record_determination(ctx, "P-expert", "MAD-mem", "specialised", True, "我认为需要论证")
    assert (refused.value.rule, refused.value.article) == ("R9", "Art. 19")

    with units.read() as uow:
        [attempt] = [e for e in uow.events.stream("decision:MAD-mem") if e["type"] == "AttemptRefused"]
        assert attempt["actor"]["person"] == "P-expert" and attempt["payload"]["rule"] == "R9"
        after = orjson.loads(uow.decisions.load("MAD-mem")["state"])
    assert after["flags"] == before["flags"] == {} and after["status"] == before["status"]


def test_a_stale_sequence_is_a_conflict_and_an_unknown_person_is_unauthenticated(
        memory: tuple[Context, MemoryUnits]) -> None:
    ctx, units = memory
    svc.open_decision(ctx, "P-drafter", title="关于优化公交线网的决定", category="public_project", unit=BUREAU,
                      decision_id="MAD-mem")
    with pytest.raises(ConcurrencyConflict):
        svc.record_determination(ctx, "P-drafter", "MAD-mem", "specialised", True, "理由", expected_seq=0)
    with pytest.raises(Unauthenticated):
        svc.record_determination(ctx, "P-nobody", "MAD-mem", "specialised", True, "理由")
    with units.read() as uow:
        types = [e["type"] for e in uow.events.stream("decision:MAD-mem")]
    assert types == ["DecisionOpened", "AttemptRefused"]  # the conflict kept as evidence; the stranger not
