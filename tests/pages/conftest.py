"""Fixtures for the page tests: the pages mounted on a bare FastAPI app over a real store, the demo's people
with passwords, and a logged-in client per person."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI

from api.pages import register_pages
from decision_engine.services import decisions as svc
from decision_engine.services import identity, queries
from decision_engine.services.context import Context
from decision_engine.services.demo import Cast, cast, run_demo

with warnings.catch_warnings():  # starlette asks for httpx2, which the registry does not carry
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

PASSWORD = "Pages-Passw0rd!"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    """The CSRF token a page's forms carry."""
    found = CSRF.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


@dataclass
class Site:
    """A running page app: its context, the demo's people, and clients."""

    ctx: Context
    app: FastAPI
    c: Cast
    auditor: str

    def client(self, person: str | None = None) -> TestClient:
        """A client, logged in as the person when given."""
        client = TestClient(self.app)
        if person is not None:
            page = client.get("/login")
            r = client.post("/login", data={"csrf_token": csrf_of(page.text), "person_id": person,
                                            "password": PASSWORD, "next": "/work"}, follow_redirects=False)
            assert r.status_code == 303 and r.headers["location"] == "/work"
        return client

    def post(self, client: TestClient, page: str, action: str, data: dict[str, Any],
             files: dict[str, Any] | None = None) -> Any:
        """Submit a form from a page (its CSRF token included) and follow to the page shown next."""
        token = csrf_of(client.get(page).text)
        return client.post(action, data={"csrf_token": token, **data}, files=files)


def replay_equals_live(ctx: Context, decision_id: str) -> None:
    """The decision rebuilt from its events equals the stored projection."""
    with ctx.store.read() as conn:
        assert queries.replay(conn, decision_id).state == svc.load(conn, decision_id)[0].state


@pytest.fixture
def site(sqlite_ctx: Context, monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    """The pages over a SQLite store with the demo's people (passwords set; argon2 made cheap for tests —
    the parameters travel inside each hash, so verification is unchanged)."""
    monkeypatch.setattr(identity, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    app = FastAPI()
    register_pages(app, sqlite_ctx)
    people = cast(sqlite_ctx, PASSWORD)
    auditor = identity.register_person(sqlite_ctx, "审计员林", password=PASSWORD)
    identity.grant_role(sqlite_ctx, auditor, "auditor", "某市审计局", reason="审计")
    yield Site(sqlite_ctx, app, people, auditor)


@pytest.fixture
def demo_site(site: Site) -> tuple[Site, str]:
    """The site with the demo decision walked from opening to evaluation."""
    return site, run_demo(site.ctx, lambda _: None, people=site.c)
