"""Mutation testing (issue 14 §5, `make mutation MODULE=participation`): tests that kill the mutants of
`domain/rules/participation.py` (R5, R6, R8; Arts. 14–15, 18) the stage's own tests let live."""

from __future__ import annotations

from datetime import timedelta

from decision_engine.domain.errors import InvalidInput, RuleViolation
from decision_engine.domain.rules import participation as p
from tests.domain.builders import Build, C, refused
from tests.domain.mutant_helpers import gate_missing


def drafted(b: Build) -> Build:
    return b.open().start().determine().coordinate()


def test_r6_a_notice_date_366_days_out_is_plausible(b: Build) -> None:
    drafted(b)
    b.notice(366)


def test_r6_a_deadline_on_the_publication_day_is_refused_as_such(b: Build) -> None:
    drafted(b)
    tomorrow = (b.today + timedelta(days=1)).isoformat()
    refused(lambda: b.notice(published_at=tomorrow, deadline=tomorrow), RuleViolation, "R6", "Art. 15",
            says="不晚于公布日")


def test_r6_a_deadline_on_the_recording_day_has_already_passed(b: Build) -> None:
    drafted(b)
    refused(lambda: b.notice(published_at=(b.today - timedelta(days=40)).isoformat(), deadline=b.today.isoformat()),
            RuleViolation, "R6", "Art. 15", says="已过")


def test_r6_a_short_window_says_from_which_day_it_was_counted(b: Build) -> None:
    drafted(b)
    err = refused(lambda: b.notice(10), RuleViolation, "R6", "Art. 15")
    assert "counted from the day the notice is recorded" not in err.message
    back = (b.today - timedelta(days=25)).isoformat()
    refused(lambda: b.notice(10, published_at=back), RuleViolation, "R6", "Art. 15",
            says="counted from the day the notice is recorded")


def test_r8_each_opinion_needs_its_text_and_reason_even_when_the_key_is_absent(b: Build) -> None:
    drafted(b)
    b.notice(30)
    b.advance(31)
    good = {"opinion": "意见", "disposition": "adopted", "reason": "合理"}
    for bad in ({"opinion": "意见", "disposition": "adopted"}, {"disposition": "adopted", "reason": "合理"}):
        refused(lambda x=bad: b.art(C.drafter, "opinion_summary", opinions=[good, x]), RuleViolation, "R8",
                "Art. 18", says="opinion #2 ")
    b.art(C.drafter, "opinion_summary", opinions=[good])


def test_r8_the_feedback_report_waits_for_the_window_and_the_clustering(b: Build) -> None:
    drafted(b)
    b.notice(30)
    refused(lambda: p.check_feedback_report(b.d, b.today, unclustered=0), RuleViolation, "R6", "Art. 15")
    b.advance(30)  # the deadline day itself is still inside the window
    refused(lambda: p.check_feedback_report(b.d, b.today, unclustered=0), RuleViolation, "R6", "Art. 15")
    b.advance(1)
    refused(lambda: p.check_feedback_report(b.d, b.today, unclustered=2), RuleViolation, "R8", "Art. 18",
            says="2")
    p.check_feedback_report(b.d, b.today, unclustered=0)


def test_r8_dispositions_change_only_before_the_feedback_report(b: Build) -> None:
    drafted(b)
    b.notice(30)
    b.advance(31)
    p.check_dispositions_open(b.d)
    b.summary()
    refused(lambda: p.check_dispositions_open(b.d), RuleViolation, "R8", "Art. 18")


def test_r5_a_hearing_notice_alone_is_not_a_participation_method(b: Build) -> None:
    b.open().start().determine(hearing_required_by_law=True).coordinate()
    b.hearing_notice()
    gaps = gate_missing(b, "public_participation")
    assert ("R5", "Art. 14", "participation_record") in [(m.rule, m.article, m.kind) for m in gaps]


def test_r6_a_notice_date_outside_the_horizon_is_named_by_its_field(b: Build) -> None:
    drafted(b)
    far = (b.today + timedelta(days=400)).isoformat()
    refused(lambda: b.notice(deadline=far), InvalidInput, "R6", "Art. 15", says="comment_notice.deadline")


def test_r6_a_notice_of_an_earlier_round_can_still_be_corrected(b: Build) -> None:
    drafted(b)
    first = b.notice(30)
    b.advance(31)
    b.summary()
    b.clear("public_participation", C.bureau_head)
    b.commit(C.head, b.d.reopen_gates((C.head,), ("public_participation",), "再次征求意见"))
    assert b.state["gates"]["public_participation"]["round"] == 2
    b.notice(30, corrects=first, correction_reason="更正联系方式")
