"""Official documents and archive bundles as Prefect flows: when a gate clears or is exempted, a decision
is made or a case closes, render the documents the record supports (services.documents) and, for a closed
case, export its archive bundle (services.archive, R18, Art. 33). Each run is tagged with its decisions."""

from __future__ import annotations

from typing import Any

from prefect import flow, tags

from decision_engine.services import clock_duties
from flows import runtime


@runtime.duty_task("documents-due")
def documents_due(limit: int = 200) -> list[dict[str, Any]]:
    """Decisions whose record changed at a gate or a close (clock_duties.documents_due)."""
    return clock_duties.documents_due(runtime.context(), limit=limit)


@runtime.duty_task("render-documents")
def render_documents(decision_id: str, event_ids: list[int]) -> dict[str, Any]:
    """Render the documents of one decision (clock_duties.render_documents)."""
    return clock_duties.render_documents(runtime.context(), decision_id, event_ids)


@runtime.duty_task("export-archive")
def export_archive(decision_id: str) -> dict[str, Any]:
    """Export the archive bundle of one decision (clock_duties.export_archive)."""
    return clock_duties.export_archive(runtime.context(), decision_id)


def rows(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One table row per decision handled, linking back to the record."""
    return [{"decision": r["decision_id"], "documents": r.get("status", ""),
             "rendered": len(r.get("documents") or []), "archive": (r.get("archive") or {}).get("path", ""),
             "sha256": (r.get("archive") or {}).get("sha256", ""), "error": r.get("error") or "",
             "record": runtime.record_url(r["decision_id"])} for r in results]


def _one(decision_id: str, event_ids: list[int], closed: bool) -> dict[str, Any]:
    with tags(f"decision:{decision_id}"):
        result = dict(render_documents(decision_id, event_ids))
        if closed:
            result["archive"] = export_archive(decision_id)
    return result


@flow(name="documents-and-archives", description="公文生成与档案导出：环节通过、作出决定或结案归档后（R18，第三十三条）")
def documents_and_archives(limit: int = 200) -> dict[str, Any]:
    """Render the documents of every decision whose record changed; export the bundles of closed cases."""
    runtime.context(probe=True)
    due = documents_due(limit)
    results = [_one(item["decision_id"], item["events"], item["closed"]) for item in due]
    runtime.tag_flow_run(runtime.decision_ids(due))
    runtime.table("documents-and-archives", rows(results), "公文与档案（链接到引擎记录）· documents and archives")
    return {"decisions": len(results), "results": results}


@flow(name="decision-documents", description="单个决策：生成公文并（可选）导出档案包")
def decision_documents(decision_id: str, export: bool = False) -> dict[str, Any]:
    """On demand, for one decision: render its documents and optionally export its archive bundle."""
    runtime.context(probe=True)
    runtime.tag_flow_run([decision_id])
    result = _one(decision_id, [], export)
    runtime.table(f"decision-{decision_id.lower()}", rows([result]), f"决策 {decision_id} 的公文与档案")
    return result
