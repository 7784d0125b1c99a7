"""Authority is a relation (AR1–AR13, `domain/authority.py`): the relation matrix in memory.

Two governments — a city and a county under it — each with its head, offices and departments. Every act is
tried by the person the record names for this decision, by a person holding the same role in another unit
of the same organ, and by one holding it in the other government: allowed exactly for the first.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from decision_engine.domain import authority
from decision_engine.domain import organisation as org
from decision_engine.domain.decision import Actor
from decision_engine.domain.errors import NotPermitted
from tests.domain.builders import BUREAU, FINANCE, GOVERNMENT, JUSTICE, OFFICE, Build, C, refused

CITY, COUNTY = "city", "county"
COUNTY_GOV, COUNTY_BUREAU, COUNTY_JUSTICE = "县人民政府", "县交通运输局", "县司法局"
CHART = org.fold(org.OrgChart.single_organ(), org.from_file({
    "organs": [
        {"id": CITY, "name": "某市人民政府", "level": "city", "units": [
            {"id": GOVERNMENT, "kind": "leadership"}, {"id": OFFICE, "kind": "general_office"},
            {"id": JUSTICE, "kind": "legal_office"}, {"id": BUREAU}, {"id": FINANCE},
            {"id": "某区交通局"}, {"id": "市委", "kind": "party_committee"}]},
        {"id": COUNTY, "name": "某县人民政府", "level": "county", "superior": CITY, "units": [
            {"id": COUNTY_GOV, "kind": "leadership"}, {"id": COUNTY_BUREAU}, {"id": COUNTY_JUSTICE, "kind": "legal_office"}]},
    ],
    "units": [{"id": "省监察委员会", "organ": None, "kind": "supervisory"}],
}))

VICE = Actor("vice", "admin_head", GOVERNMENT, "副市长（另一位首长）")
COUNTY_HEAD = Actor("county_head", "admin_head", COUNTY_GOV, "县长")


def charted() -> Build:
    b = Build()
    b.d.chart = CHART
    plain = b.open
    b.open = lambda **kw: plain(**({"chart": CHART} | kw))  # type: ignore[method-assign]
    return b


def twin(a: Actor, unit: str) -> Actor:
    """The same role held in another unit."""
    return Actor(f"{a.person}@{unit}", a.role, unit, f"{a.name}（{unit}）")


def matrix(act: Callable[[Build, Actor], object], right: Actor, same_organ: Actor | None, other_organ: Actor,
           setup: Callable[[Build], object], rule: str, article: str, *, other: tuple[str, str] | None = None
           ) -> None:
    """The act is refused (rule, article) to the wrong persons and allowed to the right one; `other` is the
    refusal of the other government's person when it is the organ rule that stops them first (AR1)."""
    for wrong, (r, a) in ((same_organ, (rule, article)), (other_organ, other or (rule, article))):
        if wrong is None:
            continue
        b = charted()
        setup(b)
        err = refused(lambda w=wrong, bb=b: act(bb, w), NotPermitted, r, a)
        assert "不是" in err.message and (wrong.name in err.message)
    b = charted()
    setup(b)
    act(b, right)


def test_the_decision_organ_is_fixed_at_opening_from_the_undertaking_unit() -> None:
    b = charted()
    b.open()
    assert b.state["organ"] == CITY and b.d.parties().organ == CITY
    refused(lambda: charted().open(actor=twin(C.drafter, COUNTY_BUREAU)), NotPermitted, "AR2", "Art. 11")
    refused(lambda: charted().open(unit="某个不存在的单位"), NotPermitted, "AR2", "Art. 11")


def test_ar2_only_the_units_the_start_decision_named_draft_and_submit() -> None:
    matrix(lambda b, a: b.draft("v2", actor=a), C.drafter, twin(C.drafter, FINANCE),
           twin(C.drafter, COUNTY_BUREAU), lambda b: b.open().start(), "AR2", "Art. 11")
    matrix(lambda b, a: b.determination("specialised", False, actor=a), C.drafter, twin(C.drafter, FINANCE),
           twin(C.drafter, COUNTY_BUREAU), lambda b: b.open().start(), "AR2", "Art. 11")


def test_ar2_only_a_named_unit_clears_public_participation() -> None:
    def setup(b: Build) -> None:
        b.open().start().determine().coordinate()
        b.notice()
        b.advance(31)
        b.summary()
    matrix(lambda b, a: b.clear("public_participation", a), C.bureau_head, twin(C.bureau_head, FINANCE),
           twin(C.bureau_head, COUNTY_BUREAU), setup, "AR2", "Art. 11")


