"""The notification inbox on the pages (unread count in the header, mark as read as a recorded act) and the
dashboard's comments-per-day chart, through the real page app over HTTP."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from decision_engine.adapters.tables import EVENTS
from decision_engine.services import notifications, participation
from tests.conftest import Walk
from tests.pages.conftest import Site

UNREAD = re.compile(r'id="inbox-link">[^<]*<span class="badge"[^>]*>(\d+)</span>')


def _notify(site: Site, person: str, decision_id: str = "D-inbox-test") -> list[str]:
    planned = [notifications.Planned(decision_id, person, "reminder:legality_review", f"2026-12-0{i + 1}",
                                     "reminder", 0, f"合法性审查意见将于期限届满 {i}", "《条例》第二十八条（R12）",
                                     f"/decisions/{decision_id}") for i in range(2)]
    with site.ctx.store.write() as conn:
        return notifications.record(conn, planned, at=site.ctx.now_iso())


def test_inbox_shows_unread_count_and_marks_read(site: Site) -> None:
    ids = _notify(site, site.c.reviewer)
    client = site.client(site.c.reviewer)
    page = client.get("/work")
    assert UNREAD.search(page.text) and UNREAD.search(page.text).group(1) == "2"  # type: ignore[union-attr]
    inbox = client.get("/inbox")
    assert inbox.status_code == 200
    assert "合法性审查意见将于期限届满 1" in inbox.text
    assert '<span class="rule">R12</span> 第二十八条' in inbox.text  # the legal basis (the opinion given promptly), as the law cites it
    assert 'href="/decisions/D-inbox-test"' in inbox.text and "2026-12-01" in inbox.text
    r = site.post(client, "/inbox", f"/notifications/{ids[0]}/read", {"back": "/inbox"})
    assert r.status_code == 200 and r.url.path == "/inbox"
    found = UNREAD.search(r.text)
    assert found and found.group(1) == "1"
    assert notifications.unread_count(site.ctx, site.c.reviewer) == 1
    with site.ctx.store.read() as conn:
        kinds = [k for (k,) in conn.execute(select(EVENTS.c.type).where(
            EVENTS.c.stream == notifications.stream_of("D-inbox-test")))]
    assert "NotificationRead" in kinds
    only = client.get("/inbox?unread=1").text
    assert "期限届满 0" not in only and "期限届满 1" in only


def test_marking_someone_elses_notification_is_refused(site: Site) -> None:
    ids = _notify(site, site.c.reviewer)
    other = site.client(site.c.drafter)
    r = site.post(other, "/inbox", f"/notifications/{ids[0]}/read", {"back": "/inbox"})
    assert "SoD" in r.text
    assert notifications.unread_count(site.ctx, site.c.reviewer) == 2
    assert client_unread_absent(other.get("/inbox").text)


def client_unread_absent(html: str) -> bool:
    """No unread badge for a person with no notifications."""
    return UNREAD.search(html) is None and "id=\"unread-count\">0<" in html


def test_dashboard_draws_comments_per_day(site: Site) -> None:
    w = Walk(site.ctx).open().start().determine()
    today = site.ctx.today()
    w.art(w.c.drafter, "comment_notice", explanation="起草说明", channels=["政府网站"], method="网站留言",
          published_at=today.isoformat(), deadline=(today + timedelta(days=30)).isoformat())
    for text in ("建议延长公示期", "支持该方案"):
        participation.submit_comment(site.ctx, w.did, text, name="市民", organisation="", contact="")
    html = site.client(site.auditor).get("/dashboard").text
    chart = html[html.index("<title>每日意见数"):]
    chart = chart[:chart.index("</svg>")]
    assert f">{today.isoformat()}</text>" in chart and ">2</text>" in chart
