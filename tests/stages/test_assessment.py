"""ACC6, Art. 9 (issue 16): the decision work is assessed for the decision organ and its leaders, not only the
units — the yearly compliance metrics carry an assessment per organ and per leader who decided, with the
organ's record after the decision (orders to correct, Art. 38 ¶1; supervisions, Art. 34; execution failures
flagged, Art. 40)."""

from __future__ import annotations

from typing import Any

from decision_engine.services import compliance, execution, identity
from decision_engine.services import decisions as svc
from decision_engine.services.demo import BUREAU, CITY


def test_the_organ_and_the_leader_who_decided_are_assessed_beside_the_units(walk: Any) -> None:
    c, ctx = walk.c, walk.ctx
    walk.decided()
    execution.designate_execution_units(ctx, c.head, walk.did, ["某市公交集团"])
    execution.supervise(ctx, c.office, walk.did, findings="进度滞后", instructions="限期整改")
    drafter = identity.register_person(ctx, "县交通局起草人")
    identity.grant_role(ctx, drafter, "undertaking_unit", "某县交通运输局", reason="任职")
    county = svc.open_decision(ctx, drafter, title="县事项", category="public_project", unit="某县交通运输局").decision_id
    execution.order_correction(ctx, c.head, county, breach="未依法开展公众参与（第十四条）", findings="查明……",
                               required="补充公众参与")
    report = compliance.metrics(ctx, ctx.today().year)
    basis = report["assessment"]
    assert (basis["rule"], basis["article"]) == ("ACC6", "Art. 9")
    city = basis["organs"][CITY]
    assert (city["decisions"], city["finalized"], city["supervisions"], city["corrections_ordered"]) == (1, 1, 1, 0)
    below = basis["organs"]["某县人民政府"]
    assert (below["decisions"], below["corrections_ordered"], below["corrections_open"]) == (1, 1, 1)
    leader = basis["leaders"][c.head]  # the head who presided the adopting meeting
    assert (leader["decisions"], leader["finalized"], leader["name"]) == (1, 1, identity.person_view(ctx, c.head)["name"])
    assert set(basis["leaders"]) == {c.head}  # an undecided decision has no leader who decided it yet
    assert report["units"][BUREAU]["decisions"] == 1  # the units stay as they were
    order = f"CO-{county}-1"
    county_head = identity.register_person(ctx, "县长")
    identity.grant_role(ctx, county_head, "admin_head", "某县人民政府", reason="任职")
    execution.report_correction(ctx, county_head, order, report="已补充公众参与")
    assert compliance.metrics(ctx, ctx.today().year)["assessment"]["organs"]["某县人民政府"]["corrections_open"] == 0
