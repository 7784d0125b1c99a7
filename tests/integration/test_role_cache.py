"""A request's roles come from a cache keyed on (person, roles_version) (issue 19 §2, migration 0014), on SQLite
and PostgreSQL, over a real uvicorn server: a read with nothing changed issues no role query; a role granted
is used on the very next request, a role ended refused on the very next one, and so is a role row edited in
SQL behind the services (the triggers bump the version whoever writes); a grant rolled back after its own
transaction read the roles never reaches the cache; two databases in one process never share entries."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from api.app import create_app
from decision_engine.adapters.identity_repo import IdentityRepo
from decision_engine.services import access, identity
from decision_engine.services import decisions as svc
from decision_engine.services.context import Context
from decision_engine.services.demo import BUREAU, cast
from tests.conftest import Statements, make_ctx, serving

AUDIT_UNIT = "某市审计局"




def _version(ctx: Context, person: str) -> int:
    with ctx.store.read() as conn:
        return int(conn.execute(sa.text("SELECT roles_version FROM persons WHERE id = :p"), {"p": person}).scalar_one())


@pytest.fixture
def site(ctx: Context) -> Iterator[tuple[str, Context, str, str]]:
    c = cast(ctx)
    did = svc.open_decision(ctx, c.drafter, title="关于调整公交票价的决定", category="public_project",
                            unit=BUREAU).decision_id
    with serving(create_app(ctx)) as base:
        yield base, ctx, did, c.drafter


def test_a_grant_and_an_end_are_seen_on_the_next_request_and_an_unchanged_read_asks_no_roles(
        site: tuple[str, Context, str, str]) -> None:
    base, ctx, did, _ = site
    reader = identity.register_person(ctx, "审计员乙")
    token = identity.issue_token(ctx, reader)
    http = httpx.Client(base_url=f"{base}/api/v1", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert http.get(f"/decisions/{did}").status_code == 403  # no role yet
    v0 = _version(ctx, reader)

    assignment = identity.grant_role(ctx, reader, "auditor", AUDIT_UNIT, reason="任职")
    assert _version(ctx, reader) == v0 + 1
    assert http.get(f"/decisions/{did}").status_code == 200  # the very next request holds the role

    sql = Statements(ctx.store.engine)
    try:
        for _ in range(3):
            assert http.get(f"/decisions/{did}").status_code == 200
        assert sql.role_queries() == 0, [s for s in sql.seen if "role_assignments" in s]
        assert any("roles_version" in s for s in sql.seen)  # the version is read on each request
    finally:
        sql.close()

    identity.end_role(ctx, reader, assignment, reason="调离")
    assert _version(ctx, reader) == v0 + 2
    refused = http.get(f"/decisions/{did}")  # the very next request no longer holds it
    assert refused.status_code == 403 and refused.json()["rule"] == "SoD"


def test_a_role_row_changed_in_sql_behind_the_services_is_seen_on_the_next_request(
        site: tuple[str, Context, str, str]) -> None:
    base, ctx, did, _ = site
    reader = identity.register_person(ctx, "审计员丙")
    identity.grant_role(ctx, reader, "auditor", AUDIT_UNIT, reason="任职")
    http = httpx.Client(base_url=f"{base}/api/v1",
                        headers={"Authorization": f"Bearer {identity.issue_token(ctx, reader)}"}, timeout=10)
    assert http.get(f"/decisions/{did}").status_code == 200  # cached now
    v = _version(ctx, reader)
    with ctx.store.engine.begin() as conn:  # an edit nobody should make, but one the cache must not hide
        conn.execute(sa.text("UPDATE role_assignments SET valid_to = :t WHERE person_id = :p"),
                     {"t": "2000-01-01T00:00:00.000000+00:00", "p": reader})
    assert _version(ctx, reader) == v + 1
    assert http.get(f"/decisions/{did}").status_code == 403
    with ctx.store.engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM role_assignments WHERE person_id = :p"), {"p": reader})
    assert _version(ctx, reader) == v + 2


def test_a_grant_rolled_back_after_its_transaction_read_the_roles_never_reaches_the_cache(
        site: tuple[str, Context, str, str]) -> None:
    _, ctx, _, _ = site
    person = identity.register_person(ctx, "临时人员")
    at = ctx.now_iso()
    with pytest.raises(RuntimeError), ctx.store.write() as conn:
        IdentityRepo(conn).add_role("R-rolled-back", person, "auditor", AUDIT_UNIT, valid_from=at, valid_to=None,
                                    granted_by="console", reason="")
        assert [a.role for a in identity.actors_of(conn, person, at)] == ["auditor"]  # its own write, uncached
        raise RuntimeError("the transaction fails after reading")
    # the next committed change takes the version number the rolled-back one had seen (nothing read between)
    with ctx.store.write() as conn:
        IdentityRepo(conn).add_role("R-committed", person, "hearing_organizer", "某市听证中心", valid_from=at,
                                    valid_to=None, granted_by="console", reason="")
    assert [a.role for a in access.current_actors(ctx, person)] == ["hearing_organizer"]


def test_two_databases_in_one_process_do_not_share_entries(tmp_path: Path) -> None:
    ctxs = [make_ctx(tmp_path / name, f"sqlite:///{tmp_path / name}.db") for name in ("one", "two")]
    try:
        for ctx, role, unit in ((ctxs[0], "auditor", AUDIT_UNIT), (ctxs[1], "hearing_organizer", "某市听证中心")):
            identity.register_person(ctx, "同一个编号", person_id="P-same")
            identity.grant_role(ctx, "P-same", role, unit, reason="任职")  # roles_version 1 in both
        with ctxs[0].store.read() as conn:
            assert [a.role for a in identity.actors_of(conn, "P-same", ctxs[0].now_iso())] == ["auditor"]
        with ctxs[1].store.read() as conn:
            assert [a.role for a in identity.actors_of(conn, "P-same", ctxs[1].now_iso())] == ["hearing_organizer"]
    finally:
        for ctx in ctxs:
            ctx.store.dispose()


def test_the_migration_goes_down_and_up_and_the_triggers_bump_again(site: tuple[str, Context, str, str]) -> None:
    from importlib import resources

    from alembic import command
    from alembic.config import Config
    _, ctx, _, drafter = site
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("decision_engine.adapters") / "migrations"))

    def to(revision: str, step: Any) -> None:
        with ctx.store.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            step(cfg, revision)
    to("0013_decision_organ", command.downgrade)
    with ctx.store.engine.connect() as conn:
        assert "roles_version" not in {c["name"] for c in sa.inspect(conn).get_columns("persons")}
    ctx.store.engine.dispose()  # connections that cached the old table shape
    to("heads", command.upgrade)
    assert _version(ctx, drafter) == 0  # existing people start at 0
    identity.grant_role(ctx, drafter, "undertaking_unit", BUREAU, reason="兼任")
    assert _version(ctx, drafter) == 1
