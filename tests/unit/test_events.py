"""Typed, versioned events (issue 14): each decision event type gives back exactly the payload it was read
from, so the canonical bytes hashed into the chain do not depend on the dataclasses; an event stored under
an older version is upcast on read, before the fold sees it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, ClassVar

import pytest

from decision_engine import procedures
from decision_engine.audit.canonical import canonical
from decision_engine.domain import events as ev
from decision_engine.domain.decision import Actor, Decision

STORE_V1 = Path(__file__).parent.parent / "data" / "store_v1" / "store.json"
HEAD = Actor("P-head", "admin_head", "某市人民政府", "王明")


def _stored_envelopes() -> list[dict[str, Any]]:
    return [json.loads(row["body"]) for row in json.loads(STORE_V1.read_text())["events"]]


def test_every_decision_event_of_the_stored_release_reads_back_to_its_exact_payload_and_bytes() -> None:
    typed = 0
    for env in _stored_envelopes():
        event = ev.DEFAULT.read(env)
        if event is None:
            assert not env["stream"].startswith("decision:") or env["type"] not in {
                t.TYPE for t in ev.DECISION_EVENTS}
            continue
        typed += 1
        assert event.to_payload() == env["payload"], env["type"]
        assert canonical({**env, "payload": event.to_payload()}) == canonical(env)
    assert typed >= 170  # the decision streams of the fixture, every one typed


def test_the_stored_version_is_the_event_types_version_and_one_for_untyped_streams() -> None:
    assert ev.DEFAULT.version("GateCleared") == ev.GateCleared.VERSION == 1
    assert ev.DEFAULT.version("CommentReceived") == 1
    assert {e["v"] for e in _stored_envelopes()} == {1}


def test_a_key_that_is_no_python_name_and_a_key_left_out_when_absent_keep_the_payloads_shape() -> None:
    migrated = ev.ProcedureMigrated(from_={"id": "a"}, justification="j", to={"id": "b"})
    assert migrated.to_payload() == {"from": {"id": "a"}, "justification": "j", "to": {"id": "b"}}
    assert ev.ProcedureMigrated.from_payload(migrated.to_payload()) == migrated
    assert "by" not in ev.GateReopened(gate="g", reason="r", rule="R13", article="Art. 25").to_payload()
    assert ev.GateReopened(gate="g", reason="r", rule="R15", article="Art. 30", by="P").to_payload()["by"] == "P"


def test_a_payload_missing_a_required_key_is_refused_as_the_fold_always_refused_it() -> None:
    with pytest.raises(KeyError):
        ev.GateCleared.from_payload({"gate": "hearing"})


@dataclass(frozen=True, slots=True)
class _Renamed(ev.Event):
    """A type whose second version renamed a key (`text` -> `reason`) and added one (`rule`)."""

    TYPE: ClassVar[str] = "SomethingNoted"
    VERSION: ClassVar[int] = 3
    reason: str
    rule: str


def test_an_event_stored_under_an_older_version_is_upcast_step_by_step_on_read() -> None:
    catalogue = ev.Catalogue([_Renamed])

    @catalogue.upcaster("SomethingNoted", 1)
    def _v1_to_v2(p: dict[str, Any]) -> dict[str, Any]:
        return {"reason": p["text"]}

    @catalogue.upcaster("SomethingNoted", 2)
    def _v2_to_v3(p: dict[str, Any]) -> dict[str, Any]:
        return {**p, "rule": "R18"}

    assert catalogue.version("SomethingNoted") == 3
    assert catalogue.read({"type": "SomethingNoted", "v": 1, "payload": {"text": "old"}}) == _Renamed("old", "R18")
    assert catalogue.read({"type": "SomethingNoted", "v": 2, "payload": {"reason": "mid"}}) == _Renamed("mid", "R18")
    assert catalogue.read({"type": "SomethingNoted", "v": 3, "payload": {"reason": "new", "rule": "R1"}}) \
        == _Renamed("new", "R1")


def test_a_stored_version_without_an_upcaster_path_is_refused_rather_than_misread() -> None:
    catalogue = ev.Catalogue([_Renamed])
    with pytest.raises(ValueError, match="no upcaster from version 1"):
        catalogue.read({"type": "SomethingNoted", "v": 1, "payload": {"text": "old"}})


def test_the_decision_folds_an_older_withdrawal_through_its_upcaster() -> None:
    catalogue = ev.Catalogue([*(t for t in ev.DECISION_EVENTS if t is not ev.DecisionWithdrawn), _WithdrawnV2])

    @catalogue.upcaster("DecisionWithdrawn", 1)
    def _v1_to_v2(p: dict[str, Any]) -> dict[str, Any]:
        return {"reason": p["reason"], "withdrawn_by_unit": ""}

    spec = procedures.load()
    d = Decision(spec, events=catalogue)
    _, opened = Decision.open(spec, "MAD-1", (HEAD,), title="决定", category=spec.categories[0], unit="某局",
                              today=date(2025, 3, 3))
    at = "2025-03-03T01:00:00+00:00"
    d.apply({"seq": 1, "type": opened[0].type, "v": 1, "at": at, "actor": HEAD.to_dict(), "payload": opened[0].payload})
    d.apply({"seq": 2, "type": "DecisionWithdrawn", "v": 1, "at": at, "actor": HEAD.to_dict(),
             "payload": {"reason": "情况变化"}})
    assert d.status == "withdrawn" and d.state["seq"] == 2


@dataclass(frozen=True, slots=True)
class _WithdrawnV2(ev.Event):
    """A later shape of DecisionWithdrawn, for the test above."""

    TYPE: ClassVar[str] = "DecisionWithdrawn"
    VERSION: ClassVar[int] = 2
    reason: str
    withdrawn_by_unit: str
