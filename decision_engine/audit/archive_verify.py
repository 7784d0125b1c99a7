"""Offline verifier of a decide archive bundle (档案, Art. 33).

Needs only the standard library, ``cryptography`` (and ``gmalg`` for a 国密 bundle, whose log key is
SM2) and the two pure audit modules ``merkle.py`` (RFC 9162 §2.1) and ``checkpoint.py`` (C2SP
signed-note / tlog-checkpoint): no database, no server, no other engine import. The log key decides the
profile: an Ed25519 key means SHA-256 for the chain, the tree and the manifest; an SM2 key means SM3. Copy the three files into one directory and run::

    python archive_verify.py FILE.zip --key 'decide.local/log+1a2b3c4d+AQ…' [--witness-key K ...]

(or ``decide verify-archive FILE.zip --key PUBKEY`` where the engine is installed). ``--key`` is the
log's verifier key obtained independently of the bundle (the copy under ``keys/`` is informational).

Checks, each printed as it is made; every problem names the member, line or sequence number:

1. the zip opens, every member reads (CRC), no duplicate or unsafe member name;
2. ``manifest.note`` is signed by the log key over ``decide.archive/v1``, the decision id and the
   SHA-256 of ``manifest.json`` (this binds the whole bundle, its length included);
3. every member listed in ``manifest.json`` is present with its SHA-256, and nothing unlisted is;
4. ``events.jsonl``: each line carries the event's canonical bytes verbatim; seq runs 1..n; each
   ``prev_hash`` is the previous ``hash`` (genesis: 64 zeros); each ``hash`` is recomputed as
   SHA-256(``decide.event.v1\\0`` || prev || bytes); the stream is the decision; count and head match
   the manifest;
5. every artifact an ``ArtifactRecorded`` / ``DraftVersionAdded`` event references is present under
   ``artifacts/<sha256>`` with that SHA-256 and size (fields-only ones equal to their fields), and no
   unreferenced artifact is;
6. ``checkpoint.note`` is a C2SP checkpoint signed by the log key (and by every ``--witness-key``);
7. ``renderings.jsonl`` (the stream ``documents:<id>``) chains like events.jsonl;
8. ``proofs.json`` holds an RFC 9162 §2.1.3.2 inclusion proof of every event and rendering, by the leaf
   hash of its bytes (§2.1.1), against that checkpoint's root;
9. every rendered 公文 under ``documents/<id>.html`` and ``.pdf`` has the sha256 and size its
   ``DocumentRendered`` event records, which names its template and template hash and the decision
   event it was rendered from (basis seq, whose chain hash must match) and, if any, the artifact
   (recorded by then); other files under ``documents/`` are attachments covered by the manifest.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import sys
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

try:
    from decision_engine.audit import checkpoint as notes
    from decision_engine.audit import merkle
except ImportError:  # pragma: no cover - copied next to merkle.py and checkpoint.py, engine absent
    import merkle  # type: ignore[no-redef]

    sys.modules.setdefault("decision_engine.audit.merkle", merkle)  # checkpoint.py imports it by name
    import checkpoint as notes  # type: ignore[no-redef]

__all__ = ["ArchiveReport", "Problem", "load_verifier", "main", "verify_archive", "verify_members"]

#: Copied from ``decision_engine.audit.canonical`` (deliberately not imported): the chain's domain tag.
CHAIN_DOMAIN = b"decide.event.v1\x00"
GENESIS = "0" * 64
FORMAT = "decide-archive/v1"
MANIFEST_TAG = "decide.archive/v1"
ARTIFACT_EVENTS = ("ArtifactRecorded", "DraftVersionAdded")
RENDERING_EVENT = "DocumentRendered"
_EVENT_KEY = b',"event":'
_LINE_KEYS = {"seq", "leaf_index", "prev_hash", "hash"}
_SEALS = ("manifest.json", "manifest.note")

Say = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing that does not verify: where (member, line, sequence) and what differs."""

    where: str
    what: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}"


