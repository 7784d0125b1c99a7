"""RFC 9162 §2.1 Merkle tree: published vectors, tampering, properties."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from decision_engine.audit.merkle import (
    EMPTY_ROOT,
    CompactRange,
    MerkleTree,
    ProofError,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root,
    root_from_inclusion_proof,
    verify_consistency,
    verify_inclusion,
)

DATA = Path(__file__).resolve().parent.parent / "data" / "merkle"
REFERENCE: dict[str, Any] = json.loads((DATA / "rfc6962_reference_tree.json").read_text())
LEAVES = [bytes.fromhex(x) for x in REFERENCE["leaves"]]
LEAF_HASHES = [leaf_hash(x) for x in LEAVES]
ROOTS = [bytes.fromhex(x) for x in REFERENCE["roots_by_size"]]
TREE = MerkleTree(LEAF_HASHES)


def _hexes(values: Sequence[str]) -> list[bytes]:
    return [bytes.fromhex(v) for v in values]


INCLUSION = [(v["index"], v["size"], _hexes(v["proof"])) for v in REFERENCE["inclusion_proofs"]]
CONSISTENCY = [(v["size1"], v["size2"], _hexes(v["proof"])) for v in REFERENCE["consistency_proofs"]]


def _ref_mth(d: Sequence[bytes]) -> bytes:
    """Literal recursive MTH of RFC 9162 §2.1.1 (over leaf hashes)."""
    if not d:
        return EMPTY_ROOT
    if len(d) == 1:
        return d[0]
    k = 1 << ((len(d) - 1).bit_length() - 1)
    return node_hash(_ref_mth(d[:k]), _ref_mth(d[k:]))


def _ref_path(m: int, d: Sequence[bytes]) -> list[bytes]:
    """Literal PATH(m, D[n]) of RFC 9162 §2.1.3.1."""
    if len(d) == 1:
        return []
    k = 1 << ((len(d) - 1).bit_length() - 1)
    if m < k:
        return [*_ref_path(m, d[:k]), _ref_mth(d[k:])]
    return [*_ref_path(m - k, d[k:]), _ref_mth(d[:k])]


def _ref_subproof(m: int, d: Sequence[bytes], b: bool) -> list[bytes]:
    """Literal SUBPROOF(m, D[n], b) of RFC 9162 §2.1.4.1."""
    n = len(d)
    if m == n:
        return [] if b else [_ref_mth(d)]
    k = 1 << ((n - 1).bit_length() - 1)
    if m <= k:
        return [*_ref_subproof(m, d[:k], b), _ref_mth(d[k:])]
    return [*_ref_subproof(m - k, d[k:], False), _ref_mth(d[:k])]


def _byte_flips(value: bytes) -> Iterator[bytes]:
    for position in range(len(value)):
        changed = bytearray(value)
        changed[position] ^= 0x01
        yield bytes(changed)


# ---------------------------------------------------------------- vectors


def test_hash_primitives() -> None:
    assert EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert leaf_hash(b"").hex() == REFERENCE["node_hashes"][0][0]
    level0 = _hexes(REFERENCE["node_hashes"][0])
    assert [leaf_hash(x) for x in LEAVES] == level0
    assert node_hash(level0[0], level0[1]).hex() == REFERENCE["node_hashes"][1][0]


@pytest.mark.parametrize("size", range(9))
def test_reference_roots_at_every_size(size: int) -> None:
    assert root(LEAF_HASHES[:size]) == ROOTS[size]
    assert TREE.root_at(size) == ROOTS[size]
    assert MerkleTree(LEAF_HASHES[:size]).root() == ROOTS[size]
    compact = CompactRange()
    compact.extend(LEAF_HASHES[:size])
    assert compact.root() == ROOTS[size]
    assert compact.size == size


@pytest.mark.parametrize("size", range(9))
def test_reference_compact_ranges(size: int) -> None:
    want = _hexes(REFERENCE["compact_trees_by_size"][size])
    compact = CompactRange()
    compact.extend(LEAF_HASHES[:size])
    assert list(compact.hashes) == want
    assert list(TREE.compact_range(size).hashes) == want
    assert CompactRange(size, want).root() == ROOTS[size]


def test_reference_node_hashes_via_subtree_roots() -> None:
    for height, level in enumerate(REFERENCE["node_hashes"]):
        for index, value in enumerate(level):
            width = 1 << height
            subtree = LEAF_HASHES[index * width : (index + 1) * width]
            assert root(subtree).hex() == value


@pytest.mark.parametrize(("index", "size", "proof"), INCLUSION)
def test_reference_inclusion_proofs(index: int, size: int, proof: list[bytes]) -> None:
    assert TREE.inclusion_proof(index, size) == proof
    assert inclusion_proof(index, size, LEAF_HASHES) == proof
    verify_inclusion(LEAF_HASHES[index], index, size, proof, ROOTS[size])
    assert root_from_inclusion_proof(LEAF_HASHES[index], index, size, proof) == ROOTS[size]


@pytest.mark.parametrize(("size1", "size2", "proof"), CONSISTENCY)
def test_reference_consistency_proofs(size1: int, size2: int, proof: list[bytes]) -> None:
    assert TREE.consistency_proof(size1, size2) == proof
    assert consistency_proof(size1, size2, LEAF_HASHES) == proof
    verify_consistency(size1, size2, ROOTS[size1], ROOTS[size2], proof)


def _b64(values: Sequence[str] | None) -> list[bytes]:
    return [base64.b64decode(v) for v in values or []]


@pytest.mark.parametrize(
    "path", sorted((DATA / "transparency-dev" / "testdata" / "inclusion").glob("*/*.json"))
)
def test_transparency_dev_inclusion_files(path: Path) -> None:
    case = json.loads(path.read_text())
    leaf, index, size = base64.b64decode(case["leafHash"]), case["leafIdx"], case["treeSize"]
    proof, want_root = _b64(case["proof"]), base64.b64decode(case["root"])
    assert want_root == ROOTS[size]
    assert leaf == LEAF_HASHES[index]
    assert TREE.inclusion_proof(index, size) == proof
    verify_inclusion(leaf, index, size, proof, want_root)


@pytest.mark.parametrize(
    "path", sorted((DATA / "transparency-dev" / "testdata" / "consistency").glob("*/*.json"))
)
def test_transparency_dev_consistency_files(path: Path) -> None:
    case = json.loads(path.read_text())
    size1, size2 = case["size1"], case["size2"]
    root1, root2 = base64.b64decode(case["root1"]), base64.b64decode(case["root2"])
    proof = _b64(case["proof"])
    assert (root1, root2) == (ROOTS[size1], ROOTS[size2])
    assert TREE.consistency_proof(size1, size2) == proof
    verify_consistency(size1, size2, root1, root2, proof)


# ---------------------------------------------------------------- tampering


@pytest.mark.parametrize(("index", "size", "proof"), INCLUSION)
def test_inclusion_fails_for_every_single_byte_change(index: int, size: int, proof: list[bytes]) -> None:
    leaf, good_root = LEAF_HASHES[index], ROOTS[size]
    for i, element in enumerate(proof):
        for changed in _byte_flips(element):
            bad = [*proof[:i], changed, *proof[i + 1 :]]
            with pytest.raises(ProofError) as info:
                verify_inclusion(leaf, index, size, bad, good_root)
            assert info.value.expected == good_root
            assert info.value.computed is not None and info.value.computed != good_root
    for changed in _byte_flips(good_root):
        with pytest.raises(ProofError) as info:
            verify_inclusion(leaf, index, size, proof, changed)
        assert (info.value.expected, info.value.computed) == (changed, good_root)
        assert changed.hex() in str(info.value) and good_root.hex() in str(info.value)
    for changed in _byte_flips(leaf):
        with pytest.raises(ProofError):
            verify_inclusion(changed, index, size, proof, good_root)


@pytest.mark.parametrize(("index", "size", "proof"), INCLUSION)
def test_inclusion_fails_for_wrong_index_size_or_shape(index: int, size: int, proof: list[bytes]) -> None:
    leaf, good_root = LEAF_HASHES[index], ROOTS[size]
    # As in transparency-dev/merkle proof/verify_test.go: size * 2 and size / 2
    # only. An RFC 9162 proof does not commit to the tree size by itself
    # (size 7 and 8 can give the same path for leaf 0); the root does.
    probes = {
        (index - 1, size),
        (index + 1, size),
        (index ^ 2, size),
        (index, size * 2),
        (index, size // 2),
    } - {(index, size)}
    for bad_index, bad_size in probes:
        with pytest.raises(ProofError):
            verify_inclusion(leaf, bad_index, bad_size, proof, good_root)
    shapes = [
        [*proof, good_root],
        [good_root, *proof],
        [*proof, b""],
        [b"", *proof],
        [*proof, EMPTY_ROOT],
    ]
    if proof:
        shapes += [proof[:-1], proof[1:], [proof[0], EMPTY_ROOT, *proof[1:]]]
    for bad in shapes:
        with pytest.raises(ProofError):
            verify_inclusion(leaf, index, size, bad, good_root)
    with pytest.raises(ProofError):
        verify_inclusion(leaf, index, size, proof, EMPTY_ROOT)
    with pytest.raises(ProofError):
        verify_inclusion(b"WrongLeaf", index, size, proof, good_root)


NONTRIVIAL_CONSISTENCY = [c for c in CONSISTENCY if c[2]]


@pytest.mark.parametrize(("size1", "size2", "proof"), NONTRIVIAL_CONSISTENCY)
def test_consistency_fails_for_every_single_byte_change(size1: int, size2: int, proof: list[bytes]) -> None:
    root1, root2 = ROOTS[size1], ROOTS[size2]
    for i, element in enumerate(proof):
        for changed in _byte_flips(element):
            bad = [*proof[:i], changed, *proof[i + 1 :]]
            with pytest.raises(ProofError) as info:
                verify_consistency(size1, size2, root1, root2, bad)
            assert info.value.expected in (root1, root2)
            assert info.value.computed is not None and info.value.computed != info.value.expected
    for changed in _byte_flips(root1):
        with pytest.raises(ProofError) as info:
            verify_consistency(size1, size2, changed, root2, proof)
        # When size1 is a power of two the old root seeds the path (RFC 9162
        # §2.1.4.2 step 2), so the mismatch shows up on the new root.
        assert info.value.expected in (changed, root2)
        assert info.value.computed is not None and info.value.computed != info.value.expected
    for changed in _byte_flips(root2):
        with pytest.raises(ProofError) as info:
            verify_consistency(size1, size2, root1, changed, proof)
        assert (info.value.expected, info.value.computed) == (changed, root2)
        assert "new root" in str(info.value) and changed.hex() in str(info.value)


@pytest.mark.parametrize(("size1", "size2", "proof"), NONTRIVIAL_CONSISTENCY)
def test_consistency_fails_for_wrong_sizes_or_shape(size1: int, size2: int, proof: list[bytes]) -> None:
    root1, root2 = ROOTS[size1], ROOTS[size2]
    # size2 +- 1 is not probed, for the reason given for inclusion proofs.
    probes = {
        (size1 - 1, size2),
        (size1 + 1, size2),
        (size1 ^ 2, size2),
        (size1, size2 * 2),
        (size1, size2 // 2),
    } - {(size1, size2)}
    for bad1, bad2 in probes:
        with pytest.raises(ProofError):
            verify_consistency(bad1, bad2, root1, root2, proof)
    shapes = [
        [],
        proof[:-1],
        [*proof, b""],
        [*proof, root1],
        [*proof, root2],
        [b"", *proof],
        [root1, *proof],
        [root2, *proof],
        [proof[0], *proof],
    ]
    for bad in shapes:
        with pytest.raises(ProofError):
            verify_consistency(size1, size2, root1, root2, bad)
    with pytest.raises(ProofError):
        verify_consistency(size1, size2, root2, root1, proof)  # swapped roots


def test_a_consistency_proof_from_the_empty_tree_is_refused_as_meaningless() -> None:
    verify_consistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, [])  # equal sizes: nothing to prove, roots equal
    for proof in ([], [EMPTY_ROOT]):
        with pytest.raises(ProofError, match=r"from the empty tree \(size 0\) to size 5 is meaningless") as info:
            verify_consistency(0, 5, EMPTY_ROOT, ROOTS[5], proof)
        assert (info.value.expected, info.value.computed) == (None, None)
    verify_consistency(1, 5, ROOTS[1], ROOTS[5], TREE.consistency_proof(1, 5))  # from size 1: a real proof


def test_consistency_edge_cases() -> None:
    verify_consistency(5, 5, ROOTS[5], ROOTS[5], [])
    with pytest.raises(ProofError, match="shrank"):
        verify_consistency(5, 4, ROOTS[5], ROOTS[4], TREE.consistency_proof(4, 5))
    with pytest.raises(ProofError, match="same size 5") as info:
        verify_consistency(5, 5, ROOTS[5], ROOTS[6], [])
    assert (info.value.expected, info.value.computed) == (ROOTS[5], ROOTS[6])
    assert ROOTS[5].hex() in str(info.value) and ROOTS[6].hex() in str(info.value)
    with pytest.raises(ProofError, match="must be empty"):
        verify_consistency(5, 5, ROOTS[5], ROOTS[5], [EMPTY_ROOT])
    with pytest.raises(ProofError):
        verify_consistency(0, 3, ROOTS[1], ROOTS[3], [])
    with pytest.raises(ProofError, match="is empty"):
        verify_consistency(1, 2, ROOTS[1], ROOTS[2], [])


def test_inclusion_edge_cases() -> None:
    single = leaf_hash(b"data")
    verify_inclusion(single, 0, 1, [], single)
    for index, size in [(0, 0), (1, 0), (2, 1), (1, 1), (-1, 3)]:
        with pytest.raises(ProofError, match="outside tree"):
            verify_inclusion(single, index, size, [], single)
    with pytest.raises(ProofError):
        verify_inclusion(b"", 0, 1, [], single)
    with pytest.raises(ProofError):
        verify_inclusion(single, 0, 1, [], b"")


def test_generation_argument_errors() -> None:
    with pytest.raises(ValueError):
        TREE.inclusion_proof(8, 8)
    with pytest.raises(ValueError):
        TREE.inclusion_proof(0, 9)
    with pytest.raises(ValueError):
        TREE.consistency_proof(5, 4)
    with pytest.raises(ValueError):
        TREE.root_at(9)
    with pytest.raises(ValueError):
        MerkleTree([b"short"])
    with pytest.raises(ValueError):
        CompactRange(3, [EMPTY_ROOT])
    with pytest.raises(IndexError):
        TREE.leaf_hash_at(8)
    assert TREE.consistency_proof(0, 8) == [] and TREE.consistency_proof(8, 8) == []


def test_against_literal_rfc_definitions_exhaustively() -> None:
    hashes = [leaf_hash(i.to_bytes(2, "big")) for i in range(70)]
    tree = MerkleTree()
    for n in range(1, len(hashes) + 1):
        tree.append(hashes[n - 1])
        d = hashes[:n]
        assert tree.root() == _ref_mth(d) == root(d)
        for m in range(n):
            assert tree.inclusion_proof(m, n) == _ref_path(m, d)
        for m in range(1, n):
            assert tree.consistency_proof(m, n) == _ref_subproof(m, d, True)


def test_larger_tree_root_matches() -> None:
    hashes = [leaf_hash(i.to_bytes(4, "big")) for i in (range((1 << 14) + 3))]
    tree = MerkleTree(hashes[:1000])
    tree.extend(hashes[1000:])
    assert tree.root() == root(hashes)
    compact = CompactRange()
    compact.extend(hashes)
    assert compact.root() == root(hashes)
    assert tree.compact_range().hashes == compact.hashes


# ---------------------------------------------------------------- properties

leaf_lists = st.lists(st.binary(max_size=6), max_size=300)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(entries=leaf_lists, split=st.integers(min_value=0, max_value=300))
def test_property_every_proof_verifies(entries: list[bytes], split: int) -> None:
    hashes = [leaf_hash(e) for e in entries]
    n = len(hashes)
    tree = MerkleTree(hashes[:split])
    for value in hashes[split:]:
        tree.append(value)
    compact = CompactRange()
    compact.extend(hashes)
    assert tree.size == n
    assert tree.root() == root(hashes) == compact.root()
    if n == 0:
        assert tree.root() == EMPTY_ROOT
        return
    new_root = tree.root()
    for index in range(n):
        verify_inclusion(hashes[index], index, n, tree.inclusion_proof(index, n), new_root)
    for old in range(1, n + 1):  # from size 0 a proof is meaningless (refused)
        verify_consistency(old, n, tree.root_at(old), new_root, tree.consistency_proof(old, n))


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(min_value=1, max_value=300),
    data=st.data(),
)
def test_property_proofs_at_past_sizes(n: int, data: st.DataObject) -> None:
    hashes = [leaf_hash(i.to_bytes(2, "big")) for i in range(n)]
    tree = MerkleTree(hashes)
    size = data.draw(st.integers(min_value=1, max_value=n))
    index = data.draw(st.integers(min_value=0, max_value=size - 1))
    old = data.draw(st.integers(min_value=1, max_value=size))
    assert tree.root_at(size) == root(hashes[:size])
    verify_inclusion(hashes[index], index, size, tree.inclusion_proof(index, size), root(hashes[:size]))
    verify_consistency(old, size, root(hashes[:old]), root(hashes[:size]), tree.consistency_proof(old, size))


# ---------------------------------------------------------------- the SM3 profile (GB/T 32905)
def _sm3_mth(entries: Sequence[bytes]) -> bytes:
    """RFC 9162 §2.1.1 MTH written out recursively with SM3 from `cryptography` (not our Hasher)."""
    from cryptography.hazmat.primitives import hashes

    def h(data: bytes) -> bytes:
        digest = hashes.Hash(hashes.SM3())
        digest.update(data)
        return digest.finalize()

    if not entries:
        return h(b"")
    if len(entries) == 1:
        return h(b"\x00" + entries[0])
    k = 1 << ((len(entries) - 1).bit_length() - 1)
    return h(b"\x01" + _sm3_mth(entries[:k]) + _sm3_mth(entries[k:]))


def test_an_sm3_tree_follows_rfc_9162_with_sm3_and_its_proofs_verify_only_with_sm3() -> None:
    from decision_engine.audit.merkle import SM3

    tree = MerkleTree.from_data(LEAVES, hasher=SM3)
    for size in range(len(LEAVES) + 1):
        assert tree.root_at(size) == _sm3_mth(LEAVES[:size]) == root(
            [SM3.leaf_hash(x) for x in LEAVES[:size]], hasher=SM3)
    assert tree.root_at(0) == SM3.empty_root != EMPTY_ROOT
    assert tree.compact_range(5).root() == tree.root_at(5)
    proof = tree.inclusion_proof(2, 7)
    verify_inclusion(SM3.leaf_hash(LEAVES[2]), 2, 7, proof, tree.root_at(7), hasher=SM3)
    with pytest.raises(ProofError):
        verify_inclusion(SM3.leaf_hash(LEAVES[2]), 2, 7, proof, tree.root_at(7))  # read as SHA-256
    consistency = tree.consistency_proof(3, 8)
    verify_consistency(3, 8, tree.root_at(3), tree.root_at(8), consistency, hasher=SM3)
    with pytest.raises(ProofError):
        verify_consistency(3, 8, tree.root_at(3), tree.root_at(8), consistency)
