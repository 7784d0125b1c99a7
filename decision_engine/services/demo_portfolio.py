"""`decide serve --demo`: beside the one finished demo decision, a city's portfolio of decisions in flight,
each stopped at a different stage, so that every page has something real to show on first start.

Every act goes through the same services as the API and the pages (nothing is written around them), on a
manual clock that starts some weeks before today's date, so that windows, reviews and meetings fall around
"now" when the server then runs on the system clock:

1. 垃圾分类 — public comment window open, 44 comments received (a mass campaign of near-identical ones,
   a few distinct opinions, one hidden for personal data), clustered into distinct opinions (R6, R8);
2. 停车收费 — submitted for legality review, waiting in the legal office's queue (R11);
3. 老旧小区改造 — ready for the collective decision, on the agenda of a convened executive meeting (R14–R15);
4. 学校布局 — decided and published, in execution with a first progress report (R17, R19);
5. 景区门票 — suspended by the administrative head on an Art. 35 ground (R20, SoD6);
6. 菜市场搬迁 — just started: finalization refused with every missing item listed, the refusal kept as evidence;
7. 夜间经济 — withdrawn by the undertaking unit before the procedure went far.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from decision_engine.domain.errors import DomainError
from decision_engine.services import decisions as svc
from decision_engine.services import execution, identity, legality, meetings, participation
from decision_engine.services.clock import CHINA, ManualClock
from decision_engine.services.context import Context
from decision_engine.services.demo import BUREAU, OFFICE, Cast, hold_meeting

Say = Callable[[str], None]

CAMPAIGN = "强烈建议延缓实施垃圾分类罚款措施，先做好宣传和设施配套，给居民留出适应期。"
DISTINCT = ("建议在每个小区增设厨余垃圾破袋点和洗手池。", "建议明确物业企业的分类督导员培训责任。",
            "希望公布各街道垃圾分类考核结果。", "建议对老年人家庭提供上门指导。")


def portfolio_start(today: datetime | None = None) -> datetime:
    """130 days before today (China time, 09:00): the portfolio walks the clock forward 127 days, so the
    comment window, the legality review and the meeting it leaves open fall around today."""
    now = (today or datetime.now(CHINA)).astimezone(CHINA)
    return now.replace(hour=9, minute=0, second=0, microsecond=0) - timedelta(days=130)


def seed_portfolio(ctx: Context, c: Cast, say: Say = print, password: str | None = None) -> dict[str, str]:
    """Seed the decisions in flight; returns {short name: decision id}. `ctx.clock` must be a ManualClock;
    it is set forward to `portfolio_start()` (never back) and left about today."""
    clock = ctx.clock
    if not isinstance(clock, ManualClock):
        raise TypeError("the portfolio advances the clock; build the context with a ManualClock")
    clock.set(max(clock.now(), portfolio_start()))
    secretary = identity.register_person(ctx, "孙秘书（市政府办公室）", password=password)
    identity.grant_role(ctx, secretary, "secretariat", OFFICE, reason="演示：任职")
    out: dict[str, str] = {}

    def opened(key: str, title: str, category: str = "public_project", **flags: bool) -> str:
        did = svc.open_decision(ctx, c.drafter, title=title, category=category, unit=BUREAU,
                                due_by=(ctx.today() + timedelta(days=180)).isoformat(), summary=title).decision_id
        out[key] = did
        svc.record_artifact(ctx, c.head, did, "start_decision", {
            "lead_unit": BUREAU, "units": [BUREAU], "affected_units": ["某市财政局"], "decision": "同意启动"})
        svc.add_draft_version(ctx, c.drafter, did, content=f"{title}（征求意见稿）".encode(), title="征求意见稿")
        base = {"specialised": False, "risk_relevant": False, "hearing_required_by_law": False,
                "nondisclosable": False, "affects_specific_group": False, "affects_market_entities": False,
                "high_concern": False, **flags}
        for kind, value in base.items():
            svc.record_determination(ctx, c.drafter, did, kind, value, "经研究确定" if value else "经研究，不属于该情形")
        svc.record_artifact(ctx, c.drafter, did, "consultation", {"unit": "某市财政局", "opinion": "原则同意",
                                                                  "dispute": False})
        return did

    def noticed(did: str, days: int = 30) -> None:
        today = ctx.today()
        svc.record_artifact(ctx, c.drafter, did, "comment_notice", {
            "explanation": "起草说明……", "channels": ["政府网站"], "method": "网站留言、信函",
            "published_at": today.isoformat(), "deadline": (today + timedelta(days=days)).isoformat()})

    def reviewed(did: str) -> None:
        noticed(did)
        clock.advance(days=31)
        participation.record_feedback_report(ctx, c.drafter, did)  # generated from the record (R8)
        svc.clear_gate(ctx, c.bureau_head, did, "public_participation")
        legality.submit_for_review(ctx, c.drafter, did, legal_basis="《中华人民共和国行政许可法》等")
        svc.record_artifact(ctx, c.adviser, did, "legal_adviser_opinion", {"opinion": "程序合法，内容合法"})
        svc.record_artifact(ctx, c.reviewer, did, "legality_opinion", {
            "authority": "属于市政府权限", "procedure": "程序完备", "content": "内容合法", "conclusion": "lawful"})
        svc.clear_gate(ctx, c.legal_director, did, "legality_review")

    def decided(did: str) -> None:
        reviewed(did)
        hold_meeting(ctx, c, did)  # the meeting's own door (AR14)
        svc.record_artifact(ctx, c.office, did, "party_report", {"reported_to": "中共某市委",
                                                                 "reported_at": ctx.today().isoformat()})
        svc.finalize(ctx, c.head, did)

    # 6, 7: the earliest stages
    fresh = opened("market", "关于中心城区农贸市场搬迁的决定")
    try:
        svc.finalize(ctx, c.head, fresh)
    except DomainError as refusal:
        say(f"portfolio: 菜市场搬迁 opened; finalization refused as expected ({refusal.rule})")
    night = opened("night", "关于发展夜间经济的若干措施", category="policy")
    svc.withdraw(ctx, c.head, night, "经研究，并入全市促消费政策统筹考虑")

    # 4, 5: decided weeks ago, so that execution and a suspension have happened by today
    schools = opened("schools", "关于优化中小学校布局的决定")
    decided(schools)
    svc.record_artifact(ctx, c.office, schools, "publication_record", {
        "channels": ["政府公报", "政府网站"], "published_at": ctx.today().isoformat()})
    execution.designate_execution_units(ctx, c.head, schools, ["某市公交集团"])
    tickets = opened("tickets", "关于调整景区门票价格的决定")
    decided(tickets)
    svc.record_artifact(ctx, c.office, tickets, "publication_record", {
        "channels": ["政府网站"], "published_at": ctx.today().isoformat()})
    clock.advance(days=3)
    execution.report_progress(ctx, c.executor, schools, "首批学校调整方案已印发，学位安排平稳")
    svc.suspend(ctx, c.head, tickets, "major_change_of_circumstances", "游客量骤降，门票调整暂缓执行", urgency="情况紧急")
    say("portfolio: 学校布局 in execution; 景区门票 suspended by the head (R20)")

    # 3: ready, on the agenda of a meeting convened for next week
    renewal = opened("renewal", "关于推进老旧小区改造的实施意见", category="policy")
    reviewed(renewal)
    mid = meetings.convene(ctx, secretary, meeting_type="executive", title="市政府第15次常务会议",
                           held_on=(ctx.today() + timedelta(days=7)).isoformat(), head=c.head,
                           members=[c.member_a, c.member_b]).meeting_id
    meetings.place_on_agenda(ctx, secretary, mid, renewal)
    say("portfolio: 老旧小区改造 on the agenda of an executive meeting (R14, R15)")

    # 2: in the legal office's queue, submitted a few days ago
    parking = opened("parking", "关于调整中心城区停车收费标准的决定")
    noticed(parking)
    clock.advance(days=31)
    participation.record_feedback_report(ctx, c.drafter, parking)
    svc.clear_gate(ctx, c.bureau_head, parking, "public_participation")
    legality.submit_for_review(ctx, c.drafter, parking, legal_basis="《中华人民共和国价格法》")
    say("portfolio: 停车收费 waiting in the legal office's queue (R11)")

    # 1: public comment open now, with a campaign
    waste = opened("waste", "关于实施中心城区生活垃圾分类管理的决定", affects_specific_group=True)
    noticed(waste)
    for i in range(36):
        participation.submit_comment(ctx, waste, CAMPAIGN + ("" if i % 3 else "谢谢！"))
    for text in DISTINCT:
        participation.submit_comment(ctx, waste, text, name="市民", organisation="某小区业委会")
    hidden = participation.submit_comment(ctx, waste, "我家住在某小区3栋，电话13800000000，请联系我。")
    participation.moderate_comment(ctx, c.drafter, hidden["tracking_number"], "personal_data", "含个人联系方式")
    participation.cluster_comments(ctx, c.drafter, waste)
    say(f"portfolio: 垃圾分类 open for comment, {36 + len(DISTINCT) + 1} comments clustered (R6, R8)")
    return out

