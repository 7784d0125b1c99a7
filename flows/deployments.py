"""Deployments: what runs when, served in-process (`decide serve`) or deployed to a work pool.

======================== ======================================= ==========================================
deployment               schedule                                does
======================== ======================================= ==========================================
statutory-clock          every 15 min (DECIDE_CLOCK_INTERVAL_S.) comment windows, reminders, escalations,
                                                                 undue delay, execution reports, evaluations
checkpoint-sequencer     every 60 s                              log leaves and a signed checkpoint
documents-and-archives   every 5 min                             documents after a gate/decision/close;
                                                                 archive bundle of a closed case
decision-documents       on demand (decision_id, export)         one decision's documents (and archive)
compliance-report-yearly 06:00 on 15 January (Asia/Shanghai)     the previous year's compliance report
compliance-report        on demand (year, unit)                  the compliance report now
======================== ======================================= ==========================================

``python -m flows.deployments serve`` serves them all from this process (Prefect's ``serve``; what
``decide serve`` starts beside the API). ``python -m flows.deployments deploy --work-pool POOL`` registers
the same deployments on a Prefect server for workers (``prefect worker start --pool POOL``) that run the
flows from this source directory.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

from prefect import Flow
from prefect.schedules import Cron

from decision_engine.config import Settings
from flows.clock import statutory_clock
from flows.compliance import compliance_report
from flows.documents import decision_documents, documents_and_archives
from flows.sequencer import checkpoint_sequencer

TIMEZONE = "Asia/Shanghai"
TAGS = ["decide"]


def plans(*, clock_seconds: float = 900, sequencer_seconds: float = 60, documents_seconds: float = 300
          ) -> list[tuple[str, Flow[Any, Any], str, dict[str, Any]]]:
    """(deployment name, flow, entrypoint, schedule and options) for every deployment."""
    return [
        ("statutory-clock", statutory_clock, "flows/clock.py:statutory_clock",
         {"interval": timedelta(seconds=clock_seconds), "concurrency_limit": 1}),
        ("checkpoint-sequencer", checkpoint_sequencer, "flows/sequencer.py:checkpoint_sequencer",
         {"interval": timedelta(seconds=sequencer_seconds), "concurrency_limit": 1}),
        ("documents-and-archives", documents_and_archives, "flows/documents.py:documents_and_archives",
         {"interval": timedelta(seconds=documents_seconds), "concurrency_limit": 1}),
        ("decision-documents", decision_documents, "flows/documents.py:decision_documents", {}),
        ("compliance-report-yearly", compliance_report, "flows/compliance.py:compliance_report",
         {"schedules": [Cron("0 6 15 1 *", timezone=TIMEZONE)], "parameters": {"scheduled": True}}),
        ("compliance-report", compliance_report, "flows/compliance.py:compliance_report", {}),
    ]


def serve_all(only: Sequence[str] = (), **intervals: float) -> None:
    """Serve the deployments from this process until interrupted (schedules run here)."""
    from prefect import serve
    chosen = [(name, flow, opts) for name, flow, _, opts in plans(**intervals) if not only or name in only]
    deployments: list[Any] = [flow.to_deployment(name, tags=TAGS, **opts) for name, flow, opts in chosen]
    serve(*deployments, print_starting_message=True)


def deploy_to_pool(pool: str, *, source: Path, only: Sequence[str] = (), **intervals: float) -> list[str]:
    """Register the deployments on the configured Prefect server for the workers of a work pool."""
    ids = []
    for name, flow, entrypoint, opts in plans(**intervals):
        if only and name not in only:
            continue
        remote = flow.from_source(source=str(source), entrypoint=entrypoint)
        ids.append(str(remote.deploy(name, work_pool_name=pool, tags=TAGS, build=False, push=False,  # type: ignore[union-attr]
                                     print_next_steps=False, **opts)))
    return ids


def main(argv: Sequence[str] | None = None) -> None:
    """`python -m flows.deployments serve|deploy`."""
    parser = argparse.ArgumentParser(prog="python -m flows.deployments", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("serve", help="serve every deployment from this process")
    s.add_argument("--only", action="append", default=[], help="serve only this deployment (repeatable)")
    d = sub.add_parser("deploy", help="register the deployments for a work pool's workers")
    d.add_argument("--work-pool", required=True)
    d.add_argument("--source", default=str(Path(__file__).resolve().parent.parent))
    d.add_argument("--only", action="append", default=[])
    args = parser.parse_args(argv)
    intervals = Settings.from_env().flow_intervals
    if args.command == "serve":
        serve_all(args.only, **intervals)
    else:
        for dep in deploy_to_pool(args.work_pool, source=Path(args.source), only=args.only, **intervals):
            print(dep)


if __name__ == "__main__":  # pragma: no cover
    main()
