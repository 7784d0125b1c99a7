"""Every rule: a case it allows and a case it refuses, asserting the rule id and article.

The refused cases also check that nothing was half-written: the decision's projection and the blob
store are as they were (apart from the AttemptRefused evidence event, which changes no state).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from decision_engine.domain.errors import (
    ConcurrencyConflict,
    DomainError,
    FinalizationRefused,
    InvalidInput,
    NotFound,
    NotPermitted,
    RuleViolation,
)
from decision_engine.services import decisions as svc
from decision_engine.services import execution, experts, meetings, participation, queries
from tests.conftest import WARNINGS_ARE_ERRORS

pytestmark = WARNINGS_ARE_ERRORS


def refused(walk: Any, call: Callable[[], object], err: type[DomainError], rule: str,
            article_part: str) -> DomainError:
    """Assert a refusal with its rule and article, and that the decision's state did not change."""
    before = queries.get_decision(walk.ctx, walk.did) if walk.did else None
    with pytest.raises(err) as info:
        call()
    assert info.value.rule == rule, info.value
    assert article_part in info.value.article, info.value
    if before is not None:
        after = queries.get_decision(walk.ctx, walk.did)
        for key in ("status", "gates", "artifacts", "flags", "draft_version"):
            assert after[key] == before[key], key
    return info.value


# R1 -------------------------------------------------------------------------------------------
def test_r1_a_policy_decision_opens(walk: Any) -> None:
    walk.open(category="policy")
    assert queries.get_decision(walk.ctx, walk.did)["status"] == "draft"


def test_r1_an_emergency_response_decision_is_refused(walk: Any) -> None:
    refused(walk, lambda: walk.open(category="emergency_response"), RuleViolation, "R1", "Art. 3")


def test_r1_an_unknown_category_is_malformed_input(walk: Any) -> None:
    refused(walk, lambda: walk.open(category="whatever"), InvalidInput, "R1", "Art. 3")


# R2 -------------------------------------------------------------------------------------------
def test_r2_a_catalogue_published_before_the_party_committee_agreed_is_refused(walk: Any) -> None:
    walk.open()
    today = walk.ctx.today()
    refused(walk, lambda: walk.art(walk.c.office, "catalog_entry", catalog="2025年度重大行政决策事项目录",
                                   party_consent_at=today.isoformat(),
                                   published_at=(today - timedelta(days=3)).isoformat()),
            RuleViolation, "R2", "Art. 3")


def test_r2_a_catalogue_entry_after_the_party_committee_agreed_is_recorded(walk: Any) -> None:
    walk.open()
    today = walk.ctx.today()
    walk.art(walk.c.office, "catalog_entry", catalog="2025年度重大行政决策事项目录",
             party_consent_at=(today - timedelta(days=10)).isoformat(), published_at=today.isoformat())
    kinds = [a["kind"] for a in queries.get_decision(walk.ctx, walk.did)["artifacts"]]
    assert "catalog_entry" in kinds


# R3 -------------------------------------------------------------------------------------------
def test_r3_drafting_before_the_start_decision_is_refused(walk: Any) -> None:
    walk.open()
    refused(walk, lambda: svc.add_draft_version(walk.ctx, walk.c.drafter, walk.did, content=b"x",
                                                title="v1"), RuleViolation, "R3", "Art. 11")


def test_r3_procedure_work_before_the_start_decision_is_refused(walk: Any) -> None:
    walk.open()
    refused(walk, lambda: walk.art(walk.c.drafter, "consultation", unit="某市财政局", opinion="同意"),
            RuleViolation, "R3", "Art. 11")
    refused(walk, lambda: walk.art(walk.c.adviser, "legal_adviser_opinion", opinion="合法"),
            RuleViolation, "R3", "Art. 11")


def test_r15_a_cleared_gate_is_not_returned_only_sent_back_by_the_head(walk: Any) -> None:
    walk.open().start().determine().coordinate().participate()
    refused(walk, lambda: svc.return_gate(walk.ctx, walk.c.bureau_head, walk.did, "public_participation",
                                          "再补充"), RuleViolation, "R15", "Art. 30")
    refused(walk, lambda: svc.return_gate(walk.ctx, walk.c.office, walk.did, "initiation", "重来"),
            RuleViolation, "R15", "Art. 30")


