"""Time travel: what changed in a decision between two moments or sequence numbers, from replays."""

from __future__ import annotations

import json

import pytest

from decision_engine.domain.errors import InvalidInput, NotFound
from decision_engine.services import queries, timetravel
from decision_engine.services.context import Context
from decision_engine.services.demo import run_demo


def _types(ctx: Context, did: str) -> list[str]:
    return [e["type"] for e in queries.events(ctx, did)]


def test_a_diff_between_two_sequence_numbers_shows_status_gates_artifacts_flags_and_events(
        ctx: Context) -> None:
    did = run_demo(ctx, lambda _: None)
    types = _types(ctx, did)
    d = timetravel.diff(ctx, did, 1, 30)
    assert d["direction"] == "forward" and d["a"]["seq"] == 1 and d["b"]["seq"] == 30
    assert d["changes"]["status"] == {"from": "draft", "to": queries.history_at(ctx, did, seq=30)["status"]}
    assert [e["seq"] for e in d["events"]] == list(range(2, 31))
    recorded = sum(t in ("ArtifactRecorded", "DraftVersionAdded") for t in types[1:30])
    assert len(d["artifacts"]["added"]) == recorded and not d["artifacts"]["removed"]
    assert {f["flag"] for f in d["flags"]} >= {"specialised", "risk_relevant", "hearing_required_by_law"}
    assert all(f["from"] is None for f in d["flags"])
    assert any(g["gate"] == "coordination" and g["status"]["to"] == "cleared" for g in d["gates"])


def test_a_diff_between_two_moments_starts_from_nothing_before_the_decision_existed(ctx: Context) -> None:
    did = run_demo(ctx, lambda _: None)
    d = timetravel.diff(ctx, did, "2025-01-01T00:00:00+08:00", "2025-03-03T09:00:00+08:00")
    assert d["a"]["seq"] == 0 and d["a"]["status"] is None
    assert d["changes"]["status"]["from"] is None and d["b"]["seq"] > 0
    later = timetravel.diff(ctx, did, "2025-03-03T09:00:00+08:00", "2027-01-01")
    assert later["b"]["status"] == queries.get_decision(ctx, did)["status"] == "evaluated"
    assert later["changes"]["status"]["to"] == "evaluated"


def test_a_backward_diff_shows_the_artifacts_recorded_since_as_removed(ctx: Context) -> None:
    did = run_demo(ctx, lambda _: None)
    forward = timetravel.diff(ctx, did, "5", "40")
    backward = timetravel.diff(ctx, did, 40, 5)
    assert backward["direction"] == "backward"
    assert backward["artifacts"]["removed"] == forward["artifacts"]["added"]
    assert backward["events"] == forward["events"]
    assert json.dumps(backward, ensure_ascii=False)  # plain JSON for the doors


def test_a_point_that_is_neither_a_sequence_nor_a_moment_is_refused(ctx: Context) -> None:
    did = run_demo(ctx, lambda _: None)
    with pytest.raises(InvalidInput, match="neither a sequence number nor an ISO 8601 moment"):
        timetravel.diff(ctx, did, "yesterday", 3)
    with pytest.raises(NotFound):
        timetravel.diff(ctx, "MAD-unknown", 1, 2)
