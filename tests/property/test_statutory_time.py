"""The statutory clock: every statutory date is the date in the jurisdiction's time zone (Beijing).

A property test walks a decision on a real SQLite store with a manual clock whose moments fall anywhere
in the day — 00:00–08:00 Beijing (the previous day in UTC) included — around 2025's National Day and
Spring Festival holidays and their swapped working days; at random moments it captures the live view
(deadlines, overdue flags) and then checks that the view replayed as of each moment is the same.
"""

from __future__ import annotations

import tempfile
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import hypothesis.strategies as strat
import pytest
from hypothesis import HealthCheck, Phase, given, settings

from decision_engine.domain import review
from decision_engine.domain.statutory_time import statutory_date, statutory_day, zone_of
from decision_engine.services import decisions as svc
from decision_engine.services import queries
from decision_engine.services.clock import CHINA, ManualClock, iso
from tests.conftest import Walk, make_ctx

# Days around the 2025 Spring Festival (holiday Jan 28–Feb 4, working Sundays/Saturdays Jan 26, Feb 8)
# and National Day (holiday Oct 1–8, working Sep 28 and Oct 11).
ANCHORS = (date(2025, 1, 23), date(2025, 1, 26), date(2025, 2, 3), date(2025, 2, 7),
           date(2025, 9, 26), date(2025, 9, 28), date(2025, 10, 7), date(2025, 10, 10))


def test_a_moment_between_midnight_and_eight_in_beijing_is_the_beijing_date_not_the_utc_one() -> None:
    saturday_0108 = datetime(2025, 3, 8, 1, 8, tzinfo=CHINA)
    stored = iso(saturday_0108)
    assert stored.startswith("2025-03-07T17:08")  # the UTC text says Friday
    assert statutory_date(stored) == statutory_date(saturday_0108) == date(2025, 3, 8)
    assert statutory_date(stored, "Europe/Paris") == date(2025, 3, 7)
    assert statutory_day("2025-03-08") == date(2025, 3, 8)  # a date is a date
    assert statutory_day("2025-03-07T17:08:00+00:00") == date(2025, 3, 8)
    assert zone_of({}) == "Asia/Shanghai" and zone_of({"time_zone": "Asia/Urumqi"}) == "Asia/Urumqi"


def test_a_legality_submission_at_0108_on_saturday_in_beijing_counts_from_saturday(walk: Walk) -> None:
    walk.open().start().determine().coordinate().participate()
    saturday = datetime(2025, 10, 11, 1, 8, tzinfo=CHINA)  # a swapped working Saturday; Friday in UTC
    walk.ctx.clock.set(saturday)  # type: ignore[attr-defined]
    requested = walk.ctx.calendar.add_working_days(date(2025, 10, 11), 8).due
    walk.art(walk.c.drafter, "legality_submission", legal_basis="价格法", procedure_explanation="已履行",
             requested_deadline=requested.isoformat())
    view = queries.get_decision(walk.ctx, walk.did)
    minimum = next(x for x in view["deadlines"] if x["name"] == "legality_review_min")
    seven = walk.ctx.calendar.add_working_days(date(2025, 10, 11), 7).due
    friday_based = walk.ctx.calendar.add_working_days(date(2025, 10, 10), 7).due
    assert minimum["start"] == "2025-10-11" and minimum["due"] == seven.isoformat()
    assert seven != friday_based  # counted from Friday it would end a working day early
    with walk.ctx.store.read() as conn:
        d, _ = svc.load(conn, walk.did)
    clock = review.review_clock(d, walk.ctx.calendar, walk.ctx.today())
    assert clock is not None and clock["submitted_on"] == "2025-10-11"


def test_replay_at_0300_beijing_on_the_day_after_the_due_date_says_overdue_as_the_live_view_did(
        walk: Walk) -> None:
    due_by = date(2025, 3, 10)
    walk.open(due_by=due_by.isoformat())
    at = datetime.combine(due_by + timedelta(days=1), time(3, 0), tzinfo=CHINA)  # still Mar 10 in UTC
    walk.ctx.clock.set(at)  # type: ignore[attr-defined]
    live = _due_by(queries.get_decision(walk.ctx, walk.did))
    assert live["overdue"] is True
    assert _due_by(queries.history_at(walk.ctx, walk.did, at=iso(at))) == live
    assert _due_by(queries.history_at(walk.ctx, walk.did, at=at.isoformat())) == live  # +08:00 spelled


def _due_by(view: dict[str, Any]) -> dict[str, Any]:
    return next(x for x in view["deadlines"] if x["name"] == "due_by")


