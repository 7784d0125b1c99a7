"""The 国密 log profile's primitives: SM3 (GB/T 32905) against the standard's published values, SM2 with SM3
and the default user ID (GB/T 32918) against an independent implementation, OpenSSL 3, both ways."""

from __future__ import annotations

import base64
import hashlib
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

from decision_engine.audit import checkpoint as cp
from decision_engine.audit.canonical import CHAIN_DOMAIN, chain_hash, hash_constructor
from decision_engine.audit.merkle import SM3

# GB/T 32905-2016 Appendix A: example 1 ("abc") and example 2 (512 bits, "abcd" x 16).
SM3_VECTORS = [
    (b"abc", "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"),
    (b"abcd" * 16, "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"),
]
DISTID = "distid:1234567812345678"
# SubjectPublicKeyInfo prefix: id-ecPublicKey (1.2.840.10045.2.1), curve SM2 (1.2.156.10197.1.301), BIT STRING
SPKI_PREFIX = bytes.fromhex("3059301306072a8648ce3d020106082a811ccf5501822d034200")


@pytest.mark.parametrize(("message", "digest"), SM3_VECTORS)
def test_sm3_gives_the_standards_published_values(message: bytes, digest: str) -> None:
    assert hashlib.new("sm3", message).hexdigest() == digest
    assert SM3.digest(message).hex() == digest  # what the tree and the manifest use
    assert hash_constructor("sm3")(message).hexdigest() == digest  # what verification uses
    h = hashes.Hash(hashes.SM3())  # `cryptography`'s own SM3
    h.update(message)
    assert h.finalize().hex() == digest


def test_the_sm3_chain_hashes_the_same_bytes_as_the_sha256_chain() -> None:
    body, prev = b'{"seq":1}', "ab" * 32
    assert chain_hash(prev, body, "sm3") == hashlib.new("sm3", CHAIN_DOMAIN + bytes.fromhex(prev) + body).hexdigest()
    assert chain_hash(prev, body) == hashlib.sha256(CHAIN_DOMAIN + bytes.fromhex(prev) + body).hexdigest()


def _openssl(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["openssl", *args], cwd=cwd, capture_output=True, text=True, timeout=60)


def _public_pem(path: Path, point: bytes) -> None:
    der = SPKI_PREFIX + point
    path.write_text("-----BEGIN PUBLIC KEY-----\n" + base64.encodebytes(der).decode() + "-----END PUBLIC KEY-----\n")


def _der(raw: bytes) -> bytes:
    return encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))


def _raw(der: bytes) -> bytes:
    r, s = decode_dss_signature(der)
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def test_a_checkpoint_signed_with_our_sm2_key_verifies_with_openssl(tmp_path: Path) -> None:
    skey, vkey = cp.generate_key("gm.example/log", cp.SM2)
    body = cp.Checkpoint("gm.example/log", 5, SM3.digest(b"x"), cp.SM3_SM2.extensions).body()
    line = cp.sign(body, skey)
    assert cp.open_note(body + b"\n" + line.encode(), [vkey]).size == 5
    (tmp_path / "msg").write_bytes(body)
    (tmp_path / "sig.der").write_bytes(_der(cp.Signature.parse_line(line).signature))
    _public_pem(tmp_path / "pub.pem", cp.VerifierKey.parse(vkey).public_key)
    pkeyutl = ("pkeyutl", "-verify", "-pubin", "-inkey", "pub.pem", "-rawin", "-digest", "sm3", "-in", "msg",
               "-sigfile", "sig.der", "-pkeyopt")
    ok = _openssl(*pkeyutl, DISTID, cwd=tmp_path)
    assert ok.returncode == 0 and "Verified Successfully" in ok.stdout, ok.stderr
    dgst = _openssl("dgst", "-sm3", "-verify", "pub.pem", "-sigopt", DISTID, "-signature", "sig.der", "msg",
                    cwd=tmp_path)
    assert dgst.returncode == 0 and "Verified OK" in dgst.stdout, dgst.stderr
    # the user ID is part of what is signed (Z_A): another ID, or another message, does not verify
    assert _openssl(*pkeyutl, "distid:1234567812345679", cwd=tmp_path).returncode != 0
    (tmp_path / "msg").write_bytes(body.replace(b"\n5\n", b"\n6\n"))
    assert _openssl(*pkeyutl, DISTID, cwd=tmp_path).returncode != 0


