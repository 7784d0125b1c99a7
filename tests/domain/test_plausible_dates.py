"""Dates are plausible or refused with the rule, the article and a message in Chinese: a deadline before the
act, a year far outside the decision's horizon, a report dated in the future, a review deadline before the
submission; the comment window runs from the real publication (issue 16)."""

from __future__ import annotations

from datetime import timedelta

from decision_engine.domain.errors import InvalidInput, RuleViolation
from tests.domain.builders import Build, C, refused


def iso(b: Build, days: int) -> str:
    return (b.today + timedelta(days=days)).isoformat()


# R6, Art. 15 --------------------------------------------------------------------------------------------
def test_r6_a_back_dated_notice_counts_its_window_from_the_day_it_is_recorded(b: Build) -> None:
    b.open().start()
    # typed as published 29 days ago with the deadline tomorrow: 30 days on paper, 1 day in truth
    refused(lambda: b.notice(published_at=iso(b, -29), deadline=iso(b, 1)), RuleViolation, "R6", "Art. 15",
            says="counted from the day the notice is recorded")


def test_r6_a_back_dated_notice_with_30_days_left_from_the_recording_day_is_accepted(b: Build) -> None:
    b.open().start()
    b.notice(published_at=iso(b, -3), deadline=iso(b, 30))
    assert len(b.d.artifacts_of("public_participation", "comment_notice")) == 1


def test_r6_a_notice_with_a_mistyped_year_is_refused(b: Build) -> None:
    b.open().start()
    refused(lambda: b.notice(deadline="2062-04-02"), InvalidInput, "R6", "Art. 15", says="疑为录入错误")
    refused(lambda: b.notice(published_at="2062-03-03", deadline="2062-04-03"), InvalidInput, "R6", "Art. 15",
            says="comment_notice.published_at")


def test_r6_a_deadline_not_after_the_publication_is_refused_whatever_the_reason(b: Build) -> None:
    b.open().start()
    refused(lambda: b.notice(published_at=iso(b, 5), deadline=iso(b, 2), shortening_reason="紧急"), RuleViolation,
            "R6", "Art. 15", says="不晚于公布日")
    refused(lambda: b.notice(published_at=iso(b, -9), deadline=iso(b, -1), shortening_reason="紧急"),
            RuleViolation, "R6", "Art. 15", says="已过")


def test_r6_a_mistaken_notice_is_corrected_by_a_new_version_with_its_reason(b: Build) -> None:
    b.open().start()
    wrong = b.notice(days=60)  # the deadline mistyped two months out
    refused(lambda: b.notice(days=40, corrects=wrong), InvalidInput, "R6", "Art. 15", says="correction_reason")
    refused(lambda: b.notice(days=40, corrects="a999", correction_reason="日期有误"), RuleViolation, "R6",
            "Art. 15", says="a999")
    b.advance(2)
    b.notice(days=30, corrects=wrong, correction_reason="截止日期录入错误")
    refused(lambda: b.notice(days=30, corrects=wrong, correction_reason="再次"), RuleViolation, "R6", "Art. 15",
            says="已被更正")
    b.advance(30)
    # the correction holds the window open to its own deadline (its last day is today) ...
    refused(b.summary, RuleViolation, "R6", "Art. 15", says=b.today.isoformat())
    b.advance(1)
    # ... and the corrected notice, whose typed deadline is a month away, no longer does
    b.summary()
    b.clear("public_participation", C.bureau_head)
    assert b.gate("public_participation") == "cleared"
    assert len(b.d.artifacts_of("public_participation", "comment_notice")) == 2  # superseded, never deleted


# R11, Art. 26 ¶2 ----------------------------------------------------------------------------------------
def test_r11_a_review_deadline_before_the_submission_day_is_refused_whatever_the_reason(b: Build) -> None:
    b.open().start().determine().coordinate().participate()
    refused(lambda: b.submission(requested_deadline=iso(b, -7), short_review_reason="急"), RuleViolation, "R11",
            "Art. 26 ¶2", says="不晚于送审日")
    refused(lambda: b.submission(requested_deadline=b.today.isoformat(), short_review_reason="急"),
            RuleViolation, "R11", "Art. 26 ¶2", says="应当保证必要的审查时间")
    refused(lambda: b.submission(requested_deadline="2062-01-05"), InvalidInput, "R11", "Art. 26 ¶2",
            says="requested_deadline")
    b.submission(requested_deadline=iso(b, 1), short_review_reason="情况紧急")  # a short review, with a reason


def test_r11_a_review_of_six_working_days_without_a_reason_cites_art_26_para_2(b: Build) -> None:
    b.open().start().determine().coordinate().participate()
    refused(lambda: b.submission(6), RuleViolation, "R11", "Art. 26 ¶2", says="一般不少于 7 个工作日")


# R16, Art. 31 -------------------------------------------------------------------------------------------
def test_r16_a_party_report_dated_in_the_future_is_refused(b: Build) -> None:
    b.ready().meeting()
    refused(lambda: b.art(C.office, "party_report", reported_to="市委", reported_at="2099-01-01"), RuleViolation,
            "R16", "Art. 31", says="晚于登记日")
    refused(lambda: b.art(C.office, "party_report", reported_to="市委", reported_at=iso(b, 1)), RuleViolation,
            "R16", "Art. 31", says="party_report.reported_at")
    refused(lambda: b.art(C.office, "party_report", reported_to="市委", reported_at="2019-01-01"), InvalidInput,
            "R16", "Art. 31", says="疑为录入错误")
    b.art(C.office, "party_report", reported_to="市委", reported_at=iso(b, -1))
    assert b.gate("party_report") != "open" or b.missing("party_report") == []
