"""The transparency log: every event's canonical bytes as a leaf of one global append-only Merkle tree.

* The sequencer (:func:`sequence`) gives each event not yet logged the next leaf index, in events.id
  order; the leaf is MTH({d}) = HASH(0x00 || d) of the event's stored canonical bytes (RFC 9162
  §2.1.1). Leaf indexes are a primary key and event ids unique, so two concurrent sequencers cannot
  both assign an index: the second fails cleanly and :func:`sequence` reports it as a no-op.
* A checkpoint (:func:`checkpoint`) signs the tree head in the C2SP tlog-checkpoint text (origin, size,
  base64 root) as a C2SP signed note with the log's key, generated on first use under
  ``settings.key_dir`` (private key 0600, public verifier key beside it). The log refuses to sign a tree
  whose root at the last checkpoint's size differs from that checkpoint (a fork).
* Proofs: inclusion of an event (RFC 9162 §2.1.3) and consistency between two sizes (§2.1.4), from an
  in-process :class:`~decision_engine.audit.merkle.MerkleTree` kept in ``ctx.extras`` and extended
  with the leaves appended since.
* Profile: HASH is SHA-256 and the keys Ed25519 by default; a store initialised with the 国密 profile
  (``sm3-sm2``) uses SM3 and SM2, and its checkpoints carry the extension line ``profile sm3-sm2``.
* Witnesses (:func:`cosign_latest`, :func:`add_cosignature`): a second party cosigns a checkpoint only
  after checking consistency with the last one it cosigned (``audit.checkpoint.Witness``); the
  cosignature line is verified and stored, and :func:`signed_note` shows it under the log's signature.
* :func:`verify_log` (part of ``decide verify``): every leaf equals the hash of its event's bytes, every
  checkpoint's signature verifies and its root equals the root recomputed from the events' bytes,
  consecutive checkpoints are consistent, every cosignature verifies.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from decision_engine.adapters import transparency_repo as repo
from decision_engine.adapters.files import atomic_write
from decision_engine.adapters.transparency_repo import Connection
from decision_engine.audit import checkpoint as cp
from decision_engine.audit.findings import Finding
from decision_engine.audit.merkle import MerkleTree, ProofError, verify_consistency
from decision_engine.domain.errors import ConcurrencyConflict, InvalidInput, NotFound, RuleViolation
from decision_engine.services.context import Context

#: Leaves assigned per write transaction (a long backlog never holds one huge transaction).
BATCH = 10_000
#: The stream name findings about the log itself carry (``Finding.seq`` is then a leaf index or a size).
LOG_STREAM = "transparency-log"
PRIVATE_KEY_FILE = "log.key"
PUBLIC_KEY_FILE = "log.pub"

_TREE = "transparency.tree"
_LOCK = "transparency.lock"
_KEYS = "transparency.keys"
_SETUP = threading.Lock()


# ---------------------------------------------------------------------------------------- keys
@dataclass(frozen=True, slots=True)
class LogKeys:
    """The log's note keys: the signer key (secret) and its verifier key (published)."""

    signer: str
    verifier: str


def profile(ctx: Context) -> cp.Profile:
    """The store's log profile: SHA-256 and Ed25519 (default), or SM3 and SM2 (国密)."""
    return cp.PROFILES[ctx.store.profile]


def log_keys(ctx: Context) -> LogKeys:
    """The log's note keys (Ed25519, or SM2 under the 国密 profile), generated on first use (C2SP
    signed-note; key name = origin); a key of another profile's type is refused."""
    cached = ctx.extras.get(_KEYS)
    if isinstance(cached, LogKeys):
        return cached
    key_dir = Path(ctx.settings.key_dir)
    key_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    private = key_dir / PRIVATE_KEY_FILE
    if not private.exists():
        signer, _ = cp.generate_key(ctx.settings.log_origin, profile(ctx).note)
        try:
            cp.save_private_key(private, signer)  # O_CREAT | O_EXCL, mode 0600
        except FileExistsError:
            pass  # another process generated the key first: use that one
    signer = _read_signer(private)
    parsed = cp.SignerKey.parse(signer)
    if parsed.algorithm is not profile(ctx).note:
        raise cp.CheckpointError(f"log key {private} is a {parsed.algorithm} key, the store's log profile "
                                 f"{profile(ctx).name} signs with {profile(ctx).note} (a log never mixes "
                                 "algorithms)")
    verifier = parsed.verifier().encode()
    public = key_dir / PUBLIC_KEY_FILE
    if not public.exists() or public.read_text(encoding="utf-8").strip() != verifier:
        atomic_write(public, verifier + "\n")
    keys = LogKeys(signer, verifier)
    ctx.extras[_KEYS] = keys
    return keys


