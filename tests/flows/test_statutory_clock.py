"""The statutory clock through its services with a manual clock: comment windows close (R6, Art. 15),
reminders come before a deadline and escalations after it — to the unit's head, then the organ — for the
legality review (R11), publication (R17) and the decision's due date (R22, Art. 38 ¶2); undue delay
opens one incident; execution reports (R19) and scheduled evaluations (R21) are flagged. Every duty is
keyed (decision, duty, due): running twice, or again after a crash mid-run, adds nothing twice, and the
decision rebuilt from its events equals the stored one."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from decision_engine.adapters.tables import ACCOUNTABILITY_CASES, CLOCK_DUTIES, EVENTS, NOTIFICATIONS
from decision_engine.domain.errors import InvalidInput
from decision_engine.services import clock_duties, notifications, queries
from decision_engine.services import decisions as svc
from decision_engine.services.demo import JUSTICE
from tests.conftest import WARNINGS_ARE_ERRORS

pytestmark = WARNINGS_ARE_ERRORS


def run_clock(walk: Any, today: date | None = None) -> dict[str, Any]:
    """One clock run as the flow does it: find, act by kind, undue delay."""
    due = clock_duties.find_due(walk.ctx, today)
    result = clock_duties.perform(walk.ctx, [i for i in due if i["kind"] != "undue_delay"])
    result["undue_delay"] = clock_duties.open_undue_delay_incidents(walk.ctx, due, today)
    result["due"] = due
    return result


def events_of(walk: Any, did: str | None = None) -> Counter[str]:
    return Counter(e["type"] for e in queries.events(walk.ctx, did or walk.did))


def last(walk: Any, etype: str) -> dict[str, Any]:
    return [e for e in queries.events(walk.ctx, walk.did) if e["type"] == etype][-1]


def replay_equals_live(walk: Any, did: str | None = None) -> None:
    with walk.ctx.store.read() as conn:
        assert queries.replay(conn, did or walk.did).state == svc.load(conn, did or walk.did)[0].state


def told(walk: Any, duty_prefix: str, did: str | None = None) -> dict[str, set[str]]:
    """Who was notified for duties starting with a prefix: duty -> persons."""
    with walk.ctx.store.read() as conn:
        rows = conn.execute(select(NOTIFICATIONS.c.duty, NOTIFICATIONS.c.person_id, NOTIFICATIONS.c.level)
                            .where(NOTIFICATIONS.c.decision_id == (did or walk.did),
                                   NOTIFICATIONS.c.duty.like(f"{duty_prefix}%"))).all()
    out: dict[str, set[str]] = {}
    for duty, person, _ in rows:
        out.setdefault(duty, set()).add(person)
    return out


def open_notice(walk: Any, days: int = 30) -> date:
    today = walk.ctx.today()
    walk.art(walk.c.drafter, "comment_notice", explanation="说明", channels=["网站"], method="留言",
             published_at=today.isoformat(), deadline=(today + timedelta(days=days)).isoformat())
    return today + timedelta(days=days)


# ---------------------------------------------------------------------------------------- R6 comment windows
def test_a_comment_window_still_open_is_left_alone(walk_any: Any) -> None:
    walk_any.open().start().determine().coordinate()
    deadline = open_notice(walk_any)
    assert [i for i in clock_duties.find_due(walk_any.ctx, deadline) if i["kind"] == "comment_window"] == []


def test_a_comment_window_is_closed_once_after_its_deadline(walk_any: Any) -> None:
    walk_any.open().start().determine().coordinate()
    deadline = open_notice(walk_any)
    walk_any.ctx.clock.advance(days=31)
    first = run_clock(walk_any)
    assert first["acted"] == 1 and first["notifications"] == 2  # the drafter and the bureau head
    closed = last(walk_any, "CommentWindowClosed")
    assert closed["payload"]["deadline"] == deadline.isoformat()
    assert (closed["payload"]["rule"], closed["payload"]["article"]) == ("R6", "Art. 15")
    assert closed["actor"]["person"] == "system"
    assert told(walk_any, "comment_window_closed") and \
        set().union(*told(walk_any, "comment_window_closed").values()) == {walk_any.c.drafter, walk_any.c.bureau_head}
    again = run_clock(walk_any)
    assert again["due"] == [] and again["acted"] == 0
    assert clock_duties.perform(walk_any.ctx, first["due"])["skipped"] == 1  # a retried task adds nothing
    assert events_of(walk_any)["CommentWindowClosed"] == 1
    replay_equals_live(walk_any)


# ---------------------------------------------------------------------------------------- R11 legality review
def submit_for_review(walk: Any, working_days: int = 8) -> date:
    walk.open().start().determine().coordinate().participate()
    due = walk.ctx.calendar.add_working_days(walk.ctx.today(), working_days).due
    walk.art(walk.c.drafter, "legality_submission", legal_basis="价格法", procedure_explanation="已履行",
             requested_deadline=due.isoformat())
    return due


def test_a_legality_review_deadline_is_reminded_before_and_escalated_after(walk: Any) -> None:
    c = walk.c
    notifications.set_contact(walk.ctx, c.legal_director, email="chen@justice.example", heads_unit=JUSTICE)
    due = submit_for_review(walk)
    cal = walk.ctx.calendar
    assert run_clock(walk, cal.add_working_days(walk.ctx.today(), 2).due)["due"] == []  # 6 working days left
    reminder_day = due - timedelta(days=1)
    run_clock(walk, reminder_day)
    assert told(walk, "reminder:legality_review") == {"reminder:legality_review": {c.reviewer, c.legal_director}}
    assert "DeadlinePassed" not in events_of(walk)

    run_clock(walk, due + timedelta(days=1))
    passed = last(walk, "DeadlinePassed")["payload"]
    assert (passed["deadline"], passed["rule"], passed["article"]) == ("legality_review", "R12", "Art. 28")
    assert told(walk, "deadline_passed:legality_review") == {
        "deadline_passed:legality_review": {c.legal_director}}  # the head of the reviewing unit

    organ_day = cal.add_working_days(due, 5).due
    run_clock(walk, organ_day - timedelta(days=1))
    assert "DeadlineEscalated" not in events_of(walk)
    run_clock(walk, organ_day)
    escalated = last(walk, "DeadlineEscalated")["payload"]
    assert escalated["to"] == "decision_organ" and escalated["working_days_late"] == 5
    assert told(walk, "escalation_organ:legality_review") == {
        "escalation_organ:legality_review": {c.head, c.office}}
    assert run_clock(walk, organ_day + timedelta(days=3))["due"] == []
    counts = events_of(walk)
    assert (counts["DeadlinePassed"], counts["DeadlineEscalated"]) == (1, 1)
    replay_equals_live(walk)


def test_a_cleared_legality_review_is_no_longer_watched(walk: Any) -> None:
    walk.ready()
    assert [i for i in clock_duties.find_due(walk.ctx, walk.ctx.today() + timedelta(days=60))
            if "legality_review" in i["duty"]] == []


# ---------------------------------------------------------------------------------------- R17 publication
def test_a_publication_deadline_passed_is_marked_and_escalated_to_the_organ(walk: Any) -> None:
    walk.decided()
    due = walk.ctx.calendar.add_working_days(walk.ctx.today(), 20).due
    run_clock(walk, due + timedelta(days=1))
    passed = last(walk, "DeadlinePassed")["payload"]
    assert (passed["deadline"], passed["due"], passed["rule"], passed["article"]) == (
        "publication", due.isoformat(), "R17", "Art. 32")
    # no head of the organ's office is registered: the escalation goes to the organ itself
    assert told(walk, "deadline_passed:publication") == {"deadline_passed:publication": {walk.c.head, walk.c.office}}
    replay_equals_live(walk)


def test_a_published_decision_owes_no_publication_duty(walk: Any) -> None:
    from decision_engine.services import publication
    walk.decided()
    publication.publish(walk.ctx, walk.c.office, walk.did, channels=["政府公报", "政府网站", "某市日报"])
    due = clock_duties.find_due(walk.ctx, walk.ctx.today() + timedelta(days=90))
    assert [i for i in due if "publication" in i["duty"]] == []


# ---------------------------------------------------------------------------------------- R22 undue delay
def test_a_decision_past_its_due_date_opens_one_undue_delay_incident(walk_any: Any) -> None:
    walk_any.open(due_by=(walk_any.ctx.today() + timedelta(days=10)).isoformat()).start()
    assert run_clock(walk_any)["due"] == []
    walk_any.ctx.clock.advance(days=12)
    run_clock(walk_any)
    run_clock(walk_any)
    with walk_any.ctx.store.read() as conn:
        cases = conn.execute(select(func.count()).select_from(ACCOUNTABILITY_CASES).where(
            ACCOUNTABILITY_CASES.c.decision_id == walk_any.did,
            ACCOUNTABILITY_CASES.c.kind == "undue_delay")).scalar_one()
    assert cases == 1
    passed = last(walk_any, "DeadlinePassed")["payload"]
    assert (passed["deadline"], passed["rule"], passed["article"]) == ("due_by", "R22", "Art. 38 ¶2")
    replay_equals_live(walk_any)


def test_without_the_accountability_service_the_clock_opens_the_incident_itself(walk: Any,
                                                                                 monkeypatch: pytest.MonkeyPatch
                                                                                 ) -> None:
    real = clock_duties._peer
    monkeypatch.setattr(clock_duties, "_peer", lambda m, n: None if m == "accountability" else real(m, n))
    walk.open(due_by=(walk.ctx.today() + timedelta(days=3)).isoformat()).start()
    walk.ctx.clock.advance(days=5)
    run_clock(walk)
    run_clock(walk)
    opened = [e for e in queries.events(walk.ctx, walk.did) if e["type"] == "UndueDelayIncidentOpened"]
    assert len(opened) == 1
    assert (opened[0]["payload"]["rule"], opened[0]["payload"]["article"]) == ("R22", "Art. 38 ¶2")
    replay_equals_live(walk)


def test_a_malformed_run_date_is_refused_with_its_rule(walk: Any) -> None:
    with pytest.raises(InvalidInput) as info:
        clock_duties.find_due(walk.ctx, "next tuesday")
    assert (info.value.rule, info.value.article) == ("R22", "Art. 38 ¶2")


# ---------------------------------------------------------------------------------------- R19, R21 after the decision
def test_execution_reports_due_and_a_scheduled_evaluation_are_flagged_once(walk: Any) -> None:
    from decision_engine.services import execution
    c, ctx = walk.c, walk.ctx
    walk.ready().meeting().report()
    evaluation_on = (ctx.today() + timedelta(days=200)).isoformat()
    execution.fix_targets(ctx, c.drafter, walk.did, kpis=[{"id": "k1", "name": "准点率", "baseline": 80,
                                                            "target": 95}], evaluation_on=evaluation_on)
    svc.finalize(ctx, c.head, walk.did)
    execution.designate_execution_units(ctx, c.head, walk.did, ["某市公交集团"])
    report_due = ctx.calendar.add_calendar_days(ctx.today(), 90).due
    assert [i for i in clock_duties.find_due(ctx, report_due - timedelta(days=1))
            if i["kind"] == "execution_report"] == []
    run_clock(walk, report_due)
    flagged = last(walk, "ExecutionReportDue")["payload"]
    assert (flagged["unit"], flagged["due"], flagged["rule"], flagged["article"]) == (
        "某市公交集团", report_due.isoformat(), "R19", "Art. 34")
    assert set().union(*told(walk, "execution_report_due").values()) == {c.executor}
    run_clock(walk, date.fromisoformat(evaluation_on))
    evaluation = last(walk, "EvaluationDue")["payload"]
    assert (evaluation["since"], evaluation["rule"], evaluation["article"]) == (evaluation_on, "R21", "Art. 36")
    run_clock(walk, date.fromisoformat(evaluation_on))
    counts = events_of(walk)
    assert (counts["ExecutionReportDue"], counts["EvaluationDue"]) == (1, 1)
    replay_equals_live(walk)


# ---------------------------------------------------------------------------------------- idempotency under faults
def test_a_crash_mid_run_then_a_retry_leaves_each_duty_done_exactly_once(walk_any: Any,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = walk_any.ctx
    ids = [walk_any.open(due_by=(ctx.today() + timedelta(days=2)).isoformat()).start().did for _ in range(4)]
    ctx.clock.advance(days=20)
    due = [i for i in clock_duties.find_due(ctx) if i["kind"] != "undue_delay"]
    real_record, calls = notifications.record, {"n": 0}

    def crash_on_third(conn: Any, planned: Any, *, at: str) -> list[str]:
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("the worker died here")
        return real_record(conn, planned, at=at)
    monkeypatch.setattr(notifications, "record", crash_on_third)
    with pytest.raises(RuntimeError):
        clock_duties.perform(ctx, due, chunk=1)
    done = {did for did in ids if events_of(walk_any, did)["DeadlinePassed"]}
    assert len(done) == 2  # the third decision's transaction rolled back whole: no event, no key
    monkeypatch.setattr(notifications, "record", real_record)
    retried = clock_duties.perform(ctx, due, chunk=1)  # the task retried with the same inputs
    assert len(retried["decisions"]) == 2 and retried["skipped"] == 2 * 2
    assert [i for i in clock_duties.find_due(ctx) if i["kind"] != "undue_delay"] == []
    with ctx.store.read() as conn:
        keys = conn.execute(select(CLOCK_DUTIES.c.decision_id, CLOCK_DUTIES.c.duty)).all()
        per_person = conn.execute(select(NOTIFICATIONS.c.decision_id, NOTIFICATIONS.c.duty,
                                         NOTIFICATIONS.c.person_id)).all()
    assert len(keys) == len(set(keys)) == 4 * 2
    assert len(per_person) == len(set(per_person))
    for did in ids:
        counts = events_of(walk_any, did)
        assert (counts["DeadlinePassed"], counts["DeadlineEscalated"]) == (1, 1)
        replay_equals_live(walk_any, did)


def test_a_decision_changed_concurrently_is_left_for_the_next_run(walk: Any, monkeypatch: pytest.MonkeyPatch
                                                                  ) -> None:
    from decision_engine.domain.errors import ConcurrencyConflict
    ctx = walk.ctx
    first = walk.open(due_by=(ctx.today() + timedelta(days=1)).isoformat()).start().did
    second = walk.open(due_by=(ctx.today() + timedelta(days=1)).isoformat()).start().did
    ctx.clock.advance(days=10)
    due = [i for i in clock_duties.find_due(ctx) if i["kind"] != "undue_delay"]
    real_persist = clock_duties._persist

    def conflict_on_first(conn: Any, d: Any, *args: Any) -> Any:
        if d.id == first:
            raise ConcurrencyConflict("another writer appended first", rule="R18", article="Art. 33")
        return real_persist(conn, d, *args)
    monkeypatch.setattr(clock_duties, "_persist", conflict_on_first)
    result = clock_duties.perform(ctx, due)
    assert [f["decision_id"] for f in result["failed"]] == [first]
    assert (result["failed"][0]["rule"], result["failed"][0]["article"]) == ("R18", "Art. 33")
    assert result["decisions"] == [second]
    monkeypatch.setattr(clock_duties, "_persist", real_persist)
    assert clock_duties.perform(ctx, [i for i in clock_duties.find_due(ctx) if i["kind"] != "undue_delay"]
                                )["decisions"] == [first]
    with ctx.store.read() as conn:
        passed = conn.execute(select(EVENTS.c.stream).where(EVENTS.c.type == "DeadlinePassed")).scalars().all()
    assert sorted(passed) == sorted([f"decision:{first}", f"decision:{second}"])


def test_a_duty_that_lapsed_between_finding_and_acting_is_not_performed(walk: Any) -> None:
    walk.open().start().determine().coordinate()
    open_notice(walk)
    walk.ctx.clock.advance(days=31)
    due = clock_duties.find_due(walk.ctx)
    assert [i["kind"] for i in due] == ["comment_window"]
    walk.feedback()  # the feedback report through its one door (AR14)
    svc.clear_gate(walk.ctx, walk.c.bureau_head, walk.did, "public_participation")  # R6: the window had closed
    result = clock_duties.perform(walk.ctx, due)
    assert (result["acted"], result["stale"]) == (0, 1)
    assert "CommentWindowClosed" not in events_of(walk)


def test_every_notified_duty_names_the_rule_and_article_it_rests_on(walk: Any) -> None:
    """The inbox shows each notification's legal basis (issue 9: deadlines with their legal basis): the
    basis read from a duty id agrees with the rule and article the clock's own event cites."""
    from decision_engine.services.demo_portfolio import seed_portfolio
    seed_portfolio(walk.ctx, walk.c, lambda _: None)
    due = clock_duties.find_due(walk.ctx, walk.ctx.today() + timedelta(days=400))
    kinds = Counter(i["kind"] for i in due)
    assert {"deadline", "execution_report", "comment_window"} <= set(kinds), kinds
    for item in due:
        basis = notifications.duty_basis(item["duty"])
        assert basis is not None, item["duty"]
        if item["event"] and "rule" in item["event"][1]:
            facts = item["event"][1]
            assert basis == (facts["rule"], facts["article"]), (item["duty"], facts)


