"""The decision list is filtered by the read rule in its query (AR13, Arts. 6, 38 ¶1), on both databases.

A county's staff open six decisions, then the city's four newer ones: a page of five for the county head is
five county decisions (a filter applied after the query would hand them an empty first page, since the five
newest are the city's), the city head reads both governments' (the superior organ supervises), the auditor
everything, and a decision opened before the organ was recorded is read by the organ of its unit. An
expert reads, beside nothing of the organs, exactly the decisions whose record selects them."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from decision_engine.services import access, identity

COUNTY_BUREAU, COUNTY = "某县交通运输局", "某县人民政府"


def _person(w: Any, role: str, unit: str) -> str:
    pid = identity.register_person(w.ctx, f"{role}@{unit}")
    identity.grant_role(w.ctx, pid, role, unit, reason="list filter")
    return str(pid)


def _ids(w: Any, pid: str, **kw: Any) -> list[str]:
    return [str(r["id"]) for r in access.list_readable(w.ctx, pid, **kw)["items"]]


def test_ar13_a_page_of_the_list_holds_only_and_fully_what_the_reader_may_read(walk_any: Any) -> None:
    w = walk_any
    county_drafter = _person(w, "undertaking_unit", COUNTY_BUREAU)
    county = [w.svc.open_decision(w.ctx, county_drafter, title=f"县决策{i}", category="public_project",
                                  unit=COUNTY_BUREAU).decision_id for i in range(6)]
    w.ctx.clock.advance(minutes=5)
    city = [w.open(title=f"市决策{i}").did for i in range(4)]
    county_head, city_head = _person(w, "admin_head", COUNTY), w.c.head
    auditor = _person(w, "auditor", "某市审计局")

    page = _ids(w, county_head, limit=5)
    assert len(page) == 5 and set(page) <= set(county), page  # full, and only the county's
    assert set(_ids(w, county_head, limit=50)) == set(county)
    assert set(city) | set(county) <= set(_ids(w, city_head, limit=50))  # the superior organ reads both
    assert set(city) | set(county) <= set(_ids(w, auditor, limit=50))

    # a decision opened before the organ was recorded: read by the organ of the unit that opened it
    with w.ctx.store.write() as conn:
        conn.execute(sa.text("UPDATE decisions SET organ = NULL WHERE id = :i"), {"i": city[0]})
    assert city[0] in _ids(w, city_head, limit=50) and city[0] not in _ids(w, county_head, limit=50)

    # an expert of neither organ reads by each decision's record: none is selected yet
    expert = _person(w, "expert", "某大学")
    assert _ids(w, expert, limit=50) == []