@dataclass
class ArchiveReport:
    """What was checked and every problem found."""

    source: str
    decision_id: str | None = None
    profile: str | None = None
    events: int = 0
    artifacts: int = 0
    renderings: int = 0
    documents: int = 0
    attachments: int = 0
    checkpoint_size: int | None = None
    cosigners: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every check ran and nothing differs."""
        return bool(self.checked) and not self.problems


@dataclass(frozen=True, slots=True)
class _Event:
    line: int
    seq: int
    leaf_index: Any
    body: bytes
    env: dict[str, Any]
    hash: str = ""


class _Run:
    """One verification: the members, the report, and how to print."""

    def __init__(self, members: Mapping[str, bytes], report: ArchiveReport, say: Say,
                 profile: notes.Profile = notes.SHA256_ED25519) -> None:
        self.members = members
        self.report = report
        self.say = say
        self.profile = profile

    def digest(self, data: bytes) -> str:
        """The log profile's hash (SHA-256, or SM3 under 国密): chain, manifest and seal."""
        return self.profile.hasher.digest(data).hex()

    def problem(self, where: str, what: str) -> None:
        self.report.problems.append(Problem(where, what))

    def section(self, title: Callable[[], str], check: Callable[[], None], where: str) -> None:
        """Run one check; a malformed member is a problem, never a crash."""
        before = len(self.report.problems)
        try:
            check()
        except Exception as exc:  # a tampered bundle may break any assumption: report, go on
            self.problem(where, f"malformed: {type(exc).__name__}: {exc}")
        found = self.report.problems[before:]
        try:
            text = title()
        except Exception:
            text = where
        line = f"{'FAIL' if found else 'ok  '} {text}"
        self.report.checked.append(line)
        self.say(line)
        for item in found:
            self.say(f"       {item}")


def load_verifier(value: str) -> str:
    """A verifier key given inline or as the path of a file holding it."""
    path = Path(value)
    if "+" not in value or (len(value) < 4096 and path.is_file()):
        return path.read_text(encoding="utf-8").strip()
    return value.strip()


def verify_archive(source: str | os.PathLike[str] | bytes, key: str, *, witness_keys: Sequence[str] = (),
                   origin: str | None = None, say: Say | None = None) -> ArchiveReport:
    """Verify a bundle (a path or the zip's bytes) with the log's verifier key; never raises on content."""
    report = ArchiveReport("<bytes>" if isinstance(source, bytes) else os.fspath(source))
    emit = say or (lambda _line: None)
    emit(f"archive {report.source}")
    members = _read_zip(source, report)
    if members is None:
        emit(f"FAIL {report.problems[-1]}")
        return report
    return verify_members(members, key, witness_keys=witness_keys, origin=origin, say=emit, report=report)


