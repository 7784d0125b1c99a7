"""The API's refusals, each in the one error shape, and the store unchanged by every failed request."""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Iterator
from typing import Any

import pytest

from api.app import create_app
from decision_engine.services import identity
from decision_engine.services import queries as q
from decision_engine.services.context import Context

with warnings.catch_warnings():  # starlette asks for httpx2, which the registry does not carry
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

SHAPE = {"error", "rule", "article", "message", "missing"}


class Api:
    """A TestClient with a token for each person of the cast."""

    def __init__(self, walk: Any) -> None:
        self.walk = walk
        self.ctx: Context = walk.ctx
        self.client = TestClient(create_app(self.ctx))
        self.tokens: dict[str, str] = {}

    def token(self, person: str) -> str:
        if person not in self.tokens:
            self.tokens[person] = identity.issue_token(self.ctx, person)
        return self.tokens[person]

    def auth(self, person: str, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(person)}", **extra}

    def post(self, person: str, path: str, json: Any = None, **kw: Any) -> Any:
        headers = self.auth(person, **kw.pop("headers", {}))
        return self.client.post(f"/api/v1{path}", json=json, headers=headers, **kw)

    def get(self, person: str, path: str, **kw: Any) -> Any:
        return self.client.get(f"/api/v1{path}", headers=self.auth(person), **kw)

    def seq(self) -> int:
        return int(q.get_decision(self.ctx, self.walk.did)["seq"])

    def event_types(self) -> list[str]:
        return [e["type"] for e in q.events(self.ctx, self.walk.did)]


@pytest.fixture
def api(walk: Any) -> Iterator[Api]:
    a = Api(walk)
    with a.client:
        yield a


def assert_shape(body: dict[str, Any]) -> None:
    assert set(body) == SHAPE, body
    assert isinstance(body["missing"], list)
    assert "Traceback" not in body["message"]


# ------------------------------------------------------------------------------------------------ 401
def test_a_request_without_a_token_is_refused_with_401(api: Api) -> None:
    r = api.client.get("/api/v1/decisions")
    assert r.status_code == 401
    assert_shape(r.json())
    assert r.headers["www-authenticate"] == "Bearer"


def test_an_unknown_token_is_refused_with_401(api: Api) -> None:
    r = api.client.get("/api/v1/decisions", headers={"Authorization": "Bearer dk_not-a-real-token"})
    assert r.status_code == 401
    assert r.json()["error"] == "Unauthenticated"


def test_an_expired_token_is_refused_with_401(api: Api) -> None:
    token = identity.issue_token(api.ctx, api.walk.c.drafter, ttl_days=1)
    headers = {"Authorization": f"Bearer {token}"}
    assert api.client.get("/api/v1/me", headers=headers).status_code == 200
    api.ctx.clock.advance(days=2)  # type: ignore[attr-defined]
    r = api.client.get("/api/v1/me", headers=headers)
    assert r.status_code == 401
    assert "expired" in r.json()["message"]


def test_a_revoked_token_is_refused_with_401_at_once(api: Api) -> None:
    drafter = api.walk.c.drafter
    token = api.token(drafter)
    r = api.post(drafter, "/tokens/revoke", {"token": token})
    assert r.status_code == 200, r.text
    r = api.get(drafter, "/me")
    assert r.status_code == 401
    assert "revoked" in r.json()["message"]


# ------------------------------------------------------------------------------------------------ 403
def test_the_undertaking_unit_clearing_its_own_legality_review_is_refused_with_403_naming_sod1(api: Api) -> None:
    w = api.walk
    w.open().start().determine().coordinate().participate()
    deadline = api.ctx.calendar.add_working_days(api.ctx.today(), 8)
    w.art(w.c.drafter, "legality_submission", legal_basis="价格法", procedure_explanation="已履行",
          requested_deadline=deadline.due.isoformat())
    w.art(w.c.adviser, "legal_adviser_opinion", opinion="合法")
    w.art(w.c.reviewer, "legality_opinion", authority="有权", procedure="完备", content="合法",
          conclusion="lawful")
    insider = identity.register_person(api.ctx, "交通运输局法规科")
    identity.grant_role(api.ctx, insider, "legality_reviewer", w.bureau, reason="兼任")
    before = api.seq()
    r = api.post(insider, f"/decisions/{w.did}/gates/legality_review/clear")
    assert r.status_code == 403
    body = r.json()
    assert_shape(body)
    assert body["rule"] == "SoD1"
    assert body["article"] == "Arts. 25, 28"
    view = q.get_decision(api.ctx, w.did)
    gate = next(g for g in view["gates"] if g["id"] == "legality_review")
    assert gate["status"] != "cleared"
    assert view["seq"] == before + 1 and api.event_types()[-1] == "AttemptRefused"  # evidence, no change


