"""RFC 9162 (Certificate Transparency v2) §2.1 Merkle hash trees.

Pure functions and two small in-memory structures, standard library only:

* hashing: :func:`leaf_hash`, :func:`node_hash`, :data:`EMPTY_ROOT` (§2.1.1);
* :func:`root` - the Merkle Tree Hash MTH of a list of leaf hashes (§2.1.1),
  computed level by level (iterative, linear time);
* :class:`CompactRange` - the right edge of a growing tree (one hash per set
  bit of the size): O(log n) memory, amortised O(1) hashing per append, the
  root of the current size in O(log n);
* :class:`MerkleTree` - every leaf hash plus every complete subtree hash, so
  that the root at any past size, an inclusion proof (§2.1.3.1) or a
  consistency proof (§2.1.4.1) needs O(log n) stored-hash look-ups and at
  most O(log n) SHA-256 computations;
* verifiers :func:`verify_inclusion` (§2.1.3.2) and :func:`verify_consistency`
  (§2.1.4.2), raising :class:`ProofError` that carries the expected and the
  computed hash.

Hashes are SHA-256 (32 bytes) by default; a :class:`Hasher` names another
32-byte hash of the same construction (``SM3`` for the 国密 log profile,
GB/T 32905), given to the trees and verifiers as ``hasher=``. Leaf *hashes*
are what the tree stores: a caller holding raw entries uses
``hasher.leaf_hash(entry)`` first (or :meth:`MerkleTree.append_data`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from typing import Any

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "SHA256",
    "SM3",
    "CompactRange",
    "Hasher",
    "MerkleTree",
    "ProofError",
    "consistency_proof",
    "inclusion_proof",
    "leaf_hash",
    "node_hash",
    "root",
    "root_from_inclusion_proof",
    "verify_consistency",
    "verify_inclusion",
]

HASH_SIZE = 32
_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"
_sha256 = hashlib.sha256

#: MTH({}) = HASH() - the hash of the empty tree (RFC 9162 §2.1.1).
EMPTY_ROOT: bytes = _sha256(b"").digest()


class Hasher:
    """The hash function HASH of RFC 9162 §2.1.1 with its leaf and node prefixes.

    ``name`` is a :mod:`hashlib` name of a 32-byte hash (``sha256``, ``sm3``).
    """

    __slots__ = ("empty_root", "name", "new")

    def __init__(self, name: str) -> None:
        constructor = getattr(hashlib, name, None)
        self.new: Callable[[bytes], Any] = constructor if constructor is not None else partial(hashlib.new, name)
        if len(self.new(b"").digest()) != HASH_SIZE:
            raise ValueError(f"hash {name} does not give {HASH_SIZE} bytes")
        self.name = name
        #: MTH({}) = HASH(), the root of the empty tree.
        self.empty_root: bytes = self.new(b"").digest()

    def digest(self, data: bytes) -> bytes:
        return bytes(self.new(data).digest())

    def leaf_hash(self, data: bytes) -> bytes:
        """HASH(0x00 || d)."""
        return bytes(self.new(_LEAF_PREFIX + data).digest())

    def node_hash(self, left: bytes, right: bytes) -> bytes:
        """HASH(0x01 || left || right)."""
        return bytes(self.new(_NODE_PREFIX + left + right).digest())

    def __repr__(self) -> str:
        return f"Hasher({self.name!r})"


#: SHA-256 (FIPS 180-4): the default, as RFC 9162 and C2SP specify.
SHA256 = Hasher("sha256")
#: SM3 (GB/T 32905-2016) for the 国密 log profile, through OpenSSL.
SM3 = Hasher("sm3")


class ProofError(Exception):
    """A Merkle proof did not verify.

    ``expected`` is the hash the caller trusted (root, old root, ...) and
    ``computed`` the hash the proof led to; both are ``None`` when the proof
    was refused before any hash was computed (bad sizes or proof length).
    """

    expected: bytes | None
    computed: bytes | None

    def __init__(
        self,
        message: str,
        *,
        expected: bytes | None = None,
        computed: bytes | None = None,
    ) -> None:
        if expected is not None or computed is not None:
            message = f"{message}: expected {_hex(expected)}, computed {_hex(computed)}"
        super().__init__(message)
        self.expected = expected
        self.computed = computed


def _hex(value: bytes | None) -> str:
    return "<none>" if value is None else value.hex()


# --------------------------------------------------------------------------
# Hashing (RFC 9162 §2.1.1)
# --------------------------------------------------------------------------


def leaf_hash(data: bytes) -> bytes:
    """MTH({d(0)}) = HASH(0x00 || d(0)) (RFC 9162 §2.1.1)."""
    return _sha256(_LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """HASH(0x01 || MTH(D[0:k]) || MTH(D[k:n])) (RFC 9162 §2.1.1)."""
    return _sha256(_NODE_PREFIX + left + right).digest()


def _check_hash(value: bytes, what: str) -> None:
    if len(value) != HASH_SIZE:
        raise ValueError(f"{what} must be {HASH_SIZE} bytes, got {len(value)}")


def _largest_power_of_two_below(n: int) -> int:
    """k of RFC 9162 §2.1.1: the largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def root(leaf_hashes: Sequence[bytes], *, hasher: Hasher = SHA256) -> bytes:
    """MTH(D[n]) over already-hashed leaves (RFC 9162 §2.1.1).

    Computed level by level: pair neighbours, carry an odd last node up
    unchanged. This equals the recursive definition with k = the largest
    power of two < n, in n - 1 node hashes and no recursion.
    """
    if not leaf_hashes:
        return hasher.empty_root
    new = hasher.new
    for index, value in enumerate(leaf_hashes):
        if len(value) != HASH_SIZE:
            raise ValueError(f"leaf hash {index} must be {HASH_SIZE} bytes, got {len(value)}")
    level = list(leaf_hashes)
    while len(level) > 1:
        paired = [new(_NODE_PREFIX + level[i] + level[i + 1]).digest() for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]


