"""Mutation testing (issue 14 §5, `make mutation MODULE=normative`): tests that kill the mutants of
`domain/rules/normative.py` (ND3 filing, ND4 clean-up) the stage's own tests let live."""

from __future__ import annotations

from decision_engine.domain.errors import InvalidInput
from tests.domain.builders import Build, C, refused
from tests.domain.test_after_decision import normative_published, publish


def test_nd3_a_malformed_filing_date_is_named_by_its_artifact_and_field(b: Build) -> None:
    normative_published(b)
    publish(b)
    both = ["superior_government", "npc_standing_committee"]
    refused(lambda: b.art(C.office, "filing_record", filed_with=both, filed_at="soon"), InvalidInput, "ND3",
            "seeds 001, 004", says="filing_record.filed_at")
    b.art(C.office, "filing_record", filed_with=both, filed_at=b.today.isoformat())


def test_nd4_each_of_the_three_outcomes_is_accepted(b: Build) -> None:
    normative_published(b)
    publish(b)
    for outcome in ("continue", "amend", "repeal"):
        b.art(C.reviewer, "cleanup_review", outcome=outcome, reasons="定期清理")
    refused(lambda: b.art(C.reviewer, "cleanup_review", outcome="Continue", reasons="x"), InvalidInput, "ND4",
            "seeds 001, 003")
