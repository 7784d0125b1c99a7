"""S0 in memory: scope (R1), catalogue (R2), start and drafting (R3), coordination (R4), determinations,
and the general checks every recorded artifact passes (roles, fields, phase)."""

from __future__ import annotations

from datetime import timedelta

from decision_engine.domain.decision import Decision
from decision_engine.domain.errors import InvalidInput, NotFound, NotPermitted, RuleViolation
from tests.domain.builders import BUREAU, FINANCE, START, Build, C, refused


# R1 ---------------------------------------------------------------------------------------------
def test_r1_a_policy_decision_opens_as_a_draft(b: Build) -> None:
    b.open(category="policy")
    assert (b.d.status, b.d.id, b.state["procedure"]["hash"]) == ("draft", "d1", b.spec.hash)


def test_r1_an_emergency_response_decision_is_refused(b: Build) -> None:
    for category in ("emergency_response", "macro_control", "gov_legislation"):
        refused(lambda c=category: b.open(category=c), RuleViolation, "R1", "Art. 3 ¶2")


def test_r1_an_unknown_category_is_malformed_input(b: Build) -> None:
    refused(lambda: b.open(category="whatever"), InvalidInput, "R1", "Art. 3 ¶1")


def test_r3_a_decision_without_a_title_or_a_unit_is_refused(b: Build) -> None:
    refused(lambda: b.open(title="  "), InvalidInput, "R3", "Art. 11")
    refused(lambda: b.open(unit=" "), InvalidInput, "R3", "Art. 11")


def test_r22_a_due_date_that_is_not_a_date_is_refused(b: Build) -> None:
    refused(lambda: b.open(due_by="next year"), InvalidInput, "R22", "Art. 38 ¶2")
    refused(lambda: b.open(due_by="1899-12-31"), InvalidInput, "R22", "Art. 38 ¶2")
    refused(lambda: b.open(due_by="2200-01-01"), InvalidInput, "R22", "Art. 38 ¶2")


def test_r22_a_due_date_within_the_decisions_horizon_is_kept(b: Build) -> None:
    b.open(due_by="2035-12-31")  # opened 2025-03-03: the last year of the horizon
    assert b.state["due_by"] == "2035-12-31"
    assert Build().open(due_by=START.isoformat()).state["due_by"] == START.isoformat()  # due the day it opens


def test_r22_a_due_date_already_past_at_opening_is_refused() -> None:
    refused(lambda: Build().open(due_by=(START - timedelta(days=1)).isoformat()), RuleViolation, "R22",
            "Art. 38 ¶2", says="立项时已逾期")


def test_r22_a_due_date_far_outside_the_decisions_horizon_is_refused() -> None:
    refused(lambda: Build().open(due_by="2062-03-01"), InvalidInput, "R22", "Art. 38 ¶2", says="decision.due_by")


# R2 ---------------------------------------------------------------------------------------------
def test_r2_a_catalogue_published_before_the_party_committee_agreed_is_refused(b: Build) -> None:
    b.open()
    day = b.today.isoformat()
    refused(lambda: b.art(C.office, "catalog_entry", catalog="目录", party_consent_at=day,
                          published_at=(b.today - timedelta(days=3)).isoformat()), RuleViolation, "R2", "Art. 3 ¶3")
    refused(lambda: b.art(C.office, "catalog_entry", catalog="目录", party_consent_at=day, published_at=day),
            RuleViolation, "R2", "Art. 3 ¶3")


def test_r2_a_catalogue_published_in_the_future_is_refused(b: Build) -> None:
    b.open()
    refused(lambda: b.art(C.office, "catalog_entry", catalog="目录",
                          party_consent_at=(b.today - timedelta(days=1)).isoformat(),
                          published_at=(b.today + timedelta(days=1)).isoformat()), InvalidInput, "R2", "Art. 3 ¶3")


def test_r2_a_catalogue_entry_after_the_party_committee_agreed_is_recorded(b: Build) -> None:
    b.open()
    b.art(C.office, "catalog_entry", catalog="目录", party_consent_at=(b.today - timedelta(days=1)).isoformat(),
          published_at=b.today.isoformat())
    assert [a["kind"] for a in b.state["artifacts"].values()] == ["catalog_entry"]


def test_r2_a_catalogue_date_that_is_not_a_date_is_refused(b: Build) -> None:
    b.open()
    refused(lambda: b.art(C.office, "catalog_entry", catalog="目录", party_consent_at="soon",
                          published_at=b.today.isoformat()), InvalidInput, "R2", "Art. 3 ¶3")


def test_r2_a_catalogued_matter_needs_its_catalogue_entry_in_the_initiation_gate(b: Build) -> None:
    b.open()
    b.determination("catalogued", True, actor=C.office)
    b.start()
    assert ("R2", "Art. 3 ¶3", "catalog_entry") in b.missing("initiation")
    assert b.gate("initiation") != "cleared"


