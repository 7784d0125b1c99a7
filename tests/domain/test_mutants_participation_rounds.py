"""Mutation testing (issue 14 §5, `make mutation MODULE=participation`): the known survivor
`participation.live_notices` default `all_rounds=False → True`. A returned participation gate opens a new
round (R11, Art. 26); a comment notice of the earlier round is no longer the one in force for the current
round, so its window, even still running, neither holds the current round's clearing (R6, Art. 15) nor counts
among the live notices."""

from __future__ import annotations

from decision_engine.domain.errors import RuleViolation
from decision_engine.domain.rules import participation as rp
from tests.domain.builders import Build, C, refused


def test_r6_a_notice_of_an_earlier_round_is_not_live_in_the_current_round(b: Build) -> None:
    b.open().start()
    first = b.notice(60)
    assert [n["id"] for n in rp.live_notices(b.d)] == [first]
    b.return_("public_participation", C.bureau_head, "征求意见范围不全，重新公告")
    assert rp.live_notices(b.d) == []
    assert [n["id"] for n in rp.live_notices(b.d, all_rounds=True)] == [first]
    second = b.notice(30)
    assert [n["id"] for n in rp.live_notices(b.d)] == [second]
    b.advance(30)
    refused(lambda: b.summary(), RuleViolation, "R6", "Art. 15")  # the current window runs to its deadline
    b.advance(1)  # the current round's window has closed; the earlier round's would run 29 more days
    b.summary()
    b.clear("public_participation", C.bureau_head)
    assert b.gate("public_participation") == "cleared"