def test_a_person_without_a_procedure_role_cannot_read_decisions_in_procedure(api: Api) -> None:
    api.walk.open()
    admin = identity.register_person(api.ctx, "系统管理员")
    identity.grant_role(api.ctx, admin, "system_admin", "某市大数据局")
    assert api.get(admin, "/decisions").status_code == 403
    assert api.get(admin, f"/decisions/{api.walk.did}").status_code == 403


# ------------------------------------------------------------------------------------------------ 404
def test_an_unknown_decision_artifact_or_path_is_404_in_the_one_shape(api: Api) -> None:
    api.walk.open()
    drafter = api.walk.c.drafter
    for path in ("/decisions/MAD-000000000000", f"/decisions/{api.walk.did}/artifacts/A-000000000000",
                 "/no/such/path", "/public/decisions/MAD-000000000000"):
        r = api.get(drafter, path)
        assert r.status_code == 404, path
        assert_shape(r.json())
    r = api.post(drafter, "/decisions/MAD-000000000000/finalize")
    assert r.status_code == 404


# ------------------------------------------------------------------------------------------------ 409
def test_a_premature_finalization_is_409_listing_every_missing_item_with_rule_and_article(api: Api) -> None:
    w = api.walk
    w.open().start()
    r = api.post(w.c.head, f"/decisions/{w.did}/finalize")
    assert r.status_code == 409
    body = r.json()
    assert_shape(body)
    assert body["error"] == "FinalizationRefused"
    assert len(body["missing"]) >= 3
    assert all(m["rule"] and m["article"] and m["gate"] and m["need"] for m in body["missing"])
    assert {"R12", "R15", "R16"} <= {m["rule"] for m in body["missing"]}
    assert q.get_decision(api.ctx, w.did)["status"] != "decided"


def test_a_stale_expected_sequence_is_409_and_nothing_is_written(api: Api) -> None:
    w = api.walk
    w.open()
    r = api.get(w.c.drafter, f"/decisions/{w.did}")
    etag = r.headers["etag"]
    seq = r.json()["seq"]
    w.art(w.c.head, "start_decision", lead_unit=w.bureau, units=[w.bureau])  # someone else writes first
    before = api.seq()
    body = {"kind": "specialised", "value": False, "reasons": "不涉及", "expected_seq": seq}
    r = api.post(w.c.drafter, f"/decisions/{w.did}/determinations", body)
    assert r.status_code == 409
    assert r.json()["error"] == "ConcurrencyConflict"
    r = api.post(w.c.drafter, f"/decisions/{w.did}/determinations",
                 {"kind": "specialised", "value": False, "reasons": "不涉及"}, headers={"If-Match": etag})
    assert r.status_code == 409
    assert "specialised" not in q.get_decision(api.ctx, w.did)["flags"]
    assert "DeterminationRecorded" not in api.event_types()[before:]
    r = api.post(w.c.drafter, f"/decisions/{w.did}/determinations",
                 {"kind": "specialised", "value": False, "reasons": "不涉及"},
                 headers={"If-Match": f'"{api.seq()}"'})
    assert r.status_code == 201, r.text


def test_a_malformed_if_match_is_422(api: Api) -> None:
    api.walk.open()
    r = api.post(api.walk.c.head, f"/decisions/{api.walk.did}/withdraw", {"reason": "不再需要"},
                 headers={"If-Match": "yesterday"})
    assert r.status_code == 422
    assert q.get_decision(api.ctx, api.walk.did)["status"] == "draft"


