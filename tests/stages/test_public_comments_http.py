"""Public comments over HTTP without login (R6, Art. 15): receipt with a tracking number, lookup, the late
refusal in the one error shape with the number under which the comment is kept, attachments by form."""

from __future__ import annotations

import warnings
from datetime import timedelta
from typing import Any

from api.app import create_app
from tests.conftest import WARNINGS_ARE_ERRORS

with warnings.catch_warnings():  # starlette asks for httpx2, which the registry does not carry
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

pytestmark = WARNINGS_ARE_ERRORS


def client_for(walk: Any) -> TestClient:
    return TestClient(create_app(walk.ctx))


def test_a_comment_over_http_gets_a_tracking_number_and_a_late_one_is_refused_but_kept(walk: Any) -> None:
    walk.open().start().determine().coordinate()
    today = walk.ctx.today()
    walk.art(walk.c.drafter, "comment_notice", explanation="说明", channels=["政府网站"], method="网上留言",
             published_at=today.isoformat(), deadline=(today + timedelta(days=30)).isoformat())
    http = client_for(walk)
    r = http.post(f"/api/v1/public/decisions/{walk.did}/comments", json={"text": "建议增加夜班线", "name": "张三"})
    assert r.status_code == 201, r.text
    tn = r.json()["tracking_number"]
    looked = http.get(f"/api/v1/public/comments/{tn}").json()
    assert looked["status"] == "received" and "张三" not in r.text + str(looked)
    form = http.post(f"/api/v1/public/decisions/{walk.did}/comments/form", data={"text": "见附件"},
                     files=[("files", ("意见.pdf", b"%PDF-1.4", "application/pdf"))])
    assert form.status_code == 201, form.text
    bad = http.post(f"/api/v1/public/decisions/{walk.did}/comments", json={"text": "x", "extra": 1})
    assert bad.status_code == 422
    walk.ctx.clock.advance(days=31)
    late = http.post(f"/api/v1/public/decisions/{walk.did}/comments", json={"text": "逾期意见"})
    body = late.json()
    assert late.status_code == 409 and (body["rule"], body["article"]) == ("R6", "Art. 15")
    assert http.get(f"/api/v1/public/comments/{body['tracking_number']}").json()["status"] == "late"
    assert http.get("/api/v1/public/comments/YJ-0000-0000-0001").status_code == 422
    page = http.get(f"/api/v1/public/decisions/{walk.did}/opinions").json()
    assert page["totals"]["on_time"] == 2 and page["totals"]["late"] == 1