def verify_members(members: Mapping[str, bytes], key: str, *, witness_keys: Sequence[str] = (),
                   origin: str | None = None, say: Say | None = None,
                   report: ArchiveReport | None = None) -> ArchiveReport:
    """Verify a bundle's members (name → bytes), as read from its zip."""
    report = report or ArchiveReport("<members>")
    run = _Run(members, report, say or (lambda _line: None))
    try:
        log_key = notes.VerifierKey.parse(key)
        run.profile = notes.profile_of_key(key)  # the key obtained independently decides the algorithms
        report.profile = run.profile.name
        for witness in witness_keys:
            notes.VerifierKey.parse(witness)
    except notes.CheckpointError as exc:
        run.problem("--key", f"not a usable verifier key: {exc}")
        run.say(f"FAIL {report.problems[-1]}")
        return report
    manifest: dict[str, Any] = {}
    run.section(lambda: f"manifest.note: signature by {log_key} over decision {manifest.get('decision_id')} "
                f"and the {run.profile.hasher.name} of manifest.json ({run.digest(members['manifest.json'])[:16]}…)",
                lambda: _check_seal(run, key, manifest), "manifest.note")
    run.section(lambda: f"manifest.json: {len(manifest.get('members', {}))} members against their "
                f"{run.profile.hasher.name} (profile {run.profile.name}), "
                "nothing unlisted", lambda: _check_members(run, manifest), "manifest.json")
    events: list[_Event] = []
    run.section(lambda: f"events.jsonl: {len(events)} events of {report.decision_id}: seq 1..{len(events)} "
                "contiguous, prev_hash links, chain hashes recomputed (decide.event.v1)",
                lambda: _check_events(run, manifest, events), "events.jsonl")
    run.section(lambda: f"artifacts: {report.artifacts} referenced by {'/'.join(ARTIFACT_EVENTS)} events: "
                "present, sha256 and size",
                lambda: _check_artifacts(run, manifest, events), "artifacts/")
    heads: list[Any] = []
    run.section(lambda: f"checkpoint.note: tree size {report.checkpoint_size}, signature by {log_key}"
                + (f", cosigned by {', '.join(report.cosigners)}" if report.cosigners else "")
                + (f"; required witnesses {', '.join(str(notes.VerifierKey.parse(w)) for w in witness_keys)}"
                   if witness_keys else ""),
                lambda: _check_checkpoint(run, key, witness_keys, origin, manifest, heads), "checkpoint.note")
    renderings: list[_Event] = []
    run.section(lambda: f"renderings.jsonl: {len(renderings)} renderings of 公文 (stream documents:"
                f"{report.decision_id}): seq contiguous, prev_hash links, chain hashes recomputed",
                lambda: _check_renderings(run, manifest, renderings), "renderings.jsonl")
    run.section(lambda: f"proofs.json: {len(events) + len(renderings)} inclusion proofs (RFC 9162 §2.1.3.2) "
                f"against the root of tree size {report.checkpoint_size}",
                lambda: _check_proofs(run, events, renderings, heads), "proofs.json")
    run.section(lambda: f"documents/: {report.documents - report.attachments} rendered documents (HTML and "
                "PDF) against their renderings' hashes, template and basis in the record"
                + (f"; {report.attachments} attachment(s) covered by the manifest's sha256 list"
                   if report.attachments else ""),
                lambda: _check_documents(run, manifest, events, renderings), "documents/")
    verdict = "OK" if report.ok else f"FAILED: {len(report.problems)} problem(s)"
    run.say(f"{report.events} events, {report.artifacts} artifacts, {report.renderings} renderings, "
            f"{report.documents} documents: {verdict}")
    return report


# ---------------------------------------------------------------------------------------- the zip
def _read_zip(source: str | os.PathLike[str] | bytes, report: ArchiveReport) -> dict[str, bytes] | None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        report.problems.append(Problem("archive", f"not a readable zip file: {exc}"))
        return None
    members: dict[str, bytes] = {}
    with archive:
        for info in archive.infolist():
            name = info.filename
            if name in members:
                report.problems.append(Problem(name, "duplicate member (a second copy could shadow the first)"))
            if name.startswith("/") or "\\" in name or ".." in name.split("/"):
                report.problems.append(Problem(name, "unsafe member name"))
            if info.is_dir():
                continue
            try:
                members[name] = archive.read(info)
            except Exception as exc:  # CRC mismatch, bad compression: the stored bytes were altered
                report.problems.append(Problem(name, f"cannot be read: {exc}"))
    return members


# ---------------------------------------------------------------------------------------- checks
def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _check_seal(run: _Run, key: str, manifest: dict[str, Any]) -> None:
    raw = run.members.get("manifest.json")
    if raw is None:
        run.problem("manifest.json", "missing")
        return
    parsed = json.loads(raw)
    if not isinstance(parsed, dict):
        run.problem("manifest.json", "is not a JSON object")
        return
    manifest.update(parsed)
    if manifest.get("format") != FORMAT:
        run.problem("manifest.json", f"format {manifest.get('format')!r}, expected {FORMAT!r}")
    decision_id = manifest.get("decision_id")
    run.report.decision_id = decision_id if isinstance(decision_id, str) else None
    note = run.members.get("manifest.note")
    if note is None:
        run.problem("manifest.note", "missing: the manifest is not sealed")
        return
    try:
        verified = notes.verify_note(note, [key], [key])
    except notes.CheckpointError as exc:
        run.problem("manifest.note", f"signature does not verify with the log key: {exc}")
        return
    lines = verified.text.decode("utf-8").split("\n")[:-1]
    if len(lines) != 3 or lines[0] != MANIFEST_TAG:
        run.problem("manifest.note", f"not a {MANIFEST_TAG} note")
        return
    if lines[1] != decision_id:
        run.problem("manifest.note", f"sealed for decision {lines[1]!r}, manifest.json says {decision_id!r}")
    if manifest.get("profile", notes.SHA256_ED25519.name) != run.profile.name:
        run.problem("manifest.json", f"says log profile {manifest.get('profile')!r}, the log key is "
                    f"{run.profile.note} (profile {run.profile.name})")
    if lines[2] != run.digest(raw):
        run.problem("manifest.json", f"hash {run.digest(raw)[:16]}… differs from the sealed {lines[2][:16]}… "
                    "(manifest edited)")


