"""Collective decision (集体讨论决定, S5, R13–R16, SoD4, SoD8): meetings, their agenda, opinions in speaking
order, the head's decision, minutes, and the reports before issuance.

A meeting is its own stream `meeting:<id>` with its projection in `meetings` / `meeting_items`. When the
head decides an agenda item, the meeting's event and the decision's `meeting_record` artifact (checked by
the decision aggregate, `_art_meeting`) are appended in ONE transaction: either both or neither.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from decision_engine import procedures
from decision_engine.audit.canonical import canonical, sha256_hex
from decision_engine.domain.decision import Actor, NewEvent
from decision_engine.domain.errors import ConcurrencyConflict, DomainError, NotFound, Unauthenticated
from decision_engine.domain.meeting import Meeting, assemble_packet
from decision_engine.services import decisions, organisation
from decision_engine.services.context import Context, new_id, unit_of
from decision_engine.services.identity import actors_of
from decision_engine.services.ports import UnitOfWork

MeetingAct = Callable[[Meeting, UnitOfWork, tuple[Actor, ...], str], tuple[Actor, list[NewEvent]]]

TYPE_ZH = {"executive": "常务会议", "plenary": "全体会议"}
POSITION_ZH = {"support": "同意", "oppose": "不同意", "abstain": "弃权"}
CHANGE_ZH = {"terminate": "终止执行", "adjust": "重大调整"}
OUTCOME_ZH = {"adopt": "通过", "adopt_with_amendments": "修改后通过", "defer": "暂缓审议",
              "send_back": "退回修改", "reject": "不予通过"}


@dataclass(frozen=True, slots=True)
class MeetingResult:
    """What a meeting command did: the meeting, its new sequence, the events appended."""

    meeting_id: str
    seq: int
    events: tuple[dict[str, Any], ...]
    status: str

    def to_dict(self) -> dict[str, Any]:
        """JSON form for doors."""
        return {"meeting_id": self.meeting_id, "seq": self.seq, "status": self.status,
                "events": [{"seq": e["seq"], "type": e["type"]} for e in self.events]}


def stream_of(meeting_id: str) -> str:
    """The event stream of a meeting."""
    return f"meeting:{meeting_id}"


# ---------------------------------------------------------------------------------------- persistence
def load_meeting(tx: Any, meeting_id: str) -> tuple[Meeting, int]:
    """A meeting from its projection, with the sequence it was read at (`tx`: a unit of work or its
    transaction)."""
    row = unit_of(tx).meetings.get(meeting_id)
    if row is None:
        raise NotFound(f"no meeting {meeting_id!r}", rule="R15", article="Art. 30")
    return Meeting(row[0], chart=organisation.chart_of(unit_of(tx).tx)), row[1]


def replay_meeting(tx: Any, meeting_id: str, *, upto_seq: int | None = None) -> Meeting:
    """Fold a meeting's events into a fresh aggregate (replay must equal the projection)."""
    events = unit_of(tx).events.stream(stream_of(meeting_id), upto_seq=upto_seq)
    if not events:
        raise NotFound(f"no meeting {meeting_id!r}", rule="R15", article="Art. 30")
    m = Meeting()
    for ev in events:
        m.apply(ev)
    return m


def _persist(uow: UnitOfWork, m: Meeting, actor: Actor, events: list[NewEvent], at: str,
             previous_seq: int | None) -> list[dict[str, Any]]:
    mid = m.id if previous_seq is not None else events[0].payload["meeting_id"]
    stored = uow.events.append(stream_of(mid), [(e.type, e.payload) for e in events], at=at,
                               actor=actor.to_dict(), expected_seq=previous_seq or 0)
    for env in stored:
        m.apply(env)
        p = env["payload"]
        if env["type"] in ("AgendaItemPlaced", "ChangeItemPlaced"):
            uow.meetings.place_item(mid, p["item_no"], p["decision_id"])
        elif env["type"] in ("AgendaItemDecided", "ChangeItemDecided"):
            uow.meetings.decide_item(mid, p["item_no"], p["outcome"], env["at"])
    s = m.state
    values = {"title": s["title"], "meeting_type": s["meeting_type"], "held_on": s["held_on"],
              "status": s["status"], "head": s["head"], "convened_at": s["convened_at"],
              "updated_at": s["updated_at"], "last_seq": s["seq"], "state": s}
    if previous_seq is None:
        uow.meetings.add(mid, values)
    elif not uow.meetings.update(mid, previous_seq, values):
        raise ConcurrencyConflict(f"meeting {mid} changed concurrently", rule="R18", article="Art. 33")
    return stored


