"""Mutation testing (issue 14 §5, `make mutation MODULE=initiation`): tests that kill the mutants of
`domain/rules/initiation.py` (R2–R4, R22) the stage's own tests let live."""

from __future__ import annotations

from decision_engine.domain.errors import InvalidInput, RuleViolation
from tests.domain.builders import BUREAU, Build, C, refused


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
