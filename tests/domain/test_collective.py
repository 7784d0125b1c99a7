"""S5 in memory: the meeting record the decision checks (R13–R15, SoD4, Arts. 25, 29–30), the party report
(R16), finalization (R13–R16) and sending a draft back (R15)."""

from __future__ import annotations

from typing import Any

import pytest

from decision_engine.domain.decision import Actor, check_tally, departs_from_majority
from decision_engine.domain.errors import FinalizationRefused, InvalidInput, NotPermitted, RuleViolation
from tests.domain.builders import Build, C, blob, refused


def meet(b: Build, decision: str = "adopt", **extra: Any) -> None:
    b.meeting(decision, **extra)


def ops(*positions: str) -> list[dict[str, str]]:
    people = ["member_a", "member_b", "head"]
    return [{"person": p, "position": x, "text": "意见"} for p, x in zip(people, positions, strict=True)]


# R14: the agenda ------------------------------------------------------------------------------------
def test_r14_a_decision_whose_gates_are_not_satisfied_is_not_discussed(b: Build) -> None:
    b.open().start().determine().coordinate()
    err = refused(lambda: meet(b), RuleViolation, "R14", "Art. 29")
    assert {m.gate for m in err.missing} == {"public_participation", "legality_review"}


def test_r14_a_decision_affecting_market_entities_needs_the_fair_competition_review(b: Build) -> None:
    b.open().start().determine(affects_market_entities=True).coordinate().participate().legality()
    err = refused(lambda: meet(b), RuleViolation, "R14", "Art. 29(1)")
    assert [m.kind for m in err.missing] == ["fair_competition_review"]
    b.art(C.drafter, "fair_competition_review", conclusion="不排除、限制竞争")
    meet(b)


def test_r14_a_ready_decision_has_no_agenda_blockers(b: Build) -> None:
    b.ready()
    assert b.d.agenda_blockers() == [] and b.d.status == "ready_for_decision"


# R15 / SoD4: the meeting record -------------------------------------------------------------------------
def test_r15_a_circulated_sign_off_is_not_a_collective_decision(b: Build) -> None:
    b.ready()
    refused(lambda: meet(b, meeting_type="circulation"), RuleViolation, "R15", "Art. 30 ¶1")
    meet(b, meeting_type="plenary")


def test_r15_opinions_and_attendance_are_non_empty_lists(b: Build) -> None:
    b.ready()
    refused(lambda: meet(b, opinions="同意"), InvalidInput, "R15", "Art. 30")
    refused(lambda: meet(b, attendance="all"), InvalidInput, "R15", "Art. 30")


def test_r15_every_opinion_comes_from_a_member_present(b: Build) -> None:
    b.ready()
    refused(lambda: meet(b, attendance=["member_a", "head"], members_total=2), RuleViolation, "R15", "Art. 30")
    refused(lambda: meet(b, opinions=[*ops("support", "support", "support")[:2], "head"]), RuleViolation, "R15",
            "Art. 30")


def test_sod4_the_head_speaks_last(b: Build) -> None:
    b.ready()
    order = ops("support", "support", "support")
    refused(lambda: meet(b, opinions=[order[2], order[0], order[1]]), RuleViolation, "SoD4", "Art. 30")


def test_sod4_the_head_decides_only_after_every_present_member_has_spoken(b: Build) -> None:
    b.ready()
    refused(lambda: meet(b, opinions=ops("support", "support", "support")[1:]), RuleViolation, "SoD4", "Art. 30")


def test_r15_a_head_decision_outside_the_five_is_malformed(b: Build) -> None:
    b.ready()
    refused(lambda: meet(b, "approve"), InvalidInput, "R15", "Art. 30")


def test_r15_a_head_departing_from_the_majority_states_the_reasons(b: Build) -> None:
    b.ready()
    refused(lambda: meet(b, opinions=ops("oppose", "oppose", "support")), RuleViolation, "R15", "Art. 30")
    refused(lambda: meet(b, opinions=ops("oppose", "oppose", "support"), head_reasons=" "), RuleViolation, "R15",
            "Art. 30")
    meet(b, opinions=ops("oppose", "oppose", "support"), head_reasons="民生急需")


def test_r15_a_meeting_without_a_quorum_decides_nothing(b: Build) -> None:
    b.ready()
    refused(lambda: meet(b, members_total=6), RuleViolation, "R15", "Art. 30")
    meet(b, members_total=5)


