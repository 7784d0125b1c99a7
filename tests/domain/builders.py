"""An in-memory decision builder: a hand-written fake of the store, no database, no mocks.

`Build` keeps one `Decision` and an event list. Every command goes through the aggregate's public API
(`Decision.open`, `record_artifact`, `clear_gate`, ... and the module-level commands of the other domain
modules); the events it returns are wrapped in an envelope (seq, type, at, actor, payload) exactly as the
store would and folded with `Decision.apply`. The stage walkers (`start`, `determine`, `coordinate`,
`participate`, `legality`, `meeting`, `report`, `decided`, `published`) stop a decision at any stage, so a
rule test needs three lines of set-up.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest

from decision_engine import procedures
from decision_engine.domain import review
from decision_engine.domain.calendar import StatutoryCalendar
from decision_engine.domain.decision import Actor, BlobRef, Decision, NewEvent
from decision_engine.domain.errors import DomainError
from decision_engine.domain.procedure import Procedure

BUREAU = "市交通运输局"
GOVERNMENT = "市人民政府"
OFFICE = "市人民政府办公室"
JUSTICE = "市司法局"
FINANCE = "某市财政局"
START = date(2025, 3, 3)  # a Monday


class Cast:
    """The people of a decision, each with the role and unit they hold (Art. 38)."""

    head = Actor("head", "admin_head", GOVERNMENT, "市长")
    office = Actor("office", "decision_organ", OFFICE, "办公室主任")
    drafter = Actor("drafter", "undertaking_unit", BUREAU, "起草人")
    bureau_head = Actor("bureau_head", "undertaking_unit", BUREAU, "局长")
    reviewer = Actor("reviewer", "legality_reviewer", JUSTICE, "审查员")
    legal_director = Actor("legal_director", "legality_reviewer", JUSTICE, "司法局局长")
    reviewer_in_bureau = Actor("bureau_lawyer", "legality_reviewer", BUREAU, "局法规科")
    adviser = Actor("adviser", "legal_adviser", "某律师事务所", "法律顾问")
    expert_a = Actor("expert_a", "expert", "某大学", "专家甲")
    expert_b = Actor("expert_b", "expert", "某研究院", "专家乙")
    assessor = Actor("assessor", "risk_assessor", "某评估中心", "评估员")
    organizer = Actor("organizer", "hearing_organizer", BUREAU, "听证组织者")
    participant_a = Actor("participant_a", "hearing_participant", "", "参加人甲")
    participant_b = Actor("participant_b", "hearing_participant", "", "参加人乙")
    member_a = Actor("member_a", "meeting_member", GOVERNMENT, "副市长甲")
    member_b = Actor("member_b", "meeting_member", GOVERNMENT, "副市长乙")
    secretary = Actor("secretary", "secretariat", OFFICE, "秘书")
    executor = Actor("executor", "execution_unit", "某区交通局", "执行人")
    evaluator = Actor("evaluator", "post_evaluator", "某第三方评估机构", "评估人")
    auditor = Actor("auditor", "auditor", "市审计局", "审计员")


C = Cast()


def blob(text: str = "content", media_type: str = "text/plain") -> BlobRef:
    """A content address for some bytes (never stored: the fake keeps no blobs)."""
    data = text.encode()
    return BlobRef(hashlib.sha256(data).hexdigest(), len(data), media_type, "doc.txt")


def refused(call: Callable[[], object], err: type[DomainError], rule: str, article: str, *,
            says: str = "") -> DomainError:
    """Assert a refusal of exactly this type, rule and article, with a message a person can read (naming
    `says` when given); returns it for further checks."""
    with pytest.raises(DomainError) as info:
        call()
    assert type(info.value) is err, f"{type(info.value).__name__}: {info.value}"
    assert (info.value.rule, info.value.article) == (rule, article), str(info.value)
    assert isinstance(info.value.message, str) and info.value.message.strip(), "a refusal explains itself"
    assert says in info.value.message, (says, info.value.message)
    return info.value


def at_of(day: date) -> str:
    """The stored UTC timestamp of a day's morning in Beijing."""
    return f"{day.isoformat()}T01:00:00+00:00"


