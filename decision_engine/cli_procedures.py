"""`decide procedure …` and `decide compliance`: the procedures and jurisdiction profiles the engine carries,
what changes between two of them (issue 10 §3), and the yearly compliance metrics (依法行政考核, §4)."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from decision_engine import procedures
from decision_engine.cli_audit import context_or_exit
from decision_engine.domain.errors import DomainError
from decision_engine.domain.procedure import diff_procedures
from decision_engine.services import compliance


def register(app: typer.Typer) -> None:
    """Add the procedure and compliance commands to the `decide` app."""
    procedure_app = typer.Typer(help="Procedures (Order 713, normative documents) and jurisdiction profiles.",
                                no_args_is_help=True)
    app.add_typer(procedure_app, name="procedure")

    @procedure_app.command("list")
    def list_cmd() -> None:
        """Every procedure and profile: id, version, content hash, and what a decision pins."""
        for name in procedures.profiles():
            p = procedures.load(name)
            typer.echo(f"{name:22} {p.id} v{p.version}  sha256:{p.hash[:16]}…  {p.data['procedure'].get('title_zh', '')}")

    @procedure_app.command("diff")
    def diff_cmd(a: str, b: str) -> None:
        """What changes from procedure or profile A to B: durations, settings, gates, artifact kinds."""
        try:
            out = diff_procedures(procedures.load(a), procedures.load(b))
        except (DomainError, KeyError, FileNotFoundError) as err:
            typer.echo(f"refused: unknown procedure or profile ({err}); see `decide procedure list`", err=True)
            raise typer.Exit(code=2) from None
        typer.echo(json.dumps(out, ensure_ascii=False, indent=2, sort_keys=True))

    @app.command("compliance")
    def compliance_cmd(year: int,
                       unit: Annotated[str | None, typer.Option(help="one unit only")] = None,
                       csv: Annotated[bool, typer.Option("--csv", help="CSV, one row per unit")] = False) -> None:
        """Compliance metrics for decisions opened in YEAR, per unit, computed from the record alone."""
        ctx = context_or_exit()
        try:
            report = compliance.metrics(ctx, year, unit=unit)
        finally:
            ctx.store.dispose()
        typer.echo(compliance.to_csv(report) if csv else
                   json.dumps(report, ensure_ascii=False, indent=2, sort_keys=True), nl=not csv)
