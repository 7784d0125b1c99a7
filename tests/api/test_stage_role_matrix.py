"""The (role × endpoint) matrix for the routes of the collective decision, the stage acts and the acts after
the decision (api/routes_meetings.py, routes_stages.py, routes_after.py): each act allowed exactly for the
roles the rule book names and denied (403, or 401 for the public) to every other role, with the decision
unchanged — the same check as `test_role_matrix.py`, on these cases. `test_mutations_leave_events.py` also
runs them: every allowed act leaves its event, every refused one only the evidence."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from decision_engine.services import accountability as acc
from decision_engine.services import execution, experts, hearings, identity, notifications
from decision_engine.services import meetings as mtg
from decision_engine.services import queries as q
from decision_engine.services.demo import hold_change_meeting
from decision_engine.services.notifications import Planned
from tests.api.test_role_matrix import (
    ADMIN,
    EVERYONE,
    HEAD,
    NOT_PARTIES,
    ORGAN,
    PUBLIC,
    UNIT,
    Case,
    Matrix,
    decided,
    hearing,
    specialised,
    submitted,
)
from tests.api.test_role_matrix import test_each_role_is_allowed_or_denied_as_the_rule_book_says as check
from tests.stages.test_meetings import secretary

SECRETARIAT = frozenset({"secretariat"})
CASE_ROLES = frozenset({"auditor", "decision_organ", "admin_head", "party_committee"})
PROCEDURE = frozenset(r for r in EVERYONE if r not in ("auditor", "system_admin", "security_admin", "audit_admin",
                                                        PUBLIC))


# --------------------------------------------------------------------------------------------- stages
def _ready(w: Any) -> None:
    w.ready()


def convened(w: Any) -> None:
    """A ready decision and a meeting presided by the matrix's head, with the matrix's member."""
    w.ready()
    w.sec = secretary(w.ctx)
    w.mid = mtg.convene(w.ctx, w.sec, meeting_type="executive", title="常务会议", held_on=w.ctx.today().isoformat(),
                        head=w.m.person["admin_head"], members=[w.m.person["meeting_member"]]).meeting_id


def on_agenda(w: Any) -> None:
    convened(w)
    mtg.place_on_agenda(w.ctx, w.sec, w.mid, w.did)


def seated(w: Any) -> None:
    on_agenda(w)
    mtg.record_attendance(w.ctx, w.sec, w.mid, [w.m.person["meeting_member"], w.m.person["admin_head"]])


def debated(w: Any) -> None:
    seated(w)
    for who in (w.m.person["meeting_member"], w.m.person["admin_head"]):
        mtg.record_opinion(w.ctx, who, w.mid, 1, speaker=who, position="support", text="同意")


def item_decided(w: Any) -> None:
    debated(w)
    mtg.decide_item(w.ctx, w.m.person["admin_head"], w.mid, 1, outcome="adopt")


def change_adopted(change: str) -> Any:
    """A decided decision whose change (terminate, adjust) its organ's meeting adopted (R20, Arts. 30, 37)."""
    def stage(w: Any) -> None:
        w.decided()
        w.mid, w.item = hold_change_meeting(w.ctx, w.c, w.did, change)
    return stage


def minuted(w: Any) -> None:
    item_decided(w)
    mtg.generate_minutes(w.ctx, w.sec, w.mid)


def evaluated(w: Any) -> None:
    decided(w)
    w.art(w.c.office, "evaluation_commission", evaluator_unit="某第三方评估机构", trigger="organ_decision", reasons="按期")
    execution.evaluate(w.ctx, w.c.evaluator, w.did, trigger="organ_decision", public_input="问卷",
                       deputy_participation="代表", findings="达到预期", recommendation="continue")
    w.eid = next(a["id"] for a in q.get_decision(w.ctx, w.did)["artifacts"] if a["kind"] == "evaluation_report")


def case_opened(w: Any) -> None:
    decided(w)
    w.cid = acc.open_case(w.ctx, w.c.office, w.did, grounds=[{"article": "Art. 39", "text": "未依法征求意见"}],
                          persons=[{"person": w.c.drafter, "capacity": "direct"}]).case_id


