"""Signed-note checkpoints and witness cosigning (C2SP tlog-checkpoint)."""

from __future__ import annotations

import base64
import json
import os
import re
import stat
from pathlib import Path

import pytest

from decision_engine.audit.checkpoint import (
    ED25519_COSIGNATURE,
    MAX_SIGNATURES,
    Checkpoint,
    CheckpointError,
    Signature,
    SignedNote,
    SignerKey,
    VerifierKey,
    Witness,
    generate_key,
    key_id,
    load_key,
    open_note,
    save_private_key,
    sign,
    verifier_key,
    verify_note,
)
from decision_engine.audit.merkle import EMPTY_ROOT, MerkleTree, leaf_hash

DATA = Path(__file__).resolve().parent.parent / "data" / "signed_note"
PETER_VKEY = (DATA / "PeterNeumann.vkey").read_text().strip()
PETER_SKEY = (DATA / "PeterNeumann.skey").read_text().strip()
ENOCH_VKEY = (DATA / "EnochRoot.vkey").read_text().strip()
TEXT = (DATA / "text.txt").read_bytes()
SIGNED_PETER = (DATA / "signed_peter.note").read_bytes()
SIGNED_BOTH = (DATA / "signed_peter_enoch.note").read_bytes()
PETER_LINE = SIGNED_PETER[len(TEXT) + 1 :].decode()
ENOCH_LINE = SIGNED_BOTH[len(SIGNED_PETER) :].decode()

ORIGIN = "decide.example/audit-log"
T = 1_765_000_000  # a cosignature's timestamp (POSIX seconds)


# ---------------------------------------------------------------- the Go vector


def test_go_vector_keys_parse_and_match() -> None:
    verifier = VerifierKey.parse(PETER_VKEY)
    signer = SignerKey.parse(PETER_SKEY)
    assert verifier.name == signer.name == "PeterNeumann"
    assert verifier.key_id.hex() == signer.key_id.hex() == "c74f20a3"
    assert key_id("PeterNeumann", verifier.public_key) == verifier.key_id
    assert signer.verifier() == verifier
    assert verifier.encode() == PETER_VKEY and signer.encode() == PETER_SKEY
    assert verifier_key("PeterNeumann", verifier.public_key) == PETER_VKEY
    assert "AYEKF" not in repr(signer)


def test_go_vector_signature_is_reproduced_byte_for_byte() -> None:
    line = sign(TEXT, PETER_SKEY)
    assert line == PETER_LINE
    assert TEXT + b"\n" + line.encode() == SIGNED_PETER
    assert SignedNote(TEXT).add_signature(line).to_bytes() == SIGNED_PETER


def test_go_vector_verifies() -> None:
    only_peter = verify_note(SIGNED_BOTH, [PETER_VKEY])  # EnochRoot unknown: ignored
    assert only_peter.text == TEXT
    assert [str(s) for s in only_peter.signatures] == ["PeterNeumann+c74f20a3"]
    both = verify_note(SIGNED_BOTH, [PETER_VKEY, ENOCH_VKEY], required=["PeterNeumann", ENOCH_VKEY])
    assert [str(s) for s in both.signatures] == ["PeterNeumann+c74f20a3", "EnochRoot+af0cfe78"]
    assert SignedNote.parse(SIGNED_BOTH).to_bytes() == SIGNED_BOTH


def test_go_vector_unverifiable_and_missing_required() -> None:
    with pytest.raises(CheckpointError, match="no verified signature"):
        verify_note(SIGNED_BOTH, [])
    with pytest.raises(CheckpointError, match="missing signature from required key EnochRoot"):
        verify_note(SIGNED_PETER, [PETER_VKEY, ENOCH_VKEY], required=["EnochRoot"])
    with pytest.raises(CheckpointError, match="not among the verifier keys"):
        verify_note(SIGNED_PETER, [PETER_VKEY], required=["Nobody"])