def test_an_sm2_signature_made_by_openssl_verifies_with_our_key(tmp_path: Path) -> None:
    assert _openssl("genpkey", "-algorithm", "SM2", "-out", "k.pem", cwd=tmp_path).returncode == 0
    assert _openssl("pkey", "-in", "k.pem", "-pubout", "-outform", "DER", "-out", "pub.der",
                    cwd=tmp_path).returncode == 0
    point = (tmp_path / "pub.der").read_bytes()[-65:]
    assert (tmp_path / "pub.der").read_bytes()[:-65] == SPKI_PREFIX
    body = cp.Checkpoint("openssl.example/log", 7, SM3.digest(b"y"), cp.SM3_SM2.extensions).body()
    (tmp_path / "msg").write_bytes(body)
    signed = _openssl("pkeyutl", "-sign", "-inkey", "k.pem", "-rawin", "-digest", "sm3", "-in", "msg",
                      "-out", "sig.der", "-pkeyopt", DISTID, cwd=tmp_path)
    assert signed.returncode == 0, signed.stderr
    vkey = cp.verifier_key("openssl.example/log", point, cp.SM2)
    signature = _raw((tmp_path / "sig.der").read_bytes())
    key = cp.VerifierKey.parse(vkey)
    assert key.verify(body, signature)
    note = body + b"\n" + cp.Signature(key.name, key.key_id, signature).line().encode()
    assert cp.open_note(note, [vkey]).size == 7  # a note signed by OpenSSL opens with our code
    assert not key.verify(body + b"x\n", signature)


def test_an_sm2_cosignature_is_timestamped_and_verifies_with_openssl(tmp_path: Path) -> None:
    skey, vkey = cp.generate_key("gm.example/witness", cp.SM2_COSIGNATURE)
    body = cp.Checkpoint("gm.example/log", 3, SM3.digest(b"z"), cp.SM3_SM2.extensions).body()
    line = cp.sign(body, skey, timestamp=1_765_000_000)
    raw = cp.Signature.parse_line(line).signature
    assert int.from_bytes(raw[:8], "big") == 1_765_000_000 and len(raw) == 8 + 64
    assert cp.VerifierKey.parse(vkey).timestamp(raw) == 1_765_000_000
    (tmp_path / "msg").write_bytes(cp.cosignature_message(body, 1_765_000_000))
    assert (tmp_path / "msg").read_bytes().startswith(b"cosignature/v1\ntime 1765000000\ngm.example/log\n")
    (tmp_path / "sig.der").write_bytes(_der(raw[8:]))
    _public_pem(tmp_path / "pub.pem", cp.VerifierKey.parse(vkey).public_key)
    ok = _openssl("dgst", "-sm3", "-verify", "pub.pem", "-sigopt", DISTID, "-signature", "sig.der", "msg",
                  cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr


def test_sm2_key_ids_hash_with_sm3_and_keys_name_their_type() -> None:
    skey, vkey = cp.generate_key("gm.example/log", cp.SM2)
    key = cp.VerifierKey.parse(vkey)
    material = base64.b64decode(vkey.split("+", 2)[2])
    assert material.startswith(b"\xffdecide/sm2-sm3/v1\n") and material[len(cp.SM2.code):] == key.public_key
    assert key.key_id == hashlib.new("sm3", b"gm.example/log\n" + cp.SM2.code + key.public_key).digest()[:4]
    assert cp.SignerKey.parse(skey).verifier() == key
    assert cp.profile_of_key(vkey) is cp.SM3_SM2
    assert cp.profile_of_key(cp.generate_key("log")[1]) is cp.SHA256_ED25519
    with pytest.raises(cp.CheckpointError, match="witness key, not a log key"):
        cp.profile_of_key(cp.generate_key("w", cp.SM2_COSIGNATURE)[1])


def test_a_checkpoint_must_name_the_profile_its_key_signs_with() -> None:
    root = SM3.digest(b"r")
    cp.SM3_SM2.check_checkpoint(cp.Checkpoint("o", 1, root, ("profile sm3-sm2",)))
    cp.SHA256_ED25519.check_checkpoint(cp.Checkpoint("o", 1, root))
    with pytest.raises(cp.CheckpointError, match="names profile none"):
        cp.SM3_SM2.check_checkpoint(cp.Checkpoint("o", 1, root))
    with pytest.raises(cp.CheckpointError):
        cp.SHA256_ED25519.check_checkpoint(cp.Checkpoint("o", 1, root, ("profile sm3-sm2",)))