# ------------------------------------------------------------------------------------------- 413, 415
def test_an_oversized_upload_is_413_and_nothing_is_stored(api: Api) -> None:
    w = api.walk
    w.open().start()
    api.ctx.settings = dataclasses.replace(api.ctx.settings, max_upload_bytes=1024)
    before = api.seq()
    r = api.client.post(f"/api/v1/decisions/{w.did}/drafts", headers=api.auth(w.c.drafter),
                        data={"title": "v2"}, files={"file": ("v2.txt", b"x" * 2048, "text/plain")})
    assert r.status_code == 413
    assert_shape(r.json())
    r = api.client.post(f"/api/v1/decisions/{w.did}/drafts", headers=api.auth(w.c.drafter),
                        data={"title": "v2"}, files={"file": ("v2.txt", b"x" * (3 * 1024 * 1024), "text/plain")})
    assert r.status_code == 413
    assert q.get_decision(api.ctx, w.did)["draft_version"] == 1
    assert api.seq() <= before + 1  # at most the refusal itself, recorded as evidence


def test_a_json_body_over_the_limit_is_413(api: Api) -> None:
    api.walk.open()
    big = {"kind": "consultation", "fields": {"unit": "某市财政局", "opinion": "同" * (700 * 1024)}}
    r = api.post(api.walk.c.drafter, f"/decisions/{api.walk.did}/artifacts", big)
    assert r.status_code == 413
    assert_shape(r.json())


def test_an_upload_of_a_media_type_not_accepted_is_415(api: Api) -> None:
    w = api.walk
    w.open().start()
    r = api.client.post(f"/api/v1/decisions/{w.did}/artifacts/upload", headers=api.auth(w.c.drafter),
                        data={"kind": "consultation", "fields": '{"unit": "某市财政局", "opinion": "同意"}'},
                        files={"file": ("tool.exe", b"MZ\x90\x00", "application/x-msdownload")})
    assert r.status_code == 415
    assert_shape(r.json())
    assert q.get_decision(api.ctx, w.did)["gates"][1]["artifacts"] == []


def test_a_body_that_is_neither_json_nor_multipart_is_415(api: Api) -> None:
    r = api.client.post("/api/v1/decisions", headers=api.auth(api.walk.c.drafter, **{
        "Content-Type": "text/plain"}), content=b"title=x")
    assert r.status_code == 415
    assert_shape(r.json())


# ------------------------------------------------------------------------------------------------ 422
@pytest.mark.parametrize(("body", "where"), [
    ({"title": "t", "category": "policy", "unit": "u", "colour": "red"}, "body.colour"),
    ({"title": "t", "category": "policy"}, "body.unit"),
    ({"title": ["t"], "category": "policy", "unit": "u"}, "body.title"),
    ({"title": "t\x00", "category": "policy", "unit": "u"}, "body.title"),
    ({"title": "t", "category": "policy", "unit": "u", "due_by": "soon"}, "body.due_by"),
])
def test_extra_missing_or_wrongly_typed_fields_are_422_naming_each(api: Api, body: dict[str, Any],
                                                                  where: str) -> None:
    r = api.post(api.walk.c.drafter, "/decisions", body)
    assert r.status_code == 422
    err = r.json()
    assert_shape(err)
    assert err["rule"] == ""
    assert where in [m["kind"] for m in err["missing"]]
    assert q.count_decisions(api.ctx) == 0


