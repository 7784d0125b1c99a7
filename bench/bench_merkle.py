"""Benchmark decision_engine.audit.merkle.

Usage: python bench/bench_merkle.py [N=1000000] [QUERIES=1000]

Prints: time to hash and append N leaves (bulk ``extend`` and one-by-one
``append``) and to compute the root; CompactRange append + root; p50/p99 of
inclusion- and consistency-proof generation and verification over QUERIES
random queries on the N-leaf tree.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from decision_engine.audit.merkle import (
    CompactRange,
    MerkleTree,
    leaf_hash,
    root,
    verify_consistency,
    verify_inclusion,
)


def _timed(action: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def _percentiles(samples_ns: list[int]) -> str:
    ordered = sorted(samples_ns)
    p50 = statistics.median(ordered) / 1000
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))] / 1000
    return f"p50 {p50:8.1f} us   p99 {p99:8.1f} us"


def main(argv: list[str]) -> None:
    n = int(argv[1]) if len(argv) > 1 else 1_000_000
    queries = int(argv[2]) if len(argv) > 2 else 1000
    rng = random.Random(9162)
    print(f"N = {n:,} leaves, {queries:,} random queries, Python {sys.version.split()[0]}")

    start = time.perf_counter()
    hashes = [leaf_hash(i.to_bytes(8, "big")) for i in range(n)]
    seconds = time.perf_counter() - start
    print(f"leaf hashing (SHA-256 0x00||d)          {seconds:8.3f} s")

    tree = MerkleTree()
    seconds, _ = _timed(lambda: tree.extend(hashes))
    print(f"MerkleTree.extend (bulk)               {seconds:8.3f} s")
    seconds, tree_root = _timed(tree.root)
    print(f"MerkleTree.root()                      {seconds * 1e6:8.1f} us")
    print(
        f"MerkleTree stored hashes               {tree.nbytes / 2**20:8.1f} MiB ({tree.nbytes / n:.1f} B/leaf)"
    )

    one_by_one = MerkleTree()

    def append_all() -> None:
        for value in hashes:
            one_by_one.append(value)

    seconds, _ = _timed(append_all)
    print(f"MerkleTree.append x N (one by one)     {seconds:8.3f} s")
    assert one_by_one.root() == tree_root

    compact = CompactRange()

    def compact_all() -> None:
        for value in hashes:
            compact.append(value)

    seconds, _ = _timed(compact_all)
    print(f"CompactRange.append x N                {seconds:8.3f} s")
    seconds, compact_root = _timed(compact.root)
    print(f"CompactRange.root()                    {seconds * 1e6:8.1f} us")

    seconds, list_root = _timed(lambda: root(hashes))
    print(f"root(list) level by level              {seconds:8.3f} s")
    assert tree_root == compact_root == list_root

    past_sizes = [rng.randrange(1, n + 1) for _ in range(queries)]
    seconds, _ = _timed(lambda: [tree.root_at(size) for size in past_sizes])
    print(f"root_at(random past size)              {seconds / queries * 1e6:8.1f} us mean")

    gen_incl: list[int] = []
    ver_incl: list[int] = []
    for _ in range(queries):
        index = rng.randrange(n)
        start = time.perf_counter_ns()
        proof = tree.inclusion_proof(index, n)
        gen_incl.append(time.perf_counter_ns() - start)
        start = time.perf_counter_ns()
        verify_inclusion(hashes[index], index, n, proof, tree_root)
        ver_incl.append(time.perf_counter_ns() - start)

    gen_cons: list[int] = []
    ver_cons: list[int] = []
    for _ in range(queries):
        old = rng.randrange(1, n)
        old_root = tree.root_at(old)
        start = time.perf_counter_ns()
        proof = tree.consistency_proof(old, n)
        gen_cons.append(time.perf_counter_ns() - start)
        start = time.perf_counter_ns()
        verify_consistency(old, n, old_root, tree_root, proof)
        ver_cons.append(time.perf_counter_ns() - start)

    print(f"inclusion proof generation             {_percentiles(gen_incl)}")
    print(f"inclusion proof verification           {_percentiles(ver_incl)}")
    print(f"consistency proof generation           {_percentiles(gen_cons)}")
    print(f"consistency proof verification         {_percentiles(ver_cons)}")


if __name__ == "__main__":
    main(sys.argv)
