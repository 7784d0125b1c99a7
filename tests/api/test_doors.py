"""One door per compound act (AR14, issue 15 §3) over HTTP, on a real SQLite store and the real app.

Each kind produced by its own use case is refused by the generic artifacts route (JSON and upload) with a
409 naming AR14, the article of the act and the endpoint to use, the refusal kept as evidence and nothing
written; each new door works, and the rules that moved from the services into the domain (the expert pool
and selection, Art. 41 disqualification, the hearing participants and the confirmed record) hold there.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from decision_engine.domain.doors import DOORS
from decision_engine.services import experts, hearings, identity
from decision_engine.services import queries as q
from tests.api.test_stage_routes import Http
from tests.conftest import WARNINGS_ARE_ERRORS

pytestmark = WARNINGS_ARE_ERRORS


def artifacts(walk: Any) -> list[str]:
    return [a["kind"] for a in q.get_decision(walk.ctx, walk.did)["artifacts"]]


@pytest.mark.parametrize("kind", sorted(DOORS))
def test_the_generic_route_refuses_every_kind_that_has_its_own_door(walk: Any, kind: str) -> None:
    walk.open().start().determine(specialised=True, hearing_required_by_law=True)
    h, c = Http(walk), walk.c
    before = artifacts(walk)
    for who in (c.head, c.drafter):  # whoever may record it: the door, not the role, refuses
        r = h.client.post(f"/api/v1/decisions/{walk.did}/artifacts", headers=h.as_(who),
                          json={"kind": kind, "fields": {"summary": "typed"}})
        assert r.status_code == 409, r.text
        body = r.json()
        assert (body["rule"], body["article"]) == ("AR14", DOORS[kind].article)
        endpoint = DOORS[kind].endpoint.replace("{id}", walk.did)
        assert endpoint in body["message"] and body["message"][0] == "“"  # zh-CN first
        assert body["missing"][0]["rule"] == DOORS[kind].rule and body["missing"][0]["kind"] == kind
    up = h.client.post(f"/api/v1/decisions/{walk.did}/artifacts/upload", headers=h.as_(c.drafter),
                       data={"kind": kind, "fields": "{}"}, files={"file": ("x.txt", b"typed", "text/plain")})
    assert up.status_code == 409 and up.json()["rule"] == "AR14", up.text
    assert artifacts(walk) == before  # nothing written
    refused = [e for e in q.events(walk.ctx, walk.did) if e["type"] == "AttemptRefused"]
    assert refused[-1]["payload"]["rule"] == "AR14" and refused[-1]["payload"]["act"] == f"artifact:{kind}"


def test_a_kind_without_a_door_of_its_own_still_goes_through_the_generic_route(walk: Any) -> None:
    walk.open().start().determine()
    h = Http(walk)
    h.post(walk.c.drafter, f"/decisions/{walk.did}/artifacts",
           {"kind": "consultation", "fields": {"unit": "某市财政局", "opinion": "同意"}}, status=201)
    assert "consultation" in artifacts(walk)


def test_expert_selection_door_with_the_pool_dissent_and_art41(walk: Any) -> None:
    walk.open().start().determine(specialised=True)
    h, c = Http(walk), walk.c
    for e in (c.expert_a, c.expert_b):
        h.post(c.office, "/experts", {"person_id": e, "fields": ["交通规划"], "affiliation": "某大学"}, status=201)
    no_keeper = h.client.post(f"/api/v1/experts/{c.expert_b}/disqualify", headers=h.as_(c.drafter),
                              json={"reason": "隐瞒利害关系"})
    assert no_keeper.status_code == 403 and no_keeper.json()["rule"] == "R9"
    h.post(c.office, f"/experts/{c.expert_b}/disqualify", {"reason": "隐瞒利害关系，后果严重"})
    assert [e["person_id"] for e in h.get(c.office, "/experts")] == [c.expert_a]
    body = {"expert_ids": [c.expert_a, c.expert_b], "method": "随机抽取", "reasons": "专业对口",
            "dissent_included": True, "outside_pool_reason": "库外补选"}
    barred = h.client.post(f"/api/v1/decisions/{walk.did}/expert-selection", headers=h.as_(c.drafter), json=body)
    assert barred.status_code == 409 and (barred.json()["rule"], barred.json()["article"]) == ("R9", "Art. 41")
    evidence = [e for e in q.events(walk.ctx, walk.did) if e["type"] == "AttemptRefused"][-1]["payload"]
    assert (evidence["act"], evidence["rule"], evidence["article"]) == ("artifact:selection_note", "R9", "Art. 41")
    no_dissent = h.client.post(f"/api/v1/decisions/{walk.did}/expert-selection", headers=h.as_(c.drafter),
                               json={**body, "expert_ids": [c.expert_a], "dissent_included": False})
    assert no_dissent.status_code == 409 and (no_dissent.json()["rule"], no_dissent.json()["article"]) == (
        "R9", "Art. 20")
    assert "selection_note" not in artifacts(walk)
    h.post(c.drafter, f"/decisions/{walk.did}/expert-selection", {**body, "expert_ids": [c.expert_a]}, status=201)
    note = next(a for a in q.get_decision(walk.ctx, walk.did)["artifacts"] if a["kind"] == "selection_note")
    assert note["fields"]["expert_ids"] == [c.expert_a] and note["fields"]["dissent_included"] is True
    # the expert's own opinion, signed by their own confirmation over its sha256 (R9, Art. 19)
    h.post(c.expert_a, f"/decisions/{walk.did}/artifacts",
           {"kind": "conflict_declaration", "fields": {"direct_interest": False, "statement": "无"}}, status=201)
    h.post(c.expert_a, f"/decisions/{walk.did}/expert-opinions", {"opinion": "可行"}, status=201)
    op = next(a for a in q.get_decision(walk.ctx, walk.did)["artifacts"] if a["kind"] == "expert_opinion")
    assert op["fields"]["signature"] == "sha256:" + op["sha256"]


def _hearing_people(walk: Any) -> list[str]:
    out = []
    for name in ("消费者代表甲", "经营者代表乙"):
        pid = identity.register_person(walk.ctx, name)
        identity.grant_role(walk.ctx, pid, "hearing_participant", "社会公众", reason="听证参加人")
        out.append(pid)
    return out


def test_hearing_doors_list_and_record_confirmed_by_each_participant(walk: Any) -> None:
    walk.open().start().determine(hearing_required_by_law=True)
    h, c, did = Http(walk), walk.c, walk.did
    today = walk.ctx.today()
    h.post(c.drafter, f"/decisions/{did}/artifacts", {"kind": "hearing_notice", "fields": {
        "published_at": today.isoformat(), "hearing_at": (today + timedelta(days=20)).isoformat(),
        "place": "会议室"}}, status=201)
    hearings.publish_selection_method(walk.ctx, c.drafter, did, method="随机抽取")
    people = _hearing_people(walk)
    walk.ctx.clock.advance(days=1)
    stranger = h.client.post(f"/api/v1/decisions/{did}/hearing/participants", headers=h.as_(c.drafter),
                             json={"participants": [c.expert_a], "selected_at": walk.ctx.today().isoformat()})
    assert stranger.status_code == 403 and (stranger.json()["rule"], stranger.json()["article"]) == (
        "SoD5", "Art. 17")
    h.post(c.drafter, f"/decisions/{did}/hearing/participants",
           {"participants": people, "selected_at": walk.ctx.today().isoformat()}, status=201)
    for p in people:
        hearings.deliver_materials(walk.ctx, c.drafter, did, participant=p, delivered_at=walk.ctx.today().isoformat())
    walk.ctx.clock.advance(days=19)
    r = h.client.post(f"/api/v1/decisions/{did}/hearing/records", headers=h.as_(c.drafter),
                      files={"file": ("record.txt", "听证笔录".encode(), "text/plain")})
    assert r.status_code == 201, r.text
    sha = hearings.hearing_status(walk.ctx, did)["records"][0]["sha256"]
    h.post(people[0], f"/decisions/{did}/hearing/confirmations", {"sha256": sha})
    unconfirmed = h.client.post(f"/api/v1/decisions/{did}/hearing/record", headers=h.as_(c.drafter),
                                json={"sha256": sha, "summary": "依法举行"})
    assert unconfirmed.status_code == 409 and (unconfirmed.json()["rule"], unconfirmed.json()["article"]) == (
        "SoD5", "Art. 17")
    h.post(people[1], f"/decisions/{did}/hearing/confirmations", {"sha256": sha})
    early = h.client.post(f"/api/v1/decisions/{did}/hearing/record", headers=h.as_(c.drafter),
                          json={"sha256": sha, "summary": "依法举行", "held_on": today.isoformat()})
    assert early.status_code == 409 and (early.json()["rule"], early.json()["article"]) == ("R7", "Art. 17")
    h.post(c.drafter, f"/decisions/{did}/hearing/record", {"sha256": sha, "summary": "依法举行",  # R7, Art. 17
                                                           "presentation": "承办单位介绍草案", "statements": "参加人陈述、质证"},
           status=201)
    gate = next(g for g in q.get_decision(walk.ctx, did)["gates"] if g["id"] == "hearing")
    assert gate["status"] == "cleared"
    record = next(a for a in q.get_decision(walk.ctx, did)["artifacts"] if a["kind"] == "hearing_record")
    assert sorted(record["fields"]["signed_by"]) == sorted(people)


def test_a_voluntary_hearing_entered_as_a_participation_record_is_refused_over_http(walk: Any) -> None:
    walk.open().start().determine()
    h = Http(walk)
    r = h.client.post(f"/api/v1/decisions/{walk.did}/artifacts", headers=h.as_(walk.c.drafter), json={
        "kind": "participation_record", "fields": {"method": "听证会", "summary": "自愿举行的听证会"}})
    assert r.status_code == 409 and (r.json()["rule"], r.json()["article"]) == ("R7", "Art. 16"), r.text


def test_sod8_nobody_exempts_a_gate_on_their_own_determination_over_http(walk: Any) -> None:
    walk.open().start().determine(nondisclosable=True)
    h, c = Http(walk), walk.c
    h.post(c.drafter, f"/decisions/{walk.did}/artifacts", {"kind": "nondisclosure_basis", "fields": {
        "legal_ref": "政府信息公开条例第十四条", "reason": "涉密"}}, status=201)
    own = h.client.post(f"/api/v1/decisions/{walk.did}/gates/public_participation/exempt", headers=h.as_(c.drafter),
                        json={"legal_basis": "政府信息公开条例第十四条"})
    assert own.status_code == 403 and own.json()["rule"] == "SoD8", own.text
    h.post(c.bureau_head, f"/decisions/{walk.did}/gates/public_participation/exempt",
           {"legal_basis": "政府信息公开条例第十四条"})
    gate = next(g for g in q.get_decision(walk.ctx, walk.did)["gates"] if g["id"] == "public_participation")
    assert gate["status"] == "exempted"


def test_the_pool_rules_live_in_the_domain(walk: Any) -> None:
    """The same refusals whichever door calls the service (the CLI and flows call these functions)."""
    walk.open().start().determine(specialised=True)
    experts.disqualify(walk.ctx, walk.c.office, walk.c.expert_a, reason="严重违反职业道德")
    with pytest.raises(Exception) as info:
        experts.select_experts(walk.ctx, walk.c.drafter, walk.did, expert_ids=[walk.c.expert_a], method="m",
                               reasons="r", dissent_included=True, outside_pool_reason="x")
    assert getattr(info.value, "rule", None) == "R9" and getattr(info.value, "article", None) == "Art. 41"
