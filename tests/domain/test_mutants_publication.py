"""Mutation testing (issue 14 §5, `make mutation MODULE=publication`): tests that kill the mutants of
`domain/rules/publication.py` (R17, Art. 32) the stage's own tests let live."""

from __future__ import annotations

from tests.domain.builders import Build, C
from tests.domain.mutant_helpers import gate_missing
from tests.domain.test_after_decision import publish


def test_r17_each_missing_channel_names_the_publication_gate_and_the_channel(b: Build) -> None:
    b.decided()
    publish(b, channels=["政府网站"])
    gaps = gate_missing(b, "publication")
    assert [(m.rule, m.article, m.kind) for m in gaps] == [("R17", "Art. 32", "publication_record")] * 2
    assert "政府公报" in gaps[0].need and "报纸" in gaps[1].need


def test_r17_the_specialised_artifacts_are_named_with_their_gate(b: Build) -> None:
    b.open().start().determine(specialised=True).coordinate().experts().participate().legality()
    b.meeting().report().finalize()
    publish(b)
    gaps = gate_missing(b, "publication")
    assert [(m.rule, m.kind) for m in gaps] == [("R17", "adoption_explanation"), ("R17", "interpretation")]
    b.art(C.office, "adoption_explanation", text="说明")
    b.art(C.office, "interpretation", text="解读", means="press_conference")
    assert gate_missing(b, "publication") == []
