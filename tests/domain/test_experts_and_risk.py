"""S2–S3 in memory: expert review (R9, SoD2, Arts. 19–20, 29(3)) and risk assessment (R10, Arts. 22–24)."""

from __future__ import annotations

from typing import Any

from decision_engine.domain import review
from decision_engine.domain.errors import InvalidInput, NotPermitted, RuleViolation
from decision_engine.domain.rules.execution import obligations
from tests.domain.builders import BUREAU, Build, C, refused
from tests.domain.builders import blob as make_blob


def specialised(b: Build) -> Build:
    """A specialised matter with its experts selected by person id (R9, Art. 20: only they act)."""
    b.open().start().determine(specialised=True)
    b.art(C.drafter, "selection_note", method="随机抽取", experts="专家甲、专家乙",
          expert_ids=[C.expert_a.person, C.expert_b.person], dissent_included=True)
    return b


def declared(b: Build, who: object = C.expert_a, interest: object = False) -> None:
    b.art(who, "conflict_declaration", direct_interest=interest, statement="声明")  # type: ignore[arg-type]


# R9 / SoD2 ---------------------------------------------------------------------------------------
def test_r9_an_expert_opinion_without_a_conflict_declaration_is_refused(b: Build) -> None:
    specialised(b)
    refused(lambda: b.art(C.expert_a, "expert_opinion", opinion="可行", signature="签名"), RuleViolation, "R9",
            "Art. 20")
    declared(b, C.expert_b)  # another expert's declaration does not count
    refused(lambda: b.art(C.expert_a, "expert_opinion", opinion="可行", signature="签名"), RuleViolation, "R9",
            "Art. 20")


def test_sod2_an_expert_with_a_declared_direct_interest_is_barred(b: Build) -> None:
    specialised(b)
    for interest in (True, "true", "yes", "1"):
        declared(b, interest=interest)
        refused(lambda: b.art(C.expert_a, "expert_opinion", opinion="可行", signature="签名"), NotPermitted,
                "SoD2", "Art. 20")
    declared(b, interest="no")  # the latest declaration counts
    b.opinion(C.expert_a, "可行")


def test_r9_an_unsigned_expert_opinion_is_refused(b: Build) -> None:
    specialised(b)
    declared(b)
    refused(lambda: b.art(C.expert_a, "expert_opinion", opinion="可行", signature="  "), RuleViolation, "R9",
            "Art. 19")


def test_r9_an_expert_opinion_needs_a_draft(b: Build) -> None:
    b.open()
    b.art(C.head, "start_decision", lead_unit=BUREAU, units=[BUREAU])
    b.determination("specialised", True)
    b.art(C.drafter, "selection_note", method="随机抽取", experts="专家甲", expert_ids=[C.expert_a.person],
          dissent_included=True)
    declared(b)
    refused(lambda: b.art(C.expert_a, "expert_opinion", opinion="可行", signature="签名"), RuleViolation, "R3",
            "Art. 12")


def test_r9_once_experts_are_selected_by_id_only_they_declare_and_give_opinions(b: Build) -> None:
    specialised(b)
    b.art(C.drafter, "selection_note", method="随机", experts="甲", expert_ids=["expert_a"], dissent_included=True)
    refused(lambda: declared(b, C.expert_b), NotPermitted, "R9", "Art. 20")
    declared(b)
    b.opinion(C.expert_a, "可行")


def test_r9_a_selection_note_says_whether_dissenting_experts_were_included(b: Build) -> None:
    specialised(b)
    base = {"method": "随机", "experts": "甲"}
    for bad in ({"expert_ids": [], "dissent_included": True}, {"expert_ids": "expert_a", "dissent_included": True},
                {"expert_ids": [""], "dissent_included": True}, {"expert_ids": [3], "dissent_included": True},
                {"expert_ids": ["expert_a"]}, {"expert_ids": ["expert_a"], "dissent_included": "no"}):
        refused(lambda x=bad: b.art(C.drafter, "selection_note", **base, **x), InvalidInput, "R9", "Art. 20")
    refused(lambda: b.art(C.drafter, "selection_note", **base, expert_ids=["expert_a"], dissent_included=False),
            RuleViolation, "R9", "Art. 20")
    b.art(C.drafter, "selection_note", **base, expert_ids=["expert_a"], dissent_included=False,
          dissent_note="本领域无持不同意见的专家")
    # the dissent rule applies whether or not the note names the experts by id (R9, Art. 20)
    refused(lambda: b.art(C.drafter, "selection_note", **base), InvalidInput, "R9", "Art. 20")
    refused(lambda: b.art(C.drafter, "selection_note", **base, dissent_included=False), RuleViolation, "R9",
            "Art. 20")
    b.art(C.drafter, "selection_note", **base, dissent_included=True)


