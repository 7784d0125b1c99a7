"""`decide demo`: one complete major decision, every gate, on the configured database, clock advanced.

The story: a city transport bureau proposes to restructure the bus network and adjust fares. A fare
is a government-set public-utility price, so the Price Law (价格法 Art. 23) requires a hearing.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import resources
from typing import Any

from decision_engine.domain.errors import DomainError
from decision_engine.services import decisions as svc
from decision_engine.services import (
    execution,
    experts,
    hearings,
    identity,
    meetings,
    organisation,
    participation,
)
from decision_engine.services.clock import CHINA, ManualClock
from decision_engine.services.context import Context

Say = Callable[[str], None]

# The units of the demo's org file (procedures/org/demo.toml): a city government and a county under it.
CITY = "某市人民政府"
OFFICE = "某市人民政府办公室"
BUREAU = "某市交通运输局"
JUSTICE = "某市司法局"
PARTY = "中共某市委"
TRANSIT = "某市公交集团"
COUNTY = "某县人民政府"
COUNTY_BUREAU = "某县交通运输局"
ORG_FILE = "org/demo.toml"


def org_file() -> dict[str, Any]:
    """The demo's org file, parsed."""
    return tomllib.loads((resources.files("decision_engine.procedures") / ORG_FILE).read_text(encoding="utf-8"))


def load_org(ctx: Context) -> int:
    """Load the demo's two governments onto the organisation chart (once: a second load appends nothing);
    returns the number of organisation events appended."""
    return len(organisation.load_file(ctx, org_file()))


@dataclass
class Cast:
    """The people of the demo, each with a role in a unit."""

    head: str
    office: str
    drafter: str
    bureau_head: str
    reviewer: str
    legal_director: str
    adviser: str
    expert_a: str
    expert_b: str
    assessor: str
    member_a: str
    member_b: str
    executor: str
    evaluator: str
    county_head: str  # the head of the county under the city: another government, another organ
    county_drafter: str  # a county department's drafter: the same role as `drafter`, another organ
    secretary: str = ""  # the organ's secretariat: convenes the meeting, calls the roll (R15)


DEMO_PASSWORD = "Demo-Passw0rd!"  # meets the password policy (SEC1: 12+ characters, four classes)

# The people of the roles the demo decisions do not need, so that every role can be tried: an auditor, a
# hearing organiser and participant, the Party committee, and the three administrators (三员, SEC4).
STAFF = (("林审计（市审计局）", "auditor", "某市审计局"),
         ("马组织（听证机构）", "hearing_organizer", "某市听证中心"),
         ("居民代表陈", "hearing_participant", "某社区居委会"),
         ("高书记（市委办公室）", "party_committee", PARTY),
         ("许系统（系统管理员）", "system_admin", "某市大数据局"),
         ("韩安全（安全管理员）", "security_admin", "某市大数据局"),
         ("秦审计（审计管理员）", "audit_admin", "某市大数据局"))


def cast(ctx: Context, password: str | None = None) -> Cast:
    """Load the demo's organisation (a city and a county under it), then register the people of the demo and
    grant their roles in its units (recorded as events)."""
    load_org(ctx)

    def person(name: str, role: str, unit: str) -> str:
        pid = identity.register_person(ctx, name, password=password)
        identity.grant_role(ctx, pid, role, unit, reason="演示：任职")
        return pid
    return Cast(
        head=person("王明（市长）", "admin_head", CITY),
        office=person("周敏（市政府办公室）", "decision_organ", CITY),
        drafter=person("张华（交通运输局）", "undertaking_unit", BUREAU),
        bureau_head=person("李强（交通运输局局长）", "undertaking_unit", BUREAU),
        reviewer=person("刘洋（司法局）", "legality_reviewer", JUSTICE),
        legal_director=person("陈静（司法局局长）", "legality_reviewer", JUSTICE),
        adviser=person("赵律师（政府法律顾问）", "legal_adviser", "某律师事务所"),
        expert_a=person("孙教授", "expert", "某大学交通学院"),
        expert_b=person("周工程师", "expert", "某市规划设计研究院"),
        assessor=person("吴评估师", "risk_assessor", "某社会稳定风险评估中心"),
        member_a=person("钱副市长", "meeting_member", CITY),
        member_b=person("郑副市长", "meeting_member", CITY),
        executor=person("冯经理（公交集团）", "execution_unit", TRANSIT),
        evaluator=person("何研究员", "post_evaluator", "某第三方评估机构"),
        county_head=person("赵刚（县长）", "admin_head", COUNTY),
        county_drafter=person("黄丽（县交通运输局）", "undertaking_unit", COUNTY_BUREAU),
        secretary=person("孙秘书（市政府办公室）", "secretariat", OFFICE),
    )