def _tamper_signature(line: str) -> str:
    prefix, b64 = line.rstrip("\n").rsplit(" ", 1)
    raw = bytearray(base64.b64decode(b64))
    raw[10] ^= 0x01  # inside the Ed25519 signature, after the key id
    return f"{prefix} {base64.b64encode(bytes(raw)).decode()}\n"


def test_go_vector_invalid_signature_from_known_key_rejects_note() -> None:
    bad = TEXT + b"\n" + _tamper_signature(PETER_LINE).encode()
    with pytest.raises(CheckpointError, match=r"invalid signature for key PeterNeumann\+c74f20a3"):
        verify_note(bad, [PETER_VKEY])
    # a bad signature from a known key rejects even when another one verifies
    bad_enoch = SIGNED_PETER + _tamper_signature(ENOCH_LINE).encode()
    with pytest.raises(CheckpointError, match="EnochRoot"):
        verify_note(bad_enoch, [PETER_VKEY, ENOCH_VKEY])
    # ... and is ignored when the key is unknown
    assert len(verify_note(bad_enoch, [PETER_VKEY]).signatures) == 1


@pytest.mark.parametrize(
    "message",
    [
        TEXT,
        TEXT + b"\n",
        TEXT + b"\n" + PETER_LINE.encode()[:-1],
        b"\x01" + TEXT + b"\n" + PETER_LINE.encode(),
        b"\xff" + TEXT + b"\n" + PETER_LINE.encode(),
        TEXT + b"\n" + PETER_LINE.replace("PeterNeumann", "Bad Name").encode(),
        TEXT + b"\n" + PETER_LINE.encode() + b"Unexpected line.\n",
        TEXT + b"\n" + PETER_LINE.replace("\u2014", "-").encode(),
        TEXT + b"\n" + PETER_LINE.encode() * (MAX_SIGNATURES + 1),
    ],
)
def test_go_vector_malformed_notes(message: bytes) -> None:
    with pytest.raises(CheckpointError):
        verify_note(message, [PETER_VKEY])


def test_go_vector_mangled_keys_are_refused() -> None:
    for key in (PETER_VKEY, PETER_SKEY):
        parse = SignerKey.parse if key.startswith("PRIVATE") else VerifierKey.parse
        for i in range(len(key) + 1):
            for j in range(i + 1, len(key) + 1):
                if (i, j) != (0, len(key)):
                    with pytest.raises(CheckpointError):
                        parse(key[i:j])
        for i in range(len(key)):
            with pytest.raises(CheckpointError):
                parse(key[:i] + chr(ord(key[i]) + 1) + key[i + 1 :])
    # wrong key length and unknown algorithm, each with a consistent key id
    with pytest.raises(CheckpointError):
        VerifierKey.parse("PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==")
    with pytest.raises(CheckpointError):
        VerifierKey.parse("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")


def test_c2sp_example_checkpoint_parses_but_is_unverifiable() -> None:
    raw = (DATA / "c2sp_checkpoint_example.note").read_bytes()
    note = SignedNote.parse(raw)
    checkpoint = Checkpoint.parse(note.text)
    assert checkpoint.origin == "example.com/behind-the-sofa"
    assert checkpoint.size == 20852163
    assert base64.b64encode(checkpoint.root).decode() == "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I="
    assert checkpoint.body() == note.text
    assert note.signatures[0].name == "example.com/behind-the-sofa"
    with pytest.raises(CheckpointError, match="no verified signature"):
        open_note(raw, [PETER_VKEY])


# ---------------------------------------------------------------- checkpoints


@pytest.fixture(scope="module")
def log_keys() -> tuple[str, str]:
    return generate_key(ORIGIN)


def _tree(n: int, tag: bytes = b"entry") -> MerkleTree:
    return MerkleTree.from_data(tag + i.to_bytes(4, "big") for i in range(n))


def _signed(tree: MerkleTree, size: int, signer: str, origin: str = ORIGIN) -> bytes:
    body = Checkpoint(origin, size, tree.root_at(size)).body()
    return body + b"\n" + sign(body, signer).encode()


