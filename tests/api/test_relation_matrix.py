"""The relation matrix over HTTP (issue 15; AR1–AR13 in `domain/authority.py`): two governments — a city and
a county under it — each with its head, legal office and departments, loaded as the organisation. For each
mutating and reading route, the act is tried by a person holding the act's role (a) in the right unit of the
right organ, (b) in another unit of the same organ, (c) in the other government: allowed exactly for (a),
refused with the relation's rule and article otherwise, the decision unchanged and the refusal recorded as
evidence."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from api.app import create_app
from decision_engine.services import identity
from decision_engine.services import queries as q
from decision_engine.services.demo import BUREAU, CITY

with warnings.catch_warnings():  # starlette asks for httpx2, which the registry does not carry
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

COUNTY, COUNTY_BUREAU, COUNTY_JUSTICE = "某县人民政府", "某县交通运输局", "某县司法局"
FINANCE, OFFICE = "某市财政局", "某市人民政府办公室"


@dataclass
class Case:
    """One act: its route, body, role, the right person's unit, the wrong persons' units and refusal."""

    name: str
    role: str
    method: str
    path: Callable[[str], str]
    body: Callable[[Any], Any]
    same_organ: str | None
    other_organ: str
    rule: str
    other_rule: str | None = None


@pytest.fixture
def world(walk: Any) -> Any:
    # `cast()` loaded the demo's two governments (procedures/org/demo.toml): a city and a county under it
    walk.client = TestClient(create_app(walk.ctx))
    walk.tokens = {}
    return walk


def person(w: Any, role: str, unit: str) -> str:
    """A person holding `role` in `unit`, with a token."""
    key = (role, unit)
    if key not in w.tokens:
        pid = identity.register_person(w.ctx, f"{role}@{unit}")
        identity.grant_role(w.ctx, pid, role, unit, reason="matrix")
        w.tokens[key] = (pid, identity.issue_token(w.ctx, pid, ttl_days=30))
    return str(w.tokens[key][1])


def call(w: Any, token: str, method: str, path: str, body: Any = None) -> Any:
    return w.client.request(method, f"/api/v1{path}", headers={"Authorization": f"Bearer {token}"}, json=body)


WRITES = [
    Case("add a draft version", "undertaking_unit", "POST", lambda d: f"/decisions/{d}/drafts",
         lambda w: None, FINANCE, COUNTY_BUREAU, "AR2"),
    Case("record a determination", "undertaking_unit", "POST", lambda d: f"/decisions/{d}/determinations",
         lambda w: {"kind": "specialised", "value": False, "reasons": "理由"}, FINANCE, COUNTY_BUREAU, "AR2"),
    Case("give the legality opinion", "legality_reviewer", "POST", lambda d: f"/decisions/{d}/artifacts",
         lambda w: {"kind": "legality_opinion", "fields": {"authority": "有权", "procedure": "完备",
                                                          "content": "合法", "conclusion": "lawful"}},
         OFFICE, COUNTY_JUSTICE, "SoD1"),
    Case("finalize", "admin_head", "POST", lambda d: f"/decisions/{d}/finalize", lambda w: {},
         CITY, COUNTY, "AR7", other_rule="AR1"),
]


def stage_for(w: Any, case: Case) -> None:
    """Walk a fresh decision to where the act is possible."""
    w.did = ""
    if case.name in ("add a draft version", "record a determination"):
        w.open().start()
    elif case.name == "give the legality opinion":
        w.open().start().determine().coordinate().participate()
        deadline = w.ctx.calendar.add_working_days(w.ctx.today(), 8)
        w.art(w.c.drafter, "legality_submission", legal_basis="价格法", procedure_explanation="已履行",
              requested_deadline=deadline.due.isoformat())
        w.art(w.c.adviser, "legal_adviser_opinion", opinion="合法")
    else:
        w.ready().meeting().report()


def do(w: Any, case: Case, token: str) -> Any:
    if case.name == "add a draft version":
        return w.client.post(f"/api/v1/decisions/{w.did}/drafts", headers={"Authorization": f"Bearer {token}"},
                             data={"title": "v2"}, files={"file": ("v2.txt", b"draft v2", "text/plain")})
    return call(w, token, case.method, case.path(w.did), case.body(w))


@pytest.mark.parametrize("case", WRITES, ids=[c.name for c in WRITES])
def test_each_act_is_allowed_exactly_to_the_person_the_record_names(world: Any, case: Case) -> None:
    w = world
    stage_for(w, case)
    before = q.get_decision(w.ctx, w.did)
    for unit, rule in ((case.same_organ, case.rule), (case.other_organ, case.other_rule or case.rule)):
        if unit is None:
            continue
        r = do(w, case, person(w, case.role, unit))
        assert r.status_code == 403, (unit, r.status_code, r.text)
        assert r.json()["rule"] == rule, r.json()
        assert "不是" in r.json()["message"]
        after = q.get_decision(w.ctx, w.did)
        assert after["status"] == before["status"] and after["draft_version"] == before["draft_version"]
        assert after["refused_attempts"] > before["refused_attempts"]  # kept as evidence (Art. 38)
        before = after
    right = {"undertaking_unit": w.c.drafter, "legality_reviewer": w.c.reviewer, "admin_head": w.c.head}[case.role]
    token = identity.issue_token(w.ctx, right, ttl_days=1)
    r = do(w, case, token)
    assert r.status_code in (200, 201), r.text


def test_reading_follows_the_relation(world: Any) -> None:
    w = world
    w.open().start()
    did = w.did
    same_organ = person(w, "undertaking_unit", FINANCE)
    other_organ = person(w, "undertaking_unit", COUNTY_BUREAU)
    county_head = person(w, "admin_head", COUNTY)
    expert = person(w, "expert", "某大学")
    auditor = person(w, "auditor", "某市审计局")
    for token in (same_organ, auditor):
        assert call(w, token, "GET", f"/decisions/{did}").status_code == 200
    for token in (other_organ, county_head, expert):
        r = call(w, token, "GET", f"/decisions/{did}")
        assert r.status_code == 403 and r.json()["rule"] == "AR13", r.text
        assert call(w, token, "GET", f"/decisions/{did}/events").status_code == 403
        assert did not in [d["id"] for d in call(w, token, "GET", "/decisions").json()["items"]]
    assert did in [d["id"] for d in call(w, same_organ, "GET", "/decisions").json()["items"]]
    # a county decision is read by the city (the superior organ supervises, Art. 38 ¶1), never the reverse
    county_drafter = identity.register_person(w.ctx, "县起草人")
    identity.grant_role(w.ctx, county_drafter, "undertaking_unit", COUNTY_BUREAU, reason="matrix")
    county_did = w.svc.open_decision(w.ctx, county_drafter, title="县决策", category="public_project",
                                     unit=COUNTY_BUREAU).decision_id
    assert call(w, person(w, "admin_head", CITY), "GET", f"/decisions/{county_did}").status_code == 200
    assert call(w, county_head, "GET", f"/decisions/{county_did}").status_code == 200
    assert call(w, county_head, "GET", f"/decisions/{did}").status_code == 403


def test_a_persons_trace_back_follows_the_person_reader_rule(world: Any) -> None:
    w = world
    executor = identity.issue_token(w.ctx, w.c.executor, ttl_days=1)
    assert call(w, executor, "GET", f"/persons/{w.c.head}").status_code == 403
    r = call(w, executor, "GET", f"/persons/{w.c.head}/traceback")
    assert r.status_code == 403, r.text
    assert call(w, executor, "GET", f"/persons/{w.c.executor}/traceback").status_code == 200
    auditor = person(w, "auditor", "某市审计局")
    assert call(w, auditor, "GET", f"/persons/{w.c.head}/traceback").status_code == 200


def test_a_decision_is_opened_only_for_a_unit_of_the_openers_own_organ(world: Any) -> None:
    w = world
    county_drafter = person(w, "undertaking_unit", COUNTY_BUREAU)
    r = call(w, county_drafter, "POST", "/decisions", {"title": "越权", "category": "public_project",
                                                       "unit": BUREAU})
    assert r.status_code == 403 and r.json()["rule"] == "AR2", r.text
    r = call(w, county_drafter, "POST", "/decisions", {"title": "县事项", "category": "public_project",
                                                       "unit": COUNTY_BUREAU})
    assert r.status_code == 201, r.text
    assert q.get_decision(w.ctx, r.json()["decision_id"])["organ"] == COUNTY  # the organ fixed at opening


def test_a_decisions_documents_are_read_in_relation_to_it(world: Any) -> None:
    """AR13 holds for the documents rendered from a decision's record: the other government's staff read
    neither the rendering's record nor its bytes; the decision's own organ reads both."""
    from decision_engine.services import documents
    w = world
    w.open().start().determine().coordinate()
    today = w.ctx.today()
    w.art(w.c.drafter, "comment_notice", explanation="说明", channels=["网站"], method="留言",
          published_at=today.isoformat(), deadline=(today + timedelta(days=30)).isoformat())
    doc = documents.render(w.ctx, w.did, "comment_notice", person_id=w.c.drafter)
    same_organ, other_organ = person(w, "undertaking_unit", FINANCE), person(w, "undertaking_unit", COUNTY_BUREAU)
    for path in (f"/documents/{doc['id']}", f"/documents/{doc['id']}/content?format=html"):
        assert call(w, same_organ, "GET", path).status_code == 200, path
        r = call(w, other_organ, "GET", path)
        assert r.status_code == 403 and r.json()["rule"] == "AR13", (path, r.text)