def case_found(w: Any) -> None:
    case_opened(w)
    acc.record_findings(w.ctx, w.c.office, w.cid, findings="无过错", persons=[
        {"person": w.c.drafter, "capacity": "direct", "finding": "无过错", "responsible": False}])


def selected(w: Any) -> None:
    """A specialised decision with the matrix's expert selected (from outside the pool, with the reason)."""
    specialised(w)
    me = w.m.person["expert"]
    experts.select_experts(w.ctx, w.c.drafter, w.did, expert_ids=[me], method="随机抽取", reasons="专业对口",
                           dissent_included=True, outside_pool_reason="库内无该领域专家")
    experts.declare_conflict(w.ctx, me, w.did, direct_interest=False, statement="无利害关系")


def heard(w: Any) -> None:
    """A hearing held today with the matrix's participant on the published list."""
    hearing(w)
    today = w.ctx.today()
    w.art(w.c.drafter, "hearing_notice", published_at=today.isoformat(),
          hearing_at=(today + timedelta(days=10)).isoformat(), place="会议室")
    hearings.publish_selection_method(w.ctx, w.c.drafter, w.did, method="自愿报名、随机选取")
    w.ctx.clock.advance(days=1)  # selection follows the method's publication (R7, Art. 16)
    hearings.publish_participants(w.ctx, w.c.drafter, w.did, participants=[w.m.person["hearing_participant"]],
                                  selected_at=w.ctx.today().isoformat())
    w.ctx.clock.advance(days=9)


def presented(w: Any) -> None:
    heard(w)
    hearings.present_record(w.ctx, w.c.drafter, w.did, content="听证笔录".encode())
    w.record_sha = hearings.hearing_status(w.ctx, w.did)["records"][-1]["sha256"]


def secret_decided(w: Any) -> None:
    """A decision determined non-disclosable by law, decided (R5, R17)."""
    w.open().start().determine(nondisclosable=True).coordinate().participate().legality()
    w.meeting().report()
    w.svc.finalize(w.ctx, w.c.head, w.did)


def noticed(w: Any) -> None:
    w.open().start().determine().coordinate()
    today = w.ctx.today()
    w.art(w.c.drafter, "comment_notice", explanation="说明", channels=["网站"], method="留言",
          published_at=today.isoformat(), deadline=(today + timedelta(days=30)).isoformat())


def notified(w: Any) -> None:
    """A decision and a reminder to the matrix's undertaking-unit person."""
    w.open()
    with w.ctx.store.write() as conn:
        [w.nid] = notifications.record(conn, [Planned(w.did, w.m.person["undertaking_unit"], "test_duty",
                                                      w.ctx.today().isoformat(), "reminder", 0, "提醒", "请办理")],
                                       at=w.ctx.now_iso())


# ------------------------------------------------------------------------------------------ requests
def post(path: str, body: Any = None) -> Any:
    """A POST whose path is formatted with the walk (`{did}`, `{mid}`, …)."""
    return lambda w, m, me: ("POST", path.format(**vars(w)), body)


def terminate(w: Any, m: Matrix, me: str) -> tuple[str, str, Any]:
    return ("POST", f"/decisions/{w.did}/terminate", {"basis": "客观情况发生重大变化", "reason": "线路取消",
                                                      "meeting_id": w.mid, "item_no": w.item})


def adjust(w: Any, m: Matrix, me: str) -> tuple[str, str, Any]:
    return ("POST", f"/decisions/{w.did}/adjustments", {"title": "关于调整公交票价的决定（调整）", "reason": "成本变化",
                                                        "meeting_id": w.mid, "item_no": w.item})


def convene(w: Any, m: Matrix, me: str) -> tuple[str, str, Any]:
    return ("POST", "/meetings", {"meeting_type": "executive", "title": "常务会议", "held_on": "2025-03-03",
                                  "head": w.c.head, "members": [w.c.member_a, w.c.member_b]})