def public_key(ctx: Context) -> str:
    """The log's verifier key ``<name>+<key id>+<base64 key>`` (what auditors pass to verify-archive)."""
    return log_keys(ctx).verifier


def _read_signer(path: Path) -> str:
    """Load the private key, waiting briefly if another process is still writing it."""
    for _ in range(100):
        try:
            return cp.load_key(path)
        except cp.CheckpointError:
            if path.stat().st_size > 0 and path.read_text(encoding="utf-8").endswith("\n"):
                raise  # complete but invalid (or too permissive): refuse, naming the file
            time.sleep(0.02)
    raise cp.CheckpointError(f"log key file {path} stayed incomplete")


def _known_verifier(ctx: Context) -> str | None:
    """The log's verifier key if one exists on disk (verification never creates keys)."""
    cached = ctx.extras.get(_KEYS)
    if isinstance(cached, LogKeys):
        return cached.verifier
    key_dir = Path(ctx.settings.key_dir)
    if (key_dir / PRIVATE_KEY_FILE).exists():
        return cp.SignerKey.parse(cp.load_key(key_dir / PRIVATE_KEY_FILE)).verifier().encode()
    if (key_dir / PUBLIC_KEY_FILE).exists():
        return cp.load_key(key_dir / PUBLIC_KEY_FILE)
    return None


# ---------------------------------------------------------------------------------------- sequencer
def sequence(ctx: Context, *, limit: int | None = None) -> int:
    """Give the next leaf indexes to events not yet logged, in events.id order; returns how many.

    Idempotent; a concurrent sequencer that assigned the same indexes first makes this run stop
    cleanly (its leaves are already there).
    """
    if limit is not None and limit < 0:
        raise InvalidInput(f"limit must be >= 0, got {limit}")
    total = 0
    logged_upto: int | None = None  # every event with an id <= this is known to be logged
    while limit is None or total < limit:
        want = BATCH if limit is None else min(BATCH, limit - total)
        try:
            with ctx.store.write() as conn:
                added, logged_upto = repo.sequence_batch(conn, want, logged_upto,
                                                         ids_follow_commits=ctx.store.is_sqlite,
                                                         leaf_hash=profile(ctx).hasher.leaf_hash)
        except ConcurrencyConflict:
            return total  # unique leaf_index / event_id: another sequencer logged these events first
        total += added
        if added < want:
            break
    return total


# ---------------------------------------------------------------------------------------- the tree
@contextmanager
def _tree(ctx: Context, conn: Connection) -> Iterator[MerkleTree]:
    """The cached tree, extended with the leaves appended since; held under the cache's lock."""
    with _SETUP:
        lock = ctx.extras.setdefault(_LOCK, threading.Lock())
    with lock:
        tree = ctx.extras.get(_TREE)
        if not isinstance(tree, MerkleTree):
            tree = MerkleTree(hasher=profile(ctx).hasher)
            ctx.extras[_TREE] = tree
        batch: list[bytes] = []
        expected = tree.size
        for index, value in repo.leaves_from(conn, tree.size, BATCH):
            if index != expected:
                raise RuleViolation(f"transparency log: leaf index {index} found where {expected} was "
                                    "expected (leaves removed or inserted)", rule="R18", article="Art. 33")
            batch.append(bytes.fromhex(value))
            expected += 1
            if len(batch) == BATCH:
                tree.extend(batch)
                batch = []
        tree.extend(batch)
        yield tree


def tree_size(ctx: Context) -> int:
    """How many events the log holds."""
    with ctx.store.read() as conn, _tree(ctx, conn) as tree:
        return tree.size


# ---------------------------------------------------------------------------------------- checkpoints
def _row(r: Any, note: str, *, new: bool) -> dict[str, Any]:
    return {"size": int(r.size), "root_hash": r.root_hash, "note": note, "created_at": r.created_at,
            "new": new}


def _checkpoint_row(conn: Connection, size: int | None) -> Any:
    return repo.checkpoint_row(conn, size)