def test_generate_key_format() -> None:
    skey, vkey = generate_key("witness.example/w1")
    assert re.fullmatch(r"PRIVATE\+KEY\+witness\.example/w1\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}", skey)
    assert re.fullmatch(r"witness\.example/w1\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}", vkey)
    assert SignerKey.parse(skey).verifier().encode() == vkey
    for bad in ("", "has space", "has+plus"):
        with pytest.raises(CheckpointError):
            generate_key(bad)


def test_checkpoint_body_format_and_round_trip() -> None:
    root = leaf_hash(b"x")
    checkpoint = Checkpoint(ORIGIN, 7, root, ("ext one", "ext two"))
    body = checkpoint.body()
    assert body == (f"{ORIGIN}\n7\n{base64.b64encode(root).decode()}\next one\next two\n".encode())
    assert Checkpoint.parse(body) == checkpoint
    assert Checkpoint.parse(Checkpoint(ORIGIN, 0, EMPTY_ROOT).body()).size == 0


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"origin\n5\n",
        b"origin\n5\n" + base64.b64encode(EMPTY_ROOT),  # no final newline
        b"origin\n05\n" + base64.b64encode(EMPTY_ROOT) + b"\n",
        b"origin\n-5\n" + base64.b64encode(EMPTY_ROOT) + b"\n",
        b"origin\n+5\n" + base64.b64encode(EMPTY_ROOT) + b"\n",
        b"origin\n\xd9\xa5\n" + base64.b64encode(EMPTY_ROOT) + b"\n",  # Arabic-Indic 5
        b"origin\n5\n" + base64.b64encode(EMPTY_ROOT[:31]) + b"\n",
        b"origin\n5\n" + base64.b64encode(EMPTY_ROOT).rstrip(b"=") + b"\n",
        b"origin\n5\n!!notbase64!!\n",
        b"\n5\n" + base64.b64encode(EMPTY_ROOT) + b"\n",
        b"origin\n5\n" + base64.b64encode(EMPTY_ROOT) + b"\n\n",  # empty extension line
        b"origin\r\n5\n" + base64.b64encode(EMPTY_ROOT) + b"\n",
    ],
)
def test_malformed_checkpoint_bodies(body: bytes) -> None:
    with pytest.raises(CheckpointError):
        Checkpoint.parse(body)


def test_checkpoint_field_validation() -> None:
    with pytest.raises(CheckpointError):
        Checkpoint("", 1, EMPTY_ROOT)
    with pytest.raises(CheckpointError):
        Checkpoint("a\nb", 1, EMPTY_ROOT)
    with pytest.raises(CheckpointError):
        Checkpoint(ORIGIN, -1, EMPTY_ROOT)
    with pytest.raises(CheckpointError):
        Checkpoint(ORIGIN, 1, b"short")
    with pytest.raises(CheckpointError):
        Checkpoint(ORIGIN, 1, EMPTY_ROOT, ("",))


def test_sign_open_round_trip(log_keys: tuple[str, str]) -> None:
    skey, vkey = log_keys
    tree = _tree(10)
    note = _signed(tree, 10, skey)
    checkpoint = open_note(note, [vkey], required=[vkey], origin=ORIGIN)
    assert checkpoint == Checkpoint(ORIGIN, 10, tree.root())
    # unknown keys' signatures are ignored
    _, other_vkey = generate_key("someone.else")
    other_skey, _ = generate_key("third.party")
    cosigned = SignedNote.parse(note).add_signature(sign(SignedNote.parse(note).text, other_skey))
    assert open_note(cosigned.to_bytes(), [vkey, other_vkey]) == checkpoint
    with pytest.raises(CheckpointError, match="origin"):
        open_note(note, [vkey], origin="other.example/log")


