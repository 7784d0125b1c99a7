"""The stage acts, the collective decision and the after-decision acts over HTTP (issues 3–6, 8, 9): one
decision walked through a real meeting (convene → agenda → roll → opinions in order → the head's decision →
minutes confirmed by the secretariat and the head), then published, executed, terminated; an evaluation
decided; an accountability case opened, found and closed; the unit report as JSON and CSV; documents
rendered and downloaded; the public's opinion on execution; the work queue and the inbox. Refusals over HTTP
carry their rule and article and change nothing."""

from __future__ import annotations

import csv
import hashlib
import io
import warnings
from typing import Any

from api.app import create_app
from decision_engine.services import identity
from decision_engine.services import queries as q
from tests.stages.test_meetings import secretary

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


class Http:
    """A client and a token per person of the walk's cast."""

    def __init__(self, walk: Any) -> None:
        self.w = walk
        self.client = TestClient(create_app(walk.ctx))
        self.tokens: dict[str, str] = {}

    def as_(self, person: str) -> dict[str, str]:
        if person not in self.tokens:
            self.tokens[person] = identity.issue_token(self.w.ctx, person, ttl_days=30)
        return {"Authorization": f"Bearer {self.tokens[person]}"}

    def post(self, person: str, path: str, body: Any = None, status: int = 200, **kw: Any) -> Any:
        r = self.client.post(f"/api/v1{path}", json=body, headers=self.as_(person), **kw)
        assert r.status_code == status, r.text
        return r.json()

    def get(self, person: str, path: str, status: int = 200) -> Any:
        r = self.client.get(f"/api/v1{path}", headers=self.as_(person))
        assert r.status_code == status, r.text
        return r.json() if r.headers["content-type"].startswith("application/json") else r


def test_a_meeting_decides_over_http_and_the_minutes_are_confirmed(walk: Any) -> None:
    h, c = Http(walk), walk.c
    walk.ready()
    sec = secretary(walk.ctx)
    packet = h.get(c.drafter, f"/decisions/{walk.did}/meeting-packet")
    assert packet["draft"]["version"] == 1 and packet["draft"]["reviewed_by_legal_office"]
    mid = h.post(sec, "/meetings", {"meeting_type": "executive", "title": "市政府第12次常务会议",
                                    "held_on": walk.ctx.today().isoformat(), "head": c.head,
                                    "members": [c.member_a, c.member_b]}, status=201)["meeting_id"]
    # A circulated sign-off is no meeting: refused with its rule and article (R15, Art. 30 ¶1), nothing convened.
    bad = h.client.post("/api/v1/meetings", headers=h.as_(sec), json={
        "meeting_type": "circulated", "title": "传签", "held_on": "2025-03-03", "head": c.head, "members": [c.head]})
    assert bad.status_code == 409 and (bad.json()["rule"], bad.json()["article"]) == ("R15", "Art. 30 ¶1"), bad.text
    assert len(h.get(sec, "/meetings")) == 1
    h.post(sec, f"/meetings/{mid}/agenda", {"decision_id": walk.did})
    h.post(sec, f"/meetings/{mid}/attendance", {"present": [c.member_a, c.member_b, c.head]})
    # The head before every present member has spoken: refused with its rule (R15, Art. 30).
    early = h.client.post(f"/api/v1/meetings/{mid}/items/1/opinions", headers=h.as_(c.head),
                          json={"speaker": c.head, "position": "support", "text": "同意"})
    assert early.status_code == 409 and early.json()["rule"] in ("R15", "SoD4"), early.text
    h.post(c.member_a, f"/meetings/{mid}/items/1/opinions", {"speaker": c.member_a, "position": "support",
                                                             "text": "同意"})
    h.post(sec, f"/meetings/{mid}/items/1/opinions", {"speaker": c.member_b, "position": "oppose",
                                                      "text": "票价涨幅过大，建议分步实施。"})
    h.post(c.head, f"/meetings/{mid}/items/1/opinions", {"speaker": c.head, "position": "support", "text": "同意"})
    member_decides = h.client.post(f"/api/v1/meetings/{mid}/items/1/decision", headers=h.as_(c.member_a),
                                   json={"outcome": "adopt"})
    assert member_decides.status_code == 403 and member_decides.json()["rule"] == "SoD4"
    h.post(c.head, f"/meetings/{mid}/items/1/decision", {"outcome": "adopt"})
    minutes = h.post(sec, f"/meetings/{mid}/minutes", status=201)
    assert minutes["meeting_id"] == mid
    meeting = h.get(c.auditor if hasattr(c, "auditor") else sec, f"/meetings/{mid}")
    latest = meeting["minutes"][-1]
    doc = h.get(sec, f"/meetings/{mid}/minutes")
    assert hashlib.sha256(doc.content).hexdigest() == latest["sha256"] == doc.headers["x-content-sha256"]
    assert "票价涨幅过大，建议分步实施。" in doc.text  # dissent verbatim
    # The head does not confirm as the secretariat (SoD8).
    as_sec = h.client.post(f"/api/v1/meetings/{mid}/minutes/confirmations", headers=h.as_(c.head),
                           json={"version": latest["version"], "sha256": latest["sha256"], "capacity": "secretariat"})
    assert as_sec.status_code == 403 and as_sec.json()["rule"] == "SoD8", as_sec.text
    for who, capacity in ((sec, "secretariat"), (c.head, "head")):
        h.post(who, f"/meetings/{mid}/minutes/confirmations", {"version": latest["version"],
                                                               "sha256": latest["sha256"], "capacity": capacity})
    h.post(c.office, f"/decisions/{walk.did}/party-report", {"reported_to": "中共某市委"}, status=201)
    h.post(c.head, f"/decisions/{walk.did}/finalize")
    assert q.get_decision(walk.ctx, walk.did)["status"] == "decided"


