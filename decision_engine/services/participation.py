"""Public participation use cases (S1: R5, R6, R8; Arts. 14–18): comments at scale, moderation,
clustering, dispositions, the feedback report, other methods of participation.

Comments never enter the decision's projection: each is an event on one of the decision's comment shards
`comments:<decision id>#<k>` or its main comment stream `comments:<decision id>` (hash-chained like every
stream) projected into its own tables, the commenter's identity apart from the public record. The feedback report is generated from that record and recorded on the decision as its
`opinion_summary` artifact by `record_feedback_report`, its one door (AR14), and only once every distinct
opinion has a disposition (R8); opinions gathered by other methods join it as `other_opinions`.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Sequence
from typing import Any

from decision_engine.domain import participation as dp
from decision_engine.domain.decision import Actor, Decision, pick_actor
from decision_engine.domain.errors import InvalidInput, NotFound, NotPermitted, RuleViolation
from decision_engine.domain.rules import participation as rules_participation
from decision_engine.domain.rules.common import DISPOSITIONS
from decision_engine.domain.values import iso_date
from decision_engine.services import decisions
from decision_engine.services.comment_intake import (
    Submission,
    comment_stream,
    intake,
    new_comment,
    take_shard,
)
from decision_engine.services.context import Context, unit_of
from decision_engine.services.decisions import ACCEPTED_MEDIA, Result, load
from decision_engine.services.identity import actors_of
from decision_engine.services.ports import UnitOfWork

Attachment = tuple[str, str, bytes]  # filename, media type, bytes
FEEDBACK_DOOR = "participation.record_feedback_report"  # the one door of `opinion_summary` (AR14)


def _handler(uow: UnitOfWork, d: Decision, person_id: str, at: str, act: str) -> Actor:
    """The undertaking unit's person handling opinions of this decision (R8, Art. 18)."""
    actor = pick_actor(actors_of(uow.tx, person_id, at), ("undertaking_unit",), act, "R8", "Art. 18")
    if actor.unit not in d.undertaking_units():
        raise NotPermitted(f"unit {actor.unit} is not an undertaking unit of decision {d.id}", rule="R8",
                           article="Art. 18")
    return actor


def submit_comment(ctx: Context, decision_id: str, text: str, *, name: str = "", organisation: str = "",
                   contact: str = "", attachments: Sequence[Attachment] = ()) -> dict[str, Any]:
    """A member of the public comments, without login (R6, Art. 15): a tracking number at once, after the
    durable commit (shared with concurrent submissions: `comment_intake`). After the window the comment is
    kept and counted as late, and CommentWindowClosed is raised with its tracking number."""
    identity = {k: v for k, v in (("name", name), ("organisation", organisation), ("contact", contact)) if v}
    stored = _store_attachments(ctx, decision_id, attachments) if attachments else []
    return intake(ctx).submit(Submission(decision_id, text, identity, stored))


async def submit_comment_async(ctx: Context, decision_id: str, text: str, *, name: str = "",
                               organisation: str = "", contact: str = "") -> dict[str, Any]:
    """`submit_comment` for an event loop (no attachments): the commit runs on the intake's writer thread."""
    identity = {k: v for k, v in (("name", name), ("organisation", organisation), ("contact", contact)) if v}
    return await intake(ctx).submit_async(Submission(decision_id, text, identity, []))


def _store_attachments(ctx: Context, decision_id: str, attachments: Sequence[Attachment]) -> list[dict[str, Any]]:
    with ctx.store.read() as conn:
        d, _ = load(conn, decision_id)
    dp.check_comment("-", {}, [(f, m, len(b)) for f, m, b in attachments], d.spec.settings, ACCEPTED_MEDIA)
    return [{"sha256": ctx.blobs.put(b), "size": len(b), "media_type": m.split(";")[0].strip(),
             "filename": f[:255]} for f, m, b in attachments]


