"""Progress on long CLI work (issue 18 §8): a spinner with what runs and the time elapsed, drawn on a terminal
only; off a terminal (a script, a pipe, CI) nothing is drawn and stdout is what it was."""

from __future__ import annotations

import io
import warnings
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from decision_engine.cli import app
from decision_engine.cli_progress import console, working
from tests.conftest import WARNINGS_ARE_ERRORS

pytestmark = WARNINGS_ARE_ERRORS


def test_on_a_terminal_the_work_and_each_step_are_shown() -> None:
    screen = io.StringIO()
    with working("校验哈希链", out=console(screen, force=True)) as step:
        step("chain 3 of 9")
    drawn = screen.getvalue()
    assert "校验哈希链" in drawn and "chain 3 of 9" in drawn and "0:00:0" in drawn  # elapsed time


def test_off_a_terminal_nothing_is_drawn() -> None:
    screen = io.StringIO()
    with working("校验哈希链", out=console(screen, force=False)) as step:
        step("chain 3 of 9")
    assert screen.getvalue() == ""


def test_decide_verify_and_export_print_what_they_printed(walk: Any, monkeypatch: pytest.MonkeyPatch,
                                                         tmp_path: Path) -> None:
    w = walk.decided()
    monkeypatch.setenv("DECIDE_DATA_DIR", str(w.ctx.settings.data_dir))
    monkeypatch.setenv("DECIDE_DATABASE_URL", w.ctx.settings.database_url)
    runner = CliRunner()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        verified = runner.invoke(app, ["verify"])
        exported = runner.invoke(app, ["export", w.did, "--out", str(tmp_path / "a.zip")])
    assert verified.exit_code == 0, verified.output
    assert verified.stdout.strip().endswith("OK") and "⠋" not in verified.output
    assert exported.exit_code == 0, exported.output
    assert exported.stdout.startswith(str(tmp_path / "a.zip")) and (tmp_path / "a.zip").exists()