def test_after_the_decision_over_http(walk: Any) -> None:
    h, c = Http(walk), walk.c
    walk.decided()
    did = walk.did
    # Publication before anything else would be refused to the drafter (R17 roles).
    assert h.client.post(f"/api/v1/decisions/{did}/publish", headers=h.as_(c.drafter),
                         json={"channels": ["政府网站"]}).status_code == 403
    h.post(c.office, f"/decisions/{did}/publish", {"channels": ["政府公报", "政府网站"],
                                                   "interpretation": "政策解读",
                                                   "interpretation_means": ["press_conference"]}, status=201)
    typed = h.client.post(f"/api/v1/decisions/{did}/artifacts", headers=h.as_(c.head),
                          json={"kind": "execution_unit_designation", "fields": {"units": ["某市公交集团"]}})
    assert typed.status_code == 409 and typed.json()["rule"] == "AR14", typed.text  # one door per act
    assert f"/decisions/{did}/execution-units" in typed.json()["message"]
    h.post(c.head, f"/decisions/{did}/execution-units", {"units": ["某市公交集团"]}, status=201)
    walk.art(c.executor, "execution_report", report_kind="progress", summary="顺利")
    view = h.get(c.executor, f"/decisions/{did}/execution")
    assert view["decision_id"] == did
    # The public's opinion on execution: no token, a tracking number, looked up without identity.
    r = h.client.post(f"/api/v1/public/decisions/{did}/execution-opinions",
                      json={"text": "夜班车太少", "name": "市民甲", "contact": "138"})
    assert r.status_code == 201, r.text
    tn = r.json()["tracking_number"]
    seen = h.client.get(f"/api/v1/public/execution-opinions/{tn}").json()
    assert seen["decision_id"] == did and "市民甲" not in str(seen)
    # The unit report as data and as CSV (R19–R22).
    start, end = "2000-01-01", walk.ctx.today().isoformat()
    report = h.get(c.office, f"/reports/units/某市公交集团?start={start}&end={end}")
    assert [d["decision_id"] for d in report["in_execution"]] == [did]
    text = h.client.get(f"/api/v1/reports/units/某市公交集团?start={start}&end={end}&format=csv",
                        headers=h.as_(c.office))
    assert text.headers["content-type"].startswith("text/csv") and did in text.text
    rows = list(csv.reader(io.StringIO(text.text)))
    assert ["执行中的决策", "in_execution", "", "合计 1", end, "某市公交集团"] in rows
    assert any(r[1] == "in_execution" and r[2] == did for r in rows)
    assert h.client.get(f"/api/v1/reports/units/x?start={end}&end={start}",
                        headers=h.as_(c.office)).status_code == 422
    # Evaluation and the organ's conclusion to stop (R21); the stop itself is the organ's collective decision
    # at its meeting (R20, Arts. 30, 37).
    walk.art(c.office, "evaluation_commission", evaluator_unit="某第三方评估机构", trigger="organ_decision",
             reasons="按期评估")
    h.post(c.evaluator, f"/decisions/{did}/evaluation-reports", {
        "trigger": "organ_decision", "public_input": "问卷", "deputy_participation": "代表", "findings": "效果未达预期",
        "recommendation": "stop"}, status=201)
    eid = next(a["id"] for a in q.get_decision(walk.ctx, did)["artifacts"] if a["kind"] == "evaluation_report")
    denied = h.client.post(f"/api/v1/decisions/{did}/evaluations/{eid}/decision", headers=h.as_(c.executor),
                           json={"outcome": "stop", "reasons": "效果未达预期"})
    assert denied.status_code == 403 and denied.json()["rule"], denied.text
    h.post(c.head, f"/decisions/{did}/evaluations/{eid}/decision", {"outcome": "stop", "reasons": "效果未达预期"})
    assert q.get_decision(walk.ctx, did)["status"] != "terminated"  # an evaluation does not stop by itself
    stop = {"basis": "决策后评估结果：停止执行", "reason": "效果未达预期", "basis_ref": eid}
    r = h.client.post(f"/api/v1/decisions/{did}/terminate", headers=h.as_(c.head), json=stop)
    assert r.status_code == 409 and (r.json()["rule"], r.json()["article"]) == ("R20", "Arts. 30, 37"), r.text
    sec = secretary(walk.ctx, "周秘书")
    mid = h.post(sec, "/meetings", {"meeting_type": "executive", "title": "市政府第13次常务会议",
                                    "held_on": walk.ctx.today().isoformat(), "head": c.head,
                                    "members": [c.member_a, c.member_b]}, status=201)["meeting_id"]
    r = h.client.post(f"/api/v1/meetings/{mid}/changes", headers=h.as_(sec),
                      json={"decision_id": did, "change": "pause", "reason": "评估建议停止"})
    assert r.status_code == 422 and (r.json()["rule"], r.json()["article"]) == ("R20", "Arts. 30, 37"), r.text
    r = h.client.post(f"/api/v1/meetings/{mid}/changes", headers=h.as_(c.executor),
                      json={"decision_id": did, "change": "terminate", "reason": "评估建议停止"})
    assert r.status_code == 403, r.text
    h.post(sec, f"/meetings/{mid}/changes", {"decision_id": did, "change": "terminate", "reason": "评估建议停止"})
    h.post(sec, f"/meetings/{mid}/attendance", {"present": [c.member_a, c.member_b, c.head]})
    for who in (c.member_a, c.member_b, c.head):
        h.post(who, f"/meetings/{mid}/items/1/opinions", {"speaker": who, "position": "support", "text": "同意停止"})
    r = h.client.post(f"/api/v1/meetings/{mid}/items/1/change-decision", headers=h.as_(c.head),
                      json={"outcome": "maybe"})
    assert r.status_code == 422 and r.json()["rule"] == "R20", r.text
    assert h.client.post(f"/api/v1/meetings/{mid}/items/1/change-decision", headers=h.as_(c.member_a),
                         json={"outcome": "adopt"}).status_code == 403
    h.post(c.head, f"/meetings/{mid}/items/1/change-decision", {"outcome": "adopt"})
    h.post(c.head, f"/decisions/{did}/terminate", dict(stop, meeting_id=mid, item_no=1))
    final = q.get_decision(walk.ctx, did)
    assert final["status"] == "terminated"


