"""Accountability (Arts. 38–41, R22): the responsibility ledger, trace-back per decision and per person
(lifelong: after transfer or retirement), dissent marked (Art. 38 ¶3), accountability cases as events
(ACC1–ACC4), undue-delay incidents opened by the clock at most once per decision, and the unit reports."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest

from decision_engine.domain.errors import DomainError, InvalidInput, NotPermitted, RuleViolation
from decision_engine.services import accountability as acc
from decision_engine.services import decisions as svc
from decision_engine.services import execution as ex
from decision_engine.services import identity, meetings, queries, reports
from decision_engine.services.demo import CITY, TRANSIT
from tests.conftest import WARNINGS_ARE_ERRORS

pytestmark = WARNINGS_ARE_ERRORS

DISSENT = "建议暂缓调价（异议照录）"


def dissenting_meeting(walk: Any) -> Any:
    """Member B opposes, member A and the head support; the head adopts (R15, Art. 30)."""
    c = walk.c
    return walk.meeting(opinions=[{"person": c.member_a, "position": "support", "text": "同意"},
                                  {"person": c.member_b, "position": "oppose", "text": DISSENT},
                                  {"person": c.head, "position": "support", "text": "同意，分步实施"}])


def decided(walk: Any) -> Any:
    dissenting_meeting(walk.ready()).report()
    svc.finalize(walk.ctx, walk.c.head, walk.did)
    return walk


def auditor(ctx: Any, name: str = "审计局检查员") -> str:
    pid = identity.register_person(ctx, name)
    identity.grant_role(ctx, pid, "auditor", "某市审计局")
    return pid


def assignment(ctx: Any, person: str) -> str:
    return str(next(r["id"] for r in identity.person_view(ctx, person)["roles"] if r["valid_to"] is None))


def expect(call: Any, err: type[DomainError], rule: str, article: str) -> None:
    with pytest.raises(err) as info:
        call()
    assert (info.value.rule, info.value.article) == (rule, article), info.value


def case_replays(ctx: Any, case_id: str) -> None:
    with ctx.store.read() as conn:
        assert acc.replay_case(conn, case_id).state == acc.load_case(conn, case_id)[0].state


# Art. 38: the responsibility ledger -----------------------------------------------------------
def test_the_ledger_names_every_act_with_person_role_unit_and_the_procedure_version_in_force(
        walk_any: Any) -> None:
    walk = walk_any
    decided(walk)
    entries = acc.ledger(walk.ctx, walk.did)
    with walk.ctx.store.read() as conn:  # the decision's acts and those of the meeting that adopted it
        sitting = meetings.replay_meeting(conn, walk.meeting_id).state["seq"]
    assert len(entries) == len(queries.events(walk.ctx, walk.did)) + sitting
    final = next(e for e in entries if e["type"] == "DecisionFinalized")
    assert (final["person"], final["role"], final["unit"], final["article"]) == (walk.c.head, "admin_head",
                                                                                 CITY, "Art. 38")
    opinion = next(e for e in entries if e["kind"] == "legality_opinion")
    assert (opinion["person"], opinion["role"], opinion["unit"]) == (walk.c.reviewer, "legality_reviewer",
                                                                     "某市司法局")
    pinned = queries.get_decision(walk.ctx, walk.did)["procedure"]
    assert {(e["procedure"]["id"], e["procedure"]["version"]) for e in entries} == {(pinned["id"],
                                                                                    pinned["version"])}


def test_the_ledger_follows_a_procedure_migration(walk: Any) -> None:
    walk.open().start()
    legal = walk.c.legal_director
    svc.migrate_procedure(walk.ctx, legal, walk.did, "guofa_2010_33", "省政府规定五项必经程序")
    walk.determine()
    entries = acc.ledger(walk.ctx, walk.did)
    assert entries[0]["procedure"]["id"] == "order713" and entries[-1]["procedure"]["id"] == "guofa_2010_33"


def test_a_transferred_persons_acts_keep_the_unit_they_held_then(walk: Any) -> None:
    decided(walk)
    identity.end_role(walk.ctx, walk.c.drafter, assignment(walk.ctx, walk.c.drafter), reason="调任")
    identity.grant_role(walk.ctx, walk.c.drafter, "undertaking_unit", "某市发展改革委", reason="调任")
    acts = [e for e in acc.ledger(walk.ctx, walk.did) if e["person"] == walk.c.drafter]
    assert acts and {e["unit"] for e in acts} == {walk.bureau}
    person = acc.traceback_person(walk.ctx, walk.c.drafter)
    assert person["in_office"] and {r["unit"] for r in person["person"]["roles"]} == {walk.bureau, "某市发展改革委"}
    assert person["decisions"][0]["units"] == [walk.bureau]


# Arts. 38–41: trace-back (责任倒查) ------------------------------------------------------------
def test_the_traceback_of_a_decision_marks_the_member_who_dissented(walk: Any) -> None:
    decided(walk)
    tb = acc.traceback_decision(walk.ctx, walk.did)
    by = {p["person"]: p for p in tb["persons"]}
    assert tb["dissenters"] == [walk.c.member_b]
    assert by[walk.c.member_b]["dissented"] and by[walk.c.member_b]["positions"][0]["text"] == DISSENT
    assert not by[walk.c.member_a]["dissented"]
    assert tb["persons"][0]["person"] == walk.c.head and by[walk.c.head]["decided"]
    assert "Art. 39" in by[walk.c.drafter]["articles"] and "Art. 39" in by[walk.c.reviewer]["articles"]
    assert by[walk.c.member_b]["now"]["in_office"]


def test_the_traceback_of_a_person_spans_every_decision_after_retirement(walk: Any) -> None:
    decided(walk)
    first = walk.did
    decided(walk)  # a second decision by the same people
    second = walk.did
    identity.end_role(walk.ctx, walk.c.member_b, assignment(walk.ctx, walk.c.member_b), reason="退休")
    tb = acc.traceback_person(walk.ctx, walk.c.member_b)
    assert not tb["in_office"]
    assert {d["decision_id"] for d in tb["decisions"]} == {first, second}
    assert all(d["dissented"] and d["articles"] == ["Art. 38"] for d in tb["decisions"])
    assert "终身" in tb["lifelong"]


# Arts. 38–41: accountability cases ------------------------------------------------------------
def test_a_case_without_grounds_in_arts_38_to_41_is_refused(walk: Any) -> None:
    decided(walk)
    audit = auditor(walk.ctx)
    persons = [{"person": walk.c.head, "capacity": "head"}]
    expect(lambda: acc.open_case(walk.ctx, audit, walk.did, grounds=[], persons=persons),
           RuleViolation, "ACC1", "Arts. 38–41")
    expect(lambda: acc.open_case(walk.ctx, audit, walk.did, persons=persons,
                                 grounds=[{"article": "Art. 12", "text": "x"}]), RuleViolation, "ACC1", "Arts. 38–41")
    expect(lambda: acc.open_case(walk.ctx, walk.c.executor, walk.did, persons=persons,
                                 grounds=[{"article": "Art. 38 ¶2", "text": "x"}]), NotPermitted, "ACC1", "Arts. 38–41")
    assert acc.cases(walk.ctx, decision_id=walk.did) == []


def test_a_case_runs_from_grounds_to_findings_to_a_sanction_with_its_legal_basis(walk_any: Any) -> None:
    walk = walk_any
    decided(walk)
    audit, inspector = auditor(walk.ctx), auditor(walk.ctx, "纪检监察员")
    competent = identity.register_person(walk.ctx, "监察委员会审理员")  # AR11: sanctions, never the auditor
    identity.grant_role(walk.ctx, competent, "decision_organ", "某市监察委员会", reason="任职")
    identity.end_role(walk.ctx, walk.c.drafter, assignment(walk.ctx, walk.c.drafter), reason="退休")
    r = acc.open_case(walk.ctx, audit, walk.did, summary="决策严重失误", persons=[
        {"person": walk.c.head, "capacity": "head"}, {"person": walk.c.member_b, "capacity": "leader"},
        {"person": walk.c.drafter, "capacity": "undertaking"}],  # retired: still accountable (lifelong)
        grounds=[{"article": "Art. 38 ¶2", "text": "决策严重失误，造成重大损失"}])
    case_id = r.case_id
    expect(lambda: acc.close_case(walk.ctx, competent, case_id, outcome="sanctioned", sanctions=[
        {"person": walk.c.head, "measure": "记过", "basis": "政务处分法 Art. 10"}]), RuleViolation, "ACC3", "Arts. 38–41")
    expect(lambda: acc.close_case(walk.ctx, audit, case_id, outcome="sanctioned", sanctions=[
        {"person": walk.c.head, "measure": "记过", "basis": "政务处分法 Art. 10"}]), NotPermitted, "AR11", "Art. 38 ¶1")
    expect(lambda: acc.record_findings(walk.ctx, walk.c.head, case_id, findings="x"), NotPermitted, "ACC2",
           "Art. 38 (inference)")
    acc.record_findings(walk.ctx, inspector, case_id, findings="未充分论证即调价", persons=[
        {"person": walk.c.head, "capacity": "head", "finding": "主持决策", "responsible": True},
        {"person": walk.c.member_b, "capacity": "leader", "finding": "会上明确反对", "responsible": True},
        {"person": walk.c.drafter, "capacity": "undertaking", "finding": "起草说明不实", "responsible": True}])
    expect(lambda: acc.close_case(walk.ctx, competent, case_id, outcome="sanctioned", sanctions=[
        {"person": walk.c.head, "measure": "记过", "basis": ""}]), RuleViolation, "ACC3", "Arts. 38–41")
    expect(lambda: acc.close_case(walk.ctx, competent, case_id, outcome="sanctioned", sanctions=[
        {"person": walk.c.member_b, "measure": "警告", "basis": "政务处分法 Art. 10"}]), RuleViolation, "ACC4",
        "Art. 38 ¶3")
    acc.close_case(walk.ctx, competent, case_id, outcome="sanctioned", sanctions=[
        {"person": walk.c.head, "measure": "记过", "basis": "政务处分法 Art. 30(1)"},
        {"person": walk.c.member_b, "measure": "免予处分", "basis": "政务处分法 Art. 10",
         "dissent_considered": "会上明确表示反对并记录在案，依第三十八条第三款免予追究"},
        {"person": walk.c.drafter, "measure": "降低退休待遇", "basis": "政务处分法 Art. 27"}])
    case = acc.get_case(walk.ctx, case_id)
    assert case["status"] == "closed" and len(case["outcome"]["sanctions"]) == 3
    case_replays(walk.ctx, case_id)
    assert [c["id"] for c in acc.traceback_person(walk.ctx, walk.c.drafter)["cases"]] == [case_id]
    assert [c["id"] for c in acc.traceback_decision(walk.ctx, walk.did)["cases"]] == [case_id]


def test_a_person_named_in_a_case_cannot_open_it(walk: Any) -> None:
    decided(walk)
    identity.grant_role(walk.ctx, walk.c.office, "auditor", "某市审计局")
    expect(lambda: acc.open_case(walk.ctx, walk.c.office, walk.did, persons=[
        {"person": walk.c.office, "capacity": "direct"}], grounds=[{"article": "Art. 39", "text": "x"}]),
        NotPermitted, "ACC2", "Art. 38 (inference)")
    expect(lambda: acc.open_case(walk.ctx, walk.c.office, walk.did, persons=[
        {"person": "P-nobody", "capacity": "direct"}], grounds=[{"article": "Art. 39", "text": "x"}]),
        InvalidInput, "ACC1", "Arts. 38–41")


# R22: undue delay ---------------------------------------------------------------------------------
def test_a_decision_past_its_due_date_opens_one_undue_delay_incident(walk_any: Any) -> None:
    walk = walk_any
    due = (walk.ctx.today() + timedelta(days=10)).isoformat()
    walk.open(due_by=due)
    on_time = type(walk)(walk.ctx)
    on_time.c = walk.c
    on_time.did = svc.open_decision(walk.ctx, walk.c.drafter, title="按期事项", category="policy",
                                    unit=walk.bureau, due_by=(walk.ctx.today() + timedelta(days=60)).isoformat()
                                    ).decision_id
    assert acc.open_undue_delay_incidents(walk.ctx) == []
    walk.ctx.clock.advance(days=11)
    [incident] = acc.open_undue_delay_incidents(walk.ctx)
    assert (incident["decision_id"], incident["kind"], incident["grounds"][0]["rule"]) == (walk.did, "undue_delay",
                                                                                          "R22")
    assert incident["grounds"][0]["article"] == "Art. 38 ¶2"
    assert acc.open_undue_delay_incidents(walk.ctx) == []  # idempotent: at most one per decision
    assert len(acc.cases(walk.ctx, kind="undue_delay")) == 1
    case_replays(walk.ctx, incident["id"])
    assert acc.traceback_decision(walk.ctx, walk.did)["delay"]["late"]


def test_a_decision_made_in_time_opens_no_incident(walk: Any) -> None:
    walk.open(due_by=(walk.ctx.today() + timedelta(days=200)).isoformat())
    walk.start().determine().coordinate().participate().legality().meeting().report()
    svc.finalize(walk.ctx, walk.c.head, walk.did)
    walk.ctx.clock.advance(days=400)
    assert acc.open_undue_delay_incidents(walk.ctx) == []


# Reports per unit and period ----------------------------------------------------------------------
def test_the_unit_report_counts_execution_overdue_reports_suspensions_evaluations_and_cases(walk: Any) -> None:
    decided(walk)
    start = walk.ctx.today()
    ex.designate_execution_units(walk.ctx, walk.c.head, walk.did, [TRANSIT])
    walk.ctx.clock.advance(days=100)
    svc.suspend(walk.ctx, walk.c.head, walk.did, "force_majeure", "台风", urgency="情况紧急")
    svc.resume(walk.ctx, walk.c.head, walk.did, "台风过境")
    ex.commission_evaluation(walk.ctx, walk.c.head, walk.did, evaluator_unit="某第三方评估机构",
                             trigger="organ_decision", reasons="常务会议要求")
    acc.open_case(walk.ctx, auditor(walk.ctx), walk.did, persons=[{"person": walk.c.executor,
                                                                    "capacity": "execution"}],
                  grounds=[{"article": "Art. 40", "text": "逾期未报送执行情况"}])
    end = walk.ctx.today()
    rep = reports.unit_report(walk.ctx, TRANSIT, start, end)
    assert rep["counts"] == {"in_execution": 1, "overdue_reports": 1, "suspensions": 1, "evaluations_due": 1,
                             "evaluations_done": 0, "open_cases": 1}
    assert reports.unit_report(walk.ctx, "某区人民政府", start, end)["counts"]["in_execution"] == 0
    rows = list(csv.reader(io.StringIO(reports.to_csv(rep))))
    assert rows[0] == list(reports.CSV_HEADER) and rows[1][:2] == ["执行中的决策", "in_execution"]
    assert any(r[1] == "suspensions" and r[2] == walk.did for r in rows)
    with pytest.raises(InvalidInput):
        reports.unit_report(walk.ctx, TRANSIT, end, start)