def _run(ctx: Context, person_id: str, meeting_id: str, act: MeetingAct, *, what: str) -> MeetingResult:
    """One act on a meeting in one transaction; a refusal is kept as evidence on its stream (Art. 38)."""
    at = ctx.now_iso()
    try:
        with ctx.uow.write() as uow:
            m, seq = load_meeting(uow, meeting_id)
            actor, events = act(m, uow, actors_of(uow.tx, person_id, at), at)
            stored = _persist(uow, m, actor, events, at, seq)
            return MeetingResult(meeting_id, m.state["seq"], tuple(stored), m.state["status"])
    except (NotFound, Unauthenticated):
        raise
    except DomainError as refusal:
        if refusal.status != 503:
            _record_refusal(ctx, person_id, meeting_id, what, refusal)
        raise


def _record_refusal(ctx: Context, person_id: str, meeting_id: str, what: str, refusal: DomainError) -> None:
    at = ctx.now_iso()
    try:
        with ctx.uow.write() as uow:
            m, seq = load_meeting(uow, meeting_id)
            candidates = actors_of(uow.tx, person_id, at)
            actor = candidates[0] if candidates else Actor(person_id, "none", "")
            _persist(uow, m, actor, [NewEvent("AttemptRefused", {
                "act": what, "error": type(refusal).__name__, "rule": refusal.rule,
                "article": refusal.article, "message": refusal.message[:500]})], at, seq)
    except DomainError:
        pass  # the refusal itself stands; failing to log it must not hide it


# ---------------------------------------------------------------------------------------- commands
def convene(ctx: Context, person_id: str, *, meeting_type: str, title: str, held_on: str, head: str,
            members: list[str], profile: str = procedures.BASE, meeting_id: str | None = None
            ) -> MeetingResult:
    """Convene an executive or plenary meeting (R15, Art. 30); the quorum is the profile's setting."""
    mid = meeting_id or new_id("MTG")
    quorum = float(procedures.load(profile).settings.get("quorum_fraction", 0.5))
    at = ctx.now_iso()
    with ctx.uow.write() as uow:
        head_actors = actors_of(uow.tx, head, at)
        actor, events = Meeting.convene(actors_of(uow.tx, person_id, at), mid, meeting_type=meeting_type,
                                        title=title, held_on=held_on, head=head,
                                        head_roles=tuple(a.role for a in head_actors),
                                        members=tuple(members), quorum_fraction=quorum, profile=profile,
                                        head_units=tuple(a.unit for a in head_actors if a.role == "admin_head"),
                                        chart=organisation.chart_of(uow.tx))
        m = Meeting()
        stored = _persist(uow, m, actor, events, at, None)
        return MeetingResult(mid, m.state["seq"], tuple(stored), m.state["status"])


def place_on_agenda(ctx: Context, person_id: str, meeting_id: str, decision_id: str) -> MeetingResult:
    """Place a ready decision on the agenda with its packet assembled from the record (R14, Art. 29)."""
    def act(m: Meeting, uow: UnitOfWork, c: tuple[Actor, ...], at: str) -> tuple[Actor, list[NewEvent]]:
        d, _ = decisions.load(uow.tx, decision_id)
        return m.place_item(c, d, lambda packet: sha256_hex(canonical(packet)))
    return _run(ctx, person_id, meeting_id, act, what=f"agenda:{decision_id}")


def table_change(ctx: Context, person_id: str, meeting_id: str, decision_id: str, *, change: str,
                 reason: str) -> MeetingResult:
    """Table the termination or a major adjustment of a decided decision for the organ's collective decision
    (R20, Arts. 30, 37); members then speak on it and the head decides it (`decide_change`)."""
    def act(m: Meeting, uow: UnitOfWork, c: tuple[Actor, ...], at: str) -> tuple[Actor, list[NewEvent]]:
        d, _ = decisions.load(uow.tx, decision_id)
        return m.place_change_item(c, d, change, reason)
    return _run(ctx, person_id, meeting_id, act, what=f"change:{decision_id}")


