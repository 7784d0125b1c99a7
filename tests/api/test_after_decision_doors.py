"""The doors issue 16 adds after the decision, over HTTP on each backend: the organ's supervision of the
execution (R19, Art. 34), the superior organ's order to correct and the organ's report on it (ACC5,
Art. 38 ¶1). Each refused with its rule and article (nothing written), and allowed."""

from __future__ import annotations

from typing import Any

from decision_engine.services import execution as ex
from decision_engine.services import identity
from decision_engine.services import queries as q
from tests.api.test_stage_routes import Http


def _events(walk: Any) -> int:
    return int(q.get_decision(walk.ctx, walk.did)["seq"])


def test_the_organ_supervises_the_execution_over_http(walk_any: Any) -> None:
    walk = walk_any
    h, c = Http(walk), walk.c
    walk.decided()
    before = _events(walk)
    r = h.client.post(f"/api/v1/decisions/{walk.did}/supervisions", headers=h.as_(c.office),
                      json={"findings": "执行进度滞后"})
    assert r.status_code == 409 and (r.json()["rule"], r.json()["article"]) == ("R19", "Art. 34"), r.text
    assert _events(walk) == before + 1  # the refusal is evidence (AttemptRefused), nothing else
    ex.designate_execution_units(walk.ctx, c.head, walk.did, ["某市公交集团"])
    r = h.client.post(f"/api/v1/decisions/{walk.did}/supervisions", headers=h.as_(c.executor),
                      json={"findings": "自查"})
    assert r.status_code == 403 and r.json()["rule"], r.text
    h.post(c.office, f"/decisions/{walk.did}/supervisions", {"findings": "执行进度滞后", "instructions": "限期整改",
                                                               "units": ["某市公交集团"]}, status=201)
    [s] = h.get(c.office, f"/decisions/{walk.did}/execution")["supervisions"]
    assert s["findings"] == "执行进度滞后" and s["units"] == ["某市公交集团"]


def test_the_superior_organ_orders_a_correction_and_the_organ_reports_it_over_http(walk_any: Any) -> None:
    walk = walk_any
    h, c = Http(walk), walk.c
    # a county decision (the demo organisation: the county government under the city government)
    drafter = identity.register_person(walk.ctx, "县交通局起草人")
    identity.grant_role(walk.ctx, drafter, "undertaking_unit", "某县交通运输局", reason="任职")
    county_head = identity.register_person(walk.ctx, "县长")
    identity.grant_role(walk.ctx, county_head, "admin_head", "某县人民政府", reason="任职")
    did = h.post(drafter, "/decisions", {"title": "县事项", "category": "public_project", "unit": "某县交通运输局"},
                 status=201)["decision_id"]
    body = {"breach": "未按第三十条由常务会议讨论", "findings": "查明……", "required": "重新提交常务会议讨论"}
    r = h.client.post(f"/api/v1/decisions/{did}/corrections", headers=h.as_(county_head), json=body)
    assert r.status_code == 403 and (r.json()["rule"], r.json()["article"]) == ("AR11", "Art. 38 ¶1"), r.text
    r = h.client.post(f"/api/v1/decisions/{did}/corrections", headers=h.as_(c.head), json=dict(body, breach=" "))
    assert r.status_code in (409, 422) and r.json()["article"] == "Art. 38 ¶1", r.text
    out = h.post(c.head, f"/decisions/{did}/corrections", body, status=201)  # the city head: the one above
    assert [e["type"] for e in out["events"]] == ["CorrectionOrdered"]
    order = h.get(c.head, f"/decisions/{did}/execution")["corrections"][0]["order_id"]
    assert order == f"CO-{did}-1"
    r = h.client.post(f"/api/v1/corrections/{order}/report", headers=h.as_(c.head), json={"report": "已改正"})
    assert r.status_code == 403, r.text  # the superior does not report on its own order
    assert h.client.post("/api/v1/corrections/CO-nothing/report", headers=h.as_(county_head),
                         json={"report": "已改正"}).status_code == 404
    h.post(county_head, f"/corrections/{order}/report", {"report": "已重新提交常务会议讨论"})
    r = h.client.post(f"/api/v1/corrections/{order}/report", headers=h.as_(county_head), json={"report": "再报"})
    assert r.status_code == 409 and r.json()["rule"] == "ACC5", r.text
    [o] = h.get(c.head, f"/decisions/{did}/execution")["corrections"]
    assert o["report"]["text"] == "已重新提交常务会议讨论"
