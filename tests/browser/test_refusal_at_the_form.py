"""A refused form shows its refusal at the form (issue 18 §4): the page opens on the refusal, next to the form
that was sent, not 2,600 px above it; the refusal is an alert with its rule and article in Chinese; and what
was typed is still in the field (a refused exemption used to lose the legal basis typed)."""

from __future__ import annotations

import pytest

from decision_engine.services import decisions as svc
from decision_engine.services.context import Context
from decision_engine.services.demo import BUREAU, cast
from tests.browser.test_walkthrough import CHROMIUM, PASSWORD, Browser, launch
from tests.browser.test_walkthrough import server as server  # the shared uvicorn fixture
from tests.conftest import WARNINGS_ARE_ERRORS

pytestmark = [pytest.mark.browser, WARNINGS_ARE_ERRORS,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed")]


def test_a_refused_exemption_is_shown_at_its_form_with_the_legal_basis_kept(server: tuple[str, Context]) -> None:
    from playwright.sync_api import sync_playwright

    base, ctx = server
    c = cast(ctx, PASSWORD)
    did = svc.open_decision(ctx, c.drafter, title="关于调整公交票价的决定", category="public_project",
                            unit=BUREAU).decision_id
    svc.record_artifact(ctx, c.head, did, "start_decision", {"lead_unit": BUREAU, "units": [BUREAU],
                                                             "affected_units": ["某市财政局"]})
    basis = "《政府信息公开条例》第十四条：依法确定为国家秘密的政府信息不予公开。"
    with sync_playwright() as pw:
        chromium = launch(pw)
        try:
            b = Browser(chromium.new_page(viewport={"width": 1280, "height": 900}), base)
            b.login(c.drafter)
            b.go(f"/decisions/{did}")
            gate = b.page.locator("#gate-public_participation")
            gate.locator("summary", has_text="豁免").click()
            b.page.fill("#gate-public_participation-basis", basis)
            gate.locator("form[action$='/exempt'] button[type=submit]").click()  # no nondisclosure determination
            assert b.page.url.endswith("#refusal-gate-public_participation")
            alert = b.page.locator("#refusal-gate-public_participation [role=alert]")
            assert alert.count() == 1 and alert.is_visible()
            assert alert.get_attribute("data-rule") == "R5"
            box = alert.bounding_box()
            assert box is not None and -5 <= box["y"] < 900  # in the viewport, not far above
            assert b.page.input_value("#gate-public_participation-basis") == basis
            said = alert.inner_text()
            assert said.startswith("操作被拒绝")  # Chinese first
            assert "免予办理“公众参与”" in said and "exempting" not in said  # the refusal itself, in words
        finally:
            chromium.close()
    assert b.console_errors == [] and b.server_errors == []