def import_comments(ctx: Context, person_id: str, decision_id: str, items: Sequence[dict[str, Any]], *,
                    channel: str = "letter") -> list[dict[str, Any]]:
    """The undertaking unit enters comments received by letter, e-mail, fax or phone, in one transaction;
    each is dated by its receipt (`received_on`, not in the future) and late ones are kept, flagged."""
    if channel not in dp.CHANNELS or channel == "online":
        raise InvalidInput(f"channel must be one of {', '.join(c for c in dp.CHANNELS if c != 'online')}",
                           rule="R6", article="Art. 15")
    at, today = ctx.now_iso(), ctx.today()
    shards = ctx.settings.comment_shards
    with ctx.uow.write() as uow:
        shard = take_shard(uow, decision_id, shards, secrets.randbelow(1 << 16))
        stream = comment_stream(decision_id, shard)
        d, _ = load(uow.tx, decision_id)
        actor = _handler(uow, d, person_id, at, "entering comments received by other channels")
        payloads, idents = [], []
        for item in items:
            identity = {k: str(item[k]) for k in dp.IDENTITY_FIELDS if item.get(k)}
            text = dp.check_comment(item.get("text"), identity, (), d.spec.settings, ACCEPTED_MEDIA)
            on = iso_date(item.get("received_on") or today, "received_on", "R6", "Art. 15")
            if on > today:
                raise InvalidInput(f"received_on {on.isoformat()} is in the future", rule="R6", article="Art. 15")
            payload, ident, _ = new_comment(d, text, identity, [], channel, on, shard=shard, shards=shards)
            payloads.append(payload)
            if ident:
                idents.append(ident)
        envs = uow.events.append(stream, [("CommentReceived", p) for p in payloads], at=at, actor=actor.to_dict())
        uow.comments.insert_received(envs, idents)
    return [{"tracking_number": p["tracking_number"], "late": p["late"]} for p in payloads]


def comment_status(ctx: Context, tracking_number: str) -> dict[str, Any]:
    """What anyone holding a tracking number may see: status and disposition, never the identity."""
    tn = dp.parse_tracking_number(tracking_number)
    with ctx.uow.read() as uow:
        row = uow.comments.comment(tn)
    if row is None:
        raise NotFound(f"未找到受理编号为 {tn} 的意见 (no comment with this tracking number)", rule="R6",
                       article="Art. 15")
    hidden = row["hidden_reason"]
    status = "late" if row["late"] else "hidden" if hidden else "disposed" if row["disposition"] else \
        "clustered" if row["cluster_id"] else "received"
    return {"tracking_number": tn, "decision_id": row["decision_id"], "received_at": row["received_at"],
            "received_on": row["received_on"], "channel": row["channel"], "late": bool(row["late"]),
            "status": status, "text": None if hidden else row["text"],
            "hidden": {"reason": hidden, "reason_zh": dp.MODERATION_REASONS[hidden]} if hidden else None,
            "cluster_id": row["cluster_id"], "same_opinion_count": row["size"],
            "disposition": row["disposition"],
            "disposition_zh": DISPOSITIONS.get(row["disposition"] or "", None),
            "reason": row["reason"], "changed_in_version": row["changed_in_version"]}


def moderate_comment(ctx: Context, person_id: str, tracking_number: str, reason: str, note: str = ""
                     ) -> dict[str, Any]:
    """Hide a comment from the public page for a recorded reason; it is never deleted and still counted."""
    dp.check_moderation(reason, note)
    tn = dp.parse_tracking_number(tracking_number)
    at = ctx.now_iso()
    with ctx.uow.write() as uow:
        row = uow.comments.comment(tn)
        if row is None:
            raise NotFound(f"no comment {tn}", rule="R6", article="Art. 15")
        stream = dp.comments_stream(row["decision_id"])
        uow.comments.lock(stream)
        d, _ = load(uow.tx, row["decision_id"])
        actor = _handler(uow, d, person_id, at, "moderating a comment")
        if row["hidden_reason"]:
            raise RuleViolation(f"comment {tn} is already hidden ({row['hidden_reason']})", rule="R18",
                                article="Art. 33")
        [env] = uow.events.append(stream, [("CommentHidden", {"tracking_number": tn, "reason": reason,
                                                             "note": note})], at=at, actor=actor.to_dict())
        uow.comments.hide(tn, reason, note)
    return {"tracking_number": tn, "hidden": reason, "seq": env["seq"]}


_CHUNK = 5000  # members per OpinionsClustered event