# ---------------------------------------------------------------------------------------- R19, Art. 40 (issue 16)
def _executing(walk: Any) -> Any:
    from decision_engine.services import execution
    walk.ready().meeting().report()
    svc.finalize(walk.ctx, walk.c.head, walk.did)
    execution.designate_execution_units(walk.ctx, walk.c.head, walk.did, ["某市公交集团"])
    return execution


def failures(walk: Any) -> list[dict[str, Any]]:
    return [e["payload"] for e in queries.events(walk.ctx, walk.did) if e["type"] == "ExecutionFailureFound"]


def test_an_execution_unit_that_misses_its_report_is_flagged_to_the_organ_under_art_40(walk: Any) -> None:
    c, ctx = walk.c, walk.ctx
    _executing(walk)
    report_due = ctx.calendar.add_calendar_days(ctx.today(), 90).due
    run_clock(walk, report_due + timedelta(days=10))  # overdue, within the grace: a delay, not yet a failure
    assert failures(walk) == []
    run_clock(walk, report_due + timedelta(days=11))
    [found] = failures(walk)
    assert (found["finding"], found["failure"], found["unit"], found["rule"], found["article"]) == (
        "execution_failure", "report_missed", "某市公交集团", "R19", "Art. 40")
    assert c.head in set().union(*told(walk, "execution_failure").values())  # the organ orders the correction
    run_clock(walk, report_due + timedelta(days=12))  # the same missed report is flagged once
    assert len(failures(walk)) == 1
    replay_equals_live(walk)


