"""Mutation testing (issue 14 §5, `make mutation MODULE=collective`): tests that kill the mutants of
`domain/rules/collective.py` (R10, R13–R16, SoD4, SoD7; Arts. 24–25, 29–31) the stage's own tests let live,
each rule both ways: refused with its rule and article, accepted when lawful."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from decision_engine.domain import law
from decision_engine.domain.errors import InvalidInput, RuleViolation
from decision_engine.domain.rules import collective as rc
from decision_engine.domain.values import Actor
from tests.domain.builders import Build, C, blob, refused
from tests.domain.mutant_helpers import gate_missing
from tests.domain.test_authority import charted
from tests.domain.test_collective import ops
from tests.domain.test_options import OPTIONS, diverging
from tests.domain.test_risk_binding import assessed

COMMITTEE = Actor("pc", "party_committee", "市委", "市委办公室")


def said(*positions: str) -> list[dict[str, Any]]:
    return [{"person": f"m{i}", "position": p} for i, p in enumerate(positions)]


# R15, Art. 30: the tally -------------------------------------------------------------------------------
def test_r15_a_tally_counting_everyone_present_is_accepted_but_never_more_than_those_present() -> None:
    rc.check_tally({"support": 2, "oppose": 0, "abstain": 0}, ["a", "b"], said("support", "support"), 2)
    # three opinions recorded for two people present: the tally matches them, yet counts more than were there
    refused(lambda: rc.check_tally({"support": 3}, ["a", "b"], said("support", "support", "support"), 2),
            RuleViolation, "R15", "Art. 30", says="present")
    refused(lambda: rc.check_tally({"abstain": 3}, ["a", "b"], said("abstain", "abstain", "abstain"), 2),
            RuleViolation, "R15", "Art. 30")


def test_r15_the_tally_counts_only_recorded_opinions_not_text_in_their_place() -> None:
    rc.check_tally({"support": 1, "oppose": 0}, ["a", "b"], [*said("support"), "oppose"], 2)
    refused(lambda: rc.check_tally({"support": 1, "oppose": 1}, ["a", "b"], [*said("support"), "oppose"], 2),
            RuleViolation, "R15", "Art. 30")


def test_r15_no_one_absent_is_a_tally_of_zero_absent() -> None:
    rc.check_tally({"support": 2, "absent": 0}, ["a", "b"], said("support", "support"), 2)
    refused(lambda: rc.check_tally({"support": 2, "absent": 0}, ["a", "b"], said("support", "support"), 3),
            RuleViolation, "R15", "Art. 30", says="absent")
    rc.check_tally({"support": 0, "oppose": 0, "abstain": 0}, [], [], 0)
    rc.check_tally({"absent": 2}, [], [], 2)  # a count left out is none: nobody present, two absent


# R15, Art. 30: the majority is the members', the head's own opinion aside ----------------------------------
def test_r15_the_majority_the_head_departs_from_is_that_of_the_members_before_the_head(b: Build) -> None:
    b.ready()
    # members split 1–1: adopting departs from no majority, whatever the head said
    b.meeting(opinions=ops("oppose", "support", "oppose"))
    c = Build().ready()
    c.meeting(opinions=ops("support", "oppose", "support"))
    d = Build().ready()
    refused(lambda: d.meeting("reject", opinions=ops("support", "support", "oppose")), RuleViolation, "R15",
            "Art. 30", says="head_reasons")
    d.meeting("reject", opinions=ops("support", "oppose", "oppose"))


# R14, Art. 29: the agenda's article names the fair competition review only when it alone is missing ------------
def test_r14_the_agenda_refusal_cites_art_29_when_more_than_the_fair_competition_review_is_missing(b: Build) -> None:
    b.open().start().determine(affects_market_entities=True).coordinate()
    err = refused(lambda: b.meeting(), RuleViolation, "R14", "Art. 29")
    assert "fair_competition_review" in {m.kind for m in err.missing}
    assert {m.gate for m in err.missing} > {"public_participation", "legality_review"}


# R15, Art. 30: the record's lists and fields ---------------------------------------------------------------
def test_r15_a_meeting_with_no_opinions_is_malformed(b: Build) -> None:
    b.ready()
    refused(lambda: b.meeting(opinions=[]), InvalidInput, "R15", "Art. 30")
    refused(lambda: b.meeting(attendance=None), InvalidInput, "R15", "Art. 30")


def test_r15_without_members_total_the_attendance_is_the_membership(b: Build) -> None:
    b.ready()
    refused(lambda: b.meeting(members_total=7), RuleViolation, "R15", "Art. 30", says="quorum")
    b.meeting(members_total=None)


def test_r15_a_stated_tally_is_checked_and_none_means_no_tally(b: Build) -> None:
    b.ready()
    refused(lambda: b.meeting(tally={"support": 3, "absent": 1}), RuleViolation, "R15", "Art. 30")
    refused(lambda: b.meeting(tally="3-0"), InvalidInput, "R15", "Art. 30")
    b.meeting(tally=None)
    b.meeting(tally={"support": 3})


def test_r15_adoption_with_blank_amendments_and_sending_back_without_a_list_are_malformed(b: Build) -> None:
    b.ready()
    refused(lambda: b.meeting("adopt_with_amendments", amendments="  "), InvalidInput, "R15", "Art. 30")
    against = ops("oppose", "oppose", "oppose")
    for gates in ("legality_review", {"legality_review": True}, None):
        refused(lambda g=gates: b.meeting("send_back", opinions=against, reopen_gates=g), InvalidInput, "R15",
                "Art. 30")
    b.meeting("defer", opinions=against)  # deferring asks neither amendments nor gates
    b.meeting("reject", opinions=against)


# R15, Arts. 12 ¶4, 30 and R10, Art. 24: asked of an adoption only -------------------------------------------
def test_r15_the_option_chosen_is_asked_of_an_adoption_with_amendments_but_not_of_a_deferral(b: Build) -> None:
    diverging(b)
    b.art(C.drafter, "draft_options", options=OPTIONS)
    b.coordinate().participate().legality()
    refused(lambda: b.meeting("adopt_with_amendments", amendments="改"), RuleViolation,
            *law.ref("R15.option_chosen").values(), says="option_chosen")
    b.meeting("defer", opinions=ops("oppose", "oppose", "oppose"))
    b.meeting("adopt_with_amendments", amendments="改", option_chosen="A")


def test_r10_the_organs_risk_judgment_is_asked_of_an_adoption_with_amendments_but_not_of_a_deferral(
        b: Build) -> None:
    assessed(b)
    b.legality()
    refused(lambda: b.meeting("adopt_with_amendments", amendments="改", risk_judgment=""), RuleViolation,
            *law.ref("R10.controllable").values())
    b.meeting("defer", risk_judgment="", opinions=ops("abstain", "abstain", "abstain"))
    b.meeting("reject", risk_judgment=None, opinions=ops("oppose", "oppose", "oppose"))


def test_r10_a_controllable_report_is_decided_on(b: Build) -> None:
    assessed(b)
    b.legality()
    b.meeting()
    assert b.missing("collective_decision") == []


# R16, Art. 31: the Party report's date -------------------------------------------------------------------
def test_r16_a_party_report_two_years_back_is_plausible_a_day_more_is_not(b: Build) -> None:
    b.ready().meeting()
    cit = law.ref("R16.party_report")
    refused(lambda: b.art(C.office, "party_report", reported_to="市委",
                          reported_at=(b.today - timedelta(days=733)).isoformat()), InvalidInput, *cit.values())
    b.art(C.office, "party_report", reported_to="市委", reported_at=(b.today - timedelta(days=732)).isoformat())
    b.art(C.office, "party_report", reported_to="市委", reported_at=b.today.isoformat())


# SoD7, Art. 31: the reply follows the report ----------------------------------------------------------------
def test_sod7_a_reply_on_the_day_of_the_report_is_accepted_one_before_it_is_not() -> None:
    b = charted()
    b.ready().meeting()
    reported = b.today - timedelta(days=3)
    b.art(C.office, "party_report", reported_to="市委", reported_at=reported.isoformat())
    cit = law.ref("SoD7.reply")
    refused(lambda: b.art(COMMITTEE, "party_reply", reply="同意",
                          replied_at=(reported - timedelta(days=1)).isoformat()), RuleViolation, *cit.values(),
            says=reported.isoformat())
    e = refused(lambda: b.art(COMMITTEE, "party_reply", reply="同意", replied_at="x"), InvalidInput, *cit.values())
    assert e.message.startswith("party_reply.replied_at must be an ISO date"), e.message
    b.art(COMMITTEE, "party_reply", reply="同意", replied_at=reported.isoformat())
    b.art(COMMITTEE, "party_reply", reply="同意", replied_at=b.today.isoformat())


# R13, R15, Arts. 25, 30: each gap of the collective gate names its gate and what is needed ------------------
def test_r15_each_collective_gap_names_its_gate_and_what_is_needed(b: Build) -> None:
    b.ready()
    assert gate_missing(b, "collective_decision") != []  # no meeting yet: the record itself is missing
    b.meeting("defer", opinions=ops("oppose", "oppose", "oppose"))
    gaps = gate_missing(b, "collective_decision")
    assert [(m.rule, m.article, m.kind) for m in gaps] == [("R15", "Art. 30", "meeting_record")]
    assert "defer" in gaps[0].need
    b.meeting("adopt_with_amendments", amendments="改")
    gaps = gate_missing(b, "collective_decision")
    assert [(m.rule, m.article, m.kind) for m in gaps] == [("R15", "Art. 30", "draft")]
    b.draft("v2")
    assert gate_missing(b, "collective_decision") == []


def test_r13_the_adopted_version_gap_names_both_versions(b: Build) -> None:
    b.ready()
    b.meeting()
    b.commit(C.drafter, b.d.add_draft_version((C.drafter,), blob("v2"), "v2", "", "v2", b.today)[1][:1])
    gaps = gate_missing(b, "collective_decision")
    assert [(m.rule, m.article, m.kind) for m in gaps] == [("R13", "Art. 25", "meeting_record")]
    assert "v1" in gaps[0].need and "v2" in gaps[0].need
