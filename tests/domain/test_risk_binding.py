"""R10, Art. 24: controllability is judged for the draft version decided. A new draft version reopens the risk
gate; the new version is assessed again, or the assessor records why the change does not touch the risk, and
the report so carried forward is the one the packet, the meeting and the execution's obligations read."""

from __future__ import annotations

from decision_engine.domain import execution as ex
from decision_engine.domain import meeting as dm
from decision_engine.domain.errors import InvalidInput, NotPermitted, RuleViolation
from tests.domain.builders import Build, C, refused


def assessed(b: Build, conclusion: str = "controllable") -> str:
    b.open().start().determine(risk_relevant=True).coordinate().participate()
    report = b.risk(conclusion)
    b.art(C.drafter, "dept_opinions", departments=["公安局"], summary="同意")
    if conclusion == "controllable":
        b.clear("risk_assessment", C.bureau_head)
    return report


def test_r10_a_new_draft_after_the_assessment_reopens_the_risk_gate(b: Build) -> None:
    assessed(b)
    b.draft("v2")
    assert b.gate("risk_assessment") != "cleared"
    assert ("R10", "Arts. 22–24", "risk_report") in b.missing("risk_assessment")
    assert b.d.state["gates"]["risk_assessment"]["reopened"][-1]["reason"].startswith("draft version 2")


def test_r10_assessed_on_v1_decided_on_v2_is_refused(b: Build) -> None:
    assessed(b)
    b.draft("v2")
    b.legality()
    err = refused(lambda: b.meeting(), RuleViolation, "R14", "Art. 29")
    assert [(m.rule, m.kind) for m in err.missing] == [("R10", "risk_report")]
    assert ("R10", "Arts. 22–24", "risk_report") in [(m.rule, m.article, m.kind) for m in b.d.finalization_missing()]


def test_r10_the_assessor_carries_a_controllable_report_forward_with_the_reason(b: Build) -> None:
    report = assessed(b)
    b.draft("v2")
    refused(lambda: b.art(C.assessor, "risk_continuity", report_id=report, reason=" "), InvalidInput, "R10",
            "Art. 24")
    refused(lambda: b.art(C.assessor, "risk_continuity", report_id="nope", reason="文字修改"), RuleViolation,
            "R10", "Art. 24")
    refused(lambda: b.art(C.drafter, "risk_continuity", report_id=report, reason="文字修改，不涉及风险"),
            NotPermitted, "R10", "Art. 24")  # the assessor's own statement, not the unit's
    b.art(C.assessor, "risk_continuity", report_id=report, reason="仅作文字修改，不涉及风险点和防范措施")
    assert b.missing("risk_assessment") == []
    b.clear("risk_assessment", C.bureau_head)
    b.legality().meeting().report().finalize()
    assert b.d.status == "decided"
    assert any(o["artifact_id"] == report for o in ex.obligations(b.d))


def test_r10_a_report_not_controllable_is_not_carried_forward(b: Build) -> None:
    report = assessed(b, "not_controllable")
    b.draft("v2（调整后）")
    refused(lambda: b.art(C.assessor, "risk_continuity", report_id=report, reason="已调整草案，风险可控"),
            RuleViolation, "R10", "Art. 24", says="重新评估")
    b.risk("controllable")
    assert b.missing("risk_assessment") == []


def test_r10_the_packet_carries_the_report_brought_forward(b: Build) -> None:
    report = assessed(b)
    b.draft("v2")
    b.art(C.assessor, "risk_continuity", report_id=report, reason="仅作文字修改，不涉及风险点和防范措施")
    b.clear("risk_assessment", C.bureau_head)
    b.legality()
    kinds = {r["artifact_id"]: r["kind"] for r in dm.assemble_packet(b.d)["adoption_records"]}
    assert kinds.get(report) == "risk_report" and "risk_continuity" in kinds.values()


def test_r10_the_organ_records_its_own_judgment_that_the_risk_is_controllable(b: Build) -> None:
    assessed(b)
    b.legality()
    for judgment in ("", "assessor_says_so", "not_controllable"):
        refused(lambda j=judgment: b.meeting(risk_judgment=j), RuleViolation, "R10", "Art. 24", says="决策机关")
    b.meeting(risk_judgment="controllable")
    assert b.gate("collective_decision") != "open"


def test_r10_no_risk_judgment_is_asked_where_no_risk_was_assessed(b: Build) -> None:
    b.ready()
    b.meeting(risk_judgment="")
    b.report().finalize()
    assert b.d.status == "decided"


def test_r10_the_departments_are_heard_once_for_the_assessment(b: Build) -> None:
    b.open().start().determine(risk_relevant=True).coordinate().participate()
    report = b.risk()
    assert b.missing("risk_assessment") == [("R10", "Art. 23", "dept_opinions")]
    b.art(C.drafter, "dept_opinions", departments=["公安局"], summary="同意")
    b.clear("risk_assessment", C.bureau_head)
    b.draft("v2")
    b.art(C.assessor, "risk_continuity", report_id=report, reason="仅作文字修改，不涉及风险点和防范措施")
    assert b.missing("risk_assessment") == []  # heard in the first round: not asked again


def test_r10_a_continuity_note_for_a_report_on_the_current_version_is_refused(b: Build) -> None:
    assessed(b)
    b.draft("v2")
    fresh = b.risk()  # assessed again on v2
    refused(lambda: b.art(C.assessor, "risk_continuity", report_id=fresh, reason="文字修改，不涉及风险"),
            RuleViolation, "R10", "Art. 24", says="当前版本")