def test_r9_adoption_status_by_opinion_id_covers_every_opinion_with_a_reason(b: Build) -> None:
    specialised(b)
    declared(b)
    op = b.opinion(C.expert_a, "可行")
    declared(b, C.expert_b)
    op2 = b.opinion(C.expert_b, "不可行")
    for bad in ([{"opinion_id": op, "disposition": "maybe", "reason": "x"}],
                [{"opinion_id": op, "disposition": "adopted", "reason": " "}],
                [{"opinion_id": op, "disposition": "adopted", "reason": "x"}, "y"]):
        refused(lambda x=bad: b.art(C.drafter, "expert_adoption", adoptions=x), RuleViolation, "R9", "Art. 29(3)")
    refused(lambda: b.art(C.drafter, "expert_adoption", adoptions=[
        {"opinion_id": op, "disposition": "adopted", "reason": "x"}]), RuleViolation, "R9", "Art. 29(3)")
    b.art(C.drafter, "expert_adoption", adoptions=[{"opinion_id": op, "disposition": "adopted", "reason": "x"},
                                                   {"opinion_id": op2, "disposition": "not_adopted", "reason": "y"}])
    b.art(C.drafter, "selection_note", method="随机", experts="甲乙", dissent_included=True)
    assert b.missing("expert_review") == []


def test_r9_the_gate_asks_for_the_adoption_status_of_an_opinion_given_after_it(b: Build) -> None:
    b.open().start().determine(specialised=True).experts(clear=False, ids=True)
    assert b.missing("expert_review") == []
    b.art(C.drafter, "selection_note", method="随机", experts="甲乙", expert_ids=["expert_a", "expert_b"],
          dissent_included=True)
    declared(b, C.expert_b)
    op2 = b.opinion(C.expert_b, "不可行")
    assert b.missing("expert_review") == [("R9", "Art. 29(3)", "expert_adoption")]
    refused(lambda: b.clear("expert_review", C.bureau_head), RuleViolation, "R9", "Art. 29(3)")
    assert op2


def test_r9_a_typed_signature_is_not_the_experts_act(b: Build) -> None:
    """R9, Art. 19: any string on the page path used to pass; now only the credential form is accepted,
    and the gate asks for the expert's own confirmation over the opinion's sha256."""
    specialised(b)
    b.art(C.drafter, "selection_note", method="随机", experts="甲", expert_ids=["expert_a"], dissent_included=True)
    declared(b)
    for typed in ("签名", "孙教授", "已签字"):
        refused(lambda x=typed: b.art(C.expert_a, "expert_opinion", opinion="可行", signature=x), RuleViolation,
                "R9", "Art. 19", says="本人")
    b.opinion(C.expert_a, "可行")


def test_r9_a_signature_over_another_documents_sha256_holds_the_gate(b: Build) -> None:
    specialised(b)
    b.art(C.drafter, "selection_note", method="随机", experts="甲", expert_ids=["expert_a"], dissent_included=True)
    declared(b)
    other = make_blob("another document")
    aid = b.new_id()
    doc = make_blob("opinion")
    who, events = b.d.record_artifact((C.expert_a,), "expert_opinion", doc,
                                      {"opinion": "可行", "signature": review.signature(other.sha256)}, aid, b.cal,
                                      b.today)
    b.commit(who, [*events, review.opinion_signed(aid, other.sha256)])
    assert ("R9", "Art. 19", "expert_opinion") in b.missing("expert_review")


def test_r9_a_credential_signature_needs_the_experts_confirmation_over_the_sha256(b: Build) -> None:
    specialised(b)
    declared(b)
    aid = b.new_id()
    blob = make_blob("opinion")
    who, events = b.d.record_artifact((C.expert_a,), "expert_opinion", blob,
                                      {"opinion": "可行", "signature": review.signature(blob.sha256)}, aid, b.cal,
                                      b.today)
    b.commit(who, events)
    assert ("R9", "Art. 19", "expert_opinion") in b.missing("expert_review")
    b.commit(C.expert_a, [review.opinion_signed(aid, blob.sha256)])
    assert ("R9", "Art. 19", "expert_opinion") not in b.missing("expert_review")
    [confirmation] = b.state["records"][blob.sha256]["confirmations"]
    assert (confirmation["person"], confirmation["artifact_id"], confirmation["role"]) == ("expert_a", aid, "expert")


def test_r9_the_expert_review_is_cleared_by_the_undertaking_unit_when_complete(b: Build) -> None:
    b.open().start().determine(specialised=True).experts()
    assert b.gate("expert_review") == "cleared"


