"""Public participation in depth (S1: R5, R6, R8; Arts. 14–18): comments at scale with tracking numbers,
late comments kept, moderation, clustering, dispositions and the feedback report generated from the record."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from typing import Any

import pytest

from decision_engine.adapters import store as st
from decision_engine.adapters.tables import COMMENT_IDENTITIES
from decision_engine.domain import participation as dp
from decision_engine.domain.errors import InvalidInput, NotFound, NotPermitted, RuleViolation
from decision_engine.services import decisions as svc
from decision_engine.services import participation as part
from decision_engine.services import queries
from tests.conftest import WARNINGS_ARE_ERRORS

pytestmark = WARNINGS_ARE_ERRORS

CAMPAIGN = "坚决反对公交票价上涨，普通线路票价应当维持两元不变，请政府充分考虑低收入群体的出行负担。"


def noticed(walk: Any, days: int = 30) -> Any:
    """A decision with a comment notice published today, open for `days` calendar days."""
    walk.open().start().determine().coordinate()
    today = walk.ctx.today()
    walk.art(walk.c.drafter, "comment_notice", explanation="起草说明", channels=["政府网站"], method="网上留言",
             published_at=today.isoformat(), deadline=(today + timedelta(days=days)).isoformat())
    return walk


def replay_equals_live(walk: Any) -> None:
    with walk.ctx.store.read() as conn:
        assert part.replay_comments(conn, walk.did) == part.live_comments(conn, walk.did)
        assert queries.replay(conn, walk.did).state == svc.load(conn, walk.did)[0].state


def test_a_comment_gets_a_tracking_number_at_once_and_its_status_can_be_looked_up(walk_any: Any) -> None:
    walk = noticed(walk_any)
    receipt = part.submit_comment(walk.ctx, walk.did, "建议增加夜班公交线路。", name="张三", contact="138****")
    tn = receipt["tracking_number"]
    assert dp.parse_tracking_number(tn) == tn and receipt["late"] is False
    status = part.comment_status(walk.ctx, tn.lower().replace("-", " "))
    assert status["status"] == "received" and status["text"] == "建议增加夜班公交线路。"
    assert "张三" not in json.dumps(status, ensure_ascii=False)
    replay_equals_live(walk)


def test_a_comment_after_the_window_closes_is_refused_but_kept_and_counted_as_late(walk: Any) -> None:
    noticed(walk, days=30)
    walk.ctx.clock.advance(days=31)
    with pytest.raises(dp.CommentWindowClosed) as info:
        part.submit_comment(walk.ctx, walk.did, "逾期提交的意见")
    err = info.value
    assert (err.rule, err.article) == ("R6", "Art. 15") and "截止" in err.message
    assert err.to_dict()["tracking_number"] == err.tracking_number
    status = part.comment_status(walk.ctx, err.tracking_number)
    assert status["status"] == "late" and status["text"] == "逾期提交的意见"
    assert part.public_opinions(walk.ctx, walk.did)["totals"]["late"] == 1
    replay_equals_live(walk)


def test_a_comment_without_a_published_notice_is_refused_and_nothing_is_written(walk: Any) -> None:
    walk.open().start()
    with pytest.raises(RuleViolation) as info:
        part.submit_comment(walk.ctx, walk.did, "意见")
    assert (info.value.rule, info.value.article) == ("R6", "Art. 15")
    assert part.public_opinions(walk.ctx, walk.did)["totals"]["on_time"] == 0


def test_the_commenters_identity_is_kept_apart_and_only_committed_to_in_the_log(walk: Any) -> None:
    noticed(walk)
    tn = part.submit_comment(walk.ctx, walk.did, "意见", name="李四", organisation="某小区业委会",
                             contact="li@example.cn")["tracking_number"]
    anonymous = part.submit_comment(walk.ctx, walk.did, "匿名意见")["tracking_number"]
    with walk.ctx.store.read() as conn:
        events = part.comment_log(conn, walk.did)  # every shard the comments were received on
        ident = conn.execute(COMMENT_IDENTITIES.select()).mappings().all()
    assert "李四" not in json.dumps(events, ensure_ascii=False)
    assert len(ident) == 1 and ident[0]["tracking_number"] == tn and ident[0]["name"] == "李四"
    committed = dp.identity_commitment({"name": "李四", "organisation": "某小区业委会",
                                        "contact": "li@example.cn"}, ident[0]["salt"])
    received = {e["payload"]["tracking_number"]: e["payload"] for e in events}
    assert received.keys() == {tn, anonymous}
    assert received[tn]["identity_sha256"] == committed and received[anonymous]["identity_sha256"] is None


def test_a_tracking_number_with_a_typo_is_refused_and_confusable_letters_are_read_as_digits() -> None:
    tn = dp.tracking_number(0x1234_5678_9ABC_DE)
    body = tn.replace("-", "")
    typo = tn[:-1] + ("0" if tn[-1] != "0" else "1")
    with pytest.raises(InvalidInput) as info:
        dp.parse_tracking_number(typo)
    assert (info.value.rule, info.value.article) == ("R6", "Art. 15")
    assert dp.parse_tracking_number(body.replace("0", "O").replace("1", "I")) == tn


def test_an_unknown_tracking_number_is_not_found(walk: Any) -> None:
    noticed(walk)
    with pytest.raises(NotFound) as info:
        part.comment_status(walk.ctx, dp.tracking_number(42))
    assert info.value.rule == "R6"


def test_attachments_within_limits_are_stored_by_hash_and_a_sixth_is_refused(walk: Any) -> None:
    noticed(walk)
    pdf = b"%PDF-1.4 letter"
    tn = part.submit_comment(walk.ctx, walk.did, "见附件", attachments=[("意见.pdf", "application/pdf", pdf)])
    with walk.ctx.store.read() as conn:
        live = part.live_comments(conn, walk.did)["comments"][tn["tracking_number"]]
    assert live["attachments"][0]["sha256"] == hashlib.sha256(pdf).hexdigest()
    assert walk.ctx.blobs.get(live["attachments"][0]["sha256"]) == pdf
    with pytest.raises(InvalidInput) as info:
        part.submit_comment(walk.ctx, walk.did, "太多附件", attachments=[("a.pdf", "application/pdf", pdf)] * 6)
    assert (info.value.rule, info.value.article) == ("R6", "Art. 15")
    with pytest.raises(InvalidInput):
        part.submit_comment(walk.ctx, walk.did, "可执行文件", attachments=[("a.exe", "application/x-msdownload", pdf)])


def test_moderation_hides_with_a_reason_never_deletes_and_the_comment_is_still_counted(walk: Any) -> None:
    noticed(walk)
    tn = part.submit_comment(walk.ctx, walk.did, "含有他人身份证号码的意见")["tracking_number"]
    with pytest.raises(NotPermitted) as refused:
        part.moderate_comment(walk.ctx, walk.c.reviewer, tn, "personal_data")
    assert refused.value.rule == "R8"
    with pytest.raises(InvalidInput) as bad:
        part.moderate_comment(walk.ctx, walk.c.drafter, tn, "dislike")
    assert (bad.value.rule, bad.value.article) == ("R18", "Art. 33")
    part.moderate_comment(walk.ctx, walk.c.drafter, tn, "personal_data", "含身份证号")
    status = part.comment_status(walk.ctx, tn)
    assert status["status"] == "hidden" and status["text"] is None
    with walk.ctx.store.read() as conn:
        assert part.live_comments(conn, walk.did)["comments"][tn]["text"] == "含有他人身份证号码的意见"
    part.cluster_comments(walk.ctx, walk.c.drafter, walk.did)
    page = part.public_opinions(walk.ctx, walk.did)
    assert page["totals"] == {"on_time": 1, "late": 0, "hidden": 1, "unclustered": 0}
    assert page["opinions"][0]["text"] is None and page["opinions"][0]["count"] == 1
    replay_equals_live(walk)


def test_identical_and_near_identical_comments_become_one_opinion_incrementally(walk_any: Any) -> None:
    walk = noticed(walk_any)
    for i in range(6):
        variant = CAMPAIGN if i % 2 else CAMPAIGN.replace("两元", "2元") + f"——市民{i}"
        part.submit_comment(walk.ctx, walk.did, variant)
    part.submit_comment(walk.ctx, walk.did, "建议在地铁站与公交站之间增设风雨连廊，方便换乘。")
    run = part.cluster_comments(walk.ctx, walk.c.drafter, walk.did)
    assert run["clustered"] == 7 and run["clusters_total"] == 2
    late_joiner = part.submit_comment(walk.ctx, walk.did, "  " + CAMPAIGN + "！！")["tracking_number"]
    again = part.cluster_comments(walk.ctx, walk.c.drafter, walk.did)
    assert again["clustered"] == 1 and again["new_clusters"] == 0 and again["clusters_total"] == 2
    page = part.public_opinions(walk.ctx, walk.did)
    assert [o["count"] for o in page["opinions"]] == [7, 1]
    assert part.comment_status(walk.ctx, late_joiner)["same_opinion_count"] == 7
    replay_equals_live(walk)


def _disposed_walk(walk: Any) -> tuple[Any, dict[str, str]]:
    noticed(walk)
    for _ in range(3):
        part.submit_comment(walk.ctx, walk.did, CAMPAIGN)
    part.submit_comment(walk.ctx, walk.did, "建议增加夜班公交线路。")
    part.cluster_comments(walk.ctx, walk.c.drafter, walk.did)
    ids = {o["count"]: o["cluster_id"] for o in part.public_opinions(walk.ctx, walk.did)["opinions"]}
    return walk, {"campaign": ids[3], "night": ids[1]}


def test_the_feedback_report_is_refused_while_an_opinion_lacks_a_disposition(walk: Any) -> None:
    walk, ids = _disposed_walk(walk)
    walk.ctx.clock.advance(days=31)
    part.dispose_opinions(walk.ctx, walk.c.drafter, walk.did, [
        {"cluster_id": ids["campaign"], "disposition": "not_adopted", "reason": "票价已按成本监审核定"}])
    with pytest.raises(RuleViolation) as info:
        part.record_feedback_report(walk.ctx, walk.c.drafter, walk.did)
    assert (info.value.rule, info.value.article) == ("R8", "Art. 18")
    assert [m.need for m in info.value.missing] == [f"disposition of opinion cluster {ids['night']}"]
    with pytest.raises(RuleViolation) as early:
        svc.clear_gate(walk.ctx, walk.c.bureau_head, walk.did, "public_participation")
    assert early.value.rule == "R8"


def test_every_opinion_disposed_gives_the_report_and_the_participation_gate_clears(walk_any: Any) -> None:
    walk, ids = _disposed_walk(walk_any)
    svc.add_draft_version(walk.ctx, walk.c.drafter, walk.did, content=b"draft v2", title="v2", note="采纳夜班线")
    walk.ctx.clock.advance(days=31)
    part.dispose_opinions(walk.ctx, walk.c.drafter, walk.did, [
        {"cluster_id": ids["campaign"], "disposition": "not_adopted", "reason": "票价已按成本监审核定"},
        {"cluster_id": ids["night"], "disposition": "adopted", "reason": "新增两条夜班线", "changed_in_version": 2}])
    result = part.record_feedback_report(walk.ctx, walk.c.drafter, walk.did)
    view = queries.get_decision(walk.ctx, walk.did)
    summary = next(a for a in view["artifacts"] if a["kind"] == "opinion_summary")
    assert [o["count"] for o in summary["fields"]["opinions"]] == [3, 1]
    assert summary["fields"]["dispositions"] == {"adopted": 1, "partly": 0, "not_adopted": 1}
    report = walk.ctx.blobs.get(summary["sha256"]).decode()
    assert "意见采纳情况及其理由" in report and "| v2 |" in report
    svc.clear_gate(walk.ctx, walk.c.bureau_head, walk.did, "public_participation")
    tn = part.public_opinions(walk.ctx, walk.did)  # the public sees each opinion once with its disposition
    assert {o["disposition_zh"] for o in tn["opinions"]} == {"采纳", "未采纳"}
    with pytest.raises(RuleViolation) as after:
        part.dispose_opinions(walk.ctx, walk.c.drafter, walk.did, [
            {"cluster_id": ids["night"], "disposition": "not_adopted", "reason": "改变主意"}])
    assert after.value.rule == "R8"
    assert result.seq > 0
    replay_equals_live(walk)


def test_an_adopted_opinion_must_name_the_later_draft_version_it_changed(walk: Any) -> None:
    walk, ids = _disposed_walk(walk)
    with pytest.raises(RuleViolation) as info:
        part.dispose_opinions(walk.ctx, walk.c.drafter, walk.did, [
            {"cluster_id": ids["night"], "disposition": "adopted", "reason": "采纳", "changed_in_version": 1}])
    assert (info.value.rule, info.value.article) == ("R8", "Art. 18")
    with pytest.raises(RuleViolation):
        part.dispose_opinions(walk.ctx, walk.c.drafter, walk.did, [
            {"cluster_id": ids["night"], "disposition": "partly", "reason": ""}])


def test_the_feedback_report_before_the_window_closes_is_refused(walk: Any) -> None:
    walk, _ = _disposed_walk(walk)
    with pytest.raises(RuleViolation) as info:
        part.record_feedback_report(walk.ctx, walk.c.drafter, walk.did)
    assert (info.value.rule, info.value.article) == ("R6", "Art. 15")


def test_a_consultation_without_comments_reports_that_none_were_received(walk: Any) -> None:
    noticed(walk)
    walk.ctx.clock.advance(days=31)
    part.record_feedback_report(walk.ctx, walk.c.drafter, walk.did)
    view = queries.get_decision(walk.ctx, walk.did)
    summary = next(a for a in view["artifacts"] if a["kind"] == "opinion_summary")
    assert summary["fields"]["opinions"] == [{"cluster_id": "", "opinion": "征求意见期间未收到公众意见", "count": 0,
                                              "disposition": "not_adopted", "reason": "无意见需要处理",
                                              "changed_in_version": None}]
    assert (summary["fields"]["clusters_total"], summary["fields"]["comments_on_time"]) == (0, 0)
    report = walk.ctx.blobs.get(summary["sha256"]).decode()
    assert "征求意见期间共收到意见 0 条" in report and "经归并为 0 项不同意见" in report
    svc.clear_gate(walk.ctx, walk.c.bureau_head, walk.did, "public_participation")
    gate = next(g for g in queries.get_decision(walk.ctx, walk.did)["gates"] if g["id"] == "public_participation")
    assert gate["status"] == "cleared"


def test_letters_are_entered_by_the_undertaking_unit_and_late_letters_are_flagged(walk: Any) -> None:
    noticed(walk)
    walk.ctx.clock.advance(days=35)
    deadline = walk.ctx.today() - timedelta(days=5)
    entered = part.import_comments(walk.ctx, walk.c.drafter, walk.did, [
        {"text": "来信：支持优化线网", "received_on": deadline.isoformat(), "name": "王五"},
        {"text": "来信：逾期寄达", "received_on": (deadline + timedelta(days=1)).isoformat()}])
    assert [e["late"] for e in entered] == [False, True]
    with pytest.raises(NotPermitted):
        part.import_comments(walk.ctx, walk.c.reviewer, walk.did, [{"text": "x"}])
    with pytest.raises(InvalidInput):
        part.import_comments(walk.ctx, walk.c.drafter, walk.did, [
            {"text": "未来的信", "received_on": (walk.ctx.today() + timedelta(days=1)).isoformat()}])
    replay_equals_live(walk)


def test_comments_never_enter_the_decisions_projection(walk: Any) -> None:
    noticed(walk)
    with walk.ctx.store.read() as conn:
        before = len(st.load_decision(conn, walk.did)["state"])
    tns = [r["tracking_number"] for r in part.import_comments(
        walk.ctx, walk.c.drafter, walk.did, [{"text": f"第{i}条意见：建议{i}"} for i in range(300)])]
    part.cluster_comments(walk.ctx, walk.c.drafter, walk.did)
    with walk.ctx.store.read() as conn:
        state = st.load_decision(conn, walk.did)["state"]
    assert len(state) == before and tns[0] not in state


def test_other_methods_of_participation_are_recorded_with_their_records(walk: Any) -> None:
    walk.open().start().determine(affects_specific_group=True).coordinate()
    part.record_participation(walk.ctx, walk.c.drafter, walk.did, method="symposium", summary="座谈会一场，12人",
                              held_on=walk.ctx.today().isoformat(), participants=["乘客代表"],
                              content=b"%PDF minutes", filename="座谈会记录.pdf")
    with pytest.raises(InvalidInput) as info:
        part.record_participation(walk.ctx, walk.c.drafter, walk.did, method="朋友圈投票", summary="x",
                                  held_on=walk.ctx.today().isoformat())
    assert (info.value.rule, info.value.article) == ("R5", "Art. 14")
    gate = next(g for g in queries.get_decision(walk.ctx, walk.did)["gates"] if g["id"] == "public_participation")
    assert any(m["article"] == "Art. 14 ¶3" for m in gate["missing"])
    part.record_group_consultation(walk.ctx, walk.c.drafter, walk.did, groups=["老年人协会", "残疾人联合会"],
                                   summary="两场座谈")
    gate = next(g for g in queries.get_decision(walk.ctx, walk.did)["gates"] if g["id"] == "public_participation")
    assert not any(m["article"] == "Art. 14 ¶3" for m in gate["missing"])
    replay_equals_live(walk)


def test_concurrent_comments_share_durable_transactions_and_a_refused_one_does_not_sink_the_others(
        walk_any: Any) -> None:
    from concurrent.futures import ThreadPoolExecutor
    walk = noticed(walk_any)
    texts = [f"并发意见{i}" if i % 10 else "   " for i in range(60)]

    def send(text: str) -> str:
        try:
            return str(part.submit_comment(walk.ctx, walk.did, text)["tracking_number"])
        except InvalidInput as refusal:
            return f"refused:{refusal.rule}"
    with ThreadPoolExecutor(12) as pool:
        answers = list(pool.map(send, texts))
    accepted = [a for a in answers if not a.startswith("refused")]
    assert len(accepted) == 54 == len(set(accepted)) and answers.count("refused:R6") == 6
    with walk.ctx.store.read() as conn:
        events = part.comment_log(conn, walk.did)
    assert sorted(e["payload"]["tracking_number"] for e in events) == sorted(accepted)
    replay_equals_live(walk)


def test_the_feedback_report_before_the_window_closes_is_refused_naming_r6(walk: Any) -> None:
    """R6, Art. 15 (domain, `rules.participation.check_feedback_report`): not before the window closed."""
    noticed(walk, days=30)
    with pytest.raises(RuleViolation) as info:
        part.record_feedback_report(walk.ctx, walk.c.drafter, walk.did)
    assert (info.value.rule, info.value.article) == ("R6", "Art. 15")
    kinds = [a["kind"] for a in queries.get_decision(walk.ctx, walk.did)["artifacts"]]
    assert "opinion_summary" not in kinds and "comment_notice" in kinds
    walk.ctx.clock.advance(days=31)
    part.record_feedback_report(walk.ctx, walk.c.drafter, walk.did)
    kinds = [a["kind"] for a in queries.get_decision(walk.ctx, walk.did)["artifacts"]]
    assert "opinion_summary" in kinds


def test_a_hand_written_summary_has_no_door_with_or_without_comments(walk: Any) -> None:
    """AR14, R8 Arts. 18, 29(2): the feedback report is generated from the record through its own door; the
    generic artifact route refuses it (before comments came in as after), naming the door."""
    noticed(walk, days=30)
    for advance in (0, 31):
        walk.ctx.clock.advance(days=advance)
        with pytest.raises(RuleViolation) as info:
            walk.art(walk.c.drafter, "opinion_summary", opinions=[
                {"opinion": "编造的意见", "disposition": "adopted", "reason": "已采纳"}])
        assert (info.value.rule, info.value.article) == ("AR14", "Arts. 18, 29(2)")
        assert f"/decisions/{walk.did}/feedback-report" in info.value.message
        if not advance:
            part.submit_comment(walk.ctx, walk.did, "建议增加夜班公交线路。")
