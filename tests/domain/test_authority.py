"""Authority is a relation (AR1–AR13, `domain/authority.py`): the relation matrix in memory.

Two governments — a city and a county under it — each with its head, offices and departments. Every act is
tried by the person the record names for this decision, by a person holding the same role in another unit
of the same organ, and by one holding it in the other government: allowed exactly for the first.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import timedelta

from decision_engine.domain import authority
from decision_engine.domain import organisation as org
from decision_engine.domain.decision import Actor
from decision_engine.domain.errors import NotPermitted, RuleViolation
from tests.domain.builders import BUREAU, FINANCE, GOVERNMENT, JUSTICE, OFFICE, Build, C, refused

CITY, COUNTY = "city", "county"
COUNTY_GOV, COUNTY_BUREAU, COUNTY_JUSTICE = "县人民政府", "县交通运输局", "县司法局"
CHART = org.fold(org.OrgChart.single_organ(), org.parse_file({
    "organs": [
        {"id": CITY, "name": "某市人民政府", "level": "city", "units": [
            {"id": GOVERNMENT, "kind": "leadership"}, {"id": OFFICE, "kind": "general_office"},
            {"id": JUSTICE, "kind": "legal_office"}, {"id": BUREAU}, {"id": FINANCE},
            {"id": "某区交通局"}, {"id": "市委", "kind": "party_committee"},
            {"id": "市监察委员会", "kind": "supervisory"}]},
        {"id": COUNTY, "name": "某县人民政府", "level": "county", "superior": CITY, "units": [
            {"id": COUNTY_GOV, "kind": "leadership"}, {"id": COUNTY_BUREAU}, {"id": COUNTY_JUSTICE, "kind": "legal_office"}]},
    ],
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
    matrix(lambda b, a: b.commit(a, b.d.suspend((a,), "major_change_of_circumstances", "情况变化", "情况紧急")), C.head, None, COUNTY_HEAD,
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
    assert authority.relation_holds("accountability", Actor("s", "decision_organ", "市监察委员会"), p, CHART)
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


def test_the_single_organ_chart_keeps_unit_relations() -> None:
    """Without an org file every unit is in one organ: organ relations hold, unit relations still bite."""
    b = Build()
    b.open().start()
    refused(lambda: b.draft("v2", actor=twin(C.drafter, FINANCE)), NotPermitted, "AR2", "Art. 11")
    b.draft("v2")
    p = b.d.parties()
    assert p.organ == org.SINGLE
    assert authority.relation_holds("organ", twin(C.drafter, FINANCE), p, b.d.chart)  # any unit: the one organ
    assert not authority.relation_holds("undertaking", twin(C.drafter, FINANCE), p, b.d.chart)


def test_ar1_the_organ_stays_the_one_fixed_at_opening_when_the_unit_moves_later() -> None:
    b = charted()
    b.open().start()
    moved = org.fold(CHART, [("UnitMoved", {"id": BUREAU, "organ": COUNTY})])
    b.d.chart = moved
    assert b.d.parties().organ == CITY  # recorded in DecisionOpened, not re-read from today's chart
    refused(lambda: b.draft("v2"), NotPermitted, "AR2", "Art. 11")  # the bureau now belongs to the county
    old = dict(b.state)
    del old["organ"]  # a decision opened before the organ was recorded: its unit's organ, as the chart says
    assert authority.decision_organ(old, moved) == COUNTY and authority.decision_organ(old, CHART) == CITY


def test_sod5_once_a_list_is_published_only_the_listed_participants_stand_in_the_relation() -> None:
    b = charted()
    b.open().start()
    p = b.d.parties()
    assert not p.hearing_list and authority.relation_holds("hearing_participant", C.participant_a, p, CHART)
    assert not authority.may_read((C.participant_a,), b.state, CHART)  # nobody listed: nothing to read
    b.state["artifacts"]["l1"] = {"kind": "hearing_participant_list", "fields": {"participants": ["participant_a"]},
                                  "author": C.drafter.to_dict()}
    p = b.d.parties()
    assert p.hearing_list and p.hearing_participants == frozenset({"participant_a"})
    assert authority.relation_holds("hearing_participant", C.participant_a, p, CHART)
    assert not authority.relation_holds("hearing_participant", C.participant_b, p, CHART)
    assert authority.may_read((C.participant_a,), b.state, CHART)
    assert not authority.may_read((C.participant_b,), b.state, CHART)


def test_ar3_a_legal_adviser_is_the_organs_or_an_outside_one_never_an_undertaking_unit() -> None:
    b = charted()
    b.open().start()
    p = b.d.parties()
    assert authority.relation_holds("adviser", C.adviser, p, CHART)  # an outside law firm
    assert authority.relation_holds("adviser", twin(C.adviser, OFFICE), p, CHART)
    assert not authority.relation_holds("adviser", twin(C.adviser, BUREAU), p, CHART)
    assert not authority.relation_holds("adviser", twin(C.adviser, COUNTY_JUSTICE), p, CHART)


def test_ar12_the_party_committee_of_the_same_level_and_the_superior_organ() -> None:
    b = charted()
    b.open()
    p = b.d.parties()
    committee = Actor("pc", "party_committee", "市委")
    assert authority.relation_holds("party_committee", committee, p, CHART)
    assert not authority.relation_holds("party_committee", twin(committee, OFFICE), p, CHART)
    plain = Build()
    plain.open()
    assert authority.relation_holds("party_committee", committee, plain.d.parties(), org.OrgChart.single_organ())
    county = charted()
    county.open(unit=COUNTY_BUREAU, actor=twin(C.drafter, COUNTY_BUREAU))
    cp = county.d.parties()
    assert not authority.relation_holds("party_committee", committee, cp, CHART)  # not the county's own
    assert authority.relation_holds("superior", C.head, cp, CHART)
    assert not authority.relation_holds("superior", COUNTY_HEAD, cp, CHART)
    assert not authority.relation_holds("superior", COUNTY_HEAD, p, CHART)


def test_ar13_an_assessor_reads_what_it_reported_on_and_nothing_else() -> None:
    b = charted()
    b.open().start()
    assessor = C.assessor
    assert not authority.may_read((assessor,), b.state, CHART)
    b.state["artifacts"]["r1"] = {"kind": "risk_report", "fields": {}, "author": assessor.to_dict()}
    assert authority.may_read((assessor,), b.state, CHART)
    in_organ = twin(assessor, OFFICE)  # the organ's own assessment office
    assert authority.may_read((in_organ,), b.state, CHART)
    assert not authority.may_read((twin(assessor, BUREAU),), charted().open().state, CHART)
    assert not authority.may_read((twin(assessor, COUNTY_BUREAU),), charted().open().state, CHART)


def test_a_role_the_act_does_not_allow_is_named_with_the_roles_the_person_holds() -> None:
    b = charted()
    b.open().start()
    err = refused(lambda: b.draft("v2", actor=C.auditor), NotPermitted, "R3", "Art. 12")
    assert err.message.endswith("the person holds: auditor") and "undertaking_unit" in err.message
    err = refused(lambda: b.d.pick((), ("undertaking_unit", "admin_head"), "x", "R3", "Art. 11"), NotPermitted,
                  "R3", "Art. 11")
    assert err.message == "x needs one of the roles undertaking_unit, admin_head; the person holds: none"


def test_without_an_org_file_the_organs_staff_hold_the_organ_relations_and_read() -> None:
    plain = Build()
    plain.open().start()
    p, single = plain.d.parties(), org.OrgChart.single_organ()
    assert authority.relation_holds("accountability", C.head, p, single)
    assert authority.relation_holds("npc", Actor("npc", "npc", "市人大常委会"), p, single)
    assert authority.may_read((twin(C.drafter, FINANCE),), plain.state, single)
    charted_p = charted().open().d.parties()
    npc = Actor("npc", "npc", "市人大常委会")
    assert not authority.relation_holds("npc", npc, charted_p, CHART)  # not a unit of the city on the chart
    err = refused(lambda: plain.draft("v2", actor=twin(C.drafter, FINANCE)), NotPermitted, "AR2", "Art. 11")
    assert "关于调整公交票价的决定" in err.message  # the refusal names the decision by its title
    err = refused(lambda: plain.d.pick((C.auditor, C.expert_a), ("undertaking_unit",), "x", "R3", "Art. 11"),
                  NotPermitted, "R3", "Art. 11")
    assert err.message.endswith("the person holds: auditor, expert")


def test_sod7_the_same_level_party_committee_replies_to_the_report_itself() -> None:
    committee = Actor("pc", "party_committee", "市委", "市委办公室")
    county_committee = Actor("cpc", "party_committee", COUNTY_GOV, "县委")  # a county unit standing in for it
    b = charted()
    b.ready().meeting()
    refused(lambda: b.art(committee, "party_reply", reply="同意", replied_at=b.today.isoformat()),
            RuleViolation, "SoD7", "Art. 31")  # nothing reported yet
    b.report()
    refused(lambda: b.art(C.office, "party_reply", reply="同意", replied_at=b.today.isoformat()), NotPermitted,
            "SoD7", "Art. 31")  # the organ does not answer its own report
    refused(lambda: b.art(twin(committee, OFFICE), "party_reply", reply="同意", replied_at=b.today.isoformat()),
            NotPermitted, "AR12", "Art. 31")  # not the Party committee
    refused(lambda: b.art(county_committee, "party_reply", reply="同意", replied_at=b.today.isoformat()),
            NotPermitted, "AR12", "Art. 31")  # another level's
    refused(lambda: b.art(committee, "party_reply", reply="同意",
                          replied_at=(b.today + timedelta(days=1)).isoformat()), RuleViolation, "SoD7", "Art. 31")
    b.art(committee, "party_reply", reply="同意出台", replied_at=b.today.isoformat())
    reply = b.d.latest("party_report", "party_reply")
    assert reply is not None and reply["author"]["person"] == "pc"


def test_ar7_a_profile_may_name_the_organs_head_as_the_one_who_finalizes() -> None:
    """`finalized_by = "organ_head"` in a profile's settings: any head of the decision's organ finalizes
    (the vice head here); the other government's head still does not (AR1)."""
    b = charted()
    spec = copy.copy(b.spec)  # the loaded procedure is shared: the profile's setting goes on a copy
    spec.settings = {**spec.settings, "finalized_by": "organ_head"}
    b.spec = b.d.spec = spec
    b.ready().meeting().report()
    refused(lambda: b.commit(COUNTY_HEAD, b.d.finalize((COUNTY_HEAD,), b.today)), NotPermitted, "AR1", "Arts. 4, 30")
    b.commit(VICE, b.d.finalize((VICE,), b.today))
    assert b.state["status"] == "decided"
    plain = charted()
    plain.ready().meeting().report()  # the default: only the presiding head
    refused(lambda: plain.commit(VICE, plain.d.finalize((VICE,), plain.today)), NotPermitted, "AR7", "Art. 30")


