"""Risk assessment use cases (R10; Arts. 22–24): the report with risk points, level, prevention
measures, contingency plan and conclusion; the departments heard; each measure an obligation that
execution tracking follows (`obligations`, read by issue 6)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from decision_engine.domain import execution as ex
from decision_engine.domain.errors import InvalidInput
from decision_engine.services import decisions
from decision_engine.services.context import Context
from decision_engine.services.decisions import Result, load


def record_risk_report(ctx: Context, person_id: str, decision_id: str, *, risk_points: Sequence[str],
                       level: str, measures: Sequence[str | dict[str, Any]], contingency_plan: str,
                       conclusion: str, content: bytes | None = None, media_type: str = "application/pdf",
                       filename: str = "", third_party: str = "", commissioned_by: str = "") -> Result:
    """The risk assessor's report on the current draft (R10, Arts. 23–24): not controllable blocks the
    decision until a new draft version is assessed controllable. A commissioned third party is named with the
    unit that commissioned it (Art. 23 ¶3)."""
    fields: dict[str, Any] = {
        "risk_points": list(risk_points), "level": level, "measures": list(measures),
        "contingency_plan": contingency_plan, "conclusion": conclusion}
    fields.update({k: v for k, v in (("third_party", third_party), ("commissioned_by", commissioned_by)) if v})
    return decisions.record_artifact(ctx, person_id, decision_id, "risk_report", fields,
                                     content=content, media_type=media_type, filename=filename)


def record_dept_opinions(ctx: Context, person_id: str, decision_id: str, *,
                         opinions: Sequence[dict[str, str]], summary: str) -> Result:
    """The opinions of the departments consulted on the risk (R10, Art. 23)."""
    if not opinions or any(not str(o.get("department") or "").strip() or not str(o.get("opinion") or "").strip()
                           for o in opinions):
        raise InvalidInput("each department opinion names the department and its opinion", rule="R10",
                           article="Art. 23")
    return decisions.record_artifact(ctx, person_id, decision_id, "dept_opinions", {
        "departments": [o["department"] for o in opinions], "opinions": [dict(o) for o in opinions],
        "summary": summary})


def obligations(ctx: Context, decision_id: str) -> list[dict[str, Any]]:
    """Each prevention measure of the controllable assessment of the current draft, as an obligation
    (R10, Arts. 23–24) that execution tracking follows."""
    with ctx.store.read() as conn:
        d, _ = load(conn, decision_id)
    return [o for o in ex.obligations(d) if o["source"] == "risk_measure"]
