"""`decide demo`: one complete major decision, every gate, on the configured database, clock advanced.

The story: a city transport bureau proposes to restructure the bus network and adjust fares. A fare
is a government-set public-utility price, so the Price Law (价格法 Art. 23) requires a hearing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from decision_engine.domain.errors import DomainError
from decision_engine.services import decisions as svc
from decision_engine.services import identity
from decision_engine.services.clock import CHINA, ManualClock
from decision_engine.services.context import Context

Say = Callable[[str], None]

CITY = "某市人民政府"
BUREAU = "某市交通运输局"
JUSTICE = "某市司法局"
TRANSIT = "某市公交集团"


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


DEMO_PASSWORD = "Demo-Passw0rd!"  # meets the password policy (SEC1: 12+ characters, four classes)

# The people of the roles the demo decisions do not need, so that every role can be tried: an auditor, a
# hearing organiser and participant, the Party committee, and the three administrators (三员, SEC4).
STAFF = (("林审计（市审计局）", "auditor", "某市审计局"),
         ("马组织（听证机构）", "hearing_organizer", "某市听证中心"),
         ("居民代表陈", "hearing_participant", "某社区居委会"),
         ("高书记（市委办公室）", "party_committee", "中共某市委员会"),
         ("许系统（系统管理员）", "system_admin", "某市大数据局"),
         ("韩安全（安全管理员）", "security_admin", "某市大数据局"),
         ("秦审计（审计管理员）", "audit_admin", "某市大数据局"))


def cast(ctx: Context, password: str | None = None) -> Cast:
    """Register the people of the demo and grant their roles (recorded as events)."""
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


def executive_meeting(c: Cast, *, dissent: str = "", head_says: str = "同意") -> dict[str, object]:
    """A `meeting_record` of an executive meeting of the cast (R15, SoD4): both members speak, member B
    dissenting when `dissent` is given (recorded verbatim), the head last, deciding to adopt."""
    return {"meeting_type": "executive", "attendance": [c.member_a, c.member_b, c.head], "members_total": 3,
            "opinions": [{"person": c.member_a, "position": "support", "text": "同意"},
                         {"person": c.member_b, "position": "oppose" if dissent else "support",
                          "text": dissent or "同意"},
                         {"person": c.head, "position": "support", "text": head_says}],
            "head_decision": "adopt", "head_reasons": "", "risk_judgment": "controllable"}


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
        step(f"   refused as expected — {refusal.rule} {refusal.article}: {refusal.message}; "
             f"{len(refusal.missing)} items missing (recorded as evidence)")
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
    for who in ("消费者代表甲", "经营者代表乙"):
        svc.record_artifact(ctx, c.drafter, did, "hearing_materials_delivery", {
            "participant": who, "delivered_at": (published + timedelta(days=5)).isoformat()})
    clock.advance(days=20)
    svc.record_artifact(ctx, c.drafter, did, "hearing_record", {
        "participants": ["消费者代表甲", "经营者代表乙"], "signed_by": ["消费者代表甲", "经营者代表乙"],
        "summary": "听证会按程序进行，参加人陈述、质证、辩论"})
    step("S1 hearing held; materials delivered ≥ 7 days ahead; record signed by each participant (R7, SoD5)")
    svc.record_artifact(ctx, c.drafter, did, "selection_note", {
        "method": "从省专家库随机抽取并有意选入持不同意见的专家", "experts": ["孙教授", "周工程师"]})
    for expert in (c.expert_a, c.expert_b):
        svc.record_artifact(ctx, expert, did, "conflict_declaration", {"direct_interest": False,
                                                                       "statement": "与本事项无直接利害关系"})
        svc.record_artifact(ctx, expert, did, "expert_opinion", {
            "opinion": "方案总体可行，建议分步实施", "signature": f"signed-by:{expert}"})
    svc.record_artifact(ctx, c.drafter, did, "expert_adoption", {"adoptions": [
        {"opinion": "分步实施", "disposition": "adopted", "reason": "已纳入实施步骤"}]})
    step("S2 expert review: declarations, signed opinions, adoption status (R9, SoD2)")
    risk = svc.record_artifact(ctx, c.assessor, did, "risk_report", {
        "risk_points": ["票价上涨引发投诉"], "level": "low", "measures": ["配套换乘优惠", "分步实施"],
        "contingency_plan": "舆情应对预案", "conclusion": "controllable"})
    svc.record_artifact(ctx, c.drafter, did, "dept_opinions", {"departments": ["某市信访局"],
                                                               "summary": "风险可控"})
    step("S3 risk report: controllable, departments heard (R10 Arts. 23–24)")
    clock.advance(days=11)
    svc.record_artifact(ctx, c.drafter, did, "opinion_summary", {"opinions": [
        {"opinion": "票价涨幅过大", "disposition": "partly", "reason": "涨幅下调并增加优惠"},
        {"opinion": "增加夜班线路", "disposition": "adopted", "reason": "新增两条夜班线"}]})
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
    svc.record_artifact(ctx, c.head, did, "meeting_record", executive_meeting(
        c, dissent="建议暂缓调价（异议照录）", head_says="同意，分步实施"))
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
    svc.record_artifact(ctx, c.drafter, did, "interpretation", {"text": "政策解读……"})
    step("S6 published in the gazette, on the website and in the newspaper, with explanation (R17)")
    svc.record_artifact(ctx, c.head, did, "execution_unit_designation", {"units": [TRANSIT]})
    clock.advance(days=90)
    svc.record_artifact(ctx, c.executor, did, "execution_report", {
        "report_kind": "progress", "summary": "新线网已运行，日均客流增长8%"})
    step("S7 execution unit designated; first progress report filed (R19)")
    clock.advance(days=275)
    svc.record_artifact(ctx, c.head, did, "evaluation_commission", {
        "evaluator_unit": "某第三方评估机构", "trigger": "organ_decision",
        "reasons": "决策时确定的评估日期已到，决策机关认为有必要组织评估"})
    svc.record_artifact(ctx, c.evaluator, did, "evaluation_report", {
        "trigger": "organ_decision", "public_input": "问卷2000份", "deputy_participation": "人大代表3名参与",
        "findings": "达到预期", "recommendation": "continue"})
    step("S8 post-decision evaluation commissioned by the organ, by an independent evaluator (R21, SoD3)")
    return did


def demo_clock() -> ManualClock:
    """The demo's clock: a fixed morning in 2025 (inside the official calendar's years)."""
    return ManualClock(datetime(2025, 3, 3, 9, 0, tzinfo=CHINA))