def test_r3_a_start_decision_with_two_leads_is_refused(walk: Any) -> None:
    walk.open()
    refused(walk, lambda: walk.art(walk.c.head, "start_decision", lead_unit="甲", units=["乙", "丙"]),
            RuleViolation, "R3", "Art. 11")


def test_r3_the_start_decision_names_one_lead_and_moves_the_decision_into_procedure(walk: Any) -> None:
    walk.open().start()
    view = queries.get_decision(walk.ctx, walk.did)
    assert view["status"] == "in_procedure"
    assert next(g for g in view["gates"] if g["id"] == "initiation")["status"] == "cleared"


# R4 -------------------------------------------------------------------------------------------
def test_r4_an_affected_unit_not_consulted_blocks_coordination(walk: Any) -> None:
    walk.open().start()  # the start decision names 某市财政局 as an affected unit

    def coordination() -> dict[str, Any]:
        return next(g for g in queries.get_decision(walk.ctx, walk.did)["gates"] if g["id"] == "coordination")
    # a consultation of another unit does not stand in for the affected one
    walk.art(walk.c.drafter, "consultation", unit="某市发改委", opinion="同意")
    gate = coordination()
    assert gate["status"] == "submitted"
    assert [(m["rule"], m["article"], m["kind"]) for m in gate["missing"]] == [("R4", "Art. 13", "consultation")]
    assert "某市财政局" in gate["missing"][0]["need"]
    walk.coordinate()
    assert coordination()["status"] == "cleared"


def test_r4_an_open_dispute_needs_a_dispute_statement(walk: Any) -> None:
    walk.open().start()
    walk.art(walk.c.drafter, "consultation", unit="某市财政局", opinion="不同意", dispute=True)
    gate = next(g for g in queries.get_decision(walk.ctx, walk.did)["gates"] if g["id"] == "coordination")
    assert gate["missing"][0]["rule"] == "R4" and gate["missing"][0]["kind"] == "dispute_statement"


# R5 / R6 / R8 ---------------------------------------------------------------------------------
def test_r6_a_comment_window_of_29_days_without_a_reason_is_refused(walk: Any) -> None:
    walk.open().start()
    today = walk.ctx.today()
    refused(walk, lambda: walk.art(walk.c.drafter, "comment_notice", explanation="说明", channels=["网站"],
                                   method="留言", published_at=today.isoformat(),
                                   deadline=(today + timedelta(days=29)).isoformat()),
            RuleViolation, "R6", "Art. 15")


def test_r6_a_shorter_window_with_its_reason_in_the_notice_is_accepted(walk: Any) -> None:
    walk.open().start()
    today = walk.ctx.today()
    walk.art(walk.c.drafter, "comment_notice", explanation="说明", channels=["网站"], method="留言",
             published_at=today.isoformat(), deadline=(today + timedelta(days=10)).isoformat(),
             shortening_reason="汛期前必须实施，情况紧急")


def test_r6_participation_cannot_be_cleared_while_the_window_is_open(walk: Any) -> None:
    walk.open().start()
    today = walk.ctx.today()
    # every other requirement of the gate is met: a symposium held and its opinions summarised ...
    walk.art(walk.c.drafter, "participation_record", method="symposium", summary="座谈会")
    walk.feedback()  # the feedback report through its own door (AR14)
    # ... then a comment notice opens a 30-day window: clearing waits for the day after its deadline
    walk.art(walk.c.drafter, "comment_notice", explanation="说明", channels=["网站"], method="留言",
             published_at=today.isoformat(), deadline=(today + timedelta(days=30)).isoformat())
    gate = next(g for g in queries.get_decision(walk.ctx, walk.did)["gates"] if g["id"] == "public_participation")
    assert gate["missing"] == []
    refused(walk, lambda: svc.clear_gate(walk.ctx, walk.c.bureau_head, walk.did, "public_participation"),
            RuleViolation, "R6", "Art. 15")
    walk.ctx.clock.advance(days=30)  # the deadline day itself is inside the window
    refused(walk, lambda: svc.clear_gate(walk.ctx, walk.c.bureau_head, walk.did, "public_participation"),
            RuleViolation, "R6", "Art. 15")
    walk.ctx.clock.advance(days=1)
    svc.clear_gate(walk.ctx, walk.c.bureau_head, walk.did, "public_participation")


