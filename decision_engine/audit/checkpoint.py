"""Signed checkpoints of the audit log: C2SP tlog-checkpoint over signed notes.

Formats (all text UTF-8, lines end in U+000A):

* checkpoint body (c2sp.org/tlog-checkpoint)::

      <origin>
      <tree size, decimal, no leading zeros>
      <base64 of the 32-byte RFC 9162 §2.1.1 root hash MTH(D[size])>
      [extension lines, non-empty, optional]

* signed note (c2sp.org/signed-note, golang.org/x/mod/sumdb/note): the text,
  one blank line, then one or more signature lines
  ``— <key name> <base64(4-byte key id || signature)>`` (em dash U+2014);
* keys: key id = H(name || 0x0A || signature type || public key)[:4];
  verifier key ``<name>+<hex key id>+<base64(signature type || public key)>``;
  signer key ``PRIVATE+KEY+<name>+<hex key id>+<base64(signature type || private key)>``.

Signature types (an :class:`Algorithm`):

* ``0x01`` Ed25519 note signatures over the note text (H = SHA-256);
* ``0x04`` C2SP tlog-cosignature/v1 with Ed25519 (H = SHA-256): the signed
  message is ``cosignature/v1\n`` + ``time <unix seconds>\n`` + the note
  text, and the signature is the 8-byte big-endian timestamp followed by the
  64-byte signature, so clients can tell how fresh a cosignature is;
* the 国密 profile (GB/T 32918 SM2 with SM3 and the default user ID
  ``1234567812345678``, H = SM3), under the signed-note type ``0xff``
  "reserved for signature types without an identifier byte", followed by a
  newline-terminated identifier: ``0xff decide/sm2-sm3/v1\n`` for note
  signatures and ``0xff decide/sm2-sm3-cosignature/v1\n`` for cosignatures
  (same message and timestamp as cosignature/v1). SM2 signatures are r || s,
  32 bytes each; keys are the 32-byte private scalar and the 65-byte
  uncompressed public point.

A witness (:class:`Witness`) cosigns only after it verified the log's
signature and an RFC 9162 §2.1.4 consistency proof from the last checkpoint
it cosigned; its first checkpoint is accepted only when the caller says so
explicitly (there is no proof from the empty tree). Plain 0x01 signature
lines that older witnesses stored still verify (:attr:`Algorithm.legacy`).

The standard library and ``cryptography`` (Ed25519) are used; SM2 comes
from ``gmalg`` (pure Python), imported only for the 国密 profile.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from decision_engine.audit.merkle import (
    HASH_SIZE,
    SHA256,
    SM3,
    Hasher,
    ProofError,
    verify_consistency,
)

__all__ = [
    "ALGORITHMS",
    "ALG_ED25519",
    "ED25519",
    "ED25519_COSIGNATURE",
    "MAX_SIGNATURES",
    "PROFILES",
    "SHA256_ED25519",
    "SM2",
    "SM2_COSIGNATURE",
    "SM2_USER_ID",
    "SM3_SM2",
    "Algorithm",
    "Checkpoint",
    "CheckpointError",
    "Profile",
    "Signature",
    "SignedNote",
    "SignerKey",
    "VerifierKey",
    "Witness",
    "cosignature_message",
    "generate_key",
    "key_id",
    "load_key",
    "open_note",
    "profile_of_key",
    "save_private_key",
    "sign",
    "verifier_key",
    "verify_note",
]

#: Signature type identifier of Ed25519 note signatures (signed-note spec).
ALG_ED25519 = 0x01
#: Signature lines accepted per note (the spec asks for at least 16; Go's
#: sumdb/note accepts 100).
MAX_SIGNATURES = 100
_KEY_ID_SIZE = 4
_TIMESTAMP_SIZE = 8
_MAX_TIMESTAMP = 2**63 - 1
#: The standard's default user ID (GB/T 35276-2017 §5.4.3; OpenSSL ``distid``).
SM2_USER_ID = b"1234567812345678"
_SIGNATURE_PREFIX = "\u2014 "  # em dash, space
_PRIVATE_PREFIX = "PRIVATE+KEY+"
_DECIMAL = re.compile(r"0|[1-9][0-9]*")
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f]")


class CheckpointError(ValueError):
    """A key, note or checkpoint is malformed, unsigned, badly signed, or
    (for a witness) inconsistent with what was cosigned before."""


# --------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------


def _b64encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _b64decode(text: str, what: str) -> bytes:
    """Strict standard base64 (RFC 4648 §4): alphabet, padding, canonical."""
    try:
        data = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError) as exc:
        raise CheckpointError(f"{what} is not valid base64: {text!r}") from exc
    if _b64encode(data) != text:
        raise CheckpointError(f"{what} is not canonical base64: {text!r}")
    return data


def _is_valid_name(name: str) -> bool:
    """Key names are non-empty, with no Unicode spaces and no '+'."""
    return (
        bool(name)
        and "+" not in name
        and not any(ch.isspace() for ch in name)
        and _CONTROL.search(name) is None
    )


def _check_note_text(data: bytes, what: str) -> str:
    """Valid UTF-8 with no ASCII control character except newline."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CheckpointError(f"{what} is not valid UTF-8") from exc
    match = _CONTROL.search(text)
    if match is not None:
        raise CheckpointError(
            f"{what} contains control character {match.group()!r} at offset {match.start()}"
        )
    return text


