"""`decide serve --demo` seeds, beside the finished demo decision, decisions in flight at every stage
through the same services as the API (services/demo_portfolio.py): each lands where it should, the
queues show them, and the whole log verifies."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from decision_engine.services import legality, meetings, participation, queries, verification
from decision_engine.services.clock import CHINA
from decision_engine.services.context import Context
from decision_engine.services.demo import cast, run_demo
from decision_engine.services.demo_portfolio import portfolio_start, seed_portfolio


def test_the_portfolio_puts_one_decision_at_each_stage_and_the_log_verifies(ctx: Context) -> None:
    people = cast(ctx)
    run_demo(ctx, lambda _: None, people=people)
    lines: list[str] = []
    ids = seed_portfolio(ctx, people, lines.append)
    status = {k: queries.get_decision(ctx, v)["status"] for k, v in ids.items()}
    assert status == {"market": "in_procedure", "night": "withdrawn", "schools": "in_execution",
                      "tickets": "suspended", "renewal": "ready_for_decision", "parking": "in_procedure",
                      "waste": "in_procedure"}
    # the clock ends about today, so what the portfolio leaves open is open around the real date
    assert abs((ctx.clock.now() - datetime.now(CHINA)).days) <= 4
    assert [i["decision_id"] for i in legality.review_queue(ctx)] == [ids["parking"]]
    with ctx.store.read() as conn:
        [item] = meetings.meetings_of(conn, ids["renewal"])
    assert item["meeting_type"] == "executive" and item["outcome"] is None  # on the agenda, not yet decided
    opinions = participation.public_opinions(ctx, ids["waste"])
    assert opinions["totals"]["on_time"] == 41 and opinions["totals"]["hidden"] == 1
    campaign = max(opinions["opinions"], key=lambda o: o["count"])
    assert campaign["count"] >= 36  # the mass campaign is one distinct opinion with its count
    assert any("finalization refused as expected" in line for line in lines)
    report = verification.verify(ctx, workers=1)
    assert report.ok, report.findings


def test_the_portfolio_never_moves_the_clock_back(sqlite_ctx: Context) -> None:
    people = cast(sqlite_ctx)
    later = portfolio_start() + timedelta(days=400)
    sqlite_ctx.clock.set(later)  # type: ignore[attr-defined]
    ids = seed_portfolio(sqlite_ctx, people, lambda _: None)
    assert sqlite_ctx.clock.now() >= later + timedelta(days=120)
    assert len(ids) == 7


def test_serve_demo_seeds_once_and_a_second_start_leaves_the_store_as_it_is(tmp_path: Path) -> None:
    from decision_engine import bootstrap
    from decision_engine.config import Settings
    from decision_engine.serve import seed_demo
    settings = Settings(data_dir=tmp_path / "data", database_url=f"sqlite:///{tmp_path / 'decide.db'}")
    assert seed_demo(settings) is not None
    ctx = bootstrap.build(settings)
    try:
        seeded = queries.count_decisions(ctx)
        assert seeded == 8  # the finished demo decision and the seven in flight
        assert seed_demo(settings) is None
        assert queries.count_decisions(ctx) == seeded
    finally:
        ctx.store.dispose()