def confirm_minutes(w: Any, m: Matrix, me: str) -> tuple[str, str, Any]:
    latest = mtg.get_meeting(w.ctx, w.mid)["minutes"][-1]
    return ("POST", f"/meetings/{w.mid}/minutes/confirmations",
            {"version": latest["version"], "sha256": latest["sha256"], "capacity": "secretariat"})


def speak(w: Any, m: Matrix, me: str) -> tuple[str, str, Any]:
    return ("POST", f"/meetings/{w.mid}/items/1/opinions",
            {"speaker": m.person["meeting_member"], "position": "support", "text": "同意"})


def recuse(w: Any, m: Matrix, me: str) -> tuple[str, str, Any]:
    return ("POST", f"/meetings/{w.mid}/items/1/recusals", {"member": m.person["meeting_member"], "reason": "近亲属"})


def roll(w: Any, m: Matrix, me: str) -> tuple[str, str, Any]:
    return ("POST", f"/meetings/{w.mid}/attendance", {"present": [m.person["meeting_member"], m.person["admin_head"]]})


def agenda(w: Any, m: Matrix, me: str) -> tuple[str, str, Any]:
    return ("POST", f"/meetings/{w.mid}/agenda", {"decision_id": w.did})


def findings(w: Any, m: Matrix, me: str) -> tuple[str, str, Any]:
    return ("POST", f"/accountability-cases/{w.cid}/findings", {"findings": "经查无过错", "persons": [
        {"person": w.c.drafter, "capacity": "direct", "finding": "无过错", "responsible": False}]})


def open_case(w: Any, m: Matrix, me: str) -> tuple[str, str, Any]:
    return ("POST", f"/decisions/{w.did}/accountability-cases", {
        "grounds": [{"article": "Art. 39", "text": "未依法征求意见"}], "persons": [{"person": w.c.drafter,
                                                                           "capacity": "direct"}]})


def pool_add(w: Any, m: Matrix, me: str) -> tuple[str, str, Any]:
    pid = identity.register_person(m.ctx, "新专家")
    identity.grant_role(m.ctx, pid, "expert", "某大学", reason="聘任")
    return ("POST", "/experts", {"person_id": pid, "fields": ["交通"], "affiliation": "某大学"})


def pool_retire(w: Any, m: Matrix, me: str) -> tuple[str, str, Any]:
    pid = identity.register_person(m.ctx, "退库专家")
    identity.grant_role(m.ctx, pid, "expert", "某大学", reason="聘任")
    experts.add_to_pool(m.ctx, w.c.office, pid, fields=["交通"], affiliation="某大学")
    return ("POST", f"/experts/{pid}/retire", {"reason": "退休"})


def hearing_record(w: Any, m: Matrix, me: str) -> tuple[str, str, Any]:
    return ("UPLOAD", f"/decisions/{w.did}/hearing/records", {})


def confirm_record(w: Any, m: Matrix, me: str) -> tuple[str, str, Any]:
    return ("POST", f"/decisions/{w.did}/hearing/confirmations", {"sha256": w.record_sha, "remarks": "无异议"})


def evaluation_decision(w: Any, m: Matrix, me: str) -> tuple[str, str, Any]:
    return ("POST", f"/decisions/{w.did}/evaluations/{w.eid}/decision", {"outcome": "continue", "reasons": "继续执行"})


def execution_opinion(w: Any, m: Matrix, me: str) -> tuple[str, str, Any]:
    return ("POST", f"/public/decisions/{w.did}/execution-opinions", {"text": "夜班车太少"})


