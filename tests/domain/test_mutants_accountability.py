"""Mutation testing (issue 14 §5, `make mutation MODULE=accountability`): tests that kill the mutants of
`domain/rules/accountability.py` (ACC1, ACC3, ACC4; Arts. 38–41) the case's own tests let live."""

from __future__ import annotations

from decision_engine.domain.errors import InvalidInput, RuleViolation
from tests.domain.builders import C, refused
from tests.domain.test_accountability import case, found, opened

SANCTION = {"person": "drafter", "measure": "警告", "basis": "政务处分法第十条"}


def test_acc1_a_ground_with_no_text_at_all_is_malformed() -> None:
    for ground in ({"article": "Art. 39"}, {"article": "Art. 39", "text": None}):
        refused(lambda g=ground: opened(grounds=[g]), InvalidInput, "ACC1", "Arts. 38–41")
    opened(grounds=[{"article": "Art. 39", "text": "未履行公众参与程序"}])


def test_acc1_an_unknown_person_is_named_in_the_refusal() -> None:
    refused(lambda: opened(persons=[{"person": "ghost", "capacity": "direct"}]), InvalidInput, "ACC1",
            "Arts. 38–41", says="ghost")


def test_acc3_a_sanction_missing_a_key_altogether_is_refused() -> None:
    s = case()
    found(s)
    for key in ("person", "measure", "basis"):
        partial = {k: v for k, v in SANCTION.items() if k != key}
        refused(lambda p=partial: s.agg.close((C.auditor,), "sanctioned", [p], set()), RuleViolation, "ACC3",
                "Arts. 38–41")


def test_acc3_the_sanction_is_kept_with_each_of_its_parts() -> None:
    s = case()
    found(s)
    s.act(s.agg.close((C.auditor,), "sanctioned", [SANCTION | {"measure": " 警告 "}], set()))
    assert s.agg.state["outcome"]["sanctions"] == [SANCTION | {"dissent_considered": ""}]
    t = case()
    found(t)
    t.act(t.agg.close((C.auditor,), "sanctioned", [SANCTION | {"dissent_considered": "已从轻"}], {"drafter"}))
    assert t.agg.state["outcome"]["sanctions"][0]["dissent_considered"] == "已从轻"


def test_acc1_each_ground_is_kept_with_its_article_and_facts() -> None:
    _, events = opened(grounds=[{"article": " Art. 39 ", "text": " 未履行公众参与程序 "}])
    assert events[0].payload["grounds"] == [{"article": "Art. 39", "text": "未履行公众参与程序"}]