def test_r6_no_adoption_summary_while_the_window_is_open(walk: Any) -> None:
    walk.open().start()
    today = walk.ctx.today()
    walk.art(walk.c.drafter, "comment_notice", explanation="说明", channels=["网站"], method="留言",
             published_at=today.isoformat(), deadline=(today + timedelta(days=30)).isoformat())
    refused(walk, walk.feedback, RuleViolation, "R6", "Art. 15")
    # with no adoption summary possible yet, the gate cannot clear either (its R8 artifact is missing)
    refused(walk, lambda: svc.clear_gate(walk.ctx, walk.c.bureau_head, walk.did, "public_participation"),
            RuleViolation, "R8", "18")


def test_r8_an_opinion_without_a_disposition_is_refused(walk: Any) -> None:
    walk.open().start()
    refused(walk, lambda: participation.record_feedback_report(walk.ctx, walk.c.drafter, walk.did,
                                                               other_opinions=[{"opinion": "x"}]),
            RuleViolation, "R8", "Art. 18")


def test_r8_legality_submission_before_the_opinion_summary_is_refused(walk: Any) -> None:
    walk.open().start().determine().coordinate()
    refused(walk, lambda: walk.art(walk.c.drafter, "legality_submission", legal_basis="x",
                                   procedure_explanation="y", requested_deadline="2025-12-31"),
            RuleViolation, "R8", "18")


def test_r5_a_nondisclosable_matter_is_exempted_with_its_legal_basis(walk: Any) -> None:
    walk.open().start().determine(nondisclosable=True)
    refused(walk, lambda: svc.exempt_gate(walk.ctx, walk.c.drafter, walk.did, "public_participation",
                                          "政府信息公开条例第十四条"), RuleViolation, "R5", "Art. 14")
    walk.art(walk.c.drafter, "nondisclosure_basis", legal_ref="政府信息公开条例第十四条", reason="涉密")
    # SoD8: the person who determined the matter non-disclosable does not exempt the gate on it
    refused(walk, lambda: svc.exempt_gate(walk.ctx, walk.c.drafter, walk.did, "public_participation",
                                          "政府信息公开条例第十四条"), NotPermitted, "SoD8", "Art. 38")
    svc.exempt_gate(walk.ctx, walk.c.bureau_head, walk.did, "public_participation", "政府信息公开条例第十四条")
    gate = next(g for g in queries.get_decision(walk.ctx, walk.did)["gates"]
                if g["id"] == "public_participation")
    assert gate["status"] == "exempted" and gate["exemption"]["legal_basis"].startswith("政府信息公开条例")


def test_r5_specific_group_needs_group_consultation(walk: Any) -> None:
    walk.open().start().determine(affects_specific_group=True).coordinate()
    today = walk.ctx.today()
    walk.art(walk.c.drafter, "comment_notice", explanation="说明", channels=["网站"], method="留言",
             published_at=today.isoformat(), deadline=(today + timedelta(days=30)).isoformat())
    gate = next(g for g in queries.get_decision(walk.ctx, walk.did)["gates"]
                if g["id"] == "public_participation")
    assert any(m["kind"] == "group_consultation" and m["article"] == "Art. 14 ¶3" for m in gate["missing"])


# R7 -------------------------------------------------------------------------------------------
def test_r7_materials_delivered_six_days_before_the_hearing_are_refused(walk: Any) -> None:
    walk.open().start().determine(hearing_required_by_law=True)
    today = walk.ctx.today()
    walk.art(walk.c.drafter, "hearing_notice", published_at=today.isoformat(),
             hearing_at=(today + timedelta(days=20)).isoformat(), place="会议室")
    refused(walk, lambda: walk.art(walk.c.drafter, "hearing_materials_delivery", participant="甲",
                                   delivered_at=(today + timedelta(days=14)).isoformat()),
            RuleViolation, "R7", "Art. 16")
    walk.art(walk.c.drafter, "hearing_materials_delivery", participant="甲",
             delivered_at=(today + timedelta(days=13)).isoformat())


