"""S4 in memory: the legality review (R11–R13, SoD1, Arts. 25–28), supplements (R11, Art. 26), the review
clock, returns and re-review after a new draft, and the normative-document checklist (ND1)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from decision_engine.domain import review
from decision_engine.domain.decision import Actor
from decision_engine.domain.errors import InvalidInput, NotPermitted, RuleViolation
from tests.domain.builders import BUREAU, Build, C, blob, refused

OPINION = {"authority": "有权", "procedure": "完备", "content": "合法"}
ND1 = {"creates_licence": False, "creates_penalty": False, "creates_compulsory_measure": False,
       "creates_fee": False, "adds_obligation_without_basis": False}


def participated(b: Build) -> Build:
    return b.open().start().determine().coordinate().participate()


def submitted(b: Build) -> Build:
    participated(b).submission()
    b.art(C.adviser, "legal_adviser_opinion", opinion="合法")
    return b


def opinion(b: Build, conclusion: str = "lawful", actor: object = C.reviewer, **extra: object) -> str:
    return b.art(actor, "legality_opinion", **OPINION, conclusion=conclusion, **extra)  # type: ignore[arg-type]


# R8 before R11 -------------------------------------------------------------------------------------
def test_r8_a_legality_submission_before_the_opinion_summary_is_refused(b: Build) -> None:
    b.open().start().determine().coordinate()
    refused(lambda: b.submission(), RuleViolation, "R8", "Arts. 18, 29(2)")


def test_r8_an_exempted_participation_needs_no_summary_before_the_submission(b: Build) -> None:
    b.open().start().determine(nondisclosable=True).coordinate()
    b.art(C.drafter, "nondisclosure_basis", legal_ref="政府信息公开条例第十四条", reason="涉密")
    b.exempt("public_participation", C.bureau_head)
    b.submission()


# R11 -----------------------------------------------------------------------------------------------
def test_r11_a_review_given_fewer_than_7_working_days_without_a_reason_is_refused(b: Build) -> None:
    participated(b)
    refused(lambda: b.submission(6), RuleViolation, "R11", "Art. 26 ¶2")
    b.submission(7)


def test_r11_a_short_review_with_its_reason_is_accepted(b: Build) -> None:
    participated(b)
    refused(lambda: b.submission(3, short_review_reason=" "), RuleViolation, "R11", "Art. 26 ¶2")
    b.submission(3, short_review_reason="汛期临近")


def test_r11_a_requested_deadline_that_is_not_a_date_is_malformed(b: Build) -> None:
    participated(b)
    refused(lambda: b.submission(requested_deadline="soon"), InvalidInput, "R11", "Art. 26 ¶2")


def test_r11_a_legality_opinion_without_a_submission_is_refused(b: Build) -> None:
    participated(b)
    refused(lambda: opinion(b), RuleViolation, "R11", "Art. 26")


def test_r11_a_supplement_request_stops_the_review_until_the_supplement_arrives(b: Build) -> None:
    submitted(b)
    b.act(C.reviewer, review.request_supplement(b.d, (C.reviewer,), ["成本监审报告"], "缺少成本数据"))
    assert ("R11", "Art. 26", "legality_supplement") in b.missing("legality_review")
    refused(lambda: opinion(b), RuleViolation, "R11", "Art. 26")
    b.art(C.adviser, "legal_adviser_opinion", opinion="补充意见")  # not the supplement: the request stays open
    refused(lambda: opinion(b), RuleViolation, "R11", "Art. 26")
    clock = review.review_clock(b.d, b.cal, b.today)
    assert clock is not None and clock["paused"] and clock["working_days_remaining"] is None
    b.advance(2)
    b.art(C.drafter, "legality_supplement", explanation="已补充")
    clock = review.review_clock(b.d, b.cal, b.today)
    assert clock is not None and not clock["paused"] and clock["restarted"] and clock["working_days_granted"] == 8
    assert clock["complete_on"] == b.today.isoformat() and clock["working_days_remaining"] == 8
    opinion(b)


def test_r11_a_supplement_without_a_pending_request_is_refused(b: Build) -> None:
    submitted(b)
    refused(lambda: b.art(C.drafter, "legality_supplement", explanation="主动补充"), RuleViolation, "R11", "Art. 26")


def test_r11_a_supplement_request_is_refused_when_it_cannot_apply(b: Build) -> None:
    participated(b)
    def ask(who: Actor = C.reviewer, items: tuple[str, ...] = ("材料",), reason: str = "理由"
            ) -> tuple[Actor, list[Any]]:
        return review.request_supplement(b.d, (who,), list(items), reason)
    refused(lambda: ask(C.drafter), NotPermitted, "SoD1", "Arts. 25, 28")
    refused(lambda: ask(C.reviewer_in_bureau), NotPermitted, "SoD1", "Arts. 25, 28")
    refused(lambda: ask(), RuleViolation, "R11", "Art. 26")  # nothing submitted
    b.submission()
    refused(lambda: ask(items=(" ",)), InvalidInput, "R11", "Art. 26")
    refused(lambda: ask(reason=" "), InvalidInput, "R11", "Art. 26")
    b.act(C.reviewer, ask())
    refused(lambda: ask(), RuleViolation, "R11", "Art. 26")  # already pending
    b.art(C.drafter, "legality_supplement", explanation="已补充")
    b.art(C.adviser, "legal_adviser_opinion", opinion="合法")
    opinion(b)
    refused(lambda: ask(), RuleViolation, "R11", "Art. 26")  # the opinion is given


def test_r11_no_supplement_is_requested_after_the_decision(b: Build) -> None:
    b.decided()
    refused(lambda: review.request_supplement(b.d, (C.reviewer,), ["x"], "y"), RuleViolation, "R11", "Art. 26")


def test_r11_the_review_clock_counts_working_days_from_the_submission(b: Build) -> None:
    participated(b)
    assert review.review_clock(b.d, b.cal, b.today) is None
    b.submission(8)
    clock = review.review_clock(b.d, b.cal, b.today)
    assert clock is not None
    assert (clock["working_days_granted"], clock["working_days_remaining"], clock["overdue"]) == (8, 8, False)
    late = review.review_clock(b.d, b.cal, b.today + timedelta(days=20))
    assert late is not None and late["overdue"] and late["working_days_remaining"] < 0


def test_r11_the_submission_packet_is_generated_from_the_record(b: Build) -> None:
    participated(b)
    refused(lambda: review.submission_packet(b.d, " "), InvalidInput, "R11", "Art. 26")
    packet = review.submission_packet(b.d, "价格法")
    assert packet["draft_version"] == 1 and packet["explanation_generated"] is True
    assert {p["kind"] for p in packet["packet"]} >= {"start_decision", "consultation", "comment_notice",
                                                     "opinion_summary"}
    assert "公众参与" in packet["procedure_explanation"] and "已完成" in packet["procedure_explanation"]
    c = Build().open()
    c.art(C.head, "start_decision", lead_unit=BUREAU, units=[BUREAU])
    refused(lambda: review.submission_packet(c.d, "价格法"), RuleViolation, "R3", "Art. 12")


# R12 / SoD1 ----------------------------------------------------------------------------------------
def test_sod1_the_undertaking_unit_cannot_give_the_legality_opinion_on_its_own_draft(b: Build) -> None:
    submitted(b)
    refused(lambda: opinion(b, actor=C.reviewer_in_bureau), NotPermitted, "SoD1", "Arts. 25, 28")


def test_r12_the_reviewer_first_obtains_a_legal_advisers_opinion(b: Build) -> None:
    participated(b).submission()
    refused(lambda: opinion(b), RuleViolation, "R12", "Art. 28")
    b.art(C.adviser, "legal_adviser_opinion", opinion="合法")
    opinion(b)


def test_r12_a_conclusion_outside_the_four_is_malformed(b: Build) -> None:
    submitted(b)
    refused(lambda: opinion(b, "fine"), InvalidInput, "R12", "Arts. 27–28")


def test_r13_an_exploratory_conclusion_needs_the_determination_and_the_risk_stated(b: Build) -> None:
    submitted(b)
    refused(lambda: opinion(b, "exploratory_risk_stated", risk_statement="风险"), RuleViolation, "R13", "Art. 25 ¶2")
    b.determination("exploratory_reform", True, actor=C.head)
    refused(lambda: opinion(b, "exploratory_risk_stated", risk_statement=" "), RuleViolation, "R13", "Art. 25 ¶2")
    opinion(b, "exploratory_risk_stated", risk_statement="试点风险")


def test_r13_an_unlawful_draft_is_not_discussed(b: Build) -> None:
    submitted(b)
    opinion(b, "unlawful")
    assert ("R13", "Art. 25 ¶2", "legality_opinion") in b.missing("legality_review")
    refused(lambda: b.clear("legality_review", C.legal_director), RuleViolation, "R13", "Art. 25 ¶2")


def test_r12_a_lawful_if_amended_opinion_needs_a_new_draft_or_a_written_explanation(b: Build) -> None:
    submitted(b)
    opinion(b, "lawful_if_amended", amendments="删除第五条")
    assert b.missing("legality_review") == [("R12", "Art. 28", "draft")]
    refused(lambda: b.clear("legality_review", C.legal_director), RuleViolation, "R12", "Art. 28")
    c = Build()
    submitted(c)
    opinion(c, "lawful_if_amended")
    c.art(C.drafter, "nonadoption_explanation", explanation="理由")
    assert c.missing("legality_review") == []


def test_r12_an_amendment_record_on_the_version_reviewed_is_refused(b: Build) -> None:
    submitted(b)
    opinion(b, "lawful_if_amended", amendments="删除第五条")
    refused(lambda: b.art(C.drafter, "amendment_record", changes=["已删除第五条"]), RuleViolation, "R12", "Art. 28",
            says="新版本")


def test_r12_the_new_draft_carries_the_amendments_and_the_legal_office_confirms_it(b: Build) -> None:
    submitted(b)
    opinion(b, "lawful_if_amended", amendments="删除第五条")
    b.draft("v2（已删除第五条）")
    # the new version reopens the review (R13); the round must hold the amendment record made on v2 ...
    assert ("R12", "Art. 28", "amendment_record") in b.missing("legality_review")
    b.art(C.drafter, "amendment_record", changes=["已删除第五条"])
    assert ("R12", "Art. 28", "amendment_record") not in b.missing("legality_review")
    # ... and the legal office reviews v2 and confirms before it clears
    refused(lambda: b.clear("legality_review", C.legal_director), RuleViolation, "R11", "Arts. 25–26")
    b.submission()
    b.art(C.adviser, "legal_adviser_opinion", opinion="已按意见修改，合法")
    opinion(b, "lawful")
    b.clear("legality_review", C.legal_director)
    assert b.gate("legality_review") == "cleared"


def test_r12_amendments_answer_a_legality_opinion(b: Build) -> None:
    submitted(b)
    refused(lambda: b.art(C.drafter, "amendment_record", changes="x"), RuleViolation, "R12", "Art. 28")
    refused(lambda: b.art(C.drafter, "nonadoption_explanation", explanation="x"), RuleViolation, "R12", "Art. 28")


def test_sod1_the_undertaking_unit_never_clears_its_own_legality_review(b: Build) -> None:
    submitted(b)
    opinion(b)
    refused(lambda: b.clear("legality_review", C.reviewer_in_bureau), NotPermitted, "SoD1", "Arts. 25, 28")
    refused(lambda: b.clear("legality_review", C.drafter), NotPermitted, "SoD1", "Arts. 25–28")
    refused(lambda: b.clear("legality_review", C.reviewer), NotPermitted, "SoD8", "Art. 38 (inference)")
    b.clear("legality_review", C.legal_director)
    assert b.gate("legality_review") == "cleared" and b.d.status == "ready_for_decision"


# R13: the version reviewed is the version decided ------------------------------------------------------
def test_r13_a_new_draft_version_reopens_the_legality_review(b: Build) -> None:
    submitted(b)
    opinion(b)
    b.clear("legality_review", C.legal_director)
    b.draft("v2")
    gs = b.state["gates"]["legality_review"]
    assert (gs["round"], gs["round_artifacts"], b.gate("legality_review")) == (2, [], "open")
    assert gs["reopened"][0]["reason"].startswith("draft version 2")


def test_r13_a_submission_or_opinion_of_an_older_draft_does_not_clear(b: Build) -> None:
    participated(b)
    b.submission()
    b.art(C.adviser, "legal_adviser_opinion", opinion="合法")
    opinion(b)
    # a store written before drafts reopened the review holds a new draft without the GateReopened event
    who, events = b.d.add_draft_version((C.drafter,), blob("v2"), "v2", "", "v2", b.today)
    assert [e.type for e in events] == ["DraftVersionAdded", "GateReopened"]
    b.commit(who, events[:1])
    assert b.missing("legality_review") == [("R13", "Art. 25", "legality_submission"),
                                            ("R13", "Art. 25", "legality_opinion")]


def test_r11_a_return_starts_a_new_round_with_its_reason(b: Build) -> None:
    submitted(b)
    refused(lambda: b.return_("legality_review", C.reviewer, " "), InvalidInput, "R11", "Art. 26")
    refused(lambda: b.return_("legality_review", C.reviewer_in_bureau), NotPermitted, "SoD1", "Arts. 25, 28")
    refused(lambda: b.return_("legality_review", C.drafter), NotPermitted, "SoD1", "Arts. 25–28")
    b.return_("legality_review", C.reviewer, "材料不全")
    gs = b.state["gates"]["legality_review"]
    assert (gs["round"], b.gate("legality_review"), gs["returned"]["reason"]) == (2, "returned", "材料不全")
    refused(lambda: b.return_("legality_review", C.reviewer), RuleViolation, "R12", "Arts. 25–28")


def test_r15_a_settled_gate_is_not_returned_only_sent_back_by_the_head(b: Build) -> None:
    participated(b)
    refused(lambda: b.return_("public_participation", C.bureau_head), RuleViolation, "R15", "Art. 30")
    refused(lambda: b.return_("initiation", C.office), RuleViolation, "R15", "Art. 30")
    refused(lambda: b.return_("coordination", C.drafter), NotPermitted, "SoD8", "Art. 13")


# ND1: the normative-document checklist ------------------------------------------------------------
def normative(b: Build) -> Build:
    b.__init__("normative_document")  # type: ignore[misc]
    b.open(category="normative_document").start()
    b.participate()
    b.submission()
    return b


def test_nd1_a_normative_document_that_creates_a_licence_must_be_found_unlawful(b: Build) -> None:
    normative(b)
    for item in ND1:
        refused(lambda i=item: opinion(b, "lawful", checklist={**ND1, i: True}), RuleViolation, "ND1",
                "seeds 001, 004")
    opinion(b, "unlawful", checklist={**ND1, "creates_fee": True})


def test_nd1_the_checklist_answers_every_item_true_or_false(b: Build) -> None:
    normative(b)
    for bad in ({**ND1, "creates_fee": "no"}, {k: v for k, v in ND1.items() if k != "creates_fee"}, ["x"]):
        refused(lambda x=bad: opinion(b, "lawful", checklist=x), InvalidInput, "ND1", "seeds 001, 004")
    opinion(b, "lawful", checklist=ND1)