def _fold_right(hashes: Sequence[bytes], hasher: Hasher = SHA256) -> bytes:
    """Combine the subtree hashes of a tree's right edge, right to left."""
    result = hashes[-1]
    for left in reversed(hashes[:-1]):
        result = hasher.node_hash(left, result)
    return result


# --------------------------------------------------------------------------
# Compact range: the right edge of an append-only tree
# --------------------------------------------------------------------------


class CompactRange:
    """Hashes of the maximal complete subtrees covering leaves [0, size).

    One hash per set bit of ``size``, largest (leftmost) subtree first; e.g.
    size 13 = 8 + 4 + 1 keeps MTH(D[0:8]), MTH(D[8:12]), MTH(D[12:13]).
    Memory O(log n); append costs one leaf push plus one node hash per
    trailing one bit of the old size (amortised one); :meth:`root` folds the
    O(log n) stored hashes. Enough to checkpoint a log without keeping its
    leaves, not enough to produce proofs (use :class:`MerkleTree`).
    """

    __slots__ = ("_hasher", "_hashes", "_size")

    def __init__(self, size: int = 0, hashes: Sequence[bytes] = (), *, hasher: Hasher = SHA256) -> None:
        if size < 0:
            raise ValueError(f"size must be >= 0, got {size}")
        if len(hashes) != size.bit_count():
            raise ValueError(
                f"a compact range of size {size} holds {size.bit_count()} hashes, got {len(hashes)}"
            )
        for value in hashes:
            _check_hash(value, "compact range hash")
        self._size = size
        self._hashes: list[bytes] = list(hashes)
        self._hasher = hasher

    @property
    def size(self) -> int:
        return self._size

    @property
    def hashes(self) -> tuple[bytes, ...]:
        return tuple(self._hashes)

    def append(self, leaf_hash: bytes) -> None:
        """Add one leaf hash, merging equal-size subtrees on the right edge."""
        _check_hash(leaf_hash, "leaf hash")
        value = leaf_hash
        carry = self._size
        while carry & 1:
            value = self._hasher.node_hash(self._hashes.pop(), value)
            carry >>= 1
        self._hashes.append(value)
        self._size += 1

    def extend(self, leaf_hashes: Iterable[bytes]) -> None:
        for value in leaf_hashes:
            self.append(value)

    def root(self) -> bytes:
        """MTH(D[0:size]) (RFC 9162 §2.1.1)."""
        if not self._hashes:
            return self._hasher.empty_root
        return _fold_right(self._hashes, self._hasher)

    def __repr__(self) -> str:
        return f"CompactRange(size={self._size}, root={self.root().hex()})"


