"""Benchmark the 国密 log profile (SM3, SM2) against the default (SHA-256, Ed25519), in the same run.

Usage: python bench/bench_gm.py [EVENTS=200000] [SIGNATURES=200]

Prints, for each profile, the cost of sequencing (the per-stream hash chain of EVENTS canonical event bodies,
then their RFC 9162 leaf hashes appended to a Merkle tree and the root) and of checkpoint signing and
verification (SIGNATURES signed notes over a checkpoint body), and the ratio SM3/SHA-256 and SM2/Ed25519.
Bodies are real event envelopes (canonical JSON, ~400 bytes); nothing touches a database, so the figures
are the cryptography alone (what the profile changes).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from decision_engine.audit import checkpoint as cp
from decision_engine.audit.canonical import GENESIS, canonical, chain_hash
from decision_engine.audit.merkle import MerkleTree


def _bodies(n: int) -> list[bytes]:
    actor = {"person": "P-0000000001", "role": "drafting_unit", "unit": "某市交通运输局", "name": "张三"}
    return [canonical({"stream": f"decision:MAD-{i // 50:08d}", "seq": i % 50 + 1, "type": "ArtifactRecorded",
                       "v": 1, "at": "2025-03-03T09:00:00+08:00", "actor": actor,
                       "payload": {"artifact_id": f"A-{i:010d}", "kind": "comment_notice", "gate": "S2",
                                   "sha256": "ab" * 32, "size": 1234, "filename": "征求意见公告.pdf"}})
            for i in range(n)]


def _timed(action: Callable[..., object], *args: object) -> float:
    start = time.perf_counter()
    action(*args)
    return time.perf_counter() - start


def _sign(signer: str, body: bytes, n: int, out: list[str]) -> None:
    out.extend(cp.sign(body, signer) for _ in range(n))


def _verify(note: bytes, verifier: str, n: int) -> None:
    for _ in range(n):
        cp.open_note(note, [verifier])


def _sequence(profile: cp.Profile, bodies: list[bytes]) -> None:
    algorithm = profile.hasher.name
    prev = GENESIS
    for i, body in enumerate(bodies):
        prev = chain_hash(GENESIS if i % 50 == 0 else prev, body, algorithm)
    leaf = profile.hasher.leaf_hash
    tree = MerkleTree(hasher=profile.hasher)
    tree.extend([leaf(b) for b in bodies])
    tree.root()


def main() -> None:
    events = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    signatures = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    bodies = _bodies(events)
    print(f"bench_gm: {events} events ({sum(map(len, bodies)) // events} bytes each), {signatures} signatures")
    results: dict[str, dict[str, float]] = {}
    for profile in (cp.SHA256_ED25519, cp.SM3_SM2):
        _sequence(profile, bodies[:1000])  # warm up
        seq_s = min(_timed(_sequence, profile, bodies) for _ in range(2))
        signer, verifier = cp.generate_key("bench.example/log", profile.note)
        body = cp.Checkpoint("bench.example/log", events, profile.hasher.digest(b"root"), profile.extensions).body()
        lines: list[str] = []
        sign_s = _timed(_sign, signer, body, signatures, lines)
        verify_s = _timed(_verify, body + b"\n" + lines[0].encode(), verifier, signatures)
        results[profile.name] = {"seq_us": seq_s / events * 1e6, "events_per_s": events / seq_s,
                                 "sign_ms": sign_s / signatures * 1e3, "verify_ms": verify_s / signatures * 1e3}
        r = results[profile.name]
        print(f"  {profile.name:15s} sequencing {r['seq_us']:6.2f} µs/event ({r['events_per_s']:,.0f} events/s); "
              f"checkpoint sign {r['sign_ms']:7.3f} ms, verify {r['verify_ms']:7.3f} ms")
    base, gm = results["sha256-ed25519"], results["sm3-sm2"]
    print(f"ratios (sm3-sm2 / sha256-ed25519, same run): sequencing {gm['seq_us'] / base['seq_us']:.2f}x, "
          f"checkpoint signing {gm['sign_ms'] / base['sign_ms']:.0f}x, "
          f"checkpoint verification {gm['verify_ms'] / base['verify_ms']:.0f}x")


if __name__ == "__main__":
    main()