def decide_change(ctx: Context, person_id: str, meeting_id: str, item_no: int, *, outcome: str,
                  head_reasons: str = "") -> MeetingResult:
    """The head decides a tabled change after every member has spoken, the head last (R20, SoD4,
    Arts. 30, 37); an adopted change is then carried out by `execution.terminate` / `open_adjustment`."""
    return _run(ctx, person_id, meeting_id,
                lambda m, uow, c, at: m.decide_change_item(c, item_no, outcome=outcome, head_reasons=head_reasons),
                what=f"decide_change:{item_no}")


def is_change_item(ctx: Context, meeting_id: str, item_no: int) -> bool:
    """Whether an agenda item is a tabled change (R20) rather than a decision to be made."""
    with ctx.uow.read() as uow:
        m, _ = load_meeting(uow, meeting_id)
    return any(it["no"] == item_no and it.get("change") for it in m.state["items"])


def record_attendance(ctx: Context, person_id: str, meeting_id: str, present: list[str]) -> MeetingResult:
    """Call the roll: who is present, who is absent; no quorum, no meeting (R15, Art. 30)."""
    return _run(ctx, person_id, meeting_id, lambda m, uow, c, at: m.record_attendance(c, tuple(present)),
                what="attendance")


def recuse(ctx: Context, person_id: str, meeting_id: str, item_no: int, member: str, reason: str
           ) -> MeetingResult:
    """A member steps aside from one agenda item, with the reason (R15)."""
    return _run(ctx, person_id, meeting_id, lambda m, uow, c, at: m.recuse(c, item_no, member, reason),
                what=f"recusal:{item_no}")


def record_opinion(ctx: Context, person_id: str, meeting_id: str, item_no: int, *, speaker: str,
                   position: str, text: str) -> MeetingResult:
    """A member's opinion in speaking order, verbatim; the head speaks last (R15, SoD4, Art. 30)."""
    return _run(ctx, person_id, meeting_id,
                lambda m, uow, c, at: m.record_opinion(c, item_no, speaker, position, text),
                what=f"opinion:{item_no}")


def decide_item(ctx: Context, person_id: str, meeting_id: str, item_no: int, *, outcome: str,
                head_reasons: str = "", amendments: str = "", reopen_gates: list[str] | None = None,
                reason: str = "", tally: dict[str, Any] | None = None, risk_judgment: str = "",
                option_chosen: str = "") -> MeetingResult:
    """The head decides an item: the meeting's event and the decision's `meeting_record` in one
    transaction; `send_back` also reopens the named gates (R13–R15, SoD4, Arts. 25, 29–30)."""
    artifact_id = new_id("A")
    gates = tuple(reopen_gates or ())
    touched: list[str] = []

    def act(m: Meeting, uow: UnitOfWork, c: tuple[Actor, ...], at: str) -> tuple[Actor, list[NewEvent]]:
        d, dseq = decisions.load(uow.tx, m.item(item_no)["decision_id"])
        actor, events, fields = m.decide_item(
            c, item_no, outcome=outcome, current_draft_version=d.state["draft_version"],
            artifact_id=artifact_id, head_reasons=head_reasons, amendments=amendments, reopen_gates=gates,
            reason=reason, tally=tally, risk_judgment=risk_judgment, option_chosen=option_chosen)
        touched.append(d.id)
        today = ctx.today()
        blob = decisions._store_blob(ctx, None, "application/json", "meeting_record.json", fields)
        head, recorded = d.record_artifact(c, "meeting_record", blob, fields, artifact_id, ctx.calendar, today)
        decisions._persist(uow.tx, d, head, recorded, at, dseq, None)
        if outcome == "send_back":
            head, reopened = d.reopen_gates(c, gates, reason)
            decisions._persist(uow.tx, d, head, reopened, at, d.state["seq"], None)
        return actor, events
    try:
        return _run(ctx, person_id, meeting_id, act, what=f"decide:{item_no}")
    except DomainError as refusal:
        if touched and refusal.status not in (401, 404, 503):
            # The decision's own rules refused (R13–R15): the evidence also goes on its stream.
            decisions._record_refusal(ctx, person_id, touched[0], "artifact:meeting_record", refusal)
        raise


