"""The organs above the execution, in memory (issue 16): the decision organ's supervision of the execution
(督促检查, R19, Art. 34) and the superior organ's order to correct (责令改正, ACC5, Art. 38 ¶1) with the organ's
report — each refused with its rule and article, and allowed, by the person the law names for THIS
decision."""

from __future__ import annotations

from datetime import timedelta

from decision_engine.domain import supervision as sv
from decision_engine.domain.decision import Actor
from decision_engine.domain.errors import InvalidInput, NotPermitted, RuleViolation
from tests.domain.builders import Build, C, refused
from tests.domain.test_authority import CHART, COUNTY_BUREAU, COUNTY_HEAD, charted, twin

SUPERIOR = Actor("superior", "superior_organ", "省人民政府", "省政府督查员")


def supervise(b: Build, who: Actor = C.office, **kw: object) -> object:
    return sv.supervise(b.d, (who,), str(kw.pop("findings", "执行进度滞后")), "限期整改", today=b.today,
                        **kw)  # type: ignore[arg-type]


# R19, Art. 34: the organ supervises and checks the execution ------------------------------------------------
def test_r19_the_organ_supervises_the_execution_of_a_decision_it_made_through_its_designated_units(b: Build) -> None:
    b.open()
    refused(lambda: supervise(b), RuleViolation, "R19", "Art. 34", says="已作出决策")
    b2 = Build()
    b2.published()
    refused(lambda: supervise(b2), RuleViolation, "R19", "Art. 34", says="尚未指定执行单位")
    b2.art(C.head, "execution_unit_designation", units=[C.executor.unit])
    refused(lambda: supervise(b2, findings=" "), InvalidInput, "R19", "Art. 34")
    refused(lambda: supervise(b2, units=("某县财政局",)), InvalidInput, "R19", "Art. 34", says="某县财政局")
    refused(lambda: supervise(b2, C.executor), NotPermitted, "R19", "Art. 34")  # the unit does not check itself
    refused(lambda: supervise(b2, due_by=(b2.today - timedelta(days=1)).isoformat()), RuleViolation, "R19",
            "Art. 34", says="早于")
    refused(lambda: supervise(b2, due_by="2099-01-01"), InvalidInput, "R19", "Art. 34", says="超出一年")
    b2.act(C.office, supervise(b2, due_by=(b2.today + timedelta(days=30)).isoformat()))  # type: ignore[arg-type]
    b2.act(C.head, supervise(b2, C.head, findings="第二次检查"))  # type: ignore[arg-type]
    [first, second] = b2.state["supervisions"]
    assert (first["no"], first["units"], first["by"]["person"]) == (1, [C.executor.unit], C.office.person)
    assert first["due_by"] == (b2.today + timedelta(days=30)).isoformat() and second["due_by"] is None


def test_r19_the_staff_of_another_government_do_not_supervise_this_decision() -> None:
    county_staff = twin(C.office, "县人民政府")
    b2 = charted()
    b2.executing()
    refused(lambda: supervise(b2, county_staff), NotPermitted, "AR1", "Arts. 4, 30")
    b2.act(C.office, supervise(b2))  # type: ignore[arg-type]


# ACC5, Art. 38 ¶1: the superior organ of this decision's organ orders the correction -------------------------
def county_decision() -> Build:
    b = charted()
    b.open(unit=COUNTY_BUREAU, actor=twin(C.drafter, COUNTY_BUREAU))
    return b


def order(b: Build, who: Actor, **kw: str) -> object:
    fields = {"breach": "未经合法性审查即提交讨论（第二十五条）", "findings": "查明……", "required": "补正合法性审查"} | kw
    return sv.order_correction(b.d, (who,), today=b.today, **fields)


def test_acc5_only_the_organ_immediately_above_this_decisions_organ_orders_a_correction() -> None:
    b = county_decision()
    refused(lambda: order(b, COUNTY_HEAD), NotPermitted, "AR11", "Art. 38 ¶1", says="上一级行政机关")  # itself
    city = charted()
    city.open()  # a city decision: the city has no superior on the chart; the county is below, not above
    refused(lambda: order(city, COUNTY_HEAD), NotPermitted, "AR11", "Art. 38 ¶1")
    refused(lambda: order(city, C.head), NotPermitted, "AR11", "Art. 38 ¶1")  # the organ itself
    refused(lambda: order(b, C.head, breach=" "), InvalidInput, "ACC5", "Art. 38 ¶1", says="所违反的规定")
    refused(lambda: order(b, C.head, required=""), InvalidInput, "ACC5", "Art. 38 ¶1", says="应当改正")
    refused(lambda: order(b, C.head, due_by="2025-01-01"), RuleViolation, "ACC5", "Art. 38 ¶1", says="早于")
    b.act(C.head, order(b, C.head))  # type: ignore[arg-type]  # the city head: the county's superior
    [o] = b.state["corrections"]
    assert o["order_id"] == f"CO-{b.did}-1" and o["report"] is None and o["by"]["person"] == C.head.person
    assert sv.decision_of_order(o["order_id"]) == b.did and sv.decision_of_order("CO-x") == ""


def test_acc5_a_grandparent_organ_is_not_the_superior_organ_of_art_38() -> None:
    three = {**CHART.organs}
    assert "province" not in three  # the chart has two levels: build a third above the city
    from decision_engine.domain import organisation as org
    chart = org.fold(CHART, org.parse_file({"organs": [
        {"id": "province", "name": "某省人民政府", "level": "province", "units": [{"id": "省人民政府",
                                                                              "kind": "leadership"}]},
        {"id": "city", "name": "某市人民政府", "level": "city", "superior": "province"}]}))
    b = Build()
    b.d.chart = chart
    b.open(unit=COUNTY_BUREAU, actor=twin(C.drafter, COUNTY_BUREAU), chart=chart)
    governor = Actor("governor", "admin_head", "省人民政府", "省长")
    refused(lambda: order(b, governor), NotPermitted, "AR11", "Art. 38 ¶1")  # above, but not the one above
    b.act(C.head, order(b, C.head))  # type: ignore[arg-type]


def test_acc5_without_an_organisation_on_record_no_organ_above_is_known(b: Build) -> None:
    b.open()
    refused(lambda: order(b, C.head), NotPermitted, "AR11", "Art. 38 ¶1")  # the organ never orders itself
    refused(lambda: order(b, SUPERIOR), NotPermitted, "ACC5", "Art. 38 ¶1")  # a role the act does not take


def test_acc5_the_decision_organ_reports_the_correction_once() -> None:
    b = county_decision()
    b.act(C.head, order(b, C.head))  # type: ignore[arg-type]
    oid = b.state["corrections"][0]["order_id"]
    refused(lambda: sv.report_correction(b.d, (C.head,), oid, "已改正"), NotPermitted, "AR1", "Arts. 4, 30")
    refused(lambda: sv.report_correction(b.d, (COUNTY_HEAD,), "CO-nope-1", "已改正"), InvalidInput, "ACC5",
            "Art. 38 ¶1")
    refused(lambda: sv.report_correction(b.d, (COUNTY_HEAD,), oid, " "), InvalidInput, "ACC5", "Art. 38 ¶1")
    b.act(COUNTY_HEAD, sv.report_correction(b.d, (COUNTY_HEAD,), oid, "已补正合法性审查并重新讨论"))
    refused(lambda: sv.report_correction(b.d, (COUNTY_HEAD,), oid, "再报"), RuleViolation, "ACC5", "Art. 38 ¶1",
            says="已经报告")
    assert b.state["corrections"][0]["report"]["text"] == "已补正合法性审查并重新讨论"
