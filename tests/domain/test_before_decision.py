"""The articles before the decision meeting that issue 16 found uncovered, in memory, each both ways: the
organ's level and a procedure set by another law (R1, Arts. 2, 42 and Art. 3 ¶2), where a proposal comes from
and its study (R3, Art. 10), the draft published with its explanation (R6, Art. 15 ¶1), the hearing's order
(R7, Art. 17), a third party commissioned for the risk assessment (R10, Art. 23 ¶3), the legality opinion
given promptly (R12, Art. 28), other materials in the packet (R14, Art. 29(6)) and interpretation and press
at publication (R17, Art. 32)."""

from __future__ import annotations

import copy

from decision_engine.audit.canonical import canonical
from decision_engine.domain import events as ev
from decision_engine.domain import law
from decision_engine.domain import participation as dp
from decision_engine.domain.decision import Decision
from decision_engine.domain.errors import RuleViolation
from decision_engine.domain.meeting import assemble_packet
from decision_engine.domain.procedure import Procedure
from tests.domain.builders import BUREAU, Build, C, refused


# R1, Arts. 2, 42 -------------------------------------------------------------------------------------
def test_r1_a_county_government_decides_under_the_regulation(b: Build) -> None:
    b.open(organ_level="county")
    assert (b.state["organ_level"], b.state["applies"]) == ("county", "direct")


def test_r1_a_department_or_a_township_applies_it_by_reference(b: Build) -> None:
    b.open(organ_level="township")
    assert b.state["applies"] == "by_reference"
    other = Build().open(organ_level="department")
    assert other.state["applies"] == "by_reference"


def test_r1_a_level_outside_the_regulation_is_refused_with_arts_2_and_42(b: Build) -> None:
    for level in ("village", "state_council", " "):
        refused(lambda lv=level: b.open(organ_level=lv), RuleViolation, *law.ref("R1.level").values(),
                says="县级以上地方人民政府")
    assert b.events == []  # nothing written


# R1, Art. 3 ¶2 ---------------------------------------------------------------------------------------
def test_r1_a_procedure_set_by_another_law_is_recorded_at_opening(b: Build) -> None:
    b.open(procedure_by_law="价格法第二十三条：政府定价听证")
    assert b.state["procedure_by_law"] == "价格法第二十三条：政府定价听证"
    assert b.events[0]["payload"]["procedure_by_law"] == "价格法第二十三条：政府定价听证"


def test_r1_a_procedure_by_law_must_name_the_law_or_regulation(b: Build) -> None:
    for text in ("另有规定", "  ", "本局规章规定的程序"):
        refused(lambda t=text: b.open(procedure_by_law=t), RuleViolation,
                *law.ref("R1.procedure_by_law").values())
    assert law.article("R1.procedure_by_law") == "Art. 3 ¶2"


def test_r1_an_opening_stored_before_these_fields_keeps_its_bytes_and_replays(b: Build) -> None:
    b.open()
    stored = b.events[0]
    assert not {"organ_level", "applies", "procedure_by_law"} & set(stored["payload"])
    typed = ev.DEFAULT.read(stored)
    assert isinstance(typed, ev.DecisionOpened) and typed.organ_level is None and typed.applies is None
    assert canonical(typed.to_payload()) == canonical(stored["payload"])
    again = Decision(b.spec)
    again.apply(stored)
    assert "organ_level" not in again.state and "procedure_by_law" not in again.state


# R7, Art. 17 -----------------------------------------------------------------------------------------
def _heard(b: Build) -> Build:
    """A hearing whose record was presented after it and confirmed by both listed participants."""
    from tests.domain.test_hearing import SHA, day, listed, present
    listed(b)
    for p in ("participant_a", "participant_b"):  # R7, Art. 16: the materials 12 days ahead
        b.art(C.organizer, "hearing_materials_delivery", participant=p, delivered_at=day(b, 0))
    b.advance(14)
    present(b)
    for p in (C.participant_a, C.participant_b):
        b.act(p, dp.confirm_record(b.d, (p,), sha256=SHA))
    return b


def _hearing_record(b: Build, **fields: str) -> str:
    from tests.domain.test_hearing import SHA
    people = ["participant_a", "participant_b"]
    return b.art(C.organizer, "hearing_record", participants=people, signed_by=people, summary="听证",
                 record_sha256=SHA, **fields)


def test_r7_a_hearing_record_without_the_hearings_order_is_refused_with_art_17(b: Build) -> None:
    _heard(b)
    refused(lambda: _hearing_record(b, statements="参加人陈述意见"), RuleViolation,
            *law.ref("R7.order").values(), says="介绍决策草案")
    refused(lambda: _hearing_record(b, presentation="承办单位介绍草案"), RuleViolation, "R7", "Art. 17",
            says="质证和辩论")
    refused(lambda: _hearing_record(b, presentation=" ", statements=" "), RuleViolation, "R7", "Art. 17")
    assert b.d.latest("hearing", "hearing_record") is None


