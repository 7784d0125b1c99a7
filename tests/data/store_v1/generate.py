"""How tests/data/store_v1/store.json was made, kept for the record (the fixture itself is frozen).

Run with the code of the release that wrote it (main at b465e21, before typed events, issue 14):

    PYTHONPATH=<that checkout> python tests/data/store_v1/generate.py store.json b465e21

It runs the demo decision and the demo portfolio, then a major adjustment, a termination, a closing, a
resumption, a supplement request, a procedure migration, a return and a refused act, on a fresh SQLite
store, and exports every event row as stored (canonical body, hashes), every projection and every pinned
procedure.
"""

from __future__ import annotations

import json
import pathlib
import sys

from sqlalchemy import select

from decision_engine import bootstrap
from decision_engine.adapters.tables import DECISIONS, EVENTS, PROCEDURE_SPECS
from decision_engine.config import Settings
from decision_engine.services import decisions as svc
from decision_engine.services import execution, legality
from decision_engine.services.demo import cast, demo_clock, hold_change_meeting, run_demo
from decision_engine.services.demo_portfolio import seed_portfolio


def main(out: pathlib.Path, commit: str) -> None:
    """Write the fixture to `out`."""
    work = pathlib.Path("/tmp/store_v1")
    db = work / "fx.sqlite"
    db.unlink(missing_ok=True)
    ctx = bootstrap.build(Settings(database_url=f"sqlite:///{db}", data_dir=work / "data"), clock=demo_clock())
    c = cast(ctx)
    did = run_demo(ctx, lambda m: None, people=c)
    ids = seed_portfolio(ctx, c, lambda m: None)
    # R20, Arts. 30, 37 (issue 16): each change carries out an item adopted at the organ's meeting
    mid, item = hold_change_meeting(ctx, c, did, "adjust")
    execution.open_adjustment(ctx, c.head, did, title="调整", reason="客观情况变化", meeting_id=mid, item_no=item)
    mid, item = hold_change_meeting(ctx, c, did, "terminate")
    execution.terminate(ctx, c.head, did, basis="市政府常务会议决定", reason="上位法修改", meeting_id=mid,
                        item_no=item)
    svc.close(ctx, c.head, did)
    svc.resume(ctx, c.head, ids["tickets"], "情况消除，恢复执行")
    legality.request_supplement(ctx, c.reviewer, ids["parking"], items=["成本监审报告"], reason="缺少定价依据")
    svc.migrate_procedure(ctx, c.reviewer, ids["market"], "city_b_10wd", "本市规定调整")
    svc.return_gate(ctx, c.legal_director, ids["parking"], "legality_review", "补充材料后重新送审")
    try:  # refused (R6): kept as an AttemptRefused event
        svc.record_artifact(ctx, c.drafter, ids["market"], "comment_notice", {
            "explanation": "x", "channels": ["政府网站"], "method": "网站", "published_at": ctx.today().isoformat(),
            "deadline": ctx.today().isoformat(), "shortening_reason": ""})
    except Exception as refusal:  # a record of the run, not a test
        print("refused", refusal)
    with ctx.store.read() as conn:
        events = [dict(r._mapping) for r in conn.execute(select(EVENTS).order_by(EVENTS.c.id))]
        projections = {r.id: json.loads(r.state) for r in conn.execute(select(DECISIONS))}
        specs = {r.hash: json.loads(r.body) for r in conn.execute(select(PROCEDURE_SPECS))}
    for e in events:
        e.pop("id", None)
        if isinstance(e.get("body"), bytes | bytearray):
            e["body"] = e["body"].decode()
    out.write_text(json.dumps({"generated_by": f"main@{commit}", "events": events, "projections": projections,
                               "procedures": specs}, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                              default=str))
    print(len(events), "events,", len(projections), "decisions")


if __name__ == "__main__":
    main(pathlib.Path(sys.argv[1]), sys.argv[2])