# --------------------------------------------------------------------------
# Full tree with cached complete subtrees
# --------------------------------------------------------------------------


class MerkleTree:
    """Append-only Merkle tree keeping every complete subtree hash.

    ``_levels[h]`` is a bytearray of concatenated 32-byte hashes: entry ``i``
    is MTH of leaves [i * 2**h, (i + 1) * 2**h). Level 0 holds the leaf
    hashes. A node is stored as soon as both of its children exist, so the
    hash of any aligned complete subtree inside the current size is one
    slice, and any MTH(D[a:b]) met by the RFC 9162 algorithms is at most
    log2(n) slices and node hashes.

    Memory: n + n/2 + n/4 + ... < 2n hashes of 32 bytes, i.e. about 64 bytes
    per leaf (≈ 64 MiB for 1M leaves, plus bytearray over-allocation of at
    most ~1/8), against ~73 bytes per *hash* for a list of ``bytes``
    objects. Appending costs one node hash per trailing one bit of the old
    size (amortised one hash per leaf).
    """

    __slots__ = ("_hasher", "_levels")

    def __init__(self, leaf_hashes: Iterable[bytes] = (), *, hasher: Hasher = SHA256) -> None:
        self._levels: list[bytearray] = [bytearray()]
        self._hasher = hasher
        self.extend(leaf_hashes)

    @property
    def hasher(self) -> Hasher:
        return self._hasher

    @classmethod
    def from_data(cls, entries: Iterable[bytes], *, hasher: Hasher = SHA256) -> MerkleTree:
        """Build a tree from raw entries (hashing each with the hasher's leaf hash)."""
        return cls((hasher.leaf_hash(entry) for entry in entries), hasher=hasher)

    # -- growth -------------------------------------------------------------

    @property
    def size(self) -> int:
        return len(self._levels[0]) // HASH_SIZE

    def __len__(self) -> int:
        return self.size

    @property
    def nbytes(self) -> int:
        """Bytes of stored hashes (all levels; excludes over-allocation)."""
        return sum(len(level) for level in self._levels)

    def append(self, leaf_hash: bytes) -> int:
        """Append one leaf hash; return its index."""
        _check_hash(leaf_hash, "leaf hash")
        index = self.size
        self._levels[0] += leaf_hash
        self._build_parents()
        return index

    def append_data(self, entry: bytes) -> int:
        """Append the leaf hash of ``entry``; return its index."""
        return self.append(self._hasher.leaf_hash(entry))

    def extend(self, leaf_hashes: Iterable[bytes]) -> None:
        """Append many leaf hashes, hashing new parents one level at a time."""
        batch = list(leaf_hashes)
        if not batch:
            return
        joined = b"".join(batch)
        if len(joined) != HASH_SIZE * len(batch):
            for position, value in enumerate(batch):
                _check_hash(value, f"leaf hash {position} of the batch")
        self._levels[0] += joined
        self._build_parents()

    def _build_parents(self) -> None:
        """Hash every parent whose two children now exist, bottom-up."""
        new = self._hasher.new
        height = 0
        while True:
            children = self._levels[height]
            if height + 1 == len(self._levels):
                self._levels.append(bytearray())
            parents = self._levels[height + 1]
            have = len(parents) // HASH_SIZE
            want = len(children) // (2 * HASH_SIZE)
            if want == have:
                if not parents:
                    self._levels.pop()
                return
            pair = 2 * HASH_SIZE
            parents += b"".join(
                [
                    new(_NODE_PREFIX + children[offset : offset + pair]).digest()
                    for offset in range(have * pair, want * pair, pair)
                ]
            )
            height += 1

    # -- look-ups -----------------------------------------------------------

    def leaf_hash_at(self, index: int) -> bytes:
        if not 0 <= index < self.size:
            raise IndexError(f"leaf index {index} outside tree of size {self.size}")
        return self._node(0, index)

    def _node(self, height: int, index: int) -> bytes:
        offset = index * HASH_SIZE
        return bytes(self._levels[height][offset : offset + HASH_SIZE])

    def _range_hash(self, start: int, end: int) -> bytes:
        """MTH(D[start:end]) for 0 <= start < end <= size.

        ``start`` must be a multiple of the smallest power of two >= end -
        start, which holds for every subtree the RFC 9162 recursions visit.
        The range then splits into aligned complete subtrees of decreasing
        size (one per set bit of end - start), each a single stored node.
        """
        parts: list[bytes] = []
        position = start
        remaining = end - start
        while remaining:
            chunk = 1 << (remaining.bit_length() - 1)
            height = chunk.bit_length() - 1
            parts.append(self._node(height, position >> height))
            position += chunk
            remaining -= chunk
        return _fold_right(parts, self._hasher)

    def _check_size(self, size: int) -> None:
        if not 0 <= size <= self.size:
            raise ValueError(f"tree size {size} outside 0..{self.size}")

    def root_at(self, size: int) -> bytes:
        """MTH(D[0:size]) for any past size (RFC 9162 §2.1.1)."""
        self._check_size(size)
        if size == 0:
            return self._hasher.empty_root
        return self._range_hash(0, size)

    def root(self) -> bytes:
        return self.root_at(self.size)

    def compact_range(self, size: int | None = None) -> CompactRange:
        """The :class:`CompactRange` of the tree at ``size`` (default: now)."""
        size = self.size if size is None else size
        self._check_size(size)
        hashes: list[bytes] = []
        position = 0
        remaining = size
        while remaining:
            chunk = 1 << (remaining.bit_length() - 1)
            height = chunk.bit_length() - 1
            hashes.append(self._node(height, position >> height))
            position += chunk
            remaining -= chunk
        return CompactRange(size, hashes, hasher=self._hasher)

    # -- proofs -------------------------------------------------------------

    def inclusion_proof(self, index: int, size: int) -> list[bytes]:
        """PATH(m, D[n]) of RFC 9162 §2.1.3.1, with m = index, n = size.

        PATH(m, D[n]) = PATH(m, D[0:k]) : MTH(D[k:n])     if m < k
                      = PATH(m - k, D[k:n]) : MTH(D[0:k]) if m >= k
        unrolled: siblings are collected root-first and returned leaf-first.
        """
        self._check_size(size)
        if not 0 <= index < size:
            raise ValueError(f"leaf index {index} outside tree of size {size}")
        siblings: list[bytes] = []
        start, end = 0, size
        while end - start > 1:
            k = _largest_power_of_two_below(end - start)
            if index < start + k:
                siblings.append(self._range_hash(start + k, end))
                end = start + k
            else:
                siblings.append(self._range_hash(start, start + k))
                start += k
        siblings.reverse()
        return siblings

    def consistency_proof(self, old_size: int, new_size: int) -> list[bytes]:
        """PROOF(m, D[n]) = SUBPROOF(m, D[n], true) of RFC 9162 §2.1.4.1.

        SUBPROOF(m, D[m], true)  = {}
        SUBPROOF(m, D[m], false) = {MTH(D[m])}
        SUBPROOF(m, D[n], b) = SUBPROOF(m, D[0:k], b) : MTH(D[k:n])         m <= k
                             = SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k]) m > k
        An empty list is returned for old_size 0 or old_size == new_size
        (nothing to prove; §2.1.4.1 defines PROOF for 0 < m < n only).
        """
        self._check_size(new_size)
        if not 0 <= old_size <= new_size:
            raise ValueError(f"old size {old_size} must be within 0..new size {new_size}")
        if old_size in (0, new_size):
            return []
        tail: list[bytes] = []
        start, end = 0, new_size
        whole_old_tree = True  # the flag b of SUBPROOF
        while old_size - start != end - start:
            k = _largest_power_of_two_below(end - start)
            if old_size - start <= k:
                tail.append(self._range_hash(start + k, end))
                end = start + k
            else:
                tail.append(self._range_hash(start, start + k))
                start += k
                whole_old_tree = False
        head = [] if whole_old_tree else [self._range_hash(start, end)]
        tail.reverse()
        return head + tail


