"""Redaction without breaking proofs: salted commitments of personal fields (issue 7 §6).

The personal data of commenters and hearing participants (name, telephone, address, ID number) never
enters an event. The intake keeps each personal value with a fresh random salt in protected storage,
and the event records only the commitment::

    salt = new_salt()                          # 16+ random bytes, kept with the protected value
    fields["name_commitment"] = commit("张三", salt)    # "c1:<64 hex>" goes into the event

Because the event bytes (hence the hash chain, the RFC 9162 leaf, every checkpoint and every archive
bundle) contain only commitments, a public page or an exported bundle can withhold the personal data
and still verify in full. Whoever is entitled to see a value (the person, a court) is given the value
and its salt, and checks it against the published commitment with :func:`verify`; the commitment
binds the value (collision resistance of SHA-256) and hides it (HMAC keyed by the secret salt: a
short, guessable value such as a phone number cannot be found by trying every candidate without the
salt). Withholding is done by dropping the protected (value, salt) pair from a view; erasing it
(e.g. at the end of a retention period) leaves the record intact and verifiable.

:func:`redact` is the helper an intake uses: it splits plain fields into the public fields (personal
ones replaced by ``<field>_commitment``) and the openings to keep in protected storage.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

__all__ = ["PREFIX", "SALT_BYTES", "Opening", "commit", "new_salt", "redact", "verify"]

#: Commitment scheme version prefix: ``c1:`` = HMAC-SHA256(salt, domain || UTF-8 value).
PREFIX = "c1:"
SALT_BYTES = 16
_DOMAIN = b"decide.commitment.v1\x00"


def new_salt() -> bytes:
    """A fresh random salt (128 bits, from the operating system's CSPRNG)."""
    return secrets.token_bytes(SALT_BYTES)


def commit(value: str, salt: bytes) -> str:
    """The commitment ``c1:<hex>`` to a personal value under a secret salt of at least 16 bytes."""
    if len(salt) < SALT_BYTES:
        raise ValueError(f"salt must be at least {SALT_BYTES} bytes, got {len(salt)}")
    digest = hmac.new(salt, _DOMAIN + value.encode("utf-8"), hashlib.sha256).hexdigest()
    return PREFIX + digest


def verify(commitment: str, value: str, salt: bytes) -> bool:
    """Whether ``value`` and ``salt`` open ``commitment`` (constant-time comparison)."""
    if not commitment.startswith(PREFIX) or len(salt) < SALT_BYTES:
        return False
    return hmac.compare_digest(commit(value, salt), commitment)


@dataclass(frozen=True, slots=True)
class Opening:
    """What protected storage keeps for one redacted field: the value and its salt."""

    field: str
    value: str
    salt: bytes

    def commitment(self) -> str:
        """The commitment this opening opens."""
        return commit(self.value, self.salt)


def redact(fields: Mapping[str, object], personal: Iterable[str]
           ) -> tuple[dict[str, object], tuple[Opening, ...]]:
    """Public fields (each personal field ``f`` replaced by ``f_commitment``) and the openings to keep.

    Only string values are committed; a personal field that is absent is skipped.
    """
    public = dict(fields)
    openings: list[Opening] = []
    for name in personal:
        if name not in public:
            continue
        value = public.pop(name)
        if not isinstance(value, str):
            raise TypeError(f"personal field {name!r} must be a string to be committed, got "
                            f"{type(value).__name__}")
        opening = Opening(name, value, new_salt())
        public[f"{name}_commitment"] = opening.commitment()
        openings.append(opening)
    return public, tuple(openings)