# R3 ---------------------------------------------------------------------------------------------
def test_r3_procedure_work_before_the_start_decision_is_refused(b: Build) -> None:
    b.open()
    refused(lambda: b.art(C.drafter, "consultation", unit=FINANCE, opinion="同意"), RuleViolation, "R3", "Art. 11")


def test_r3_drafting_before_the_start_decision_is_refused(b: Build) -> None:
    b.open()
    refused(lambda: b.draft(), RuleViolation, "R3", "Art. 11")


def test_r3_a_start_decision_with_a_lead_outside_the_units_is_refused(b: Build) -> None:
    b.open()
    refused(lambda: b.art(C.head, "start_decision", lead_unit="甲", units=["乙", "丙"]), RuleViolation, "R3",
            "Art. 11")
    refused(lambda: b.art(C.head, "start_decision", lead_unit="甲", units=["甲", "甲"]), RuleViolation, "R3",
            "Art. 11")


def test_r3_a_start_decision_whose_units_are_not_a_list_of_names_is_malformed(b: Build) -> None:
    b.open()
    refused(lambda: b.art(C.head, "start_decision", lead_unit="甲", units="甲"), InvalidInput, "R3", "Art. 11")
    refused(lambda: b.art(C.head, "start_decision", lead_unit="甲", units=["甲", ""]), InvalidInput, "R3", "Art. 11")


def test_r3_a_second_start_decision_is_refused(b: Build) -> None:
    b.open().start()
    refused(lambda: b.art(C.head, "start_decision", lead_unit=BUREAU, units=[BUREAU]), RuleViolation, "R3",
            "Art. 11")


def test_r3_the_start_decision_names_the_lead_first_and_moves_the_decision_into_procedure(b: Build) -> None:
    b.open(unit="原单位", actor=C.office)  # the organ opens it for a unit; the start decision names others
    b.art(C.head, "start_decision", lead_unit="乙", units=["甲", "乙"])
    assert b.d.undertaking_units() == ("乙", "甲")
    assert (b.d.status, b.gate("initiation"), b.state["unit"]) == ("in_procedure", "cleared", "乙")


def test_r3_a_comment_notice_before_any_draft_version_is_refused(b: Build) -> None:
    b.open()
    b.art(C.head, "start_decision", lead_unit=BUREAU, units=[BUREAU])
    refused(lambda: b.notice(), RuleViolation, "R3", "Art. 12")


def test_r3_a_draft_version_by_someone_outside_the_undertaking_unit_is_refused(b: Build) -> None:
    b.open().start()
    refused(lambda: b.draft(actor=C.reviewer), NotPermitted, "R3", "Art. 12")


def test_r3_draft_versions_are_not_recorded_as_artifacts(b: Build) -> None:
    b.open().start()
    refused(lambda: b.art(C.drafter, "draft", title="v2"), InvalidInput, "R13", "Art. 25")


def test_r3_each_draft_version_counts_up(b: Build) -> None:
    b.open().start()
    b.draft("v2")
    assert [x["version"] for x in b.state["drafts"]] == [1, 2]
    assert b.state["draft_version"] == 2


# R4 ---------------------------------------------------------------------------------------------
def test_r4_an_affected_unit_not_consulted_blocks_coordination(b: Build) -> None:
    b.open().start(affected=(FINANCE, "某市发改委"))
    # the consultation artifact itself, then one for each affected unit not consulted
    assert b.missing("coordination") == [("R4", "Art. 13", "consultation")] * 3
    b.coordinate()
    assert b.missing("coordination") == [("R4", "Art. 13", "consultation")]
    assert b.gate("coordination") == "submitted"
    b.art(C.drafter, "consultation", unit="某市发改委", opinion="同意")
    assert b.gate("coordination") == "cleared"


def test_r4_an_open_dispute_needs_a_dispute_statement(b: Build) -> None:
    b.open().start()
    b.art(C.drafter, "consultation", unit=FINANCE, opinion="不同意", dispute=True)
    assert b.missing("coordination") == [("R4", "Art. 13", "dispute_statement")]
    b.art(C.drafter, "dispute_statement", issue="票价", views="各方", lead_view="调整", reasons="成本",
          basis="价格法")
    assert b.missing("coordination") == []


def test_r4_a_consultation_without_its_fields_is_refused_naming_each(b: Build) -> None:
    b.open().start()
    err = refused(lambda: b.art(C.drafter, "consultation", unit=FINANCE, opinion=""), InvalidInput, "R4", "Art. 13")
    assert [(m.rule, m.gate, m.need) for m in err.missing] == [("R4", "coordination", "field 'opinion'")]