STAGE_CASES = [
    Case("convene a meeting (R15, Art. 30)", lambda w: None, convene, SECRETARIAT | ORGAN),
    Case("place on the agenda with its packet (R14, Art. 29)", convened, agenda, SECRETARIAT | {"decision_organ"}),
    Case("call the roll (R15, Art. 30)", on_agenda, roll, SECRETARIAT),
    Case("a recusal (R15)", seated, recuse, SECRETARIAT | {"meeting_member"}),
    Case("an opinion in speaking order (R15, Art. 30)", seated, speak, SECRETARIAT | {"meeting_member"}),
    Case("the head decides the item (SoD4, Art. 30)", debated, post("/meetings/{mid}/items/1/decision",
                                                                    {"outcome": "adopt"}), HEAD),
    Case("minutes from the record (SoD8, Art. 30)", item_decided, post("/meetings/{mid}/minutes"), SECRETARIAT),
    Case("minutes corrected (R18, Art. 33)", minuted, post("/meetings/{mid}/minutes/corrections", {
        "reason": "笔误", "corrections": ["第二段“三”应为“二”"]}), SECRETARIAT),
    Case("minutes confirmed by the secretariat (SoD8)", minuted, confirm_minutes, SECRETARIAT),
    Case("party report (R16, SoD7, Art. 31)", _ready, post("/decisions/{did}/party-report",
                                                           {"reported_to": "中共某市委"}), ORGAN),
    Case("people's congress procedure (R16, Art. 8)", _ready, post("/decisions/{did}/npc-procedure", {
        "procedure": "提请人大常委会审议", "outcome": "通过"}), ORGAN),
    Case("terminate (R20, SoD6, Arts. 30, 37)", change_adopted("terminate"), terminate, ORGAN),
    Case("major adjustment (R20, SoD6, Arts. 30, 37)", change_adopted("adjust"), adjust, ORGAN),
    Case("decision on an evaluation (R21, Art. 36)", evaluated, evaluation_decision, ORGAN),
    Case("public opinion on execution (Art. 34)", decided, execution_opinion, frozenset(EVERYONE)),
    Case("open an accountability case (ACC1, Arts. 38–41)", decided, open_case, CASE_ROLES),
    Case("findings of a case (ACC2)", case_opened, findings, CASE_ROLES),
    Case("close a case (ACC3)", case_found, post("/accountability-cases/{cid}/close", {"outcome": "no_liability",
                                                                                       "reason": "无过错"}),
         CASE_ROLES),
    Case("add an expert to the pool (R9, Art. 21)", lambda w: None, pool_add, ADMIN | {"decision_organ"}),
    Case("retire an expert from the pool (R9, Art. 21)", lambda w: None, pool_retire, ADMIN | {"decision_organ"}),
    Case("signed expert opinion (R9, SoD2, Art. 19)", selected, post("/decisions/{did}/expert-opinions", {
        "opinion": "方案可行", "dissenting": False}), frozenset({"expert"})),
    Case("hearing record presented (R7, Art. 17)", heard, hearing_record, UNIT | {"hearing_organizer"}),
    Case("hearing record confirmed (SoD5, Art. 17)", presented, confirm_record, frozenset({"hearing_participant"})),
    Case("supplement requested (R11, Art. 26)", submitted, post("/decisions/{did}/legality/supplement-requests", {
        "items": ["成本监审报告"], "reason": "材料不全"}), frozenset({"legality_reviewer"})),
    Case("publish (R17, Art. 32)", decided, post("/decisions/{did}/publish", {"channels": ["政府网站"]}),
         frozenset({"decision_organ"})),
    Case("withhold by law (R17, Art. 32)", secret_decided, post("/decisions/{did}/withhold", {
        "legal_ref": "政府信息公开条例第十四条", "reason": "涉及国家秘密"}), frozenset({"decision_organ"})),
    # AR13: rendering reads the record, so it is for who reads it — the organ's staff; the externals of the
    # matrix are parties to none of this decision
    Case("render an official document (Art. 33)", noticed, post("/decisions/{did}/documents/comment_notice"),
         PROCEDURE - NOT_PARTIES),
    Case("mark a notification read (its recipient)", notified, post("/notifications/{nid}/read"), UNIT),
]


@pytest.mark.parametrize("case", STAGE_CASES, ids=[c.name for c in STAGE_CASES])
def test_each_role_is_allowed_or_denied_on_the_stage_routes(walk: Any, case: Case) -> None:
    check(walk, case)
