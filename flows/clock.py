"""The statutory clock (法定时限时钟) as a Prefect flow: one run handles every decision that is due.

find what is due → act on it by kind (comment windows, reminders, deadlines and escalations, execution
reports, evaluations) → undue-delay incidents (R22) → deliver the notifications. Each task calls one
service of ``decision_engine.services.clock_duties`` / ``notifications``; every act is keyed
(decision, duty, due) in the engine's database, so a retried task or a second run adds nothing twice.
"""

from __future__ import annotations

from typing import Any

from prefect import flow

from decision_engine.services import clock_duties, notifications
from flows import runtime


@runtime.duty_task("find-due")
def find_due(today: str | None = None) -> list[dict[str, Any]]:
    """What the clock owes today, across all decisions (clock_duties.find_due)."""
    return clock_duties.find_due(runtime.context(), today)


@runtime.duty_task("perform")
def perform(items: list[dict[str, Any]]) -> dict[str, Any]:
    """Act on due items of one kind (clock_duties.perform)."""
    return clock_duties.perform(runtime.context(), items)


@runtime.duty_task("open-undue-delay-incidents")
def open_undue_delay_incidents(items: list[dict[str, Any]], today: str | None = None) -> dict[str, Any]:
    """R22, Art. 38 ¶2 (clock_duties.open_undue_delay_incidents)."""
    return clock_duties.open_undue_delay_incidents(runtime.context(), items, today)


@runtime.duty_task("deliver-notifications")
def deliver_notifications() -> dict[str, int]:
    """Deliver the recorded reminders and escalations (notifications.deliver_pending)."""
    return notifications.deliver_pending(runtime.context(), runtime.notifier())


def report(due: list[dict[str, Any]], results: dict[str, Any], today: str | None) -> tuple[str, list[dict[str, Any]]]:
    """The run's summary (markdown) and one table row per duty, each linking back to the record."""
    lines = [f"# 法定时限时钟 · statutory clock ({today or '今日'})", "",
             "| 类别 kind | 到期 due | 已办 acted | 已办过 skipped | 通知 notifications | 失败 failed |",
             "|---|---|---|---|---|---|"]
    for kind in clock_duties.KINDS:
        r = results.get(kind) or {}
        n = sum(1 for i in due if i["kind"] == kind)
        if isinstance(r, dict) and "delegated" in r:
            lines.append(f"| {clock_duties.KIND_ZH[kind]} {kind} | {n} | → {r['delegated']} "
                         f"({len(r.get('result') or [])}) | | | |")
            continue
        lines.append(f"| {clock_duties.KIND_ZH[kind]} {kind} | {n} | {r.get('acted', 0)} | {r.get('skipped', 0)} "
                     f"| {r.get('notifications', 0)} | {len(r.get('failed', []))} |")
    delivery = results.get("delivery") or {}
    lines += ["", "通知投递 delivery: " + ", ".join(f"{k} {v}" for k, v in delivery.items()),
              "", f"The engine's database is the record: {runtime.base_url()}/decisions"]
    rows = [{"decision": i["decision_id"], "title": i["title"], "kind": i["kind"], "duty": i["duty"],
             "due": i["due"], "event": (i["event"] or [""])[0], "record": runtime.record_url(i["decision_id"])}
            for i in due[:1000]]
    return "\n".join(lines), rows


@flow(name="statutory-clock", description="法定时限时钟：征求意见期届满、审查与公布期限、提醒与督办、久拖不决、"
      "执行报告与决策后评估（R6、R11、R17、R19、R21、R22）")
def statutory_clock(today: str | None = None) -> dict[str, Any]:
    """One run of the statutory clock over every due decision."""
    runtime.context(probe=True)
    due = find_due(today)
    results: dict[str, Any] = {}
    for kind, items in clock_duties.plan(due):
        ids = runtime.decision_ids(items)
        results[kind] = perform.with_options(task_run_name=f"perform-{kind}", tags=runtime.decision_tags(ids))(items)
    undue = [i for i in due if i["kind"] == "undue_delay"]
    results["undue_delay"] = open_undue_delay_incidents.with_options(
        tags=runtime.decision_tags(runtime.decision_ids(undue)))(undue, today)
    results["delivery"] = deliver_notifications()
    runtime.tag_flow_run(runtime.decision_ids(due))
    body, rows = report(due, results, today)
    runtime.markdown("statutory-clock", body, "法定时限时钟本次运行 · this run of the statutory clock")
    runtime.table("statutory-clock-duties", rows, "本次办理的事项（链接到引擎记录）· duties, linked to the record")
    return {"due": len(due), **results}
