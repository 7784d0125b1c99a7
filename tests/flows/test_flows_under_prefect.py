"""The flows run for real under Prefect's test harness (entered once per session): the statutory clock
over due decisions (a second run adds nothing), tags carrying the decision ids, artifacts linking back to
the engine's record, mail delivered; the other flows; a database that cannot be reached fails the run
with a clear message and changes nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from decision_engine.services import documents, notifications, queries
from tests.conftest import WARNINGS_ARE_ERRORS

pytestmark = [WARNINGS_ARE_ERRORS, pytest.mark.usefixtures("prefect_harness")]


def flow_run(state: Any) -> Any:
    from prefect import get_client
    with get_client(sync_client=True) as client:
        return client.read_flow_run(state.state_details.flow_run_id)


def artifact(key: str) -> Any:
    from prefect import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
    with get_client(sync_client=True) as client:
        found = client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])))
    return found[0] if found else None


def test_the_statutory_clock_runs_as_a_prefect_flow_and_a_second_run_adds_nothing(
        walk: Any, flows_runtime: Any, smtp_server: Any) -> None:
    from flows.clock import statutory_clock
    ctx, c = walk.ctx, walk.c
    flows_runtime.use(ctx, notifier=notifications.SmtpNotifier(smtp_server.host, smtp_server.port),
                      base_url="http://decide.test")
    notifications.set_contact(ctx, c.head, email="wang@city.example")
    walk.open(due_by=(ctx.today() + timedelta(days=1)).isoformat()).start()
    ctx.clock.advance(days=10)

    state = statutory_clock(return_state=True)
    assert state.is_completed(), state.message
    result = state.result()
    assert result["due"] == 2 and result["deadline"]["acted"] == 2  # the incident: services.accountability
    assert result["delivery"]["delivered"] == 2  # the head: passed (no unit head registered), then the organ
    assert len(smtp_server.to("wang@city.example")) == 2
    types = [e["type"] for e in queries.events(ctx, walk.did)]
    assert types.count("DeadlinePassed") == 1 and types.count("DeadlineEscalated") == 1
    assert f"decision:{walk.did}" in flow_run(state).tags
    table = artifact("statutory-clock-duties")
    assert table is not None and f"http://decide.test/decisions/{walk.did}" in str(table.data)

    again = statutory_clock(return_state=True).result()
    assert again["due"] == 0 and again["delivery"]["delivered"] == 0
    assert [e["type"] for e in queries.events(ctx, walk.did)] == types
    assert len(smtp_server.to("wang@city.example")) == 2


def test_the_sequencer_documents_and_compliance_flows_run(walk: Any, flows_runtime: Any,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from flows.compliance import compliance_report
    from flows.documents import documents_and_archives
    from flows.sequencer import checkpoint_sequencer
    rendered: list[str] = []
    monkeypatch.setattr(documents, "render_all", lambda ctx, did: rendered.append(did) or [])
    flows_runtime.use(walk.ctx)
    walk.ready()
    head = checkpoint_sequencer()
    assert head["new"] and head["added"] == head["size"]
    state = documents_and_archives(return_state=True)
    assert state.result()["decisions"] == 1 and rendered == [walk.did]
    assert f"decision:{walk.did}" in flow_run(state).tags
    assert documents_and_archives()["decisions"] == 0
    report = compliance_report()
    assert report["new"] and not compliance_report()["new"]


def test_a_flow_that_cannot_reach_the_database_fails_clearly_and_changes_nothing(
        tmp_path: Any, flows_runtime: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from flows.clock import statutory_clock
    monkeypatch.setenv("DECIDE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DECIDE_DATABASE_URL", f"sqlite:///{tmp_path / 'gone' / 'decide.db'}")
    flows_runtime.use(None)
    state = statutory_clock(return_state=True)
    assert state.is_failed()
    assert "数据库不可用" in str(state.message) and "changed nothing" in str(state.message)
    assert not (tmp_path / "gone").exists()