# --------------------------------------------------------------------------
# Signature algorithms
# --------------------------------------------------------------------------


def _ed25519_sign(private: bytes, message: bytes) -> bytes:
    return Ed25519PrivateKey.from_private_bytes(private).sign(message)


def _ed25519_verify(public: bytes, message: bytes, signature: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


def _ed25519_public(private: bytes) -> bytes:
    return Ed25519PrivateKey.from_private_bytes(private).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def _ed25519_generate() -> bytes:
    return Ed25519PrivateKey.generate().private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())


def _gmalg() -> Any:
    try:
        import gmalg
    except ImportError as exc:  # pragma: no cover - the 国密 profile needs it
        raise CheckpointError("SM2 keys need the gmalg package (pip install gmalg)") from exc
    return gmalg


def _sm2_sign(private: bytes, message: bytes) -> bytes:
    """SM2 signature (GB/T 32918.2 §6.1) with e = SM3(Z_A || M), Z_A for the default user ID; r || s."""
    signer = _gmalg().SM2(private, SM2_USER_ID, _sm2_public(private))
    r, s = signer.sign(message)  # k from secrets.randbits (gmalg's default)
    return bytes(r).rjust(32, b"\0") + bytes(s).rjust(32, b"\0")


def _sm2_verify(public: bytes, message: bytes, signature: bytes) -> bool:
    if len(signature) != 64 or len(public) != 65 or public[0] != 0x04:
        return False
    try:
        return bool(_gmalg().SM2(uid=SM2_USER_ID, pk=public).verify(message, signature[:32], signature[32:]))
    except Exception:  # a point not on the curve, say: not a valid signature
        return False


@lru_cache(maxsize=64)
def _sm2_public(private: bytes) -> bytes:
    """The public point d·G (one scalar multiplication, kept: a log signs with the same key again and again)."""
    gmalg = _gmalg()
    d = int.from_bytes(private, "big")
    if not 1 <= d < _SM2_ORDER - 1:
        raise CheckpointError("SM2 private key is outside [1, n - 2]")
    return bytes(gmalg.SM2(pc_mode=gmalg.PC_MODE.RAW).generate_pk(private))


def _sm2_generate() -> bytes:
    return (secrets.randbelow(_SM2_ORDER - 2) + 1).to_bytes(32, "big")


#: The order n of the SM2 recommended curve (GB/T 32918.5).
_SM2_ORDER = 0xFFFFFFFE_FFFFFFFF_FFFFFFFF_FFFFFFFF_7203DF6B_21C6052B_53BBF409_39D54123


@dataclass(frozen=True, slots=True)
class Algorithm:
    """A signed-note signature type: its identifier bytes, key and signature sizes, and operations."""

    code: bytes
    label: str
    public_size: int
    private_size: int
    signature_size: int
    key_hash: Hasher
    cosignature: bool
    _sign: Any = field(repr=False, compare=False)
    _verify: Any = field(repr=False, compare=False)
    _public: Any = field(repr=False, compare=False)
    _generate: Any = field(repr=False, compare=False)

    @property
    def legacy(self) -> bool:
        """A plain note signature where a witness should give a timestamped cosignature."""
        return not self.cosignature

    def sign(self, private: bytes, message: bytes) -> bytes:
        return bytes(self._sign(private, message))

    def verify(self, public: bytes, message: bytes, signature: bytes) -> bool:
        return len(signature) == self.signature_size and bool(self._verify(public, message, signature))

    def public_key(self, private: bytes) -> bytes:
        return bytes(self._public(private))

    def generate(self) -> bytes:
        return bytes(self._generate())

    def __str__(self) -> str:
        return self.label


ED25519 = Algorithm(bytes([ALG_ED25519]), "Ed25519 (0x01)", 32, 32, 64, SHA256, False,
                    _ed25519_sign, _ed25519_verify, _ed25519_public, _ed25519_generate)