def test_sod5_a_hearing_record_not_signed_by_every_participant_is_refused(walk: Any) -> None:
    walk.open().start().determine(hearing_required_by_law=True)
    today = walk.ctx.today()
    walk.art(walk.c.drafter, "hearing_notice", published_at=today.isoformat(),
             hearing_at=(today + timedelta(days=20)).isoformat(), place="会议室")
    # no typed signatures: the record comes only through its door, confirmed by each participant (AR14)
    refused(walk, lambda: walk.art(walk.c.drafter, "hearing_record", participants=["甲", "乙"],
                                   signed_by=["甲", "乙"], summary="x"), RuleViolation, "AR14", "Art. 17")


def test_r7_a_hearing_required_by_law_blocks_finalization_until_held(walk: Any) -> None:
    walk.open().start().determine(hearing_required_by_law=True).coordinate().participate().legality()
    err = refused(walk, lambda: svc.finalize(walk.ctx, walk.c.head, walk.did), FinalizationRefused,
                  "R7", "Art. 16")
    assert any(m.gate == "hearing" for m in err.missing)


# R9 / SoD2 ------------------------------------------------------------------------------------
def test_r9_the_specialism_determination_is_always_required(walk: Any) -> None:
    walk.open().start()
    missing = queries.get_decision(walk.ctx, walk.did)["finalization_missing"]
    assert any(m["kind"] == "determination:specialised" and m["rule"] == "R9" for m in missing)


def chosen(walk: Any, *expert_ids: str) -> None:
    """The selection through its own door (AR14; R9, Arts. 20–21)."""
    experts.select_experts(walk.ctx, walk.c.drafter, walk.did, expert_ids=list(expert_ids), method="随机抽取",
                           reasons="专业对口", dissent_included=True, outside_pool_reason="本市未建专家库")


def test_sod2_an_expert_with_a_direct_interest_is_barred(walk: Any) -> None:
    walk.open().start().determine(specialised=True)
    chosen(walk, walk.c.expert_a)
    walk.art(walk.c.expert_a, "conflict_declaration", direct_interest=True, statement="持有公交集团股份")
    refused(walk, lambda: experts.submit_opinion(walk.ctx, walk.c.expert_a, walk.did, opinion="可行"),
            NotPermitted, "SoD2", "Art. 20")


def test_r9_an_expert_opinion_needs_a_prior_declaration(walk: Any) -> None:
    walk.open().start().determine(specialised=True)
    chosen(walk, walk.c.expert_b)
    refused(walk, lambda: experts.submit_opinion(walk.ctx, walk.c.expert_b, walk.did, opinion="可行"),
            RuleViolation, "R9", "Art. 20")
    walk.select_experts()
    walk.art(walk.c.expert_b, "conflict_declaration", direct_interest=False, statement="无")
    experts.submit_opinion(walk.ctx, walk.c.expert_b, walk.did, opinion="可行")


def test_r9_a_specialised_matter_needs_expert_review_before_finalization(walk: Any) -> None:
    walk.open().start().determine(specialised=True).coordinate().participate().legality()
    err = refused(walk, lambda: svc.finalize(walk.ctx, walk.c.head, walk.did), FinalizationRefused,
                  "R9", "Art")
    assert {m.kind for m in err.missing if m.gate == "expert_review"} >= {"selection_note", "expert_opinion"}


# R10 ------------------------------------------------------------------------------------------
def test_r10_an_uncontrollable_risk_blocks_until_a_new_draft_is_assessed_controllable(walk: Any) -> None:
    walk.open().start().determine(risk_relevant=True)
    report = {"risk_points": ["x"], "level": "high", "measures": ["m"], "contingency_plan": "p"}
    walk.art(walk.c.assessor, "risk_report", conclusion="not_controllable", **report)
    refused(walk, lambda: walk.art(walk.c.assessor, "risk_report", conclusion="controllable", **report),
            RuleViolation, "R10", "Art. 24")
    gate = next(g for g in queries.get_decision(walk.ctx, walk.did)["gates"] if g["id"] == "risk_assessment")
    assert any(m["rule"] == "R10" and m["article"] == "Art. 24" for m in gate["missing"])
    svc.add_draft_version(walk.ctx, walk.c.drafter, walk.did, content=b"v2 adjusted", title="v2")
    walk.art(walk.c.assessor, "risk_report", conclusion="controllable", **report)


