"""The doors of the articles before the decision meeting (issue 16), on both databases: each new field goes
through the JSON API and the refusal carries its rule and article, with nothing written."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import pytest

from api.app import create_app
from decision_engine.services import identity
from decision_engine.services import queries as q

with warnings.catch_warnings():  # starlette asks for httpx2, which the registry does not carry
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


@pytest.fixture
def client(walk_any: Any) -> Iterator[TestClient]:
    with TestClient(create_app(walk_any.ctx)) as c:
        yield c


def _post(walk: Any, client: TestClient, person: str, path: str, body: dict[str, Any]) -> Any:
    token = identity.issue_token(walk.ctx, person)
    return client.post(f"/api/v1{path}", json=body, headers={"Authorization": f"Bearer {token}",
                                                              "Accept-Language": "zh-CN"})


OPEN = {"title": "关于调整公交票价的决定", "category": "public_project"}


def test_r1_the_organ_level_and_the_law_whose_procedure_prevails_are_recorded_at_opening(walk_any: Any,
                                                                                          client: TestClient) -> None:
    r = _post(walk_any, client, walk_any.c.drafter, "/decisions", {
        **OPEN, "unit": walk_any.bureau, "organ_level": "county", "procedure_by_law": "价格法第二十三条"})
    assert r.status_code == 201, r.text
    d = q.get_decision(walk_any.ctx, r.json()["decision_id"])
    assert (d["organ_level"], d["applies"], d["procedure_by_law"]) == ("county", "direct", "价格法第二十三条")


def test_r1_a_level_outside_the_regulation_is_refused_with_its_article_and_nothing_is_opened(
        walk_any: Any, client: TestClient) -> None:
    before = len(q.list_decisions(walk_any.ctx)["items"])
    r = _post(walk_any, client, walk_any.c.drafter, "/decisions", {**OPEN, "unit": walk_any.bureau,
                                                                   "organ_level": "Village"})
    assert r.status_code in (409, 422), r.text
    assert (r.json()["rule"], r.json()["article"]) == ("R1", "第二条、第四十二条"), r.json()
    assert "县级以上地方人民政府" in r.json()["message"]
    r = _post(walk_any, client, walk_any.c.drafter, "/decisions", {**OPEN, "unit": walk_any.bureau,
                                                                   "procedure_by_law": "另有规定"})
    assert r.status_code in (409, 422) and r.json()["rule"] == "R1", r.text
    assert len(q.list_decisions(walk_any.ctx)["items"]) == before


def test_r7_the_hearing_record_door_takes_the_hearings_order_and_refuses_without_it(walk_any: Any,
                                                                                      client: TestClient) -> None:
    from decision_engine.services import hearings
    from tests.stages.test_hearings import announced
    walk, people = announced(walk_any)
    walk.ctx.clock.advance(days=19)
    sha = hearings.present_record(walk.ctx, walk.c.drafter, walk.did, content="听证笔录".encode()).events[0][
        "payload"]["sha256"]
    for p in people:
        hearings.confirm_record(walk.ctx, p, walk.did, sha)
    r = _post(walk, client, walk.c.drafter, f"/decisions/{walk.did}/hearing/record", {"sha256": sha, "summary": "s"})
    assert r.status_code == 409 and (r.json()["rule"], r.json()["article"]) == ("R7", "第十七条"), r.text
    assert "质证和辩论" in r.json()["message"]
    assert not [a for a in q.get_decision(walk.ctx, walk.did)["artifacts"] if a["kind"] == "hearing_record"]
    r = _post(walk, client, walk.c.drafter, f"/decisions/{walk.did}/hearing/record", {
        "sha256": sha, "summary": "s", "presentation": "承办单位介绍草案", "statements": "参加人陈述、质证、辩论"})
    assert r.status_code == 201, r.text


def test_r10_a_third_party_risk_report_names_who_commissioned_it(walk_any: Any, client: TestClient) -> None:
    walk = walk_any.open().start().determine(risk_relevant=True)
    report = {"risk_points": ["票价上涨引发不满"], "level": "medium", "measures": ["分步实施"],
              "contingency_plan": "应急预案", "conclusion": "controllable", "third_party": "某社会稳定风险评估中心"}
    r = _post(walk, client, walk.c.assessor, f"/decisions/{walk.did}/artifacts", {"kind": "risk_report",
                                                                                   "fields": report})
    assert r.status_code == 409 and (r.json()["rule"], r.json()["article"]) == ("R10", "第二十三条第三款"), r.text
    assert not [a for a in q.get_decision(walk.ctx, walk.did)["artifacts"] if a["kind"] == "risk_report"]
    r = _post(walk, client, walk.c.assessor, f"/decisions/{walk.did}/artifacts", {
        "kind": "risk_report", "fields": {**report, "commissioned_by": walk.bureau}})
    assert r.status_code == 201, r.text


def test_r14_an_other_material_goes_through_the_artifact_door_into_the_packet(walk_any: Any,
                                                                              client: TestClient) -> None:
    from decision_engine.services import meetings
    walk = walk_any.ready()
    r = _post(walk, client, walk.c.drafter, f"/decisions/{walk.did}/artifacts", {
        "kind": "other_material", "fields": {"title": "成本监审报告", "reason": " "}})
    assert r.status_code == 409 and (r.json()["rule"], r.json()["article"]) == ("R14", "第二十九条第（六）项"), r.text
    r = _post(walk, client, walk.c.drafter, f"/decisions/{walk.did}/artifacts", {
        "kind": "other_material", "fields": {"title": "成本监审报告", "reason": "票价调整须附成本监审结论"}})
    assert r.status_code == 201, r.text
    packet = meetings.packet_preview(walk.ctx, walk.did)
    assert [o["title"] for o in packet["other_materials"]] == ["成本监审报告"]


def test_r3_a_deputys_proposal_is_studied_before_the_start_through_the_artifact_door(walk_any: Any,
                                                                                     client: TestClient) -> None:
    walk = walk_any.open()
    proposal = {"source": "deputy", "problem": "公交运营亏损", "reasons": "成本上升", "basis": "价格法",
                "plan": "分步调价", "necessity": "必要", "feasibility": "可行"}
    r = _post(walk, client, walk.c.office, f"/decisions/{walk.did}/artifacts", {"kind": "proposal",
                                                                                "fields": proposal})
    assert r.status_code == 201, r.text
    pid = next(a["id"] for a in q.get_decision(walk.ctx, walk.did)["artifacts"] if a["kind"] == "proposal")
    start = {"kind": "start_decision", "fields": {"lead_unit": walk.bureau, "units": [walk.bureau]}}
    r = _post(walk, client, walk.c.head, f"/decisions/{walk.did}/artifacts", start)
    assert r.status_code == 409 and (r.json()["rule"], r.json()["article"]) == ("R3", "第十条"), r.text
    r = _post(walk, client, walk.c.drafter, f"/decisions/{walk.did}/artifacts", {
        "kind": "proposal_study", "fields": {"proposal_id": pid, "unit": walk.bureau, "study": "经调研论证，建议启动"}})
    assert r.status_code == 201, r.text
    assert _post(walk, client, walk.c.head, f"/decisions/{walk.did}/artifacts", start).status_code == 201


def test_r6_a_comment_notice_publishes_the_draft_with_its_explanation(walk_any: Any, client: TestClient) -> None:
    from datetime import timedelta
    walk = walk_any.open().start().determine().coordinate()
    today = walk.ctx.today()
    notice = {"explanation": "  ", "channels": ["政府网站"], "method": "留言", "published_at": today.isoformat(),
              "deadline": (today + timedelta(days=30)).isoformat()}
    r = _post(walk, client, walk.c.drafter, f"/decisions/{walk.did}/artifacts", {"kind": "comment_notice",
                                                                                 "fields": notice})
    assert r.status_code == 409 and (r.json()["rule"], r.json()["article"]) == ("R6", "第十五条第一款"), r.text
    r = _post(walk, client, walk.c.drafter, f"/decisions/{walk.did}/artifacts", {
        "kind": "comment_notice", "fields": {**notice, "explanation": "起草背景、依据和主要内容的说明"}})
    assert r.status_code == 201, r.text
