"""Mutation testing of the issue 16 change items of `domain/meeting.py` (R20.collective, Arts. 30, 37): the
rule-removal check found that `decide_change_item` refusing an ordinary agenda item could be removed with no
test failing; this test pins it, both ways."""

from __future__ import annotations

from decision_engine.domain import law
from decision_engine.domain.errors import RuleViolation
from tests.domain.builders import Build, C, refused
from tests.domain.test_meeting import placed, spoken


def test_r20_an_ordinary_agenda_item_is_not_decided_as_a_change(b: Build) -> None:
    s = placed(b)
    spoken(s, C.member_a, C.member_b, C.head)
    for outcome in ("adopt", "reject"):
        refused(lambda o=outcome: s.agg.decide_change_item((C.head,), 1, outcome=o), RuleViolation,
                *law.ref("R20.collective").values(), says="不是变更事项")
    assert s.agg.state["items"][0]["outcome"] is None
    s.act(s.agg.decide_item((C.head,), 1, outcome="adopt", current_draft_version=1, artifact_id="mr"))
    assert s.agg.state["items"][0]["outcome"]["decision"] == "adopt"
