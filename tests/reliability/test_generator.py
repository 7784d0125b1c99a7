"""The scale generator at CI size (issue 11 §1): `bench/scale.py` copies the demo decision and the seven
decisions of the demo portfolio into N decisions across units, re-canonicalised and re-chained with their
projections rebuilt by replay. At a small N, on SQLite and on PostgreSQL: every stage of the templates is
present, every unit gets its share, `decide verify` (chains, blobs and a full replay of every projection)
passes, and the list and search queries find the copies."""

from __future__ import annotations

import importlib.util
import sys
from collections import Counter
from pathlib import Path

from sqlalchemy import func, select

from decision_engine.adapters.tables import DECISIONS, EVENTS
from decision_engine.services import queries, verification
from decision_engine.services.context import Context

N = 160


def _scale_module() -> object:
    """bench/scale.py, loaded by path (bench/ is a folder of scripts, not a package)."""
    path = Path(__file__).resolve().parents[2] / "bench" / "scale.py"
    spec = importlib.util.spec_from_file_location("decide_bench_scale", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


scale = _scale_module()
UNITS: tuple[str, ...] = scale.UNITS  # type: ignore[attr-defined]
generate = scale.generate  # type: ignore[attr-defined]


def test_generated_decisions_verify_and_are_found(ctx: Context) -> None:
    with ctx.store.read() as conn:
        before = int(conn.execute(select(func.count()).select_from(DECISIONS)).scalar_one())
    out = generate(ctx, N, lambda _: None)
    assert out["decisions"] == N and out["events"] > N * 10
    with ctx.store.read() as conn:
        rows = conn.execute(select(DECISIONS.c.id, DECISIONS.c.unit, DECISIONS.c.status)
                            .where(DECISIONS.c.id.like("MAD-s%"))).all()
        copied = int(conn.execute(select(func.count()).select_from(EVENTS)
                                  .where(EVENTS.c.stream.like("decision:MAD-s%"))).scalar_one())
        total = int(conn.execute(select(func.count()).select_from(DECISIONS)).scalar_one())
    assert len(rows) == N and total == before + 8 + N  # the 8 templates, then their copies
    assert copied == out["events"]
    assert Counter(r.unit for r in rows) == {u: N // len(UNITS) for u in UNITS}
    statuses = Counter(r.status for r in rows)
    # The templates span the lifecycle: in procedure, decided, in execution, suspended, evaluated,
    # terminated…; every status of a template appears among the copies in the templates' proportion.
    assert len(statuses) >= 4, statuses
    report = verification.verify(ctx)
    assert report.ok, [str(f) for f in report.findings[:5]]
    assert report.decisions == total and report.events >= copied
    unit = UNITS[3]
    page = queries.list_decisions(ctx, unit=unit, limit=200)
    assert {i["id"] for i in page["items"]} >= {r.id for r in rows if r.unit == unit}
    hit = queries.list_decisions(ctx, q="（17）", limit=10)
    assert [i["id"] for i in hit["items"]] == ["MAD-s00000017"]
