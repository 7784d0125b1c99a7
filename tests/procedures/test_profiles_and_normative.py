"""One engine, many procedures: profiles, the normative-document procedure, lawful migration (issue 10)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from decision_engine import procedures
from decision_engine.domain.errors import FinalizationRefused, NotPermitted, RuleViolation
from decision_engine.domain.procedure import diff_procedures
from decision_engine.services import decisions as svc
from decision_engine.services import participation, queries


def test_every_builtin_profile_resolves_with_a_distinct_pinned_hash() -> None:
    hashes = {p: procedures.load(p).hash for p in procedures.profiles()}
    assert len(set(hashes.values())) == len(hashes) >= 5


def test_the_guofa_2010_33_profile_makes_expert_review_and_risk_assessment_unconditional() -> None:
    spec = procedures.load("guofa_2010_33")
    assert spec.gate("expert_review").condition == "always"
    assert spec.gate("risk_assessment").condition == "always"
    assert procedures.load("order713").gate("risk_assessment").condition == "flag:risk_relevant"


def test_provincial_profiles_bound_the_legality_review_in_working_days() -> None:
    a, b = procedures.load("province_a_15wd"), procedures.load("city_b_10wd")
    assert (a.durations["legality_review_max"].days, a.settings["legality_review_extension_days"]) == (15, 10)
    assert a.settings["supplement_time_excluded"] is True
    assert b.durations["legality_review_max"].days == 10


def test_a_decision_under_the_guofa_profile_cannot_skip_risk_assessment(walk: Any) -> None:
    walk.open(profile="guofa_2010_33").start().determine().coordinate().participate().legality()
    with pytest.raises(FinalizationRefused) as info:
        svc.finalize(walk.ctx, walk.c.head, walk.did)
    gates = {m.gate for m in info.value.missing}
    assert {"expert_review", "risk_assessment"} <= gates
    assert queries.get_decision(walk.ctx, walk.did)["procedure"]["profile"] == "guofa_2010_33"


def test_a_procedure_diff_shows_what_a_profile_changes() -> None:
    diff = diff_procedures(procedures.load("order713"), procedures.load("guofa_2010_33"))
    assert diff["gates"]["risk_assessment"]["condition"] == {"from": "flag:risk_relevant", "to": "always"}
    assert diff["to"]["hash"] == procedures.load("guofa_2010_33").hash


# Procedure migration (PV1) ---------------------------------------------------------------------
def test_migration_needs_the_legal_office(walk: Any) -> None:
    walk.open().start()
    with pytest.raises(NotPermitted) as info:
        svc.migrate_procedure(walk.ctx, walk.c.drafter, walk.did, "guofa_2010_33", "省里要求")
    assert info.value.rule == "PV1"


def test_a_migration_approved_by_the_legal_office_applies_and_replays(walk: Any) -> None:
    walk.open().start()
    svc.migrate_procedure(walk.ctx, walk.c.reviewer, walk.did, "guofa_2010_33", "国发〔2010〕33号要求五项必经程序")
    view = queries.get_decision(walk.ctx, walk.did)
    assert view["procedure"]["profile"] == "guofa_2010_33"
    assert next(g for g in view["gates"] if g["id"] == "risk_assessment")["status"] == "open"
    with walk.ctx.store.read() as conn:
        live, _ = svc.load(conn, walk.did)
        replayed = queries.replay(conn, walk.did)
        assert replayed.state == live.state
        before = queries.replay(conn, walk.did, upto_seq=live.state["seq"] - 1)
        assert before.state["procedure"]["profile"] == "order713"
    from decision_engine.services import verification
    assert verification.verify(walk.ctx).ok


def test_a_decided_decision_keeps_its_procedure(walk: Any) -> None:
    walk.decided()
    with pytest.raises(RuleViolation) as info:
        svc.migrate_procedure(walk.ctx, walk.c.reviewer, walk.did, "guofa_2010_33", "x")
    assert info.value.rule == "R13"


# Normative documents (ND1–ND4) -----------------------------------------------------------------
CLEAN = {"creates_licence": False, "creates_penalty": False, "creates_compulsory_measure": False,
         "creates_fee": False, "adds_obligation_without_basis": False}


def _normative(walk: Any) -> None:
    walk.open(profile="normative_document", category="normative_document", title="关于规范停车收费管理的通知")
    walk.art(walk.c.head, "start_decision", lead_unit=walk.bureau, units=[walk.bureau])
    svc.add_draft_version(walk.ctx, walk.c.drafter, walk.did, content=b"normative v1", title="v1")
    today = walk.ctx.today()
    walk.art(walk.c.drafter, "comment_notice", explanation="说明", channels=["网站"], method="留言",
             published_at=today.isoformat(), deadline=(today + timedelta(days=30)).isoformat())
    walk.ctx.clock.advance(days=31)
    participation.record_feedback_report(walk.ctx, walk.c.drafter, walk.did, other_opinions=[
        {"opinion": "收费过高", "disposition": "not_adopted", "reason": "已按成本核定（书面说明）"}])
    svc.clear_gate(walk.ctx, walk.c.bureau_head, walk.did, "public_participation")
    due = walk.ctx.calendar.add_working_days(walk.ctx.today(), 6).due.isoformat()
    walk.art(walk.c.drafter, "legality_submission", legal_basis="价格法", procedure_explanation="已征求意见",
             requested_deadline=due)


def test_nd1_a_normative_document_creating_a_fee_cannot_be_found_lawful(walk: Any) -> None:
    _normative(walk)
    with pytest.raises(RuleViolation) as info:
        walk.art(walk.c.reviewer, "legality_opinion", authority="有权", procedure="完备", content="合法",
                 conclusion="lawful", checklist=dict(CLEAN, creates_fee=True))
    assert (info.value.rule, info.value.article) == ("ND1", "seeds 001, 004")


def test_nd1_without_prior_legality_review_the_document_cannot_go_to_the_meeting(walk: Any) -> None:
    _normative(walk)
    with pytest.raises(RuleViolation) as info:
        walk.meeting()
    assert info.value.rule == "R14"


def test_normative_document_walks_to_publication_and_filing(walk: Any) -> None:
    _normative(walk)
    walk.art(walk.c.reviewer, "legality_opinion", authority="有权", procedure="完备", content="合法",
             conclusion="lawful", checklist=CLEAN)
    svc.clear_gate(walk.ctx, walk.c.legal_director, walk.did, "legality_review")
    walk.meeting()
    with pytest.raises(FinalizationRefused) as info:  # ND2: co-signature missing
        svc.finalize(walk.ctx, walk.c.head, walk.did)
    assert {m.kind for m in info.value.missing} == {"cosign_legal_office", "cosign_general_office"}
    assert info.value.missing[0].rule == "ND2"
    today = walk.ctx.today().isoformat()
    walk.art(walk.c.legal_director, "cosign_legal_office", signed_at=today)
    walk.art(walk.c.office, "cosign_general_office", signed_at=today)
    svc.finalize(walk.ctx, walk.c.head, walk.did)
    with pytest.raises(RuleViolation) as filing:  # ND3: only a published document can be filed
        walk.art(walk.c.office, "filing_record", filed_with=["superior_government", "npc_standing_committee"],
                 filed_at=today)
    assert filing.value.rule == "ND3"
    walk.art(walk.c.office, "publication_record", channels=["政府公报", "政府网站"], published_at=today)
    with pytest.raises(RuleViolation):  # ND3: both filing destinations
        walk.art(walk.c.office, "filing_record", filed_with=["superior_government"], filed_at=today)
    walk.art(walk.c.office, "filing_record", filed_with=["superior_government", "npc_standing_committee"],
             filed_at=today)
    walk.art(walk.c.office, "validity_period", valid_until="2030-12-31")
    walk.art(walk.c.reviewer, "cleanup_review", outcome="continue", reasons="仍然适用")
    view = queries.get_decision(walk.ctx, walk.did)
    assert view["status"] == "published"
    assert {g["id"]: g["status"] for g in view["gates"]}["filing"] == "cleared"


# Compliance metrics (依法行政考核) ------------------------------------------------------------------
def test_compliance_metrics_are_computed_from_the_record(walk: Any) -> None:
    from decision_engine.services import compliance
    from decision_engine.services.demo import BUREAU
    walk.decided()
    report = compliance.metrics(walk.ctx, 2025)  # the walk's clock starts on 2025-03-03
    unit = report["units"][BUREAU]
    assert unit["decisions"] == 1 and unit["finalized"] == 1
    assert unit["legality_review_rate"] == 1.0
    assert unit["share_through_gate"]["legality_review"] == 1.0
    csv_text = compliance.to_csv(report)
    assert csv_text.splitlines()[0].startswith("unit,decisions,finalized")
    assert BUREAU in csv_text and "合计" in csv_text