ED25519_COSIGNATURE = Algorithm(b"\x04", "Ed25519 cosignature/v1 (0x04)", 32, 32, 64, SHA256, True,
                                _ed25519_sign, _ed25519_verify, _ed25519_public, _ed25519_generate)
SM2 = Algorithm(b"\xffdecide/sm2-sm3/v1\n", "SM2-with-SM3 (GB/T 32918)", 65, 32, 64, SM3, False,
                _sm2_sign, _sm2_verify, _sm2_public, _sm2_generate)
SM2_COSIGNATURE = Algorithm(b"\xffdecide/sm2-sm3-cosignature/v1\n", "SM2-with-SM3 cosignature/v1", 65, 32, 64,
                            SM3, True, _sm2_sign, _sm2_verify, _sm2_public, _sm2_generate)
#: Every signature type a key may name, longest identifier first (for prefix parsing).
ALGORITHMS: tuple[Algorithm, ...] = (SM2_COSIGNATURE, SM2, ED25519_COSIGNATURE, ED25519)
#: The witness cosignature type that goes with a log key's type.
_COSIGNATURE_FOR = {ED25519.code: ED25519_COSIGNATURE, SM2.code: SM2_COSIGNATURE}


@dataclass(frozen=True, slots=True)
class Profile:
    """A log profile: the hash of the chain and the tree, the log's signature type, the witnesses' type, and
    the checkpoint extension lines that name it (none for the default, which is plain C2SP)."""

    name: str
    hasher: Hasher
    note: Algorithm
    cosignature: Algorithm
    extensions: tuple[str, ...]

    def check_checkpoint(self, checkpoint: Checkpoint) -> None:
        """The checkpoint names this profile (and no other) in its extension lines."""
        named = tuple(line for line in checkpoint.extensions if line.startswith(_PROFILE_LINE))
        if named != self.extensions:
            raise CheckpointError(
                f"checkpoint of size {checkpoint.size} names profile {named or 'none'}, its log key is "
                f"{self.note} (profile {self.name}: {self.extensions or 'no profile line'})"
            )


_PROFILE_LINE = "profile "
SHA256_ED25519 = Profile("sha256-ed25519", SHA256, ED25519, ED25519_COSIGNATURE, ())
SM3_SM2 = Profile("sm3-sm2", SM3, SM2, SM2_COSIGNATURE, (_PROFILE_LINE + "sm3-sm2",))
PROFILES = {p.name: p for p in (SHA256_ED25519, SM3_SM2)}


def profile_of_key(verifier_key: str) -> Profile:
    """The profile a log key belongs to (an Ed25519 key: SHA-256; an SM2 key: SM3)."""
    algorithm = VerifierKey.parse(verifier_key).algorithm
    for profile in PROFILES.values():
        if algorithm is profile.note:
            return profile
    raise CheckpointError(f"a {algorithm} key is a witness key, not a log key")


def cosignature_message(text: bytes, timestamp: int) -> bytes:
    """``cosignature/v1\\ntime <timestamp>\\n`` followed by the note text (c2sp.org/tlog-cosignature)."""
    return b"cosignature/v1\ntime " + str(timestamp).encode("ascii") + b"\n" + text


def key_id(name: str, public_key: bytes, algorithm: Algorithm = ED25519) -> bytes:
    """H(name || 0x0A || signature type || public key)[:4]; H is SHA-256 (SM3 for the SM2 types)."""
    return algorithm.key_hash.digest(name.encode("utf-8") + b"\n" + algorithm.code + public_key)[:_KEY_ID_SIZE]


def _split_key(text: str, parts: int, what: str) -> list[str]:
    """Split at the first ``parts - 1`` pluses: the base64 key material,
    last, may itself contain '+' (as golang.org/x/mod/sumdb/note ``chop``)."""
    fields = text.split("+", parts - 1)
    if len(fields) != parts:
        raise CheckpointError(f"{what} must have {parts} '+'-separated fields, got {len(fields)}")
    return fields


def _parse_key_fields(name: str, hex_id: str, b64: str, what: str, private: bool) -> tuple[bytes, Algorithm, bytes]:
    if not _is_valid_name(name):
        raise CheckpointError(f"{what}: invalid key name {name!r}")
    if not re.fullmatch(r"[0-9a-f]{8}", hex_id):
        raise CheckpointError(f"{what}: key id must be 8 lower-case hex digits")
    raw = _b64decode(b64, f"{what} key material")
    for algorithm in ALGORITHMS:
        if raw.startswith(algorithm.code):
            material = raw[len(algorithm.code):]
            size = algorithm.private_size if private else algorithm.public_size
            if len(material) != size:
                raise CheckpointError(f"{what}: {algorithm} key material must be {size} bytes, got {len(material)}")
            return bytes.fromhex(hex_id), algorithm, material
    known = ", ".join(str(a) for a in ALGORITHMS)
    raise CheckpointError(f"{what}: unknown signature type {raw[:1].hex()} (known: {known})")