# --------------------------------------------------------------------------
# Proof generation over a plain list (convenience)
# --------------------------------------------------------------------------


def _as_tree(source: Sequence[bytes] | MerkleTree, size: int) -> MerkleTree:
    if isinstance(source, MerkleTree):
        return source
    if not 0 <= size <= len(source):
        raise ValueError(f"tree size {size} outside 0..{len(source)}")
    return MerkleTree(source[:size])


def inclusion_proof(index: int, size: int, source: Sequence[bytes] | MerkleTree) -> list[bytes]:
    """PATH(index, D[size]) (RFC 9162 §2.1.3.1) from a tree or leaf hashes.

    With a list of leaf hashes a temporary :class:`MerkleTree` is built
    (O(size)); keep a :class:`MerkleTree` to answer many queries.
    """
    return _as_tree(source, size).inclusion_proof(index, size)


def consistency_proof(old_size: int, new_size: int, source: Sequence[bytes] | MerkleTree) -> list[bytes]:
    """PROOF(old_size, D[new_size]) (RFC 9162 §2.1.4.1)."""
    return _as_tree(source, new_size).consistency_proof(old_size, new_size)


# --------------------------------------------------------------------------
# Verification
# --------------------------------------------------------------------------


def _inclusion_proof_split(index: int, size: int) -> tuple[int, int]:
    """(inner, border) sizes of PATH(index, D[size]).

    ``inner`` counts the levels below the point where the path to the leaf
    and the path to the last leaf diverge (one sibling each); ``border`` the
    left-sibling subtrees above it, one per set bit of ``index >> inner``.
    This is the number of iterations of the RFC 9162 §2.1.3.2 loop.
    """
    inner = (index ^ (size - 1)).bit_length()
    return inner, (index >> inner).bit_count()


