"""`projection.fold_all` (the replay's fast path, issue 19 §3) folds exactly as `fold` does event by event:
on every decision stream of the v1 store fixture (every stage, every event type), with an ArtifactRecorded
that leaves out `storage` (defaults to "blob"), one that carries keys the type does not know, one that lacks a
required key (a KeyError either way), and with an upcaster registered (the fast path steps aside); given a
list, an iterator (as a replay decodes events one by one) or a list to consume (as `decide verify` folds);
and on generated decisions (hypothesis): a lawful decision walked to a random stage, then random events of
every kind the fold reads (artifacts in any gate and round, special kinds, returned, reopened, cleared and
exempted gates, determinations, refusals, events the projection does not know), in any order."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import hypothesis.strategies as strat
import orjson
import pytest
from hypothesis import HealthCheck, given, settings

from decision_engine.adapters import store as st
from decision_engine.domain import events as ev_
from decision_engine.domain import projection
from decision_engine.domain.decision import Decision
from decision_engine.domain.procedure import Procedure
from tests.domain.builders import Build, C

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


def _fold_all_ways(evs: list[dict[str, Any]], spec: Procedure, resolve: Any) -> list[str]:
    """The state folded from a list, from an iterator and from a list consumed (which must end empty)."""
    out = []
    for way in ("list", "iterator", "consume"):
        d = Decision(spec, resolve=resolve)
        given_evs = copy.deepcopy(evs)
        if way == "iterator":
            projection.fold_all(d, iter(given_evs), d.events)
        else:
            projection.fold_all(d, given_evs, d.events, consume=way == "consume")
            assert given_evs == ([] if way == "consume" else evs), way
        d.refresh()
        out.append(st.state_text(d.state))
    return out


def test_an_iterator_and_a_consumed_list_fold_as_the_list_does_on_every_stream_of_the_fixture() -> None:
    for stream, evs in _streams().items():
        spec = SPECS[evs[0]["payload"]["procedure"]["hash"]]
        assert set(_fold_all_ways(evs, spec, SPECS.__getitem__)) == {_one_by_one(evs)}, stream


def test_consume_takes_a_list_only() -> None:
    evs = next(iter(_streams().values()))
    d = Decision(SPECS[evs[0]["payload"]["procedure"]["hash"]], resolve=SPECS.__getitem__)
    with pytest.raises(TypeError):
        projection.fold_all(d, iter(evs), d.events, consume=True)


# ------------------------------------------------------------------------------------ generated decisions
WALKS = ("open", "start", "determine", "coordinate", "participate", "legality", "meeting", "report",
         "finalize", "published", "executing")
SPECIAL_KINDS = ("start_decision", "publication_record", "execution_unit_designation", "evaluation_report")


def _walked(depth: int) -> Build:
    """A lawful decision (tests/domain/builders.py) walked through the first `depth` stages."""
    b = Build()
    for step in WALKS[:depth + 1]:
        if step == "published":
            b.art(C.office, "publication_record", channels=["政府网站"], published_at=b.today.isoformat())
        elif step == "executing":
            b.art(C.head, "execution_unit_designation", units=[C.executor.unit])
        else:
            getattr(b, step)()
    return b


@strat.composite
def _random_event(draw: Any, gates: list[str], kinds: list[str]) -> tuple[str, dict[str, Any]]:
    """One event the fold reads, with a payload shaped as its type stores it (the fold validates nothing)."""
    gate = draw(strat.sampled_from(gates))
    etype = draw(strat.sampled_from(("ArtifactRecorded", "ArtifactRecorded", "ArtifactRecorded", "GateReturned",
                                     "GateReopened", "GateCleared", "GateExempted", "DeterminationRecorded",
                                     "AttemptRefused", "SomethingUnknown")))
    text = strat.text(alphabet="甲乙丙abc123", max_size=6)
    if etype == "ArtifactRecorded":
        kind = draw(strat.sampled_from(kinds + list(SPECIAL_KINDS)))
        fields: dict[str, Any] = {"summary": draw(text), "n": draw(strat.integers(-5, 5))}
        if kind in ("start_decision", "execution_unit_designation"):
            fields["units"] = draw(strat.lists(text, min_size=1, max_size=3))
            fields["lead_unit"] = draw(strat.sampled_from(fields["units"]))
            if draw(strat.booleans()):
                fields["affected_units"] = draw(strat.lists(text, max_size=2))
        payload: dict[str, Any] = {
            "artifact_id": f"A-{draw(strat.integers(0, 40))}",  # ids may repeat: the later one wins both ways
            "kind": kind, "gate": draw(strat.sampled_from([gate, ""])), "sha256": "0" * 64,
            "size": draw(strat.integers(0, 10**6)), "media_type": "application/json", "filename": "x.json",
            "draft_version": draw(strat.integers(0, 3)), "fields": fields,
            "on": draw(strat.sampled_from(["2025-03-03", "2025-12-31"]))}
        storage = draw(strat.sampled_from(["inline", "blob", None]))
        if storage is not None:
            payload["storage"] = storage
        if draw(strat.booleans()):
            payload["unknown_key"] = draw(text)
        return etype, payload
    by = draw(strat.sampled_from(["drafter", "head"]))
    typed: ev_.Event
    if etype == "GateReturned":
        typed = ev_.GateReturned(gate=gate, reason=draw(text))
    elif etype == "GateReopened":
        typed = ev_.GateReopened(gate=gate, reason=draw(text), rule="R11", article="Art. 26",
                                 by=draw(strat.sampled_from([by, None])))
    elif etype == "GateCleared":
        typed = ev_.GateCleared(gate=gate, on="2025-03-03")
    elif etype == "GateExempted":
        typed = ev_.GateExempted(gate=gate, legal_basis=draw(text), by=by)
    elif etype == "DeterminationRecorded":
        typed = ev_.DeterminationRecorded(kind=draw(strat.sampled_from(["specialised", "risk_relevant",
                                                                        "high_concern"])),
                                          value=draw(strat.booleans()), reasons=draw(text), by=by)
    elif etype == "AttemptRefused":
        typed = ev_.AttemptRefused(act="x", error="RuleViolation", rule="R1", article="Art. 1", message="m",
                                   missing=[])
    else:
        return etype, {"anything": draw(text)}
    return etype, typed.to_payload()


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(data=strat.data())
def test_fold_all_equals_the_event_by_event_fold_on_generated_decisions(data: Any) -> None:
    b = _walked(data.draw(strat.integers(0, len(WALKS) - 1), label="depth"))
    gates = [g.id for g in b.spec.gates]
    kinds = sorted({k.id for g in gates for k in b.spec.kinds_of_gate(g)})
    extra = data.draw(strat.lists(_random_event(gates, kinds), max_size=40), label="events")
    # as the store keeps them: canonical JSON decoded (tuples are lists, and so on)
    evs = [orjson.loads(orjson.dumps(e)) for e in b.events]
    for etype, payload in extra:
        at = f"2025-04-{len(evs) % 28 + 1:02d}T01:00:00+00:00"
        evs.append({"seq": len(evs) + 1, "type": etype, "v": 1, "at": at,
                    "actor": {"person": "p", "role": "undertaking_unit", "unit": "u", "name": "n"},
                    "payload": payload, "stream": evs[0]["stream"]})
    one = Decision(b.spec)
    for env in copy.deepcopy(evs):
        one.apply(env, refresh=False)
    one.refresh()
    expected = st.state_text(one.state)
    assert _fold_all_ways(evs, b.spec, None) == [expected] * 3