def test_r15_a_stated_tally_matches_the_record(b: Build) -> None:
    b.ready()
    refused(lambda: meet(b, tally={"support": 2, "oppose": 0, "abstain": 0}), RuleViolation, "R15", "Art. 30")
    meet(b, tally={"support": 3, "oppose": 0, "abstain": 0, "absent": 0})


def test_r15_adoption_with_amendments_states_them_and_needs_a_new_reviewed_draft(b: Build) -> None:
    b.ready()
    refused(lambda: meet(b, "adopt_with_amendments"), InvalidInput, "R15", "Art. 30")
    meet(b, "adopt_with_amendments", amendments="票价上调幅度减半")
    assert b.missing("collective_decision") == [("R15", "Art. 30", "draft")]
    b.draft("v2")
    assert b.missing("collective_decision") == []


def test_r15_sending_back_names_the_gates_that_reopen(b: Build) -> None:
    b.ready()
    against = ops("oppose", "oppose", "oppose")
    refused(lambda: meet(b, "send_back", opinions=against), InvalidInput, "R15", "Art. 30")
    refused(lambda: meet(b, "send_back", opinions=against, reopen_gates=[]), InvalidInput, "R15", "Art. 30")
    meet(b, "send_back", reopen_gates=["legality_review"], opinions=ops("oppose", "oppose", "oppose"))
    assert b.missing("collective_decision") == [("R15", "Art. 30", "meeting_record")]


def test_r13_the_version_adopted_is_the_version_decided(b: Build) -> None:
    b.ready()
    meet(b)
    assert b.missing("collective_decision") == []
    # a new draft after the meeting (the review reopening is left out to reach the collective check alone)
    b.commit(C.drafter, b.d.add_draft_version((C.drafter,), blob("v2"), "v2", "", "v2", b.today)[1][:1])
    assert b.missing("collective_decision") == [("R13", "Art. 25", "meeting_record")]


def test_r10_a_risk_not_controllable_is_never_decided_even_when_the_gate_was_exempted(b: Build) -> None:
    b.open().start().determine(risk_relevant=True).coordinate().participate()
    b.risk("not_controllable")
    b.determination("prior_risk_assessment", True)
    b.art(C.drafter, "prior_assessment_link", reference="稳评", assessed_under="文件")
    b.exempt("risk_assessment", C.bureau_head, "文件")
    b.legality()
    refused(lambda: meet(b), RuleViolation, "R10", "Art. 24")


def test_the_meeting_record_is_recorded_by_the_head_only(b: Build) -> None:
    b.ready()
    refused(lambda: b.art(C.member_a, "meeting_record", **b.meeting_fields()), NotPermitted, "R15", "Art. 30")


# check_tally and departs_from_majority -------------------------------------------------------------
@pytest.mark.parametrize("tally", [
    "3-0", {"support": -1}, {"support": 1.5}, {"absent": "0"}, {"support": True, "oppose": "x"}])
def test_r15_a_tally_that_is_not_whole_counts_is_malformed(tally: object) -> None:
    refused(lambda: check_tally(tally, ["a"], [], 1), InvalidInput, "R15", "Art. 30")


def test_r15_a_tally_larger_than_those_present_or_unlike_the_opinions_is_refused() -> None:
    opinions = [{"person": "a", "position": "support"}, {"person": "b", "position": "oppose"}]
    refused(lambda: check_tally({"support": 3}, ["a", "b"], opinions, 2), RuleViolation, "R15", "Art. 30")
    refused(lambda: check_tally({"support": 2, "oppose": 0}, ["a", "b"], opinions, 2), RuleViolation, "R15",
            "Art. 30")
    refused(lambda: check_tally({"support": 1, "oppose": 1, "absent": 1}, ["a", "b"], opinions, 2), RuleViolation,
            "R15", "Art. 30")
    check_tally({"support": 1, "oppose": 1, "abstain": 0, "absent": 1}, ["a", "b"], opinions, 3)
    check_tally({"support": 1, "oppose": 1}, ["a", "b"], opinions, 2)