def staff(ctx: Context, password: str | None = None) -> dict[str, str]:
    """Register the demo's people for every other role (console appointments, as `decide user add`);
    returns {role: person id}."""
    out = {}
    for name, role, unit in STAFF:
        pid = identity.register_person(ctx, name, password=password)
        identity.grant_role(ctx, pid, role, unit, reason="演示：任职")
        out[role] = pid
    return out


def hold_meeting(ctx: Context, c: Cast, decision_id: str, *, opinions: list[tuple[str, str, str]] | None = None,
                 outcome: str = "adopt", head_reasons: str = "", title: str = "市政府常务会议",
                 risk_judgment: str = "controllable", option_chosen: str = "") -> str:
    """The decision's collective discussion through the meeting's own door (AR14; R15, SoD4, Art. 30): the
    secretariat convenes an executive meeting and calls the roll, each member speaks in order, the head
    last, and the head decides — which records the decision's `meeting_record`. Returns the meeting id."""
    sec = c.secretary or identity.register_person(ctx, "秘书（市政府办公室）")
    if not c.secretary:
        identity.grant_role(ctx, sec, "secretariat", CITY, reason="演示：任职")
        c.secretary = sec
    mid = meetings.convene(ctx, sec, meeting_type="executive", title=title, held_on=ctx.today().isoformat(),
                           head=c.head, members=[c.member_a, c.member_b]).meeting_id
    meetings.place_on_agenda(ctx, sec, mid, decision_id)
    meetings.record_attendance(ctx, sec, mid, [c.member_a, c.member_b, c.head])
    for who, position, text in opinions or [(c.member_a, "support", "同意"), (c.member_b, "support", "同意"),
                                            (c.head, "support", "同意")]:
        meetings.record_opinion(ctx, who, mid, 1, speaker=who, position=position, text=text)
    meetings.decide_item(ctx, c.head, mid, 1, outcome=outcome, head_reasons=head_reasons,
                         risk_judgment=risk_judgment, option_chosen=option_chosen)  # R10 Art. 24; Art. 12 ¶4
    return mid


def hold_change_meeting(ctx: Context, c: Cast, decision_id: str, change: str, *, reason: str = "客观情况发生重大变化",
                        outcome: str = "adopt", title: str = "市政府常务会议") -> tuple[str, int]:
    """The organ's collective decision on a change of a decided decision (R20, Arts. 30, 37): the secretariat
    convenes an executive meeting and tables the termination or major adjustment, the members speak, the
    head last, and the head decides. Returns the meeting id and the item number the act then names."""
    sec = c.secretary or identity.register_person(ctx, "秘书（市政府办公室）")
    if not c.secretary:
        identity.grant_role(ctx, sec, "secretariat", CITY, reason="演示：任职")
        c.secretary = sec
    mid = meetings.convene(ctx, sec, meeting_type="executive", title=title, held_on=ctx.today().isoformat(),
                           head=c.head, members=[c.member_a, c.member_b]).meeting_id
    meetings.table_change(ctx, sec, mid, decision_id, change=change, reason=reason)
    meetings.record_attendance(ctx, sec, mid, [c.member_a, c.member_b, c.head])
    for who in (c.member_a, c.member_b, c.head):
        meetings.record_opinion(ctx, who, mid, 1, speaker=who, position="support", text="同意")
    meetings.decide_change(ctx, c.head, mid, 1, outcome=outcome,
                           head_reasons="" if outcome == "adopt" else "需进一步研究")  # members supported: reasons
    return mid, 1