def cluster_comments(ctx: Context, person_id: str, decision_id: str) -> dict[str, Any]:
    """Group identical and near-identical comments received in time into distinct opinions (R8, Art. 18).
    Incremental: comments already clustered keep their cluster; new ones join one or open a new one."""
    at = ctx.now_iso()
    stream = dp.comments_stream(decision_id)
    started = time.perf_counter()
    with ctx.uow.write() as uow:
        uow.comments.lock(stream)
        d, _ = load(uow.tx, decision_id)
        actor = _handler(uow, d, person_id, at, "clustering opinions")
        rows = uow.comments.for_clustering(decision_id)
        seeds = [(text, cid) for _, text, cid, _ in rows if cid is not None]
        fresh = [(tn, text, hidden) for tn, text, cid, hidden in rows if cid is None]
        numbers = [int(cid[1:]) for _, cid in seeds]
        labels = dp.cluster_labels([t for _, t, _ in fresh], seeds,
                                   threshold=float(d.spec.settings.get("opinion_cluster_threshold", 0.6)),
                                   next_no=max(numbers, default=0) + 1)
        known = {cid for _, cid in seeds}
        groups: dict[str, list[tuple[str, bool]]] = {}
        for (tn, _, hidden), label in zip(fresh, labels, strict=True):
            groups.setdefault(label, []).append((tn, hidden))
        events: list[list[dict[str, Any]]] = [[]]
        size = 0
        for label, members in groups.items():
            rep = ([tn for tn, hidden in members if not hidden] or [members[0][0]])[0]
            for i in range(0, len(members), _CHUNK):
                chunk = [tn for tn, _ in members[i:i + _CHUNK]]
                if events[-1] and size + len(chunk) > _CHUNK:
                    events.append([])
                    size = 0
                events[-1].append({"cluster_id": label, "representative": rep, "members": chunk})
                size += len(chunk)
        envs = uow.events.append(stream, [("OpinionsClustered", {"clusters": e}) for e in events if e], at=at,
                         actor=actor.to_dict()) if fresh else []
        seq_of = {c["cluster_id"]: env["seq"] for env in envs for c in env["payload"]["clusters"]}
        uow.comments.add_clusters(decision_id,
                        [{"cluster_id": label, "representative": ([tn for tn, h in m if not h] or [m[0][0]])[0],
                          "size": len(m), "seq": seq_of[label]} for label, m in groups.items() if label not in known],
                        [(label, len(m), seq_of[label]) for label, m in groups.items() if label in known],
                        [(tn, label) for label, m in groups.items() for tn, _ in m])
    return {"decision_id": decision_id, "clustered": len(fresh), "new_clusters": sum(
        1 for label in groups if label not in known), "clusters_total": len(known | set(groups)),
        "events": len(envs), "seconds": round(time.perf_counter() - started, 3)}


def dispose_opinions(ctx: Context, person_id: str, decision_id: str, items: Sequence[dict[str, Any]]
                     ) -> dict[str, Any]:
    """Record the disposition of distinct opinions: adopted / partly / not adopted, a reason, and the draft
    version each adopted opinion changed (R8, Art. 18). Refused once the feedback report is recorded."""
    at = ctx.now_iso()
    stream = dp.comments_stream(decision_id)
    with ctx.uow.write() as uow:
        uow.comments.lock(stream)
        d, _ = load(uow.tx, decision_id)
        actor = _handler(uow, d, person_id, at, "recording dispositions")
        rules_participation.check_dispositions_open(d)  # R8, Art. 18 (domain)
        groups = {c["cluster_id"]: c for c in uow.comments.clusters(decision_id)}
        checked = []
        for item in items:
            group = groups.get(str(item.get("cluster_id")))
            if group is None:
                raise NotFound(f"no opinion cluster {item.get('cluster_id')!r} in decision {decision_id}",
                               rule="R8", article="Art. 18")
            notice = d.state["artifacts"][group["notice_artifact_id"]]
            checked.append(dp.check_disposition(item, notice_version=notice["draft_version"],
                                                current_version=d.state["draft_version"]))
        if not checked:
            raise InvalidInput("no dispositions given", rule="R8", article="Art. 18")
        [env] = uow.events.append(stream, [("OpinionsDisposed", {"items": checked})], at=at,
                          actor=actor.to_dict())
        uow.comments.dispose(decision_id, checked, at, actor.person, env["seq"])
    return {"decision_id": decision_id, "disposed": len(checked), "seq": env["seq"]}