def test_tampered_checkpoints_are_refused(log_keys: tuple[str, str]) -> None:
    skey, vkey = log_keys
    tree = _tree(10)
    note = _signed(tree, 10, skey)
    text = SignedNote.parse(note).text
    line = note[len(text) + 1 :]
    # size changed in the signed body
    bigger = text.replace(b"\n10\n", b"\n11\n", 1)
    with pytest.raises(CheckpointError, match="invalid signature"):
        open_note(bigger + b"\n" + line, [vkey])
    # root changed
    other_root = base64.b64encode(tree.root_at(9))
    forged = text.replace(base64.b64encode(tree.root()), other_root)
    with pytest.raises(CheckpointError, match="invalid signature"):
        open_note(forged + b"\n" + line, [vkey])
    # extension line appended
    with pytest.raises(CheckpointError, match="invalid signature"):
        open_note(text + b"extra\n\n" + line, [vkey])
    # signature bytes changed
    with pytest.raises(CheckpointError, match="invalid signature"):
        open_note(text + b"\n" + _tamper_signature(line.decode()).encode(), [vkey])
    # signature from another key under the log's name and key id
    impostor = SignerKey.parse(generate_key(ORIGIN)[0])
    fake = Signature(ORIGIN, VerifierKey.parse(vkey).key_id, impostor.sign(text))
    with pytest.raises(CheckpointError, match="invalid signature"):
        open_note(SignedNote(text, (fake,)).to_bytes(), [vkey])
    # malformed body under a valid signature
    bad_body = b"decide\n010\n" + base64.b64encode(tree.root()) + b"\n"
    with pytest.raises(CheckpointError, match="leading zeros"):
        open_note(bad_body + b"\n" + sign(bad_body, skey).encode(), [vkey])


def test_signed_note_add_signature_replaces_same_key() -> None:
    note = SignedNote.parse(SIGNED_BOTH)
    again = note.add_signature(PETER_LINE)
    assert [s.name for s in again.signatures] == ["EnochRoot", "PeterNeumann"]
    with pytest.raises(CheckpointError):
        SignedNote(TEXT).to_bytes()
    with pytest.raises(CheckpointError):
        SignedNote(b"no final newline")


def test_forged_key_id_refused_and_duplicate_verifiers_accepted() -> None:
    other = VerifierKey.parse(generate_key("PeterNeumann")[1])
    peter = VerifierKey.parse(PETER_VKEY)
    forged = VerifierKey("PeterNeumann", peter.key_id, other.public_key).encode()
    with pytest.raises(CheckpointError, match="does not match"):
        VerifierKey.parse(forged)
    assert len(verify_note(SIGNED_PETER, [PETER_VKEY, PETER_VKEY]).signatures) == 1


# ---------------------------------------------------------------- witness


@pytest.fixture
def witness_keys() -> tuple[str, str]:
    return generate_key("witness.example/w1", ED25519_COSIGNATURE)


def test_witness_cosigns_consistent_successors(
    log_keys: tuple[str, str], witness_keys: tuple[str, str]
) -> None:
    log_skey, log_vkey = log_keys
    w_skey, w_vkey = witness_keys
    tree = _tree(20)
    witness = Witness(w_skey)
    assert witness.verifier_key == w_vkey

    first = _signed(tree, 5, log_skey)
    line = witness.cosign(first, log_vkey, [], timestamp=T, trust_first=True)  # accepted explicitly
    cosigned = SignedNote.parse(first).add_signature(line).to_bytes()
    assert open_note(cosigned, [log_vkey, w_vkey], required=[log_vkey, w_vkey]).size == 5
    assert (witness.origin, witness.last_size, witness.last_root) == (ORIGIN, 5, tree.root_at(5))

    second = _signed(tree, 13, log_skey)
    witness.cosign(second, log_vkey, tree.consistency_proof(5, 13), timestamp=T + 1)
    again = witness.cosign(second, log_vkey, [], timestamp=T + 2)  # same checkpoint again: allowed
    assert open_note(SignedNote.parse(second).add_signature(again).to_bytes(), [w_vkey]).size == 13

    state = witness.to_json()
    assert json.loads(state) == {
        "origin": ORIGIN,
        "size": 13,
        "root": base64.b64encode(tree.root_at(13)).decode(),
        "witness": str(VerifierKey.parse(w_vkey)),
    }
    restored = Witness.from_json(state, w_skey)
    restored.cosign(_signed(tree, 20, log_skey), log_vkey, tree.consistency_proof(13, 20), timestamp=T + 3)
    assert restored.last_size == 20
    with pytest.raises(CheckpointError, match="belongs to key"):
        Witness.from_json(state, generate_key("witness.example/w1", ED25519_COSIGNATURE)[0])