def _check_members(run: _Run, manifest: dict[str, Any]) -> None:
    listed = manifest.get("members")
    if not isinstance(listed, dict):
        run.problem("manifest.json", "has no members table")
        return
    for name, digest in sorted(listed.items()):
        data = run.members.get(name)
        if name in _SEALS:
            run.problem("manifest.json", f"lists {name}, which cannot be hashed in the manifest")
        elif data is None:
            run.problem(name, "listed in the manifest but missing (deleted)")
        elif run.digest(data) != digest:
            run.problem(name, f"hash {run.digest(data)[:16]}… differs from the manifest's {str(digest)[:16]}… "
                        "(edited)")
    for name in sorted(run.members):
        if name not in listed and name not in _SEALS:
            run.problem(name, "not listed in the manifest (added)")


def _check_chain(run: _Run, member: str, stream: str, events: list[_Event]) -> str:
    """One stream's lines: contiguous seq, prev_hash links, chain hashes; returns the last hash."""
    data = run.members.get(member)
    if data is None:
        run.problem(member, "missing")
        return GENESIS
    if data and not data.endswith(b"\n"):
        run.problem(member, "does not end with a newline (truncated or appended to)")
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    prev = GENESIS
    for number, line in enumerate(lines, 1):
        try:
            prev = _check_line(run, member, number, line, stream, prev, events) or prev
        except Exception as exc:
            run.problem(f"{member} line {number}", f"malformed: {type(exc).__name__}: {exc}")
    return prev


def _check_events(run: _Run, manifest: dict[str, Any], events: list[_Event]) -> None:
    if "events.jsonl" not in run.members:
        run.problem("events.jsonl", "missing")
        return
    prev = _check_chain(run, "events.jsonl", f"decision:{run.report.decision_id}", events)
    run.report.events = len(events)
    counts = manifest.get("counts") or {}
    if counts.get("events") != len(events):
        run.problem("events.jsonl", f"{len(events)} events, the manifest says {counts.get('events')}")
    head = manifest.get("head") or {}
    if events and (head.get("seq"), head.get("hash")) != (events[-1].seq, prev):
        run.problem("events.jsonl", f"the chain ends at seq {events[-1].seq} hash {prev[:16]}…, the manifest's "
                    f"head is seq {head.get('seq')} hash {str(head.get('hash'))[:16]}… (truncated or extended)")
    if not events:
        run.problem("events.jsonl", "holds no event")