def _with_cosignatures(conn: Connection, row: Any) -> str:
    """The stored note with every stored cosignature line added (signed-note: one signature per key)."""
    note = cp.SignedNote.parse(row.note.encode("utf-8"))
    for line in repo.cosignature_lines(conn, int(row.size)):
        note = note.add_signature(line)
    return note.to_bytes().decode("utf-8")


def checkpoint(ctx: Context) -> dict[str, Any]:
    """Sign the current tree (C2SP tlog-checkpoint); returns the newest checkpoint, new or not.

    No new checkpoint is made if the size is unchanged. Refuses (R18) when the tree at the last
    checkpoint's size no longer has that checkpoint's root: the log never signs a fork.
    """
    keys = log_keys(ctx)
    with ctx.store.read() as conn:
        latest = _checkpoint_row(conn, None)
        with _tree(ctx, conn) as tree:
            size, root = tree.size, tree.root()
            if latest is not None:
                if latest.size > size:
                    raise RuleViolation(f"transparency log holds {size} leaves but checkpoint {latest.size} "
                                        "was signed: leaves were removed; refusing to sign",
                                        rule="R18", article="Art. 33")
                old = tree.root_at(latest.size).hex()
                if old != latest.root_hash:
                    raise RuleViolation(f"transparency log fork: the root at size {latest.size} is now "
                                        f"{old[:16]}…, checkpoint {latest.size} signed "
                                        f"{latest.root_hash[:16]}…; refusing to sign",
                                        rule="R18", article="Art. 33")
        if latest is not None and latest.size == size:
            return _row(latest, _with_cosignatures(conn, latest), new=False)
    body = cp.Checkpoint(ctx.settings.log_origin, size, root, profile(ctx).extensions).body()
    note = (body + b"\n" + cp.sign(body, keys.signer).encode("utf-8")).decode("utf-8")
    at = ctx.now_iso()
    try:
        with ctx.store.write() as conn:
            repo.insert_checkpoint(conn, size, root.hex(), note, at)
    except ConcurrencyConflict:
        pass  # another process signed this size first: return its checkpoint
    with ctx.store.read() as conn:
        row = _checkpoint_row(conn, size)
        if row is None:  # pragma: no cover - the insert above or a concurrent one stored it
            raise NotFound(f"checkpoint {size} vanished")
        return _row(row, _with_cosignatures(conn, row), new=row.created_at == at and row.note == note)


def signed_note(ctx: Context, size: int | None = None) -> str:
    """The signed checkpoint note at a size (default: the newest), with its cosignatures."""
    with ctx.store.read() as conn:
        row = _checkpoint_row(conn, size)
        if row is None:
            raise NotFound("no checkpoint has been signed yet (run `decide checkpoint`)" if size is None
                           else f"no checkpoint of tree size {size}")
        return _with_cosignatures(conn, row)


def checkpoints(ctx: Context) -> list[dict[str, Any]]:
    """Every checkpoint, oldest first, with its cosignatures."""
    with ctx.store.read() as conn:
        return [_row(r, _with_cosignatures(conn, r), new=False) for r in repo.checkpoint_rows(conn)]


# ---------------------------------------------------------------------------------------- proofs
def inclusion_proof(ctx: Context, stream: str, seq: int, size: int | None = None) -> dict[str, Any]:
    """PATH(m, D[n]) for an event (RFC 9162 §2.1.3.1); by default in the newest checkpoint.

    Hashes are lower-case hex; ``leaf_hash`` is recomputed from the event's stored bytes.
    """
    with ctx.store.read() as conn:
        found = repo.event_leaf(conn, stream, seq)
        if found is None:
            raise NotFound(f"no event {stream} seq {seq}")
        if found.leaf_index is None:
            raise NotFound(f"event {stream} seq {seq} is not yet in the transparency log "
                           "(run `decide checkpoint`)")
        index = int(found.leaf_index)
        row = _checkpoint_row(conn, size)
        if size is None:
            if row is None or row.size <= index:
                raise NotFound(f"event {stream} seq {seq} (leaf {index}) is not yet covered by a signed "
                               "checkpoint (run `decide checkpoint`)")
            size = int(row.size)
        with _tree(ctx, conn) as tree:
            if not index < size <= tree.size:
                raise InvalidInput(f"tree size {size} must be > leaf index {index} and <= the log's size "
                                   f"{tree.size}")
            proof = tree.inclusion_proof(index, size)
            root = tree.root_at(size)
        note = _with_cosignatures(conn, row) if row is not None else None
    return {"stream": stream, "seq": seq, "leaf_index": index, "tree_size": size,
            "leaf_hash": profile(ctx).hasher.leaf_hash(bytes(found.body)).hex(), "root_hash": root.hex(),
            "inclusion_proof": [h.hex() for h in proof], "checkpoint": note}