def test_sod1_only_the_organs_legal_office_gives_the_legality_opinion() -> None:
    def setup(b: Build) -> None:
        b.open().start().determine().coordinate().participate()
        b.submission()
        b.art(C.adviser, "legal_adviser_opinion", opinion="合法")
    matrix(lambda b, a: b.art(a, "legality_opinion", authority="有权", procedure="完备", content="合法",
                              conclusion="lawful"), C.reviewer, twin(C.reviewer, OFFICE),
           twin(C.reviewer, COUNTY_JUSTICE), setup, "SoD1", "Arts. 25, 28")


def test_ar7_only_the_head_who_presided_the_adopting_meeting_finalizes() -> None:
    def setup(b: Build) -> None:
        b.ready().meeting().report()
    matrix(lambda b, a: b.commit(a, b.d.finalize((a,), b.today)), C.head, VICE, COUNTY_HEAD, setup,
           "AR7", "Art. 30", other=("AR1", "Arts. 4, 30"))


def test_ar8_only_the_organs_own_head_suspends_and_resumes() -> None:
    def setup(b: Build) -> None:
        b.published()
    matrix(lambda b, a: b.commit(a, b.d.suspend((a,), "major_change_of_circumstances", "情况变化")), C.head, None, COUNTY_HEAD,
           setup, "AR8", "Arts. 35, 37")


def test_r19_only_a_designated_execution_unit_reports() -> None:
    def setup(b: Build) -> None:
        b.executing()
    matrix(lambda b, a: b.art(a, "execution_report", report_kind="progress", summary="进展"), C.executor,
           twin(C.executor, FINANCE), twin(C.executor, COUNTY_BUREAU), setup, "R19", "Art. 34")


def test_ar1_the_organ_of_another_government_records_nothing_in_this_decision() -> None:
    def setup(b: Build) -> None:
        b.decided()
    matrix(lambda b, a: b.art(a, "publication_record", channels=["政府公报"], published_at=b.today.isoformat()),
           C.office, None, twin(C.office, COUNTY_GOV), setup, "AR1", "Arts. 4, 30")


def test_ar11_the_competent_authority_is_the_superior_organ_or_the_supervisory_organ_never_the_examined() -> None:
    b = charted()
    b.open(unit=COUNTY_BUREAU, actor=twin(C.drafter, COUNTY_BUREAU))
    p = b.d.parties()
    assert p.organ == COUNTY
    assert authority.relation_holds("accountability", C.head, p, CHART)  # the city is the county's superior
    assert authority.relation_holds("accountability", Actor("s", "decision_organ", "省监察委员会"), p, CHART)
    assert not authority.relation_holds("accountability", COUNTY_HEAD, p, CHART)  # the organ examined
    c = charted()
    c.open()
    assert not authority.relation_holds("accountability", COUNTY_HEAD, c.d.parties(), CHART)  # a subordinate


def test_ar13_reading_follows_the_relation() -> None:
    b = charted()
    b.open().start().determine(specialised=True)
    b.art(C.drafter, "selection_note", method="随机抽取", experts="专家甲", expert_ids=[C.expert_a.person],
          dissent_included=True)
    state = b.state
    assert authority.may_read((C.drafter,), state, CHART)
    assert authority.may_read((twin(C.drafter, FINANCE),), state, CHART)  # staff of the same organ
    assert not authority.may_read((twin(C.drafter, COUNTY_BUREAU),), state, CHART)  # another government
    assert authority.may_read((C.expert_a,), state, CHART)  # selected
    assert not authority.may_read((C.expert_b,), state, CHART)  # not selected
    assert authority.may_read((C.auditor,), state, CHART)
    county = charted()
    county.open(unit=COUNTY_BUREAU, actor=twin(C.drafter, COUNTY_BUREAU))
    assert authority.may_read((C.head,), county.state, CHART)  # the superior organ supervises (Art. 38 ¶1)
    assert not authority.may_read((C.expert_a,), county.state, CHART)  # an external party to another
    assert not authority.may_read((COUNTY_HEAD,), b.state, CHART)  # a subordinate never reads upward


@pytest.mark.parametrize("when", [0, 40])
def test_the_single_organ_chart_keeps_unit_relations(when: int) -> None:
    """Without an org file every unit is in one organ: organ relations hold, unit relations still bite."""
    b = Build()
    b.open().start()
    b.advance(when)
    refused(lambda: b.draft("v2", actor=twin(C.drafter, FINANCE)), NotPermitted, "AR2", "Art. 11")
    b.draft("v2")
    assert b.d.parties().organ == org.SINGLE and timedelta(days=when).days == when
