"""In a real browser (Debian chromium): the executor logs in, sees the unread count in the header, opens the
inbox, marks a reminder read, and files an execution progress report on the decision page (R19).
Fails on any browser console error or any 5xx. Screenshots go to test-output/screenshots-inbox/."""

from __future__ import annotations

import shutil

import pytest

from decision_engine.services import notifications, queries
from decision_engine.services.context import Context
from decision_engine.services.demo import cast, run_demo
from tests.browser.test_walkthrough import CHROMIUM, PASSWORD, ROOT, Browser, launch
from tests.browser.test_walkthrough import server as server  # the shared uvicorn fixture
from tests.conftest import WARNINGS_ARE_ERRORS

SHOTS = ROOT / "test-output" / "screenshots-inbox"

pytestmark = [pytest.mark.browser, WARNINGS_ARE_ERRORS,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed")]


def test_unread_count_inbox_and_a_progress_report(server: tuple[str, Context]) -> None:
    from playwright.sync_api import sync_playwright

    base, ctx = server
    shutil.rmtree(SHOTS, ignore_errors=True)
    SHOTS.mkdir(parents=True)
    c = cast(ctx, PASSWORD)
    did = run_demo(ctx, lambda _: None, people=c)
    with ctx.store.write() as conn:
        notifications.record(conn, [notifications.Planned(
            did, c.executor, "R19:execution_report", "2026-12-31", "reminder", 0, "执行情况报告即将到期",
            "请按《条例》第三十四条报送执行情况（R19）", f"/decisions/{did}")], at=ctx.now_iso())
    with sync_playwright() as pw:
        chromium = launch(pw)
        try:
            b = Browser(chromium.new_page(viewport={"width": 1280, "height": 900}), base)
            b.shots = 0
            page = b.page
            b.login(c.executor)
            assert page.locator("#inbox-link .badge").inner_text() == "1"
            page.click("#inbox-link")
            assert page.url.endswith("/inbox")
            assert "执行情况报告即将到期" in page.locator("main").inner_text()
            page.screenshot(path=str(SHOTS / "01-inbox.png"), full_page=True)
            page.click("main form.act button[type=submit]")
            b.ok()
            assert page.url.endswith("/inbox") and page.locator("#inbox-link .badge").count() == 0
            page.click(f'main a[href="/decisions/{did}"]')
            b.record("execution_report", {"report_kind": "progress", "summary": "第一季度完成既定目标的三成"})
            page.screenshot(path=str(SHOTS / "02-progress-report.png"), full_page=True)
        finally:
            chromium.close()
    assert b.console_errors == [] and b.server_errors == []
    with ctx.store.read() as conn:
        arts = queries.replay(conn, did).state["artifacts"].values()
    assert any(a["kind"] == "execution_report" and a["fields"].get("summary") == "第一季度完成既定目标的三成"
               for a in arts)
    assert notifications.unread_count(ctx, c.executor) == 0