# determinations ----------------------------------------------------------------------------------
def test_a_determination_by_a_role_not_allowed_to_make_it_is_refused(b: Build) -> None:
    b.open().start()
    refused(lambda: b.determination("specialised", True, actor=C.head), NotPermitted, "R9", "Art. 19")


def test_a_determination_without_reasons_is_refused(b: Build) -> None:
    b.open().start()
    refused(lambda: b.determination("risk_relevant", True, reasons=" "), InvalidInput, "R10", "Art. 22")


def test_an_unknown_determination_is_not_found(b: Build) -> None:
    b.open().start()
    refused(lambda: b.determination("lucky", True), NotFound, "R1", "Art. 3")


def test_a_determination_switches_its_conditional_gate(b: Build) -> None:
    b.open().start()
    hearing = b.spec.gate("hearing")
    assert b.d.gate_applicable(hearing) is None
    assert b.missing("hearing") == [("R7", "Art. 16; 价格法 Art. 23", "determination:hearing_required_by_law")]
    b.determination("hearing_required_by_law", False)
    assert (b.d.gate_applicable(hearing), b.gate("hearing"), b.d.flag("hearing_required_by_law")) == \
        (False, "not_applicable", False)
    b.determination("hearing_required_by_law", True)
    assert b.d.gate_applicable(hearing) is True and b.gate("hearing") == "open"


def test_a_determination_whose_gate_is_already_cleared_cannot_change(b: Build) -> None:
    b.open().start().determine(specialised=True).experts()
    assert b.gate("expert_review") == "cleared"
    refused(lambda: b.determination("specialised", False), RuleViolation, "R9", "Art. 19")
    b.determination("risk_relevant", False)  # another gate's determination still may


def test_a_determination_after_the_decision_is_refused(b: Build) -> None:
    b.decided()
    refused(lambda: b.determination("high_concern", True), RuleViolation, "R13", "Art. 25")


# every artifact ------------------------------------------------------------------------------------
def test_an_unknown_artifact_kind_is_not_found(b: Build) -> None:
    b.open().start()
    refused(lambda: b.art(C.drafter, "horoscope", text="x"), NotFound, "R18", "Art. 33")


def test_an_artifact_by_a_role_that_may_not_record_it_is_refused(b: Build) -> None:
    b.open().start()
    refused(lambda: b.art(C.reviewer, "consultation", unit=FINANCE, opinion="同意"), NotPermitted, "R4", "Art. 13")


def test_an_artifact_of_a_gate_that_does_not_apply_is_refused(b: Build) -> None:
    b.open().start().determine()
    refused(lambda: b.art(C.drafter, "selection_note", method="随机", experts="甲", dissent_included=True),
            RuleViolation, "R9", "Arts. 19–20, 29(3)")  # (a hearing may be held by choice: test_hearing.py)


def test_an_artifact_of_a_cleared_gate_is_refused_until_the_gate_reopens(b: Build) -> None:
    b.open().start().determine().coordinate().participate()
    refused(lambda: b.summary(), RuleViolation, "R5", "Arts. 14–15, 18")


def test_a_pre_decision_artifact_after_the_decision_is_refused(b: Build) -> None:
    b.decided()
    refused(lambda: b.coordinate(), RuleViolation, "R13", "Art. 25")


def test_r19_execution_targets_after_the_decision_are_refused(b: Build) -> None:
    b.decided()
    refused(lambda: b.art(C.head, "execution_targets", kpis=[{"id": "k1", "name": "准点率"}]), RuleViolation,
            "R19", "Art. 34")


def test_a_post_decision_artifact_before_the_decision_is_refused(b: Build) -> None:
    b.ready()
    refused(lambda: b.art(C.office, "publication_record", channels=["政府网站"], published_at="2025-05-01"),
            RuleViolation, "R17", "Art. 32")


def test_r18_nothing_is_recorded_on_a_withdrawn_decision(b: Build) -> None:
    b.open().start()
    b.commit(C.office, b.d.withdraw((C.office,), "不再需要"))
    assert b.d.status == "withdrawn"
    refused(lambda: b.coordinate(), RuleViolation, "R18", "Art. 33")


def test_decision_open_is_a_pure_command_that_returns_one_event(b: Build) -> None:
    actor, events = Decision.open(b.spec, "x", (C.drafter,), title="t", category="policy", unit=BUREAU,
                                   summary="s", today=b.today)
    assert actor == C.drafter  # the domain names who acted
    assert [e.type for e in events] == ["DecisionOpened"]
    assert events[0].payload["procedure"] == {"id": "order713", "version": b.spec.version, "hash": b.spec.hash,
                                              "profile": "order713"}