def consistency_proof(ctx: Context, old_size: int, new_size: int) -> dict[str, Any]:
    """PROOF(m, D[n]) between two tree sizes (RFC 9162 §2.1.4.1), with both roots and any checkpoints."""
    with ctx.store.read() as conn:
        with _tree(ctx, conn) as tree:
            if not 0 <= old_size <= new_size <= tree.size:
                raise InvalidInput(f"sizes must satisfy 0 <= old ({old_size}) <= new ({new_size}) <= the "
                                   f"log's size ({tree.size})")
            proof = tree.consistency_proof(old_size, new_size) if 0 < old_size < new_size else []
            old_root, new_root = tree.root_at(old_size), tree.root_at(new_size)
        notes = {}
        for which, size in (("old_checkpoint", old_size), ("new_checkpoint", new_size)):
            row = _checkpoint_row(conn, size)
            notes[which] = _with_cosignatures(conn, row) if row is not None else None
    return {"old_size": old_size, "new_size": new_size, "old_root": old_root.hex(),
            "new_root": new_root.hex(), "consistency_proof": [h.hex() for h in proof], **notes}


# ---------------------------------------------------------------------------------------- witnesses
def add_cosignature(ctx: Context, size: int, witness_key: str, line: str) -> str:
    """Store a witness's cosignature of checkpoint ``size`` after verifying it; returns the note."""
    try:
        key = cp.VerifierKey.parse(witness_key)
        signature = cp.Signature.parse_line(line)
    except cp.CheckpointError as exc:
        raise InvalidInput(f"cosignature of checkpoint {size}: {exc}") from None
    if key.algorithm is not profile(ctx).cosignature:
        raise InvalidInput(f"cosignature of checkpoint {size}: witness key {key} is {key.algorithm}; this log "
                           f"(profile {profile(ctx).name}) takes {profile(ctx).cosignature} cosignatures "
                           "(C2SP tlog-cosignature, with a timestamp)")
    with ctx.store.read() as conn:
        row = _checkpoint_row(conn, size)
        if row is None:
            raise NotFound(f"no checkpoint of tree size {size} to cosign")
        text = cp.SignedNote.parse(row.note.encode("utf-8")).text
        already = repo.has_cosignature(conn, size, key.encode())
    if (signature.name, signature.key_id) != (key.name, key.key_id) or not key.verify(text, signature.signature):
        raise InvalidInput(f"cosignature of checkpoint {size} does not verify with witness key {key}")
    if not already:
        try:
            with ctx.store.write() as conn:
                repo.insert_cosignature(conn, size, key.encode(), signature.line(), ctx.now_iso())
        except ConcurrencyConflict:
            pass  # the same witness cosigned this checkpoint concurrently: one cosignature per key is kept
    return signed_note(ctx, size)


def cosign_latest(ctx: Context, witness: cp.Witness, log_verifier_key: str, *, trust_first: bool = False) -> str:
    """Have a witness cosign the newest checkpoint (C2SP tlog-cosignature, timestamped now); returns the
    cosigned note.

    The witness checks the log's signature and an RFC 9162 §2.1.4 consistency proof from the last
    checkpoint it cosigned (``Witness.cosign``); a history rewritten since then is refused with
    ``CheckpointError``. A witness that cosigned nothing yet needs ``trust_first`` (no proof from the
    empty tree). The caller persists ``witness.to_json()`` afterwards.
    """
    note = signed_note(ctx).encode("utf-8")
    head = cp.Checkpoint.parse(cp.SignedNote.parse(note).text)
    proof: list[bytes] = []
    if 0 < witness.last_size < head.size:
        raw = consistency_proof(ctx, witness.last_size, head.size)["consistency_proof"]
        proof = [bytes.fromhex(h) for h in raw]
    line = witness.cosign(note, log_verifier_key, proof, timestamp=int(ctx.now().timestamp()),
                          trust_first=trust_first)
    return add_cosignature(ctx, head.size, witness.verifier_key, line)


