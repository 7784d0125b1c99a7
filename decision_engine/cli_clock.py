"""`decide clock run`: one run of the statutory clock straight through the services, without Prefect.

Prefect schedules the clock every 15 minutes (flows/clock.py); when Prefect is down or not installed on a
machine, an operator (or cron) runs the same duties with this command (issue 11 §5: Prefect down is a
degraded schedule, never a stopped clock). The duties are idempotent: running both, or twice, adds nothing.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer

from decision_engine.cli_audit import context_or_exit
from decision_engine.config import Settings
from decision_engine.services import clock_duties, notifications


def register(app: typer.Typer) -> None:
    """Add `decide clock run` to the `decide` app."""
    clock_app = typer.Typer(help="The statutory clock (法定时限时钟) without Prefect.", no_args_is_help=True)
    app.add_typer(clock_app, name="clock")

    @clock_app.command("run")
    def run(today: Annotated[str | None, typer.Option(help="the statutory day (default: today)")] = None) -> None:
        """Close comment windows, mark deadlines, remind and escalate, open undue-delay incidents (R22),
        flag execution reports and evaluations due, then deliver notifications; prints a JSON summary."""
        settings = Settings.from_env()
        ctx = context_or_exit(settings)
        try:
            due = clock_duties.find_due(ctx, today)
            results: dict[str, object] = {"due": len(due)}
            for kind, items in clock_duties.plan(due):
                results[kind] = clock_duties.perform(ctx, items)
            undue = [i for i in due if i["kind"] == "undue_delay"]
            results["undue_delay"] = clock_duties.open_undue_delay_incidents(ctx, undue, today)
            results["delivery"] = notifications.deliver_pending(ctx, notifications.default_notifier(settings))
        finally:
            ctx.store.dispose()
        typer.echo(json.dumps(results, ensure_ascii=False, indent=2, sort_keys=True, default=str))