# --------------------------------------------------------------------------
# Keys
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class VerifierKey:
    """A parsed ``<name>+<hex key id>+<base64(signature type || public key)>``."""

    name: str
    key_id: bytes
    public_key: bytes
    algorithm: Algorithm = ED25519

    @classmethod
    def parse(cls, text: str) -> VerifierKey:
        name, hex_id, b64 = _split_key(text, 3, "verifier key")
        claimed, algorithm, public_key = _parse_key_fields(name, hex_id, b64, "verifier key", False)
        computed = key_id(name, public_key, algorithm)
        if claimed != computed:
            raise CheckpointError(
                f"verifier key {name}: key id {claimed.hex()} does not match "
                f"the key (computed {computed.hex()})"
            )
        return cls(name, claimed, public_key, algorithm)

    def encode(self) -> str:
        material = self.algorithm.code + self.public_key
        return f"{self.name}+{self.key_id.hex()}+{_b64encode(material)}"

    def verify(self, message: bytes, signature: bytes) -> bool:
        """Verify a signature over a note text; a cosignature's timestamp prefix is part of it."""
        if self.algorithm.cosignature:
            timestamp = self.timestamp(signature)
            if timestamp is None:
                return False
            message = cosignature_message(message, timestamp)
            signature = signature[_TIMESTAMP_SIZE:]
        return self.algorithm.verify(self.public_key, message, signature)

    def timestamp(self, signature: bytes) -> int | None:
        """The POSIX time a cosignature carries (None for a plain note signature or a bad one)."""
        if not self.algorithm.cosignature or len(signature) != _TIMESTAMP_SIZE + self.algorithm.signature_size:
            return None
        value = int.from_bytes(signature[:_TIMESTAMP_SIZE], "big")
        return value if value <= _MAX_TIMESTAMP else None

    def __str__(self) -> str:
        return f"{self.name}+{self.key_id.hex()}"


@dataclass(frozen=True, slots=True)
class SignerKey:
    """A parsed ``PRIVATE+KEY+<name>+<hex key id>+<base64(signature type || private key)>``."""

    name: str
    key_id: bytes
    seed: bytes
    algorithm: Algorithm = ED25519

    @classmethod
    def parse(cls, text: str) -> SignerKey:
        fields = _split_key(text, 5, "signer key")
        if fields[0] != "PRIVATE" or fields[1] != "KEY":
            raise CheckpointError("signer key must start with PRIVATE+KEY+")
        name, hex_id, b64 = fields[2:]
        claimed, algorithm, seed = _parse_key_fields(name, hex_id, b64, "signer key", True)
        computed = key_id(name, algorithm.public_key(seed), algorithm)
        if claimed != computed:
            # The id hashes the *public* key: check it after deriving it.
            raise CheckpointError(
                f"signer key {name}: key id {claimed.hex()} does not match "
                f"the key (computed {computed.hex()})"
            )
        return cls(name, claimed, seed, algorithm)

    def encode(self) -> str:
        material = self.algorithm.code + self.seed
        return f"{_PRIVATE_PREFIX}{self.name}+{self.key_id.hex()}+{_b64encode(material)}"

    def verifier(self) -> VerifierKey:
        return VerifierKey(self.name, self.key_id, self.algorithm.public_key(self.seed), self.algorithm)

    def sign(self, message: bytes) -> bytes:
        """Raw signature of ``message`` (Ed25519: RFC 8032; SM2: r || s)."""
        return self.algorithm.sign(self.seed, message)

    def cosign(self, text: bytes, timestamp: int) -> bytes:
        """The timestamped_signature of c2sp.org/tlog-cosignature: u64 timestamp || signature."""
        if not self.algorithm.cosignature:
            raise CheckpointError(f"key {self.name} is a {self.algorithm} key, not a cosignature key")
        if isinstance(timestamp, bool) or not isinstance(timestamp, int) or not 0 <= timestamp <= _MAX_TIMESTAMP:
            raise CheckpointError(f"cosignature timestamp must be an integer in 0..2^63-1, got {timestamp!r}")
        signature = self.sign(cosignature_message(text, timestamp))
        return timestamp.to_bytes(_TIMESTAMP_SIZE, "big") + signature

    def __repr__(self) -> str:  # never print the seed
        return f"SignerKey(name={self.name!r}, key_id={self.key_id.hex()}, algorithm={self.algorithm})"


