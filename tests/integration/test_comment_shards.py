"""Comment intake that scales (issue 19 §4): a decision's comment log sharded over N hash-chained streams,
chosen by tracking number, all sequenced into the one Merkle log, counted and clustered as one; `decide verify`
checks every shard; the counts and the feedback report are those of one chain."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import text

from decision_engine import bootstrap
from decision_engine.adapters import store as st
from decision_engine.config import Settings
from decision_engine.domain import participation as dp
from decision_engine.services import participation as part
from decision_engine.services import queries, transparency, verification
from decision_engine.services.comment_intake import take_shard
from decision_engine.services.context import Context
from tests.conftest import WARNINGS_ARE_ERRORS, Walk
from tests.integration.test_tamper import _drop_guards

pytestmark = WARNINGS_ARE_ERRORS

CAMPAIGN = "坚决反对公交票价上涨，普通线路票价应当维持两元不变，请政府充分考虑低收入群体的出行负担。"
TEXTS = [CAMPAIGN] * 6 + [CAMPAIGN.replace("两元", "二元")] * 2 + [
    "建议增加夜班公交线路，方便夜间下班的市民。", "建议增加夜班公交线路，方便夜间下班的市民！",
    "老年人免费乘车政策应当保留。", "学生票应当半价。", "换乘优惠很好，支持。", "站点设置不合理，建议调整。"]


def noticed(walk: Walk, days: int = 30) -> str:
    """A decision with a comment notice published today, open for `days` calendar days."""
    walk.open().start().determine().coordinate()
    today = walk.ctx.today()
    walk.art(walk.c.drafter, "comment_notice", explanation="起草说明", channels=["政府网站"], method="网上留言",
             published_at=today.isoformat(), deadline=(today + timedelta(days=days)).isoformat())
    return walk.did


def with_shards(ctx: Context, shards: int) -> Context:
    """Another context on the same store and clock, with `shards` comment shards."""
    settings = Settings(data_dir=ctx.settings.data_dir, database_url=ctx.store.url, comment_shards=shards)
    return bootstrap.build(settings, clock=ctx.clock, migrate=False)


def streams_of(ctx: Context, did: str) -> dict[str, list[dict[str, Any]]]:
    with ctx.store.read() as conn:
        names = [r[0] for r in conn.execute(text("SELECT DISTINCT stream FROM events WHERE stream LIKE :p"),
                                            {"p": f"comments:{did}%"})]
        return {n: st.stream_events(conn, n) for n in names}


def test_comments_are_received_on_shards_chosen_by_tracking_number_each_a_chain_in_the_one_log(ctx: Context) -> None:
    walk = Walk(ctx)
    did = noticed(walk)
    assert ctx.settings.comment_shards == 4
    with ThreadPoolExecutor(8) as pool:
        receipts = list(pool.map(lambda t: part.submit_comment(ctx, did, t), TEXTS * 3))
    imported = part.import_comments(ctx, walk.c.drafter, did, [{"text": "来信：建议公开成本核算。"}] * 3)
    tns = {r["tracking_number"] for r in receipts} | {r["tracking_number"] for r in imported}
    assert len(tns) == len(TEXTS) * 3 + 3
    streams = streams_of(ctx, did)
    assert dp.comments_stream(did) not in streams  # nothing but comments yet: all on shards
    assert len(streams) >= 2 and all(dp.shard_of_stream(s) in range(4) for s in streams)
    for name, events in streams.items():
        assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
        for e in events:  # a shard holds the comments whose tracking number belongs to it
            assert e["type"] == "CommentReceived"
            assert dp.shard_of(e["payload"]["tracking_number"], 4) == dp.shard_of_stream(name)
    assert {e["payload"]["tracking_number"] for evs in streams.values() for e in evs} == tns
    for tn in tns:  # a tracking number answers as soon as it was given
        assert part.comment_status(ctx, tn)["decision_id"] == did
    # the one Merkle log holds every shard's events; verify checks each chain and the tables rebuilt from all
    transparency.sequence(ctx)
    with ctx.store.read() as conn:
        for name, events in streams.items():
            for e in events:
                row = conn.execute(text("SELECT l.leaf_index FROM events e JOIN log_leaves l ON l.event_id = e.id "
                                        "WHERE e.stream = :s AND e.seq = :q"), {"s": name, "q": e["seq"]}).first()
                assert row is not None, (name, e["seq"])
    transparency.checkpoint(ctx)
    rep = verification.verify(ctx)
    assert rep.ok, rep.findings[:5]
    # moderation, clustering and dispositions on the main stream name comments of every shard
    hidden = sorted(tns)[0]
    part.moderate_comment(ctx, walk.c.drafter, hidden, "off_topic")
    run = part.cluster_comments(ctx, walk.c.drafter, did)
    assert run["clustered"] == len(tns)
    totals = part.public_opinions(ctx, did)["totals"]
    assert totals == {"on_time": len(tns), "late": 0, "hidden": 1, "unclustered": 0}
    with ctx.store.read() as conn:
        assert part.replay_comments(conn, did) == part.live_comments(conn, did)
    assert verification.verify(ctx).ok


def test_tampering_one_shard_event_makes_verify_fail_naming_the_shard(ctx: Context) -> None:
    walk = Walk(ctx)
    did = noticed(walk)
    for t in TEXTS:
        part.submit_comment(ctx, did, t)
    streams = streams_of(ctx, did)
    assert len(streams) == 4  # one commit after another turns to the next shard
    assert verification.verify(ctx).ok
    victim = sorted(streams)[1]
    _drop_guards(ctx)  # an attacker with database access
    with ctx.store.write() as conn:
        body = conn.execute(text("SELECT body FROM events WHERE stream = :s AND seq = 1"), {"s": victim}).scalar_one()
        edited = bytes(body).replace("建议".encode(), "反对".encode()).replace("坚决".encode(), "不再".encode())
        assert edited != bytes(body)
        conn.execute(text("UPDATE events SET body = :b WHERE stream = :s AND seq = 1"), {"b": edited, "s": victim})
    rep = verification.verify(ctx)
    assert not rep.ok
    assert any(f.stream == victim and f.seq == 1 and "hash differs" in f.what for f in rep.findings), rep.findings


def test_a_foreign_event_on_a_shard_and_a_moved_comment_row_are_findings(ctx: Context) -> None:
    walk = Walk(ctx)
    did = noticed(walk)
    tns = [part.submit_comment(ctx, did, t)["tracking_number"] for t in TEXTS[:4]]
    with ctx.store.write() as conn:  # a row claiming another shard than the event that recorded it
        conn.execute(text("UPDATE public_comments SET shard = shard + 1 WHERE tracking_number = :t"), {"t": tns[0]})
    rep = verification.verify(ctx)
    assert any(f.stream == dp.comments_stream(did) and "column shard" in f.what for f in rep.findings), \
        rep.findings
    with ctx.store.write() as conn:
        conn.execute(text("UPDATE public_comments SET shard = shard - 1 WHERE tracking_number = :t"), {"t": tns[0]})
        # an event that is not a comment received, appended (and chained) on a shard
        st.append(conn, dp.shard_stream(did, 0), [("CommentHidden", {"tracking_number": tns[0],
                                                                     "reason": "abusive", "note": ""})],
                  at=ctx.now_iso(), actor=dp.PUBLIC_ACTOR)
    rep = verification.verify(ctx)
    assert any(f.stream == dp.shard_stream(did, 0) and "shard holds only comments" in f.what
               for f in rep.findings), rep.findings


def test_counts_clusters_and_the_feedback_report_with_shards_equal_those_of_one_chain(ctx: Context) -> None:
    one = with_shards(ctx, 1)
    try:
        walk = Walk(ctx)
        sharded, single = noticed(walk), noticed(walk)
        for i, t in enumerate(TEXTS):
            part.submit_comment(one, single, t, name="张三" if i % 3 == 0 else "")
            part.submit_comment(ctx, sharded, t, name="张三" if i % 3 == 0 else "")
            ctx.clock.advance(seconds=1)  # type: ignore[attr-defined]
        part.import_comments(one, walk.c.drafter, single, [{"text": "来信：学生票应当半价。"}])
        part.import_comments(ctx, walk.c.drafter, sharded, [{"text": "来信：学生票应当半价。"}])
        assert set(streams_of(ctx, single)) == {dp.comments_stream(single)}  # one chain, as before shards
        assert len(streams_of(ctx, sharded)) == 4
        for did in (single, sharded):
            part.cluster_comments(ctx, walk.c.drafter, did)
        assert part.public_opinions(ctx, sharded) == dict(part.public_opinions(ctx, single), decision_id=sharded)
        ctx.clock.advance(days=31)  # type: ignore[attr-defined]
        reports = {}
        for did in (single, sharded):
            walk.did = did
            groups = part.public_opinions(ctx, did)["opinions"]
            part.dispose_opinions(ctx, walk.c.drafter, did, [
                {"cluster_id": g["cluster_id"], "disposition": "not_adopted", "reason": "已充分考虑"} for g in groups])
            part.record_feedback_report(ctx, walk.c.drafter, did)
            view = queries.get_decision(ctx, did)
            reports[did] = next(a for a in view["artifacts"] if a["kind"] == "opinion_summary")["fields"]
        source = reports[sharded].pop("generated_from")
        assert reports[single].pop("generated_from") == {"stream": dp.comments_stream(single),
                                                          "seq": len(TEXTS) + 1 + 2}
        assert reports[sharded] == reports[single]
        assert source["stream"] == dp.comments_stream(sharded) and source["seq"] == 2
        assert sum(source["shards"].values()) == len(TEXTS) + 1 and len(source["shards"]) == 4
        rep = verification.verify(ctx)
        assert rep.ok, rep.findings[:5]
    finally:
        one.store.dispose()


def test_two_writers_on_one_decision_take_different_shards_where_one_chain_makes_the_second_wait(
        ctx: Context) -> None:
    """The mechanism of the scaling, as behaviour (PostgreSQL: SQLite has one writer at a time anyway): while one
    transaction holds a shard of the decision, a second one takes another shard at once; with one chain the second
    could not take the decision's comment stream until the first ended."""
    if ctx.store.is_sqlite:
        pytest.skip("SQLite has one writer at a time: there is no second writer to keep apart")
    walk = Walk(ctx)
    did = noticed(walk)

    def second(shards: int) -> tuple[int | None, bool]:
        with ctx.uow.write() as b:
            return take_shard(b, did, shards, 0), b.comments.try_lock(dp.comments_stream(did))
    with ThreadPoolExecutor(1) as pool:
        with ctx.uow.write() as a:
            assert take_shard(a, did, 4, 0) == 0
            assert pool.submit(second, 4).result(timeout=30) == (1, True)  # the next shard, not waiting
        with ctx.uow.write() as a:
            assert take_shard(a, did, 1, 0) is None  # one chain: the decision's comment stream
            with ctx.uow.write() as b:
                assert b.comments.try_lock(dp.comments_stream(did)) is False  # held: a writer would wait


def test_verify_never_splits_a_decisions_comment_streams_between_processes() -> None:
    names = sorted(["comments:a", "comments:a#0", "comments:a#1", "comments:b#0", "comments:b#1", "decision:a",
                    "decision:b", "meeting:m"])
    for parts in (2, 3, 4, 8):
        for lo, hi in verification._split(names, parts):
            inside = [n for n in names if (lo is None or n >= lo) and (hi is None or n < hi)]
            for n in names:
                if n.startswith("comments:") and any(dp.comment_decision(n) == dp.comment_decision(m)
                                                     for m in inside if m.startswith("comments:")):
                    assert n in inside, (parts, lo, hi, n)
