"""The `decide` command line: a door onto the same services (refusals exit non-zero with rule and article)."""

from __future__ import annotations

import json
import sys
from datetime import UTC
from pathlib import Path
from typing import Annotated, Any

import typer

from decision_engine.cli_audit import context_or_exit
from decision_engine.cli_audit import register as _register_audit
from decision_engine.cli_clock import register as _register_clock
from decision_engine.cli_org import register as _register_org
from decision_engine.cli_procedures import register as _register_procedures
from decision_engine.cli_progress import working
from decision_engine.config import SettingsRefused
from decision_engine.domain.errors import DomainError
from decision_engine.services import calendar_years, identity, queries, verification
from decision_engine.services.context import Context

app = typer.Typer(help="decide — 重大行政决策程序 workflow engine (Order 713)", no_args_is_help=True,
                  pretty_exceptions_enable=False)
user_app = typer.Typer(help="People, roles and API tokens.", no_args_is_help=True)
calendar_app = typer.Typer(help="The statutory calendar (official holiday years).", no_args_is_help=True)
app.add_typer(user_app, name="user")
app.add_typer(calendar_app, name="calendar")
_register_audit(app)
_register_procedures(app)
_register_clock(app)
_register_org(app)


def _ctx(**kw: Any) -> Context:
    return context_or_exit(**kw)


def _fail(err: DomainError) -> None:
    typer.echo(f"refused: {err}", err=True)
    raise typer.Exit(code=2 if err.status in (409, 422) else 3 if err.status in (401, 403) else 4)


@app.command()
def demo() -> None:
    """Run one complete decision on the configured database, then verify the log."""
    from decision_engine.services.demo import DEMO_PASSWORD, demo_clock, run_demo
    ctx = _ctx(clock=demo_clock())
    try:
        did = run_demo(ctx, typer.echo, password=DEMO_PASSWORD)
    except DomainError as err:
        _fail(err)
        return
    view = queries.get_decision(ctx, did)
    typer.echo(f"decision {did}: status {view['status']}, {view['seq']} events, "
               f"{len(view['artifacts'])} artifacts")
    from decision_engine.services import transparency
    leaves = transparency.sequence(ctx)
    transparency.checkpoint(ctx)
    typer.echo(f"transparency log: {leaves} new leaves, signed checkpoint at size {transparency.tree_size(ctx)}")
    rep = verification.verify(ctx)
    typer.echo(f"verify: {rep.events} events in {rep.streams} chains, {rep.artifacts} artifacts, "
               f"{rep.decisions} projections replayed — {'OK' if rep.ok else 'FAILED'}")
    for f in rep.findings:
        typer.echo(f"  {f}", err=True)
    if not rep.ok:
        raise typer.Exit(code=1)


@app.command()
def verify(no_replay: Annotated[bool, typer.Option(help="skip re-deriving projections")] = False) -> None:
    """Verify every chain, artifact hash and projection; non-zero exit naming what differs."""
    ctx = _ctx()
    with working("校验哈希链、材料和投影 (verifying chains, artifacts and projections)"):
        rep = verification.verify(ctx, replay=not no_replay)
    for f in rep.findings:
        typer.echo(f"MISMATCH {f}")
    typer.echo(f"{rep.events} events in {rep.streams} chains, {rep.artifacts} artifacts, "
               f"{rep.decisions} projections: {'OK' if rep.ok else f'{len(rep.findings)} finding(s)'}")
    if not rep.ok:
        raise typer.Exit(code=1)


@app.command()
def replay(decision_id: str,
           at: Annotated[str | None, typer.Option(help="ISO 8601 moment")] = None,
           seq: Annotated[int | None, typer.Option(help="event sequence number")] = None) -> None:
    """The decision as it stood at a moment (or sequence number), as JSON."""
    ctx = _ctx()
    try:
        if at is not None:
            from datetime import datetime
            moment = datetime.fromisoformat(at)
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
            at = moment.astimezone(UTC).isoformat(timespec="microseconds")
        view = queries.history_at(ctx, decision_id, at=at, seq=seq)
    except DomainError as err:
        _fail(err)
        return
    except ValueError as err:
        typer.echo(f"refused: --at must be ISO 8601: {err}", err=True)
        raise typer.Exit(code=2) from None
    typer.echo(json.dumps(view, ensure_ascii=False, indent=2))