def test_accountability_over_http(walk: Any) -> None:
    h, c = Http(walk), walk.c
    walk.decided()
    did = walk.did
    auditor = identity.register_person(walk.ctx, "审计员")
    identity.grant_role(walk.ctx, auditor, "auditor", "某市审计局", reason="任职")
    named = [{"person": c.drafter, "capacity": "direct"}]
    grounds = [{"article": "Art. 39", "text": "未依法履行公众参与程序"}]
    # A person named does not open the case (ACC2); an unknown article is refused (ACC1).
    assert h.client.post(f"/api/v1/decisions/{did}/accountability-cases", headers=h.as_(c.drafter), json={
        "grounds": grounds, "persons": named}).status_code == 403
    bad = h.client.post(f"/api/v1/decisions/{did}/accountability-cases", headers=h.as_(auditor), json={
        "grounds": [{"article": "Art. 12", "text": "x"}], "persons": named})
    assert bad.status_code == 409 and bad.json()["rule"] == "ACC1", bad.text
    case = h.post(auditor, f"/decisions/{did}/accountability-cases", {"grounds": grounds, "persons": named},
                  status=201)
    cid = case["case_id"]
    h.post(auditor, f"/accountability-cases/{cid}/findings", {
        "findings": "经查，已依法征求意见", "persons": [{"person": c.drafter, "capacity": "direct",
                                              "finding": "无过错", "responsible": False}]})
    h.post(auditor, f"/accountability-cases/{cid}/close", {"outcome": "no_liability", "reason": "无过错"})
    assert h.get(auditor, f"/accountability-cases/{cid}")["status"] == "closed"
    assert [x["id"] for x in h.get(auditor, f"/accountability-cases?decision_id={did}")] == [cid]
    ledger = h.get(auditor, f"/decisions/{did}/ledger")
    assert any(e.get("person") == c.head for e in ledger)
    assert h.get(auditor, f"/decisions/{did}/traceback")["decision"]["id"] == did
    assert h.get(auditor, f"/persons/{c.drafter}/traceback")
    # The auditor writes nothing into a decision's record (issue 3): no document rendering either.
    assert h.client.post(f"/api/v1/decisions/{did}/documents/comment_notice", headers=h.as_(auditor)
                         ).status_code == 403


