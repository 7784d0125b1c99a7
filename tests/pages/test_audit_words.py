"""The auditor's comparison of two moments reads in words (issue 18 §3): statuses, stages, gates,
determinations and artifact kinds by their Chinese names, persons by name and the decision by its title —
no `in_procedure`, `legality_review` or person id left on the page."""

from __future__ import annotations

import re

from tests.conftest import WARNINGS_ARE_ERRORS
from tests.pages.conftest import Site

pytestmark = WARNINGS_ARE_ERRORS


def test_the_comparison_of_two_moments_names_everything_in_words(demo_site: tuple[Site, str]) -> None:
    site, did = demo_site
    page = site.client(site.auditor).get(
        f"/audit/decisions/{did}/diff", params={"a": "2025-03-01T12:00", "b": "2025-06-30T12:00"}).text
    shown = re.sub(r"<[^>]+>", " ", page)
    assert "合法性审查" in shown and "决策草案" in shown and "状态" in shown
    for code in ("in_procedure", "legality_review", "public_participation", "ready_for_decision", "start_decision"):
        assert code not in shown, code
    assert site.c.head not in shown and site.c.drafter not in shown  # persons by name
    assert "王明（市长）" in shown
