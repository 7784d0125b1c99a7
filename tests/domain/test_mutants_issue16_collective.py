"""Mutation testing of the issue 16 rule of `domain/rules/collective.py` (`make mutation MODULE=collective`):
R14.other_materials (Art. 29(6)), both ways."""

from __future__ import annotations

from decision_engine.domain import law
from decision_engine.domain.errors import RuleViolation
from decision_engine.domain.meeting import assemble_packet
from tests.domain.builders import Build, C, refused


def test_r14_an_other_material_named_or_justified_by_a_bare_zero_is_refused(b: Build) -> None:
    """A number 0 (or false) passes the kind's required-field check but names nothing: the rule reads it as
    absent (a default substituted for an empty value would let it through)."""
    b.ready()
    cit = law.ref("R14.other_materials")
    refused(lambda: b.art(C.drafter, "other_material", title=0, reason="供会议参考"), RuleViolation, *cit.values(),
            says="title")
    refused(lambda: b.art(C.drafter, "other_material", title="成本监审报告", reason=False), RuleViolation,
            *cit.values(), says="reason")
    assert "other_materials" not in assemble_packet(b.d)
    aid = b.art(C.drafter, "other_material", title="成本监审报告", reason="票价调整须附成本监审结论")
    assert [o["artifact_id"] for o in assemble_packet(b.d)["other_materials"]] == [aid]
