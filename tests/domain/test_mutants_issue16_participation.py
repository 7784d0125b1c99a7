"""Mutation testing of the issue 16 rule of `domain/rules/participation.py` (`make mutation MODULE=participation`):
R6.explanation (Art. 15 ¶1), both ways."""

from __future__ import annotations

from decision_engine.domain import law
from decision_engine.domain.errors import RuleViolation
from tests.domain.builders import Build, refused


def test_r6_an_explanation_of_a_bare_zero_or_false_explains_nothing(b: Build) -> None:
    """0 or false passes the kind's required-field check but says nothing of the draft: the rule reads it as
    blank (a default substituted for an empty value would let it through)."""
    b.open().start().determine().coordinate()
    for nothing in (0, False):
        refused(lambda x=nothing: b.notice(explanation=x), RuleViolation, *law.ref("R6.explanation").values(),
                says="决策草案及其说明")
    assert b.d.artifacts_of("public_participation", "comment_notice") == []
    b.notice(explanation="起草背景、依据和主要内容的说明")
    assert len(b.d.artifacts_of("public_participation", "comment_notice")) == 1