def verifier_key(name: str, public_key: bytes, algorithm: Algorithm = ED25519) -> str:
    """Encode a raw public key as a verifier key string."""
    if not _is_valid_name(name):
        raise CheckpointError(f"invalid key name {name!r}")
    if len(public_key) != algorithm.public_size:
        raise CheckpointError(f"{algorithm} public key must be {algorithm.public_size} bytes, got {len(public_key)}")
    return VerifierKey(name, key_id(name, public_key, algorithm), public_key, algorithm).encode()


def generate_key(name: str, algorithm: Algorithm = ED25519) -> tuple[str, str]:
    """A fresh note key pair of the given signature type: ``(signer_key, verifier_key)``."""
    if not _is_valid_name(name):
        raise CheckpointError(f"invalid key name {name!r}")
    seed = algorithm.generate()
    public_key = algorithm.public_key(seed)
    ident = key_id(name, public_key, algorithm)
    signer = SignerKey(name, ident, seed, algorithm)
    return signer.encode(), VerifierKey(name, ident, public_key, algorithm).encode()


# --------------------------------------------------------------------------
# Signed notes
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Signature:
    """One signature line: key name, 4-byte key id and raw signature."""

    name: str
    key_id: bytes
    signature: bytes

    def __post_init__(self) -> None:
        if not _is_valid_name(self.name):
            raise CheckpointError(f"invalid key name {self.name!r}")
        if len(self.key_id) != _KEY_ID_SIZE:
            raise CheckpointError(f"key id must be {_KEY_ID_SIZE} bytes, got {len(self.key_id)}")
        if not self.signature:
            raise CheckpointError(f"empty signature from key {self.name}")

    @classmethod
    def parse_line(cls, line: str) -> Signature:
        """Parse ``— <name> <base64>`` (a trailing newline is allowed)."""
        if line.endswith("\n"):
            line = line[:-1]
        if not line.startswith(_SIGNATURE_PREFIX):
            raise CheckpointError(f"signature line must start with an em dash and a space: {line!r}")
        name, sep, b64 = line[len(_SIGNATURE_PREFIX) :].partition(" ")
        if not sep or not b64:
            raise CheckpointError(f"signature line has no signature: {line!r}")
        raw = _b64decode(b64, f"signature of key {name!r}")
        if len(raw) <= _KEY_ID_SIZE:
            raise CheckpointError(f"signature of key {name!r} is {len(raw)} bytes, too short")
        return cls(name, raw[:_KEY_ID_SIZE], raw[_KEY_ID_SIZE:])

    def line(self) -> str:
        """The signature line, newline included."""
        payload = _b64encode(self.key_id + self.signature)
        return f"{_SIGNATURE_PREFIX}{self.name} {payload}\n"

    def __str__(self) -> str:
        return f"{self.name}+{self.key_id.hex()}"


@dataclass(frozen=True, slots=True)
class SignedNote:
    """A note text (ending in a newline) and its signatures, in order."""

    text: bytes
    signatures: tuple[Signature, ...] = ()

    def __post_init__(self) -> None:
        if not self.text.endswith(b"\n"):
            raise CheckpointError("note text must end with a newline")
        _check_note_text(self.text, "note text")
        if len(self.signatures) > MAX_SIGNATURES:
            raise CheckpointError(f"note has {len(self.signatures)} signatures, more than {MAX_SIGNATURES}")

    @classmethod
    def parse(cls, note: bytes) -> SignedNote:
        """Split a note at its *last* blank line into text and signatures."""
        _check_note_text(note, "note")
        split = note.rfind(b"\n\n")
        if split < 0:
            raise CheckpointError("note has no blank line before its signatures")
        text, block = note[: split + 1], note[split + 2 :]
        if not block or not block.endswith(b"\n"):
            raise CheckpointError("note signature block is empty or not newline-terminated")
        lines = block.decode("utf-8").split("\n")[:-1]
        if len(lines) > MAX_SIGNATURES:
            raise CheckpointError(f"note has {len(lines)} signatures, more than {MAX_SIGNATURES}")
        return cls(text, tuple(Signature.parse_line(line) for line in lines))

    def to_bytes(self) -> bytes:
        if not self.signatures:
            raise CheckpointError("a signed note needs at least one signature")
        lines = "".join(signature.line() for signature in self.signatures)
        return self.text + b"\n" + lines.encode("utf-8")

    def add_signature(self, signature: Signature | str) -> SignedNote:
        """A copy with ``signature`` (a :class:`Signature` or a line) added.

        An earlier signature by the same key (name and key id) is replaced.
        """
        if isinstance(signature, str):
            signature = Signature.parse_line(signature)
        kept = tuple(s for s in self.signatures if (s.name, s.key_id) != (signature.name, signature.key_id))
        return SignedNote(self.text, (*kept, signature))