def _check_line(run: _Run, member: str, number: int, line: bytes, stream: str, prev: str,
                events: list[_Event]) -> str | None:
    """One event line; returns its recorded hash (the next line's expected prev_hash)."""
    where = f"{member} line {number}"
    cut = line.find(_EVENT_KEY)
    if cut < 0 or not line.endswith(b"}"):
        run.problem(where, 'not an event line {"seq":…,"event":<canonical bytes>}')
        return None
    head = json.loads(line[:cut] + b"}")
    body = line[cut + len(_EVENT_KEY):-1]
    env = json.loads(body)
    if not isinstance(head, dict) or set(head) != _LINE_KEYS or not isinstance(env, dict):
        run.problem(where, f"expected keys {sorted(_LINE_KEYS)} and an event object")
        return None
    seq = head["seq"]
    where = f"{member} line {number} (seq {seq})"
    if type(seq) is not int or type(head["leaf_index"]) is not int:
        run.problem(where, "seq and leaf_index must be integers")
        return None
    if seq != number:
        run.problem(where, f"sequence {seq} where {number} was expected (event deleted, inserted or reordered)")
    if env.get("seq") != seq:
        run.problem(where, f"the event's bytes say seq {env.get('seq')!r}")
    if env.get("stream") != stream:
        run.problem(where, f"the event belongs to {env.get('stream')!r}, not {stream}")
    if head["prev_hash"] != prev:
        run.problem(where, f"prev_hash {str(head['prev_hash'])[:16]}… does not link to the previous event's "
                    f"hash {prev[:16]}… (event deleted, inserted or reordered)")
    computed = run.digest(CHAIN_DOMAIN + bytes.fromhex(head["prev_hash"]) + body)
    if computed != head["hash"]:
        run.problem(where, f"chain hash differs: recorded {str(head['hash'])[:16]}…, recomputed "
                    f"{computed[:16]}… (event bytes edited)")
    events.append(_Event(number, seq, head["leaf_index"], body, env, str(head["hash"])))
    return str(head["hash"])


def _json_or_none(data: bytes) -> Any:
    try:
        return json.loads(data)
    except ValueError:
        return None


def _check_artifacts(run: _Run, manifest: dict[str, Any], events: list[_Event]) -> None:
    referenced: set[str] = set()
    for event in events:
        if event.env.get("type") not in ARTIFACT_EVENTS:
            continue
        payload = event.env["payload"]
        sha = payload["sha256"]
        where = f"artifacts/{sha} (seq {event.seq}, {payload.get('artifact_id')})"
        if sha in referenced:
            continue
        referenced.add(sha)
        data = run.members.get(f"artifacts/{sha}")
        if data is None:
            run.problem(where, "referenced by the event but missing")
            continue
        if _sha(data) != sha:
            run.problem(where, f"bytes hash to {_sha(data)[:16]}… (artifact changed)")
            continue  # one finding per artifact; changed bytes need not even parse (every artifact is checked)
        if payload.get("size") != len(data):
            run.problem(where, f"{len(data)} bytes, the event records {payload.get('size')}")
        if payload.get("storage") == "inline" and _json_or_none(data) != payload.get("fields"):
            run.problem(where, "fields-only artifact differs from the fields the event records")
    run.report.artifacts = len(referenced)
    counts = manifest.get("counts") or {}
    if counts.get("artifacts") != len(referenced):
        run.problem("artifacts/", f"{len(referenced)} referenced, the manifest counts {counts.get('artifacts')}")
    for name in sorted(run.members):
        if name.startswith("artifacts/") and name[len("artifacts/"):] not in referenced:
            run.problem(name, "not referenced by any event")


def _check_renderings(run: _Run, manifest: dict[str, Any], renderings: list[_Event]) -> None:
    counts = manifest.get("counts") or {}
    if "renderings.jsonl" not in run.members and "renderings" not in counts:
        return  # a bundle from before renderings were archived: its documents/ are attachments
    _check_chain(run, "renderings.jsonl", f"documents:{run.report.decision_id}", renderings)
    run.report.renderings = len(renderings)
    if counts.get("renderings") != len(renderings):
        run.problem("renderings.jsonl", f"{len(renderings)} renderings, the manifest counts {counts.get('renderings')}")