def run_demo(ctx: Context, say: Say = print, password: str | None = None, people: Cast | None = None) -> str:
    """Run one decision from opening to evaluation; returns its id."""
    clock = ctx.clock
    if not isinstance(clock, ManualClock):
        raise TypeError("the demo advances the clock; build the context with a ManualClock")
    c = people or cast(ctx, password)
    today = ctx.today

    def step(text: str) -> None:
        say(f"[{today().isoformat()}] {text}")

    r = svc.open_decision(ctx, c.drafter, title="关于优化中心城区公交线网和调整票价的决定",
                          category="public_project", unit=BUREAU,
                          due_by=(today() + timedelta(days=240)).isoformat(),
                          summary="优化公交线网，调整普通线路票价，配套换乘优惠。")
    did = r.decision_id
    step(f"S0 决策启动: opened {did} (R1 Art. 3: category public_project)")
    try:
        svc.finalize(ctx, c.head, did)
    except DomainError as refusal:
        missing = f"; {len(refusal.missing)} items missing" if refusal.missing else ""
        step(f"   refused as expected — {refusal.rule} {refusal.article}: {refusal.message}{missing} "
             "(recorded as evidence)")
    svc.record_artifact(ctx, c.head, did, "start_decision", {
        "lead_unit": BUREAU, "units": [BUREAU], "affected_units": ["某市财政局", "某市公安局"],
        "decision": "同意启动，由市交通运输局牵头承办"})
    step("S0 启动决定 recorded by the head (R3 Art. 11: exactly one lead unit)")
    svc.add_draft_version(ctx, c.drafter, did, content="第一条 优化线网……\n第二条 普通线路票价调整为……".encode(),
                          title="决策草案（征求意见稿）")
    for kind, value, reasons in (
            ("specialised", True, "线网优化涉及客流模型，专业性强"),
            ("risk_relevant", True, "票价调整可能影响社会稳定"),
            ("hearing_required_by_law", True, "公交票价属政府定价，价格法第二十三条要求听证"),
            ("nondisclosable", False, "不涉及国家秘密、商业秘密和个人隐私"),
            ("affects_specific_group", True, "涉及老年人、学生等特定群体"),
            ("affects_market_entities", False, "不涉及市场主体经济活动"),
            ("high_concern", True, "社会广泛关注")):
        svc.record_determination(ctx, c.drafter, did, kind, value, reasons)
    step("S0 determinations recorded: specialised, risk-relevant, hearing required by law (R7, R9, R10)")
    for unit in ("某市财政局", "某市公安局"):
        svc.record_artifact(ctx, c.drafter, did, "consultation", {"unit": unit, "opinion": "原则同意",
                                                                  "dispute": False})
    step("S0 coordination: both affected units consulted (R4 Art. 13) — gate clears by itself")
    published = today()
    svc.record_artifact(ctx, c.drafter, did, "comment_notice", {
        "explanation": "起草说明……", "channels": ["政府网站", "政务新媒体"], "method": "网站留言、信函",
        "published_at": published.isoformat(), "deadline": (published + timedelta(days=30)).isoformat()})
    step("S1 comment notice published, window 30 calendar days (R6 Art. 15)")
    svc.record_artifact(ctx, c.drafter, did, "group_consultation", {
        "groups": ["老年人代表", "学生家长代表"], "summary": "座谈会两场"})
    hearing_day = published + timedelta(days=20)
    svc.record_artifact(ctx, c.drafter, did, "hearing_notice", {
        "published_at": published.isoformat(), "hearing_at": hearing_day.isoformat(),
        "place": "市政府第一会议室", "selection_method": "公开报名、随机抽取"})
    hearings.publish_selection_method(ctx, c.drafter, did, method="公开报名、随机抽取", sides=["消费者", "经营者"])
    heard = []
    for name, unit in (("消费者代表甲", "某市消费者协会"), ("经营者代表乙", "某公交经营企业")):
        pid = identity.register_person(ctx, name, password=password)
        identity.grant_role(ctx, pid, "hearing_participant", unit, reason="演示：听证参加人")
        heard.append(pid)
    clock.advance(days=1)
    hearings.publish_participants(ctx, c.drafter, did, participants=heard, selected_at=today().isoformat())
    for pid in heard:
        hearings.deliver_materials(ctx, c.drafter, did, participant=pid, delivered_at=today().isoformat(),
                                   materials="决策草案、起草说明、成本监审报告")
    clock.advance(days=19)
    record = "听证笔录：承办单位说明草案，参加人陈述意见、询问、质证、辩论……".encode()
    sha = hearings.present_record(ctx, c.drafter, did, content=record).events[0]["payload"]["sha256"]
    for pid in heard:
        hearings.confirm_record(ctx, pid, did, sha)
    hearings.record_hearing_record(ctx, c.drafter, did, sha256=sha, summary="听证会按程序进行，参加人陈述、质证、辩论",
                                  presentation="市交通运输局介绍调价草案、依据和成本监审情况",
                                  statements="参加人陈述意见，就票价水平和优惠政策询问、质证和辩论")
    step("S1 hearing held; materials delivered ≥ 7 days ahead; record confirmed by each participant (R7, SoD5)")
    pooled = {e["person_id"] for e in experts.pool(ctx)}  # a second demo with the same people finds them there
    for expert in (c.expert_a, c.expert_b):
        if expert not in pooled:
            experts.add_to_pool(ctx, c.office, expert, fields=["交通规划"], affiliation="专家库")
    experts.select_experts(ctx, c.drafter, did, expert_ids=[c.expert_a, c.expert_b],
                           method="从专家库随机抽取并有意选入持不同意见的专家", reasons="线网与票价专业论证",
                           dissent_included=True)
    opinion_ids = []
    for expert in (c.expert_a, c.expert_b):
        experts.declare_conflict(ctx, expert, did, direct_interest=False, statement="与本事项无直接利害关系")
        r = experts.submit_opinion(ctx, expert, did, opinion="方案总体可行，建议分步实施")
        opinion_ids.append(next(e["payload"]["artifact_id"] for e in r.events if e["type"] == "ArtifactRecorded"))
    experts.record_adoption(ctx, c.drafter, did, {oid: {"disposition": "adopted", "reason": "已纳入实施步骤"}
                                                   for oid in opinion_ids})
    step("S2 expert review: selected from the pool, declarations, opinions signed by each expert, adoption "
         "status (R9, SoD2)")
    risk = svc.record_artifact(ctx, c.assessor, did, "risk_report", {
        "risk_points": ["票价上涨引发投诉"], "level": "low", "measures": ["配套换乘优惠", "分步实施"],
        "contingency_plan": "舆情应对预案", "conclusion": "controllable"})
    svc.record_artifact(ctx, c.drafter, did, "dept_opinions", {"departments": ["某市信访局"],
                                                               "summary": "风险可控"})
    step("S3 risk report: controllable, departments heard (R10 Arts. 23–24)")
    clock.advance(days=11)
    participation.record_feedback_report(ctx, c.drafter, did, other_opinions=[
        {"opinion": "票价涨幅过大", "disposition": "partly", "reason": "涨幅下调并增加优惠"},
        {"opinion": "增加夜班线路", "disposition": "adopted", "reason": "新增两条夜班线"}])
    svc.add_draft_version(ctx, c.drafter, did, content="第一条 优化线网……（修改稿）".encode(),
                          title="决策草案（送审稿）", note="根据公众意见修改")
    svc.record_artifact(ctx, c.assessor, did, "risk_continuity", {
        "report_id": risk.events[0]["payload"]["artifact_id"],
        "reason": "送审稿下调涨幅、增加换乘优惠，未新增风险点，原防范措施和处置预案仍然适用"})
    step("S3 the new draft reopens the risk gate; the assessor records why the change does not touch the risk "
         "(R10, Art. 24)")
    for gate in ("public_participation", "expert_review", "risk_assessment"):
        svc.clear_gate(ctx, c.bureau_head, did, gate)
    step("S1–S3 cleared by the bureau head, not by the authors (SoD8); window closed (R6)")
    deadline = ctx.calendar.add_working_days(today(), 10)
    svc.record_artifact(ctx, c.drafter, did, "legality_submission", {
        "legal_basis": "价格法、政府制定价格行为规则", "procedure_explanation": "已履行公众参与、听证、专家论证、风险评估程序",
        "requested_deadline": deadline.due.isoformat()})
    svc.record_artifact(ctx, c.adviser, did, "legal_adviser_opinion", {"opinion": "程序合法，内容合法"})
    clock.advance(days=10)
    svc.record_artifact(ctx, c.reviewer, did, "legality_opinion", {
        "authority": "属于市政府权限", "procedure": "程序完备", "content": "内容合法", "conclusion": "lawful"})
    try:
        svc.clear_gate(ctx, c.reviewer, did, "legality_review")
    except DomainError as refusal:
        step(f"   refused as expected — {refusal.rule}: {refusal.message}")
    svc.clear_gate(ctx, c.legal_director, did, "legality_review")
    step(f"S4 legality review: submission, adviser opinion, opinion 'lawful'; cleared by the director "
         f"(R11–R13, SoD1, SoD8); review allowed until {deadline.due.isoformat()}")
    clock.advance(days=3)
    hold_meeting(ctx, c, did, opinions=[(c.member_a, "support", "同意"),
                                         (c.member_b, "oppose", "建议暂缓调价（异议照录）"),
                                         (c.head, "support", "同意，分步实施")])
    step("S5 executive meeting: members spoke, the head last, decided to adopt (R15, SoD4)")
    svc.record_artifact(ctx, c.office, did, "party_report", {"reported_to": "中共某市委",
                                                             "reported_at": today().isoformat()})
    step("S5 reported to the Party committee before issuance (R16 Art. 31)")
    svc.finalize(ctx, c.head, did)
    step("S5 finalized by the head: every gate has its artifact")
    clock.advance(days=5)
    svc.record_artifact(ctx, c.office, did, "publication_record", {
        "channels": ["政府公报", "政府网站", "某市日报"], "published_at": today().isoformat()})
    svc.record_artifact(ctx, c.drafter, did, "adoption_explanation", {"text": "公众意见采纳情况说明……"})
    svc.record_artifact(ctx, c.drafter, did, "interpretation", {"text": "政策解读……",
                                                               "means": ["press_conference", "interview"]})
    step("S6 published in the gazette, on the website and in the newspaper, with explanation (R17)")
    execution.designate_execution_units(ctx, c.head, did, [TRANSIT])
    clock.advance(days=90)
    svc.record_artifact(ctx, c.executor, did, "execution_report", {
        "report_kind": "progress", "summary": "新线网已运行，日均客流增长8%"})
    step("S7 execution unit designated; first progress report filed (R19)")
    clock.advance(days=275)
    execution.commission_evaluation(ctx, c.office, did, evaluator_unit="某第三方评估机构", trigger="organ_decision",
                                    reasons="实施满一年，市政府决定委托第三方评估")
    execution.evaluate(ctx, c.evaluator, did, trigger="organ_decision", public_input="问卷2000份",
                       deputy_participation="人大代表3名参与", findings="达到预期", recommendation="continue")
    step("S8 post-decision evaluation by an independent evaluator (R21, SoD3)")
    return did


def demo_clock() -> ManualClock:
    """The demo's clock: a fixed morning in 2025 (inside the official calendar's years)."""
    return ManualClock(datetime(2025, 3, 3, 9, 0, tzinfo=CHINA))