def test_documents_work_queue_and_inbox_over_http(walk: Any) -> None:
    h, c = Http(walk), walk.c
    walk.decided()
    did = walk.did
    docs = h.post(c.drafter, f"/decisions/{did}/documents/comment_notice", status=201)
    again = h.post(c.drafter, f"/decisions/{did}/documents/comment_notice", status=201)
    assert docs["id"] == again["id"]  # the same basis gives back the rendering already recorded
    assert [d["id"] for d in h.get(c.drafter, f"/decisions/{did}/documents")] == [docs["id"]]
    pdf = h.client.get(f"/api/v1/documents/{docs['id']}/content?format=pdf", headers=h.as_(c.head))
    assert pdf.content.startswith(b"%PDF") and hashlib.sha256(pdf.content).hexdigest() == docs["pdf_sha256"]
    unknown = h.client.post(f"/api/v1/decisions/{did}/documents/no_such_kind", headers=h.as_(c.drafter))
    assert unknown.status_code == 404 and unknown.json()["rule"] == "R18"
    queue = h.get(c.office, "/work")
    assert queue["person"] == c.office and isinstance(queue["items"], list)
    assert h.get(c.office, "/notifications") == []
    gone = h.client.post("/api/v1/notifications/N-nothing/read", headers=h.as_(c.office))
    assert gone.status_code == 404