def test_a_late_problem_report_is_flagged_and_a_prompt_one_is_not(walk: Any) -> None:
    c, ctx = walk.c, walk.ctx
    execution = _executing(walk)
    today = ctx.today()
    execution.report_problem(ctx, c.executor, walk.did, ground="problems_found", summary="站点施工受阻",
                             occurred_on=(today - timedelta(days=5)).isoformat())
    run_clock(walk, today)
    assert failures(walk) == []  # within the days a report is prompt (及时)
    execution.report_problem(ctx, c.executor, walk.did, ground="major_change_of_circumstances", summary="客流骤降",
                             occurred_on=(today - timedelta(days=6)).isoformat())
    run_clock(walk, today)
    [found] = failures(walk)
    assert (found["failure"], found["rule"], found["article"]) == ("problem_report_late", "R19", "Art. 40")
    replay_equals_live(walk)


def test_a_suspension_on_an_art_35_ground_nobody_reported_flags_the_omission(walk: Any) -> None:
    c, ctx = walk.c, walk.ctx
    _executing(walk)
    svc.suspend(ctx, c.head, walk.did, "problems_found", "票务系统故障", urgency="继续执行将造成损失")
    run_clock(walk, ctx.today())
    [found] = failures(walk)
    assert (found["failure"], found["unit"], found["article"]) == ("problem_not_reported", "某市公交集团", "Art. 40")
    other = type(walk)(ctx)
    other.c = c
    execution = _executing(other)
    execution.report_problem(ctx, c.executor, other.did, ground="problems_found", summary="票务系统故障",
                             occurred_on=ctx.today().isoformat())
    svc.suspend(ctx, c.head, other.did, "problems_found", "票务系统故障", urgency="继续执行将造成损失")
    run_clock(other, ctx.today())
    assert failures(other) == []  # reported before the head suspended: no omission
