"""Acts on gates in memory: what clearing, exempting, returning, reopening and finalizing record, and the
settled states each refuses (R5, R9, R13, R15, SoD8)."""

from __future__ import annotations

from decision_engine.domain.errors import RuleViolation
from tests.domain.builders import Build, C, refused


def exempted(b: Build) -> Build:
    b.open().start().determine(nondisclosable=True).coordinate()
    b.art(C.drafter, "nondisclosure_basis", legal_ref="政府信息公开条例第十四条", reason="涉密")
    b.exempt("public_participation", C.bureau_head)
    return b


def test_an_exempted_or_inapplicable_gate_is_not_cleared(b: Build) -> None:
    exempted(b)
    refused(lambda: b.clear("public_participation", C.bureau_head), RuleViolation, "R5", "Arts. 14–15, 18",
            says="already exempted")
    refused(lambda: b.clear("expert_review", C.bureau_head), RuleViolation, "R9", "Arts. 19–20, 29(3)",
            says="already not_applicable")


def test_a_gate_that_cannot_be_cleared_lists_what_it_still_needs(b: Build) -> None:
    b.open().start()
    b.art(C.drafter, "participation_record", method="symposium", summary="x")
    err = refused(lambda: b.clear("public_participation", C.bureau_head), RuleViolation, "R8", "Arts. 18, 29(2)")
    assert [(m.rule, m.kind) for m in err.missing] == [("R8", "opinion_summary")]


def test_clearing_records_the_gate_and_the_day(b: Build) -> None:
    b.open().start().determine().coordinate()
    b.art(C.drafter, "participation_record", method="symposium", summary="x")
    b.summary()
    _, events = b.d.clear_gate((C.bureau_head,), "public_participation", b.today)
    assert [(e.type, e.payload) for e in events] == [("GateCleared", {"gate": "public_participation",
                                                                      "on": "2025-03-03"})]


def test_r5_an_exemption_needs_its_own_basis_artifact_not_any_artifact_of_the_gate(b: Build) -> None:
    b.open().start().determine(nondisclosable=True)
    b.notice(30)
    refused(lambda: b.exempt("public_participation", C.drafter), RuleViolation, "R5",
            "Art. 14; 政府信息公开条例 Arts. 14–15", says="nondisclosure_basis")


def test_an_exemption_records_its_basis_and_who_exempted(b: Build) -> None:
    b.open().start().determine(nondisclosable=True)
    b.art(C.drafter, "nondisclosure_basis", legal_ref="条例第十四条", reason="涉密")
    _, events = b.d.exempt_gate((C.bureau_head,), "public_participation", "条例第十四条")
    assert [(e.type, e.payload) for e in events] == [("GateExempted", {"gate": "public_participation",
                                                                       "legal_basis": "条例第十四条",
                                                                       "by": "bureau_head"})]


def test_r15_an_exempted_gate_is_neither_returned_nor_reopened(b: Build) -> None:
    exempted(b)
    refused(lambda: b.return_("public_participation", C.bureau_head), RuleViolation, "R15", "Art. 30")
    b.legality()
    refused(lambda: b.d.reopen_gates((C.head,), ("public_participation",), "重新征求"), RuleViolation, "R5",
            "Arts. 14–15, 18", says="exempted")


def test_r15_sending_back_records_each_gate_with_its_reason_rule_and_head(b: Build) -> None:
    b.ready()
    actor, events = b.d.reopen_gates((C.head,), ("legality_review",), "重新审查")
    assert actor == C.head
    assert [(e.type, e.payload) for e in events] == [("GateReopened", {
        "gate": "legality_review", "reason": "重新审查", "rule": "R15", "article": "Art. 30", "by": "head"})]


def test_finalization_records_the_day_the_version_and_the_meeting_record(b: Build) -> None:
    b.ready().meeting().report()
    meeting = b.d.latest("collective_decision", "meeting_record")
    assert meeting is not None
    _, events = b.d.finalize((C.head,), b.today)
    assert [(e.type, e.payload) for e in events] == [("DecisionFinalized", {
        "on": b.today.isoformat(), "draft_version": 1, "meeting_artifact": meeting["id"]})]


def test_r17_a_specialised_matter_of_high_concern_needs_each_publication_text_once(b: Build) -> None:
    b.open().start().determine(specialised=True, high_concern=True).coordinate().experts().participate()
    b.legality().meeting().report().finalize()
    b.art(C.office, "publication_record", channels=["政府公报", "政府网站", "报纸"], published_at=b.today.isoformat())
    assert b.missing("publication") == [("R17", "Art. 32", "adoption_explanation"), ("R17", "Art. 32", "interpretation")]