def _assert_refused(witness: Witness, note: bytes, log_vkey: str, proof: list[bytes], *needles: str) -> None:
    before = witness.to_json()
    with pytest.raises(CheckpointError) as info:
        witness.cosign(note, log_vkey, proof, timestamp=T)
    for needle in needles:
        assert needle in str(info.value), (needle, str(info.value))
    assert witness.to_json() == before


def test_witness_refuses_rewritten_history(log_keys: tuple[str, str], witness_keys: tuple[str, str]) -> None:
    log_skey, log_vkey = log_keys
    tree = _tree(12)
    witness = Witness(witness_keys[0])
    witness.cosign(_signed(tree, 9, log_skey), log_vkey, [], timestamp=T, trust_first=True)
    cosigned_root = tree.root_at(9).hex()

    # same size, different root (leaf 3 rewritten)
    leaves = [tree.leaf_hash_at(i) for i in range(12)]
    leaves[3] = leaf_hash(b"rewritten")
    rewritten = MerkleTree(leaves)
    _assert_refused(
        witness,
        _signed(rewritten, 9, log_skey),
        log_vkey,
        [],
        "same size 9",
        cosigned_root,
        rewritten.root_at(9).hex(),
    )

    # shrunk tree
    _assert_refused(
        witness,
        _signed(tree, 7, log_skey),
        log_vkey,
        tree.consistency_proof(7, 9),
        "shrank",
        "size 9",
        "size 7",
        cosigned_root,
        tree.root_at(7).hex(),
    )

    # a fork built from different leaves, grown past the cosigned size, with its own valid proof
    other = _tree(12, tag=b"forged")
    _assert_refused(
        witness,
        _signed(other, 12, log_skey),
        log_vkey,
        other.consistency_proof(9, 12),
        "not consistent",
        "size 9",
        "size 12",
        cosigned_root,
        other.root_at(12).hex(),
    )
    # the honest proof does not help the fork either
    _assert_refused(
        witness,
        _signed(other, 12, log_skey),
        log_vkey,
        tree.consistency_proof(9, 12),
        "not consistent",
    )

    # a proof that does not match the honest successor
    _assert_refused(
        witness,
        _signed(tree, 12, log_skey),
        log_vkey,
        [EMPTY_ROOT] * len(tree.consistency_proof(9, 12)),
        "not consistent",
    )
    # finally the honest successor is accepted
    witness.cosign(_signed(tree, 12, log_skey), log_vkey, tree.consistency_proof(9, 12), timestamp=T)
    assert witness.last_size == 12


def test_witness_refuses_bad_log_signatures_and_other_origins(
    log_keys: tuple[str, str], witness_keys: tuple[str, str]
) -> None:
    log_skey, log_vkey = log_keys
    tree = _tree(4)
    witness = Witness(witness_keys[0], origin=ORIGIN)
    impostor_skey, _ = generate_key(ORIGIN)
    _assert_refused(witness, _signed(tree, 4, impostor_skey), log_vkey, [], "no verified signature")
    note = _signed(tree, 4, log_skey)
    text = SignedNote.parse(note).text
    _assert_refused(
        witness,
        text + b"\n" + _tamper_signature(note[len(text) + 1 :].decode()).encode(),
        log_vkey,
        [],
        "invalid",
    )
    other_origin = Checkpoint("other.example/log", 4, tree.root()).body()
    _assert_refused(
        witness, other_origin + b"\n" + sign(other_origin, log_skey).encode(), log_vkey, [], "origin"
    )


