"""Accounts as a government system needs them (issue 15 §5; GB/T 22239-2019 level 3, domain/accounts.py), over
a real uvicorn server on SQLite and PostgreSQL: failed logins lock an account (SEC2) until the time passes or
the security administrator unlocks it; token guessing from one address is throttled (429) while valid tokens
keep working; weak passwords are refused (SEC1); an idle page session ends (SEC3); the three administrators
are separated (SEC4, 三员分立). Each rule both ways."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from argon2 import PasswordHasher

from api.app import create_app
from api.pages import register_pages
from decision_engine.domain import accounts as acc
from decision_engine.services import identity
from decision_engine.services.context import Context
from decision_engine.services.demo import DEMO_PASSWORD, Cast, cast, staff
from tests.conftest import serving

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Site:
    """A server with the API and the pages, the demo's people (passwords set) and their tokens."""

    base: str
    ctx: Context
    c: Cast
    staff: dict[str, str]
    tokens: dict[str, str]
    idle: list[float]

    def api(self, person: str | None = None, token: str | None = None) -> httpx.Client:
        token = token or (self.tokens[person] if person else None)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=f"{self.base}/api/v1", headers=headers, timeout=10)

    def browser(self) -> httpx.Client:
        return httpx.Client(base_url=self.base, timeout=10, follow_redirects=True)

    def login(self, browser: httpx.Client, person: str, password: str) -> httpx.Response:
        token = CSRF.search(browser.get("/login").text)
        assert token
        return browser.post("/login", data={"csrf_token": token.group(1), "person_id": person,
                                            "password": password, "next": "/work"})

    def events(self, person: str) -> list[str]:
        items = identity.security_events(self.ctx, self.staff["audit_admin"], person=person)["items"]
        return [e["type"] for e in reversed(items)]


