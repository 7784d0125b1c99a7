"""The public follows an opinion by its tracking number (R6, Art. 15; issue 18 §3): the answer names the decision
by its title, never by an internal id, and a mistyped number is answered in plain Chinese, with no rule code."""

from __future__ import annotations

from datetime import timedelta

from decision_engine.services import participation
from tests.conftest import WARNINGS_ARE_ERRORS, Walk
from tests.pages.conftest import Site

pytestmark = WARNINGS_ARE_ERRORS


def test_a_tracking_number_is_answered_with_the_decisions_title(site: Site) -> None:
    w = Walk(site.ctx).open().start()
    today = site.ctx.today()
    w.art(w.c.drafter, "comment_notice", explanation="说明", channels=["网站"], method="留言",
          published_at=today.isoformat(), deadline=(today + timedelta(days=30)).isoformat())
    number = participation.submit_comment(site.ctx, w.did, "票价不宜上涨")["tracking_number"]
    page = site.client().get("/public/track", params={"number": number}).text
    assert "关于调整公交票价的决定" in page and f">{w.did}<" not in page
    assert 'data-status="received"' in page


def test_a_mistyped_tracking_number_is_answered_plainly(site: Site) -> None:
    page = site.client().get("/public/track", params={"number": "YJ-0000-0000"}).text
    assert "未查到该查询编号对应的意见" in page
    assert "R6" not in page and "Art. 15" not in page and 'class="banner refused"' not in page


def test_a_well_formed_number_that_nobody_was_given_is_answered_plainly(site: Site) -> None:
    w = Walk(site.ctx).open().start()
    today = site.ctx.today()
    w.art(w.c.drafter, "comment_notice", explanation="说明", channels=["网站"], method="留言",
          published_at=today.isoformat(), deadline=(today + timedelta(days=30)).isoformat())
    real = participation.submit_comment(site.ctx, w.did, "票价不宜上涨")["tracking_number"]
    wrong = real[:-1] + ("0" if real[-1] != "0" else "1")
    page = site.client().get("/public/track", params={"number": wrong}).text
    assert "未查到该查询编号对应的意见" in page and "R6" not in page
