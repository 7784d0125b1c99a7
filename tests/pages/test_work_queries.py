"""The queries behind the pages (issue 9): what waits for each person with its rule, article and deadline;
the legal office's queue with working days left on the statutory clock; dashboard figures; the auditor's
chain check and trace-back by person. Each on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from decision_engine.services import auditing, work
from tests.conftest import WARNINGS_ARE_ERRORS
from tests.pages.conftest import replay_equals_live

pytestmark = WARNINGS_ARE_ERRORS


def test_the_work_queue_names_what_each_role_must_supply_with_rule_and_article(walk_any: Any) -> None:
    w = walk_any.open().start()
    drafter = work.work_queue(w.ctx, w.c.drafter)
    assert {"role": "undertaking_unit", "unit": w.bureau} .items() <= drafter["roles"][0].items()
    needs = {(i["kind"], i["rule"], i["article"]) for i in drafter["items"]}
    assert ("determination:specialised", "R9", "Art. 19") in needs
    assert ("consultation", "R4", "Art. 13") in needs  # the affected unit named in the start decision
    assert not any(i["kind"] == "legality_opinion" for i in drafter["items"])  # not the drafter's to give
    reviewer = work.work_queue(w.ctx, w.c.reviewer)
    assert reviewer["items"] == []  # nothing submitted for review yet
    replay_equals_live(w.ctx, w.did)


def test_a_gate_waiting_to_be_cleared_is_offered_to_its_clearer_but_never_to_its_author(walk: Any) -> None:
    from datetime import timedelta
    w = walk.open().start().determine().coordinate()
    today = w.ctx.today()
    w.art(w.c.drafter, "comment_notice", explanation="说明", channels=["网站"], method="留言",
          published_at=today.isoformat(), deadline=(today + timedelta(days=30)).isoformat())
    w.ctx.clock.advance(days=31)  # the adoption summary only once the window closed (R6 Art. 15)
    w.feedback()  # the feedback report through its one door (AR14)
    head = [i for i in work.work_queue(w.ctx, w.c.bureau_head)["items"] if i["act"] == "clear"]
    assert [(i["gate"], i["rule"]) for i in head] == [("public_participation", "R5")]
    assert head[0]["deadline"] is None  # the minimum comment period ran out: nothing left to count down
    author = work.work_queue(w.ctx, w.c.drafter)["items"]
    assert not any(i["act"] == "clear" for i in author)  # SoD8: the author is not asked to clear


def test_the_legal_queue_counts_working_days_left_on_the_statutory_clock(walk_any: Any) -> None:
    w = walk_any.open().start().determine().coordinate().participate()
    deadline = w.ctx.calendar.add_working_days(w.ctx.today(), 8).due
    w.art(w.c.drafter, "legality_submission", legal_basis="价格法", procedure_explanation="已履行",
          requested_deadline=deadline.isoformat())
    [item] = work.legal_queue(w.ctx)
    assert item["decision_id"] == w.did and item["working_days_left"] == 8 and not item["provisional"]
    assert item["minimum"]["basis"] == "R11 Art. 26 ¶2" and item["advisers"] == 0
    assert any(m["rule"] == "R12" and m["kind"] == "legal_adviser_opinion" for m in item["missing"])
    # In the procedure's order: the adviser's opinion first (R12, Art. 28), then the reviewer's.
    assert work.work_queue(w.ctx, w.c.reviewer)["items"] == []
    adviser = work.work_queue(w.ctx, w.c.adviser)["items"]
    assert [(i["kind"], i["rule"], i["article"]) for i in adviser] == [("legal_adviser_opinion", "R12", "Art. 28")]
    w.art(w.c.adviser, "legal_adviser_opinion", opinion="合法")
    reviewer = work.work_queue(w.ctx, w.c.reviewer)["items"]
    assert [(i["kind"], i["rule"], i["article"]) for i in reviewer] == [("legality_opinion", "R12", "Arts. 27–28")]
    assert reviewer[0]["deadline"]["name"] == "legality_review_min"
    replay_equals_live(w.ctx, w.did)


def test_the_dashboard_counts_stages_time_limits_and_overdue_items(walk: Any) -> None:
    w = walk.decided()
    w.ctx.clock.advance(days=40)  # publication (20 working days, R17) is now late
    fig = work.dashboard(w.ctx)
    assert fig["decisions"] == 1 and sum(fig["by_stage"].values()) == 1
    assert fig["timing"]["publication"] == {"on_time": 0, "late": 1, "pending": 0}
    assert fig["timing"]["legality_review"]["on_time"] == 1
    assert fig["overdue_by_unit"] == {w.bureau: 1}


def test_the_auditor_checks_one_decision_and_sees_it_as_it_stood(walk_any: Any) -> None:
    w = walk_any.decided()
    check = auditing.check_decision(w.ctx, w.did)
    assert check["ok"] and check["events"] > 20 and len(check["head"]) == 64 and check["problems"] == []
    t = auditing.timeline(w.ctx, w.did, seq=5)
    assert t["as_of"]["seq"] == 5 and [e["after"] for e in t["events"]][:6] == [False] * 5 + [True]