def _check_documents(run: _Run, manifest: dict[str, Any], events: list[_Event], renderings: list[_Event]) -> None:
    """Every rendering's HTML and PDF: present, with the recorded sha256 and size; rendered from an event of
    this decision (basis seq and its chain hash) and, when it names one, from an artifact recorded by then."""
    by_seq = {e.seq: e for e in events}
    artifacts = {e.env["payload"].get("artifact_id"): e.seq for e in events
                 if e.env.get("type") in ARTIFACT_EVENTS and isinstance(e.env.get("payload"), dict)}
    referenced: set[str] = set()
    for event in renderings:
        if event.env.get("type") != RENDERING_EVENT:
            continue
        rec = event.env["payload"]
        where = f"renderings.jsonl seq {event.seq} (document {rec.get('id')}, {rec.get('doc_kind')})"
        if rec.get("decision_id") != run.report.decision_id:
            run.problem(where, f"rendered for decision {rec.get('decision_id')!r}")
        template = rec.get("template_hash")
        if not isinstance(template, str) or len(template) != 64 or not rec.get("template_name"):
            run.problem(where, "does not name its template and template hash")
        basis = by_seq.get(rec.get("basis_seq"))
        if basis is None:
            run.problem(where, f"rendered from decision event seq {rec.get('basis_seq')!r}, which events.jsonl "
                        "does not hold")
        elif basis.hash != rec.get("basis_hash"):
            run.problem(where, f"rendered from seq {basis.seq} with hash {str(rec.get('basis_hash'))[:16]}…, the "
                        f"chain has {basis.hash[:16]}… there (record changed after rendering)")
        source = rec.get("artifact_id")
        if source and (source not in artifacts or artifacts[source] > int(rec.get("basis_seq") or 0)):
            run.problem(where, f"made from artifact {source!r}, not recorded by seq {rec.get('basis_seq')}")
        for fmt in ("html", "pdf"):
            name = f"documents/{rec.get('id')}.{fmt}"
            referenced.add(name)
            data = run.members.get(name)
            if data is None:
                run.problem(name, f"the {fmt} of the rendering at renderings.jsonl seq {event.seq} is missing")
            elif _sha(data) != rec.get(f"{fmt}_sha256"):
                run.problem(name, f"bytes hash to {_sha(data)[:16]}…, the rendering records "
                            f"{str(rec.get(f'{fmt}_sha256'))[:16]}… (document changed)")
            elif len(data) != rec.get(f"{fmt}_size"):
                run.problem(name, f"{len(data)} bytes, the rendering records {rec.get(f'{fmt}_size')}")
    files = sorted(name for name in run.members if name.startswith("documents/"))
    run.report.documents = len(files)
    run.report.attachments = len([n for n in files if n not in referenced])
    counted = (manifest.get("counts") or {}).get("documents")
    if counted != run.report.documents:
        run.problem("documents/", f"{run.report.documents} documents, the manifest counts {counted}")


def _check_checkpoint(run: _Run, key: str, witness_keys: Sequence[str], origin: str | None,
                      manifest: dict[str, Any], heads: list[Any]) -> None:
    note = run.members.get("checkpoint.note")
    if note is None:
        run.problem("checkpoint.note", "missing")
        return
    try:
        head = notes.open_note(note, [key], [key, *witness_keys], origin=origin)
    except notes.CheckpointError as exc:
        run.problem("checkpoint.note", f"does not verify: {exc}")
        return
    log_name = notes.VerifierKey.parse(key).name
    run.report.cosigners = [str(s) for s in notes.SignedNote.parse(note).signatures if s.name != log_name]
    run.report.checkpoint_size = head.size
    try:
        run.profile.check_checkpoint(head)  # the note names its algorithm (profile line) as its key does
    except notes.CheckpointError as exc:
        run.problem("checkpoint.note", str(exc))
    expected = manifest.get("checkpoint") or {}
    if (expected.get("size"), expected.get("root_hash")) != (head.size, head.root.hex()):
        run.problem("checkpoint.note", f"tree size {head.size} root {head.root.hex()[:16]}…, the manifest "
                    f"names size {expected.get('size')} root {str(expected.get('root_hash'))[:16]}…")
    if manifest.get("origin") not in (None, head.origin):
        run.problem("checkpoint.note", f"origin {head.origin!r}, the manifest names {manifest.get('origin')!r}")
    heads.append(head)


