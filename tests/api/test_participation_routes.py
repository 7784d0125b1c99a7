"""Public participation over the API (issue 3 §1, issue 4): comments come in without login, the
undertaking unit hides one for personal data, groups the rest into distinct opinions, disposes of each,
and has the feedback report generated from the record — each step refused with its rule when it comes
too early or from the wrong person. The legal office reads its packet and queue."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from api.app import create_app
from decision_engine.services import identity
from decision_engine.services.context import Context
from tests.conftest import Walk, serving

CAMPAIGN = "坚决反对公交票价上涨，普通线路票价应当维持两元不变。"


def test_comments_to_feedback_report_over_http(walk: Walk) -> None:
    ctx: Context = walk.ctx
    walk.open().start().determine().coordinate()
    today = ctx.today()
    walk.art(walk.c.drafter, "comment_notice", explanation="说明", channels=["网站"], method="留言",
             published_at=today.isoformat(), deadline=(today + timedelta(days=30)).isoformat())
    drafter = {"Authorization": f"Bearer {identity.issue_token(ctx, walk.c.drafter, ttl_days=365)}"}
    expert = {"Authorization": f"Bearer {identity.issue_token(ctx, walk.c.expert_a, ttl_days=365)}"}
    with serving(create_app(ctx)) as base, httpx.Client(base_url=f"{base}/api/v1", timeout=30) as http:
        tns = [http.post(f"/public/decisions/{walk.did}/comments", json={"text": CAMPAIGN + "！" * (i % 2)})
               .json()["tracking_number"] for i in range(6)]
        private = http.post(f"/public/decisions/{walk.did}/comments", json={"text": "电话13800000000"}).json()
        r = http.post(f"/public/comments/{private['tracking_number']}/hide", headers=expert,
                      json={"reason": "personal_data"})
        assert r.status_code == 403 and r.json()["rule"] == "R8"
        ok = http.post(f"/public/comments/{private['tracking_number']}/hide", headers=drafter,
                       json={"reason": "personal_data", "note": "含个人电话"})
        assert ok.status_code == 200, ok.text
        early = http.post(f"/decisions/{walk.did}/feedback-report", headers=drafter)
        assert early.status_code == 409 and early.json()["rule"] == "R6", early.text  # the window is open
        clustered = http.post(f"/decisions/{walk.did}/comments/cluster", headers=drafter).json()
        assert clustered["decision_id"] == walk.did
        opinions: list[dict[str, Any]] = http.get(f"/public/decisions/{walk.did}/opinions").json()["opinions"]
        campaign = max(opinions, key=lambda o: o["count"])
        assert campaign["count"] == 6 and all(tn for tn in tns)
        ctx.clock.advance(days=31)  # type: ignore[attr-defined]
        missing = http.post(f"/decisions/{walk.did}/feedback-report", headers=drafter)
        assert missing.status_code == 409 and missing.json()["rule"] == "R8"  # opinions not yet disposed
        items = [{"cluster_id": o["cluster_id"], "disposition": "not_adopted", "reason": "票价由成本监审确定"}
                 for o in opinions]
        assert http.post(f"/decisions/{walk.did}/comments/dispositions", headers=drafter,
                         json={"items": items}).status_code == 200
        report = http.post(f"/decisions/{walk.did}/feedback-report", headers=drafter)
        assert report.status_code == 201, report.text
        assert report.json()["events"][0]["type"] == "ArtifactRecorded"
        packet = http.get(f"/decisions/{walk.did}/legality/packet", headers=drafter,
                          params={"legal_basis": "价格法"}).json()
        assert packet  # generated from the record, not typed
        assert http.get("/legality/queue", headers=drafter).status_code == 200
        assert http.get("/legality/queue").status_code == 401