@user_app.command("add")
def user_add(name: str,
             role: Annotated[list[str], typer.Option(help="role (repeatable)")],
             unit: Annotated[str, typer.Option(help="unit the role is held in")] = "",
             password: Annotated[str | None, typer.Option(help="password for the pages")] = None,
             person_id: Annotated[str | None, typer.Option("--id", help="person id")] = None) -> None:
    """Register a person with roles; prints the person id, then an API token on the last line."""
    ctx = _ctx()
    try:
        pid = identity.register_person(ctx, name, person_id=person_id, password=password)
        for r in role:
            identity.grant_role(ctx, pid, r, unit or "—", reason="decide user add")
        token = identity.issue_token(ctx, pid)
    except DomainError as err:
        _fail(err)
        return
    typer.echo(f"person {pid} ({name}) roles: {', '.join(role)} unit: {unit or '—'}")
    typer.echo(token)


def people_table(rows: list[dict[str, Any]], *, title: str = "") -> Any:
    """A rich table of people: id, name, roles held now (in Chinese), units, and whether locked."""
    from rich.table import Table

    from decision_engine.services.documents import ZH
    table = Table(title=title or None, title_justify="left")
    table.add_column("人员编号 id", no_wrap=True)
    for header in ("姓名 name", "角色 roles", "单位 units", "锁定 locked"):
        table.add_column(header)
    for p in rows:
        roles = "、".join(f"{ZH.get(r, r)} ({r})" for r in p["roles"]) or "—"
        locked = ("已锁定 locked" + (f" → {p['locked_until'][:16]}" if p["locked_until"] else "")) \
            if p["locked"] else "否 no"
        table.add_row(p["id"], p["name"], roles, "、".join(p["units"]) or "—", locked)
    return table


@user_app.command("list")
def user_list() -> None:
    """Every person: name, roles held now, units and whether the account is locked."""
    from rich.console import Console
    ctx = _ctx()
    try:
        rows = identity.people(ctx)
    finally:
        ctx.store.dispose()
    Console(width=max(160, Console().width)).print(people_table(rows))


@calendar_app.command("add-year")
def calendar_add_year(path: Path) -> None:
    """Add an official holiday year from the State Council notice (TOML file; see calendar_data/)."""
    ctx = _ctx()
    try:
        year = calendar_years.add_year(ctx, path.read_text(encoding="utf-8"))
    except DomainError as err:
        _fail(err)
        return
    except ValueError as err:
        typer.echo(f"refused: {err}", err=True)
        raise typer.Exit(code=2) from None
    typer.echo(f"calendar year {year} recorded; deadlines in {year} are no longer provisional")


@app.command()
def serve(host: str = "127.0.0.1", port: int = 8000,
          demo: Annotated[bool, typer.Option("--demo", help="seed a demo decision first")] = False,
          workers: int = 1,
          flows: Annotated[bool, typer.Option(help="also serve the Prefect deployments")] = True,
          clock: Annotated[str | None, typer.Option(
              "--clock", help="rehearsal clock: start the engine's time at this ISO date/time (training and "
              "acceptance only; refused when DECIDE_ENV=production)")] = None,
          clock_rate: Annotated[float, typer.Option(
              "--clock-rate", help="how many times faster than real time the rehearsal clock runs")] = 1.0) -> None:
    """API and pages on http://HOST:PORT (and the Prefect flows beside them)."""
    from decision_engine.serve import serve_all
    if clock is not None:
        from decision_engine.config import use_rehearsal_clock
        try:
            use_rehearsal_clock(clock, clock_rate)
        except SettingsRefused as e:
            typer.echo(f"refused: {e}", err=True)
            raise typer.Exit(2) from None
    serve_all(host=host, port=port, demo=demo, workers=workers, flows=flows)


def main() -> None:  # pragma: no cover
    """Entry point for `python -m decision_engine.cli`."""
    app()
    sys.exit(0)


if __name__ == "__main__":  # pragma: no cover
    main()
