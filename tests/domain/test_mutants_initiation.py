"""Mutation testing (issue 14 §5, `make mutation MODULE=initiation`): tests that kill the mutants of
`domain/rules/initiation.py` (R2–R4, R22) the stage's own tests let live."""

from __future__ import annotations

from decision_engine.domain.errors import InvalidInput, RuleViolation
from tests.domain.builders import BUREAU, FINANCE, Build, C, refused
from tests.domain.mutant_helpers import gate_missing


def started_without_draft(b: Build) -> Build:
    b.open()
    b.art(C.head, "start_decision", lead_unit=BUREAU, units=[BUREAU], affected_units=[])
    return b


def test_r3_options_concern_a_draft_and_need_one_first(b: Build) -> None:
    started_without_draft(b)
    two = [{"id": "A", "summary": "甲"}, {"id": "B", "summary": "乙"}]
    refused(lambda: b.art(C.drafter, "draft_options", options=two), RuleViolation, "R3", "Art. 12",
            says="draft_options")
    b.draft("v1")
    b.art(C.drafter, "draft_options", options=two)


def test_r3_each_option_is_named_and_summarised(b: Build) -> None:
    b.open().start()
    for bad in ([{"summary": "甲"}, {"id": "B", "summary": "乙"}],       # no id
                [{"id": " ", "summary": "甲"}, {"id": "B", "summary": "乙"}],
                [{"id": "A"}, {"id": "B", "summary": "乙"}],              # no summary
                [{"id": "A", "summary": None}, {"id": "B", "summary": "乙"}]):
        refused(lambda o=bad: b.art(C.drafter, "draft_options", options=o), InvalidInput, "R3", "Art. 12 ¶4")
    b.art(C.drafter, "draft_options", options=[{"id": "A", "summary": "甲"}, {"id": "B", "summary": "乙"}])


def test_r4_each_coordination_gap_names_its_gate_and_the_unit(b: Build) -> None:
    b.open().start(affected=(FINANCE, "某市发改委"))
    b.coordinate()
    gaps = gate_missing(b, "coordination")
    assert [(m.rule, m.article, m.kind) for m in gaps] == [("R4", "Art. 13", "consultation")]
    assert "某市发改委" in gaps[0].need
    c = Build()
    c.open().start()
    c.art(C.drafter, "consultation", unit=FINANCE, opinion="不同意", dispute=True)
    assert [(m.rule, m.kind) for m in gate_missing(c, "coordination")] == [("R4", "dispute_statement")]
