"""The 国密 log profile (issue 17 §5): chosen when a store is initialised and recorded in it; SM3 for the event
chain and the Merkle tree, SM2 for checkpoints and cosignatures; never mixed, on both databases."""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from decision_engine import bootstrap
from decision_engine.adapters.store import ProfileRefused
from decision_engine.audit import archive_verify, merkle
from decision_engine.audit import checkpoint as cp
from decision_engine.audit.canonical import CHAIN_DOMAIN, GENESIS
from decision_engine.config import Settings
from decision_engine.services import archive, auditing, transparency, verification
from decision_engine.services.clock import CHINA, ManualClock
from decision_engine.services.context import Context
from decision_engine.services.demo import run_demo

GM = "sm3-sm2"


def _build(tmp_path: Path, url: str, profile: str | None) -> Context:
    return bootstrap.build(Settings(data_dir=tmp_path / "data", database_url=url, log_profile=profile),
                           clock=ManualClock(datetime(2025, 3, 3, 9, 0, tzinfo=CHINA)))


@pytest.fixture
def gm(tmp_path: Path, db_url: str) -> Iterator[Context]:
    ctx = _build(tmp_path, db_url, GM)
    yield ctx
    ctx.store.dispose()


def _sm3(data: bytes) -> bytes:
    return hashlib.new("sm3", data).digest()


def test_a_gm_store_chains_with_sm3_logs_with_sm3_and_signs_with_sm2(gm: Context) -> None:
    did = run_demo(gm, lambda _: None)
    assert gm.store.profile == GM
    with gm.store.read() as conn:
        rows = conn.execute(text("SELECT stream, seq, body, prev_hash, hash FROM events ORDER BY stream, seq")).all()
    prev: dict[str, str] = {}
    for stream, seq, body, prev_hash, digest in rows:  # recomputed here with SM3, not through our code
        assert prev_hash == prev.get(stream, GENESIS), (stream, seq)
        assert digest == _sm3(CHAIN_DOMAIN + bytes.fromhex(prev_hash) + bytes(body)).hex(), (stream, seq)
        prev[stream] = digest
    transparency.sequence(gm)
    head = transparency.checkpoint(gm)
    key = transparency.public_key(gm)
    assert cp.VerifierKey.parse(key).algorithm is cp.SM2
    note = head["note"].encode()
    checkpoint = cp.open_note(note, [key], [key])
    assert checkpoint.extensions == ("profile sm3-sm2",)  # the signed note names its algorithms
    with gm.store.read() as conn:
        bodies = [bytes(b) for (b,) in conn.execute(text(
            "SELECT e.body FROM log_leaves l JOIN events e ON e.id = l.event_id ORDER BY l.leaf_index"))]
    assert checkpoint.root == merkle.root([_sm3(b"\x00" + b) for b in bodies], hasher=merkle.SM3)
    proof = transparency.inclusion_proof(gm, f"decision:{did}", 3)
    assert proof["leaf_hash"] == _sm3(b"\x00" + bodies[[json.loads(b)["stream"] for b in bodies]
                                                     .index(f"decision:{did}") + 2]).hex()
    merkle.verify_inclusion(bytes.fromhex(proof["leaf_hash"]), proof["leaf_index"], checkpoint.size,
                            [bytes.fromhex(h) for h in proof["inclusion_proof"]], checkpoint.root, hasher=merkle.SM3)
    assert verification.verify(gm).ok
    assert auditing.check_decision(gm, did)["ok"]  # the per-decision check on the audit pages


def test_a_store_is_never_opened_with_another_profile_than_the_one_recorded(tmp_path: Path, db_url: str) -> None:
    first = _build(tmp_path, db_url, GM)
    run_demo(first, lambda _: None)
    first.store.dispose()
    with pytest.raises(ProfileRefused, match=r"sm3-sm2.*sha256-ed25519"):
        _build(tmp_path, db_url, "sha256-ed25519")
    again = _build(tmp_path, db_url, None)  # unset: the recorded profile
    try:
        assert again.store.profile == GM and verification.verify(again).ok
        with pytest.raises(Exception, match="append-only"), again.store.write() as conn:
            conn.execute(text("UPDATE log_profile SET profile = 'sha256-ed25519'"))
    finally:
        again.store.dispose()
    with pytest.raises(ProfileRefused, match="unknown log profile"):
        _build(tmp_path, db_url, "md5-rsa")


