"""The main path of a decision over real HTTP: a uvicorn server on loopback, one token per person, every
step a request, from opening to closure; then the public docket, history as of a moment, the event
chain and a downloaded artifact checked against its content address."""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx
import pytest

from api.app import create_app
from decision_engine.services import identity
from decision_engine.services.context import Context
from tests.conftest import serving

BUREAU, TRANSIT = "某市交通运输局", "某市公交集团"


@dataclass
class Served:
    """A running server, its context and the cast with their tokens."""

    base: str
    ctx: Context
    c: Any
    tokens: dict[str, str]
    opened: list[httpx.Client] = field(default_factory=list)

    def client(self, person: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.tokens[person]}"} if person else {}
        c = httpx.Client(base_url=f"{self.base}/api/v1", headers=headers, timeout=10)
        self.opened.append(c)  # closed at teardown: a socket left to the garbage collector warns in a later test
        return c


@pytest.fixture
def served(walk: Any) -> Iterator[Served]:
    ctx: Context = walk.ctx
    c = walk.c
    tokens = {pid: identity.issue_token(ctx, pid, ttl_days=3650) for pid in vars(c).values()}
    with serving(create_app(ctx)) as base:
        s = Served(base, ctx, c, tokens)
        try:
            yield s
        finally:
            for client in s.opened:
                client.close()


def ok(r: httpx.Response, status: int = 201) -> dict[str, Any]:
    assert r.status_code == status, f"{r.request.method} {r.request.url}: {r.status_code} {r.text}"
    body: dict[str, Any] = r.json()
    return body