def generate_minutes(ctx: Context, person_id: str, meeting_id: str) -> MeetingResult:
    """Minutes v1, generated from the meeting's record as an HTML document (R15, Art. 30)."""
    def act(m: Meeting, uow: UnitOfWork, c: tuple[Actor, ...], at: str) -> tuple[Actor, list[NewEvent]]:
        content = minutes_html(m.state, _names(uow, m), version=1, reason="", corrections=())
        sha = ctx.blobs.put(content)
        return m.generate_minutes(c, sha, len(content), "text/html", f"minutes-{m.id}-v1.html")
    return _run(ctx, person_id, meeting_id, act, what="minutes")


def correct_minutes(ctx: Context, person_id: str, meeting_id: str, *, reason: str,
                    corrections: list[str]) -> MeetingResult:
    """A correction of the minutes: a new version with its reason, to be confirmed again (R18, Art. 33)."""
    def act(m: Meeting, uow: UnitOfWork, c: tuple[Actor, ...], at: str) -> tuple[Actor, list[NewEvent]]:
        version = len(m.state["minutes"]) + 1
        content = minutes_html(m.state, _names(uow, m), version=version, reason=reason,
                               corrections=tuple(corrections))
        sha = ctx.blobs.put(content)
        return m.correct_minutes(c, sha, len(content), "text/html", f"minutes-{m.id}-v{version}.html",
                                 reason, tuple(corrections))
    return _run(ctx, person_id, meeting_id, act, what="minutes_correction")


def confirm_minutes(ctx: Context, person_id: str, meeting_id: str, *, version: int, sha256: str,
                    capacity: str) -> MeetingResult:
    """Confirm the latest minutes as the secretariat (not the head, SoD8) or as the head (R15)."""
    return _run(ctx, person_id, meeting_id,
                lambda m, uow, c, at: m.confirm_minutes(c, version, sha256, capacity),
                what=f"minutes_confirmation:{capacity}")


def report_to_party(ctx: Context, person_id: str, decision_id: str, *, reported_to: str,
                    reported_at: str | None = None, summary: str = "") -> decisions.Result:
    """The report to the same-level Party committee before issuance (R16, SoD7, Art. 31)."""
    return decisions.record_artifact(ctx, person_id, decision_id, "party_report", {
        "reported_to": reported_to, "reported_at": reported_at or ctx.today().isoformat(),
        "summary": summary})


def record_npc_procedure(ctx: Context, person_id: str, decision_id: str, *, procedure: str,
                         outcome: str) -> decisions.Result:
    """The people's congress procedure, when the matter belongs to it (R16, Art. 8)."""
    return decisions.record_artifact(ctx, person_id, decision_id, "npc_record",
                                     {"procedure": procedure, "outcome": outcome})


# ---------------------------------------------------------------------------------------- queries
def get_meeting(ctx: Context, meeting_id: str) -> dict[str, Any]:
    """A meeting as doors show it (agenda, packets, opinions in order, outcomes, minutes versions)."""
    with ctx.uow.read() as uow:
        m, _ = load_meeting(uow, meeting_id)
    return m.to_dict()


def list_meetings(ctx: Context, *, limit: int = 50) -> list[dict[str, Any]]:
    """Meetings, the most recent first."""
    with ctx.uow.read() as uow:
        return uow.meetings.recent(max(1, min(limit, 200)))


def meetings_of(tx: Any, decision_id: str) -> list[dict[str, Any]]:
    """Every agenda item that concerned a decision, with its meeting (oldest first)."""
    return unit_of(tx).meetings.items_of(decision_id)


def packet_preview(ctx: Context, decision_id: str) -> dict[str, Any]:
    """The packet a decision would carry onto an agenda now (R14), or the refusal naming what is missing."""
    with ctx.store.read() as conn:
        d, _ = decisions.load(conn, decision_id)
    return assemble_packet(d)


