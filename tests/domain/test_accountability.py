"""Accountability in memory (Arts. 38–41; ACC1–ACC4, R22): cases, findings, outcomes, the ledger."""

from __future__ import annotations

from typing import Any

import pytest

from decision_engine.domain.accountability import Case, dissents, ledger, responsible
from decision_engine.domain.decision import Actor
from decision_engine.domain.errors import InvalidInput, NotPermitted, RuleViolation
from tests.domain.builders import Build, C, Stream, refused

KNOWN = {"drafter", "head", "member_a", "auditor", "office"}
GROUND = {"article": "Art. 39", "text": "未履行公众参与程序"}
PERSON = {"person": "drafter", "capacity": "undertaking"}


def opened(who: Actor = C.auditor, **kw: Any) -> tuple[Actor, list[Any]]:
    args: dict[str, Any] = {"grounds": [GROUND], "persons": [PERSON], "summary": " 调查 ", "known_persons": KNOWN}
    args.update(kw)
    return Case.open((who,), "c1", "d1", **args)


def case() -> Stream:
    s = Stream(Case())
    s.act(opened())
    return s


def found(s: Stream, responsible: bool = True, person: str = "drafter") -> None:
    s.act(s.agg.record_findings((C.auditor,), "查明", [{"person": person, "capacity": "undertaking",
                                                        "finding": "未征求意见", "responsible": responsible}], KNOWN))


# ACC1 ---------------------------------------------------------------------------------------------
def test_acc1_a_case_names_grounds_under_articles_38_to_41_and_the_persons_concerned() -> None:
    s = case()
    assert s.agg.state["status"] == "open" and set(s.agg.state["persons"]) == {"drafter"}
    assert s.agg.state["summary"] == "调查"
    _, events = opened(grounds=[{"article": "Art. 38 ¶2", "text": "久拖不决"}])
    assert events[0].payload["grounds"][0]["article"] == "Art. 38 ¶2"


def test_acc1_a_case_is_opened_only_by_the_auditor_organ_head_or_party_committee() -> None:
    refused(lambda: opened(C.drafter), NotPermitted, "ACC1", "Arts. 38–41")


@pytest.mark.parametrize("grounds", [[], "Art. 39", [{"article": "Art. 42", "text": "x"}],
                                     [{"article": "Art. 3", "text": "x"}], [{"article": "Art. 390", "text": "x"}]])
def test_acc1_a_case_without_grounds_under_articles_38_to_41_is_refused(grounds: Any) -> None:
    refused(lambda: opened(grounds=grounds), RuleViolation, "ACC1", "Arts. 38–41")


def test_acc1_a_ground_without_its_facts_is_malformed() -> None:
    refused(lambda: opened(grounds=[{"article": "Art. 39", "text": " "}]), InvalidInput, "ACC1", "Arts. 38–41")
    refused(lambda: opened(grounds=["Art. 39"]), InvalidInput, "ACC1", "Arts. 38–41")


def test_acc1_a_case_names_registered_persons_with_their_capacity() -> None:
    refused(lambda: opened(persons=[]), RuleViolation, "ACC1", "Arts. 38–41")
    refused(lambda: opened(persons="drafter"), RuleViolation, "ACC1", "Arts. 38–41")
    refused(lambda: opened(persons=[{"person": "drafter", "capacity": "bystander"}]), InvalidInput, "ACC1",
            "Arts. 38–41")
    refused(lambda: opened(persons=[{"person": "ghost", "capacity": "direct"}]), InvalidInput, "ACC1", "Arts. 38–41")


def test_acc2_a_person_named_in_a_case_does_not_open_it() -> None:
    refused(lambda: opened(C.head, persons=[{"person": "head", "capacity": "head"}]), NotPermitted, "ACC2",
            "Art. 38 (inference)")


# ACC2 / ACC3: findings ---------------------------------------------------------------------------------
def test_acc2_a_person_named_in_the_case_does_not_record_its_findings() -> None:
    s = case()
    drafter_as_auditor = Actor("drafter", "auditor", "市审计局")
    refused(lambda: s.agg.record_findings((drafter_as_auditor,), "x", [], KNOWN), NotPermitted, "ACC2",
            "Art. 38 (inference)")
    refused(lambda: s.agg.record_findings((C.auditor,), "x", [{"person": "auditor", "capacity": "direct",
                                                               "finding": "f", "responsible": False}], KNOWN),
            NotPermitted, "ACC2", "Art. 38 (inference)")
    refused(lambda: s.agg.record_findings((C.member_a,), "x", [], KNOWN), NotPermitted, "ACC2",
            "Art. 38 (inference)")