def test_a_decision_walks_its_whole_procedure_over_http_with_a_token_for_each_role(served: Served) -> None:
    s, c = served, served.c
    drafter, head, office = s.client(c.drafter), s.client(c.head), s.client(c.office)

    def art(who: httpx.Client, kind: str, **fields: Any) -> dict[str, Any]:
        return ok(who.post(f"/decisions/{did}/artifacts", json={"kind": kind, "fields": fields}))

    assert ok(s.client().get("/health"), 200) == {"status": "ok"}
    did = ok(drafter.post("/decisions", json={"title": "关于调整公交票价的决定", "category": "public_project",
                                              "unit": BUREAU, "summary": "调整票价"}))["decision_id"]
    art(head, "start_decision", lead_unit=BUREAU, units=[BUREAU], affected_units=["某市财政局"])
    draft_bytes = "第一条 普通线路票价调整为……".encode()
    draft = ok(drafter.post(f"/decisions/{did}/drafts", data={"title": "征求意见稿"},
                            files={"file": ("draft.txt", draft_bytes, "text/plain")}))
    assert [e["type"] for e in draft["events"]] == ["DraftVersionAdded"]
    for kind in ("specialised", "risk_relevant", "hearing_required_by_law", "nondisclosable",
                 "affects_specific_group", "affects_market_entities", "high_concern"):
        ok(drafter.post(f"/decisions/{did}/determinations",
                        json={"kind": kind, "value": False, "reasons": "经研究不涉及"}))
    art(drafter, "consultation", unit="某市财政局", opinion="同意")
    today = s.ctx.today()
    notice = {"explanation": "起草说明", "channels": ["政府网站"], "method": "网站留言",
              "published_at": today.isoformat(), "deadline": (today + timedelta(days=30)).isoformat()}
    ok(drafter.post(f"/decisions/{did}/artifacts/upload",
                    data={"kind": "comment_notice", "fields": json.dumps(notice, ensure_ascii=False)},
                    files={"file": ("notice.md", "# 征求意见公告".encode(), "text/markdown")}))
    s.ctx.clock.advance(days=31)  # type: ignore[attr-defined]
    hand = drafter.post(f"/decisions/{did}/artifacts", json={"kind": "opinion_summary", "fields": {
        "opinions": [{"opinion": "涨幅过大", "disposition": "partly", "reason": "下调"}]}})
    assert hand.status_code == 409 and hand.json()["rule"] == "AR14"  # one door per act
    assert f"/decisions/{did}/feedback-report" in hand.json()["message"]
    ok(drafter.post(f"/decisions/{did}/feedback-report", json={"other_opinions": [
        {"opinion": "涨幅过大", "disposition": "partly", "reason": "下调", "source": "座谈会"}]}))
    ok(s.client(c.bureau_head).post(f"/decisions/{did}/gates/public_participation/clear"), 200)
    deadline = s.ctx.calendar.add_working_days(s.ctx.today(), 8).due
    art(drafter, "legality_submission", legal_basis="价格法", procedure_explanation="已履行公众参与",
        requested_deadline=deadline.isoformat())
    art(s.client(c.adviser), "legal_adviser_opinion", opinion="程序合法")
    art(s.client(c.reviewer), "legality_opinion", authority="有权", procedure="完备", content="合法",
        conclusion="lawful")
    ok(s.client(c.legal_director).post(f"/decisions/{did}/gates/legality_review/clear"), 200)
    typed = head.post(f"/decisions/{did}/artifacts", json={"kind": "meeting_record", "fields": {
        "meeting_type": "executive", "attendance": [c.member_a, c.head], "head_decision": "adopt",
        "opinions": [{"person": c.member_a, "position": "support", "text": "同意"},
                     {"person": c.head, "position": "support", "text": "同意"}]}})
    assert typed.status_code == 409 and (typed.json()["rule"], typed.json()["article"]) == ("AR14", "Art. 30")
    sec = s.client(c.secretary)
    mid = ok(sec.post("/meetings", json={"meeting_type": "executive", "title": "市政府常务会议",
                                         "held_on": s.ctx.today().isoformat(), "head": c.head,
                                         "members": [c.member_a, c.member_b]}))["meeting_id"]
    ok(sec.post(f"/meetings/{mid}/agenda", json={"decision_id": did}), 200)
    ok(sec.post(f"/meetings/{mid}/attendance", json={"present": [c.member_a, c.member_b, c.head]}), 200)
    for who, position, text in ((c.member_a, "support", "同意"), (c.member_b, "oppose", "建议暂缓（异议照录）"),
                                (c.head, "support", "同意")):
        ok(s.client(who).post(f"/meetings/{mid}/items/1/opinions",
                              json={"speaker": who, "position": position, "text": text}), 200)
    ok(head.post(f"/meetings/{mid}/items/1/decision", json={"outcome": "adopt"}), 200)
    art(office, "party_report", reported_to="中共某市委", reported_at=s.ctx.today().isoformat())
    r = head.get(f"/decisions/{did}")
    before_finalize = ok(r, 200)
    assert before_finalize["status"] == "ready_for_decision"
    assert before_finalize["finalization_missing"] == []
    moment = before_finalize["updated_at"]
    s.ctx.clock.advance(hours=1)  # type: ignore[attr-defined]
    assert ok(head.post(f"/decisions/{did}/finalize", headers={"If-Match": r.headers["etag"]}), 200)[
        "status"] == "decided"
    art(office, "publication_record", channels=["政府公报", "政府网站", "某市日报"],
        published_at=s.ctx.today().isoformat())
    ok(head.post(f"/decisions/{did}/execution-units", json={"units": [TRANSIT]}))
    art(s.client(c.executor), "execution_report", report_kind="progress", summary="运行平稳")
    art(office, "evaluation_commission", evaluator_unit="某第三方评估机构", trigger="organ_decision",
        reasons="委托第三方评估")
    ok(s.client(c.evaluator).post(f"/decisions/{did}/evaluation-reports", json={
        "trigger": "organ_decision", "public_input": "问卷2000份", "deputy_participation": "人大代表参与",
        "findings": "达到预期", "recommendation": "continue"}))
    assert ok(office.post(f"/decisions/{did}/close"), 200)["status"] == "closed"

    # the public reads the published decision without a token; persons are not named
    public = s.client()
    docket = ok(public.get(f"/public/decisions/{did}"), 200)
    assert docket["title"] == "关于调整公交票价的决定" and docket["status"] == "closed"
    assert c.head not in json.dumps(docket)
    assert did in [d["id"] for d in ok(public.get("/public/decisions"), 200)["items"]]
    assert public.get(f"/decisions/{did}").status_code == 401

    # history: as of a sequence number and as of a moment, replayed from the events
    assert ok(drafter.get(f"/decisions/{did}", params={"seq": 1}), 200)["status"] == "draft"
    assert ok(drafter.get(f"/decisions/{did}", params={"at": moment}), 200)["status"] == "ready_for_decision"

    # the event chain, readable by an auditor, links each event to the one before
    auditor = identity.register_person(s.ctx, "审计员")
    identity.grant_role(s.ctx, auditor, "auditor", "某市审计局")
    s.tokens[auditor] = identity.issue_token(s.ctx, auditor)
    events = ok(s.client(auditor).get(f"/decisions/{did}/events"), 200)["items"]
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert all(b["prev_hash"] == a["hash"] for a, b in itertools.pairwise(events))
    assert events[-1]["type"] == "DecisionClosed"

    # the draft's bytes come back with their media type and content address
    art_id = draft_artifact = ok(drafter.get(f"/decisions/{did}"), 200)["drafts"][0]["artifact_id"]
    meta = ok(drafter.get(f"/decisions/{did}/artifacts/{draft_artifact}"), 200)
    assert meta["kind"] == "draft" and meta["author"]["person"] == c.drafter
    got = s.client(auditor).get(f"/decisions/{did}/artifacts/{art_id}/content")
    assert got.status_code == 200
    assert got.content == draft_bytes
    assert got.headers["content-type"].startswith("text/plain")
    assert got.headers["x-content-sha256"] == hashlib.sha256(draft_bytes).hexdigest()
