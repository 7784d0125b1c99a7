"""Supervision of a decision by the organs above the execution (issue 16): the decision organ's supervision
and check of the execution (督促检查, R19, Art. 34) and the superior organ's order to correct a breach of the
regulation (责令改正, ACC5, Art. 38 ¶1) with the organ's report on the correction. Each is an act on the
decision's own record, by the person the law names for THIS decision (`domain/authority.py`): the staff
or head of the decision's organ; the organ immediately above it (上一级行政机关), not any organ higher up.

Pure: no I/O, no clock. The checks live in `domain/rules/execution.py` (R19) and
`domain/rules/accountability.py` (ACC5).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from decision_engine.domain import events as ev
from decision_engine.domain.decision import Decision
from decision_engine.domain.errors import NotPermitted
from decision_engine.domain.rules.accountability import check_correction_order, check_correction_report
from decision_engine.domain.rules.execution import check_rectify_by, check_supervision
from decision_engine.domain.values import DECIDED, Actor, NewEvent

ORGAN_ROLES = ("admin_head", "decision_organ")
SUPERIOR_ROLES = ("admin_head", "decision_organ")  # of the organ above: its head and its general office


def supervisor(d: Decision, candidates: tuple[Actor, ...]) -> Actor:
    """The person's role that supervises THIS decision's execution: staff or head of its organ (R19, Art. 34)."""
    return d.pick(candidates, ORGAN_ROLES, "supervising the execution", "R19", "Art. 34")


def superior(d: Decision, candidates: tuple[Actor, ...]) -> Actor:
    """The person's role in the organ immediately above THIS decision's organ (ACC5, AR11, Art. 38 ¶1)."""
    return d.pick(candidates, SUPERIOR_ROLES, "ordering a correction", "ACC5", "Art. 38 ¶1",
                  relation="superior_direct")


def reporter(d: Decision, candidates: tuple[Actor, ...]) -> Actor:
    """The person's role in THIS decision's organ that reports a correction (ACC5, Art. 38 ¶1)."""
    return d.pick(candidates, ORGAN_ROLES, "reporting a correction", "ACC5", "Art. 38 ¶1")


def open_to(d: Decision, candidates: tuple[Actor, ...]) -> dict[str, bool]:
    """Which of these acts the person may attempt for this decision now, by the same authority check the acts
    make (`supervisor`, `superior`, `reporter`): supervision once decided, a report while an order is open."""
    def may(who: Callable[[Decision, tuple[Actor, ...]], Actor]) -> bool:
        try:
            who(d, candidates)
        except NotPermitted:
            return False
        return True
    open_orders = any(c.get("report") is None for c in d.state.get("corrections") or [])
    return {"supervise": d.status in (*DECIDED, "suspended") and may(supervisor),
            "order_correction": may(superior), "report_correction": open_orders and may(reporter)}


def supervise(d: Decision, candidates: tuple[Actor, ...], findings: str, instructions: str = "",
              units: tuple[str, ...] = (), due_by: str | None = None, *, today: date
              ) -> tuple[Actor, list[NewEvent]]:
    """The organ supervises and checks the execution (R19, Art. 34): its findings, its instructions to the
    execution units named (all designated ones when none is named) and, optionally, a date to rectify by."""
    actor = supervisor(d, candidates)
    check_supervision(d.state, d.status, findings, list(units))
    day = check_rectify_by(due_by, today, "R19.supervision")
    named = list(units) or list(d.state["execution_units"])
    return actor, [ev.ExecutionSupervised(findings=findings.strip(), instructions=instructions.strip(),
                                          units=named, due_by=day).new()]


def order_id(d: Decision) -> str:
    """The next order's id: the decision's id and the order's number on its record (so the order finds its
    decision)."""
    return f"CO-{d.id}-{len(d.state.get('corrections') or []) + 1}"


def decision_of_order(order: str) -> str:
    """The decision an order id belongs to (`CO-<decision id>-<n>`); '' when the id is not one."""
    if not order.startswith("CO-") or "-" not in order[3:]:
        return ""
    did, _, n = order[3:].rpartition("-")
    return did if did and n.isdigit() else ""


def order_correction(d: Decision, candidates: tuple[Actor, ...], breach: str, findings: str, required: str,
                     due_by: str | None = None, *, today: date) -> tuple[Actor, list[NewEvent]]:
    """The superior organ of this decision's organ orders it to correct a breach (ACC5, Art. 38 ¶1)."""
    actor = superior(d, candidates)
    check_correction_order(breach, findings, required)
    day = check_rectify_by(due_by, today, "ACC5.correction")
    return actor, [ev.CorrectionOrdered(order_id=order_id(d), breach=breach.strip(), findings=findings.strip(),
                                        required=required.strip(), due_by=day).new()]


def report_correction(d: Decision, candidates: tuple[Actor, ...], order: str, report: str
                      ) -> tuple[Actor, list[NewEvent]]:
    """The decision organ reports how it corrected what it was ordered to (ACC5, Art. 38 ¶1), once."""
    actor = reporter(d, candidates)
    check_correction_report(list(d.state.get("corrections") or []), order, report)
    return actor, [ev.CorrectionReported(order_id=order, report=report.strip()).new()]
