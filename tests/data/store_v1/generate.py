"""How tests/data/store_v1/store.json was made: run with main's code (b465e21, before issue 14) as
`PYTHONPATH=<main checkout> python generate.py store.json <commit>`. Kept for the record; the fixture is frozen."""
import json, sys, pathlib
from sqlalchemy import select
from decision_engine import bootstrap
from decision_engine.config import Settings
from decision_engine.services.demo import run_demo, demo_clock, cast
from decision_engine.services.demo_portfolio import seed_portfolio, portfolio_start
from decision_engine.services.clock import ManualClock
from decision_engine.services import execution
from decision_engine.adapters.tables import EVENTS, DECISIONS, PROCEDURE_SPECS
from datetime import datetime
out = pathlib.Path(sys.argv[1])
db = "/tmp/rooms-fx/fx.sqlite"
pathlib.Path(db).unlink(missing_ok=True)
s = Settings(database_url=f"sqlite:///{db}", data_dir=pathlib.Path("/tmp/rooms-fx/data"))
ctx = bootstrap.build(s, clock=demo_clock())
c = cast(ctx)
did = run_demo(ctx, lambda m: None, people=c)
ids = seed_portfolio(ctx, c, lambda m: None)
r = execution.open_adjustment(ctx, c.head, did, title="调整", reason="客观情况变化")
execution.terminate(ctx, c.head, ids[sorted(ids)[0]] if False else did, basis="市政府常务会议决定", reason="上位法修改")
print(ids)
from decision_engine.services import decisions as svc, legality, hearings
svc.close(ctx, c.head, did)
svc.resume(ctx, c.head, ids["tickets"], "情况消除，恢复执行")
legality.request_supplement(ctx, c.reviewer, ids["parking"], items=["成本监审报告"], reason="缺少定价依据")
svc.migrate_procedure(ctx, c.reviewer, ids["market"], "city_b_10wd", "本市规定调整")
m = ids["market"]
for fn in (lambda: svc.return_gate(ctx, c.legal_director, ids["parking"], "legality_review", "补充材料后重新送审"),
           lambda: svc.record_artifact(ctx, c.drafter, m, "comment_notice", {"explanation": "x", "channels": ["政府网站"], "method": "网站", "published_at": ctx.today().isoformat(), "deadline": ctx.today().isoformat(), "shortening_reason": ""})):
    try:
        fn()
    except Exception as e: print("refused", type(e).__name__, e)
with ctx.store.read() as conn:
    events = [dict(r._mapping) for r in conn.execute(select(EVENTS).order_by(EVENTS.c.id))]
    decisions = {r.id: json.loads(r.state) for r in conn.execute(select(DECISIONS))}
    specs = {r.hash: json.loads(r.body) for r in conn.execute(select(PROCEDURE_SPECS))}
for e in events:
    e.pop("id", None)
    if isinstance(e.get("body"), (bytes, bytearray)):
        e["body"] = e["body"].decode()
json.dump({"generated_by": "main@" + sys.argv[2], "events": events, "projections": decisions, "procedures": specs},
          out.open("w"), ensure_ascii=False, separators=(',', ':'), sort_keys=True, default=str)
print(len(events), "events", len(decisions), "decisions", out.stat().st_size)
