"""DECIDE_PUBLIC_DATABASE_URL: the public read pages read a replica; submitting and tracking stay on the
primary (docs/deployment.md). The replica here is a SQLite copy of the primary taken with SQLite's backup API:
a replica that lags (copied before the decision was opened), then one that has caught up."""

from __future__ import annotations

import re
import sqlite3
import warnings
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from fastapi import FastAPI

from api.pages import register_pages
from decision_engine import bootstrap
from decision_engine.config import Settings
from decision_engine.services.context import Context
from tests.conftest import Walk, make_ctx

with warnings.catch_warnings():  # starlette asks for httpx2, which the registry does not carry
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


def _copy(src: Path, dst: Path) -> None:
    """The primary's current content onto the 'replica' file (one consistent snapshot)."""
    with sqlite3.connect(src) as a, sqlite3.connect(dst) as b:
        a.backup(b)
    a.close()
    b.close()


def _pages(ctx: Context, replica: Path) -> FastAPI:
    app = FastAPI()
    register_pages(app, replace(ctx, settings=replace(ctx.settings, public_database_url=f"sqlite:///{replica}")))
    return app


def test_the_public_pages_read_the_replica_and_a_comment_is_tracked_on_the_primary(tmp_path: Path) -> None:
    primary, replica = tmp_path / "decide.db", tmp_path / "replica.db"
    ctx = make_ctx(tmp_path, f"sqlite:///{primary}")
    try:
        _copy(primary, replica)  # the replica lags: it has the schema, not yet the decision
        w = Walk(ctx).open().start().determine()
        today = ctx.today()
        w.art(w.c.drafter, "comment_notice", explanation="起草说明", channels=["政府网站"], method="网站留言",
              published_at=today.isoformat(), deadline=(today + timedelta(days=30)).isoformat())
        public = TestClient(_pages(ctx, replica))
        # read from the replica: the decision is not there yet, though the primary has it open for comment
        assert public.get(f"/public/decisions/{w.did}").status_code == 404
        assert w.did not in public.get("/public").text
        # a comment goes to the primary, and its tracking number is found at once (tracking reads the primary)
        token = re.search(r'name="csrf_token" value="([^"]+)"', public.get("/login").text)
        assert token is not None
        r = public.post(f"/public/decisions/{w.did}/comments", data={"csrf_token": token.group(1),
                                                                     "text": "建议延长早晚高峰公交班次。"})
        assert r.status_code == 200 and "/public/track?number=" in str(r.url), r.text[-2000:]
        assert "建议延长早晚高峰公交班次" in r.text
        _copy(primary, replica)  # the replica catches up
        r = public.get(f"/public/decisions/{w.did}")
        assert r.status_code == 200 and "网站留言" in r.text
        assert w.did in public.get("/public").text
    finally:
        ctx.store.dispose()


def test_without_a_public_url_the_public_pages_read_the_primary(tmp_path: Path) -> None:
    ctx = make_ctx(tmp_path, f"sqlite:///{tmp_path / 'decide.db'}")
    try:
        assert bootstrap.public_reads(ctx) is ctx
        same = replace(ctx, settings=replace(ctx.settings, public_database_url=ctx.settings.database_url))
        assert bootstrap.public_reads(same) is same
        env = {"DECIDE_DATA_DIR": str(tmp_path), "DECIDE_PUBLIC_DATABASE_URL": " postgresql+psycopg://r/decide "}
        assert Settings.from_env(env).public_database_url == "postgresql+psycopg://r/decide"
        assert Settings.from_env({"DECIDE_DATA_DIR": str(tmp_path)}).public_database_url == ""
    finally:
        ctx.store.dispose()