def test_artifact_fields_that_cannot_be_canonicalised_or_dated_are_422(api: Api) -> None:
    api.walk.open()
    for fields in ({"n": 2**60}, {"deep": [[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]},
                   {"published_at": "9999-12-20", "deadline": "9999-12-31"}):
        r = api.post(api.walk.c.drafter, f"/decisions/{api.walk.did}/artifacts",
                     {"kind": "consultation", "fields": fields})
        assert r.status_code == 422, fields
    r = api.client.post(f"/api/v1/decisions/{api.walk.did}/artifacts", headers=api.auth(
        api.walk.c.drafter, **{"Content-Type": "application/json"}),
        content=b'{"kind": "consultation", "fields": {"x": NaN}}')
    assert r.status_code == 422


# ---------------------------------------------------------------------------------------- idempotency
def test_a_retried_request_with_the_same_key_returns_the_first_result_and_writes_once(api: Api) -> None:
    w = api.walk
    w.open().start()
    body = {"kind": "consultation", "fields": {"unit": "某市财政局", "opinion": "同意"}}
    key = {"Idempotency-Key": "consult-finance-1"}
    first = api.post(w.c.drafter, f"/decisions/{w.did}/artifacts", body, headers=key)
    assert first.status_code == 201, first.text
    before = api.event_types()
    again = api.post(w.c.drafter, f"/decisions/{w.did}/artifacts", body, headers=key)
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert api.event_types() == before
    assert api.event_types().count("ArtifactRecorded") == 2  # start decision + one consultation


def test_a_retried_refusal_is_replayed_without_recording_a_second_attempt(api: Api) -> None:
    w = api.walk
    w.open()
    key = {"Idempotency-Key": "finalize-too-early"}
    first = api.post(w.c.head, f"/decisions/{w.did}/finalize", headers=key)
    assert first.status_code == 409
    before = api.seq()
    again = api.post(w.c.head, f"/decisions/{w.did}/finalize", headers=key)
    assert (again.status_code, again.json()) == (409, first.json())
    assert api.seq() == before


def test_a_replayed_refusal_is_said_in_chinese_to_a_chinese_reader(api: Api) -> None:
    w = api.walk
    w.open()
    key = {"Idempotency-Key": "finalize-too-early-zh"}
    first = api.post(w.c.head, f"/decisions/{w.did}/finalize", headers=key)
    assert first.status_code == 409 and "finalization refused" in first.json()["message"]
    before = api.seq()
    again = api.post(w.c.head, f"/decisions/{w.did}/finalize", headers={**key, "Accept-Language": "zh-CN,zh;q=0.9"})
    assert again.status_code == 409 and again.headers["idempotent-replayed"] == "true"
    assert again.headers["content-language"] == "zh-CN"
    assert again.json()["message"].startswith("不能作出决定") and again.json()["rule"] == first.json()["rule"]
    assert api.seq() == before


def test_reusing_a_key_with_a_different_body_is_422_and_writes_nothing(api: Api) -> None:
    w = api.walk
    w.open().start()
    key = {"Idempotency-Key": "consult-1"}
    first = api.post(w.c.drafter, f"/decisions/{w.did}/artifacts",
                     {"kind": "consultation", "fields": {"unit": "某市财政局", "opinion": "同意"}}, headers=key)
    assert first.status_code == 201
    before = api.seq()
    r = api.post(w.c.drafter, f"/decisions/{w.did}/artifacts",
                 {"kind": "consultation", "fields": {"unit": "某市财政局", "opinion": "反对"}}, headers=key)
    assert r.status_code == 422
    assert "Idempotency-Key" in r.json()["message"]
    assert api.seq() == before


def test_keys_are_scoped_per_person(api: Api) -> None:
    w = api.walk
    w.open().start()
    key = {"Idempotency-Key": "same-key"}
    body = {"kind": "specialised", "value": False, "reasons": "不涉及"}
    assert api.post(w.c.drafter, f"/decisions/{w.did}/determinations", body, headers=key).status_code == 201
    r = api.post(w.c.bureau_head, f"/decisions/{w.did}/determinations",
                 {"kind": "risk_relevant", "value": False, "reasons": "不涉及"}, headers=key)
    assert r.status_code == 201
    assert "Idempotent-Replayed" not in r.headers


def test_a_replayed_token_issuance_never_shows_the_token_again(api: Api) -> None:
    admin = identity.register_person(api.ctx, "系统管理员")
    identity.grant_role(api.ctx, admin, "system_admin", "某市大数据局")
    key = {"Idempotency-Key": "token-for-drafter"}
    first = api.post(admin, f"/persons/{api.walk.c.drafter}/tokens", {"ttl_days": 7}, headers=key)
    assert first.status_code == 201 and first.json()["token"].startswith("dk_")
    again = api.post(admin, f"/persons/{api.walk.c.drafter}/tokens", {"ttl_days": 7}, headers=key)
    assert again.status_code == 201 and again.json()["token"] is None


# ------------------------------------------------------------------------------------------ hardening
def test_every_response_carries_the_security_headers(api: Api) -> None:
    for r in (api.client.get("/api/v1/health"), api.client.get("/api/v1/decisions"),
              api.client.get("/openapi.json")):
        assert "default-src" in r.headers["content-security-policy"]
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "DENY"
        assert r.headers["referrer-policy"] == "no-referrer"


def test_the_public_endpoints_are_rate_limited_with_429(api: Api) -> None:
    api.ctx.settings = dataclasses.replace(api.ctx.settings, public_rate_per_minute=3)
    codes = [api.client.get("/api/v1/public/decisions").status_code for _ in range(5)]
    assert codes[:3] == [200, 200, 200]
    assert codes[3:] == [429, 429]
    r = api.client.get("/api/v1/public/decisions")
    assert int(r.headers["retry-after"]) >= 1
    assert_shape(r.json())
    assert api.client.get("/api/v1/health").status_code == 200  # only public endpoints are limited


def test_an_unexpected_error_is_a_generic_500_without_a_stack_trace(api: Api) -> None:
    app = create_app(api.ctx)

    def boom() -> None:
        raise ZeroDivisionError("secret detail")
    app.add_api_route("/api/v1/boom", boom)
    with TestClient(app) as client:
        r = client.get("/api/v1/boom")
    assert r.status_code == 500
    assert_shape(r.json())
    assert "secret" not in r.text and "ZeroDivision" not in r.text
    assert r.headers["x-content-type-options"] == "nosniff"


def test_the_public_docket_shows_only_published_decisions(api: Api) -> None:
    api.walk.open()
    r = api.client.get(f"/api/v1/public/decisions/{api.walk.did}")
    assert r.status_code == 404
    assert api.client.get("/api/v1/public/decisions").json()["items"] == []


def test_a_streamed_body_without_a_length_is_cut_off_at_the_limit_with_413(api: Api) -> None:
    api.walk.open()

    def chunks() -> Iterator[bytes]:
        yield b'{"kind": "consultation", "fields": {"opinion": "'
        for _ in range(40):
            yield b"x" * 65536
        yield b'"}}'
    r = api.client.post(f"/api/v1/decisions/{api.walk.did}/artifacts", content=chunks(),
                        headers=api.auth(api.walk.c.drafter, **{"Content-Type": "application/json"}))
    assert r.status_code == 413
    assert_shape(r.json())


def test_a_retry_while_the_first_request_is_still_running_is_409_until_the_claim_goes_stale(api: Api) -> None:
    from decision_engine.domain.errors import ConcurrencyConflict
    from decision_engine.services import idempotency

    person = api.walk.c.drafter
    h = idempotency.request_hash({"op": "x"})
    assert idempotency.claim(api.ctx, person, "k-1", h) is None
    with pytest.raises(ConcurrencyConflict):
        idempotency.claim(api.ctx, person, "k-1", h)
    api.ctx.clock.advance(seconds=61)  # type: ignore[attr-defined]
    assert idempotency.claim(api.ctx, person, "k-1", h) is None  # a crashed first attempt is taken over
    idempotency.complete(api.ctx, person, "k-1", 201, {"done": True})
    stored = idempotency.claim(api.ctx, person, "k-1", h)
    assert stored is not None and (stored.status, stored.body) == (201, {"done": True})


def test_a_person_reads_their_own_record_and_only_the_administrator_or_an_auditor_reads_others(api: Api) -> None:
    c = api.walk.c
    assert api.get(c.drafter, f"/persons/{c.drafter}").status_code == 200
    assert api.get(c.drafter, f"/persons/{c.head}").status_code == 403
    auditor = identity.register_person(api.ctx, "审计员")
    identity.grant_role(api.ctx, auditor, "auditor", "某市审计局")
    r = api.get(auditor, f"/persons/{c.head}")
    assert r.status_code == 200 and r.json()["roles"][0]["role"] == "admin_head"
    me = api.get(c.drafter, "/me").json()
    assert me["id"] == c.drafter and me["current_roles"] == ["undertaking_unit"]


def test_a_malformed_list_cursor_is_422(api: Api) -> None:
    for cursor in ("!!!", "WzEsMl0=", "eyJhIjogMX0="):  # not base64; [1,2]; {"a": 1}
        r = api.get(api.walk.c.drafter, "/decisions", params={"cursor": cursor})
        assert r.status_code == 422, cursor


def test_a_nul_in_a_public_comment_form_field_is_a_422_not_a_500(api: Api) -> None:
    """Found by schemathesis at 200 examples per operation (issue 11 §8): the multipart comment form
    passed a NUL straight to `clean_text`, whose ValueError became a 500."""
    api.walk.open()
    for field in ("text", "name", "organisation", "contact"):
        form = {"text": (None, "建议增加夜班线路。"), field: (None, "含\x00字符")}
        r = api.client.post(f"/api/v1/public/decisions/{api.walk.did}/comments/form", files=form)
        assert r.status_code == 422, (field, r.text)
        assert_shape(r.json())
        assert "NUL" in r.json()["message"]