def _inclusion_proof_length(index: int, size: int) -> int:
    inner, border = _inclusion_proof_split(index, size)
    return inner + border


def _consistency_proof_length(old_size: int, new_size: int) -> int:
    """Hashes in PROOF(old_size, D[new_size]) for 0 < old_size < new_size.

    The proof is the inclusion path of leaf old_size - 1, minus the levels
    inside the complete subtree ending at old_size (its trailing zero bits),
    plus that subtree's own hash unless it is the whole old tree
    (old_size a power of two, RFC 9162 §2.1.4.2 step 2).
    """
    inner, border = _inclusion_proof_split(old_size - 1, new_size)
    shift = (old_size & -old_size).bit_length() - 1
    seed = 0 if old_size == 1 << shift else 1
    return seed + inner - shift + border


def _check_proof_hashes(proof: Sequence[bytes], what: str) -> None:
    for position, value in enumerate(proof):
        if len(value) != HASH_SIZE:
            raise ProofError(f"{what} proof element {position} is {len(value)} bytes, expected {HASH_SIZE}")


def root_from_inclusion_proof(
    leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], *, hasher: Hasher = SHA256
) -> bytes:
    """The root an inclusion proof leads to (RFC 9162 §2.1.3.2 steps 1-4).

    Raises :class:`ProofError` when sizes or the proof length are impossible.
    """
    if not 0 <= index < size:
        # §2.1.3.2 step 1: leaf_index >= tree_size fails.
        raise ProofError(f"leaf index {index} outside tree of size {size}")
    if len(leaf_hash) != HASH_SIZE:
        raise ProofError(f"leaf hash is {len(leaf_hash)} bytes, expected {HASH_SIZE}")
    _check_proof_hashes(proof, "inclusion")
    want = _inclusion_proof_length(index, size)
    if len(proof) != want:
        raise ProofError(
            f"inclusion proof for leaf {index} in tree of size {size} has "
            f"{len(proof)} hashes, expected {want}"
        )
    node = hasher.node_hash
    fn, sn = index, size - 1  # step 2
    r = leaf_hash  # step 3
    for p in proof:  # step 4
        if sn == 0:  # 4a
            raise ProofError(f"inclusion proof for leaf {index} in tree of size {size} is too long")
        if fn & 1 or fn == sn:  # 4b
            r = node(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node(r, p)
        fn >>= 1  # 4c
        sn >>= 1
    if sn != 0:  # step 5
        raise ProofError(f"inclusion proof for leaf {index} in tree of size {size} is too short")
    return r


def verify_inclusion(
    leaf_hash: bytes,
    index: int,
    size: int,
    proof: Sequence[bytes],
    root: bytes,
    *,
    hasher: Hasher = SHA256,
) -> None:
    """Verify an inclusion proof (RFC 9162 §2.1.3.2); raise :class:`ProofError`.

    On a root mismatch the error has ``expected=root`` and
    ``computed=`` the root the proof leads to.
    """
    computed = root_from_inclusion_proof(leaf_hash, index, size, proof, hasher=hasher)
    if computed != root:  # §2.1.3.2 step 5
        raise ProofError(
            f"inclusion proof for leaf {index} in tree of size {size} leads to a different root",
            expected=root,
            computed=computed,
        )


def _roots_from_consistency_proof(
    old_size: int, new_size: int, old_root: bytes, proof: Sequence[bytes], hasher: Hasher
) -> tuple[bytes, bytes]:
    """fr and sr of RFC 9162 §2.1.4.2 for 0 < old_size < new_size."""
    path = list(proof)
    if not path:  # step 1
        raise ProofError(f"consistency proof from size {old_size} to {new_size} is empty")
    want = _consistency_proof_length(old_size, new_size)
    if len(path) != want:
        raise ProofError(
            f"consistency proof from size {old_size} to {new_size} has {len(path)} hashes, expected {want}"
        )
    if old_size & (old_size - 1) == 0:  # step 2: first is a power of 2
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1  # step 3
    while fn & 1:  # step 4
        fn >>= 1
        sn >>= 1
    node = hasher.node_hash
    fr = sr = path[0]  # step 5
    for c in path[1:]:  # step 6
        if sn == 0:  # 6a
            raise ProofError(f"consistency proof from size {old_size} to {new_size} is too long")
        if fn & 1 or fn == sn:  # 6b
            fr = node(c, fr)
            sr = node(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node(sr, c)
        fn >>= 1  # 6c
        sn >>= 1
    if sn != 0:  # step 7
        raise ProofError(f"consistency proof from size {old_size} to {new_size} is too short")
    return fr, sr


def verify_consistency(
    old_size: int,
    new_size: int,
    old_root: bytes,
    new_root: bytes,
    proof: Sequence[bytes],
    *,
    hasher: Hasher = SHA256,
) -> None:
    """Verify a consistency proof (RFC 9162 §2.1.4.2); raise :class:`ProofError`.

    Edge cases outside §2.1.4.2 (which assumes 0 < first < second), as
    transparency-dev/merkle ``RootFromConsistencyProof`` decides them:
    ``old_size > new_size`` is refused (a log never shrinks); equal sizes
    need an empty proof and equal roots; a proof from the empty tree
    (``old_size == 0 < new_size``) is refused as meaningless: every tree
    extends the empty one, so it proves nothing, and a first checkpoint must
    be trusted explicitly instead.
    """
    if old_size < 0 or new_size < 0:
        raise ProofError(f"negative tree size ({old_size}, {new_size})")
    if old_size > new_size:
        raise ProofError(
            f"tree shrank from size {old_size} to {new_size}",
            expected=old_root,
            computed=new_root,
        )
    for value, what in ((old_root, "old root"), (new_root, "new root")):
        if len(value) != HASH_SIZE:
            raise ProofError(f"{what} is {len(value)} bytes, expected {HASH_SIZE}")
    _check_proof_hashes(proof, "consistency")
    if old_size == new_size:
        if proof:
            raise ProofError(
                f"consistency proof from size {old_size} to {new_size} must be empty, has {len(proof)} hashes"
            )
        if old_root != new_root:
            raise ProofError(
                f"same size {old_size} but different roots (old root expected, new root computed)",
                expected=old_root,
                computed=new_root,
            )
        return
    if old_size == 0:
        raise ProofError(
            f"consistency proof from the empty tree (size 0) to size {new_size} is meaningless: "
            "every tree extends the empty one; trust a first checkpoint explicitly instead"
        )
    fr, sr = _roots_from_consistency_proof(old_size, new_size, old_root, proof, hasher)
    if fr != old_root:  # step 7
        raise ProofError(
            f"consistency proof from size {old_size} to {new_size} does not reproduce the old root",
            expected=old_root,
            computed=fr,
        )
    if sr != new_root:  # step 7
        raise ProofError(
            f"consistency proof from size {old_size} to {new_size} does not reproduce the new root",
            expected=new_root,
            computed=sr,
        )