def test_a_witness_accepts_its_first_checkpoint_only_when_told_to(
    log_keys: tuple[str, str], witness_keys: tuple[str, str]
) -> None:
    log_skey, log_vkey = log_keys
    tree = _tree(6)
    witness = Witness(witness_keys[0])
    _assert_refused(witness, _signed(tree, 4, log_skey), log_vkey, [], "cosigned no checkpoint", "--trust-first")
    before = witness.to_json()
    with pytest.raises(CheckpointError, match="trusted, not proven"):
        witness.cosign(_signed(tree, 4, log_skey), log_vkey, [EMPTY_ROOT], timestamp=T, trust_first=True)
    with pytest.raises(CheckpointError, match="empty tree"):
        witness.cosign(_signed(tree, 0, log_skey), log_vkey, [], timestamp=T, trust_first=True)
    assert witness.to_json() == before
    witness.cosign(_signed(tree, 4, log_skey), log_vkey, [], timestamp=T, trust_first=True)
    assert witness.last_size == 4
    with pytest.raises(CheckpointError, match="already follows the log at size 4"):
        witness.cosign(_signed(tree, 6, log_skey), log_vkey, [], timestamp=T, trust_first=True)
    witness.cosign(_signed(tree, 6, log_skey), log_vkey, tree.consistency_proof(4, 6), timestamp=T)
    assert witness.last_size == 6


def test_a_witness_refuses_a_plain_note_key_and_a_key_of_another_algorithm(log_keys: tuple[str, str]) -> None:
    with pytest.raises(CheckpointError, match="plain Ed25519 \\(0x01\\) note key"):
        Witness(generate_key("witness.example/w1")[0])
    from decision_engine.audit.checkpoint import SM2_COSIGNATURE

    sm2_witness = Witness(generate_key("witness.example/w2", SM2_COSIGNATURE)[0])
    _assert_refused(sm2_witness, _signed(_tree(3), 3, log_keys[0]), log_keys[1], [], "never mixes algorithms")


def _independent_cosignature_check(note: bytes, name: str, public_key: bytes) -> int:
    """c2sp.org/tlog-cosignature, written from the spec with no call into decide: returns the timestamp.

    key ID = SHA-256(name || "\\n" || 0x04 || 32-byte Ed25519 key)[:4]; the signature line carries
    base64(key ID || u64 big-endian timestamp || Ed25519 signature); the signed message is
    "cosignature/v1\\n" || "time " || decimal timestamp || "\\n" || the note body.
    """
    import hashlib

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    body, _, signatures = note.partition(b"\n\n")
    body += b"\n"
    want_id = hashlib.sha256(name.encode() + b"\n" + b"\x04" + public_key).digest()[:4]
    for line in signatures.decode().splitlines():
        dash, who, b64 = line.split(" ")
        raw = base64.b64decode(b64)
        if dash != "\u2014" or who != name or raw[:4] != want_id:
            continue
        assert len(raw) == 4 + 8 + 64
        timestamp = int.from_bytes(raw[4:12], "big")
        message = b"cosignature/v1\ntime " + str(timestamp).encode() + b"\n" + body
        Ed25519PublicKey.from_public_bytes(public_key).verify(raw[12:], message)  # raises if it does not verify
        return timestamp
    raise AssertionError("no cosignature line with the expected name and key ID")