def test_r10_risk_report_by_the_undertaking_unit_is_a_role_error(walk: Any) -> None:
    walk.open().start().determine(risk_relevant=True)
    refused(walk, lambda: walk.art(walk.c.drafter, "risk_report", risk_points=["x"], level="low",
                                   measures=["m"], contingency_plan="p", conclusion="controllable"),
            NotPermitted, "R10", "Arts. 22–24")


# R11–R13 / SoD1 / SoD8 --------------------------------------------------------------------------
def test_r11_a_review_period_under_seven_working_days_needs_a_reason(walk: Any) -> None:
    walk.open().start().determine().coordinate().participate()
    short = walk.ctx.calendar.add_working_days(walk.ctx.today(), 5).due.isoformat()
    refused(walk, lambda: walk.art(walk.c.drafter, "legality_submission", legal_basis="x",
                                   procedure_explanation="y", requested_deadline=short),
            RuleViolation, "R11", "Art. 26 ¶2")
    walk.art(walk.c.drafter, "legality_submission", legal_basis="x", procedure_explanation="y",
             requested_deadline=short, short_review_reason="上级要求限期出台")


def test_r12_the_opinion_needs_a_legal_advisers_opinion_first(walk: Any) -> None:
    walk.open().start().determine().coordinate().participate()
    due = walk.ctx.calendar.add_working_days(walk.ctx.today(), 8).due.isoformat()
    walk.art(walk.c.drafter, "legality_submission", legal_basis="x", procedure_explanation="y",
             requested_deadline=due)
    refused(walk, lambda: walk.art(walk.c.reviewer, "legality_opinion", authority="a", procedure="p",
                                   content="c", conclusion="lawful"), RuleViolation, "R12", "Art. 28")


def test_sod1_the_undertaking_unit_cannot_clear_its_own_legality_review(walk: Any) -> None:
    walk.open().start().determine().coordinate().participate()
    due = walk.ctx.calendar.add_working_days(walk.ctx.today(), 8).due.isoformat()
    walk.art(walk.c.drafter, "legality_submission", legal_basis="x", procedure_explanation="y",
             requested_deadline=due)
    walk.art(walk.c.adviser, "legal_adviser_opinion", opinion="合法")
    walk.art(walk.c.reviewer, "legality_opinion", authority="a", procedure="p", content="c",
             conclusion="lawful")
    refused(walk, lambda: svc.clear_gate(walk.ctx, walk.c.bureau_head, walk.did, "legality_review"),
            NotPermitted, "SoD1", "Arts. 25")


def test_sod8_the_opinion_author_cannot_clear_the_gate_and_another_reviewer_can(walk: Any) -> None:
    walk.open().start().determine().coordinate().participate()
    due = walk.ctx.calendar.add_working_days(walk.ctx.today(), 8).due.isoformat()
    walk.art(walk.c.drafter, "legality_submission", legal_basis="x", procedure_explanation="y",
             requested_deadline=due)
    walk.art(walk.c.adviser, "legal_adviser_opinion", opinion="合法")
    walk.art(walk.c.reviewer, "legality_opinion", authority="a", procedure="p", content="c",
             conclusion="lawful")
    refused(walk, lambda: svc.clear_gate(walk.ctx, walk.c.reviewer, walk.did, "legality_review"),
            NotPermitted, "SoD8", "Art. 38")
    svc.clear_gate(walk.ctx, walk.c.legal_director, walk.did, "legality_review")


def test_r13_an_unlawful_opinion_blocks_the_meeting_and_finalization(walk: Any) -> None:
    walk.open().start().determine().coordinate().participate().legality(conclusion="unlawful")
    refused(walk, lambda: svc.clear_gate(walk.ctx, walk.c.legal_director, walk.did, "legality_review"),
            RuleViolation, "R13", "Art. 25")
    refused(walk, lambda: walk.meeting(), RuleViolation, "R14", "Art. 29")


