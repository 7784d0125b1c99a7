"""Auditor commands of the `decide` CLI (transparency log, proofs, witnesses, time travel, archives).

Doors only: each command calls one service and prints its result; refusals exit non-zero with the
message (2: refused or malformed, 3: identity, 4: not found or unavailable; verify-archive: 1 when the
bundle does not verify).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from decision_engine import bootstrap
from decision_engine.adapters.files import atomic_write
from decision_engine.audit import archive_verify
from decision_engine.audit import checkpoint as cp
from decision_engine.cli_progress import working
from decision_engine.config import Settings
from decision_engine.domain.errors import DomainError
from decision_engine.services.context import Context

WITNESS_KEY = "witness.key"
WITNESS_PUB = "witness.pub"
WITNESS_STATE = "state.json"
WITNESS_LOG_KEY = "log.pub"


def _ctx() -> Context:
    return context_or_exit()


def context_or_exit(settings: Settings | None = None, **kw: Any) -> Context:
    """The Context from DECIDE_* settings (`kw` as `bootstrap.build` takes them, e.g. a clock); a database
    unreachable or unreadable is one clear line and a non-zero exit, not a traceback."""
    try:
        return bootstrap.build(settings or Settings.from_env(), **kw)
    except DomainError as err:
        _domain(err)


def _refuse(message: str, code: int = 2) -> NoReturn:
    typer.echo(f"refused: {message}", err=True)
    raise typer.Exit(code=code)


def _domain(err: DomainError) -> NoReturn:
    _refuse(str(err), 2 if err.status in (409, 413, 415, 422) else 3 if err.status in (401, 403) else 4)


def _print_json(obj: Any) -> None:
    typer.echo(json.dumps(obj, ensure_ascii=False, indent=2))


def register(app: typer.Typer) -> None:
    """Add the auditor commands to the main CLI."""
    witness_app = typer.Typer(help="A witness: cosigns checkpoints only along one append-only history.",
                              no_args_is_help=True)
    app.add_typer(witness_app, name="witness")

    @app.command("checkpoint")
    def checkpoint_cmd() -> None:
        """Sequence pending events into the transparency log and sign a checkpoint; prints the note."""
        from decision_engine.services import transparency
        ctx = _ctx()
        try:
            added = transparency.sequence(ctx)
            head = transparency.checkpoint(ctx)
        except DomainError as err:
            _domain(err)
        except cp.CheckpointError as exc:
            _refuse(f"log key in {ctx.settings.key_dir}: {exc}", 4)
        typer.echo(f"sequenced {added} event(s); checkpoint of tree size {head['size']} "
                   f"({'new' if head['new'] else 'unchanged'})", err=True)
        typer.echo(head["note"], nl=False)

    @app.command("prove")
    def prove_cmd(decision_id: str, seq: int,
                  size: Annotated[int | None, typer.Option(help="tree size (default: newest checkpoint)")]
                  = None) -> None:
        """Inclusion proof (RFC 9162 §2.1.3) of a decision's event, as JSON."""
        from decision_engine.services import transparency
        from decision_engine.services.decisions import stream_of
        try:
            _print_json(transparency.inclusion_proof(_ctx(), stream_of(decision_id), seq, size))
        except DomainError as err:
            _domain(err)

    @app.command("consistency")
    def consistency_cmd(old: int, new: int) -> None:
        """Consistency proof (RFC 9162 §2.1.4) between two tree sizes, as JSON."""
        from decision_engine.services import transparency
        try:
            _print_json(transparency.consistency_proof(_ctx(), old, new))
        except DomainError as err:
            _domain(err)

    @app.command("log-key")
    def log_key_cmd() -> None:
        """Print the log's public verifier key (generated on first use)."""
        from decision_engine.services import transparency
        ctx = _ctx()
        try:
            typer.echo(transparency.public_key(ctx))
        except cp.CheckpointError as exc:
            _refuse(f"log key in {ctx.settings.key_dir}: {exc}", 4)

    @witness_app.command("init")
    def witness_init(name: str,
                     state: Annotated[Path, typer.Option("--state", help="the witness's own directory")],
                     log_key: Annotated[str | None, typer.Option(
                         "--log-key", help="the log's verifier key or a file (default: this log's)")] = None
                     ) -> None:
        """Create a witness: its C2SP tlog-cosignature key (0600), its state, and the log key it follows.

        The key's type follows the log's: Ed25519 cosignature/v1 (0x04), or SM2 for a 国密 log."""
        if (state / WITNESS_KEY).exists():
            _refuse(f"witness state {state} already holds a key ({WITNESS_KEY})")
        try:
            pinned = archive_verify.load_verifier(log_key) if log_key else None
            if pinned is None:
                from decision_engine.services import transparency
                pinned = transparency.public_key(_ctx())
            log_algorithm = cp.VerifierKey.parse(pinned).algorithm
            signer, verifier = cp.generate_key(name, cp.SM2_COSIGNATURE if log_algorithm is cp.SM2
                                               else cp.ED25519_COSIGNATURE)
        except (cp.CheckpointError, OSError) as exc:
            _refuse(str(exc))
        state.mkdir(parents=True, exist_ok=True, mode=0o700)
        cp.save_private_key(state / WITNESS_KEY, signer)
        (state / WITNESS_PUB).write_text(verifier + "\n", encoding="utf-8")
        (state / WITNESS_LOG_KEY).write_text(pinned + "\n", encoding="utf-8")
        atomic_write(state / WITNESS_STATE, mode=None, data=cp.Witness(signer).to_json() + "\n")
        typer.echo(f"witness {name} follows log key {cp.VerifierKey.parse(pinned)}", err=True)
        typer.echo(verifier)

    @witness_app.command("cosign")
    def witness_cosign(state: Annotated[Path, typer.Option("--state", help="the witness's directory")],
                       trust_first: Annotated[bool, typer.Option(
                           "--trust-first", help="accept the newest checkpoint as this witness's first "
                           "(check its size and root out of band): there is no proof from the empty tree")]
                       = False,
                       log_url: Annotated[str | None, typer.Option(
                           "--log-url", help="a log served elsewhere (its public /api/v1/log): fetch over "
                           "HTTP and print the cosignature line for its operator (decide witness add)")]
                       = None) -> None:
        """Verify consistency with the last cosigned checkpoint, then cosign the newest one (C2SP
        tlog-cosignature: cosignature/v1 with the time of signing)."""
        from decision_engine.services import transparency
        try:
            signer = cp.load_key(state / WITNESS_KEY)
            log_key = cp.load_key(state / WITNESS_LOG_KEY)
            witness = cp.Witness.from_json((state / WITNESS_STATE).read_text(encoding="utf-8"), signer)
        except (cp.CheckpointError, OSError) as exc:
            _refuse(f"witness state {state}: {exc}")
        if log_url is not None:
            import httpx

            from decision_engine.adapters.log_client import HttpLog
            from decision_engine.services.clock import SystemClock
            try:
                size, line = transparency.cosign_remote(HttpLog(log_url), witness, log_key, trust_first=trust_first,
                                                        now=int(SystemClock().now().timestamp()))
            except cp.CheckpointError as exc:
                _refuse(f"witness {witness.name}: {exc}")
            except httpx.HTTPError as exc:
                _refuse(f"log at {log_url}: {exc}", 4)
            atomic_write(state / WITNESS_STATE, mode=None, data=witness.to_json() + "\n")
            typer.echo(f"witness {witness.name} cosigned tree size {size}; give the operator: decide witness add "
                       f"{size} '{witness.verifier_key}' '<the line below>'", err=True)
            typer.echo(line, nl=False)
            return
        try:
            note = transparency.cosign_latest(_ctx(), witness, log_key, trust_first=trust_first)
        except cp.CheckpointError as exc:
            _refuse(f"witness {witness.name}: {exc}")
        except DomainError as err:
            _domain(err)
        atomic_write(state / WITNESS_STATE, mode=None, data=witness.to_json() + "\n")
        typer.echo(f"witness {witness.name} cosigned tree size {witness.last_size}", err=True)
        typer.echo(note, nl=False)

    @witness_app.command("add")
    def witness_add(size: int, witness_key: str, line: str) -> None:
        """Store a cosignature a witness sent for checkpoint SIZE (verified against WITNESS_KEY first)."""
        from decision_engine.services import transparency
        try:
            note = transparency.add_cosignature(_ctx(), size, archive_verify.load_verifier(witness_key),
                                                line if line.endswith("\n") else line + "\n")
        except DomainError as err:
            _domain(err)
        except OSError as exc:
            _refuse(f"cannot read the witness key: {exc}")
        typer.echo(note, nl=False)

    @witness_app.command("cosignatures")
    def witness_cosignatures() -> None:
        """Every stored cosignature with its type and time; plain 0x01 signatures (before C2SP
        tlog-cosignature) still verify and are marked legacy."""
        from decision_engine.services import transparency
        try:
            rows = transparency.cosignatures(_ctx())
        except DomainError as err:
            _domain(err)
        for row in rows:
            when = "legacy: plain signed-note signature (0x01), no timestamp" if row["legacy"] else \
                f"time {row['timestamp']}"
            typer.echo(f"checkpoint {row['size']}\t{row['witness']}\t{row['type']}\t{when}")

    @app.command("diff")
    def diff_cmd(decision_id: str, a: str, b: str) -> None:
        """What changed in a decision between two moments or sequence numbers (A and B), as JSON."""
        from decision_engine.services import timetravel
        try:
            _print_json(timetravel.diff(_ctx(), decision_id, a, b))
        except DomainError as err:
            _domain(err)

    @app.command("export")
    def export_cmd(decision_id: str,
                   out: Annotated[Path, typer.Option("--out", help="the bundle to write (.zip)")]) -> None:
        """Write a decision's archive bundle (档案, Art. 33), verifiable offline with verify-archive."""
        from decision_engine.services import archive
        try:
            with working(f"导出档案 (exporting the archive of {decision_id})"):
                manifest = archive.export(_ctx(), decision_id, out)
        except DomainError as err:
            _domain(err)
        except cp.CheckpointError as exc:
            _refuse(f"log key: {exc}", 4)
        counts = manifest["counts"]
        typer.echo(f"{out}: decision {decision_id}, {counts['events']} events, {counts['artifacts']} "
                   f"artifacts, {counts['renderings']} renderings, {counts['documents']} documents, proofs in checkpoint "
                   f"{manifest['checkpoint']['size']}")

    @app.command("verify-archive")
    def verify_archive_cmd(
            path: Path,
            key: Annotated[str, typer.Option("--key", help="the log's verifier key, or a file holding it")],
            witness_key: Annotated[list[str] | None, typer.Option(
                "--witness-key", help="a witness key (or file) whose cosignature is required")] = None,
            origin: Annotated[str | None, typer.Option(help="the checkpoint origin to require")] = None,
    ) -> None:
        """Verify an archive bundle offline (no database); exit 1 naming what and where on failure."""
        try:
            log_key = archive_verify.load_verifier(key)
            witnesses = [archive_verify.load_verifier(k) for k in witness_key or []]
        except OSError as exc:
            _refuse(f"cannot read a key: {exc}")
        with working(f"离线校验档案 (verifying {path.name} offline)") as step:
            def say(line: str) -> None:
                step(line)
                typer.echo(line)
            report = archive_verify.verify_archive(path, log_key, witness_keys=witnesses, origin=origin,
                                                   say=say)
        if not report.ok:
            raise typer.Exit(code=1)
