"""Mutation testing (issue 14 §5, `make mutation MODULE=legality`): tests that kill the mutants of
`domain/rules/legality.py` the stage's own tests let live. Each names the check it pins; refusals assert the
rule and article, and the allowed case beside them."""

from __future__ import annotations

from datetime import timedelta

from decision_engine.domain.errors import InvalidInput, Missing, NotPermitted, RuleViolation
from decision_engine.domain.rules import legality
from tests.domain.builders import BUREAU, Build, C, blob, refused
from tests.domain.mutant_helpers import gate_missing as _gm
from tests.domain.test_legality import OPINION, opinion, participated, submitted


def gate_missing(b: Build, gate_id: str = "legality_review") -> list[Missing]:
    return _gm(b, gate_id)


def test_sod1_the_opinion_check_itself_refuses_the_undertaking_unit(b: Build) -> None:
    # the authority relation refuses the unit's own reviewer first; the rule module's own guard is the second
    # line, and it too names SoD1 and Arts. 25, 28 (called directly, as the registry calls it)
    submitted(b)
    kind = b.spec.artifact_kind("legality_opinion")
    fields = {**OPINION, "conclusion": "lawful"}
    refused(lambda: legality.art_legality_opinion(b.d, kind, C.reviewer_in_bureau, fields, b.cal, b.today),
            NotPermitted, "SoD1", "Arts. 25, 28")
    legality.art_legality_opinion(b.d, kind, C.reviewer, fields, b.cal, b.today)


def test_r11_an_opinion_needs_the_submission_not_just_any_artifact_of_the_review(b: Build) -> None:
    participated(b)
    b.art(C.adviser, "legal_adviser_opinion", opinion="合法")  # an artifact of the review, not the submission
    refused(lambda: opinion(b), RuleViolation, "R11", "Art. 26")
    b.submission()
    opinion(b)


def test_r13_the_submission_of_an_older_draft_is_found_even_after_later_artifacts(b: Build) -> None:
    participated(b)
    b.submission()
    b.art(C.adviser, "legal_adviser_opinion", opinion="合法")
    opinion(b)
    # a store written before drafts reopened the review: v2 without the GateReopened event
    who, events = b.d.add_draft_version((C.drafter,), blob("v2"), "v2", "", "v2", b.today)
    b.commit(who, events[:1])
    b.art(C.adviser, "legal_adviser_opinion", opinion="v2 合法")  # the latest artifact concerns v2
    assert [(m.rule, m.article, m.kind) for m in gate_missing(b)] == [
        ("R13", "Art. 25", "legality_submission"), ("R13", "Art. 25", "legality_opinion")]


def test_every_legality_gap_names_its_gate_and_what_is_needed(b: Build) -> None:
    submitted(b)
    opinion(b, "unlawful")
    assert [(m.rule, m.kind) for m in gate_missing(b)] == [("R13", "legality_opinion")]
    c = Build()
    submitted(c)
    opinion(c, "lawful_if_amended", amendments="删除第五条")
    assert [(m.rule, m.kind) for m in gate_missing(c)] == [("R12", "draft")]
    c.draft("v2")
    assert ("R12", "amendment_record") in [(m.rule, m.kind) for m in gate_missing(c)]


def test_r11_a_pending_supplement_names_the_gate_and_the_items(b: Build) -> None:
    from decision_engine.domain import review
    submitted(b)
    b.act(C.reviewer, review.request_supplement(b.d, (C.reviewer,), ["成本监审报告"], "缺少成本数据"))
    gaps = [m for m in gate_missing(b) if m.kind == "legality_supplement"]
    assert len(gaps) == 1 and (gaps[0].rule, gaps[0].article) == ("R11", "Art. 26")
    assert "成本监审报告" in gaps[0].need
    refused(lambda: opinion(b), RuleViolation, "R11", "Art. 26", says="成本监审报告")


def test_r12_the_amended_opinion_is_found_among_later_artifacts_of_its_round(b: Build) -> None:
    submitted(b)
    opinion(b, "lawful_if_amended", amendments="删除第五条")
    b.art(C.adviser, "legal_adviser_opinion", opinion="同意审查意见")  # after the opinion, same round
    b.draft("v2")
    assert ("R12", "Art. 28", "amendment_record") in b.missing("legality_review")


def test_r12_only_the_amendment_record_on_the_new_version_answers_it(b: Build) -> None:
    submitted(b)
    opinion(b, "lawful_if_amended", amendments="删除第五条")
    b.draft("v2")
    b.submission()  # an artifact on v2, but not the amendment record
    assert ("R12", "Art. 28", "amendment_record") in b.missing("legality_review")
    b.art(C.drafter, "amendment_record", changes=["已删除第五条"])
    assert ("R12", "Art. 28", "amendment_record") not in b.missing("legality_review")


def test_r13_an_exploratory_conclusion_without_any_risk_statement_is_refused(b: Build) -> None:
    submitted(b)
    b.determination("exploratory_reform", True, actor=C.head)
    refused(lambda: opinion(b, "exploratory_risk_stated"), RuleViolation, "R13", "Art. 25 ¶2")
    refused(lambda: opinion(b, "exploratory_risk_stated", risk_statement=""), RuleViolation, "R13", "Art. 25 ¶2")
    opinion(b, "exploratory_risk_stated", risk_statement="试点风险")


def test_r3_no_legality_submission_before_a_draft_exists(b: Build) -> None:
    b.open()
    b.art(C.head, "start_decision", lead_unit=BUREAU, units=[BUREAU], affected_units=[])
    refused(lambda: b.submission(), RuleViolation, "R3", "Art. 12", says="legality_submission")


def test_r8_a_comment_notice_alone_is_not_the_opinion_summary(b: Build) -> None:
    b.open().start().determine().coordinate()
    b.notice(30)
    b.advance(31)
    refused(lambda: b.submission(), RuleViolation, "R8", "Arts. 18, 29(2)")
    b.summary()
    b.submission()


def test_r11_a_review_deadline_up_to_366_days_out_is_plausible_and_367_is_not(b: Build) -> None:
    participated(b)
    refused(lambda: b.submission(requested_deadline=(b.today + timedelta(days=367)).isoformat()),
            InvalidInput, "R11", "Art. 26 ¶2")
    b.submission(requested_deadline=(b.today + timedelta(days=366)).isoformat())