def test_r15_departing_from_the_majority_is_adopting_against_it_or_refusing_its_support() -> None:
    def o(*ps: str) -> list[dict[str, str]]:
        return [{"position": p} for p in ps]
    assert departs_from_majority(o("oppose", "oppose", "support"), "adopt")
    assert departs_from_majority(o("oppose", "oppose", "support"), "adopt_with_amendments")
    assert not departs_from_majority(o("oppose", "support"), "adopt")
    assert not departs_from_majority(o("support", "support"), "adopt")
    assert departs_from_majority(o("support", "support", "oppose"), "reject")
    assert not departs_from_majority(o("support", "oppose"), "defer")
    assert not departs_from_majority(o("oppose", "abstain"), "send_back")


# R16: the party report -----------------------------------------------------------------------------
def test_r16_a_party_report_with_a_date_that_is_not_a_date_is_malformed(b: Build) -> None:
    b.ready()
    meet(b)
    refused(lambda: b.art(C.office, "party_report", reported_to="市委", reported_at="昨天"), InvalidInput, "R16",
            "Art. 31")


def test_r16_a_matter_for_the_peoples_congress_needs_its_record(b: Build) -> None:
    b.ready()
    b.determination("npc_matter", True, actor=C.head)
    meet(b)
    b.report()
    assert b.missing("party_report") == [("R16", "Art. 8", "npc_record")]


# finalization ---------------------------------------------------------------------------------------
def test_r13_finalization_with_any_gate_unsatisfied_is_refused_listing_every_item(b: Build) -> None:
    b.open().start().determine().coordinate()
    err = refused(lambda: b.finalize(), FinalizationRefused, "R8", "Arts. 18, 29(2)")
    kinds = [m.kind for m in err.missing]
    assert "opinion_summary" in kinds and "legality_opinion" in kinds and "meeting_record" in kinds
    assert "party_report" in kinds


def test_r12_a_gate_with_everything_recorded_but_not_cleared_still_refuses_finalization(b: Build) -> None:
    b.open().start().determine().coordinate().participate().legality(clear=False)
    first = b.d.finalization_missing()[0]
    assert (first.gate, first.kind) == ("legality_review", "clear")
    meet_err = refused(lambda: meet(b), RuleViolation, "R14", "Art. 29")
    assert [m.kind for m in meet_err.missing] == ["clear"]


def test_sod4_only_the_head_finalizes(b: Build) -> None:
    b.ready().meeting().report()
    refused(lambda: b.d.finalize((C.office,), b.today), NotPermitted, "SoD4", "Art. 30")
    b.finalize()
    assert (b.d.status, b.state["decided_on"], b.state["decided_version"]) == ("decided", "2025-04-03", 1)
    refused(lambda: b.finalize(), RuleViolation, "R15", "Art. 30")


# sending back (R15, Art. 30) ----------------------------------------------------------------------------
def test_r15_only_the_head_sends_a_draft_back_naming_settled_pre_decision_gates(b: Build) -> None:
    b.ready()
    def send(gates: tuple[str, ...] = ("legality_review",), reason: str = "重新审查", who: Actor = C.head
             ) -> tuple[Actor, list[Any]]:
        return b.d.reopen_gates((who,), tuple(gates), reason)
    refused(lambda: send(who=C.office), NotPermitted, "SoD4", "Art. 30")
    refused(lambda: send(gates=()), InvalidInput, "R15", "Art. 30")
    refused(lambda: send(reason=" "), InvalidInput, "R15", "Art. 30")
    for gate in ("initiation", "collective_decision", "party_report", "publication"):
        refused(lambda g=gate: send(gates=(g,)), RuleViolation, "R15", "Art. 30")
    refused(lambda: send(gates=("hearing",)), RuleViolation, "R7", "Arts. 16–17")  # not applicable
    refused(lambda: send(gates=("coordination", "expert_review")), RuleViolation, "R9", "Arts. 19–20, 29(3)")
    b.act(C.head, send(gates=("legality_review", "legality_review", "public_participation")))
    assert [b.gate("legality_review"), b.gate("public_participation"), b.d.status] == \
        ["open", "open", "in_procedure"]


def test_r15_nothing_is_sent_back_after_the_decision(b: Build) -> None:
    b.decided()
    refused(lambda: b.d.reopen_gates((C.head,), ("legality_review",), "x"), RuleViolation, "R13", "Art. 25")


def test_r15_an_open_gate_has_nothing_to_reopen(b: Build) -> None:
    b.open().start().determine()
    refused(lambda: b.d.reopen_gates((C.head,), ("public_participation",), "x"), RuleViolation, "R5",
            "Arts. 14–15, 18")
