"""One complete decision walked through the pages in a real browser (Debian chromium, Playwright), each act
done by the person holding the right role, who logs in and out: opening, start decision, draft, determinations,
coordination, public comment (seen on the public site), the opinion summary, a refused attempt shown with its
rule (SoD8), clearance, legality review (R11–R13), the executive meeting (R14–R15, SoD4, with a refused
out-of-turn opinion), the Party report (R16), finalization, publication (R17), the official documents, the
public docket, and the auditor's time travel and verification. Fails on any browser console error or any 5xx.
Screenshots go to test-output/screenshots/."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from argon2 import PasswordHasher
from fastapi import FastAPI

from api.pages import register_pages
from decision_engine.services import identity, queries
from decision_engine.services.clock import CHINA
from decision_engine.services.context import Context
from decision_engine.services.demo import BUREAU, CITY, Cast, cast
from tests.conftest import WARNINGS_ARE_ERRORS

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-output" / "screenshots"
PASSWORD = "Browser-Passw0rd!"

def launch(pw: Any) -> Any:
    """Debian's chromium, headless, through Playwright (the one way every browser test starts it)."""
    return pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=[
        "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"])


pytestmark = [pytest.mark.browser, WARNINGS_ARE_ERRORS,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed")]


def _app(ctx: Context) -> FastAPI:
    """The JSON API with the pages when the API exists, else the pages alone."""
    try:
        from api.app import create_app  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        app = FastAPI()
    else:
        app = create_app(ctx)
    if not any(getattr(r, "path", "") == "/login" for r in app.routes):
        register_pages(app, ctx)
    return app


@pytest.fixture
def server(sqlite_ctx: Context, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, Context]]:
    """A real uvicorn server on a free loopback port, in a thread sharing the test's context and clock."""
    monkeypatch.setattr(identity, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(_app(sqlite_ctx), host="127.0.0.1", port=port, log_level="warning",
                                        lifespan="off"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert srv.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{port}", sqlite_ctx
    finally:
        srv.should_exit = True
        thread.join(timeout=10)


class Browser:
    """One browser page with the checks every step shares."""

    def __init__(self, page: Any, base: str) -> None:
        self.page, self.base = page, base
        self.console_errors: list[str] = []
        self.server_errors: list[str] = []
        self.shots = 0
        self.names: dict[str, str] = {}  # person id -> name: who logs in by name, as an official does
        self.loads = self.forms = 0  # pages loaded and forms submitted (the walk's steps)
        self.published_after, self.published_loads, self.published_forms = 0.0, 0, 0
        page.on("framenavigated", lambda f: self._count_load(f))
        page.on("request", lambda r: self._count_form(r))
        page.on("console", lambda m: self.console_errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.console_errors.append(str(e)))
        page.on("response", lambda r: self.server_errors.append(f"{r.status} {r.url}") if r.status >= 500
                else None)

    def _count_load(self, frame: Any) -> None:
        if frame == self.page.main_frame:
            self.loads += 1

    def _count_form(self, request: Any) -> None:
        if request.method == "POST" and request.is_navigation_request():
            self.forms += 1

    def go(self, path: str) -> None:
        self.page.goto(self.base + path)

    def shot(self, name: str) -> None:
        self.shots += 1
        self.page.screenshot(path=str(SHOTS / f"{self.shots:02d}-{name}.png"), full_page=True)

    def login(self, person: str) -> None:
        self.go("/login")
        self.page.fill("#login-person", self.names.get(person, person))
        self.page.fill("#login-password", PASSWORD)
        self.page.click("main form button[type=submit]")
        assert self.page.url.endswith("/work"), self.page.url

    def logout(self) -> None:
        self.page.click("header form button[type=submit]")
        assert self.page.url.endswith("/public")

    def ok(self) -> None:
        refused = self.page.locator(".banner.refused")
        assert refused.count() == 0, refused.first.inner_text()
        assert self.page.locator(".banner.ok").count() >= 1

    def refused(self, rule: str, article: str) -> str:
        banner = self.page.locator(f'.banner.refused[data-rule="{rule}"][data-article="{article}"]')
        assert banner.count() == 1, self.page.locator("main").inner_text()[:800]
        return str(banner.inner_text())

    def record(self, kind: str, fields: dict[str, str], *, expect_ok: bool = True) -> None:
        """Open an artifact kind's form on the decision page, fill it and submit it."""
        form = f"#art-{kind}"
        if not self.page.locator(f"{form}[open]").count():
            self.page.click(f"{form} > summary")
        for name, value in fields.items():
            field = self.page.locator(f"#art-{kind}-{name}")
            if field.evaluate("e => e.tagName") == "SELECT":
                field.select_option(value)
            else:
                field.fill(value)
        self.page.click(f"{form} form button[type=submit]")
        if expect_ok:
            self.ok()

    def press(self, selector: str) -> None:
        self.page.click(selector)

    def open_decision(self, title: str) -> None:
        """Find a decision by its title in the decision list and open it (no id typed)."""
        self.go("/decisions")
        self.page.get_by_role("link", name=title, exact=True).first.click()


def _secretariat_and_auditor(ctx: Context) -> tuple[str, str]:
    sec = identity.register_person(ctx, "孙秘书（市政府）", password=PASSWORD)
    identity.grant_role(ctx, sec, "secretariat", CITY, reason="会议秘书")
    aud = identity.register_person(ctx, "审计员林", password=PASSWORD)
    identity.grant_role(ctx, aud, "auditor", "某市审计局", reason="审计")
    return sec, aud


def test_one_decision_walked_through_the_pages_by_each_role(server: tuple[str, Context]) -> None:
    from playwright.sync_api import sync_playwright

    base, ctx = server
    shutil.rmtree(SHOTS, ignore_errors=True)
    SHOTS.mkdir(parents=True)
    c: Cast = cast(ctx, PASSWORD)
    secretary, auditor = _secretariat_and_auditor(ctx)
    with sync_playwright() as pw:
        chromium = launch(pw)
        try:
            b = Browser(chromium.new_page(viewport={"width": 1280, "height": 900}), base)
            people = identity.people(ctx)
            b.names = {p["id"]: p["name"] for p in people
                       if [q["name"] for q in people].count(p["name"]) == 1}  # each logs in by their own name
            assert {c.drafter, c.head, c.office, secretary, auditor} <= set(b.names)
            started = time.monotonic()
            _walk(b, ctx, c, secretary, auditor)
            timing = (f"walk, opening to publication: {b.published_after:.0f} s, {b.published_loads} pages, "
                      f"{b.published_forms} forms; whole walk with the public and the auditor: "
                      f"{time.monotonic() - started:.0f} s, {b.loads} pages, {b.forms} forms\n")
            (ROOT / "test-output").mkdir(exist_ok=True)
            with (ROOT / "test-output" / "walkthrough-timing.txt").open("a", encoding="utf-8") as fh:
                fh.write(timing)
            print(timing)
        finally:
            chromium.close()
    assert b.console_errors == []
    assert b.server_errors == []


TITLE = "关于调整中心城区公交票价的决定"


def _walk(b: Browser, ctx: Context, c: Cast, secretary: str, auditor: str) -> None:
    page = b.page
    today = ctx.today
    started = time.monotonic()

    # S0 — the drafter opens the decision (R1), the head starts it (R3), the drafter drafts and determines.
    b.login(c.drafter)
    b.shot("work-queue-drafter")
    b.go("/decisions/new")
    page.fill("#open-title", TITLE)
    page.select_option("#open-category", "public_project")
    page.fill("#open-unit", BUREAU)
    page.fill("#open-due", (today() + timedelta(days=200)).isoformat())
    page.fill("#open-summary", "调整普通线路票价，配套换乘优惠。")
    page.click("#open button[type=submit]")
    b.ok()
    did = page.url.rsplit("/", 1)[1].split("#")[0]
    b.shot("decision-opened")
    b.logout()

    b.login(c.head)
    b.open_decision(TITLE)
    b.record("start_decision", {"lead_unit": BUREAU, "units": BUREAU, "affected_units": "某市财政局"})
    b.logout()

    b.login(c.drafter)
    b.open_decision(TITLE)
    page.click("#draft > summary")
    page.fill("#draft-title", "决策草案（征求意见稿）")
    page.fill("#draft-text", "第一条 普通线路票价调整为……")
    page.click("#draft form button[type=submit]")
    b.ok()
    for kind in ("specialised", "risk_relevant", "hearing_required_by_law"):
        if not page.locator("#determinations[open]").count():
            page.click("#determinations > summary")
        page.select_option("#det-kind", kind)
        page.check('#determinations input[name=value][value="false"]')
        page.fill("#det-reasons", "经研究，不属于该情形")
        page.click("#determinations form button[type=submit]")
        b.ok()
    b.record("consultation", {"unit": "某市财政局", "opinion": "原则同意", "dispute": "false"})
    published = today()
    b.record("comment_notice", {"explanation": "为优化公交服务，拟调整票价。", "channels": "政府网站\n政务新媒体",
                                "method": "网站留言、信函", "published_at": published.isoformat(),
                                "deadline": (published + timedelta(days=30)).isoformat()})
    b.shot("stepper-participation")
    b.logout()

    # The public sees the draft open for comment, without logging in, comments, and follows the comment by
    # its tracking number (R6, Art. 15).
    b.go("/public")
    assert did in page.content()
    page.get_by_role("link", name=TITLE).first.click()
    assert "网站留言、信函" in page.content()
    b.shot("public-draft-open-for-comment")
    page.fill("#comment-text", "票价涨幅过大，建议分步调整。")
    page.fill("#comment-name", "市民甲")
    page.click("#comment form button[type=submit]")
    b.ok()
    number = page.locator("[data-tracking]").get_attribute("data-tracking")
    assert number and number.startswith("YJ-")
    b.go("/public/track")
    page.fill("#track-number", number.lower().replace("-", " "))  # typed loosely: still found
    page.click("main form button[type=submit]")
    assert page.locator('[data-status="received"]').count() == 1 and "市民甲" not in page.content()
    b.shot("public-tracking-number-lookup")

    ctx.clock.advance(days=31)  # type: ignore[attr-defined]  # the comment window closes (R6)
    b.login(c.drafter)
    b.open_decision(TITLE)
    page.click("form[action$='/comments/cluster'] button")
    b.ok()
    page.click("#comments-dispose > summary")
    picker = page.locator("#comments-dispose select[id^=disp-]").first.get_attribute("id")  # the page shows no id
    assert picker is not None
    group = picker.removeprefix("disp-")
    page.select_option(f"#disp-{group}", "not_adopted")  # chosen in words: 不采纳
    page.fill(f"#reason-{group}", "涨幅已控制在成本监审范围内，并配套换乘优惠")
    page.click("#comments-dispose form button[type=submit]")
    b.ok()
    page.click("form[action$='/comments/report'] button")  # the feedback report, as opinion_summary (R8)
    b.ok()
    # SoD8: the drafter authored the participation artifacts and cannot clear the gate.
    page.click("#gate-public_participation form[action$='/clear'] button")
    text = b.refused("SoD8", "Art. 38 (inference)")
    assert "不得确认其办结" in text and "cannot clear it" not in text  # the refusal in Chinese, by name
    b.shot("refused-sod8-banner")
    b.logout()

    b.login(c.bureau_head)
    assert "public_participation" in page.content() or "公众参与" in page.content()  # waits for the clearer
    b.open_decision(TITLE)
    page.click("#gate-public_participation form[action$='/clear'] button")
    b.ok()
    b.logout()

    # S4 — the legality review (R11–R13, SoD1).
    b.login(c.drafter)
    b.open_decision(TITLE)
    requested = ctx.calendar.add_working_days(today(), 10).due
    b.record("legality_submission", {"legal_basis": "价格法第二十三条", "procedure_explanation": "已履行公众参与程序",
                                     "requested_deadline": requested.isoformat()})
    b.logout()
    ctx.clock.advance(hours=1)  # type: ignore[attr-defined]
    moment = ctx.now().astimezone(CHINA)
    ctx.clock.advance(hours=1)  # type: ignore[attr-defined]

    b.login(c.adviser)
    b.open_decision(TITLE)
    b.record("legal_adviser_opinion", {"opinion": "程序合法，内容合法"})
    b.logout()

    b.login(c.reviewer)
    b.go("/legal")
    assert did in page.content()
    b.shot("legal-office-queue")
    b.open_decision(TITLE)
    b.record("legality_opinion", {"authority": "属于市政府权限", "procedure": "程序完备", "content": "内容合法",
                                  "conclusion": "lawful"})
    b.logout()

    b.login(c.legal_director)
    b.open_decision(TITLE)
    page.click("#gate-legality_review form[action$='/clear'] button")
    b.ok()
    b.logout()

    # S5 — the executive meeting: convened, agenda with packet, roll call, opinions, the head last (R14–R15).
    b.login(secretary)
    b.go("/meetings")
    page.click("#convene > summary")
    page.select_option("#cv-type", "executive")
    page.fill("#cv-title", "市政府第12次常务会议")
    page.fill("#cv-date", today().isoformat())
    name = {p["id"]: p["name"] for p in identity.people(ctx)}
    # people chosen by name, never typed as ids (issue 18)
    head = page.locator("#cv-head option", has_text=name[c.head]).get_attribute("value")
    assert head == c.head
    page.select_option("#cv-head", label=page.locator("#cv-head option", has_text=name[c.head]).inner_text())
    for member in (c.member_a, c.member_b):
        page.get_by_role("checkbox", name=name[member]).check()
    assert c.member_a not in page.locator("#convene").inner_text()  # no id is shown
    page.click("#convene form button[type=submit]")
    b.ok()
    chosen = page.locator("#agenda-decision option", has_text=TITLE).inner_text()
    page.select_option("#agenda-decision", label=chosen)  # chosen by its title, not typed
    page.click("#m-agenda button[type=submit]")
    b.ok()
    page.click("#m-attendance button[type=submit]")
    b.ok()
    # SoD4, Art. 30: the head speaks last — an opinion of the head before the members is refused.
    _opinion(b, c.head, "support", "同意")
    b.refused("SoD4", "Art. 30")
    _opinion(b, c.member_a, "support", "同意")
    b.ok()
    _opinion(b, c.member_b, "oppose", "建议暂缓调价（异议照录）")
    b.ok()
    _opinion(b, c.head, "support", "同意，分步实施")
    b.ok()
    b.shot("meeting-opinions-in-order")
    b.logout()

    b.login(c.head)
    b.go("/meetings")
    page.get_by_role("link", name="市政府第12次常务会议").click()
    page.click("#m-decide-1 > summary")
    page.select_option("#m-decide-1-outcome", "adopt")
    page.click("#m-decide-1 form button[type=submit]")
    b.ok()
    b.logout()

    b.login(c.office)
    b.open_decision(TITLE)
    b.record("party_report", {"reported_to": "中共某市委", "reported_at": today().isoformat()})
    b.logout()

    b.login(c.head)
    b.open_decision(TITLE)
    page.click("#act-finalize button[type=submit]")
    b.ok()
    assert queries.get_decision(ctx, did)["status"] == "decided"
    b.shot("decided")
    b.logout()

    # S6 — publication (R17) and the official documents (公文).
    ctx.clock.advance(days=2)  # type: ignore[attr-defined]
    b.login(c.office)
    b.open_decision(TITLE)
    page.click("#publish > summary")
    page.fill("#pub-channels", "某市人民政府公报\n某市人民政府网站\n某市日报")
    page.fill("#pub-interpretation", "本次调价分步实施，老年人、学生继续享受优惠。")
    page.fill("#pub-means", "新闻发布会")  # R17, Art. 32
    page.click("#publish form button[type=submit]")
    b.ok()
    b.published_after, b.published_loads, b.published_forms = time.monotonic() - started, b.loads, b.forms
    page.click("#documents form:not(:has(select)) button[type=submit]")
    b.ok()
    assert page.locator("#documents table tbody tr").count() >= 8
    b.shot("documents-rendered")
    page.click("#documents table a[href^='/documents/DOC-']")
    page.click("main form button[type=submit]")  # render again from the record and compare
    assert page.locator('.banner[data-matches="true"]').count() == 1
    b.shot("document-rerendered-identical")
    b.logout()

    b.go("/public")
    page.get_by_role("link", name=TITLE).first.click()
    content = page.content()
    assert "票价涨幅过大" in content and "履行的决策程序" in content and "会议纪要" not in content
    b.go(f"/public/track?number={number}")
    assert page.locator('[data-status="disposed"]').count() == 1 and "成本监审" in page.content()
    b.shot("public-docket")
    b.go("/dashboard")  # needs a login: the login page is shown instead
    assert "/login" in page.url

    # The auditor: the decision as it stood during the legality review, the difference, verification.
    b.login(auditor)
    b.go(f"/audit/decisions/{did}")
    assert page.locator('[data-chain-ok="true"]').count() == 1
    page.fill("#asof", moment.strftime("%Y-%m-%dT%H:%M"))
    page.click("form[action$='" + did + "'] button[type=submit]")
    as_of = page.locator("#as-of").inner_text()
    assert "程序进行中" in as_of and "已提交" in as_of  # in procedure; the legality gate submitted
    b.shot("auditor-as-of")
    page.fill("#diff-a", moment.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#diff-b", ctx.now().astimezone(CHINA).strftime("%Y-%m-%dT%H:%M"))
    page.click("form[action$='/diff'] button[type=submit]")
    assert "DecisionFinalized" not in page.content() and "作出决定" in page.content()
    b.shot("auditor-diff")
    b.go("/audit")
    page.click("form[action='/audit/verify'] button[type=submit]")
    assert page.locator('[data-ok="true"]').count() == 1
    b.go(f"/audit/people/{c.member_b}")
    b.go("/dashboard?lang=en")
    assert "Decisions by stage" in page.content()
    b.shot("dashboard-english")
    b.logout()


def _opinion(b: Browser, speaker: str, position: str, text: str) -> None:
    page = b.page
    if not page.locator("#m-opinion-1[open]").count():
        page.click("#m-opinion-1 > summary")
    page.select_option("#m-opinion-1-speaker", speaker)
    page.select_option("#m-opinion-1-position", position)
    page.fill("#m-opinion-1-text", text)
    page.click("#m-opinion-1 form button[type=submit]")
