"""The served app plus the two endpoints a team would write by hand, as the peers of every HTTP figure
(issue 19 §1). Served by the benches as `uvicorn bench.peer_app:app`; never part of the product.

    POST /api/v1/bench-peer/notes             one durable insert (the store's write transaction: on SQLite the
                                              same writer lock, BEGIN IMMEDIATE, WAL + synchronous=FULL)
    GET  /api/v1/bench-peer/decisions/{id}    one JSON row read by key: the decision's stored projection,
                                              returned as it is stored (no parsing, no model)

DECIDE_BENCH_POOL_SIZE=N (read by this bench module only, never by the product) rebuilds the served store's
PostgreSQL engine with a persistent pool of N connections (the product's is 5, overflow 10: under 16
connections the overflow ones are opened and closed per request), for the engine's routes and the peers' alike.

Both authenticate exactly as the product's routes do (`api.deps.CurrentPerson`: the bearer token looked up
in the database, the failure throttle), so the ratio measures what the product does beyond the least an
authenticated durable write or keyed read must do.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import orjson
from fastapi import APIRouter, Response
from sqlalchemy import (
    Column,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    bindparam,
    create_engine,
    insert,
    select,
)
from sqlalchemy.exc import DatabaseError

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from api.app import app as _served  # noqa: E402  (the product's app, built from DECIDE_* settings)
from api.deps import CtxDep, CurrentPerson  # noqa: E402
from decision_engine.adapters.tables import DECISIONS  # noqa: E402
from decision_engine.domain.errors import NotFound  # noqa: E402

PEER = MetaData()
NOTES = Table("bench_peer_notes", PEER,
              Column("id", Integer, primary_key=True, autoincrement=True),
              Column("person", String(80), nullable=False),
              Column("body", Text, nullable=False))

_INSERT = insert(NOTES)
_READ = select(DECISIONS.c.state).where(DECISIONS.c.id == bindparam("i"))

router = APIRouter(prefix="/api/v1/bench-peer", tags=["bench"], include_in_schema=False)


@router.post("/notes", status_code=201)
def peer_insert(ctx: CtxDep, person: CurrentPerson, body: dict[str, Any]) -> dict[str, Any]:
    """One durable insert of the request body (JSON text) for the authenticated person."""
    with ctx.store.write() as conn:
        conn.execute(_INSERT, {"person": person, "body": orjson.dumps(body).decode()})
    return {"ok": True}


@router.get("/decisions/{decision_id}")
def peer_read(ctx: CtxDep, person: CurrentPerson, decision_id: str) -> Response:
    """One JSON row read by key, returned as stored."""
    with ctx.store.read() as conn:
        row = conn.execute(_READ, {"i": decision_id}).first()
    if row is None:
        raise NotFound(f"no decision {decision_id!r}")
    return Response(row[0], media_type="application/json")


_store = _served.state.decide.ctx.store
if os.environ.get("DECIDE_BENCH_POOL_SIZE") and not _store.is_sqlite:
    _store.engine.dispose()
    _store.engine = create_engine(_store.url, pool_size=int(os.environ["DECIDE_BENCH_POOL_SIZE"]), max_overflow=10,
                                  pool_pre_ping=True)
try:
    PEER.create_all(_served.state.decide.ctx.store.engine)
except DatabaseError:  # several workers starting at once: another one created it
    pass
_served.include_router(router)
app = _served