def sign(body: bytes, signer_key: str, *, timestamp: int | None = None) -> str:
    """Sign a note text with a signer key; return the signature line.

    The line ends with a newline, so ``body + b"\\n" + line.encode()`` is a
    complete signed note. A cosignature key (type 0x04, or the SM2
    cosignature type) needs ``timestamp`` (POSIX seconds), which the line
    carries (c2sp.org/tlog-cosignature); a plain note key takes none.
    """
    if not body.endswith(b"\n"):
        raise CheckpointError("note text must end with a newline")
    _check_note_text(body, "note text")
    signer = SignerKey.parse(signer_key)
    if signer.algorithm.cosignature:
        if timestamp is None:
            raise CheckpointError(f"key {signer.name} makes cosignatures: a timestamp is required")
        return Signature(signer.name, signer.key_id, signer.cosign(body, timestamp)).line()
    if timestamp is not None:
        raise CheckpointError(f"key {signer.name} is a plain {signer.algorithm} note key: it signs no timestamp")
    return Signature(signer.name, signer.key_id, signer.sign(body)).line()


def _known_keys(verifiers: Sequence[str]) -> dict[tuple[str, bytes], VerifierKey]:
    known: dict[tuple[str, bytes], VerifierKey] = {}
    for text in verifiers:
        key = VerifierKey.parse(text)
        other = known.get((key.name, key.key_id))
        if other is not None and other.public_key != key.public_key:
            raise CheckpointError(f"ambiguous verifier keys for {key}")
        known[(key.name, key.key_id)] = key
    return known


def verify_note(note: bytes, verifiers: Sequence[str], required: Sequence[str] = ()) -> SignedNote:
    """Parse a signed note and check its signatures against known keys.

    Returns the note with only the verified signatures (each key once).
    Signatures from unknown keys are ignored (signed-note spec); a signature
    from a known key that fails to verify rejects the whole note, as does a
    note with no verified signature. ``required`` lists key names or
    verifier key strings (the latter are added to the known keys) that must
    each have a verified signature.
    """
    parsed = SignedNote.parse(note)
    known = _known_keys([*verifiers, *(r for r in required if "+" in r)])
    verified: dict[tuple[str, bytes], Signature] = {}
    for signature in parsed.signatures:
        key = known.get((signature.name, signature.key_id))
        if key is None:
            continue
        if not key.verify(parsed.text, signature.signature):
            raise CheckpointError(f"invalid signature for key {key}")
        verified.setdefault((key.name, key.key_id), signature)
    if not verified:
        present = ", ".join(str(s) for s in parsed.signatures)
        wanted = ", ".join(str(k) for k in known.values()) or "<none>"
        raise CheckpointError(f"note has no verified signature: signed by [{present}], known keys [{wanted}]")
    for requirement in required:
        if "+" in requirement:
            key = VerifierKey.parse(requirement)
            ok = (key.name, key.key_id) in verified
            label = str(key)
        else:
            if not any(k.name == requirement for k in known.values()):
                raise CheckpointError(f"required key {requirement!r} is not among the verifier keys")
            ok = any(name == requirement for name, _ in verified)
            label = requirement
        if not ok:
            raise CheckpointError(f"missing signature from required key {label}")
    return SignedNote(parsed.text, tuple(verified.values()))


