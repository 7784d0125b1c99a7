"""Mutation testing of the issue 16 rules of `domain/rules/initiation.py` (`make mutation MODULE=initiation`):
tests that kill the mutants of R1.level / R1.procedure_by_law (Arts. 2, 42, 3 ¶2) and R3.study (Art. 10) the
stage's own tests let live, each rule both ways."""

from __future__ import annotations

from decision_engine.domain import law
from decision_engine.domain.errors import RuleViolation
from tests.domain.builders import BUREAU, Build, C, refused
from tests.domain.test_before_decision import PROPOSAL


def test_r3_a_study_answers_a_proposal_not_another_record_of_the_stage(b: Build) -> None:
    b.open()
    pid = b.art(C.office, "proposal", source="deputy", **PROPOSAL)
    sid = b.art(C.drafter, "proposal_study", proposal_id=pid, unit=BUREAU, study="经调研论证，建议启动")
    refused(lambda: b.art(C.drafter, "proposal_study", proposal_id=sid, unit=BUREAU, study="再论证"), RuleViolation,
            *law.ref("R3.study").values(), says=sid)
    assert [a["id"] for a in b.d.artifacts_of("initiation", "proposal_study", all_rounds=True)] == [sid]


def test_r3_a_study_names_the_unit_that_studied_the_proposal(b: Build) -> None:
    b.open()
    pid = b.art(C.office, "proposal", source="citizen", **PROPOSAL)
    refused(lambda: b.art(C.drafter, "proposal_study", proposal_id=pid, unit="  ", study="经调研论证"),
            RuleViolation, *law.ref("R3.study").values(), says="承担研究论证的单位")
    b.art(C.drafter, "proposal_study", proposal_id=pid, unit=BUREAU, study="经调研论证")
    b.art(C.head, "start_decision", lead_unit=BUREAU, units=[BUREAU], affected_units=[])
    assert b.state["start"] is not None


def test_r1_a_procedure_by_law_of_500_characters_is_kept_and_one_of_501_refused(b: Build) -> None:
    longest = "价格法第二十三条" + "听" * 492
    assert len(longest) == 500
    refused(lambda: Build().open(procedure_by_law=longest + "证"), RuleViolation,
            *law.ref("R1.procedure_by_law").values())
    b.open(procedure_by_law=longest)
    assert b.state["procedure_by_law"] == longest
