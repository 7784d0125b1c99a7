"""The rehearsal clock (issue 16): `decide serve --clock START [--clock-rate R]` runs the engine on a clock set
by the operator so an office rehearses a procedure across its statutory periods without back-dating; it is
refused when DECIDE_ENV=production, and every event made on it records so in its hashed body."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from decision_engine import bootstrap
from decision_engine.cli import app as cli
from decision_engine.config import Settings, SettingsRefused, use_rehearsal_clock
from decision_engine.services import decisions, identity, verification
from decision_engine.services.clock import RehearsalClock

SECRET = {"DECIDE_SECRET_KEY": "a-real-secret-for-this-test-0123456789"}


def test_a_rehearsal_clock_is_refused_in_production(tmp_path: Path) -> None:
    env = {"DECIDE_DATA_DIR": str(tmp_path), "DECIDE_ENV": "production", **SECRET}
    with pytest.raises(SettingsRefused, match="production"):
        Settings.from_env({**env, "DECIDE_REHEARSAL_CLOCK": "2025-03-03T09:00:00+08:00"})
    with pytest.raises(SettingsRefused, match="production"):
        use_rehearsal_clock("2025-03-03", 1.0, env)
    assert "DECIDE_REHEARSAL_CLOCK" not in env  # nothing set when refused
    assert Settings.from_env(env).rehearsal_clock == ""


def test_decide_serve_with_a_clock_is_refused_in_production(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for k, v in {"DECIDE_DATA_DIR": str(tmp_path), "DECIDE_ENV": "production", **SECRET}.items():
        monkeypatch.setenv(k, v)
    result = CliRunner().invoke(cli, ["serve", "--clock", "2025-03-03T09:00:00+08:00", "--no-flows"])
    assert result.exit_code == 2 and "production" in result.output


def test_a_malformed_start_or_rate_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SettingsRefused, match="ISO"):
        use_rehearsal_clock("next monday", 1.0, {"DECIDE_DATA_DIR": str(tmp_path)})
    with pytest.raises(SettingsRefused, match="positive"):
        use_rehearsal_clock("2025-03-03", 0.0, {"DECIDE_DATA_DIR": str(tmp_path)})


def test_the_rehearsal_clock_starts_where_the_operator_set_it_and_runs_at_its_rate() -> None:
    anchor = datetime.now(UTC) - timedelta(seconds=10)
    clock = RehearsalClock(datetime(2025, 3, 3, 9, 0), rate=8640.0, anchor=anchor)  # a day per 10 s
    assert clock.now().astimezone(UTC).date() >= date(2025, 3, 4)
    assert clock.info["kind"] == "rehearsal" and clock.info["rate"] == 8640.0


def test_every_event_made_on_a_rehearsal_clock_records_it_and_verify_holds(tmp_path: Path) -> None:
    env = {"DECIDE_DATA_DIR": str(tmp_path)}
    settings = use_rehearsal_clock("2025-03-03T09:00:00+08:00", 1.0, env)
    ctx = bootstrap.build(settings)
    try:
        assert ctx.today() == date(2025, 3, 3)  # the rehearsal day, not today's
        pid = identity.register_person(ctx, "演练承办人")
        identity.grant_role(ctx, pid, "undertaking_unit", "某市交通运输局")
        decisions.open_decision(ctx, pid, title="演练事项", category="policy", unit="某市交通运输局",
                                due_by="2025-06-30")
        with ctx.store.read() as conn:
            bodies = [bytes(row[0]).decode() for row in conn.execute(text("SELECT body FROM events"))]
        assert bodies and all('"clock":{"anchor":' in b and '"kind":"rehearsal"' in b for b in bodies)
        assert verification.verify(ctx, workers=1).ok
    finally:
        ctx.store.dispose()


def test_events_on_the_real_clock_carry_no_clock_mark(tmp_path: Path) -> None:
    ctx = bootstrap.build(Settings.from_env({"DECIDE_DATA_DIR": str(tmp_path)}))
    try:
        identity.register_person(ctx, "真实时钟")
        with ctx.store.read() as conn:
            bodies = [bytes(row[0]).decode() for row in conn.execute(text("SELECT body FROM events"))]
        assert bodies and not any('"clock"' in b for b in bodies)
    finally:
        ctx.store.dispose()