class LogSource(Protocol):
    """A log as a witness elsewhere sees it (``adapters.log_client.HttpLog``)."""

    def checkpoint(self) -> bytes: ...

    def consistency(self, old_size: int, new_size: int) -> list[bytes]: ...


def cosign_remote(source: LogSource, witness: cp.Witness, log_verifier_key: str, *, now: int,
                  trust_first: bool = False) -> tuple[int, str]:
    """A third party's witness: fetch the newest checkpoint and a consistency proof from the last one it
    cosigned, check both itself and cosign (C2SP tlog-cosignature, time ``now``); returns the checkpoint's
    size and the cosignature line, for the log's operator to add (``add_cosignature``)."""
    note = source.checkpoint()
    head = cp.Checkpoint.parse(cp.SignedNote.parse(note).text)
    proof = source.consistency(witness.last_size, head.size) if 0 < witness.last_size < head.size else []
    return head.size, witness.cosign(note, log_verifier_key, proof, timestamp=now, trust_first=trust_first)


# ---------------------------------------------------------------------------------------- verification
def verify_log(ctx: Context) -> list[Finding]:
    """Check the log against the events: leaves, checkpoint signatures and roots, consistency, cosignatures.

    The tree is rebuilt from the events' *bytes* (not from the stored leaf hashes), so an event
    rewritten and re-chained after it was logged shows up both as a leaf mismatch and, once the leaf is
    rewritten too, as a checkpoint whose signed root no longer matches.
    """
    findings: list[Finding] = []
    leaf_hash = profile(ctx).hasher.leaf_hash
    tree = MerkleTree(hasher=profile(ctx).hasher)
    with ctx.store.read() as conn:
        rows = repo.leaves_with_events(conn, BATCH)
        expected = 0
        batch: list[bytes] = []
        for index, stored, event_id, stream, seq, body in rows:
            if index != expected:
                findings.append(Finding(LOG_STREAM, index, f"leaf index {index} follows {expected - 1}: "
                                        f"leaves {expected}..{index - 1} are missing from the log"))
                expected = index
            expected += 1
            if body is None:
                findings.append(Finding(LOG_STREAM, index, f"leaf {index}: its event (id {event_id}) is "
                                        "missing from the events table (deleted after it was logged)"))
                batch.append(bytes.fromhex(stored))
                continue
            computed = leaf_hash(bytes(body))  # RFC 9162 §2.1.1
            if computed.hex() != stored:
                findings.append(Finding(stream, seq, f"transparency log leaf {index}: stored leaf hash "
                                        f"{stored[:16]}… differs from the hash of the event's bytes "
                                        f"{computed.hex()[:16]}… (event rewritten after it was logged)"))
            batch.append(computed)
            if len(batch) == BATCH:
                tree.extend(batch)
                batch = []
        tree.extend(batch)
        signed = repo.checkpoint_rows(conn)
        cosigned = [(r.size, r.witness_key, r.signature) for r in repo.cosignature_rows(conn)]
    findings += _verify_checkpoints(ctx, tree, signed, cosigned)
    return findings


