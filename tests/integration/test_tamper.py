"""`decide verify` catches every kind of tampering, naming the stream, sequence and what differs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from decision_engine.services import verification
from decision_engine.services.context import Context
from decision_engine.services.demo import run_demo


def _drop_guards(ctx: Context) -> None:
    """An attacker with database access removes the append-only triggers first."""
    with ctx.store.write() as conn:
        if ctx.store.is_sqlite:
            for name in ("events_no_update", "events_no_delete"):
                conn.execute(text(f"DROP TRIGGER IF EXISTS {name}"))
        else:
            conn.execute(text("DROP TRIGGER IF EXISTS events_append_only ON events"))


def _decided(ctx: Context) -> str:
    return run_demo(ctx, lambda _: None)


def _ids(ctx: Context, did: str) -> list[Any]:
    with ctx.store.read() as conn:
        return list(conn.execute(text("SELECT id, seq FROM events WHERE stream = :s ORDER BY seq"),
                                 {"s": f"decision:{did}"}))


def test_the_database_itself_refuses_update_and_delete_on_events(ctx: Context) -> None:
    _decided(ctx)
    from decision_engine.domain.errors import DomainError
    for stmt in ("UPDATE events SET type = 'X'", "DELETE FROM events"):
        with pytest.raises((DomainError, Exception)):
            with ctx.store.write() as conn:
                conn.execute(text(stmt))
    assert verification.verify(ctx).ok


@pytest.mark.parametrize("attack", ["edit_body", "edit_column", "delete", "reorder", "insert", "truncate"])
def test_verify_detects_tampering_with_events(ctx: Context, attack: str) -> None:
    did = _decided(ctx)
    _drop_guards(ctx)
    rows = _ids(ctx, did)
    victim_id, victim_seq = rows[10]
    with ctx.store.write() as conn:
        if attack == "edit_body":
            body = conn.execute(text("SELECT body FROM events WHERE id = :i"), {"i": victim_id}).scalar_one()
            body = bytes(body)
            pos = body.index(b'"type"') + 9
            edited = body[:pos] + bytes([body[pos] ^ 1]) + body[pos + 1:]
            conn.execute(text("UPDATE events SET body = :b WHERE id = :i"), {"b": edited, "i": victim_id})
        elif attack == "edit_column":
            conn.execute(text("UPDATE events SET person = 'someone-else' WHERE id = :i"), {"i": victim_id})
        elif attack == "delete":
            conn.execute(text("DELETE FROM events WHERE id = :i"), {"i": victim_id})
        elif attack == "reorder":
            a, b = rows[10][0], rows[11][0]
            conn.execute(text("UPDATE events SET seq = -1 WHERE id = :i"), {"i": a})
            conn.execute(text("UPDATE events SET seq = :s WHERE id = :i"), {"s": rows[10][1], "i": b})
            conn.execute(text("UPDATE events SET seq = :s WHERE id = :i"), {"s": rows[11][1], "i": a})
        elif attack == "insert":
            conn.execute(text("UPDATE events SET seq = seq + 1000 WHERE stream = :s AND seq > :q"),
                         {"s": f"decision:{did}", "q": victim_seq})
            conn.execute(text("INSERT INTO events (stream, seq, type, schema_version, at, person, role, unit,"
                              " body, prev_hash, hash) SELECT stream, seq + 1, type, schema_version, at, "
                              "person, role, unit, body, prev_hash, hash FROM events WHERE id = :i"),
                         {"i": victim_id})
            conn.execute(text("UPDATE events SET seq = seq - 999 WHERE stream = :s AND seq > 1000"),
                         {"s": f"decision:{did}"})
        elif attack == "truncate":
            conn.execute(text("DELETE FROM events WHERE stream = :s AND seq > :q"),
                         {"s": f"decision:{did}", "q": victim_seq})
    rep = verification.verify(ctx)
    assert not rep.ok
    assert any(f.stream == f"decision:{did}" for f in rep.findings), [str(f) for f in rep.findings]


def test_verify_detects_a_changed_artifact_file(ctx: Context) -> None:
    _decided(ctx)
    blob = next(p for p in Path(ctx.settings.blob_dir).rglob("*") if p.is_file())
    data = blob.read_bytes()
    blob.write_bytes(bytes([data[0] ^ 1]) + data[1:])
    rep = verification.verify(ctx)
    assert any("blob bytes do not match" in f.what for f in rep.findings)


def test_verify_detects_a_deleted_artifact_file(ctx: Context) -> None:
    _decided(ctx)
    blob = next(p for p in Path(ctx.settings.blob_dir).rglob("*") if p.is_file())
    blob.unlink()
    rep = verification.verify(ctx)
    assert any("is missing" in f.what for f in rep.findings)


def test_verify_detects_a_projection_edited_behind_the_log(ctx: Context) -> None:
    did = _decided(ctx)
    with ctx.store.write() as conn:
        conn.execute(text("UPDATE decisions SET state = replace(state, '\"evaluated\"', '\"closed\"') "
                          "WHERE id = :i"), {"i": did})
    rep = verification.verify(ctx)
    assert any("projection differs from replay" in f.what and "status" in f.what for f in rep.findings)


def test_decide_verify_exits_non_zero_naming_the_decision_and_sequence(tmp_path: Path) -> None:
    env = {"DECIDE_DATA_DIR": str(tmp_path / "data"), "PATH": "/usr/bin:/bin",
           "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    decide = [sys.executable, "-m", "decision_engine.cli"]
    demo = subprocess.run([*decide, "demo"], env=env, capture_output=True, text=True, timeout=300)
    assert demo.returncode == 0, demo.stderr
    assert "OK" in demo.stdout.splitlines()[-1]
    import sqlite3
    db = sqlite3.connect(tmp_path / "data" / "decide.db")
    db.execute("DROP TRIGGER events_no_update")
    row = db.execute("SELECT id, stream, seq FROM events WHERE stream LIKE 'decision:%' "
                     "ORDER BY id LIMIT 1 OFFSET 7").fetchone()
    db.execute("UPDATE events SET at = '2020-01-01T00:00:00.000000+00:00' WHERE id = ?", (row[0],))
    db.commit()
    db.close()
    out = subprocess.run([*decide, "verify"], env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 1
    assert f"{row[1]} seq {row[2]}" in out.stdout and "column at" in out.stdout


def test_verify_rebuilds_meetings_and_public_comments_and_catches_edited_tables(ctx: Context) -> None:
    """Meetings (R15) and public comments (R6, R8) are projections of their own streams: `decide verify`
    replays them too, so a quietly edited meeting or a comment un-hidden in the table is found."""
    from decision_engine.services.demo import cast
    from decision_engine.services.demo_portfolio import seed_portfolio
    ids = seed_portfolio(ctx, cast(ctx), lambda _: None)
    assert verification.verify(ctx, workers=1).ok
    with ctx.store.write() as conn:
        conn.execute(text("UPDATE meetings SET state = REPLACE(state, '第15次', '第16次')"))
        conn.execute(text("UPDATE public_comments SET hidden_reason = NULL WHERE decision_id = :d"),
                     {"d": ids["waste"]})
    report = verification.verify(ctx, workers=1)
    streams = {f.stream.split(":")[0] for f in report.findings}
    assert streams == {"meeting", "comments"}, report.findings
    assert any(f.stream == f"comments:{ids['waste']}" for f in report.findings)
