"""The other background duties and the flows' tasks called through `.fn()` (no Prefect server): documents
rendered when a gate clears or a case closes, the archive bundle of a closed case exported once (R18,
Art. 33), the compliance report recorded once per run, the checkpoint sequencer; tags and artifacts."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from decision_engine.adapters import store as st
from decision_engine.adapters.tables import CLOCK_DUTIES, EVENTS
from decision_engine.audit import archive_verify
from decision_engine.services import clock_duties, documents, publication, transparency
from decision_engine.services import decisions as svc
from tests.conftest import WARNINGS_ARE_ERRORS

pytestmark = WARNINGS_ARE_ERRORS
CHANNELS = ["某市人民政府公报", "某市人民政府网站", "某市日报"]


class FakeRenderer:
    """Stands in for services.documents.render_all (real PDF rendering costs seconds per decision)."""

    def __init__(self, fail: bool = False) -> None:
        self.calls: list[str] = []
        self.fail = fail

    def __call__(self, ctx: Any, decision_id: str) -> list[dict[str, Any]]:
        self.calls.append(decision_id)
        if self.fail:
            raise OSError("the PDF renderer is missing a font")
        return [{"id": f"DOC-{len(self.calls)}", "doc_kind": "meeting_packet", "title": "会议材料"}]


def closed(walk: Any) -> Any:
    walk.decided()
    publication.publish(walk.ctx, walk.c.office, walk.did, channels=CHANNELS)
    svc.close(walk.ctx, walk.c.office, walk.did)
    return walk


def test_a_cleared_gate_has_its_documents_rendered_once(walk: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeRenderer()
    monkeypatch.setattr(documents, "render_all", fake)
    walk.ready()
    (due,) = clock_duties.documents_due(walk.ctx)
    assert due["decision_id"] == walk.did and not due["closed"] and len(due["events"]) == 2  # two gates cleared
    result = clock_duties.render_documents(walk.ctx, walk.did, due["events"])
    assert (result["status"], fake.calls) == ("done", [walk.did])
    assert clock_duties.documents_due(walk.ctx) == []
    walk.meeting().report()
    svc.finalize(walk.ctx, walk.c.head, walk.did)
    assert [d["decision_id"] for d in clock_duties.documents_due(walk.ctx)] == [walk.did]  # a decision made


def test_a_failed_rendering_is_retried_then_set_aside(walk: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(documents, "render_all", FakeRenderer(fail=True))
    walk.ready()
    for _ in range(clock_duties.MAX_DOCUMENT_ATTEMPTS):
        (due,) = clock_duties.documents_due(walk.ctx)
        result = clock_duties.render_documents(walk.ctx, walk.did, due["events"])
        assert result["status"] == "failed" and "font" in result["error"]
    assert clock_duties.documents_due(walk.ctx) == []  # three attempts: left for an operator


def test_documents_are_really_rendered_from_the_record(walk: Any) -> None:
    walk.ready()
    (due,) = clock_duties.documents_due(walk.ctx)
    result = clock_duties.render_documents(walk.ctx, walk.did, due["events"])
    assert result["status"] == "done" and result["documents"]
    assert {d["id"] for d in documents.list_documents(walk.ctx, walk.did)} == {d["id"] for d in result["documents"]}
    again = clock_duties.render_documents(walk.ctx, walk.did, due["events"])  # a retried task
    assert [d["id"] for d in again["documents"]] == [d["id"] for d in result["documents"]]


def test_a_closed_case_exports_its_archive_bundle_once(walk: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(documents, "render_all", FakeRenderer())
    closed(walk)
    due = [d for d in clock_duties.documents_due(walk.ctx) if d["closed"]]
    assert [d["decision_id"] for d in due] == [walk.did]
    first = clock_duties.export_archive(walk.ctx, walk.did)
    again = clock_duties.export_archive(walk.ctx, walk.did)
    assert first["new"] and not again["new"] and again["sha256"] == first["sha256"]
    with walk.ctx.store.read() as conn:
        exported = st.stream_events(conn, f"archive:{walk.did}")
    assert [e["type"] for e in exported] == ["ArchiveExported"]
    assert exported[0]["payload"]["sha256"] == first["sha256"]
    report = archive_verify.verify_archive(first["path"], transparency.public_key(walk.ctx))
    assert report.ok, report


def test_the_compliance_report_is_recorded_once_per_run(walk_any: Any) -> None:
    walk_any.decided()
    first = clock_duties.record_compliance_report(walk_any.ctx)
    second = clock_duties.record_compliance_report(walk_any.ctx)
    assert first["new"] and not second["new"]
    assert first["rows"][-1]["unit"] == "合计" and first["rows"][-1]["decisions"] == 1
    assert walk_any.ctx.blobs.exists(first["csv_sha256"]) and walk_any.ctx.blobs.exists(first["json_sha256"])
    yearly = clock_duties.record_compliance_report(walk_any.ctx, scheduled=True)
    assert yearly["year"] == walk_any.ctx.today().year - 1 and yearly["new"]
    with walk_any.ctx.store.read() as conn:
        assert conn.execute(select(func.count()).select_from(EVENTS).where(
            EVENTS.c.type == "ComplianceReportGenerated")).scalar_one() == 2


# ---------------------------------------------------------------------------------------- tasks via .fn()
def test_the_clock_tasks_call_their_services(walk: Any, flows_runtime: Any) -> None:
    from datetime import timedelta

    from flows import clock
    flows_runtime.use(walk.ctx, notifier=None, base_url="http://decide.test")
    walk.open(due_by=(walk.ctx.today() + timedelta(days=1)).isoformat()).start()
    today = (walk.ctx.today() + timedelta(days=10)).isoformat()
    due = clock.find_due.fn(today)
    kinds = [k for k, _ in clock.clock_duties.plan(due)]
    assert kinds == ["deadline"]
    acted = clock.perform.fn([i for i in due if i["kind"] == "deadline"])
    assert acted["acted"] == 2 and acted["decisions"] == [walk.did]
    assert clock.open_undue_delay_incidents.fn(due, today)["delegated"].endswith("open_undue_delay_incidents")
    assert clock.deliver_notifications.fn()["inbox"] == 4
    assert clock.find_due.fn(today) == []
    body, rows = clock.report(due, {"deadline": acted}, today)
    assert "法定时限时钟" in body and rows[0]["record"] == f"http://decide.test/decisions/{walk.did}"


def test_the_sequencer_tasks_log_and_sign(walk: Any, flows_runtime: Any) -> None:
    from flows import sequencer
    flows_runtime.use(walk.ctx)
    walk.open()
    added = sequencer.sequence_events.fn()
    head = sequencer.sign_checkpoint.fn()
    assert added > 0 and head["new"] and head["size"] == transparency.tree_size(walk.ctx)
    assert sequencer.sequence_events.fn() == 0 and not sequencer.sign_checkpoint.fn()["new"]


def test_decision_tags_name_at_most_fifty_decisions(flows_runtime: Any) -> None:
    ids = [f"MAD-{i:012x}" for i in range(60)]
    tags = flows_runtime.decision_tags(ids)
    assert tags[0] == "decision:MAD-000000000000" and len(tags) == 51 and tags[-1] == "decisions:+10"
    assert flows_runtime.decision_ids([{"decision_id": "a"}, {"decision_id": "b"}, {"decision_id": "a"}]) == ["a", "b"]


def test_the_flows_find_an_unavailable_database_and_change_nothing(tmp_path: Any, flows_runtime: Any,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DECIDE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DECIDE_DATABASE_URL", f"sqlite:///{tmp_path / 'missing' / 'dir' / 'decide.db'}")
    flows_runtime.use(None)
    with pytest.raises(flows_runtime.DatabaseUnavailable) as info:
        flows_runtime.context(probe=True)
    assert "数据库不可用" in str(info.value) and "changed nothing" in str(info.value)
    assert not (tmp_path / "missing").exists()


def test_the_duty_keys_hold_one_row_per_duty(walk: Any) -> None:
    walk.ready()
    (due,) = clock_duties.documents_due(walk.ctx)
    clock_duties.render_documents(walk.ctx, walk.did, due["events"])
    with walk.ctx.store.read() as conn:
        rows = conn.execute(select(CLOCK_DUTIES.c.duty, CLOCK_DUTIES.c.due, CLOCK_DUTIES.c.status)).all()
    assert sorted(r.due for r in rows) == sorted(str(e) for e in due["events"])
    assert {r.status for r in rows} == {"done"}