# --------------------------------------------------------------------------
# Checkpoints
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """The note text of a c2sp.org/tlog-checkpoint."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for line, what in [(self.origin, "origin")] + [
            (extension, "extension line") for extension in self.extensions
        ]:
            if not line:
                raise CheckpointError(f"checkpoint {what} must be non-empty")
            if "\n" in line:
                raise CheckpointError(f"checkpoint {what} contains a newline")
            _check_note_text(line.encode("utf-8"), f"checkpoint {what}")
        if isinstance(self.size, bool) or not isinstance(self.size, int):
            raise CheckpointError(f"tree size must be an int, got {self.size!r}")
        if self.size < 0:
            raise CheckpointError(f"tree size must be >= 0, got {self.size}")
        if len(self.root) != HASH_SIZE:
            raise CheckpointError(f"root hash must be {HASH_SIZE} bytes, got {len(self.root)}")

    def body(self) -> bytes:
        lines = [self.origin, str(self.size), _b64encode(self.root), *self.extensions]
        return ("\n".join(lines) + "\n").encode("utf-8")

    @classmethod
    def parse(cls, body: bytes) -> Checkpoint:
        """Parse a checkpoint note text; refuse anything not canonical."""
        text = _check_note_text(body, "checkpoint")
        if not text.endswith("\n"):
            raise CheckpointError("checkpoint must end with a newline")
        lines = text[:-1].split("\n")
        if len(lines) < 3:
            raise CheckpointError(f"checkpoint needs origin, size and root lines, got {len(lines)} lines")
        origin, size_text, root_text, *extensions = lines
        if not _DECIMAL.fullmatch(size_text):
            raise CheckpointError(
                f"checkpoint tree size {size_text!r} is not a decimal without leading zeros"
            )
        root = _b64decode(root_text, "checkpoint root hash")
        return cls(origin, int(size_text), root, tuple(extensions))


def open_note(
    note: bytes,
    verifiers: Sequence[str],
    required: Sequence[str] = (),
    *,
    origin: str | None = None,
) -> Checkpoint:
    """Verify a signed checkpoint (see :func:`verify_note`) and parse it.

    ``origin``, when given, must equal the checkpoint's origin line.
    """
    verified = verify_note(note, verifiers, required)
    checkpoint = Checkpoint.parse(verified.text)
    if origin is not None and checkpoint.origin != origin:
        raise CheckpointError(f"checkpoint origin {checkpoint.origin!r}, expected {origin!r}")
    return checkpoint


# --------------------------------------------------------------------------
# Witness
# --------------------------------------------------------------------------


class Witness:
    """Cosigns a log's checkpoints only along one append-only history.

    State: the ``origin`` of the log it follows (adopted from the first
    checkpoint if not given) and the size and root of the last checkpoint it
    cosigned; size 0 means none yet. The first checkpoint is accepted only
    with ``trust_first=True`` (the operator checked it out of band): a
    consistency proof from the empty tree proves nothing. Cosignatures follow
    c2sp.org/tlog-cosignature (``cosignature/v1``, timestamp), with the
    witness key's type matching the log's: Ed25519 (0x04) for an Ed25519
    log, SM2 for an SM2 log (a log never mixes algorithms). The signer key
    is not part of the JSON state: keep it in a 0600 key file.
    """

    __slots__ = ("_signer", "last_root", "last_size", "origin")

    def __init__(
        self,
        signer_key: str,
        *,
        origin: str | None = None,
        last_size: int = 0,
        last_root: bytes | None = None,
    ) -> None:
        self._signer = SignerKey.parse(signer_key)
        if not self._signer.algorithm.cosignature:
            raise CheckpointError(
                f"witness key {self._signer.name} is a plain {self._signer.algorithm} note key; a witness "
                "signs c2sp.org/tlog-cosignature (cosignature/v1 with a timestamp, type 0x04): create a new "
                "key (decide witness init)"
            )
        if last_root is None:
            last_root = self._signer.algorithm.key_hash.empty_root
        if last_size < 0:
            raise CheckpointError(f"last size must be >= 0, got {last_size}")
        if len(last_root) != HASH_SIZE:
            raise CheckpointError(f"last root must be {HASH_SIZE} bytes, got {len(last_root)}")
        if last_size == 0 and last_root not in (SHA256.empty_root, SM3.empty_root):
            raise CheckpointError("the root of the empty tree must be HASH() of the empty string")
        self.origin = origin
        self.last_size = last_size
        self.last_root = last_root

    @property
    def name(self) -> str:
        return self._signer.name

    @property
    def verifier_key(self) -> str:
        return self._signer.verifier().encode()

    def cosign(
        self,
        note: bytes,
        log_verifier_key: str,
        consistency_proof: Sequence[bytes],
        *,
        timestamp: int,
        trust_first: bool = False,
    ) -> str:
        """Verify and cosign a log checkpoint; return the witness's cosignature line.

        Checks, in order: the log's signature (``log_verifier_key`` is
        required) and that its type matches the witness key's, the origin,
        then either ``trust_first`` for a witness that cosigned nothing yet,
        or that the tree did not shrink and
        ``verify_consistency(last_size, size, last_root, root, proof)``
        (RFC 9162 §2.1.4.2, with the log's hash). ``timestamp`` (POSIX
        seconds) goes into the cosignature. State advances only when all pass.
        """
        log_key = VerifierKey.parse(log_verifier_key)
        wanted = _COSIGNATURE_FOR.get(log_key.algorithm.code)
        if wanted is not self._signer.algorithm:
            raise CheckpointError(
                f"refusing to cosign: the log signs with {log_key.algorithm}, this witness with "
                f"{self._signer.algorithm} (a log never mixes algorithms)"
            )
        checkpoint = open_note(note, [log_verifier_key], [log_verifier_key])
        if self.origin is not None and checkpoint.origin != self.origin:
            raise CheckpointError(
                f"refusing to cosign: checkpoint origin {checkpoint.origin!r}, "
                f"this witness follows {self.origin!r}"
            )
        new = f"size {checkpoint.size} (root {checkpoint.root.hex()})"
        if checkpoint.size == 0:
            raise CheckpointError("refusing to cosign: a checkpoint of the empty tree (size 0) commits to nothing")
        if self.last_size == 0:
            if not trust_first:
                raise CheckpointError(
                    f"refusing to cosign {new}: this witness has cosigned no checkpoint of the log yet, and "
                    "there is no consistency proof from the empty tree; check this first checkpoint out of "
                    "band and accept it explicitly (trust_first, `decide witness cosign --trust-first`)"
                )
            if consistency_proof:
                raise CheckpointError("refusing to cosign: a first checkpoint is trusted, not proven (proof given)")
        else:
            if trust_first:
                raise CheckpointError(
                    f"refusing to trust {new} as a first checkpoint: this witness already follows the log "
                    f"at size {self.last_size}; it cosigns only what is consistent with that"
                )
            last = f"size {self.last_size} (root {self.last_root.hex()})"
            if checkpoint.size < self.last_size:
                raise CheckpointError(f"refusing to cosign: tree shrank from last cosigned {last} to {new}")
            if checkpoint.size == self.last_size and checkpoint.root != self.last_root:
                raise CheckpointError(
                    f"refusing to cosign: same size {checkpoint.size} but different "
                    f"root: last cosigned {self.last_root.hex()}, new "
                    f"{checkpoint.root.hex()}"
                )
            try:
                verify_consistency(
                    self.last_size,
                    checkpoint.size,
                    self.last_root,
                    checkpoint.root,
                    consistency_proof,
                    hasher=log_key.algorithm.key_hash,
                )
            except ProofError as exc:
                raise CheckpointError(
                    f"refusing to cosign: {new} is not consistent with last cosigned {last}: {exc}"
                ) from exc
        text = SignedNote.parse(note).text
        line = sign(text, self._signer.encode(), timestamp=timestamp)
        self.origin = checkpoint.origin
        self.last_size = checkpoint.size
        self.last_root = checkpoint.root
        return line

    def state(self) -> dict[str, str | int | None]:
        return {
            "origin": self.origin,
            "size": self.last_size,
            "root": _b64encode(self.last_root),
            "witness": str(self._signer.verifier()),
        }

    def to_json(self) -> str:
        return json.dumps(self.state(), sort_keys=True)

    @classmethod
    def from_json(cls, text: str, signer_key: str) -> Witness:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise CheckpointError(f"witness state is not JSON: {exc}") from exc
        if not isinstance(data, dict):
            raise CheckpointError("witness state must be a JSON object")
        origin = data.get("origin")
        size = data.get("size")
        root = data.get("root")
        if origin is not None and not isinstance(origin, str):
            raise CheckpointError("witness state origin must be a string or null")
        if isinstance(size, bool) or not isinstance(size, int):
            raise CheckpointError("witness state size must be an integer")
        if not isinstance(root, str):
            raise CheckpointError("witness state root must be base64 text")
        witness = cls(
            signer_key,
            origin=origin,
            last_size=size,
            last_root=_b64decode(root, "witness state root"),
        )
        recorded = data.get("witness")
        if recorded is not None and recorded != str(witness._signer.verifier()):
            raise CheckpointError(
                f"witness state belongs to key {recorded}, not {witness._signer.verifier()}"
            )
        return witness

    def __repr__(self) -> str:
        return (
            f"Witness(name={self.name!r}, origin={self.origin!r}, "
            f"last_size={self.last_size}, last_root={self.last_root.hex()})"
        )


# --------------------------------------------------------------------------
# Key files
# --------------------------------------------------------------------------


def save_private_key(path: str | os.PathLike[str], signer_key: str) -> None:
    """Write a signer key to a *new* file created with mode 0o600.

    The mode is given to ``os.open`` (O_CREAT | O_EXCL, no symlink
    following), so the key is never readable by others, not even briefly;
    an existing file is not overwritten (``FileExistsError``).
    """
    SignerKey.parse(signer_key)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(signer_key + "\n")
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        os.unlink(path)
        raise


def load_key(path: str | os.PathLike[str]) -> str:
    """Read a signer or verifier key file and return the validated key string.

    On POSIX a signer key file readable or writable by group or others is
    refused.
    """
    file = Path(path)
    text = file.read_text(encoding="utf-8").strip()
    if text.startswith(_PRIVATE_PREFIX):
        if os.name == "posix":
            mode = file.stat().st_mode & 0o777
            if mode & 0o077:
                raise CheckpointError(f"private key file {file} has mode {mode:#o}, expected 0o600")
        SignerKey.parse(text)
    else:
        VerifierKey.parse(text)
    return text