def _check_proofs(run: _Run, events: list[_Event], renderings: list[_Event], heads: list[Any]) -> None:
    raw = run.members.get("proofs.json")
    if raw is None:
        run.problem("proofs.json", "missing")
        return
    proofs = json.loads(raw)
    if not heads:
        run.problem("proofs.json", "cannot be checked without a verified checkpoint")
        return
    head = heads[0]
    keys = {"format", "checkpoint_size", "root_hash", "proofs"}
    if not isinstance(proofs, dict) or set(proofs) not in (keys, keys | {"rendering_proofs"}):
        run.problem("proofs.json", "expected keys format, checkpoint_size, root_hash, proofs[, rendering_proofs]")
        return
    if proofs["format"] != FORMAT:
        run.problem("proofs.json", f"format {proofs['format']!r}, expected {FORMAT!r}")
    if proofs["root_hash"] != head.root.hex():
        run.problem("proofs.json", f"root {str(proofs['root_hash'])[:16]}… is not the checkpoint's root "
                    f"{head.root.hex()[:16]}…")
    if proofs.get("checkpoint_size") != head.size:
        run.problem("proofs.json", f"proofs are for tree size {proofs.get('checkpoint_size')}, the checkpoint "
                    f"has {head.size}")
    seen: dict[Any, str] = {}
    _check_proof_list(run, "events.jsonl", proofs["proofs"], events, head, seen)
    if renderings or "rendering_proofs" in proofs:
        _check_proof_list(run, "renderings.jsonl", proofs.get("rendering_proofs") or [], renderings, head, seen)


def _check_proof_list(run: _Run, member: str, entries: Any, events: list[_Event], head: Any,
                      seen: dict[Any, str]) -> None:
    key = "proofs" if member == "events.jsonl" else "rendering_proofs"
    by_seq: dict[Any, dict[str, Any]] = {}
    for entry in entries:
        if not isinstance(entry, dict) or set(entry) != {"seq", "leaf_index", "inclusion_proof"}:
            run.problem("proofs.json", f"malformed {key} entry {str(entry)[:60]}")
            continue
        if entry.get("seq") in by_seq:
            run.problem("proofs.json", f"two {key} for seq {entry.get('seq')}")
        by_seq[entry.get("seq")] = entry
    for event in events:
        where = f"proofs.json {member} seq {event.seq} (leaf {event.leaf_index})"
        entry = by_seq.pop(event.seq, None)
        if entry is None:
            run.problem(where, "no inclusion proof")
            continue
        if event.leaf_index in seen:
            run.problem(where, f"leaf index also claimed by {seen[event.leaf_index]}")
        seen[event.leaf_index] = f"{member} seq {event.seq}"
        if entry.get("leaf_index") != event.leaf_index:
            run.problem(where, f"proof is for leaf {entry.get('leaf_index')}, {member} says {event.leaf_index}")
        try:
            path = [bytes.fromhex(h) for h in entry["inclusion_proof"]]
            hasher = run.profile.hasher
            merkle.verify_inclusion(hasher.leaf_hash(event.body), int(entry["leaf_index"]), head.size, path,
                                    head.root, hasher=hasher)  # RFC 9162 §2.1.3.2, leaf hash of §2.1.1
        except (merkle.ProofError, ValueError, TypeError, KeyError) as exc:
            run.problem(where, f"inclusion proof does not verify: {exc}")
    for seq in by_seq:
        run.problem("proofs.json", f"proof for seq {seq}, which {member} does not hold")


# ---------------------------------------------------------------------------------------- command line
def main(argv: Sequence[str] | None = None) -> int:
    """``archive_verify FILE.zip --key KEY [--witness-key K]... [--origin O]``; exit 0 when it verifies."""
    parser = argparse.ArgumentParser(description="Verify a decide archive bundle offline.")
    parser.add_argument("archive", help="the bundle (.zip)")
    parser.add_argument("--key", required=True, help="the log's verifier key, or a file holding it")
    parser.add_argument("--witness-key", action="append", default=[],
                        help="a witness verifier key (or file) whose cosignature is required; repeatable")
    parser.add_argument("--origin", default=None, help="the checkpoint origin to require")
    args = parser.parse_args(argv)
    try:
        key = load_verifier(args.key)
        witnesses = [load_verifier(k) for k in args.witness_key]
    except OSError as exc:
        print(f"FAIL cannot read a key: {exc}", file=sys.stderr)
        return 2
    report = verify_archive(args.archive, key, witness_keys=witnesses, origin=args.origin, say=print)
    return 0 if report.ok else 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
