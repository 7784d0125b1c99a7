"""The compliance page (依法行政考核, issue 10 §4): the same figures as `decide compliance`, per unit, with the
targets beside them and a CSV download; readers only."""

from __future__ import annotations

from typing import Any

from decision_engine.services.demo import BUREAU


def test_the_compliance_page_shows_each_units_figures_and_the_csv_matches(demo_site: Any) -> None:
    site, _did = demo_site
    client = site.client(site.c.head)
    page = client.get("/compliance?year=2025")
    assert page.status_code == 200, page.text
    html = page.text
    assert "依法行政考核指标" in html and BUREAU in html and "重大行政决策合法性审查率" in html
    assert "100.0%" in html  # the demo decision was reviewed before it was decided (R11–R13)
    csv = client.get("/compliance.csv?year=2025")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert csv.text.splitlines()[1].startswith(f"{BUREAU},1,1")
    english = client.get("/compliance?year=2025&lang=en")
    assert "legality review rate of decisions" in english.text


def test_the_public_cannot_read_the_compliance_page(demo_site: Any) -> None:
    site, _did = demo_site
    anonymous = site.client()
    r = anonymous.get("/compliance", follow_redirects=False)
    assert r.status_code in (303, 401, 403)