def test_a_default_store_with_events_is_not_switched_to_gm(tmp_path: Path, db_url: str) -> None:
    default = _build(tmp_path, db_url, None)
    run_demo(default, lambda _: None)
    assert default.store.profile == "sha256-ed25519"
    default.store.dispose()
    with pytest.raises(ProfileRefused, match="refusing to open"):
        _build(tmp_path, db_url, GM)
    # a store from before profiles were recorded (no row) holds SHA-256 events: it is not switched either
    old = _build(tmp_path, db_url, None)
    with old.store.write() as conn:
        if old.store.is_sqlite:
            conn.execute(text("DROP TRIGGER log_profile_no_delete"))
        else:
            conn.execute(text("DROP TRIGGER log_profile_append_only ON log_profile"))
        conn.execute(text("DELETE FROM log_profile"))
    old.store.dispose()
    with pytest.raises(ProfileRefused, match="already holds events hashed under sha256-ed25519"):
        _build(tmp_path, db_url, GM)


def test_a_gm_log_key_of_the_wrong_type_is_refused(gm: Context) -> None:
    signer, _ = cp.generate_key(gm.settings.log_origin)  # an Ed25519 key left in the key directory
    gm.settings.key_dir.mkdir(parents=True, exist_ok=True)
    cp.save_private_key(gm.settings.key_dir / transparency.PRIVATE_KEY_FILE, signer)
    with pytest.raises(cp.CheckpointError, match="never mixes"):
        transparency.log_keys(gm)


def test_a_gm_witness_cosigns_with_sm2_and_an_ed25519_witness_is_refused(gm: Context) -> None:
    run_demo(gm, lambda _: None)
    transparency.sequence(gm)
    head = transparency.checkpoint(gm)
    log_key = transparency.public_key(gm)
    ed_signer, _ = cp.generate_key("audit-office", cp.ED25519_COSIGNATURE)
    with pytest.raises(cp.CheckpointError, match="never mixes algorithms"):
        transparency.cosign_latest(gm, cp.Witness(ed_signer), log_key, trust_first=True)
    signer, witness_key = cp.generate_key("audit-office", cp.SM2_COSIGNATURE)
    witness = cp.Witness(signer)
    transparency.cosign_latest(gm, witness, log_key, trust_first=True)
    run_demo(gm, lambda _: None)
    transparency.sequence(gm)
    transparency.checkpoint(gm)
    note = transparency.cosign_latest(gm, witness, log_key)  # an SM3 consistency proof from the last one
    assert witness.last_size > head["size"]
    cp.open_note(note.encode(), [log_key], [log_key, witness_key])
    [first, second] = transparency.cosignatures(gm)
    assert not first["legacy"] and second["timestamp"] == int(gm.now().timestamp())
    assert verification.verify(gm).ok


def test_a_gm_archive_verifies_offline_with_the_sm2_key_and_its_tampering_is_caught(gm: Context) -> None:
    did = run_demo(gm, lambda _: None)
    out = gm.settings.data_dir / "gm.zip"
    manifest = archive.export(gm, did, out)
    assert manifest["profile"] == GM
    key = transparency.public_key(gm)
    said: list[str] = []
    report = archive_verify.verify_archive(out, key, say=said.append)
    assert report.ok and report.profile == GM, [str(p) for p in report.problems]
    assert any("sm3 of manifest.json" in line for line in said)
    with zipfile.ZipFile(out) as z:
        members = {n: z.read(n) for n in z.namelist()}
    assert json.loads(members["manifest.json"])["members"]["events.jsonl"] == _sm3(members["events.jsonl"]).hex()
    lines = members["events.jsonl"].split(b"\n")
    lines[2] = lines[2].replace(b'"seq":3', b'"seq":3 ', 1)
    report = archive_verify.verify_members({**members, "events.jsonl": b"\n".join(lines)}, key)
    assert not report.ok and any(p.where == "events.jsonl" for p in report.problems)
    # an Ed25519 key of the same name reads it as another profile: it does not verify
    assert not archive_verify.verify_members(members, cp.generate_key(key.split("+")[0])[1]).ok