class Build:
    """One decision built in memory, walked through the procedure by its public commands."""

    def __init__(self, profile: str = procedures.BASE, *, today: date = START,
                 calendar: StatutoryCalendar | None = None) -> None:
        self.spec: Procedure = procedures.load(profile)
        self.cal = calendar if calendar is not None else StatutoryCalendar()
        self.today = today
        self.d = Decision(self.spec)
        self.events: list[dict[str, Any]] = []
        self._ids = 0

    # ------------------------------------------------------------------ the fake store
    def commit(self, actor: Actor, events: Any) -> list[dict[str, Any]]:
        """Wrap the events in envelopes and fold them, as the store and service would (a command's
        (actor, events) result is folded as made by the actor the domain chose)."""
        if isinstance(events, tuple) and len(events) == 2 and isinstance(events[0], Actor):
            actor, events = events
        out = []
        for e in events:
            env = {"seq": len(self.events) + 1, "type": e.type, "at": at_of(self.today),
                   "actor": actor.to_dict(), "payload": e.payload, "stream": f"decision:{self.did}"}
            self.events.append(env)
            self.d.apply(env)
            out.append(env)
        return out

    def new_id(self, prefix: str = "a") -> str:
        self._ids += 1
        return f"{prefix}{self._ids:03d}"

    def advance(self, days: int) -> Build:
        self.today += timedelta(days=days)
        return self

    @property
    def did(self) -> str:
        return str(self.d.state.get("id", "d1"))

    @property
    def state(self) -> dict[str, Any]:
        return self.d.state

    def gate(self, gate_id: str) -> str:
        """A gate's status as the projection shows it."""
        return str(self.d.state["gates"][gate_id]["status"])

    def missing(self, gate_id: str) -> list[tuple[str, str, str]]:
        """(rule, article, kind) of what a gate still needs."""
        return [(m.rule, m.article, m.kind) for m in self.d.missing_for(self.spec.gate(gate_id))]

    # ------------------------------------------------------------------ commands (public API)
    def open(self, *, title: str = "关于调整公交票价的决定", category: str = "public_project",
             unit: str = BUREAU, actor: Actor = C.drafter, **kw: Any) -> Build:
        kw.setdefault("today", self.today)
        self.commit(actor, Decision.open(self.spec, "d1", (actor,), title=title, category=category, unit=unit,
                                         **kw))
        return self

    def art(self, actor: Actor, kind: str, **fields: Any) -> str:
        """Record an artifact; returns its id."""
        aid = self.new_id()
        who, events = self.d.record_artifact((actor,), kind, blob(f"{kind}:{aid}"), dict(fields), aid,
                                             self.cal, self.today)
        self.commit(who, events)
        return aid

    def opinion(self, actor: Actor, opinion: str = "可行", **extra: Any) -> str:
        """An expert's opinion signed by their own act: the confirmation over its sha256 in the same commit
        (R9, Art. 19), as `services.experts.submit_opinion` records it; returns its id."""
        aid = self.new_id()
        doc = blob(f"expert_opinion:{aid}")
        fields = {"opinion": opinion, "signature": review.signature(doc.sha256), **extra}
        who, events = self.d.record_artifact((actor,), "expert_opinion", doc, fields, aid, self.cal, self.today)
        self.commit(who, [*events, review.opinion_signed(aid, doc.sha256)])
        return aid

    def draft(self, title: str = "v", actor: Actor = C.drafter) -> str:
        aid = self.new_id("draft")
        who, events = self.d.add_draft_version((actor,), blob(f"draft:{aid}"), title, "", aid, self.today)
        self.commit(who, events)
        return aid

    def determination(self, kind: str, value: bool, actor: Actor = C.drafter, reasons: str = "理由") -> None:
        self.commit(actor, self.d.record_determination((actor,), kind, value, reasons))

    def clear(self, gate_id: str, actor: Actor) -> None:
        self.commit(actor, self.d.clear_gate((actor,), gate_id, self.today))

    def exempt(self, gate_id: str, actor: Actor, basis: str = "政府信息公开条例第十四条") -> None:
        self.commit(actor, self.d.exempt_gate((actor,), gate_id, basis))

    def return_(self, gate_id: str, actor: Actor, reason: str = "补充") -> None:
        self.commit(actor, self.d.return_gate((actor,), gate_id, reason))

    def act(self, actor: Actor, result: tuple[Actor, list[NewEvent]] | list[NewEvent]) -> None:
        """Fold what a module-level command returned, (actor, events) or events."""
        if isinstance(result, tuple):
            self.commit(result[0], result[1])
        else:
            self.commit(actor, result)

    # ------------------------------------------------------------------ stage walkers
    def start(self, affected: tuple[str, ...] = (FINANCE,)) -> Build:
        self.art(C.head, "start_decision", lead_unit=BUREAU, units=[BUREAU], affected_units=list(affected))
        self.draft("v1")
        return self

    def determine(self, **flags: bool) -> Build:
        base = {"specialised": False, "risk_relevant": False, "hearing_required_by_law": False,
                "nondisclosable": False, "affects_specific_group": False,
                "affects_market_entities": False, "high_concern": False}
        base.update(flags)
        for k, v in base.items():
            self.determination(k, v)
        return self

    def coordinate(self) -> Build:
        self.art(C.drafter, "consultation", unit=FINANCE, opinion="同意")
        return self

    def notice(self, days: int = 30, **extra: Any) -> str:
        fields = {"explanation": "说明", "channels": ["网站"], "method": "留言",
                  "published_at": self.today.isoformat(),
                  "deadline": (self.today + timedelta(days=days)).isoformat()}
        fields.update(extra)
        return self.art(C.drafter, "comment_notice", **fields)

    def summary(self) -> str:
        return self.art(C.drafter, "opinion_summary",
                        opinions=[{"opinion": "意见", "disposition": "adopted", "reason": "合理"}])

    def participate(self, days: int = 30) -> Build:
        self.notice(days)
        self.advance(days + 1)
        self.summary()
        self.clear("public_participation", C.bureau_head)
        return self

    def submission(self, working_days: int = 8, **extra: Any) -> str:
        due = self.cal.add_working_days(self.today, working_days).due
        fields = {"legal_basis": "价格法", "procedure_explanation": "已履行",
                  "requested_deadline": due.isoformat()}
        fields.update(extra)
        return self.art(C.drafter, "legality_submission", **fields)

    def legality(self, conclusion: str = "lawful", clear: bool = True, **extra: Any) -> Build:
        self.submission()
        self.art(C.adviser, "legal_adviser_opinion", opinion="合法")
        self.art(C.reviewer, "legality_opinion", authority="有权", procedure="完备", content="合法",
                 conclusion=conclusion, **extra)
        if clear and conclusion == "lawful":
            self.clear("legality_review", C.legal_director)
        return self

    def ready(self) -> Build:
        """Opened, started, determined (nothing conditional), coordinated, participated, reviewed."""
        return self.open().start().determine().coordinate().participate().legality()

    def meeting_fields(self, decision: str = "adopt", **extra: Any) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "meeting_type": "executive", "attendance": ["member_a", "member_b", "head"], "members_total": 3,
            "opinions": [{"person": "member_a", "position": "support", "text": "同意"},
                         {"person": "member_b", "position": "support", "text": "同意"},
                         {"person": "head", "position": "support", "text": "同意"}],
            "head_decision": decision, "risk_judgment": "controllable"}  # R10, Art. 24: the organ's judgment
        fields.update(extra)
        return fields

    def meeting(self, decision: str = "adopt", **extra: Any) -> Build:
        self.art(C.head, "meeting_record", **self.meeting_fields(decision, **extra))
        return self

    def report(self) -> Build:
        self.art(C.office, "party_report", reported_to="市委", reported_at=self.today.isoformat())
        return self

    def finalize(self) -> Build:
        self.commit(C.head, self.d.finalize((C.head,), self.today))
        return self

    def decided(self) -> Build:
        return self.ready().meeting().report().finalize()

    def published(self) -> Build:
        self.decided()
        self.art(C.office, "publication_record", channels=["政府公报", "政府网站", "报纸"],
                 published_at=self.today.isoformat())
        return self

    def executing(self) -> Build:
        self.published()
        self.art(C.head, "execution_unit_designation", units=[C.executor.unit])
        return self

    def experts(self, *, clear: bool = True, ids: bool = False) -> Build:
        """An expert review: selection note, declaration, signed opinion, adoption status (R9)."""
        # the experts act once selected by person id (R9, Art. 20: `domain/authority.py`)
        note: dict[str, Any] = {"method": "随机抽取", "experts": "专家甲", "expert_ids": ["expert_a"],
                                "dissent_included": True}
        self.art(C.drafter, "selection_note", **note)
        self.art(C.expert_a, "conflict_declaration", direct_interest=False, statement="无利害关系")
        op = self.opinion(C.expert_a, "可行")
        adoption = {"opinion_id": op, "disposition": "adopted", "reason": "合理"} if ids else {"opinion": "采纳"}
        self.art(C.drafter, "expert_adoption", adoptions=[adoption])
        if clear:
            self.clear("expert_review", C.bureau_head)
        return self

    def risk(self, conclusion: str = "controllable", actor: Actor = C.assessor, **extra: Any) -> str:
        fields = {"risk_points": ["票价上涨引发不满"], "level": "medium", "measures": ["分步实施"],
                  "contingency_plan": "应急预案", "conclusion": conclusion}
        fields.update(extra)
        return self.art(actor, "risk_report", **fields)

    def hearing_notice(self, days: int = 14, **extra: Any) -> str:
        fields = {"published_at": self.today.isoformat(),
                  "hearing_at": (self.today + timedelta(days=days)).isoformat(), "place": "市政府"}
        fields.update(extra)
        return self.art(C.organizer, "hearing_notice", **fields)


class Stream:
    """A second aggregate's stream (a meeting, an accountability case) folded in memory."""

    def __init__(self, aggregate: Any, today: date = START) -> None:
        self.agg = aggregate
        self.today = today
        self.seq = 0

    def act(self, result: tuple[Any, ...]) -> Any:
        """Fold the events of a command result (actor, events, ...); returns the result."""
        actor, events = result[0], result[1]
        for e in events:
            self.seq += 1
            self.agg.apply({"seq": self.seq, "type": e.type, "at": at_of(self.today), "actor": actor.to_dict(),
                            "payload": e.payload, "stream": "other"})
        return result
