"""The overdue list (R22, Art. 38 ¶2; issue 11 §2): decisions past their due date and not yet decided, newest
first, on both databases. (Migration 0009's partial index `ix_decisions_overdue` serves this query at
scale; which index a planner picks depends on the table's statistics, so the figure is measured by
`bench/scale.py` at 100,000 decisions rather than asserted on a small table here.)"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from decision_engine.services import decisions as svc
from decision_engine.services import queries


def test_only_undecided_decisions_past_their_due_date_are_overdue(walk_any: Any) -> None:
    w = walk_any
    today = w.ctx.today()
    late = w.open(title="逾期事项", due_by=(today + timedelta(days=5)).isoformat()).did
    w.open(title="未到期事项", due_by=(today + timedelta(days=400)).isoformat())
    w.open(title="无期限事项")
    decided = w.open(title="已决定事项", due_by=(today + timedelta(days=200)).isoformat()).did
    w.did = decided
    w.start().determine().coordinate().participate().legality().meeting().report()
    svc.finalize(w.ctx, w.c.head, decided)
    w.ctx.clock.advance(days=100)
    # opened with a due date still ahead (one already past is refused at opening, R22), then missed
    also_late = w.open(title="新的逾期事项", due_by=(w.ctx.today() + timedelta(days=1)).isoformat()).did
    w.ctx.clock.advance(days=150)  # past the first and the last due date; the decided one was decided in time
    page = queries.list_decisions(w.ctx, overdue=True)
    assert [i["id"] for i in page["items"]] == [also_late, late]
    assert {i["id"] for i in queries.list_decisions(w.ctx, overdue=True, unit=w.bureau)["items"]} == {late, also_late}