def test_r13_a_new_draft_version_reopens_the_legality_review(walk: Any) -> None:
    walk.ready()
    svc.add_draft_version(walk.ctx, walk.c.drafter, walk.did, content=b"v2", title="v2")
    view = queries.get_decision(walk.ctx, walk.did)
    gate = next(g for g in view["gates"] if g["id"] == "legality_review")
    assert gate["status"] == "open" and view["status"] == "in_procedure"
    err = refused(walk, lambda: svc.finalize(walk.ctx, walk.c.head, walk.did), FinalizationRefused,
                  "R11", "Arts. 25–26")
    assert any(m.gate == "legality_review" for m in err.missing)


def test_r13_exploratory_reform_needs_the_flag_and_a_risk_statement(walk: Any) -> None:
    walk.open().start().determine().coordinate().participate()
    due = walk.ctx.calendar.add_working_days(walk.ctx.today(), 8).due.isoformat()
    walk.art(walk.c.drafter, "legality_submission", legal_basis="x", procedure_explanation="y",
             requested_deadline=due)
    walk.art(walk.c.adviser, "legal_adviser_opinion", opinion="x")
    refused(walk, lambda: walk.art(walk.c.reviewer, "legality_opinion", authority="a", procedure="p",
                                   content="c", conclusion="exploratory_risk_stated"),
            RuleViolation, "R13", "Art. 25 ¶2")


def test_r11_a_return_restarts_the_review_with_a_new_submission(walk: Any) -> None:
    walk.open().start().determine().coordinate().participate()
    due = walk.ctx.calendar.add_working_days(walk.ctx.today(), 8).due.isoformat()
    walk.art(walk.c.drafter, "legality_submission", legal_basis="x", procedure_explanation="y",
             requested_deadline=due)
    svc.return_gate(walk.ctx, walk.c.reviewer, walk.did, "legality_review", "请补充法律依据")
    gate = next(g for g in queries.get_decision(walk.ctx, walk.did)["gates"] if g["id"] == "legality_review")
    assert gate["status"] == "returned"
    assert any(m["kind"] == "legality_submission" for m in gate["missing"])


# R14 / R15 / SoD4 -----------------------------------------------------------------------------
def test_r15_a_circulated_sign_off_is_not_a_meeting(walk: Any) -> None:
    walk.ready()
    refused(walk, lambda: meetings.convene(walk.ctx, walk.c.secretary, meeting_type="circulation", title="传签",
                                           held_on=walk.ctx.today().isoformat(), head=walk.c.head,
                                           members=[walk.c.member_a]), RuleViolation, "R15", "Art. 30 ¶1")
    refused(walk, lambda: walk.art(walk.c.head, "meeting_record", meeting_type="circulation",
                                   attendance=[walk.c.head], opinions=[{"person": walk.c.head}],
                                   head_decision="adopt"), RuleViolation, "AR14", "Art. 30")


def test_sod4_the_head_must_speak_last(walk: Any) -> None:
    walk.ready()
    c = walk.c
    refused(walk, lambda: walk.meeting(opinions=[
        {"person": c.head, "position": "support", "text": "同意"},
        {"person": c.member_a, "position": "support", "text": "同意"},
        {"person": c.member_b, "position": "support", "text": "同意"}]), RuleViolation, "SoD4", "Art. 30")


def test_sod4_only_the_head_records_the_decision(walk: Any) -> None:
    walk.ready()
    c = walk.c
    mid = meetings.convene(walk.ctx, c.secretary, meeting_type="executive", title="常务会议",
                           held_on=walk.ctx.today().isoformat(), head=c.head, members=[c.member_a, c.member_b]
                           ).meeting_id
    meetings.place_on_agenda(walk.ctx, c.secretary, mid, walk.did)
    meetings.record_attendance(walk.ctx, c.secretary, mid, [c.member_a, c.member_b, c.head])
    for who in (c.member_a, c.member_b, c.head):
        meetings.record_opinion(walk.ctx, who, mid, 1, speaker=who, position="support", text="同意")
    refused(walk, lambda: meetings.decide_item(walk.ctx, c.member_a, mid, 1, outcome="adopt"), NotPermitted,
            "SoD4", "Art. 30")
    meetings.decide_item(walk.ctx, c.head, mid, 1, outcome="adopt")