# ------------------------------------------------------------------------------------ the property
def _moment(day: date, minutes: int) -> datetime:
    return datetime.combine(day, time(0), tzinfo=CHINA) + timedelta(minutes=minutes)


# Minutes after midnight Beijing: half the draws between 00:00 and 08:00 (the previous UTC day).
MINUTES = strat.one_of(strat.integers(0, 8 * 60 - 1), strat.integers(0, 24 * 60 - 1))
# Captures: (days after the phase's start, minutes in that Beijing day).
CAPTURES = strat.lists(strat.tuples(strat.integers(0, 12), MINUTES), min_size=1, max_size=4)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow],
          phases=[Phase.explicit, Phase.reuse, Phase.generate])  # a walk per example: no slow shrinking
@given(anchor=strat.sampled_from(ANCHORS), start_minutes=MINUTES, due_in=strat.integers(0, 45),
       submit_day=strat.integers(31, 36), submit_minutes=MINUTES, captures=strat.lists(CAPTURES, min_size=3,
                                                                                        max_size=3))
def test_the_view_replayed_as_of_any_moment_equals_the_live_view_captured_at_that_moment(
        anchor: date, start_minutes: int, due_in: int, submit_day: int, submit_minutes: int,
        captures: list[list[tuple[int, int]]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        ctx = make_ctx(Path(tmp), f"sqlite:///{Path(tmp) / 'decide.db'}", start=_moment(anchor, start_minutes))
        try:
            seen = _walk_and_capture(ctx, Walk(ctx), anchor, due_in, submit_day, submit_minutes, captures)
            for at, live in seen:
                replayed = queries.history_at(ctx, live["id"], at=iso(at))
                assert replayed["deadlines"] == live["deadlines"], at.isoformat()
                assert replayed == live, at.isoformat()
        finally:
            ctx.store.dispose()


def _walk_and_capture(ctx: Any, walk: Walk, anchor: date, due_in: int, submit_day: int, submit_minutes: int,
                      captures: list[list[tuple[int, int]]]) -> list[tuple[datetime, dict[str, Any]]]:
    clock: ManualClock = ctx.clock
    seen: list[tuple[datetime, dict[str, Any]]] = []

    def capture(phase: list[tuple[int, int]], until: datetime | None) -> None:
        base = statutory_date(clock.now())
        last = clock.now()
        for days, minutes in sorted(phase):
            at = max(_moment(base + timedelta(days=days), minutes), last)
            if until is not None and at >= until:
                break
            clock.set(at)
            seen.append((at, queries.get_decision(ctx, walk.did)))
            last = at
        clock.advance(seconds=1)  # the next act comes after the last look (a replay includes its moment)

    today = ctx.today()
    walk.open(due_by=(today + timedelta(days=due_in)).isoformat()).start().determine().coordinate()
    walk.art(walk.c.drafter, "comment_notice", explanation="说明", channels=["网站"], method="留言",
             published_at=today.isoformat(), deadline=(today + timedelta(days=30)).isoformat())
    submit_at = _moment(today + timedelta(days=submit_day), submit_minutes)
    capture(captures[0], submit_at)
    clock.set(max(submit_at, clock.now()))
    walk.feedback()  # the feedback report through its one door (AR14)
    walk.svc.clear_gate(ctx, walk.c.bureau_head, walk.did, "public_participation")
    requested = ctx.calendar.add_working_days(ctx.today(), 8).due
    walk.art(walk.c.drafter, "legality_submission", legal_basis="价格法", procedure_explanation="已履行",
             requested_deadline=requested.isoformat())
    capture(captures[1], None)
    walk.art(walk.c.adviser, "legal_adviser_opinion", opinion="合法")
    walk.art(walk.c.reviewer, "legality_opinion", authority="有权", procedure="完备", content="合法",
             conclusion="lawful")
    walk.svc.clear_gate(ctx, walk.c.legal_director, walk.did, "legality_review")
    walk.meeting().report()
    walk.svc.finalize(ctx, walk.c.head, walk.did)
    capture(captures[2], None)
    assert seen and all(v["id"] == walk.did for _, v in seen)
    return seen


@pytest.mark.parametrize("moment", [datetime(2025, 9, 30, 16, 30, tzinfo=UTC),  # Oct 1 00:30 Beijing
                                    datetime(2025, 1, 27, 23, 59, tzinfo=UTC)])
def test_the_statutory_date_is_the_same_through_every_spelling_of_a_moment(moment: datetime) -> None:
    beijing = moment.astimezone(CHINA)
    assert statutory_date(moment) == statutory_date(beijing) == statutory_date(iso(moment)) \
        == statutory_date(beijing.isoformat()) == beijing.date()
