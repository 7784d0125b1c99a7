"""The archive bundle (档案, Art. 33): one decision's record, verifiable offline.

``export`` writes a zip (deterministic: fixed timestamps, sorted members) holding

==================  ==========================================================================
manifest.json       format, decision id, procedure pin, log profile, checkpoint, counts, head of the
                    chain, and the hash (SHA-256; SM3 under the 国密 profile) of every other member
                    except manifest.note
manifest.note       a C2SP signed note by the log key over ``decide.archive/v1``, the decision id
                    and the hash of manifest.json (its second line is not a decimal, so it can
                    never be read as a tlog checkpoint); it binds the bundle, including its length
events.jsonl        one line per event in seq order:
                    ``{"seq":N,"leaf_index":I,"prev_hash":"…","hash":"…","event":<bytes>}``
                    where ``<bytes>`` are the event's stored RFC 8785 canonical bytes *verbatim*
                    (the RFC 9162 leaf and the hash-chain input)
renderings.jsonl    the same for the stream ``documents:<id>``: one ``DocumentRendered`` event per
                    rendering of a 公文, naming its template and template hash, the decision event it
                    was rendered from (basis seq and chain hash), the artifact, and both output hashes
artifacts/<sha256>  the bytes of every artifact (ArtifactRecorded, DraftVersionAdded); a fields-only
                    artifact's bytes are the canonical JSON of its fields
documents/<DOC id>.html, .pdf
                    the bytes of every rendered document, as ``renderings.jsonl`` records them; other
                    files under ``documents/`` (``documents=``, ``DOCUMENT_SOURCES``) are attachments
                    covered by the manifest only
proofs.json         an RFC 9162 §2.1.3 inclusion proof of every event and rendering in ONE checkpoint
checkpoint.note     that checkpoint (C2SP tlog-checkpoint) with the log signature and cosignatures
keys/               the log's and the cosigning witnesses' verifier keys (for information only: an
                    auditor verifies with keys obtained independently)
==================  ==========================================================================

``decision_engine.audit.archive_verify`` checks all of it with no database and no engine import.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from decision_engine.adapters import store as st
from decision_engine.adapters import transparency_repo as repo
from decision_engine.adapters.files import atomic_write
from decision_engine.audit import checkpoint as cp
from decision_engine.audit.canonical import canonical
from decision_engine.domain.errors import InvalidInput, RuleViolation, Unavailable
from decision_engine.services import transparency
from decision_engine.services.context import Context
from decision_engine.services.decisions import stream_of

FORMAT = "decide-archive/v1"
MANIFEST_TAG = "decide.archive/v1"
ARTIFACT_EVENTS = ("ArtifactRecorded", "DraftVersionAdded")
RENDERING_EVENT = "DocumentRendered"
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_DOCUMENT_NAME = re.compile(r"[A-Za-z0-9\u4e00-\u9fff][A-Za-z0-9_.\-\u4e00-\u9fff]{0,120}")

#: A source of rendered documents for a decision: ``(ctx, decision_id) -> [(file name, bytes)]``.
DocumentSource = Callable[[Context, str], Iterable[tuple[str, bytes]]]
#: Hook for the document-rendering issue: each registered source adds files under ``documents/``.
DOCUMENT_SOURCES: list[DocumentSource] = []


def export(ctx: Context, decision_id: str, out_path: str | os.PathLike[str], *,
           documents: Iterable[tuple[str, bytes]] = ()) -> dict[str, Any]:
    """Write a decision's archive bundle to ``out_path``; returns its manifest.

    Sequences pending events and signs a checkpoint first when the newest one does not cover every
    event of the decision.
    """
    with ctx.store.read() as conn:
        row = st.load_decision(conn, decision_id)
    log_profile = transparency.profile(ctx)

    def digest(data: bytes) -> str:  # the log profile's hash: SHA-256, or SM3 under 国密 (never mixed)
        return log_profile.hasher.digest(data).hex()

    events, renderings, head = _events_in_checkpoint(ctx, decision_id)
    size = int(head["size"])
    proofs = transparency.inclusion_proofs(ctx, [e["leaf_index"] for e in [*events, *renderings]], size)

    def listed(stream: list[dict[str, Any]], paths: list[list[bytes]]) -> list[dict[str, Any]]:
        return [{"seq": e["seq"], "leaf_index": e["leaf_index"], "inclusion_proof": [h.hex() for h in proof]}
                for e, proof in zip(stream, paths, strict=True)]

    members: dict[str, bytes] = {
        "events.jsonl": b"".join(_line(e) for e in events),
        "renderings.jsonl": b"".join(_line(e) for e in renderings),
        "proofs.json": _json({"format": FORMAT, "checkpoint_size": size, "root_hash": head["root_hash"],
                              "proofs": listed(events, proofs[:len(events)]),
                              "rendering_proofs": listed(renderings, proofs[len(events):])}),
        "checkpoint.note": head["note"].encode("utf-8"),
        "keys/log.pub": (transparency.public_key(ctx) + "\n").encode("utf-8"),
    }
    for key in transparency.cosigners(ctx, size):
        members[f"keys/witness-{key.split('+')[0].replace('/', '_')}.pub"] = (key + "\n").encode("utf-8")
    artifacts = _artifacts(ctx, decision_id, events)
    members.update({f"artifacts/{sha}": data for sha, data in artifacts.items()})
    rendered = rendered_documents(ctx, renderings)
    members.update(rendered)
    docs = [*documents, *(d for source in DOCUMENT_SOURCES for d in source(ctx, decision_id))]
    for name, data in docs:
        if not _DOCUMENT_NAME.fullmatch(name) or f"documents/{name}" in members:
            raise InvalidInput(f"document name {name!r} is not a plain, unique file name")
        members[f"documents/{name}"] = data
    state = json.loads(row["state"])
    manifest = {
        "format": FORMAT, "decision_id": decision_id, "title": row["title"],
        "procedure": {"id": row["procedure_id"], "version": row["procedure_version"],
                      "hash": row["procedure_hash"]},
        "status": state.get("status"), "exported_at": ctx.now_iso(), "origin": ctx.settings.log_origin,
        "checkpoint": {"size": size, "root_hash": head["root_hash"]},
        "counts": {"events": len(events), "artifacts": len(artifacts), "renderings": len(renderings),
                   "documents": len(rendered) + len(docs)},
        "head": {"seq": events[-1]["seq"], "hash": events[-1]["hash"]},
        "profile": log_profile.name,
        "members": {name: digest(data) for name, data in sorted(members.items())},
    }
    manifest_bytes = _json(manifest)
    text = f"{MANIFEST_TAG}\n{decision_id}\n{digest(manifest_bytes)}\n".encode()
    signer = transparency.log_keys(ctx).signer
    members["manifest.json"] = manifest_bytes
    members["manifest.note"] = text + b"\n" + cp.sign(text, signer).encode("utf-8")
    _write_zip(Path(out_path), members)
    return manifest


def _events_in_checkpoint(ctx: Context, decision_id: str
                          ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, Any]]:
    """The decision's events and its renderings' events with leaf indexes, and a checkpoint covering them."""
    for _ in range(5):
        transparency.sequence(ctx)
        head = transparency.checkpoint(ctx)
        with ctx.store.read() as conn:
            events = repo.stream_with_leaves(conn, stream_of(decision_id))
            renderings = repo.stream_with_leaves(conn, f"documents:{decision_id}")
        if events and all(e["leaf_index"] is not None and e["leaf_index"] < head["size"]
                          for e in [*events, *renderings]):
            return events, renderings, head
    raise Unavailable(f"decision {decision_id}: events kept arriving faster than they could be "
                      "checkpointed; retry the export")


def rendered_documents(ctx: Context, renderings: list[dict[str, Any]]) -> dict[str, bytes]:
    """``documents/<id>.html`` and ``.pdf`` of every recorded rendering (its DocumentRendered event),
    read from the blob store and checked against the hashes the event records."""
    out: dict[str, bytes] = {}
    for event in renderings:
        env = json.loads(event["body"])
        if env["type"] != RENDERING_EVENT:
            continue
        rec = env["payload"]
        for fmt in ("html", "pdf"):
            data = ctx.blobs.get(rec[f"{fmt}_sha256"])
            if hashlib.sha256(data).hexdigest() != rec[f"{fmt}_sha256"]:
                raise RuleViolation(f"document {rec['id']} ({fmt}) bytes do not match their recorded sha256 "
                                    f"{rec[f'{fmt}_sha256'][:16]}…; refusing to export", rule="R18",
                                    article="Art. 33")
            out[f"documents/{rec['id']}.{fmt}"] = data
    return out


def _line(event: dict[str, Any]) -> bytes:
    body: bytes = event["body"]
    if b"\n" in body:  # RFC 8785 output escapes control characters; a raw newline means corruption
        raise RuleViolation(f"event seq {event['seq']}: stored bytes contain a newline", rule="R18",
                            article="Art. 33")
    prefix = (f'{{"seq":{event["seq"]},"leaf_index":{event["leaf_index"]},'
              f'"prev_hash":"{event["prev_hash"]}","hash":"{event["hash"]}","event":')
    return prefix.encode("ascii") + body + b"}\n"


def _artifacts(ctx: Context, decision_id: str, events: list[dict[str, Any]]) -> dict[str, bytes]:
    """sha256 → bytes of every artifact the events reference; refuses bytes that do not match."""
    out: dict[str, bytes] = {}
    for event in events:
        env = json.loads(event["body"])
        if env["type"] not in ARTIFACT_EVENTS:
            continue
        payload = env["payload"]
        sha = payload["sha256"]
        if sha in out:
            continue
        data: bytes = canonical(payload["fields"]) if payload.get("storage") == "inline" else ctx.blobs.get(sha)
        if hashlib.sha256(data).hexdigest() != sha:
            raise RuleViolation(f"decision {decision_id} seq {event['seq']}: artifact "
                                f"{payload['artifact_id']} bytes do not match their recorded sha256 "
                                f"{sha[:16]}…; refusing to export", rule="R18", article="Art. 33")
        out[sha] = data
    return out


def _json(obj: Any) -> bytes:
    return (json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")


def _write_zip(path: Path, members: dict[str, bytes]) -> None:
    """Write members in a fixed order with fixed timestamps, atomically (temporary file, rename)."""
    order = ["manifest.json", "manifest.note", "events.jsonl", "renderings.jsonl", "proofs.json",
             "checkpoint.note"]
    names = order + sorted(n for n in members if n not in order)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in names:
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, members[name])
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, buffer.getvalue(), suffix=".zip")
