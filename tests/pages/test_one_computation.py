"""Queues and figures from one computation (issue 18 §6–§7): the dashboard, the compliance page, the work
queue and the statutory clock agree on whether publication is overdue, because every one of them reads
`compliance.publication_kept` (the clock's own deadline). Both ways: a publication the gate does not yet
accept (a channel missing) is late everywhere once its limit passes; a complete one is on time everywhere."""

from __future__ import annotations

from typing import Any

from decision_engine.services import compliance, publication, work
from tests.conftest import WARNINGS_ARE_ERRORS

pytestmark = WARNINGS_ARE_ERRORS


def figures(w: Any) -> dict[str, Any]:
    """What each page would show about this decision's publication."""
    overdue_on_clock = [x for x in publication.publication_due(w.ctx) if x["decision_id"] == w.did]
    queue = [i for i in work.work_queue(w.ctx, w.c.office)["items"]
             if i["decision_id"] == w.did and i["gate"] == "publication"]
    return {"dashboard": work.dashboard(w.ctx)["timing"]["publication"],
            "compliance": compliance.metrics(w.ctx, 2025)["total"]["publication_on_time_rate"],
            "clock_overdue": bool(overdue_on_clock and overdue_on_clock[0]["overdue"]),
            "queue_overdue": [bool(i["deadline"] and i["deadline"]["overdue"]) for i in queue]}


def test_a_publication_missing_a_channel_is_late_on_every_page_once_the_limit_passes(walk: Any) -> None:
    w = walk.decided()
    publication.publish(w.ctx, w.c.office, w.did, channels=["政府网站"])  # no gazette, no newspaper (R17 Art. 32)
    w.ctx.clock.advance(days=40)  # 20 working days have passed
    f = figures(w)
    assert f["clock_overdue"] is True
    assert f["dashboard"] == {"on_time": 0, "late": 1, "pending": 0}  # it used to say on time: published_on set
    assert f["compliance"] == 0.0  # it used to say 100 %
    assert all(f["queue_overdue"])


def test_a_complete_publication_within_the_limit_is_on_time_on_every_page(walk: Any) -> None:
    w = walk.decided()
    publication.publish(w.ctx, w.c.office, w.did, channels=["政府公报", "政府网站", "报纸"])
    w.ctx.clock.advance(days=40)
    f = figures(w)
    assert f["clock_overdue"] is False
    assert f["dashboard"] == {"on_time": 1, "late": 0, "pending": 0}
    assert f["compliance"] == 1.0
    assert not any(f["queue_overdue"])


def test_an_unpublished_decision_is_pending_then_late_on_every_page(walk: Any) -> None:
    w = walk.decided()
    f = figures(w)
    assert (f["dashboard"]["pending"], f["compliance"], f["clock_overdue"]) == (1, None, False)
    w.ctx.clock.advance(days=40)
    f = figures(w)
    assert (f["dashboard"]["late"], f["compliance"], f["clock_overdue"]) == (1, 0.0, True)