def test_r15_departing_from_the_majority_needs_reasons_at_the_meeting(walk: Any) -> None:
    walk.ready()
    c = walk.c
    against = [{"person": c.member_a, "position": "oppose", "text": "反对"},
               {"person": c.member_b, "position": "oppose", "text": "反对"},
               {"person": c.head, "position": "support", "text": "同意"}]
    refused(walk, lambda: walk.meeting(opinions=against), RuleViolation, "R15", "Art. 30")
    walk.meeting(opinions=against, head_reasons="为保障汛期安全，必须按期实施")


def test_r15_no_quorum_is_refused(walk: Any) -> None:
    walk.ready()
    c = walk.c
    mid = meetings.convene(walk.ctx, c.secretary, meeting_type="executive", title="常务会议",
                           held_on=walk.ctx.today().isoformat(), head=c.head, members=[c.member_a, c.member_b]
                           ).meeting_id
    meetings.place_on_agenda(walk.ctx, c.secretary, mid, walk.did)
    refused(walk, lambda: meetings.record_attendance(walk.ctx, c.secretary, mid, [c.head]), RuleViolation,
            "R15", "Art. 30")


def test_r14_the_packet_needs_fair_competition_review_for_market_entities(walk: Any) -> None:
    walk.open().start().determine(affects_market_entities=True).coordinate().participate().legality()
    refused(walk, lambda: walk.meeting(), RuleViolation, "R14", "Art. 29(1)")
    walk.art(walk.c.drafter, "fair_competition_review", conclusion="不排除、限制竞争")
    walk.meeting()


# R16 / finalization ---------------------------------------------------------------------------
def test_finalization_refused_lists_every_missing_item_with_rule_and_article(walk: Any) -> None:
    walk.open()
    err = refused(walk, lambda: svc.finalize(walk.ctx, walk.c.head, walk.did), FinalizationRefused,
                  "R3", "Art. 11")
    gates = {m.gate for m in err.missing}
    assert gates >= {"initiation", "coordination", "public_participation", "legality_review",
                     "collective_decision", "party_report"}
    assert all(m.rule and m.article for m in err.missing)


def test_r16_finalization_needs_the_party_report(walk: Any) -> None:
    walk.ready().meeting()
    err = refused(walk, lambda: svc.finalize(walk.ctx, walk.c.head, walk.did), FinalizationRefused,
                  "R16", "Art. 31")
    assert [m.kind for m in err.missing] == ["party_report"]
    walk.report()
    svc.finalize(walk.ctx, walk.c.head, walk.did)
    assert queries.get_decision(walk.ctx, walk.did)["status"] == "decided"


def test_sod4_only_the_head_finalizes(walk: Any) -> None:
    walk.ready().meeting().report()
    refused(walk, lambda: svc.finalize(walk.ctx, walk.c.office, walk.did), NotPermitted, "SoD4", "Art. 30")


def test_legality_review_can_never_be_exempted(walk: Any) -> None:
    walk.open().start()
    refused(walk, lambda: svc.exempt_gate(walk.ctx, walk.c.drafter, walk.did, "legality_review", "x"),
            RuleViolation, "R13", "Arts. 25, 30")


# R17–R21 (after the decision) -----------------------------------------------------------------
def test_r17_publication_before_finalization_is_refused(walk: Any) -> None:
    walk.ready()
    refused(walk, lambda: walk.art(walk.c.office, "publication_record", channels=["网站"],
                                   published_at="2025-06-01"), RuleViolation, "R17", "Art. 32")


def test_r19_a_report_by_a_unit_that_is_not_an_execution_unit_is_refused(walk: Any) -> None:
    walk.decided()
    walk.art(walk.c.office, "publication_record", channels=["网站"], published_at="2025-06-01")
    execution.designate_execution_units(walk.ctx, walk.c.head, walk.did, ["某区政府"])
    refused(walk, lambda: walk.art(walk.c.executor, "execution_report", report_kind="progress",
                                   summary="x"), NotPermitted, "R19", "Art. 34")


