"""Accessible to all (issue 18; GB/T 37668, WCAG 2.1 A/AA): axe-core in Chromium finds no violation on any page,
for the public and for each role; at 320 px (WCAG 1.4.10 reflow) no page scrolls sideways; the focus ring has
at least 3:1 against what it sits on (1.4.11), which axe does not check; and the skip link lands on the main
content."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from decision_engine.services import accountability, documents, execution, identity, meetings, public_views
from decision_engine.services import decisions as svc
from decision_engine.services.context import Context
from decision_engine.services.demo import COUNTY_BUREAU, Cast, cast, run_demo
from tests.browser.test_walkthrough import CHROMIUM, PASSWORD, Browser, launch
from tests.browser.test_walkthrough import server as server  # the shared uvicorn fixture
from tests.conftest import WARNINGS_ARE_ERRORS

pytestmark = [pytest.mark.browser, WARNINGS_ARE_ERRORS,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed")]

WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def _luminance(rgb: tuple[float, ...]) -> float:
    c = [x / 255 for x in rgb[:3]]
    c = [x / 12.92 if x <= 0.03928 else ((x + 0.055) / 1.055) ** 2.4 for x in c]
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]


def contrast(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    """WCAG 2.1 contrast ratio of two sRGB colours."""
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def _rgb(css: str) -> tuple[float, ...]:
    return tuple(float(x) for x in css[css.index("(") + 1:css.index(")")].split(",")[:3])


def _pages(ctx: Context, c: Cast, did: str, auditor: str) -> list[tuple[str | None, str]]:
    doc = documents.render(ctx, did, "publication_notice")
    meeting_ids = [m["id"] for m in meetings.list_meetings(ctx)]
    assert public_views.public_decision(ctx, did)["visibility"] == "published"
    pages: list[tuple[str | None, str]] = [
        (None, "/public"), (None, f"/public/decisions/{did}"), (None, "/public/track"), (None, "/login"),
        (c.drafter, "/work"), (c.drafter, "/decisions"), (c.drafter, "/decisions/new"),
        (c.drafter, f"/decisions/{did}"), (c.drafter, "/inbox"),
        (c.reviewer, "/legal"), (c.head, "/dashboard"), (c.head, "/compliance"), (c.head, "/meetings"),
        (c.office, "/experts"), (c.head, f"/documents/{doc['id']}"),
        (auditor, "/audit"), (auditor, f"/audit/decisions/{did}"), (auditor, f"/audit/decisions/{did}/traceback"),
        (auditor, f"/audit/decisions/{did}/diff"), (auditor, f"/audit/people/{c.head}"),
    ]
    pages += [(c.head, f"/meetings/{m}") for m in meeting_ids[:1]]
    return pages


def test_every_page_has_no_wcag_violation_reflows_at_320_px_and_shows_a_visible_focus_ring(
        server: tuple[str, Context]) -> None:
    from playwright.sync_api import sync_playwright

    base, ctx = server
    c = cast(ctx, PASSWORD)
    did = run_demo(ctx, lambda _: None)
    auditor = identity.register_person(ctx, "审计员林", password=PASSWORD)
    identity.grant_role(ctx, auditor, "auditor", "某市审计局", reason="审计")
    axe = Axe()
    violations: dict[str, list[str]] = {}
    sideways: dict[str, int] = {}
    with sync_playwright() as pw:
        chromium = launch(pw)
        try:
            desktop = Browser(chromium.new_page(viewport={"width": 1280, "height": 900}), base)
            phone = Browser(chromium.new_page(viewport={"width": 320, "height": 640}), base)
            who: str | None = None
            for person, path in _pages(ctx, c, did, auditor):
                if person != who:
                    for b in (desktop, phone):
                        b.go("/public")
                        if who is not None:
                            b.logout()
                        if person is not None:
                            b.login(person)
                    who = person
                desktop.go(path)
                result: Any = axe.run(desktop.page, options={"runOnly": {"type": "tag", "values": WCAG_21_AA}})
                found = [f"{v['id']}: {v['help']} ({len(v['nodes'])}×)" for v in result.response["violations"]]
                if found:
                    violations[path] = found
                phone.go(path)
                width = phone.page.evaluate("() => document.documentElement.scrollWidth")
                if width > 320:
                    sideways[path] = width
            _focus_ring_and_skip_link(desktop)
            # the instrument works: a field without a label on the same page is a violation axe reports
            desktop.page.evaluate("() => document.querySelector('main').append(document.createElement('input'))")
            probe: Any = axe.run(desktop.page, options={"runOnly": {"type": "tag", "values": WCAG_21_AA}})
            assert "label" in {v["id"] for v in probe.response["violations"]}
        finally:
            chromium.close()
    assert violations == {}
    assert sideways == {}
    assert desktop.server_errors == [] and phone.server_errors == []


def _focus_ring_and_skip_link(b: Browser) -> None:
    b.go("/work")
    b.page.keyboard.press("Tab")  # the first stop is the skip link
    focused = b.page.evaluate("() => document.activeElement.className")
    assert focused == "skip"
    ring = _rgb(b.page.evaluate("() => getComputedStyle(document.activeElement).outlineColor"))
    width = b.page.evaluate("() => getComputedStyle(document.activeElement).outlineWidth")
    assert width == "3px"
    for panel in ("rgb(255, 255, 255)", "rgb(247, 250, 252)", "rgb(235, 248, 255)", "rgb(255, 245, 245)"):
        assert contrast(ring, _rgb(panel)) >= 3.0, (ring, panel)
    b.page.keyboard.press("Enter")
    assert b.page.evaluate("() => document.activeElement.id") == "main"
    header_link = b.page.locator("header.top a").first
    header_link.focus()
    ring = _rgb(b.page.evaluate("() => getComputedStyle(document.activeElement).outlineColor"))
    assert contrast(ring, _rgb("rgb(26, 54, 93)")) >= 3.0  # the dark header


def _form_pages(ctx: Context, c: Cast, did: str) -> list[tuple[str, str, str]]:
    """The forms added lately, each on the page of the person it is offered to: (person, path, form id)."""
    sec = c.secretary
    mid = meetings.convene(ctx, sec, meeting_type="executive", title="市政府常务会议（无障碍检查）",
                           held_on=ctx.today().isoformat(), head=c.head, members=[c.member_a, c.member_b]).meeting_id
    meetings.table_change(ctx, sec, mid, did, change="adjust", reason="客观情况发生重大变化")
    meetings.record_attendance(ctx, sec, mid, [c.member_a, c.member_b, c.head])
    county = svc.open_decision(ctx, c.county_drafter, title="县城公交线网优化", category="public_project",
                               unit=COUNTY_BUREAU).decision_id
    execution.order_correction(ctx, c.head, county, breach="未依第三十条经常务会议讨论", findings="查明……",
                               required="提交常务会议讨论")
    case = accountability.open_case(ctx, c.office, did, grounds=[{"article": "Art. 40", "text": "迟报"}],
                                    persons=[{"person": c.executor, "capacity": "execution"}]).case_id
    return [(c.head, f"/meetings/{mid}", "m-decide-1"),  # the head's decision (SoD4, Art. 30)
            (c.office, f"/decisions/{did}", "publish"),  # with the interpretation's means (R17, Art. 32)
            (c.office, f"/decisions/{did}", "act-supervise"),  # R19, Art. 34
            (c.office, f"/decisions/{did}", f"act-case_close-{case}"),  # sanctions picked by name (ACC3, ACC4)
            (c.head, f"/decisions/{county}", "act-correction"),  # ACC5, Art. 38 ¶1
            (c.county_head, f"/decisions/{county}", "act-correction_report"),
            (c.office, "/experts", "pool-add")]  # R9, Art. 21


def test_the_new_forms_opened_have_no_wcag_violation_and_reflow_at_320_px(server: tuple[str, Context]) -> None:
    from playwright.sync_api import sync_playwright

    base, ctx = server
    c = cast(ctx, PASSWORD)
    did = run_demo(ctx, lambda _: None, people=c)
    axe = Axe()
    violations: dict[str, list[str]] = {}
    sideways: dict[str, int] = {}
    with sync_playwright() as pw:
        chromium = launch(pw)
        try:
            b = Browser(chromium.new_page(viewport={"width": 1280, "height": 900}), base)
            who: str | None = None
            for person, path, form in _form_pages(ctx, c, did):
                if person != who:
                    b.go("/public")
                    if who is not None:
                        b.logout()
                    b.login(person)
                    who = person
                for width in (1280, 320):
                    b.page.set_viewport_size({"width": width, "height": 900})
                    b.go(path)
                    assert b.page.locator(f"details#{form} form").count() == 1, (path, form)
                    b.page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")  # every form on it
                    if width == 320:
                        scrolled = b.page.evaluate("() => document.documentElement.scrollWidth")
                        if scrolled > 320:
                            sideways[f"{path}#{form}"] = scrolled
                        continue
                    result: Any = axe.run(b.page,
                                          options={"runOnly": {"type": "tag", "values": WCAG_21_AA}})
                    found = [f"{v['id']}: {v['help']} ({len(v['nodes'])}×)" for v in result.response["violations"]]
                    if found:
                        violations[f"{path}#{form}"] = found
            # the instrument works on an opened form: a field without a label in it is a violation axe reports
            b.page.evaluate("() => document.querySelector('#pool-add form').append(document.createElement('input'))")
            probe: Any = axe.run(b.page, context="#pool-add", options={"runOnly": {"type": "tag",
                                                                                   "values": WCAG_21_AA}})
            assert "label" in {v["id"] for v in probe.response["violations"]}
        finally:
            chromium.close()
    assert violations == {}
    assert sideways == {}
    assert b.server_errors == [] and b.console_errors == []
