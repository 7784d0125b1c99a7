"""Official documents (公文) look in the browser as their PDF does (issue 18 §1): the app's content security
policy lets a stored document's own styles apply — by their hashes, with no script allowed — so the red
issuer mark is red and the title is set in 22 pt, logged in and on the public site; and the browser reports no
blocked style."""

from __future__ import annotations

from typing import Any

import pytest

from decision_engine.services import documents, identity, public_views
from decision_engine.services.context import Context
from decision_engine.services.demo import run_demo
from tests.browser.test_walkthrough import CHROMIUM, PASSWORD, Browser, launch
from tests.browser.test_walkthrough import server as server  # the shared uvicorn fixture
from tests.conftest import WARNINGS_ARE_ERRORS

pytestmark = [pytest.mark.browser, WARNINGS_ARE_ERRORS,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed")]

RED = "rgb(204, 0, 0)"  # .issuer-mark { color: #c00 } in gongwen.css (GB/T 9704 §7.2.2: 发文机关标志 红色)


def _style(page: Any, selector: str, prop: str) -> str:
    return str(page.eval_on_selector(selector, f"e => getComputedStyle(e).getPropertyValue('{prop}')"))


def test_a_document_keeps_its_official_layout_in_the_browser_logged_in_and_in_public(
        server: tuple[str, Context]) -> None:
    from playwright.sync_api import sync_playwright

    base, ctx = server
    did = run_demo(ctx, lambda _: None)
    packet = documents.render(ctx, did, "meeting_packet")
    documents.render_all(ctx, did)
    public = public_views.public_decision(ctx, did)["documents"]
    assert public, "the published demo decision shows at least one document in public"
    auditor = identity.register_person(ctx, "审计员林", password=PASSWORD)
    identity.grant_role(ctx, auditor, "auditor", "某市审计局", reason="审计")
    with sync_playwright() as pw:
        chromium = launch(pw)
        try:
            b = Browser(chromium.new_page(viewport={"width": 1280, "height": 900}), base)
            b.go(f"/public/decisions/{did}/documents/{public[0]['id']}/file.html")
            assert _style(b.page, "h1.title", "font-size") == "29.3333px"  # 22 pt, not the browser's 2em
            assert _style(b.page, "h1.title", "text-align") == "center"
            b.login(auditor)
            policy = b.page.goto(f"{base}/documents/{packet['id']}/file.html").headers["content-security-policy"]
            assert policy.startswith("default-src 'none'") and "'sha256-" in policy
            assert "unsafe-inline" not in policy and "script-src" not in policy  # no script of any kind
            assert _style(b.page, ".issuer-mark", "color") == RED
            assert _style(b.page, "hr.red-rule", "border-top-color") == RED
        finally:
            chromium.close()
    assert not [e for e in b.console_errors if "Content Security Policy" in e], b.console_errors
    assert b.server_errors == []
