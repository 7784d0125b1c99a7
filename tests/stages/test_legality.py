"""Legality review in depth (R11–R13, SoD1; Arts. 25–28; seed 000): the packet generated from the record,
the legal office's queue on the statutory calendar, supplement requests and returns restarting the clock,
and the written explanation when the unit does not adopt the legal office's opinion."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from decision_engine.domain.errors import NotPermitted, RuleViolation
from decision_engine.services import decisions as svc
from decision_engine.services import legality, queries
from tests.conftest import WARNINGS_ARE_ERRORS

pytestmark = WARNINGS_ARE_ERRORS


def prepared(walk: Any) -> Any:
    return walk.open().start().determine().coordinate().participate()


def gate(walk: Any) -> dict[str, Any]:
    return next(g for g in queries.get_decision(walk.ctx, walk.did)["gates"] if g["id"] == "legality_review")


def opinion(walk: Any, conclusion: str = "lawful") -> None:
    walk.art(walk.c.adviser, "legal_adviser_opinion", opinion="建议明确过渡期")
    walk.art(walk.c.reviewer, "legality_opinion", authority="属于市政府权限", procedure="程序完备",
             content="第三条应当增加过渡期", conclusion=conclusion)


def test_the_submission_packet_and_its_explanation_are_generated_from_the_record(walk_any: Any) -> None:
    walk = prepared(walk_any)
    legality.submit_for_review(walk.ctx, walk.c.drafter, walk.did, legal_basis="价格法第二十三条")
    sub = next(a for a in queries.get_decision(walk.ctx, walk.did)["artifacts"] if a["kind"] == "legality_submission")
    f = sub["fields"]
    assert f["explanation_generated"] is True and f["draft_version"] == 1
    assert "公众参与（R5" in f["procedure_explanation"] and "征求意见公告" in f["procedure_explanation"]
    assert "专家论证（R9，Arts. 19–20, 29(3)）：不适用；认定：否，理由：理由" in f["procedure_explanation"]
    assert {p["kind"] for p in f["packet"]} >= {"start_decision", "consultation", "comment_notice", "opinion_summary"}
    assert f["requested_deadline"] == walk.ctx.calendar.add_working_days(walk.ctx.today(), 7).due.isoformat()
    with walk.ctx.store.read() as conn:
        assert queries.replay(conn, walk.did).state == svc.load(conn, walk.did)[0].state


def test_r11_a_review_shorter_than_seven_working_days_needs_a_reason(walk: Any) -> None:
    prepared(walk)
    with pytest.raises(RuleViolation) as info:
        legality.submit_for_review(walk.ctx, walk.c.drafter, walk.did, legal_basis="x", review_days=5)
    assert (info.value.rule, info.value.article) == ("R11", "Art. 26 ¶2")
    legality.submit_for_review(walk.ctx, walk.c.drafter, walk.did, legal_basis="x", review_days=5,
                               short_review_reason="上级政府要求限期出台")
    assert legality.clock(walk.ctx, walk.did)["working_days_granted"] == 5  # type: ignore[index]


def test_the_queue_lists_open_reviews_by_deadline_in_working_days(walk: Any) -> None:
    prepared(walk)
    first, submitted = walk.did, walk.ctx.today()
    legality.submit_for_review(walk.ctx, walk.c.drafter, first, legal_basis="x", review_days=10)
    prepared(walk)
    legality.submit_for_review(walk.ctx, walk.c.drafter, walk.did, legal_basis="x")
    queue = legality.review_queue(walk.ctx)
    assert [e["decision_id"] for e in queue] == [first, walk.did]
    cal = walk.ctx.calendar
    due = cal.add_working_days(submitted, 10).due  # the first was submitted 31 calendar days earlier
    assert queue[0]["deadline"] == due.isoformat()
    assert queue[0]["working_days_remaining"] == -cal.working_days_between(due, walk.ctx.today())[0]
    assert queue[0]["overdue"] is True and queue[1]["working_days_remaining"] == 7
    assert not queue[1]["provisional"]


def test_a_deadline_in_a_year_without_an_official_calendar_is_provisional(walk: Any) -> None:
    walk.ctx.clock.advance(days=(date(2026, 11, 20) - walk.ctx.today()).days)
    prepared(walk)
    legality.submit_for_review(walk.ctx, walk.c.drafter, walk.did, legal_basis="x", review_days=15)
    c = legality.clock(walk.ctx, walk.did)
    assert c is not None and c["deadline"].startswith("2027") and c["provisional"] is True


def test_r11_a_supplement_request_stops_the_clock_and_the_supplement_restarts_it(walk_any: Any) -> None:
    walk = prepared(walk_any)
    legality.submit_for_review(walk.ctx, walk.c.drafter, walk.did, legal_basis="价格法")
    with pytest.raises(NotPermitted) as own:
        legality.request_supplement(walk.ctx, walk.c.drafter, walk.did, items=["x"], reason="y")
    assert own.value.rule == "SoD1"
    legality.request_supplement(walk.ctx, walk.c.reviewer, walk.did, items=["成本监审报告"], reason="缺少定价依据")
    paused = legality.clock(walk.ctx, walk.did)
    assert paused is not None and paused["paused"] and paused["working_days_remaining"] is None
    assert any(m["kind"] == "legality_supplement" and m["article"] == "Art. 26" for m in gate(walk)["missing"])
    walk.art(walk.c.adviser, "legal_adviser_opinion", opinion="待补充材料后再议")
    with pytest.raises(RuleViolation) as info:
        walk.art(walk.c.reviewer, "legality_opinion", authority="a", procedure="p", content="c", conclusion="lawful")
    assert (info.value.rule, info.value.article) == ("R11", "Art. 26")
    walk.ctx.clock.advance(days=4)
    legality.provide_supplement(walk.ctx, walk.c.drafter, walk.did, explanation="补充成本监审报告",
                                content=b"%PDF report", filename="成本监审报告.pdf")
    resumed = legality.clock(walk.ctx, walk.did)
    assert resumed is not None and not resumed["paused"] and resumed["restarted"]
    assert resumed["complete_on"] == walk.ctx.today().isoformat()
    assert resumed["deadline"] == walk.ctx.calendar.add_working_days(walk.ctx.today(), 7).due.isoformat()
    opinion(walk)
    svc.clear_gate(walk.ctx, walk.c.legal_director, walk.did, "legality_review")
    with walk.ctx.store.read() as conn:
        assert queries.replay(conn, walk.did).state == svc.load(conn, walk.did)[0].state


def test_r11_a_supplement_nobody_asked_for_is_refused(walk: Any) -> None:
    prepared(walk)
    legality.submit_for_review(walk.ctx, walk.c.drafter, walk.did, legal_basis="x")
    with pytest.raises(RuleViolation) as info:
        legality.provide_supplement(walk.ctx, walk.c.drafter, walk.did, explanation="主动补充")
    assert (info.value.rule, info.value.article) == ("R11", "Art. 26")


def test_r11_a_return_takes_the_decision_off_the_queue_until_a_new_submission_restarts_the_clock(walk: Any) -> None:
    prepared(walk)
    legality.submit_for_review(walk.ctx, walk.c.drafter, walk.did, legal_basis="x")
    walk.ctx.clock.advance(days=3)
    legality.return_submission(walk.ctx, walk.c.reviewer, walk.did, "请补充法律依据")
    assert legality.review_queue(walk.ctx) == []
    walk.ctx.clock.advance(days=2)
    legality.submit_for_review(walk.ctx, walk.c.drafter, walk.did, legal_basis="价格法第二十三条")
    [entry] = legality.review_queue(walk.ctx)
    assert entry["round"] == 2 and entry["restarted"] and entry["submitted_on"] == walk.ctx.today().isoformat()


def test_seed_000_not_adopting_the_legal_offices_opinion_needs_a_written_explanation(walk_any: Any) -> None:
    walk = prepared(walk_any)
    with pytest.raises(RuleViolation) as early:
        legality.explain_nonadoption(walk.ctx, walk.c.drafter, walk.did,
                                     points=[{"point": "过渡期", "explanation": "无需"}])
    assert (early.value.rule, early.value.article) == ("R12", "Art. 28")
    legality.submit_for_review(walk.ctx, walk.c.drafter, walk.did, legal_basis="x")
    opinion(walk, "lawful_if_amended")
    assert any(m["kind"] == "draft" and m["rule"] == "R12" for m in gate(walk)["missing"])
    legality.explain_nonadoption(walk.ctx, walk.c.drafter, walk.did, points=[
        {"point": "第三条应当增加过渡期", "explanation": "现行票价已执行十年，过渡期将延误线网调整，拟以换乘优惠替代"}])
    svc.clear_gate(walk.ctx, walk.c.legal_director, walk.did, "legality_review")
    assert gate(walk)["status"] == "cleared"


def test_r13_a_written_explanation_never_overrides_an_unlawful_opinion(walk: Any) -> None:
    prepared(walk)
    legality.submit_for_review(walk.ctx, walk.c.drafter, walk.did, legal_basis="x")
    opinion(walk, "unlawful")
    legality.explain_nonadoption(walk.ctx, walk.c.drafter, walk.did,
                                 points=[{"point": "超越权限", "explanation": "我们认为有权"}])
    with pytest.raises(RuleViolation) as info:
        svc.clear_gate(walk.ctx, walk.c.legal_director, walk.did, "legality_review")
    assert (info.value.rule, info.value.article) == ("R13", "Art. 25 ¶2")


def test_r12_amendments_answer_a_lawful_if_amended_opinion(walk: Any) -> None:
    prepared(walk)
    legality.submit_for_review(walk.ctx, walk.c.drafter, walk.did, legal_basis="x")
    opinion(walk, "lawful_if_amended")
    with pytest.raises(RuleViolation) as early:  # R12: not on the version reviewed, but in a new one
        legality.record_amendments(walk.ctx, walk.c.drafter, walk.did, changes=["第三条增加六个月过渡期"])
    assert (early.value.rule, early.value.article) == ("R12", "Art. 28")
    svc.add_draft_version(walk.ctx, walk.c.drafter, walk.did, content=b"v2: transition period", title="v2")
    legality.record_amendments(walk.ctx, walk.c.drafter, walk.did, changes=["第三条增加六个月过渡期"])
    assert not any(m["kind"] == "amendment_record" for m in gate(walk)["missing"])
    # the legal office reviews the amended version and confirms it before it clears
    legality.submit_for_review(walk.ctx, walk.c.drafter, walk.did, legal_basis="x")
    opinion(walk, "lawful")
    assert not gate(walk)["missing"]
