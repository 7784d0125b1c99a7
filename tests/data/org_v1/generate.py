"""How tests/data/org_v1/store.json was made, kept for the record (the fixture itself is frozen).

Run with the code of the release that wrote it (main at 37a198c, before the organisation's events were typed,
issue 14):

    PYTHONPATH=<that checkout> python tests/data/org_v1/generate.py store.json 37a198c

On a fresh SQLite store it loads the demo's org file (as the engine, at set-up), registers a system
administrator, and through them registers an organ (a department with a superior), changes it, registers units
in it and an external body, re-registers a unit with another name, moves a unit and retires one with a reason:
every organisation event type, with and without optional values. It exports every event row of the
organisation's stream as stored (canonical body, hashes) and the chart those events fold to.
"""

from __future__ import annotations

import json
import pathlib
import sys

from sqlalchemy import select

from decision_engine import bootstrap
from decision_engine.adapters.tables import EVENTS
from decision_engine.config import Settings
from decision_engine.services import identity, organisation
from decision_engine.services.demo import demo_clock, org_file

STREAM = "org:chart"


def main(out: pathlib.Path, commit: str, work: pathlib.Path = pathlib.Path("/tmp/org_v1")) -> None:
    """Write the fixture to `out` (the store is made in `work`)."""
    db = work / "fx.sqlite"
    db.unlink(missing_ok=True)
    ctx = bootstrap.build(Settings(database_url=f"sqlite:///{db}", data_dir=work / "data"), clock=demo_clock())
    organisation.load_file(ctx, org_file())  # by the engine (console set-up)
    admin = identity.register_person(ctx, "许系统（系统管理员）")
    identity.grant_role(ctx, admin, "system_admin", "某市大数据局", reason="任职")
    organisation.register_organ(ctx, {"id": "某市生态环境局", "name": "某市生态环境局", "level": "city",
                                      "kind": "department", "superior": "某市人民政府"}, by=admin)
    organisation.register_organ(ctx, {"id": "某市生态环境局", "name": "某市生态环境局（市环保局）", "level": "city",
                                      "kind": "department", "superior": "某市人民政府"}, by=admin)
    organisation.register_organ(ctx, {"id": "某镇人民政府", "name": "某镇人民政府", "level": "township"}, by=admin)
    organisation.register_unit(ctx, {"id": "某市生态环境局法规科", "organ": "某市生态环境局",
                                     "kind": "legal_office", "name": "法规科"}, by=admin)
    organisation.register_unit(ctx, {"id": "某市环境监测站", "organ": "某市生态环境局"}, by=admin)
    organisation.register_unit(ctx, {"id": "某环境评估公司", "kind": "external"}, by=admin)
    organisation.register_unit(ctx, {"id": "某市环境监测站", "organ": "某市生态环境局", "name": "某市环境监测中心站"},
                               by=admin)
    organisation.move_unit(ctx, "某市环境监测站", "某县人民政府", by=admin)
    organisation.retire_unit(ctx, "某市信访局", reason="机构改革，职能并入某市人民政府办公室", by=admin)
    organisation.retire_unit(ctx, "某环境评估公司", by=admin)
    with ctx.store.read() as conn:
        events = [dict(r._mapping) for r in conn.execute(select(EVENTS).where(EVENTS.c.stream == STREAM)
                                                         .order_by(EVENTS.c.seq))]
        chart = organisation.describe(organisation.chart_of(conn))
    for e in events:
        e.pop("id", None)
        if isinstance(e.get("body"), bytes | bytearray):
            e["body"] = e["body"].decode()
    out.write_text(json.dumps({"generated_by": f"main@{commit}", "events": events, "chart": chart},
                              ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(pathlib.Path(sys.argv[1]), sys.argv[2])