def test_acc3_findings_state_the_facts_and_each_persons_responsibility() -> None:
    s = case()
    refused(lambda: s.agg.record_findings((C.auditor,), " ", [], KNOWN), InvalidInput, "ACC3", "Arts. 38–41")
    for person in ({"person": "drafter", "capacity": "undertaking", "finding": " ", "responsible": True},
                   {"person": "drafter", "capacity": "undertaking", "finding": "f", "responsible": "yes"}):
        refused(lambda p=person: s.agg.record_findings((C.auditor,), "x", [p], KNOWN), InvalidInput, "ACC3",
                "Arts. 38–41")
    found(s, person="member_a")
    assert set(s.agg.state["persons"]) == {"drafter", "member_a"}


# ACC3 / ACC4: the outcome --------------------------------------------------------------------------------
def test_acc3_an_outcome_follows_findings() -> None:
    s = case()
    refused(lambda: s.agg.close((C.auditor,), "no_liability", [], set()), RuleViolation, "ACC3", "Arts. 38–41")
    found(s, responsible=False)
    refused(lambda: s.agg.close((C.auditor,), "forgiven", [], set()), InvalidInput, "ACC3", "Arts. 38–41")
    s.act(s.agg.close((C.auditor,), "no_liability", [], set(), reason=" 已整改 "))
    assert s.agg.state["status"] == "closed" and s.agg.state["outcome"]["reason"] == "已整改"
    refused(lambda: found(s), RuleViolation, "R18", "Art. 33")
    refused(lambda: s.agg.close((C.auditor,), "no_liability", [], set()), RuleViolation, "R18", "Art. 33")


def test_acc3_every_sanction_names_a_person_found_responsible_the_measure_and_its_basis() -> None:
    s = case()
    found(s)
    sanction = {"person": "drafter", "measure": "警告", "basis": "政务处分法第十条"}
    refused(lambda: s.agg.close((C.auditor,), "sanctioned", [], set()), InvalidInput, "ACC3", "Arts. 38–41")
    refused(lambda: s.agg.close((C.auditor,), "disqualified", [], set()), InvalidInput, "ACC3", "Arts. 38–41")
    for key in ("person", "measure", "basis"):
        refused(lambda k=key: s.agg.close((C.auditor,), "sanctioned", [sanction | {k: " "}], set()), RuleViolation,
                "ACC3", "Arts. 38–41")
    refused(lambda: s.agg.close((C.auditor,), "sanctioned", [sanction | {"person": "head"}], set()), RuleViolation,
            "ACC3", "Arts. 38–41")
    s.act(s.agg.close((C.auditor,), "sanctioned", [sanction], set()))
    assert s.agg.state["outcome"]["sanctions"][0]["measure"] == "警告"


def test_acc4_a_dissenter_is_sanctioned_only_with_the_reduction_considered() -> None:
    s = case()
    found(s)
    sanction = {"person": "drafter", "measure": "警告", "basis": "政务处分法第十条"}
    refused(lambda: s.agg.close((C.auditor,), "sanctioned", [sanction], {"drafter"}), RuleViolation, "ACC4",
            "Art. 38 ¶3")
    s.act(s.agg.close((C.auditor,), "sanctioned", [sanction | {"dissent_considered": "已从轻"}], {"drafter"}))


def test_r22_an_undue_delay_incident_is_opened_by_the_engine() -> None:
    [event] = Case.open_undue_delay("c2", "d1", due_by="2025-06-30", today="2025-07-01", status="in_procedure",
                                    units=["局"])
    assert event.payload["grounds"][0]["rule"] == "R22" and event.payload["incident_key"] == "undue_delay:d1"


# the ledger and trace-back (Art. 38) ------------------------------------------------------------------
def test_the_ledger_names_every_act_with_the_role_and_unit_held_and_who_dissented(b: Build) -> None:
    b.ready()
    b.meeting(opinions=[{"person": "member_a", "position": "oppose", "text": "不同意"},
                        {"person": "member_b", "position": "support", "text": "同意"},
                        {"person": "head", "position": "support", "text": "同意"}])
    b.report().finalize()
    entries = ledger(b.events)
    assert entries[0]["procedure"]["hash"] == b.spec.hash and entries[0]["article"] == "Art. 39"
    records = b.d.artifacts_of("collective_decision", "meeting_record")
    assert list(dissents(records)) == ["member_a"]
    from decision_engine.domain.accountability import meeting_positions
    people = {p["person"]: p for p in responsible(entries, meeting_positions(records), "head")}
    assert people["head"]["decided"] is True and people["head"]["capacities"][0] == "head"
    assert people["member_a"]["dissented"] is True and people["member_b"]["dissented"] is False
