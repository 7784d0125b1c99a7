"""Mutation testing (issue 14 §5, `make mutation MODULE=risk`): tests that kill the mutants of
`domain/rules/risk.py` (R10, Arts. 22–24) the stage's own tests let live."""

from __future__ import annotations

from decision_engine.domain.errors import InvalidInput
from tests.domain.builders import Build, C, blob, refused
from tests.domain.mutant_helpers import gate_missing
from tests.domain.test_risk_binding import assessed

REASON = "仅作文字修改，不涉及风险点和防范措施"


def test_r10_a_second_controllable_report_on_the_same_version_is_accepted(b: Build) -> None:
    b.open().start().determine(risk_relevant=True).coordinate().participate()
    b.risk("controllable")
    b.risk("controllable", level="low")  # only a not-controllable finding asks for a new version first
    assert b.d.latest("risk_assessment", "risk_report")["fields"]["level"] == "low"  # type: ignore[index]


def test_r10_the_continuity_note_speaks_for_the_version_even_after_later_artifacts(b: Build) -> None:
    report = assessed(b)
    b.draft("v2")
    b.art(C.assessor, "risk_continuity", report_id=report, reason=REASON)
    b.art(C.drafter, "dept_opinions", departments=["交通局"], summary="同意")  # a later artifact of the round
    assert gate_missing(b, "risk_assessment") == []


def test_r10_only_a_risk_report_makes_a_new_draft_reopen_the_risk_gate(b: Build) -> None:
    b.open().start().determine(risk_relevant=True).coordinate().participate()
    b.art(C.drafter, "dept_opinions", departments=["公安局"], summary="同意")  # heard, but nothing assessed
    _, events = b.d.add_draft_version((C.drafter,), blob("v2"), "v2", "", "v2", b.today)
    assert all(e.payload.get("gate") != "risk_assessment" for e in events if e.type == "GateReopened")
    c = Build()
    assessed(c)
    _, events = c.d.add_draft_version((C.drafter,), blob("v2"), "v2", "", "v2", c.today)
    assert any(e.payload.get("gate") == "risk_assessment" for e in events if e.type == "GateReopened")


def test_r10_a_continuity_reason_of_four_characters_is_enough_and_three_is_not(b: Build) -> None:
    report = assessed(b)
    b.draft("v2")
    refused(lambda: b.art(C.assessor, "risk_continuity", report_id=report, reason=" 文字修 "), InvalidInput, "R10",
            "Art. 24")
    b.art(C.assessor, "risk_continuity", report_id=report, reason="文字修改")


def test_r10_each_risk_gap_names_its_gate_and_what_is_needed(b: Build) -> None:
    b.open().start().determine(risk_relevant=True).coordinate().participate()
    assert [m.kind for m in gate_missing(b, "risk_assessment")] == ["risk_report", "dept_opinions"]
    b.risk("not_controllable")
    assert [(m.rule, m.article, m.kind) for m in gate_missing(b, "risk_assessment")] == [
        ("R10", "Art. 23", "dept_opinions"), ("R10", "Art. 24", "risk_report")]


def test_r10_a_report_of_an_earlier_round_still_reopens_on_the_next_draft(b: Build) -> None:
    report = assessed(b)
    b.draft("v2")
    b.art(C.assessor, "risk_continuity", report_id=report, reason=REASON)  # round 2 holds no report of its own
    b.clear("risk_assessment", C.bureau_head)
    _, events = b.d.add_draft_version((C.drafter,), blob("v3"), "v3", "", "v3", b.today)
    assert any(e.payload.get("gate") == "risk_assessment" for e in events if e.type == "GateReopened")
