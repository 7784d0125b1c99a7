"""The transparency log: every event a leaf (RFC 9162), signed checkpoints (C2SP), proofs, witnesses;
a history rewritten and re-chained in the database is caught by `decide verify` and by a witness."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from decision_engine import bootstrap
from decision_engine.adapters import store as st
from decision_engine.adapters import transparency_repo as repo
from decision_engine.audit import checkpoint as cp
from decision_engine.audit import merkle
from decision_engine.audit.canonical import canonical, chain_hash, sha256_hex
from decision_engine.config import Settings
from decision_engine.domain.errors import InvalidInput, NotFound, RuleViolation
from decision_engine.services import identity, queries, transparency, verification
from decision_engine.services.clock import CHINA, ManualClock
from decision_engine.services.context import Context
from decision_engine.services.demo import run_demo

GUARDED = ("events", "log_leaves", "checkpoints", "cosignatures")


def _demo(ctx: Context) -> str:
    return run_demo(ctx, lambda _: None)


def _events(ctx: Context) -> list[Any]:
    with ctx.store.read() as conn:
        return conn.execute(text("SELECT id, stream, seq, body FROM events ORDER BY id")).all()


def _leaves(ctx: Context) -> list[Any]:
    with ctx.store.read() as conn:
        return conn.execute(text("SELECT leaf_index, event_id, leaf_hash FROM log_leaves "
                                 "ORDER BY leaf_index")).all()


def _drop_guards(ctx: Context) -> None:
    """An attacker with database access removes the append-only triggers first."""
    with ctx.store.write() as conn:
        for table in GUARDED:
            if ctx.store.is_sqlite:
                for verb in ("update", "delete"):
                    conn.execute(text(f"DROP TRIGGER IF EXISTS {table}_no_{verb}"))
            else:
                conn.execute(text(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}"))


def _rewrite_and_rechain(ctx: Context, did: str, *, leaves: bool) -> int:
    """Forge the legality opinion's content, re-chain every later event, rebuild the projection
    (and, with ``leaves``, rewrite the log leaves too); returns the forged sequence number."""
    _drop_guards(ctx)
    with ctx.store.write() as conn:
        rows = conn.execute(text("SELECT id, seq, body, prev_hash FROM events WHERE stream = :s "
                                 "ORDER BY seq"), {"s": f"decision:{did}"}).all()
        victim = next(r for r in rows if json.loads(bytes(r.body))["payload"].get("kind") == "legality_opinion")
        prev = victim.prev_hash
        for r in rows[victim.seq - 1:]:
            env = json.loads(bytes(r.body))
            if r.id == victim.id:
                env["payload"]["fields"]["content"] = "内容违法（篡改）"
                data = canonical(env["payload"]["fields"])
                env["payload"]["sha256"], env["payload"]["size"] = sha256_hex(data), len(data)
                conn.execute(text("UPDATE artifacts SET sha256 = :h, size = :n WHERE id = :a"),  # the index too
                             {"h": env["payload"]["sha256"], "n": len(data), "a": env["payload"]["artifact_id"]})
            body = canonical(env)
            digest = chain_hash(prev, body)
            conn.execute(text("UPDATE events SET body = :b, prev_hash = :p, hash = :h WHERE id = :i"),
                         {"b": body, "p": prev, "h": digest, "i": r.id})
            if leaves:
                conn.execute(text("UPDATE log_leaves SET leaf_hash = :l WHERE event_id = :i"),
                             {"l": merkle.leaf_hash(body).hex(), "i": r.id})
            prev = digest
        d = queries.replay(conn, did)
        st.save_decision(conn, d.state, previous_seq=d.state["seq"])
    return int(victim.seq)


def _more_events(ctx: Context, n: int = 3) -> None:
    for i in range(n):
        identity.register_person(ctx, f"审计员{i}")


def _checkpointed(ctx: Context) -> dict[str, Any]:
    transparency.sequence(ctx)
    return transparency.checkpoint(ctx)


# ---------------------------------------------------------------------------------------- sequencer
def test_sequencing_logs_every_event_once_in_id_order_and_is_idempotent(ctx: Context) -> None:
    _demo(ctx)
    events = _events(ctx)
    assert transparency.sequence(ctx) == len(events)
    assert transparency.sequence(ctx) == 0
    leaves = _leaves(ctx)
    assert [leaf.leaf_index for leaf in leaves] == list(range(len(events)))
    assert [leaf.event_id for leaf in leaves] == [e.id for e in events]
    assert [leaf.leaf_hash for leaf in leaves] == [merkle.leaf_hash(bytes(e.body)).hex() for e in events]


def test_sequencing_with_a_limit_logs_only_that_many(ctx: Context) -> None:
    _demo(ctx)
    total = len(_events(ctx))
    assert transparency.sequence(ctx, limit=10) == 10
    assert transparency.sequence(ctx, limit=0) == 0
    assert transparency.sequence(ctx) == total - 10
    with pytest.raises(InvalidInput):
        transparency.sequence(ctx, limit=-1)


def test_concurrent_sequencers_log_each_event_exactly_once(ctx: Context,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    _demo(ctx)
    monkeypatch.setattr(transparency, "BATCH", 4)  # many small transactions racing each other
    others = [bootstrap.build(ctx.settings, clock=ctx.clock) for _ in range(3)]
    try:
        with ThreadPoolExecutor(4) as pool:
            counts = list(pool.map(transparency.sequence, [ctx, *others]))
        total = sum(counts) + transparency.sequence(ctx)  # a run that met a conflict stopped early
    finally:
        for other in others:
            other.store.dispose()
    events = _events(ctx)
    assert total == len(events)
    leaves = _leaves(ctx)
    assert [leaf.leaf_index for leaf in leaves] == list(range(len(events)))
    assert sorted(leaf.event_id for leaf in leaves) == [e.id for e in events]


def test_an_event_committed_after_a_higher_id_was_logged_is_still_logged(ctx: Context) -> None:
    if ctx.store.is_sqlite:
        pytest.skip("SQLite has one writer at a time: its ids grow in commit order")
    _demo(ctx)
    transparency.sequence(ctx)
    top = max(e.id for e in _events(ctx))

    def late(event_id: int, stream: str) -> None:  # a PostgreSQL transaction holding a lower id commits last
        body = canonical({"stream": stream, "seq": 1})
        with ctx.store.write() as conn:
            conn.execute(text("INSERT INTO events (id, stream, seq, type, schema_version, at, person, role, unit,"
                              " body, prev_hash, hash) VALUES (:i, :s, 1, 'Late', 1, '2025', 'p', 'r', 'u', :b,"
                              " :p, :h)"), {"i": event_id, "s": stream, "b": body, "p": "0" * 64,
                                            "h": chain_hash("0" * 64, body)})
    late(top + 10, "late:b")
    assert transparency.sequence(ctx) == 1
    late(top + 5, "late:a")
    assert transparency.sequence(ctx) == 1
    leaves = _leaves(ctx)
    assert [leaf.event_id for leaf in leaves[-2:]] == [top + 10, top + 5]
    assert [leaf.leaf_index for leaf in leaves] == list(range(len(leaves)))


# ---------------------------------------------------------------------------------------- checkpoints
def test_checkpoint_is_signed_and_verifies_with_the_exported_key(ctx: Context) -> None:
    _demo(ctx)
    head = _checkpointed(ctx)
    assert head["new"]
    key = transparency.public_key(ctx)
    assert (ctx.settings.key_dir / "log.pub").read_text().strip() == key
    assert (ctx.settings.key_dir / "log.key").stat().st_mode & 0o777 == 0o600
    signed = cp.open_note(head["note"].encode(), [key], [key], origin=ctx.settings.log_origin)
    events = _events(ctx)
    assert signed.size == head["size"] == len(events)
    assert signed.root == merkle.root([merkle.leaf_hash(bytes(e.body)) for e in events])
    assert signed.root.hex() == head["root_hash"]


def test_no_new_checkpoint_is_signed_when_the_log_did_not_grow(ctx: Context) -> None:
    _demo(ctx)
    first = _checkpointed(ctx)
    again = _checkpointed(ctx)
    assert not again["new"] and again["size"] == first["size"] and again["note"] == first["note"]
    assert len(transparency.checkpoints(ctx)) == 1


def test_the_log_key_is_generated_once_and_shared_by_every_process(ctx: Context) -> None:
    key = transparency.public_key(ctx)
    other = bootstrap.build(ctx.settings, clock=ctx.clock)
    try:
        assert transparency.public_key(other) == key
    finally:
        other.store.dispose()


def test_the_database_refuses_to_change_a_signed_checkpoint(ctx: Context) -> None:
    _demo(ctx)
    _checkpointed(ctx)
    for stmt in ("UPDATE checkpoints SET root_hash = 'x'", "DELETE FROM checkpoints",
                 "UPDATE log_leaves SET leaf_hash = 'x'"):
        with pytest.raises(Exception):  # noqa: B017 - the driver's error, translated or not
            with ctx.store.write() as conn:
                conn.execute(text(stmt))
    assert verification.verify(ctx).ok


# ---------------------------------------------------------------------------------------- proofs
def test_inclusion_proof_of_every_demo_event_verifies_against_the_signed_checkpoint(ctx: Context) -> None:
    _demo(ctx)
    head = _checkpointed(ctx)
    signed = cp.open_note(head["note"].encode(), [transparency.public_key(ctx)])
    events = _events(ctx)
    for e in events:
        proof = transparency.inclusion_proof(ctx, e.stream, e.seq)
        assert proof["tree_size"] == signed.size and proof["checkpoint"] == head["note"]
        assert proof["leaf_hash"] == merkle.leaf_hash(bytes(e.body)).hex()
        merkle.verify_inclusion(bytes.fromhex(proof["leaf_hash"]), proof["leaf_index"], signed.size,
                                [bytes.fromhex(h) for h in proof["inclusion_proof"]], signed.root)
    assert len(events) > 40


def test_an_event_not_yet_checkpointed_has_no_proof(ctx: Context) -> None:
    did = _demo(ctx)
    with pytest.raises(NotFound, match="not yet in the transparency log"):
        transparency.inclusion_proof(ctx, f"decision:{did}", 1)
    transparency.sequence(ctx)
    with pytest.raises(NotFound, match="not yet covered by a signed checkpoint"):
        transparency.inclusion_proof(ctx, f"decision:{did}", 1)
    with pytest.raises(NotFound, match="no event"):
        transparency.inclusion_proof(ctx, f"decision:{did}", 10_000)


def test_consistency_between_two_checkpoints_verifies(ctx: Context) -> None:
    _demo(ctx)
    old = _checkpointed(ctx)
    _more_events(ctx)
    new = _checkpointed(ctx)
    assert new["size"] > old["size"]
    proof = transparency.consistency_proof(ctx, old["size"], new["size"])
    key = transparency.public_key(ctx)
    a, b = (cp.open_note(h["note"].encode(), [key]) for h in (old, new))
    merkle.verify_consistency(a.size, b.size, a.root, b.root,
                              [bytes.fromhex(h) for h in proof["consistency_proof"]])
    assert proof["old_checkpoint"] == old["note"] and proof["new_checkpoint"] == new["note"]
    # an inclusion proof in the older checkpoint still verifies against it
    older = transparency.inclusion_proof(ctx, _events(ctx)[0].stream, 1, size=old["size"])
    assert older["root_hash"] == a.root.hex()
    with pytest.raises(InvalidInput):
        transparency.consistency_proof(ctx, new["size"], old["size"])
    assert verification.verify(ctx).ok


# ---------------------------------------------------------------------------------------- witnesses
def test_a_witness_cosigns_along_an_append_only_history(ctx: Context) -> None:
    _demo(ctx)
    _checkpointed(ctx)
    signer, witness_key = cp.generate_key("audit-office", cp.ED25519_COSIGNATURE)
    witness = cp.Witness(signer)
    log_key = transparency.public_key(ctx)
    with pytest.raises(cp.CheckpointError, match="cosigned no checkpoint"):
        transparency.cosign_latest(ctx, witness, log_key)  # the first checkpoint only explicitly
    first = transparency.cosign_latest(ctx, witness, log_key, trust_first=True)
    _more_events(ctx)
    head = _checkpointed(ctx)
    second = transparency.cosign_latest(ctx, witness, log_key)
    assert witness.last_size == head["size"]
    for note in (first, second):
        cp.open_note(note.encode(), [log_key], [log_key, witness_key])
    assert "— audit-office " in transparency.signed_note(ctx)
    assert transparency.cosigners(ctx, head["size"]) == [witness_key]
    stored = transparency.cosignatures(ctx)
    assert [(r["size"], r["legacy"], r["timestamp"]) for r in stored][-1] == \
        (head["size"], False, int(ctx.now().timestamp()))
    assert verification.verify(ctx).ok


def test_a_plain_0x01_cosignature_stored_before_still_verifies_and_is_listed_as_legacy(ctx: Context) -> None:
    _demo(ctx)
    head = _checkpointed(ctx)
    signer, old_key = cp.generate_key("audit-office")  # what `decide witness` wrote before tlog-cosignature
    line = cp.sign(cp.SignedNote.parse(head["note"].encode()).text, signer)
    with pytest.raises(InvalidInput, match="takes Ed25519 cosignature/v1"):  # not accepted any more ...
        transparency.add_cosignature(ctx, head["size"], old_key, line)
    with ctx.store.write() as conn:  # ... but one stored before this change
        repo.insert_cosignature(conn, head["size"], old_key, line, ctx.now_iso())
    note = transparency.signed_note(ctx, head["size"])
    cp.open_note(note.encode(), [old_key], [transparency.public_key(ctx), old_key])
    assert verification.verify(ctx).ok
    [row] = transparency.cosignatures(ctx)
    assert row["legacy"] and row["timestamp"] is None and "0x01" in row["type"]


def test_a_cosignature_that_does_not_verify_is_refused(ctx: Context) -> None:
    _demo(ctx)
    head = _checkpointed(ctx)
    signer, witness_key = cp.generate_key("court", cp.ED25519_COSIGNATURE)
    line = cp.sign(b"some other text\n", signer, timestamp=1)
    with pytest.raises(InvalidInput, match="does not verify"):
        transparency.add_cosignature(ctx, head["size"], witness_key, line)


# ---------------------------------------------------------------------------------------- rewrites
def test_a_rechained_rewrite_is_caught_by_decide_verify_through_the_log_leaf(ctx: Context) -> None:
    did = _demo(ctx)
    head = _checkpointed(ctx)
    seq = _rewrite_and_rechain(ctx, did, leaves=False)
    rep = verification.verify(ctx)
    # The chain, the columns and the projection all agree with the forged history ...
    assert not any("hash differs" in f.what or "projection" in f.what for f in rep.findings)
    # ... but the log's leaf for the forged event does not, nor does the signed root.
    assert [(f.stream, f.seq) for f in rep.findings] == [(f"decision:{did}", seq),
                                                         (transparency.LOG_STREAM, head["size"])]
    assert "transparency log leaf" in rep.findings[0].what
    assert "signed root" in rep.findings[1].what and "history rewritten" in rep.findings[1].what


def test_a_rechained_rewrite_of_events_and_leaves_is_caught_by_the_signed_checkpoints(ctx: Context) -> None:
    did = _demo(ctx)
    first = _checkpointed(ctx)
    _more_events(ctx)
    second = _checkpointed(ctx)
    _rewrite_and_rechain(ctx, did, leaves=True)
    ctx.extras.clear()  # a fresh process: no cached tree
    rep = verification.verify(ctx)
    assert rep.findings, "a rewrite of events and leaves must not verify"
    assert all(f.stream == transparency.LOG_STREAM for f in rep.findings)
    sizes = {f.seq for f in rep.findings if "signed root" in f.what}
    assert sizes == {first["size"], second["size"]}
    assert any("not consistent with checkpoint" in f.what for f in rep.findings)
    with pytest.raises(RuleViolation, match="fork"):
        transparency.checkpoint(ctx)


def test_a_witness_refuses_a_history_rewritten_and_resigned_with_the_log_key(ctx: Context) -> None:
    did = _demo(ctx)
    kept = _checkpointed(ctx)  # what an auditor or a witness kept
    signer, _ = cp.generate_key("superior-organ", cp.ED25519_COSIGNATURE)
    witness = cp.Witness(signer)
    log_key = transparency.public_key(ctx)
    transparency.cosign_latest(ctx, witness, log_key, trust_first=True)
    # The attacker rewrites and re-chains the events and the leaves, removes every checkpoint and
    # cosignature, and signs the forked tree with the log key.
    _rewrite_and_rechain(ctx, did, leaves=True)
    with ctx.store.write() as conn:
        conn.execute(text("DELETE FROM cosignatures"))
        conn.execute(text("DELETE FROM checkpoints"))
    ctx.extras.clear()
    _more_events(ctx)
    forged = _checkpointed(ctx)
    assert verification.verify(ctx).ok  # the database alone is consistent with itself now
    with pytest.raises(cp.CheckpointError, match="not consistent"):
        transparency.cosign_latest(ctx, witness, log_key)
    old = cp.open_note(kept["note"].encode(), [log_key])
    new = cp.open_note(forged["note"].encode(), [log_key])
    proof = transparency.consistency_proof(ctx, old.size, new.size)["consistency_proof"]
    with pytest.raises(merkle.ProofError):
        merkle.verify_consistency(old.size, new.size, old.root, new.root, [bytes.fromhex(h) for h in proof])


def test_removing_a_cosigned_checkpoint_is_caught_by_decide_verify(ctx: Context) -> None:
    _demo(ctx)
    head = _checkpointed(ctx)
    signer, _ = cp.generate_key("audit-office", cp.ED25519_COSIGNATURE)
    transparency.cosign_latest(ctx, cp.Witness(signer), transparency.public_key(ctx), trust_first=True)
    _drop_guards(ctx)
    with ctx.store.write() as conn:
        conn.execute(text("DELETE FROM checkpoints"))
    rep = verification.verify(ctx)
    assert [(f.stream, f.seq) for f in rep.findings] == [(transparency.LOG_STREAM, head["size"])]
    assert "no valid checkpoint of that size" in rep.findings[0].what


def test_removed_leaves_are_caught_by_decide_verify(ctx: Context) -> None:
    _demo(ctx)
    head = _checkpointed(ctx)
    _drop_guards(ctx)
    with ctx.store.write() as conn:
        conn.execute(text("DELETE FROM log_leaves WHERE leaf_index >= 5"))
    rep = verification.verify(ctx)
    assert any(f.seq == head["size"] and "holds only 5 leaves" in f.what for f in rep.findings)


# ---------------------------------------------------------------------------------------- the CLI
def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "decision_engine.cli", *args], env=env,
                          capture_output=True, text=True, timeout=300)


def test_decide_checkpoint_prove_witness_and_verify_from_the_command_line(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = {"DECIDE_DATA_DIR": str(data), "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
           "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "HOME": str(tmp_path)}
    assert _run(env, "demo").returncode == 0
    did = sqlite3.connect(data / "decide.db").execute("SELECT id FROM decisions").fetchone()[0]
    out = _run(env, "checkpoint")
    assert out.returncode == 0, out.stderr
    key = _run(env, "log-key").stdout.strip()
    head = cp.open_note(out.stdout.encode(), [key], [key])
    proof = json.loads(_run(env, "prove", did, "3").stdout)
    merkle.verify_inclusion(bytes.fromhex(proof["leaf_hash"]), proof["leaf_index"], head.size,
                            [bytes.fromhex(h) for h in proof["inclusion_proof"]], head.root)
    state = tmp_path / "witness"
    init = _run(env, "witness", "init", "audit-office", "--state", str(state))
    assert init.returncode == 0, init.stderr
    assert (state / "witness.key").stat().st_mode & 0o777 == 0o600
    first = _run(env, "witness", "cosign", "--state", str(state))
    assert first.returncode == 2 and "--trust-first" in first.stderr  # a first checkpoint only explicitly
    cosigned = _run(env, "witness", "cosign", "--state", str(state), "--trust-first")
    assert cosigned.returncode == 0, cosigned.stderr
    cp.open_note(cosigned.stdout.encode(), [key], [key, init.stdout.strip()])
    assert cp.VerifierKey.parse(init.stdout.strip()).algorithm is cp.ED25519_COSIGNATURE
    listed = _run(env, "witness", "cosignatures")
    assert listed.returncode == 0 and "audit-office" in listed.stdout and "time " in listed.stdout
    consistency = json.loads(_run(env, "consistency", "10", str(head.size)).stdout)
    assert consistency["old_size"] == 10 and consistency["consistency_proof"]
    refused = _run(env, "consistency", str(head.size), "10")
    assert refused.returncode == 2 and "refused" in refused.stderr
    # A rewrite by someone with database access and the log key:
    ctx = bootstrap.build(Settings(data_dir=data, database_url=f"sqlite:///{data / 'decide.db'}"),
                          clock=ManualClock(__import__("datetime").datetime(2026, 3, 2, 9, tzinfo=CHINA)))
    try:
        _rewrite_and_rechain(ctx, did, leaves=False)
    finally:
        ctx.store.dispose()
    verify = _run(env, "verify")
    assert verify.returncode == 1
    assert f"decision:{did} seq" in verify.stdout and "transparency log leaf" in verify.stdout
    ctx = bootstrap.build(Settings(data_dir=data, database_url=f"sqlite:///{data / 'decide.db'}"),
                          clock=ManualClock(__import__("datetime").datetime(2026, 3, 2, 9, tzinfo=CHINA)))
    try:
        _rewrite_and_rechain(ctx, did, leaves=True)
        with ctx.store.write() as conn:
            conn.execute(text("DELETE FROM cosignatures"))
            conn.execute(text("DELETE FROM checkpoints"))
        _more_events(ctx)
    finally:
        ctx.store.dispose()
    assert _run(env, "checkpoint").returncode == 0
    witness = _run(env, "witness", "cosign", "--state", str(state))
    assert witness.returncode == 2
    assert "witness audit-office" in witness.stderr and "not consistent" in witness.stderr


def test_a_third_party_witness_cosigns_over_http_and_the_operator_adds_its_cosignature(
        ctx: Context, tmp_path: Path) -> None:
    from api.app import create_app
    from tests.conftest import serving

    _demo(ctx)
    first = _checkpointed(ctx)
    log_key = transparency.public_key(ctx)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
           "HOME": str(tmp_path), "DECIDE_DATA_DIR": str(ctx.settings.data_dir),
           "DECIDE_DATABASE_URL": ctx.store.url}
    state = tmp_path / "court-witness"
    init = _run({"PATH": env["PATH"], "HOME": str(tmp_path)}, "witness", "init", "court.example/w1",
                "--state", str(state), "--log-key", log_key)  # the witness's machine: no database
    assert init.returncode == 0, init.stderr
    witness_key = init.stdout.strip()
    with serving(create_app(ctx)) as base:
        offline = {"PATH": env["PATH"], "HOME": str(tmp_path)}
        line = _run(offline, "witness", "cosign", "--state", str(state), "--log-url", base, "--trust-first")
        assert line.returncode == 0, line.stderr
        assert f"decide witness add {first['size']}" in line.stderr
        transparency.add_cosignature(ctx, first["size"], witness_key, line.stdout)
        _more_events(ctx)
        second = _checkpointed(ctx)
        again = _run(offline, "witness", "cosign", "--state", str(state), "--log-url", base)  # proof over HTTP
        assert again.returncode == 0, again.stderr
    added = _run(env, "witness", "add", str(second["size"]), witness_key, again.stdout)
    assert added.returncode == 0, added.stderr
    cp.open_note(added.stdout.encode(), [log_key], [log_key, witness_key])
    assert [r["size"] for r in transparency.cosignatures(ctx)] == [first["size"], second["size"]]
    assert verification.verify(ctx).ok