def test_ar13_the_list_filter_admits_exactly_what_the_read_rule_allows_a_staff_reader() -> None:
    """`read_scope(...).admits` is the predicate the decision list's query writes in SQL: for every staff
    reader it agrees with `may_read` on decisions of both governments, on decisions opened before the organ
    was recorded, and on the single-organ chart; the auditor reads all; an external party makes it inexact."""
    city, county = charted(), charted()
    city.open().start()
    county.open(unit=COUNTY_BUREAU, actor=twin(C.drafter, COUNTY_BUREAU))
    plain = Build()
    plain.open().start()
    legacy = {k: v for k, v in city.state.items() if k != "organ"}
    stranger = Actor("s", "undertaking_unit", "某外省单位", "外单位人员")  # a unit on no organ of the chart
    readers = [(C.head,), (C.drafter,), (COUNTY_HEAD,), (twin(C.reviewer, COUNTY_JUSTICE),), (stranger,),
               (C.drafter, COUNTY_HEAD), (C.secretary,)]
    cases = 0
    for chart, states in ((CHART, (city.state, county.state, legacy)),
                          (org.OrgChart.single_organ(), (plain.state, legacy))):
        for actors in readers:
            scope = authority.read_scope(actors, chart)
            assert scope.exact and not scope.everything
            for state in states:
                cases += 1
                assert scope.admits(state.get("organ"), str(state["unit"])) == \
                    authority.may_read(actors, state, chart), (actors, state.get("organ"), state["unit"])
    assert cases == 35
    assert authority.read_scope((C.head,), CHART).admits(COUNTY, COUNTY_BUREAU)  # the city reads the county
    assert not authority.read_scope((COUNTY_HEAD,), CHART).admits(CITY, BUREAU)  # never upward
    assert authority.read_scope((C.auditor,), CHART).everything
    assert not authority.read_scope((C.drafter, C.expert_a), CHART).exact  # an expert reads by the record