def test_r7_a_record_stating_the_presentation_and_the_statements_is_kept(b: Build) -> None:
    _heard(b)
    _hearing_record(b, presentation="承办单位介绍草案、依据和有关情况", statements="参加人陈述意见，询问、质证和辩论")
    assert b.d.latest("hearing", "hearing_record")["fields"]["presentation"].startswith("承办单位")
    assert b.gate("hearing") == "cleared"


# R10, Art. 23 ¶3 -------------------------------------------------------------------------------------
def _risky(b: Build) -> Build:
    return b.open().start().determine(risk_relevant=True)


def test_r10_a_third_party_assessment_without_the_commissioning_unit_is_refused(b: Build) -> None:
    _risky(b)
    cit = law.ref("R10.commission")
    refused(lambda: b.risk(third_party="某社会稳定风险评估中心"), RuleViolation, *cit.values(), says="委托单位")
    refused(lambda: b.risk(commissioned_by=BUREAU), RuleViolation, *cit.values(), says="第三方")
    refused(lambda: b.risk(third_party="某评估中心", commissioned_by="某评估中心"), RuleViolation, *cit.values())
    assert law.article("R10.commission") == "Art. 23 ¶3"
    assert b.d.latest("risk_assessment", "risk_report") is None


def test_r10_a_third_party_is_recorded_with_who_commissioned_it_and_an_own_assessment_needs_neither(
        b: Build) -> None:
    _risky(b)
    b.risk(third_party="某社会稳定风险评估中心", commissioned_by=BUREAU)
    f = b.d.latest("risk_assessment", "risk_report")["fields"]
    assert (f["third_party"], f["commissioned_by"]) == ("某社会稳定风险评估中心", BUREAU)
    b.draft("v2")
    b.risk()  # the unit's own assessment (Art. 22): no commission to record


# R6, Art. 15 ¶1 --------------------------------------------------------------------------------------
def test_r6_a_notice_without_an_explanation_of_the_draft_is_refused_with_art_15_para_1(b: Build) -> None:
    b.open().start().determine().coordinate()
    cit = law.ref("R6.explanation")
    assert cit["article"] == "Art. 15 ¶1"
    refused(lambda: b.notice(explanation="   "), RuleViolation, *cit.values(), says="决策草案及其说明")
    refused(lambda: b.notice(explanation="v1"), RuleViolation, *cit.values())  # the draft's title repeated
    refused(lambda: b.notice(explanation="关于调整公交票价的决定"), RuleViolation, *cit.values())
    refused(lambda: b.notice(draft_version=2), RuleViolation, *cit.values(), says="当前版本")
    assert b.d.artifacts_of("public_participation", "comment_notice") == []


def test_r6_a_notice_with_its_explanation_is_kept_and_expert_interviews_stay_a_may(b: Build) -> None:
    b.open().start().determine().coordinate()
    b.notice(explanation="起草背景、依据和主要内容的说明", draft_version=1)
    b.notice(explanation="调价方案说明", expert_interview="邀请价格专家接受访谈解释测算方法")
    assert len(b.d.artifacts_of("public_participation", "comment_notice")) == 2


# R17, Art. 32 ----------------------------------------------------------------------------------------
def test_r17_an_interpretation_without_its_means_is_refused_with_art_32(b: Build) -> None:
    b.decided()
    cit = law.ref("R17.interpretation")
    for means in (None, [], ["  "], "", 3):
        extra = {} if means is None else {"means": means}
        refused(lambda x=extra: b.art(C.office, "interpretation", text="政策解读", **x), RuleViolation,
                *cit.values(), says="新闻发布会")
    assert b.d.artifacts_of("publication", "interpretation") == []


def test_r17_an_interpretation_by_press_conference_or_another_named_means_is_kept(b: Build) -> None:
    b.decided()
    b.art(C.office, "interpretation", text="政策解读", means=["press_conference"])
    b.art(C.office, "interpretation", text="政策解读", means="电视访谈节目")
    assert len(b.d.artifacts_of("publication", "interpretation")) == 2


# R14, Art. 29(6) -------------------------------------------------------------------------------------
def test_r14_an_other_material_without_its_name_or_reason_is_refused_with_art_29_6(b: Build) -> None:
    b.ready()
    cit = law.ref("R14.other_materials")
    assert cit["article"] == "Art. 29(6)"
    refused(lambda: b.art(C.drafter, "other_material", title="成本监审报告", reason="  "), RuleViolation,
            *cit.values(), says="报送理由")
    refused(lambda: b.art(C.drafter, "other_material", title=" ", reason="供会议参考"), RuleViolation, *cit.values())
    assert "other_materials" not in assemble_packet(b.d)  # none: the packet keeps its earlier shape and hash