def minutes_content(ctx: Context, meeting_id: str, version: int | None = None) -> tuple[dict[str, Any], bytes]:
    """A minutes version's metadata and its bytes (the latest version by default)."""
    with ctx.uow.read() as uow:
        m, _ = load_meeting(uow, meeting_id)
    versions = m.state["minutes"]
    chosen = versions[-1] if versions and version is None else next(
        (v for v in versions if v["version"] == version), None)
    if chosen is None:
        raise NotFound(f"meeting {meeting_id} has no minutes version {version}", rule="R15", article="Art. 30")
    return chosen, ctx.blobs.get(chosen["sha256"])


def _names(uow: UnitOfWork, m: Meeting) -> dict[str, str]:
    return uow.persons.names(list(m.state["roster"]))


def minutes_html(state: dict[str, Any], names: dict[str, str], *, version: int, reason: str,
                 corrections: tuple[str, ...]) -> bytes:
    """The minutes (会议纪要) rendered deterministically from the meeting's record; dissent verbatim."""
    def e(text: object) -> str:
        return html.escape(str(text))

    def who(pid: str) -> str:
        return e(names.get(pid, pid))
    att = state["attendance"] or {"present": [], "absent": []}
    out = ['<!doctype html>', '<html lang="zh-CN"><head><meta charset="utf-8">',
           f'<title>{e(state["title"])}纪要</title></head><body>',
           f'<h1>{e(state["title"])}纪要</h1>',
           f'<p>会议类型：{e(TYPE_ZH.get(state["meeting_type"], state["meeting_type"]))}；'
           f'日期：{e(state["held_on"])}；主持：{who(state["head"])}；纪要第{version}版</p>',
           f'<p>出席：{"、".join(who(p) for p in att["present"])}</p>',
           f'<p>缺席：{"、".join(who(p) for p in att["absent"]) or "无"}</p>']
    for it in state["items"]:
        if it.get("change"):  # R20: a tabled termination or major adjustment of a decided decision
            out.append(f'<h2>议题{it["no"]}：{e(it["title"])}（{e(it["decision_id"])}，'
                       f'提请{e(CHANGE_ZH.get(it["change"], it["change"]))}：{e(it["reason"])}）</h2>')
        else:
            out.append(f'<h2>议题{it["no"]}：{e(it["title"])}（{e(it["decision_id"])}，草案第{it["draft_version"]}版，'
                       f'会议材料 sha256 {e(it["packet_sha256"])}）</h2>')
        for r in it["recused"]:
            out.append(f'<p>回避：{who(r["person"])}（{e(r["reason"])}）</p>')
        out.append('<ol class="opinions">')
        for o in it["opinions"]:
            out.append(f'<li>{who(o["person"])}（{e(POSITION_ZH.get(o["position"], o["position"]))}）：'
                       f'<q>{e(o["text"])}</q></li>')
        out.append('</ol>')
        res = it["outcome"] or {}
        if res:
            out.append(f'<p>决定：{e(OUTCOME_ZH.get(res["decision"], res["decision"]))}</p>')
            tally = res["tally"]
            out.append(f'<p>意见统计：同意{tally.get("support", 0)}，不同意{tally.get("oppose", 0)}，'
                       f'弃权{tally.get("abstain", 0)}，缺席{tally.get("absent", 0)}</p>')
            for label, key in (("行政首长说明理由", "head_reasons"), ("修改意见", "amendments"),
                               ("退回理由", "reason")):
                if res.get(key):
                    out.append(f'<p>{label}：{e(res[key])}</p>')
            if res["reopen_gates"]:
                out.append(f'<p>重新办理的环节：{e("、".join(res["reopen_gates"]))}</p>')
    earlier = [v for v in state["minutes"] if v["corrections"]]
    if earlier or corrections:
        out.append('<h2>更正说明</h2><ul>')
        for v in earlier:
            out.append(f'<li>第{v["version"]}版：{e(v["reason"])}：{e("；".join(v["corrections"]))}</li>')
        if corrections:
            out.append(f'<li>第{version}版：{e(reason)}：{e("；".join(corrections))}</li>')
        out.append('</ul>')
    out.append('</body></html>')
    return "\n".join(out).encode("utf-8")
