"""The organisation chart over HTTP (issue 15 §1), on a real uvicorn server and SQLite: anyone signed in reads
it; only the system administrator changes it (SEC4), every change an event on `org:chart` naming the acting
administrator; the others are refused 403 with the rule, and nothing is written. Inconsistent changes are
refused 422 (ORG1); a role in a unit the chart does not know is refused (ORG2)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher

from api.app import create_app
from decision_engine.adapters import store as st
from decision_engine.services import identity, organisation
from decision_engine.services.context import Context
from decision_engine.services.demo import COUNTY_BUREAU, Cast, cast, staff
from tests.conftest import serving

CITY_ORGAN, COUNTY_ORGAN = "某市人民政府", "某县人民政府"


@dataclass
class Site:
    base: str
    ctx: Context
    c: Cast
    staff: dict[str, str]
    tokens: dict[str, str]

    def api(self, person: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.tokens[person]}"} if person else {}
        return httpx.Client(base_url=f"{self.base}/api/v1", headers=headers, timeout=10)

    def events(self) -> list[dict[str, Any]]:
        with self.ctx.store.read() as conn:
            return st.stream_events(conn, organisation.ORG_STREAM)


@pytest.fixture
def site(sqlite_ctx: Context, monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    monkeypatch.setattr(identity, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    people = cast(sqlite_ctx)  # loads the demo's two governments
    admins = staff(sqlite_ctx)
    tokens = {pid: identity.issue_token(sqlite_ctx, pid) for pid in [*vars(people).values(), *admins.values()]}
    with serving(create_app(sqlite_ctx)) as base:
        yield Site(base, sqlite_ctx, people, admins, tokens)


CHANGES = (("/org/organs", {"id": "某镇人民政府", "name": "某镇人民政府", "level": "township",
                            "superior": COUNTY_ORGAN}),
           ("/org/units", {"id": "某县公安局", "organ": COUNTY_ORGAN, "kind": "department"}),
           ("/org/units/move", {"unit": "某市信访局", "organ": COUNTY_ORGAN}),
           ("/org/units/retire", {"unit": "某县财政局", "reason": "机构改革，职能并入县政府办公室"}))


def test_anyone_signed_in_reads_the_chart_and_nobody_else(site: Site) -> None:
    for who in (site.c.drafter, site.c.expert_a, site.c.county_head, site.staff["auditor"],
                site.staff["system_admin"]):
        r = site.api(who).get("/org")
        assert r.status_code == 200, r.text
        body = r.json()
        assert not body["single"] and {o["id"] for o in body["organs"]} == {CITY_ORGAN, COUNTY_ORGAN}
        county = next(o for o in body["organs"] if o["id"] == COUNTY_ORGAN)
        assert county["superior"] == CITY_ORGAN and county["level"] == "county"
        assert {u["kind"] for u in county["units"]} >= {"leadership", "general_office", "legal_office",
                                                         "department", "party_committee"}
        assert "某市公交集团" in [u["id"] for u in body["external"]]
    assert site.api().get("/org").status_code == 401


@pytest.mark.parametrize(("path", "body"), CHANGES)
def test_only_the_system_administrator_changes_the_chart(site: Site, path: str, body: dict[str, Any]) -> None:
    before = len(site.events())
    for who in (site.c.head, site.c.county_head, site.c.drafter, site.c.office, site.staff["security_admin"],
                site.staff["audit_admin"], site.staff["auditor"]):
        r = site.api(who).post(path, json=body)
        assert r.status_code == 403, r.text
        err = r.json()
        assert err["rule"] == "SEC4" and "系统管理员" in err["message"] and err["article"]
    assert len(site.events()) == before  # nothing written by a refusal
    admin = site.staff["system_admin"]
    r = site.api(admin).post(path, json=body)
    assert r.status_code == 201, r.text
    appended = r.json()["appended"]
    assert len(appended) == 1 and appended[0]["seq"] == before + 1
    stored = site.events()[-1]
    assert stored["actor"]["person"] == admin and stored["actor"]["role"] == "system_admin"
    assert stored["type"] == {"/org/organs": "OrganRegistered", "/org/units": "UnitRegistered",
                              "/org/units/move": "UnitMoved", "/org/units/retire": "UnitRetired"}[path]
    chart = r.json()["chart"]
    assert chart["seq"] == before + 1
    if path != "/org/units/retire":  # the same change again changes nothing
        again = site.api(admin).post(path, json=body)
        assert again.status_code == 201 and again.json()["appended"] == []
        assert len(site.events()) == before + 1


def test_the_chart_after_the_changes(site: Site) -> None:
    admin = site.api(site.staff["system_admin"])
    at = site.ctx.now_iso()
    site.ctx.clock.advance(days=1)  # type: ignore[attr-defined]
    for path, body in CHANGES:
        assert admin.post(path, json=body).status_code == 201
    now = site.api(site.c.drafter).get("/org").json()
    organs = {o["id"]: o for o in now["organs"]}
    assert organs["某镇人民政府"]["superior"] == COUNTY_ORGAN
    county_units = [u["id"] for u in organs[COUNTY_ORGAN]["units"]]
    assert "某县公安局" in county_units and "某市信访局" in county_units and "某县财政局" not in county_units
    then = site.api(site.c.drafter).get("/org", params={"at": at}).json()
    assert then["at"] == at and "某镇人民政府" not in {o["id"] for o in then["organs"]}
    assert "某县财政局" in [u["id"] for o in then["organs"] for u in o["units"]]
    with site.ctx.store.read() as conn:
        chart = organisation.chart_of(conn)
    assert chart.superiors("某镇人民政府") == (COUNTY_ORGAN, CITY_ORGAN)


@pytest.mark.parametrize(("path", "body", "words"), [
    ("/org/units", {"id": "某区交通局", "organ": "某区人民政府"}, "所属机关 某区人民政府 未登记"),
    ("/org/units", {"id": "某研究院", "kind": "department"}, "只能登记为外部单位"),
    ("/org/units", {"id": "某研究院", "organ": CITY_ORGAN, "kind": "bureau"}, "类别 kind “bureau” 无效"),
    ("/org/organs", {"id": CITY_ORGAN, "level": "city", "superior": COUNTY_ORGAN}, "上级机关链构成循环"),
    ("/org/organs", {"id": "某省人民政府", "level": "continent"}, "层级 level “continent” 无效"),
    ("/org/organs", {"id": "某乡人民政府", "level": "township", "superior": "某区人民政府"}, "未登记"),
    ("/org/units/move", {"unit": "某区交通局", "organ": COUNTY_ORGAN}, "单位 某区交通局 未登记"),
    ("/org/units/move", {"unit": "某县交通运输局", "organ": "某区人民政府"}, "机关 某区人民政府 未登记"),
    ("/org/units/retire", {"unit": "某区交通局", "reason": "撤销"}, "未登记，不能撤销"),
])
def test_an_inconsistent_change_is_refused_and_writes_nothing(site: Site, path: str, body: dict[str, Any],
                                                              words: str) -> None:
    before = len(site.events())
    r = site.api(site.staff["system_admin"]).post(path, json=body)
    assert r.status_code == 422, r.text
    err = r.json()
    assert err["rule"] == "ORG1" and words in err["message"] and err["message"].startswith("组织机构有误")
    assert len(site.events()) == before


def test_malformed_bodies_are_422_not_500(site: Site) -> None:
    admin = site.api(site.staff["system_admin"])
    for path, body in (("/org/organs", {"id": "x"}), ("/org/units", {"id": ""}), ("/org/units/move", {}),
                       ("/org/units/retire", {"unit": "某县财政局"}), ("/org/units", {"id": "x", "extra": 1}),
                       ("/org/organs", {"id": "x", "level": "City"})):
        assert admin.post(path, json=body).status_code == 422
    assert site.api(site.c.drafter).get("/org", params={"at": "yesterday"}).status_code == 422


def test_a_change_is_replayed_under_its_idempotency_key(site: Site) -> None:
    admin = site.api(site.staff["system_admin"])
    path, body = CHANGES[1]
    first = admin.post(path, json=body, headers={"Idempotency-Key": "org-1"})
    again = admin.post(path, json=body, headers={"Idempotency-Key": "org-1"})
    assert first.status_code == again.status_code == 201
    assert again.headers.get("Idempotent-Replayed") == "true" and again.json() == first.json()


def test_a_role_in_a_unit_the_chart_does_not_know_is_refused(site: Site) -> None:
    admin = site.api(site.staff["system_admin"])
    pid = admin.post("/persons", json={"name": "新同事"}).json()["id"]
    r = admin.post(f"/persons/{pid}/roles", json={"role": "undertaking_unit", "unit": "某区交通局"})
    assert r.status_code == 422 and r.json()["rule"] == "ORG2" and "不在组织机构中" in r.json()["message"]
    assert admin.post(f"/persons/{pid}/roles", json={"role": "undertaking_unit", "unit": COUNTY_BUREAU}
                      ).status_code == 201
    assert admin.post(f"/persons/{pid}/roles", json={"role": "expert", "unit": "某省专家库"}).status_code == 201
    assert admin.post("/org/units", json={"id": "某区交通局", "organ": COUNTY_ORGAN}).status_code == 201
    assert admin.post(f"/persons/{pid}/roles", json={"role": "undertaking_unit", "unit": "某区交通局"}
                      ).status_code == 201


def test_a_moment_out_of_range_is_422(site: Site) -> None:
    for at in ("9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00"):
        r = site.api(site.c.drafter).get("/org", params={"at": at})
        assert r.status_code == 422 and r.json()["rule"] == "ORG1", r.text
