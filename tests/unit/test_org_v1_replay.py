"""The organisation's stream written by the release before its events were typed (tests/data/org_v1, made by
its generate.py on main at 37a198c) keeps its bytes and still folds: the same canonical bodies and hash chain,
every event read as its typed, versioned event and written back to the very payload it was stored with, the
same chart, through the same paths the engine and `decide verify` take; and the current code writes the same
bytes for the same changes (issue 14: every event already stored keeps its bytes)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy import insert

from decision_engine.adapters import store as st
from decision_engine.adapters.tables import EVENTS
from decision_engine.audit.canonical import GENESIS, canonical, chain_hash
from decision_engine.domain import org_events
from decision_engine.domain import organisation as org
from decision_engine.services import organisation, verification
from decision_engine.services.context import Context

HERE = Path(__file__).parent.parent / "data" / "org_v1"
ORG_V1 = json.loads((HERE / "store.json").read_text(encoding="utf-8"))
ENVELOPES = [json.loads(e["body"]) for e in ORG_V1["events"]]


def test_the_stored_bytes_of_every_organisation_event_are_canonical_and_chain_to_the_stored_hashes() -> None:
    prev = GENESIS
    for row in ORG_V1["events"]:
        body = row["body"].encode()
        assert canonical(json.loads(body)) == body
        assert row["prev_hash"] == prev and chain_hash(prev, body) == row["hash"]
        prev = row["hash"]
    assert {e["type"] for e in ENVELOPES} == set(org.ORG_EVENTS)  # the fixture has every type


def test_every_stored_event_reads_as_its_typed_event_and_writes_back_the_same_bytes() -> None:
    for env in ENVELOPES:
        assert env["v"] == org_events.SCHEMA_VERSION == st.schema_version(env["type"])
        event = org_events.ORG.read(env)
        assert event is not None and event.TYPE == env["type"]
        assert event.to_payload() == env["payload"]
        again = st.envelope(env["stream"], env["seq"], event.TYPE, env["at"], env["actor"], event.to_payload())
        assert canonical(again) == canonical(env)


def test_folding_the_stored_events_gives_the_chart_they_were_stored_with() -> None:
    chart = org.fold_stored(org.OrgChart.single_organ(), ENVELOPES)
    assert organisation.describe(chart) == ORG_V1["chart"]
    assert chart == org.fold(org.OrgChart.single_organ(), [(e["type"], e["payload"]) for e in ENVELOPES])
    assert "某市信访局" not in chart.units and chart.organ_of("某市环境监测站") == "某县人民政府"  # retired, moved


def test_the_current_code_writes_the_same_bytes_for_the_same_changes(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("org_v1_generate", HERE / "generate.py")
    assert spec is not None and spec.loader is not None
    generate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generate)
    generate.main(tmp_path / "now.json", "now", tmp_path / "work")
    now = json.loads((tmp_path / "now.json").read_text(encoding="utf-8"))
    admin_then = next(e["person"] for e in ORG_V1["events"] if e["role"] == "system_admin")
    admin_now = next(e["person"] for e in now["events"] if e["role"] == "system_admin")
    # The administrator's id is random; with it named alike, every body and every hash is the same.
    bodies = [e["body"].replace(admin_now, admin_then) for e in now["events"]]
    assert bodies == [e["body"] for e in ORG_V1["events"]]
    assert now["chart"] == ORG_V1["chart"]


def test_the_stored_stream_folds_and_verifies_on_a_real_database(ctx: Context) -> None:
    with ctx.store.write() as conn:
        conn.execute(insert(EVENTS), [dict(e, body=e["body"].encode()) for e in ORG_V1["events"]])
    with ctx.uow.read() as uow:
        assert organisation.describe(organisation.chart_of(uow)) == ORG_V1["chart"]
    shown = organisation.show(ctx, at=ENVELOPES[-1]["at"])
    assert {k: shown[k] for k in ORG_V1["chart"]} == ORG_V1["chart"] and shown["events"] == len(ENVELOPES)
    report = verification.verify(ctx)
    assert report.events == len(ENVELOPES)
    assert not [f for f in report.findings if "org" in str(f)]


def _envelope(etype: str, v: int, payload: dict[str, Any]) -> dict[str, Any]:
    return {"stream": "org:chart", "seq": 1, "type": etype, "v": v, "at": "2025-03-03T01:00:00+00:00",
            "actor": {"person": "system", "role": "system", "unit": "decide"}, "payload": payload}


def test_a_stored_event_of_an_older_version_is_upcast_before_it_is_folded(monkeypatch: pytest.MonkeyPatch) -> None:
    # A (hypothetical) version 0 named the unit's organ `parent`; its upcaster renames it.
    def v0_to_v1(p: dict[str, Any]) -> dict[str, Any]:
        return {"id": p["id"], "organ": p["parent"], "kind": p["kind"], "name": p["name"]}
    monkeypatch.setitem(org_events.ORG._upcasters, ("UnitRegistered", 0), v0_to_v1)
    organ = _envelope("OrganRegistered", 1, {"id": "c", "name": "某市人民政府", "level": "city", "kind": "government",
                                             "superior": None})
    old = _envelope("UnitRegistered", 0, {"id": "市司法局", "parent": "c", "kind": "legal_office", "name": ""})
    chart = org.fold_stored(org.OrgChart.single_organ(), [organ, old])
    assert chart.organ_of("市司法局") == "c" and chart.kind_of("市司法局") == "legal_office"
    assert orjson.loads(canonical(old))["payload"]["parent"] == "c"  # the stored event itself is untouched


def test_a_stored_version_no_upcaster_reads_is_refused_and_verify_reports_it() -> None:
    future = _envelope("UnitRetired", 7, {"id": "市司法局", "reason": ""})
    with pytest.raises(ValueError, match="version 7"):
        org.fold_stored(org.OrgChart.single_organ(), [future])
    finding = organisation.rederive([future])
    assert finding is not None and "does not apply" in finding