def test_a_cosignature_verifies_with_a_verifier_written_from_the_c2sp_spec(
    log_keys: tuple[str, str], witness_keys: tuple[str, str]
) -> None:
    from cryptography.exceptions import InvalidSignature

    log_skey, log_vkey = log_keys
    w_skey, w_vkey = witness_keys
    assert base64.b64decode(w_vkey.split("+", 2)[2])[0] == 0x04  # vkey with signature type 0x04
    note = _signed(_tree(7), 7, log_skey)
    line = Witness(w_skey).cosign(note, log_vkey, [], timestamp=T, trust_first=True)
    cosigned = SignedNote.parse(note).add_signature(line).to_bytes()
    public = VerifierKey.parse(w_vkey).public_key
    assert _independent_cosignature_check(cosigned, "witness.example/w1", public) == T
    assert VerifierKey.parse(w_vkey).timestamp(Signature.parse_line(line).signature) == T

    raw = bytearray(base64.b64decode(line.split(" ")[2]))
    raw[11] ^= 1  # the timestamp is signed: one second later does not verify
    forged = line.rsplit(" ", 1)[0] + " " + base64.b64encode(bytes(raw)).decode() + "\n"
    with pytest.raises(InvalidSignature):
        _independent_cosignature_check(SignedNote.parse(note).add_signature(forged).to_bytes(),
                                       "witness.example/w1", public)
    with pytest.raises(CheckpointError, match="invalid signature"):
        open_note(SignedNote.parse(note).add_signature(forged).to_bytes(), [log_vkey, w_vkey])


def test_the_timestamp_sits_where_the_c2sp_example_puts_it() -> None:
    example = ("\u2014 witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2"
               "oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==")
    signature = Signature.parse_line(example).signature
    assert int.from_bytes(signature[:8], "big") == 1679315147  # "time 1679315147" in the spec's message


def test_a_plain_0x01_witness_signature_stored_earlier_still_verifies_and_is_legacy(
    log_keys: tuple[str, str]
) -> None:
    log_skey, log_vkey = log_keys
    old_skey, old_vkey = generate_key("witness.example/old")  # what `decide witness` made before
    note = _signed(_tree(3), 3, log_skey)
    legacy = SignedNote.parse(note).add_signature(sign(SignedNote.parse(note).text, old_skey)).to_bytes()
    assert open_note(legacy, [log_vkey, old_vkey], [log_vkey, old_vkey]).size == 3
    assert VerifierKey.parse(old_vkey).algorithm.legacy
    assert VerifierKey.parse(old_vkey).timestamp(verify_note(legacy, [old_vkey]).signatures[0].signature) is None
    assert not VerifierKey.parse(generate_key("w", ED25519_COSIGNATURE)[1]).algorithm.legacy


def test_witness_state_validation(witness_keys: tuple[str, str]) -> None:
    skey = witness_keys[0]
    with pytest.raises(CheckpointError):
        Witness(skey, last_size=0, last_root=leaf_hash(b"x"))
    with pytest.raises(CheckpointError):
        Witness.from_json("[]", skey)
    with pytest.raises(CheckpointError):
        Witness.from_json('{"size": "3", "root": ""}', skey)
    with pytest.raises(CheckpointError):
        Witness.from_json("not json", skey)


# ---------------------------------------------------------------- key files


def test_private_key_file_mode_and_round_trip(tmp_path: Path, witness_keys: tuple[str, str]) -> None:
    skey, vkey = witness_keys
    path = tmp_path / "witness.key"
    save_private_key(path, skey)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_key(path) == skey
    with pytest.raises(FileExistsError):
        save_private_key(path, skey)
    pub = tmp_path / "witness.pub"
    pub.write_text(vkey + "\n")
    assert load_key(pub) == vkey
    with pytest.raises(CheckpointError):
        save_private_key(tmp_path / "bad.key", vkey)
    assert not (tmp_path / "bad.key").exists()


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_load_key_refuses_group_readable_private_key(tmp_path: Path, witness_keys: tuple[str, str]) -> None:
    path = tmp_path / "loose.key"
    path.write_text(witness_keys[0] + "\n")
    path.chmod(0o644)
    with pytest.raises(CheckpointError, match="mode"):
        load_key(path)
