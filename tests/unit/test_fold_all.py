"""`projection.fold_all` (the replay's fast path, issue 19 §3) folds exactly as `fold` does event by event:
on every decision stream of the v1 store fixture (every stage, every event type), with an ArtifactRecorded
that leaves out `storage` (defaults to "blob"), one that carries keys the type does not know, one that lacks a
required key (a KeyError either way), and with an upcaster registered (the fast path steps aside)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from decision_engine.adapters import store as st
from decision_engine.domain import events as ev_
from decision_engine.domain import projection
from decision_engine.domain.decision import Decision
from decision_engine.domain.procedure import Procedure

STORE_V1 = json.loads((Path(__file__).parent.parent / "data" / "store_v1" / "store.json").read_text())
SPECS = {h: Procedure(body) for h, body in STORE_V1["procedures"].items()}


def _streams() -> dict[str, list[dict[str, Any]]]:
    streams: dict[str, list[dict[str, Any]]] = {}
    for row in STORE_V1["events"]:
        env = json.loads(row["body"])
        if env["stream"].startswith("decision:"):
            streams.setdefault(env["stream"], []).append(env)
    return streams


def _one_by_one(evs: list[dict[str, Any]], catalogue: ev_.Catalogue = ev_.DEFAULT) -> str:
    d = Decision(SPECS[evs[0]["payload"]["procedure"]["hash"]], resolve=SPECS.__getitem__, events=catalogue)
    for env in copy.deepcopy(evs):
        d.apply(env, refresh=False)
    d.refresh()
    return st.state_text(d.state)


def _fold_all(evs: list[dict[str, Any]], catalogue: ev_.Catalogue = ev_.DEFAULT) -> str:
    d = Decision(SPECS[evs[0]["payload"]["procedure"]["hash"]], resolve=SPECS.__getitem__, events=catalogue)
    projection.fold_all(d, copy.deepcopy(evs), catalogue)
    d.refresh()
    return st.state_text(d.state)


def test_fold_all_equals_folding_each_event_on_every_stream_of_the_fixture() -> None:
    streams = _streams()
    assert streams and any(e["type"] == "ArtifactRecorded" for evs in streams.values() for e in evs)
    for stream, evs in streams.items():
        assert _fold_all(evs) == _one_by_one(evs), stream


def _with_artifact(change: Any) -> list[dict[str, Any]]:
    evs = next(evs for evs in _streams().values() if any(e["type"] == "ArtifactRecorded" for e in evs))
    evs = copy.deepcopy(evs)
    art = next(e for e in evs if e["type"] == "ArtifactRecorded")
    change(art["payload"])
    return evs


def test_a_missing_storage_defaults_and_unknown_keys_are_ignored_alike() -> None:
    for change in (lambda p: p.pop("storage", None), lambda p: p.update(extra="x", storage="inline")):
        evs = _with_artifact(change)
        assert _fold_all(evs) == _one_by_one(evs)


def test_a_missing_required_key_is_a_key_error_both_ways() -> None:
    evs = _with_artifact(lambda p: p.pop("sha256"))
    with pytest.raises(KeyError):
        _one_by_one(evs)
    with pytest.raises(KeyError):
        _fold_all(evs)


def test_with_an_upcaster_for_the_type_the_typed_path_is_taken() -> None:
    catalogue = ev_.Catalogue(ev_.DECISION_EVENTS)
    seen: list[str] = []

    @catalogue.upcaster("ArtifactRecorded", 0)  # never applies (no event is stored as v0): only registered
    def _never(p: dict[str, Any]) -> dict[str, Any]:
        seen.append("x")
        return p
    evs = _with_artifact(lambda p: None)
    assert _fold_all(evs, catalogue) == _one_by_one(evs, catalogue) == _one_by_one(evs)
