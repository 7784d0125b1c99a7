"""`decide org …`: the organisation chart (issue 15 §1, `docs/organisation.md`): load an org file (TOML) onto
the stream `org:chart`, and show the chart as it stands (or stood at a moment)."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Annotated

import typer

from decision_engine.cli_audit import _domain, _refuse, context_or_exit
from decision_engine.domain.errors import DomainError
from decision_engine.services import organisation


def register(app: typer.Typer) -> None:
    """Add the `org` commands to the `decide` app."""
    org_app = typer.Typer(help="The organisation chart: organs (governments, departments) and their units.",
                          no_args_is_help=True)
    app.add_typer(org_app, name="org")

    @org_app.command("load")
    def load_cmd(path: Path) -> None:
        """Load an org file (TOML): the organs and units it registers that the chart does not already hold
        exactly so, each an event on `org:chart`; an inconsistent file is refused whole (ORG1)."""
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except OSError as err:
            _refuse(f"组织机构文件无法读取（cannot read {path}: {err.strerror}） [ORG1]")
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
            _refuse(f"组织机构文件不是有效的 TOML（{path} is not valid TOML: {err}） [ORG1]")
        ctx = context_or_exit()
        try:
            events = organisation.load_file(ctx, data)
            chart = organisation.show(ctx)
        except DomainError as err:
            _domain(err)
        finally:
            ctx.store.dispose()
        units = sum(len(o["units"]) for o in chart["organs"]) + len(chart["external"])
        typer.echo(f"{len(events)} organisation events appended" + ("" if events else " (the chart already "
                   "holds this file)") + f"; the chart: {len(chart['organs'])} organs, {units} units")

    @org_app.command("show")
    def show_cmd(at: Annotated[str | None, typer.Option(help="as it stood at this moment (ISO 8601)")] = None,
                 as_json: Annotated[bool, typer.Option("--json", help="the chart as JSON")] = False) -> None:
        """The organisation chart: each organ with its level, superior and units; then the external bodies."""
        ctx = context_or_exit()
        try:
            chart = organisation.show(ctx, at)
        except DomainError as err:
            _domain(err)
        finally:
            ctx.store.dispose()
        if as_json:
            typer.echo(json.dumps(chart, ensure_ascii=False, indent=2))
            return
        if chart["single"]:
            typer.echo("no org file loaded: every unit belongs to one implicit organ (decide org load FILE)")
            return
        for o in chart["organs"]:
            sup = f", superior {o['superior']}" if o["superior"] else ""
            typer.echo(f"{o['name']} [{o['id']}] ({o['level']} {o['kind']}{sup})")
            for u in o["units"]:
                typer.echo(f"  {u['kind']:16} {u['id']}" + (f"  {u['name']}" if u["name"] not in ("", u["id"]) else ""))
        if chart["external"]:
            typer.echo("external bodies:")
            for u in chart["external"]:
                typer.echo(f"  {u['id']}" + (f"  {u['name']}" if u["name"] not in ("", u["id"]) else ""))