def test_r14_other_materials_go_into_the_packet(b: Build) -> None:
    b.ready()
    aid = b.art(C.drafter, "other_material", title="成本监审报告", reason="票价调整须附成本监审结论")
    others = assemble_packet(b.d)["other_materials"]
    assert [(o["artifact_id"], o["title"], o["reason"]) for o in others] == [
        (aid, "成本监审报告", "票价调整须附成本监审结论")]


# R12, Art. 28 ----------------------------------------------------------------------------------------
def test_r12_the_opinion_is_due_by_the_deadline_the_submission_allows_and_the_clock_cites_art_28(b: Build) -> None:
    from decision_engine.domain.rules.legality import opinion_due
    from decision_engine.services.clock_duties import watched
    b.open().start().determine().coordinate().participate()
    assert opinion_due(b.d, b.cal) is None  # nothing submitted: nothing due
    b.submission(9)
    due = b.cal.add_working_days(b.today, 9).due
    assert opinion_due(b.d, b.cal) == (due, False)
    w = next(x for x in watched(b.d, b.cal, b.today) if x.name == "legality_review")
    assert (w.due, w.rule, w.article, w.role) == (due, "R12", "Art. 28", "legality_reviewer")
    assert law.ref("R12.prompt") == {"rule": w.rule, "article": w.article}


def test_r12_an_opinion_given_and_cleared_is_no_longer_due(b: Build) -> None:
    from decision_engine.domain.rules.legality import opinion_due
    from decision_engine.services.clock_duties import watched
    b.ready()
    assert opinion_due(b.d, b.cal) is None
    assert [x for x in watched(b.d, b.cal, b.today) if x.name == "legality_review"] == []


# R3, Art. 10 -----------------------------------------------------------------------------------------
PROPOSAL = {"problem": "公交运营亏损", "reasons": "成本上升", "basis": "价格法", "plan": "分步调价", "necessity": "必要",
            "feasibility": "可行"}


def _start(b: Build) -> None:
    b.art(C.head, "start_decision", lead_unit=BUREAU, units=[BUREAU], affected_units=[])


def test_r3_a_proposal_passed_to_a_unit_must_be_studied_before_the_start(b: Build) -> None:
    b.open()
    cit = law.ref("R3.study")
    refused(lambda: b.art(C.drafter, "proposal", **PROPOSAL), RuleViolation, *cit.values(), says="提出者")
    refused(lambda: b.art(C.drafter, "proposal", source="someone", **PROPOSAL), RuleViolation, *cit.values())
    pid = b.art(C.office, "proposal", source="deputy", **PROPOSAL)
    refused(lambda: _start(b), RuleViolation, *cit.values(), says="研究论证")
    refused(lambda: b.art(C.drafter, "proposal_study", proposal_id="nope", unit=BUREAU, study="论证"), RuleViolation,
            *cit.values())
    refused(lambda: b.art(C.drafter, "proposal_study", proposal_id=pid, unit=BUREAU, study=" "), RuleViolation,
            *cit.values())
    assert b.state["start"] is None


def test_r3_a_studied_proposal_or_one_argued_by_the_proposing_department_lets_the_organ_start(b: Build) -> None:
    b.open()
    pid = b.art(C.office, "proposal", source="citizen", **PROPOSAL)
    b.art(C.drafter, "proposal_study", proposal_id=pid, unit=BUREAU, study="经调研论证，建议启动")
    b.art(C.office, "proposal", source="department", **PROPOSAL)  # argued by the department itself, Art. 10(2)
    _start(b)
    assert b.state["start"] is not None


def test_r3_without_the_procedure_flag_a_start_needs_no_proposal_and_with_it_one_is_required() -> None:
    plain = Build().open()
    _start(plain)  # proposal_before_start = false in order713.toml: existing flows start as before
    assert plain.state["start"] is not None
    flagged = Build()
    flagged.spec = _with_setting(flagged.spec, proposal_before_start=True)
    flagged.d = Decision(flagged.spec)
    flagged.open()
    refused(lambda: _start(flagged), RuleViolation, *law.ref("R3.study").values(), says="决策事项建议")
    flagged.art(C.office, "proposal", source="department", **PROPOSAL)
    _start(flagged)
    assert flagged.state["start"] is not None


def _with_setting(spec: Procedure, **settings: object) -> Procedure:
    """The procedure with a profile's settings overlaid (as a jurisdiction profile would set them)."""
    data = copy.deepcopy(spec.data)
    data.setdefault("settings", {}).update(settings)
    return Procedure(data)
