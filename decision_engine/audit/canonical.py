"""Canonical event bytes (RFC 8785 JSON Canonicalization Scheme) and the per-decision hash chain."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import partial
from typing import Any

import orjson
import rfc8785

GENESIS = "0" * 64
CHAIN_DOMAIN = b"decide.event.v1\x00"


_MAX_SAFE = 2**53 - 1  # RFC 8785 numbers are IEEE doubles: larger integers are refused (by rfc8785)
_ASTRAL = "\U00010000"


def canonical(obj: Any) -> bytes:
    """RFC 8785 canonical JSON bytes: what is stored, hashed, logged and archived.

    The `rfc8785` package is the reference. For the values events carry — objects, arrays, strings,
    integers within ±(2^53 − 1), booleans and null, with no key outside the Basic Multilingual Plane —
    orjson with sorted keys writes exactly the same bytes (same string escapes; code-point key order is
    UTF-16 order when no key has a supplementary character) about ten times faster; anything else (a
    float, a big integer, an astral key, a lone surrogate) goes to the reference implementation.
    `tests/property/test_canonical.py` checks the equivalence on generated values."""
    if _plain(obj):
        try:
            return orjson.dumps(obj, option=orjson.OPT_SORT_KEYS)
        except TypeError:  # a lone surrogate: let the reference say what it does with it
            pass
    return rfc8785.dumps(obj)


def _plain(obj: Any) -> bool:
    stack = [obj]
    pop, push = stack.pop, stack.append
    while stack:
        v = pop()
        t = type(v)
        if t is str or t is bool or v is None:
            continue
        if t is int:
            if -_MAX_SAFE <= v <= _MAX_SAFE:
                continue
            return False
        if t is dict:
            for k, item in v.items():
                if type(k) is not str or (k and max(k) >= _ASTRAL):
                    return False
                push(item)
            continue
        if t is list or t is tuple:
            stack.extend(v)
            continue
        return False  # floats and anything else: the reference implementation decides
    return True


def hash_constructor(algorithm: str) -> Callable[[bytes], Any]:
    """``hashlib.sha256`` for ``sha256``; ``hashlib.new(name, data)`` for another 32-byte hash (``sm3``)."""
    constructor = getattr(hashlib, algorithm, None)
    return constructor if constructor is not None else partial(hashlib.new, algorithm)


def chain_hash(prev_hash: str, body: bytes, algorithm: str = "sha256") -> str:
    """HASH over a domain tag, the previous event's hash and this event's canonical bytes; HASH is SHA-256
    (the default log profile) or SM3 (GB/T 32905, the 国密 profile)."""
    if algorithm == "sha256":
        return hashlib.sha256(CHAIN_DOMAIN + bytes.fromhex(prev_hash) + body).hexdigest()
    return str(hashlib.new(algorithm, CHAIN_DOMAIN + bytes.fromhex(prev_hash) + body).hexdigest())


def sha256_hex(data: bytes) -> str:
    """Hex SHA-256 of bytes (artifact content addresses)."""
    return hashlib.sha256(data).hexdigest()