def test_r9_review_adoption_entries_cover_each_opinion_of_the_round(b: Build) -> None:
    specialised(b)
    declared(b)
    op = b.opinion(C.expert_a, "可行", dissenting=True)
    refused(lambda: review.adoption_entries(b.d, {"x": {}}), InvalidInput, "R9", "Art. 29(3)")
    refused(lambda: review.adoption_entries(b.d, {}), RuleViolation, "R9", "Art. 29(3)")
    refused(lambda: review.adoption_entries(b.d, {op: {"disposition": "adopted", "reason": ""}}), RuleViolation,
            "R9", "Art. 29(3)")
    refused(lambda: review.adoption_entries(b.d, {op: {"disposition": "sure", "reason": "x"}}), RuleViolation,
            "R9", "Art. 29(3)")
    [entry] = review.adoption_entries(b.d, {op: {"disposition": "partly", "reason": " 部分 "}})
    assert (entry["opinion_id"], entry["expert"], entry["dissenting"], entry["reason"]) == (op, "expert_a", True, "部分")


# R10 --------------------------------------------------------------------------------------------
def risky(b: Build) -> Build:
    return b.open().start().determine(risk_relevant=True)


def test_r10_a_risk_report_names_its_level_points_and_measures(b: Build) -> None:
    risky(b)
    for bad in ({"level": "extreme"}, {"risk_points": "一点"}, {"measures": "分步"}, {"measures": [" "]},
                {"measures": [{"measure": ""}]}, {"measures": [3]}):
        refused(lambda x=bad: b.risk(**x), InvalidInput, "R10", "Art. 23")
    refused(lambda: b.risk("maybe"), InvalidInput, "R10", "Art. 24")
    b.risk(measures=["分步实施", {"measure": "听证", "responsible_unit": "市交通运输局", "due": "2025-06-01"}])


def test_r10_a_risk_found_not_controllable_blocks_the_gate_until_a_new_draft_is_assessed(b: Build) -> None:
    risky(b)
    b.risk("not_controllable")
    b.art(C.drafter, "dept_opinions", departments=["公安局"], summary="同意")
    assert b.missing("risk_assessment") == [("R10", "Art. 24", "risk_report")]
    refused(lambda: b.clear("risk_assessment", C.bureau_head), RuleViolation, "R10", "Art. 24")
    refused(lambda: b.risk(), RuleViolation, "R10", "Art. 24")
    b.draft("v2")
    b.risk()
    assert b.missing("risk_assessment") == []
    b.clear("risk_assessment", C.bureau_head)
    assert b.gate("risk_assessment") == "cleared"


def test_r10_a_risk_report_is_by_a_risk_assessor_and_needs_a_draft(b: Build) -> None:
    risky(b)
    refused(lambda: b.risk(actor=C.drafter), NotPermitted, "R10", "Arts. 22–24")
    c = Build().open()
    c.art(C.head, "start_decision", lead_unit=BUREAU, units=[BUREAU])
    c.determination("risk_relevant", True)
    refused(lambda: c.risk(), RuleViolation, "R3", "Art. 12")


def test_r10_a_prior_assessment_exempts_the_risk_gate(b: Build) -> None:
    risky(b)
    refused(lambda: b.exempt("risk_assessment", C.drafter, "发改投资〔2012〕2492号"), RuleViolation, "R10",
            "Art. 22 ¶2")
    b.determination("prior_risk_assessment", True)
    b.art(C.drafter, "prior_assessment_link", reference="稳评〔2024〕1号", assessed_under="发改投资〔2012〕2492号")
    # SoD8: not on one's own determination; another person of the unit exempts
    refused(lambda: b.exempt("risk_assessment", C.drafter, "发改投资〔2012〕2492号"), NotPermitted, "SoD8",
            "Art. 38 (inference)", says="prior_risk_assessment")
    b.exempt("risk_assessment", C.bureau_head, "发改投资〔2012〕2492号")
    assert b.gate("risk_assessment") == "exempted"


def risk_measures(b: Build) -> list[dict[str, Any]]:
    """The obligations execution must follow that come from the risk measures (R10)."""
    return [o for o in obligations(b.d) if o["source"] == "risk_measure"]


def test_r10_the_measures_of_a_controllable_assessment_become_obligations(b: Build) -> None:
    risky(b)
    assert risk_measures(b) == []
    b.risk("not_controllable")
    assert risk_measures(b) == []
    b.draft("v2")
    aid = b.risk(measures=["分步实施", {"measure": "听证", "responsible_unit": "局", "due": "2025-06-01"}])
    obs = risk_measures(b)
    assert [(o["id"], o["text"], o["responsible_unit"]) for o in obs] == \
        [(f"{aid}:1", "分步实施", None), (f"{aid}:2", "听证", "局")]