@pytest.fixture
def site(ctx: Context, monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    # argon2 made cheap for tests: the parameters travel inside each hash, verification is unchanged
    monkeypatch.setattr(identity, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    people = cast(ctx, DEMO_PASSWORD)
    admins = staff(ctx, DEMO_PASSWORD)
    tokens = {pid: identity.issue_token(ctx, pid) for pid in [*vars(people).values(), *admins.values()]}
    idle = [1_000_000.0]  # the idle clock (seconds), moved by the tests
    app = create_app(ctx)
    register_pages(app, ctx, idle_clock=lambda: idle[0])
    with serving(app) as base:
        yield Site(base, ctx, people, admins, tokens, idle)


def _locked(r: httpx.Response) -> bool:
    return r.url.path == "/login" and "账户已锁定" in r.text and "SEC2" in r.text


# ------------------------------------------------------------------------------------------ SEC2 lockout
def test_five_wrong_passwords_lock_the_account_and_the_right_one_is_then_refused(site: Site) -> None:
    browser = site.browser()
    for _ in range(acc.LOCK_AFTER_FAILURES):
        r = site.login(browser, site.c.drafter, "Wrong-Passw0rd!")
        assert r.url.path == "/login"
    r = site.login(browser, site.c.drafter, DEMO_PASSWORD)
    assert _locked(r), r.text[:2000]
    assert "安全管理员" in r.text
    assert site.events(site.c.drafter)[-7:] == ["LoginFailed"] * 4 + ["LoginFailed", "AccountLocked", "LoginFailed"]
    assert site.api(site.c.drafter).get("/me").status_code == 200  # a timed lock stops passwords, not tokens


def test_four_wrong_passwords_leave_the_account_open(site: Site) -> None:
    browser = site.browser()
    for _ in range(acc.LOCK_AFTER_FAILURES - 1):
        site.login(browser, site.c.drafter, "Wrong-Passw0rd!")
    r = site.login(browser, site.c.drafter, DEMO_PASSWORD)
    assert r.url.path == "/work" and "张华（交通运输局）" in r.text
    assert "AccountLocked" not in site.events(site.c.drafter)


def test_the_lock_lifts_when_its_time_has_passed_and_not_before(site: Site) -> None:
    browser = site.browser()
    for _ in range(acc.LOCK_AFTER_FAILURES):
        site.login(browser, site.c.head, "Wrong-Passw0rd!")
    site.ctx.clock.advance(minutes=29)  # type: ignore[attr-defined]
    assert _locked(site.login(browser, site.c.head, DEMO_PASSWORD))
    site.ctx.clock.advance(minutes=2)  # type: ignore[attr-defined]
    r = site.login(browser, site.c.head, DEMO_PASSWORD)
    assert r.url.path == "/work"
    assert site.events(site.c.head)[-2:] == ["AccountUnlocked", "LoginSucceeded"]


def test_the_security_administrator_unlocks_and_the_system_and_audit_administrators_cannot(site: Site) -> None:
    browser = site.browser()
    for _ in range(acc.LOCK_AFTER_FAILURES):
        site.login(browser, site.c.reviewer, "Wrong-Passw0rd!")
    for role in ("system_admin", "audit_admin"):
        r = site.api(site.staff[role]).post(f"/persons/{site.c.reviewer}/unlock", json={"reason": "核实身份"})
        assert r.status_code == 403 and r.json()["rule"] == "SEC4" and "安全管理员" in r.json()["message"]
    assert _locked(site.login(browser, site.c.reviewer, DEMO_PASSWORD))
    r = site.api(site.staff["security_admin"]).post(f"/persons/{site.c.reviewer}/unlock",
                                                    json={"reason": "本人来电核实身份后解锁"})
    assert r.status_code == 200 and r.json() == {"person_id": site.c.reviewer, "locked": False}
    assert site.login(browser, site.c.reviewer, DEMO_PASSWORD).url.path == "/work"
    unlocked = identity.security_events(site.ctx, site.staff["audit_admin"], person=site.c.reviewer)["items"]
    event = next(e for e in unlocked if e["type"] == "AccountUnlocked")
    assert event["actor"]["person"] == site.staff["security_admin"]
    assert event["payload"]["reason"] == "本人来电核实身份后解锁"


def test_a_lock_by_the_security_administrator_stops_tokens_too_until_unlocked(site: Site) -> None:
    sec = site.api(site.staff["security_admin"])
    assert sec.post(f"/persons/{site.c.adviser}/lock", json={"reason": "疑似泄露"}).status_code == 200
    r = site.api(site.c.adviser).get("/me")
    assert r.status_code == 401 and r.json()["rule"] == "SEC2"
    assert sec.post(f"/persons/{site.c.adviser}/unlock", json={"reason": "已更换口令"}).status_code == 200
    assert site.api(site.c.adviser).get("/me").status_code == 200


# ------------------------------------------------------------------------------- SEC2 token guessing
def test_token_guessing_from_one_address_is_throttled_and_a_valid_token_still_works(site: Site) -> None:
    for i in range(acc.CLIENT_FAILURES):
        r = site.api(token=f"dk_guess{i}").get("/me")
        assert r.status_code == 401, (i, r.text)
    r = site.api(token="dk_guess-more").get("/me")
    assert r.status_code == 429 and r.json()["rule"] == "SEC2" and "次数过多" in r.json()["message"]
    assert 1 <= int(r.headers["Retry-After"]) <= acc.FAILURE_WINDOW.total_seconds() + 1
    assert site.api(site.c.drafter).get("/me").status_code == 200  # the valid token: not slowed, not refused
    site.ctx.clock.advance(minutes=16)  # type: ignore[attr-defined]  # the window has passed
    assert site.api(token="dk_guess-later").get("/me").status_code == 401


def test_fewer_failed_tokens_than_the_limit_are_answered_401(site: Site) -> None:
    for i in range(acc.CLIENT_FAILURES - 1):
        site.api(token=f"dk_guess{i}").get("/me")
    r = site.api(token="dk_guess-last").get("/me")
    assert r.status_code == 401 and "Retry-After" not in r.headers


def test_a_throttled_address_cannot_go_on_guessing_passwords_either(site: Site) -> None:
    for i in range(acc.CLIENT_FAILURES):
        site.api(token=f"dk_guess{i}").get("/me")
    browser = site.browser()
    token = CSRF.search(browser.get("/login").text)
    assert token
    r = browser.post("/login", data={"csrf_token": token.group(1), "person_id": site.c.office,
                                     "password": DEMO_PASSWORD, "next": "/work"})
    assert r.status_code == 429 and "次数过多" in r.text and int(r.headers["Retry-After"]) >= 1


# ------------------------------------------------------------------------------------- SEC1 passwords
@pytest.mark.parametrize("password", ["Short-1a!", "alllowercaseletters", "ALLUPPER12345678", "P-MYSELF-Abc123!"])
def test_a_weak_password_is_refused_with_the_rule(site: Site, password: str) -> None:
    r = site.api(site.staff["system_admin"]).post("/persons", json={"name": "新同志", "person_id": "P-myself",
                                                                    "password": password})
    assert r.status_code == 422 and r.json()["rule"] == "SEC1", r.text
    assert r.json()["message"].startswith("口令不符合复杂度要求") and "8.1.4.1" in r.json()["article"]


def test_a_strong_password_is_accepted_and_logs_in(site: Site) -> None:
    r = site.api(site.staff["system_admin"]).post("/persons", json={"name": "新同志", "person_id": "P-new",
                                                                    "password": "Xin-TongZhi-2025"})
    assert r.status_code == 201, r.text
    assert site.login(site.browser(), "P-new", "Xin-TongZhi-2025").url.path == "/work"


def test_the_security_administrator_resets_a_password_under_the_policy(site: Site) -> None:
    sec = site.api(site.staff["security_admin"])
    weak = sec.post(f"/persons/{site.c.drafter}/password", json={"password": "password", "reason": "遗忘"})
    assert weak.status_code == 422 and weak.json()["rule"] == "SEC1"
    ok = sec.post(f"/persons/{site.c.drafter}/password", json={"password": "New-Passw0rd-2025", "reason": "遗忘"})
    assert ok.status_code == 200
    assert site.login(site.browser(), site.c.drafter, "New-Passw0rd-2025").url.path == "/work"
    r = site.api(site.staff["system_admin"]).post(f"/persons/{site.c.drafter}/password",
                                                  json={"password": "Other-Passw0rd-1", "reason": "遗忘"})
    assert r.status_code == 403 and r.json()["rule"] == "SEC4"


# ------------------------------------------------------------------------------------ SEC3 idle session
def test_an_idle_page_session_ends_and_leads_to_the_login_page_with_the_reason(site: Site) -> None:
    browser = site.browser()
    assert site.login(browser, site.c.drafter, DEMO_PASSWORD).url.path == "/work"
    site.idle[0] += 29 * 60
    assert browser.get("/work").url.path == "/work"  # active within the limit: the session goes on
    site.idle[0] += 31 * 60
    r = browser.get("/work")
    assert r.url.path == "/login" and "30 分钟未操作" in r.text and "会话已结束" in r.text
    assert browser.get("/work").url.path == "/login"


# ------------------------------------------------------------------------------ SEC4 three administrators
def test_a_security_administrator_cannot_grant_roles_and_the_system_administrator_can(site: Site) -> None:
    body = {"role": "expert", "unit": "某大学", "reason": "聘任"}
    r = site.api(site.staff["security_admin"]).post(f"/persons/{site.c.adviser}/roles", json=body)
    assert r.status_code == 403 and r.json()["rule"] == "SEC4" and "系统管理员" in r.json()["message"]
    r = site.api(site.staff["audit_admin"]).post(f"/persons/{site.c.adviser}/roles", json=body)
    assert r.status_code == 403 and r.json()["rule"] == "SEC4"
    assert site.api(site.staff["system_admin"]).post(f"/persons/{site.c.adviser}/roles", json=body).status_code == 201


def test_only_the_audit_administrator_reads_the_security_events(site: Site) -> None:
    site.login(site.browser(), site.c.drafter, "Wrong-Passw0rd!")
    for pid in (site.staff["system_admin"], site.staff["security_admin"], site.staff["auditor"], site.c.head,
                site.c.drafter):
        r = site.api(pid).get("/security/events")
        assert r.status_code == 403 and r.json()["rule"] == "SEC4", pid
    r = site.api(site.staff["audit_admin"]).get("/security/events", params={"limit": 500})
    assert r.status_code == 200
    types = {e["type"] for e in r.json()["items"]}
    assert {"PersonRegistered", "RoleGranted", "TokenIssued", "LoginFailed"} <= types
    failed = next(e for e in r.json()["items"] if e["type"] == "LoginFailed")
    assert failed["stream"] == f"person:{site.c.drafter}" and failed["payload"]["reason"] == "wrong_password"


def test_administrators_are_appointed_at_the_console_and_hold_no_other_role(site: Site) -> None:
    sysadmin = site.api(site.staff["system_admin"])
    r = sysadmin.post(f"/persons/{site.c.adviser}/roles", json={"role": "audit_admin", "unit": "某局", "reason": "x"})
    assert r.status_code == 403 and r.json()["rule"] == "SEC4" and "控制台" in r.json()["message"]
    r = sysadmin.post(f"/persons/{site.staff['security_admin']}/roles",
                      json={"role": "undertaking_unit", "unit": "某局", "reason": "x"})
    assert r.status_code == 403 and r.json()["rule"] == "SEC4"
    r = sysadmin.post(f"/persons/{site.staff['system_admin']}/roles",
                      json={"role": "expert", "unit": "某大学", "reason": "x"})
    assert r.status_code == 403 and r.json()["rule"] == "SEC4"  # nor to oneself


@pytest.mark.parametrize("role", ["system_admin", "security_admin", "audit_admin"])
def test_no_administrator_acts_in_or_reads_a_decision_procedure(site: Site, role: str) -> None:
    client = site.api(site.staff[role])
    r = client.post("/decisions", json={"title": "关于某事项的决定", "category": "policy", "unit": "某市交通运输局"})
    assert r.status_code == 403
    assert client.get("/decisions").status_code == 403
    assert site.api(site.c.drafter).post("/decisions", json={
        "title": "关于某事项的决定", "category": "policy", "unit": "某市交通运输局"}).status_code == 201

