"""Public participation in depth (S1: R5–R8, SoD5; Arts. 14–18): pure rules and computations.

Comments live in their own streams, `comments:<decision_id>` and its shards `comments:<decision_id>#<k>`
(never in the decision's projection: a consultation may draw 100,000 of them). This module decides, without I/O:

- which comment notice a comment answers and whether it came in time (R6, Art. 15);
- tracking numbers: readable (Crockford base-32, grouped, with a check character), unguessable (55
  random bits supplied by the caller);
- what a comment may contain, and the commitment (salted SHA-256) that stands in the log for the
  commenter's optional identity, which is kept apart from the public record;
- moderation reasons (hidden, never deleted);
- clustering of identical and near-identical comments: normalised text, 3-character shingles,
  one-permutation MinHash with densification, LSH banding, verified by exact Jaccard similarity;
- dispositions of each distinct opinion and the feedback report (意见采纳情况及其理由, R8, Arts. 18,
  29(2)), refused while any opinion lacks a disposition;
- hearing records presented and confirmed by each participant with their own credential (R7, SoD5,
  Art. 17);
- the fold of the comment stream, so that its tables can be checked against a replay.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from array import array
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any
from zlib import crc32

from decision_engine.domain import events as typed
from decision_engine.domain.decision import Decision
from decision_engine.domain.errors import InvalidInput, Missing, NotFound, NotPermitted, RuleViolation
from decision_engine.domain.rules.common import DISPOSITIONS
from decision_engine.domain.rules.participation import live_notices
from decision_engine.domain.values import PRE_DECISION, Actor, NewEvent, iso_date

CHANNELS = {"online": "网上提交", "letter": "信函", "email": "电子邮件", "fax": "传真", "phone": "电话记录"}
MODERATION_REASONS = {"abusive": "含侮辱、谩骂等不文明内容", "off_topic": "与征求意见事项无关",
                      "personal_data": "含个人信息等不宜公开的内容"}
PUBLIC_ACTOR = {"person": "public", "role": "public", "unit": "", "name": "社会公众"}
IDENTITY_FIELDS = ("name", "organisation", "contact")

RECORD_PRESENTERS = ("hearing_organizer", "undertaking_unit")  # who presents the hearing record (R7, Art. 17)


def comments_stream(decision_id: str) -> str:
    """The event stream holding a decision's moderation, clustering and dispositions (and its comments when
    they are not sharded: every comment received before shards existed, or with one shard)."""
    return f"comments:{decision_id}"


# ------------------------------------------------------------------------------------ comment shards
SHARD_MARK = "#"  # sorts before every character of a decision id: a decision's comment streams are adjacent


def shard_stream(decision_id: str, shard: int) -> str:
    """Shard `shard` of a decision's comment log: its own hash chain of `CommentReceived` events, so that
    concurrent intakes on one decision append to different chains (issue 19 §4)."""
    return f"comments:{decision_id}{SHARD_MARK}{shard}"


def shard_of_stream(stream: str) -> int | None:
    """The shard a comment stream holds (None for the decision's main comment stream)."""
    _, mark, k = stream.rpartition(SHARD_MARK)
    return int(k) if mark and k.isdigit() else None


def comment_decision(stream: str) -> str:
    """The decision a comment stream (main or shard) belongs to."""
    key = stream.partition(":")[2]
    return key.rpartition(SHARD_MARK)[0] if shard_of_stream(stream) is not None else key


def shard_of(tracking: str, shards: int) -> int:
    """The shard a tracking number belongs to among `shards` (a stable hash of its text, modulo)."""
    return crc32(tracking.encode()) % shards


def tracking_number_in(shard: int, shards: int, random_bits: Iterable[int]) -> str:
    """A tracking number that belongs to `shard` (drawn from the random values given until one does: about
    `shards` draws; the number stays uniformly random among those of its shard)."""
    for bits in random_bits:
        tn = tracking_number(bits)
        if shard_of(tn, shards) == shard:
            return tn
    raise ValueError("random values exhausted")


class CommentWindowClosed(RuleViolation):
    """A comment arrived after the window closed: stored and counted as late, refused as a submission."""

    def __init__(self, message: str, *, tracking_number: str, deadline: str) -> None:
        super().__init__(message, rule="R6", article="Art. 15")
        self.tracking_number = tracking_number
        self.deadline = deadline

    def to_dict(self) -> dict[str, object]:
        """The refusal, with the tracking number under which the late comment is kept."""
        return dict(super().to_dict(), tracking_number=self.tracking_number, deadline=self.deadline,
                    late=True)


# ------------------------------------------------------------------------------------ tracking numbers
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base 32: no I, L, O, U
_RANDOM_CHARS = 11  # 55 bits
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1"})


def _check_char(body: str) -> str:
    # Weighted sum modulo the prime 31: catches any single substitution and adjacent transposition
    # (of characters whose values do not differ by 31).
    return _ALPHABET[sum((i + 1) * _ALPHABET.index(c) for i, c in enumerate(body)) % 31]


def tracking_number(random_bits: int) -> str:
    """A tracking number from 55 random bits: `YJ-XXXX-XXXX-XXXC` (C a check character)."""
    body = "".join(_ALPHABET[(random_bits >> (5 * i)) & 31] for i in range(_RANDOM_CHARS))
    s = body + _check_char(body)
    return f"YJ-{s[0:4]}-{s[4:8]}-{s[8:12]}"


def parse_tracking_number(text: str) -> str:
    """The canonical form of a typed tracking number, or InvalidInput (typo, wrong length)."""
    raw = re.sub(r"[\s\-_]", "", str(text).upper()).translate(_CONFUSABLE)
    raw = raw.removeprefix("YJ")
    if len(raw) != _RANDOM_CHARS + 1 or any(c not in _ALPHABET for c in raw) or \
            _check_char(raw[:-1]) != raw[-1]:
        raise InvalidInput("意见受理编号有误，请核对 (the tracking number is not valid; check for a typo)",
                           rule="R6", article="Art. 15")
    return f"YJ-{raw[0:4]}-{raw[4:8]}-{raw[8:12]}"


# ------------------------------------------------------------------------------------ intake
def comment_window(d: Decision, today: date) -> tuple[dict[str, Any], bool]:
    """The notice a comment made today answers (the latest one published), and whether it is late."""
    notices = [n for n in live_notices(d, all_rounds=True)
               if iso_date(n["fields"]["published_at"], "published_at", "R6", "Art. 15") <= today]
    if not notices:
        raise RuleViolation("本决策事项目前未公开征求意见 (no comment notice is published for this decision)",
                            rule="R6", article="Art. 15")
    notice = notices[-1]
    return notice, today > iso_date(notice["fields"]["deadline"], "deadline", "R6", "Art. 15")


def late_message(deadline: str, tracking: str) -> str:
    """What a person is told when their comment arrives after the window."""
    return (f"意见征求期已于 {deadline} 截止，本意见不再作为征求意见期间的意见受理；原文已存档并计入逾期意见"
            f"（受理编号 {tracking}）。The comment period closed on {deadline}: the comment is kept and "
            "counted as late, but not accepted as a submission.")


def check_comment(text: Any, identity: dict[str, Any], attachments: Sequence[tuple[str, str, int]],
                  settings: dict[str, Any], accepted_media: Iterable[str]) -> str:
    """R6, Art. 15: a non-empty text within limits; identity optional; attachments within limits."""
    if not isinstance(text, str) or not text.strip():
        raise InvalidInput("意见内容不能为空 (the comment text is empty)", rule="R6", article="Art. 15")
    limit = int(settings.get("comment_max_chars", 20000))
    if len(text) > limit:
        raise InvalidInput(f"意见不超过 {limit} 字 (the comment has {len(text)} characters; at most {limit})",
                           rule="R6", article="Art. 15")
    for k, v in identity.items():
        if k not in IDENTITY_FIELDS or not isinstance(v, str) or len(v) > 200:
            raise InvalidInput(f"identity field {k!r}: name, organisation or contact, at most 200 characters",
                               rule="R6", article="Art. 15")
    most = int(settings.get("comment_max_attachments", 5))
    size_limit = int(settings.get("comment_attachment_max_bytes", 10 * 1024 * 1024))
    media = tuple(accepted_media)
    if len(attachments) > most:
        raise InvalidInput(f"附件不超过 {most} 个 (at most {most} attachments)", rule="R6", article="Art. 15")
    for filename, media_type, size in attachments:
        if size > size_limit:
            raise InvalidInput(f"附件 {filename} 超过 {size_limit} 字节 (attachment too large)", rule="R6",
                               article="Art. 15")
        if media_type.split(";")[0].strip() not in media:
            raise InvalidInput(f"附件 {filename} 的类型 {media_type} 不受理; accepted: {', '.join(media)}",
                               rule="R6", article="Art. 15")
    return text


def identity_commitment(identity: dict[str, str], salt: str) -> str | None:
    """The salted SHA-256 that stands in the log for a commenter's identity (None when anonymous)."""
    filled = {k: v.strip() for k, v in identity.items() if v and v.strip()}
    if not filled:
        return None
    body = json.dumps(dict(filled, salt=salt), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(body.encode()).hexdigest()


def check_moderation(reason: str, note: str) -> None:
    """Moderation hides a comment for a recorded reason; it never deletes (R18, Art. 33)."""
    if reason not in MODERATION_REASONS:
        raise InvalidInput("隐藏理由应为：" + "、".join(f"{v}（{k}）" for k, v in MODERATION_REASONS.items()),
                           rule="R18", article="Art. 33")
    if len(note) > 500:
        raise InvalidInput("the moderation note has at most 500 characters", rule="R18", article="Art. 33")


# ------------------------------------------------------------------------------------ clustering
SHINGLE = 3
_BIN_SHIFT = 27          # 32 bins: the top 5 bits of a CRC-32
_BINS = 32
_BANDS, _ROWS = 8, 4     # candidate pairs from about Jaccard 0.6 upward: (1/8) ** (1/4)
_NONWORD = re.compile(r"[\W_]+")


def normalize(text: str) -> str:
    """Compatibility-normalised, case-folded text without spaces or punctuation."""
    return _NONWORD.sub("", unicodedata.normalize("NFKC", text).casefold())


def _shingles(norm: str) -> list[int]:
    if len(norm) <= SHINGLE:
        return [crc32(norm.encode())]
    b = norm.encode("utf-32-le")
    w = 4 * SHINGLE
    return list({crc32(b[i:i + w]) for i in range(0, len(b) - w + 4, 4)})


def _bands(hashes: list[int]) -> list[tuple[int, tuple[int, ...]]]:
    """LSH band keys of a one-permutation MinHash signature, densified by rotation."""
    mins = {h >> _BIN_SHIFT: h for h in sorted(hashes, reverse=True)}
    sig: list[int] = [0] * _BINS
    carry, dist = -1, 0
    for j in range(2 * _BINS - 1, -1, -1):  # empty bins borrow the next non-empty bin to the right
        v = mins.get(j % _BINS)
        if v is not None:
            carry, dist = v, 0
        else:
            dist += 1
        if j < _BINS:
            sig[j] = v if v is not None else carry + (dist << 32)
    return [(i, tuple(sig[i * _ROWS:(i + 1) * _ROWS])) for i in range(_BANDS)]


def _similar(a: set[int], b: array[int], threshold: float) -> bool:
    inter = len(a.intersection(b))
    return inter >= threshold * (len(a) + len(b) - inter)


def cluster_labels(texts: Sequence[str], seeds: Sequence[tuple[str, str]] = (), *,
                   threshold: float = 0.6, next_no: int = 1) -> list[str]:
    """A cluster id for each text: identical normalised texts share one; near-identical texts (Jaccard
    similarity of 3-character shingles ≥ threshold against a candidate from any shared LSH band) join the
    candidate's cluster. Seeds are texts already clustered (text, cluster id); new clusters are numbered
    from next_no (`C00001`...). Deterministic: the same input gives the same labels."""
    exact: dict[str, str] = {}
    buckets: dict[tuple[int, tuple[int, ...]], int] = {}
    registry: list[tuple[array[int], str]] = []
    counter = next_no

    def register(norm: str, hashes: list[int], keys: list[Any], label: str) -> None:
        idx = len(registry)
        registry.append((array("I", hashes), label))
        for key in keys:
            buckets.setdefault(key, idx)
        exact[norm] = label

    for text, label in seeds:
        norm = normalize(text)
        if norm not in exact:
            hashes = _shingles(norm)
            register(norm, hashes, _bands(hashes), label)
    out: list[str] = []
    for text in texts:
        norm = normalize(text)
        found = exact.get(norm)
        if found is None:
            hashes = _shingles(norm)
            keys = _bands(hashes)
            mine = set(hashes)
            tried: set[int] = set()
            for key in keys:
                idx = buckets.get(key)
                if idx is None or idx in tried:
                    continue
                tried.add(idx)
                if _similar(mine, registry[idx][0], threshold):
                    found = registry[idx][1]
                    break
            if found is None:
                found = f"C{counter:05d}"
                counter += 1
            register(norm, hashes, keys, found)
        out.append(found)
    return out


# ------------------------------------------------------------------------------------ dispositions
def check_disposition(item: dict[str, Any], *, notice_version: int, current_version: int) -> dict[str, Any]:
    """R8, Art. 18: adopted / partly / not adopted, a reason, and for an adopted or partly adopted
    opinion the later draft version it changed."""
    disposition = item.get("disposition")
    if disposition not in DISPOSITIONS:
        raise InvalidInput("处理结果应为 adopted（采纳）、partly（部分采纳）或 not_adopted（未采纳）",
                           rule="R8", article="Art. 18")
    reason = str(item.get("reason") or "").strip()
    if not reason:
        raise RuleViolation("每条意见的处理结果应当说明理由 (a disposition needs its reason)", rule="R8",
                            article="Art. 18")
    version = item.get("changed_in_version")
    if disposition == "not_adopted":
        if version is not None:
            raise InvalidInput("an opinion not adopted changed no draft version", rule="R8", article="Art. 18")
    elif not isinstance(version, int) or isinstance(version, bool) or \
            not notice_version < version <= current_version:
        raise RuleViolation(f"采纳或部分采纳的意见应当注明据此修改的草案版本（v{notice_version + 1}–"
                            f"v{current_version}）(changed_in_version: a later draft version that exists)",
                            rule="R8", article="Art. 18")
    return {"cluster_id": str(item.get("cluster_id") or ""), "disposition": disposition, "reason": reason,
            "changed_in_version": version}


def feedback_report(title: str, clusters: list[dict[str, Any]], totals: dict[str, int], *, main: int,
                    source: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """The feedback report (意见采纳情况及其理由) from the record: the opinion_summary fields (the main
    opinions, Art. 29(2)) and the full text; refused while any distinct opinion lacks a disposition (R8)."""
    undisposed = [c["cluster_id"] for c in clusters if c.get("disposition") is None]
    if undisposed:
        raise RuleViolation(f"{len(undisposed)} 条意见尚未处理 (opinions without a disposition)", rule="R8",
                            article="Art. 18", missing=tuple(
                                Missing("R8", "Art. 18", "public_participation",
                                        f"disposition of opinion cluster {cid}", "opinion_summary")
                                for cid in undisposed[:50]))
    ranked = sorted(clusters, key=lambda c: (-c["size"], c["cluster_id"]))
    opinions = [{"cluster_id": c["cluster_id"], "opinion": _shown(c), "count": c["size"],
                 "disposition": c["disposition"], "reason": c["reason"],
                 "changed_in_version": c["changed_in_version"]} for c in ranked[:main]]
    if not opinions:
        opinions = [{"cluster_id": "", "opinion": "征求意见期间未收到公众意见", "count": 0,
                     "disposition": "not_adopted", "reason": "无意见需要处理", "changed_in_version": None}]
    counts = {k: sum(1 for c in clusters if c["disposition"] == k) for k in DISPOSITIONS}
    fields = {"opinions": opinions, "clusters_total": len(clusters), "dispositions": counts,
              "generated_from": source, **{f"comments_{k}": v for k, v in totals.items()}}
    lines = [f"# 关于《{title}》公开征求意见采纳情况及其理由的说明", "",
             f"征求意见期间共收到意见 {totals['on_time']} 条（另有逾期意见 {totals['late']} 条，依规存档），"
             f"经归并为 {len(clusters)} 项不同意见：采纳 {counts['adopted']} 项，部分采纳 {counts['partly']} 项，"
             f"未采纳 {counts['not_adopted']} 项。因含不宜公开内容而隐藏的意见 {totals['hidden']} 条，仍计入统计。", "",
             "| 编号 | 意见（代表性原文） | 条数 | 处理结果 | 理由 | 据此修改的草案版本 |",
             "|---|---|---|---|---|---|"]
    for c in ranked:
        version = f"v{c['changed_in_version']}" if c["changed_in_version"] else "—"
        lines.append(f"| {c['cluster_id']} | {_cell(_shown(c))} | {c['size']} | {DISPOSITIONS[c['disposition']]} "
                     f"| {_cell(c['reason'])} | {version} |")
    shards = "".join(f"；{k}，序号 {v}" for k, v in source.get("shards", {}).items())
    lines += ["", f"本说明依据意见记录自动生成（{source['stream']}，序号 {source['seq']}{shards}）。"
              "依据：《重大行政决策程序暂行条例》第十八条、第二十九条第二项。"]
    return fields, "\n".join(lines) + "\n"


def _shown(c: dict[str, Any]) -> str:
    text = c.get("text")
    if text is None:
        return "（该意见含不宜公开的内容，已隐藏，原文存档备查）"
    return str(text) if len(text) <= 300 else str(text)[:300] + "……"


def _cell(text: str) -> str:
    return text.replace("|", "｜").replace("\n", " ")


# ------------------------------------------------------------------------------------ hearing record (SoD5)
def _require_pre_decision(d: Decision, act: str) -> None:
    if d.status not in PRE_DECISION:
        raise RuleViolation(f"{act} is only possible before the decision is made; status is {d.status}",
                            rule="R7", article="Art. 17")


def present_record(d: Decision, candidates: tuple[Actor, ...], *, sha256: str, size: int, media_type: str,
                   filename: str, today: date) -> tuple[Actor, list[NewEvent]]:
    """R7, Art. 17: the organiser presents the hearing record (by its sha256) for the participants' signatures."""
    actor = d.pick(candidates, RECORD_PRESENTERS, "presenting the hearing record", "R7", "Art. 17")
    _require_pre_decision(d, "presenting a hearing record")
    notice = d.latest("hearing", "hearing_notice")
    if notice is None:
        raise RuleViolation("no hearing notice was published", rule="R7", article="Art. 16")
    if today < iso_date(notice["fields"]["hearing_at"], "hearing_at", "R7", "Art. 17"):
        raise RuleViolation("听证会尚未举行，不能形成听证笔录 (the hearing has not been held)", rule="R7",
                            article="Art. 17")
    if "presented_at" in d.state.get("records", {}).get(sha256, {}):
        raise RuleViolation("this record was already presented", rule="R7", article="Art. 17")
    return actor, [typed.RecordPresented(subject="hearing_record", sha256=sha256, size=size, media_type=media_type,
                                      filename=filename, draft_version=d.state["draft_version"]).new()]


def confirm_record(d: Decision, candidates: tuple[Actor, ...], *, sha256: str, remarks: str = ""
                   ) -> tuple[Actor, list[NewEvent]]:
    """SoD5, Art. 17: a participant confirms and signs the presented record with their own credential."""
    actor = d.pick(candidates, ("hearing_participant",), "confirming the hearing record", "SoD5", "Art. 17")
    _require_pre_decision(d, "confirming a hearing record")
    rec = d.state.get("records", {}).get(sha256)
    if rec is None or rec.get("subject") != "hearing_record" or "presented_at" not in rec:
        raise NotFound(f"no hearing record {sha256[:12]}… was presented", rule="SoD5", article="Art. 17")
    listed = d.latest("hearing", "hearing_participant_list")
    if listed is not None and actor.person not in listed["fields"]["participants"]:
        raise NotPermitted(f"{actor.name or actor.person} 不是本次听证会的参加人 (not on the published list)",
                           rule="SoD5", article="Art. 17")
    if any(c["person"] == actor.person for c in rec["confirmations"]):
        raise RuleViolation("已确认签字 (already confirmed)", rule="SoD5", article="Art. 17")
    return actor, [typed.RecordConfirmed(subject="hearing_record", sha256=sha256, remarks=remarks[:2000]).new()]


# ------------------------------------------------------------------------------------ the comment stream
def fold_comments(events: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """A decision's comment streams folded into the shape of its tables (comments, clusters), for replay
    checks: its shards' events first (only comments received), then its main stream's (the comments it holds,
    moderation, clustering, dispositions), which may name comments of any shard."""
    comments: dict[str, dict[str, Any]] = {}
    clusters: dict[str, dict[str, Any]] = {}
    for ev in events:
        p, t = ev["payload"], ev["type"]
        if t == "CommentReceived":
            comments[p["tracking_number"]] = {
                "tracking_number": p["tracking_number"], "decision_id": p["decision_id"],
                "notice_artifact_id": p["notice_artifact_id"], "seq": ev["seq"],
                "shard": shard_of_stream(str(ev.get("stream", ""))), "channel": p["channel"],
                "text": p["text"], "text_sha256": p["text_sha256"], "identity_sha256": p["identity_sha256"],
                "attachments": p["attachments"], "received_at": ev["at"], "received_on": p["received_on"],
                "late": p["late"], "hidden_reason": None, "hidden_note": None, "cluster_id": None}
        elif t == "CommentHidden":
            comments[p["tracking_number"]].update(hidden_reason=p["reason"], hidden_note=p["note"])
        elif t == "OpinionsClustered":
            for c in p["clusters"]:
                row = clusters.setdefault(c["cluster_id"], {
                    "cluster_id": c["cluster_id"], "representative": c["representative"], "size": 0,
                    "disposition": None, "reason": None, "changed_in_version": None, "disposed_at": None,
                    "disposed_by": None})
                row["size"] += len(c["members"])
                row["seq"] = ev["seq"]
                for tn in c["members"]:
                    comments[tn]["cluster_id"] = c["cluster_id"]
        elif t == "OpinionsDisposed":
            for item in p["items"]:
                clusters[item["cluster_id"]].update(
                    disposition=item["disposition"], reason=item["reason"],
                    changed_in_version=item["changed_in_version"], disposed_at=ev["at"],
                    disposed_by=ev["actor"]["person"], seq=ev["seq"])
    return {"comments": comments, "clusters": clusters}
