"""Failed authentications are counted in the database, so several API workers (each with its own store and
pool, as `decide serve --workers N` runs them) see the same counts and locks (SEC2); the people of the demo
for every role, the auditor and the three administrators included, are listed by `decide user list` and on
every start of `decide serve --demo` (issue 18 §8). On SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from typer.testing import CliRunner

from decision_engine import bootstrap
from decision_engine.config import Settings
from decision_engine.domain import accounts as acc
from decision_engine.domain.errors import InvalidInput, TooManyAttempts, Unauthenticated
from decision_engine.domain.procedure import ROLES
from decision_engine.services import identity
from decision_engine.services.context import Context
from decision_engine.services.demo import DEMO_PASSWORD, cast, staff
from tests.conftest import make_ctx


@pytest.fixture
def workers(tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Context, Context]]:
    """Two contexts on one database: two API workers, each with its own engine and connection pool."""
    monkeypatch.setattr(identity, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    a = make_ctx(tmp_path, db_url)
    b = make_ctx(tmp_path, db_url)
    b.clock = a.clock  # one time for both
    yield a, b
    a.store.dispose()
    b.store.dispose()


def _fail(ctx: Context, person: str, client: str = "10.0.0.7") -> None:
    with pytest.raises(Unauthenticated):
        identity.check_password(ctx, person, "Wrong-Passw0rd!", client)


def test_failed_logins_on_two_workers_add_up_to_one_lock(workers: tuple[Context, Context]) -> None:
    a, b = workers
    person = identity.register_person(a, "张华", password=DEMO_PASSWORD)
    for ctx in (a, b, a, b):
        _fail(ctx, person)
    assert identity.check_password(b, person, DEMO_PASSWORD, "10.0.0.7") == person  # four: still open
    for ctx in (a, b, a, b, a):
        _fail(ctx, person)
    with pytest.raises(Unauthenticated) as refused:
        identity.check_password(b, person, DEMO_PASSWORD, "10.0.0.7")
    assert refused.value.rule == "SEC2" and "账户已锁定" in refused.value.message
    assert [p["locked"] for p in identity.people(a) if p["id"] == person] == [True]


def test_token_guessing_on_two_workers_is_throttled_as_one_address(workers: tuple[Context, Context]) -> None:
    a, b = workers
    person = identity.register_person(a, "张华")
    token = identity.issue_token(a, person)
    for i in range(acc.CLIENT_FAILURES):
        with pytest.raises(Unauthenticated):
            identity.authenticate(a if i % 2 else b, f"dk_guess{i}", "10.0.0.9")
    with pytest.raises(TooManyAttempts) as throttled:
        identity.authenticate(a, "dk_guess-more", "10.0.0.9")
    assert throttled.value.retry_after >= 1 and throttled.value.rule == "SEC2"
    with pytest.raises(Unauthenticated):  # another address is not throttled
        identity.authenticate(b, "dk_guess-elsewhere", "10.0.0.10")
    assert identity.authenticate(b, token, "10.0.0.9") == person  # a valid token still works


def test_the_policy_refuses_each_weakness_and_accepts_a_strong_password(workers: tuple[Context, Context]) -> None:
    a, _ = workers
    for weak in ("Ab1!short", "abcdefghijkl1", "ABCDEFGHIJKLMNOP", "abcdEFGHijkl", "P-zhanghua-Abc1!"):
        with pytest.raises(InvalidInput) as refused:
            identity.register_person(a, "张华", person_id="P-zhanghua", password=weak)
        assert refused.value.rule == "SEC1", weak
    assert identity.register_person(a, "张华", person_id="P-zhanghua", password="Zhang-Hua-2025") == "P-zhanghua"


def test_the_demo_has_a_person_for_every_role_and_decide_user_list_shows_them(tmp_path: Path, db_url: str) -> None:
    from decision_engine.cli import app as cli
    settings = Settings(data_dir=tmp_path / "data", database_url=db_url)
    ctx = bootstrap.build(settings)
    try:
        people = cast(ctx, None)
        admins = staff(ctx, None)
        identity.grant_role(ctx, identity.register_person(ctx, "孙秘书"), "secretariat", "某市人民政府")
        held = {r for p in identity.people(ctx) for r in p["roles"]}
        assert held == set(ROLES)
    finally:
        ctx.store.dispose()
    result = CliRunner().invoke(cli, ["user", "list"], env={"DECIDE_DATA_DIR": str(settings.data_dir),
                                                            "DECIDE_DATABASE_URL": db_url, "COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    for pid in (admins["auditor"], admins["system_admin"], admins["security_admin"], admins["audit_admin"],
                people.head):
        assert pid in result.output
    assert "林审计（市审计局）" in result.output and "审计 (auditor)" in result.output
    assert "安全管理员 (security_admin)" in result.output and "审计管理员 (audit_admin)" in result.output


def test_serve_lists_the_people_on_every_start_not_only_the_first(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    from decision_engine.serve import print_people
    settings = Settings(data_dir=tmp_path / "data", database_url=f"sqlite:///{tmp_path / 'decide.db'}")
    ctx = bootstrap.build(settings)
    auditor = staff(ctx, None)["auditor"]
    ctx.store.dispose()
    for _ in range(2):  # a second start prints them again
        print_people(settings)
        out = capsys.readouterr().out
        assert auditor in out and DEMO_PASSWORD in out