def _verify_checkpoints(ctx: Context, tree: MerkleTree, signed: Sequence[Any],
                        cosigned: Sequence[Any]) -> list[Finding]:
    findings: list[Finding] = []
    if not signed and not cosigned:
        return findings
    try:
        verifier = _known_verifier(ctx)
    except cp.CheckpointError as exc:
        return [Finding(LOG_STREAM, 0, f"the log key in {ctx.settings.key_dir} is unusable: {exc}")]
    if verifier is None:
        return [Finding(LOG_STREAM, 0, f"{len(signed)} checkpoint(s) stored but no log key in "
                        f"{ctx.settings.key_dir} to verify them")]
    texts: dict[int, bytes] = {}
    previous: tuple[int, bytes] | None = None
    for row in signed:
        where = f"checkpoint of tree size {row.size}"
        try:
            head = cp.open_note(row.note.encode("utf-8"), [verifier], [verifier])
        except cp.CheckpointError as exc:
            findings.append(Finding(LOG_STREAM, row.size, f"{where}: signature does not verify with the "
                                    f"log key: {exc}"))
            continue
        texts[row.size] = cp.SignedNote.parse(row.note.encode("utf-8")).text
        try:
            profile(ctx).check_checkpoint(head)
        except cp.CheckpointError as exc:
            findings.append(Finding(LOG_STREAM, row.size, f"{where}: {exc}"))
        if head.size != row.size or head.root.hex() != row.root_hash:
            findings.append(Finding(LOG_STREAM, row.size, f"{where}: the signed note says size {head.size}, "
                                    f"root {head.root.hex()[:16]}…, the row says {row.size}, "
                                    f"{row.root_hash[:16]}…"))
        if head.size > tree.size:
            findings.append(Finding(LOG_STREAM, row.size, f"{where}: the log holds only {tree.size} "
                                    "leaves (leaves removed after signing)"))
            continue
        recomputed = tree.root_at(head.size)
        if recomputed != head.root:
            findings.append(Finding(LOG_STREAM, row.size, f"{where}: signed root {head.root.hex()[:16]}… "
                                    f"differs from the root recomputed from the events' bytes "
                                    f"{recomputed.hex()[:16]}… (history rewritten)"))
        if previous is not None and previous[0] > 0:  # from the empty tree there is nothing to prove
            old_size, old_root = previous
            proof = tree.consistency_proof(old_size, head.size) if old_size < head.size else []
            try:
                verify_consistency(old_size, head.size, old_root, head.root, proof,  # RFC 9162 §2.1.4.2
                                   hasher=tree.hasher)
            except ProofError as exc:
                findings.append(Finding(LOG_STREAM, row.size, f"{where} is not consistent with checkpoint "
                                        f"{old_size}: {exc}"))
        previous = (head.size, head.root)
    for size, witness_key, line in cosigned:
        where = f"cosignature of checkpoint {size} by {witness_key.split('+')[0]}"
        text = texts.get(size)
        if text is None:
            findings.append(Finding(LOG_STREAM, size, f"{where}: no valid checkpoint of that size is stored "
                                    "(checkpoint removed or replaced)"))
            continue
        try:
            key = cp.VerifierKey.parse(witness_key)
            signature = cp.Signature.parse_line(line)
            ok = (signature.name, signature.key_id) == (key.name, key.key_id) and \
                key.verify(text, signature.signature)
        except cp.CheckpointError:
            ok = False
        if not ok:
            findings.append(Finding(LOG_STREAM, size, f"{where}: signature does not verify over the stored "
                                    "checkpoint (checkpoint re-signed after the witness cosigned)"))
    return findings


# ---------------------------------------------------------------------------------------- bulk access
def inclusion_proofs(ctx: Context, leaf_indexes: Sequence[int], size: int) -> list[list[bytes]]:
    """Inclusion proofs of many leaves in one tree size (RFC 9162 §2.1.3.1), one lock, one read."""
    with ctx.store.read() as conn, _tree(ctx, conn) as tree:
        if not 0 <= size <= tree.size:
            raise InvalidInput(f"tree size {size} outside 0..{tree.size}")
        bad = [i for i in leaf_indexes if not 0 <= i < size]
        if bad:
            raise InvalidInput(f"leaf index {bad[0]} outside a tree of size {size}")
        return [tree.inclusion_proof(i, size) for i in leaf_indexes]


def cosignatures(ctx: Context) -> list[dict[str, Any]]:
    """Every stored cosignature: checkpoint size, witness, its type and timestamp; ``legacy`` marks a
    plain signed-note signature (type 0x01, no timestamp) that witnesses wrote before C2SP
    tlog-cosignature: it still verifies (``verify_log``) but says nothing about when it was made."""
    with ctx.store.read() as conn:
        rows = repo.cosignature_rows(conn)
    out: list[dict[str, Any]] = []
    for size, witness_key, line, created_at in rows:
        try:
            key = cp.VerifierKey.parse(witness_key)
            stamp = key.timestamp(cp.Signature.parse_line(line).signature)
            kind, legacy = str(key.algorithm), key.algorithm.legacy
        except cp.CheckpointError as exc:
            kind, legacy, stamp = f"unreadable: {exc}", False, None
        out.append({"size": int(size), "witness": str(witness_key).split("+")[0], "witness_key": witness_key,
                    "type": kind, "legacy": legacy, "timestamp": stamp, "stored_at": created_at})
    return out


def cosigners(ctx: Context, size: int) -> list[str]:
    """The verifier keys of the witnesses that cosigned checkpoint ``size``."""
    with ctx.store.read() as conn:
        return repo.cosigner_keys(conn, size)