def record_feedback_report(ctx: Context, person_id: str, decision_id: str, *,
                           other_opinions: Sequence[dict[str, Any]] = ()) -> Result:
    """Generate the feedback report (意见采纳情况及其理由) from the record and record it as the decision's
    `opinion_summary`: only after the comment window closed (R6) and with every opinion disposed (R8)."""
    today = ctx.today()
    with ctx.uow.read() as uow:
        d, seq = load(uow.tx, decision_id)
        totals = uow.comments.totals(decision_id)
        rules_participation.check_feedback_report(d, today, unclustered=totals["unclustered"])  # R6, R8
        groups = [dict(c, text=None if c["hidden_reason"] else c["text"]) for c in uow.comments.clusters(decision_id)]
        source: dict[str, Any] = {"stream": dp.comments_stream(decision_id),
                                  "seq": uow.events.last(dp.comments_stream(decision_id))[0]}
        shards = uow.comments.shards(decision_id)
        if shards:  # the head of every shard the comments were received on (issue 19 §4)
            source["shards"] = {dp.shard_stream(decision_id, k): uow.events.last(dp.shard_stream(decision_id, k))[0]
                                for k in shards}
    fields, report = dp.feedback_report(d.state["title"], groups, {k: totals[k] for k in ("on_time", "late",
                                                                                           "hidden")},
                                        main=int(d.spec.settings.get("feedback_main_opinions", 50)),
                                        source=source)
    fields["opinions"] += [dict(o) for o in other_opinions]
    return decisions.record_by(FEEDBACK_DOOR, ctx, person_id, decision_id, "opinion_summary", fields,
                               content=report.encode(), media_type="text/markdown", filename="feedback-report.md",
                               expected_seq=seq)


def public_opinions(ctx: Context, decision_id: str, *, limit: int = 50, offset: int = 0) -> dict[str, Any]:
    """The public page: each distinct opinion once (a visible representative, its count, its disposition);
    hidden comments are counted but never shown."""
    limit = max(1, min(limit, 500))
    with ctx.uow.read() as uow:
        uow.decisions.load(decision_id)
        totals = uow.comments.totals(decision_id)
        groups = uow.comments.clusters(decision_id, limit=limit, offset=offset)
    return {"decision_id": decision_id, "totals": totals, "opinions": [
        {"cluster_id": g["cluster_id"], "count": g["size"],
         "text": None if g["hidden_reason"] else g["text"],
         "hidden_reason_zh": dp.MODERATION_REASONS.get(g["hidden_reason"] or ""),
         "disposition": g["disposition"], "disposition_zh": DISPOSITIONS.get(g["disposition"] or ""),
         "reason": g["reason"], "changed_in_version": g["changed_in_version"]} for g in groups]}


def record_participation(ctx: Context, person_id: str, decision_id: str, *, method: str, summary: str,
                         held_on: str, participants: Sequence[str] = (), content: bytes | None = None,
                         media_type: str = "application/pdf", filename: str = "") -> Result:
    """Another method of participation (symposium, visit, written consultation, survey...) with its record
    (R5, Art. 14)."""
    fields = {"method": method, "summary": summary, "held_on": iso_date(held_on, "held_on", "R5",
                                                                        "Art. 14").isoformat(),
              "participants": list(participants)}
    return decisions.record_artifact(ctx, person_id, decision_id, "participation_record", fields,
                                     content=content, media_type=media_type, filename=filename)


def record_group_consultation(ctx: Context, person_id: str, decision_id: str, *, groups: Sequence[str],
                              summary: str, method: str = "symposium", content: bytes | None = None,
                              media_type: str = "application/pdf", filename: str = "") -> Result:
    """Consultation of the people's and social organisations and representatives of a specific group the
    decision touches (R5, Art. 14 ¶3)."""
    return decisions.record_artifact(ctx, person_id, decision_id, "group_consultation",
                                     {"groups": list(groups), "summary": summary, "method": method},
                                     content=content, media_type=media_type, filename=filename)


def comment_log(tx: Any, decision_id: str) -> list[dict[str, Any]]:
    """The events of a decision's comment streams as one: its shards' (in shard order), then its main stream's."""
    uow = unit_of(tx)
    return [ev for k in uow.comments.shards(decision_id) for ev in uow.events.stream(dp.shard_stream(decision_id, k))] \
        + uow.events.stream(dp.comments_stream(decision_id))


def replay_comments(tx: Any, decision_id: str) -> dict[str, Any]:
    """The comment tables rebuilt from the decision's comment streams (compare with `live_comments`)."""
    return dp.fold_comments(comment_log(tx, decision_id))


def live_comments(tx: Any, decision_id: str) -> dict[str, Any]:
    """The comment tables as stored."""
    return unit_of(tx).comments.live(decision_id)