def test_sod6_only_the_head_suspends(walk: Any) -> None:
    walk.decided()
    refused(walk, lambda: svc.suspend(walk.ctx, walk.c.office, walk.did, "force_majeure", "台风", urgency="情况紧急"),
            NotPermitted, "SoD6", "Arts. 35, 37")
    svc.suspend(walk.ctx, walk.c.head, walk.did, "force_majeure", "台风", urgency="情况紧急")
    assert queries.get_decision(walk.ctx, walk.did)["status"] == "suspended"
    svc.resume(walk.ctx, walk.c.head, walk.did, "台风过境")
    assert queries.get_decision(walk.ctx, walk.did)["status"] == "decided"


def test_sod3_the_undertaking_unit_cannot_evaluate_its_own_decision(walk: Any) -> None:
    from decision_engine.services import identity
    walk.decided()
    insider = identity.register_person(walk.ctx, "局内评估员")
    identity.grant_role(walk.ctx, insider, "post_evaluator", walk.bureau)
    fields = {"trigger": "organ_decision", "public_input": "问卷", "deputy_participation": "人大代表参与",
              "findings": "z", "recommendation": "continue"}
    refused(walk, lambda: walk.art(walk.c.head, "evaluation_commission", evaluator_unit=walk.bureau,
                                   trigger="organ_decision", reasons="x"), NotPermitted, "SoD3", "Art. 36")
    walk.art(walk.c.head, "evaluation_commission", evaluator_unit="某第三方评估机构", trigger="organ_decision",
             reasons="决策机关认为有必要")
    refused(walk, lambda: execution.evaluate(walk.ctx, insider, walk.did, **fields), NotPermitted, "R21",
            "Art. 36")  # only the commissioned evaluator reports
    refused(walk, lambda: walk.art(walk.c.evaluator, "evaluation_report", **fields), RuleViolation, "AR14",
            "Art. 36")  # one door: the generic route refuses it, naming /evaluation-reports
    execution.evaluate(walk.ctx, walk.c.evaluator, walk.did, **fields)


# Bad input ------------------------------------------------------------------------------------
def test_an_unknown_artifact_kind_is_not_found(walk: Any) -> None:
    walk.open()
    refused(walk, lambda: walk.art(walk.c.drafter, "horoscope", x=1), NotFound, "R18", "Art. 33")


def test_an_unknown_gate_is_not_found(walk: Any) -> None:
    walk.open()
    refused(walk, lambda: svc.clear_gate(walk.ctx, walk.c.head, walk.did, "astrology"), NotFound, "R1",
            "Art. 3")


def test_an_artifact_for_a_gate_that_does_not_apply_is_refused(walk: Any) -> None:
    walk.open().start().determine(specialised=False)
    refused(walk, lambda: walk.art(walk.c.drafter, "expert_adoption", adoptions=[
        {"opinion": "x", "disposition": "adopted", "reason": "y"}]), RuleViolation, "R9", "Arts. 19–20")


def test_missing_fields_are_listed(walk: Any) -> None:
    walk.open()
    err = refused(walk, lambda: walk.art(walk.c.head, "start_decision", lead_unit="x"), InvalidInput,
                  "R3", "Art. 11")
    assert [m.need for m in err.missing] == ["field 'units'"]


def test_a_stale_sequence_number_is_a_conflict_and_writes_nothing(walk: Any) -> None:
    walk.open()
    seq = queries.get_decision(walk.ctx, walk.did)["seq"]
    svc.record_artifact(walk.ctx, walk.c.head, walk.did, "start_decision",
                        {"lead_unit": walk.bureau, "units": [walk.bureau]}, expected_seq=seq)
    refused(walk, lambda: svc.record_determination(walk.ctx, walk.c.drafter, walk.did, "specialised", True,
                                                   "x", expected_seq=seq), ConcurrencyConflict, "R18",
            "Art. 33")


def test_refused_attempts_are_recorded_as_evidence_without_changing_state(walk: Any) -> None:
    walk.open()
    with pytest.raises(FinalizationRefused):
        svc.finalize(walk.ctx, walk.c.head, walk.did)
    events = queries.events(walk.ctx, walk.did)
    last = events[-1]
    assert last["type"] == "AttemptRefused"
    assert last["actor"]["person"] == walk.c.head and last["payload"]["rule"] == "R3"
    assert queries.get_decision(walk.ctx, walk.did)["status"] == "draft"
