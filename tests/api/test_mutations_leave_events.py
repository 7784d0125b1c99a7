"""Every mutating endpoint leaves its audit event (issue 11 §8, Art. 38: lifelong accountability needs
every act on the record): each POST of the API, tried by a role the rule book allows, appends at least one
event naming that person; tried by a role it refuses, it appends nothing but the AttemptRefused evidence
(issue 3 §4) and changes no business state. Every mutating route is covered by a case below or by
the cases of `tests/api/test_role_matrix.py` and `tests/api/test_stage_role_matrix.py`; a route that is neither fails the coverage test."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

import pytest
from fastapi.routing import APIRoute
from sqlalchemy import func, select

from api.app import create_app
from decision_engine.adapters.tables import EVENTS
from decision_engine.services import queries as q
from tests.api.test_role_matrix import CASES, EVERYONE, PUBLIC, Case, Matrix
from tests.api.test_stage_role_matrix import STAGE_CASES

MUTATING = {"POST", "PUT", "PATCH", "DELETE"}


def public_comment(w: Any, m: Matrix, me: str) -> tuple[str, str, Any]:
    return ("POST", f"/public/decisions/{w.did}/comments", {"text": "建议增加夜班线路。"})


def public_comment_form(w: Any, m: Matrix, me: str) -> tuple[str, str, Any]:
    return ("FORM", f"/public/decisions/{w.did}/comments/form", {"text": "建议增加夜班线路。"})


def noticed(w: Any) -> None:
    from datetime import timedelta
    today = w.ctx.today()
    w.open().start().determine().coordinate()
    w.art(w.c.drafter, "comment_notice", explanation="说明", channels=["网站"], method="留言",
          published_at=today.isoformat(), deadline=(today + timedelta(days=30)).isoformat())


def commented(w: Any) -> None:
    from decision_engine.services import participation
    noticed(w)
    for _ in range(2):
        participation.submit_comment(w.ctx, w.did, "建议增加夜班线路。")


def clustered(w: Any) -> None:
    from decision_engine.services import participation
    commented(w)
    participation.cluster_comments(w.ctx, w.c.drafter, w.did)


def disposed(w: Any) -> None:
    from decision_engine.services import participation
    clustered(w)
    w.ctx.clock.advance(days=31)
    participation.dispose_opinions(w.ctx, w.c.drafter, w.did, [
        {"cluster_id": c, "disposition": "not_adopted", "reason": "与上位法不符"} for c in _clusters(w)])


def _clusters(w: Any) -> list[str]:
    from decision_engine.adapters import comment_store as cs
    with w.ctx.store.read() as conn:
        return [c["cluster_id"] for c in cs.clusters(conn, w.did)]


def hide(w: Any, m: Matrix, me: str) -> tuple[str, str, Any]:
    from decision_engine.services import participation
    tn = participation.submit_comment(w.ctx, w.did, "我的电话是13800000000。")["tracking_number"]
    return ("POST", f"/public/comments/{tn}/hide", {"reason": "personal_data", "note": "含个人电话"})


def cluster(w: Any, m: Matrix, me: str) -> tuple[str, str, Any]:
    return ("POST", f"/decisions/{w.did}/comments/cluster", None)


def dispose(w: Any, m: Matrix, me: str) -> tuple[str, str, Any]:
    return ("POST", f"/decisions/{w.did}/comments/dispositions", {"items": [
        {"cluster_id": c, "disposition": "not_adopted", "reason": "与上位法不符"} for c in _clusters(w)]})


def feedback(w: Any, m: Matrix, me: str) -> tuple[str, str, Any]:
    return ("POST", f"/decisions/{w.did}/feedback-report", None)


UNIT = frozenset({"undertaking_unit"})
EXTRA = [Case("public comment (R6, Art. 15)", noticed, public_comment, frozenset(EVERYONE)),
         Case("public comment, form (R6, Art. 15)", noticed, public_comment_form, frozenset(EVERYONE)),
         Case("hide a comment (R6, Art. 15)", commented, hide, UNIT),
         Case("cluster comments (R8, Art. 18)", commented, cluster, UNIT),
         Case("dispose of opinions (R8, Art. 18)", clustered, dispose, UNIT),
         Case("feedback report from the record (R8, Art. 18)", disposed, feedback, UNIT)]
ALL = [*CASES, *EXTRA, *STAGE_CASES]


def _events(m: Matrix) -> list[tuple[str, str, str | None]]:
    with m.ctx.store.read() as conn:
        return [(r.type, r.stream, r.person) for r in conn.execute(
            select(EVENTS.c.type, EVENTS.c.stream, EVENTS.c.person).order_by(EVENTS.c.id))]


def _count(m: Matrix) -> int:
    with m.ctx.store.read() as conn:
        return int(conn.execute(select(func.count()).select_from(EVENTS)).scalar_one())


def _call(m: Matrix, case: Case, role: str) -> tuple[Any, int]:
    """Build the request (which may itself prepare things, e.g. a role to end), then count the events and
    send it: returns the response and the event count just before it."""
    me = m.person.get(role, "")
    method, path, body = case.request(m.walk, m, me)
    before = _count(m)
    headers = {} if role == PUBLIC else {"Authorization": f"Bearer {m.token[role]}"}
    if method == "FORM":  # multipart, as the comment form with attachments is sent
        return m.client.post(f"/api/v1{path}", headers=headers,
                             files={k: (None, v) for k, v in body.items()}), before
    if method == "UPLOAD":
        return m.call(role, "POST", path, body, files={"file": ("doc.txt", "文本".encode(), "text/plain")}), before
    return m.call(role, method, path, body), before


def _template(path: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", path) + "$")


def all_routes(routes: Iterable[Any]) -> Iterator[APIRoute]:
    """Every APIRoute of an app, into included routers too (FastAPI ≥ 0.150 keeps an included router as
    one `_IncludedRouter` entry whose routes hang off `original_router`: a flat scan of `app.routes`
    finds none, and the coverage test below then passed on an empty set)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from all_routes(inner.routes)


# The pages' form posts (api/pages/*, issue 9) are not API routes: each calls the same service function as
# an API route covered here (the service appends the event), and tests/pages drives them. They are listed,
# not silently skipped, so that a new mutating page route makes this file fail until it is placed.
PAGE_FORMS = {"/audit/verify": "runs `decide verify`: a read, no event", "/login": "a session, not an act",
              "/logout": "a session, not an act", "/decisions/new": "services.decisions.open_decision",
              "/decisions/{decision_id}/acts/{what}": "finalize / suspend / resume / withdraw / close",
              "/decisions/{decision_id}/artifacts/{kind}": "services.decisions.record_artifact",
              "/decisions/{decision_id}/comments/{what}": "moderation and dispositions (participation)",
              "/decisions/{decision_id}/determinations": "services.decisions.record_determination",
              "/decisions/{decision_id}/documents": "documents rendered from the record (gongwen)",
              "/decisions/{decision_id}/drafts": "services.decisions.add_draft_version",
              "/decisions/{decision_id}/gates/{gate}/{what}": "clear / return / exempt",
              "/decisions/{decision_id}/publish": "services.publication", "/decisions/{decision_id}/withhold":
              "services.publication.withhold", "/documents/{doc_id}/rerender": "documents (gongwen)",
              "/experts": "services.experts.add_to_pool", "/experts/{person_id}/retire":
              "services.experts.retire_from_pool", "/meetings": "services.meetings", "/meetings/{meeting_id}/{what}": "services.meetings",
              "/notifications/{notification_id}/read": "a notification's read flag",
              "/public/decisions/{decision_id}/comments": "the public comment, as the API's",
              "/public/decisions/{decision_id}/opinions": "the public opinions list (a query form)",
              "/documents/{doc_id}/versions": "documents.render_new_version (a new rendering with its reason)"}


def test_the_route_table_is_read_whole() -> None:
    """The enumeration below cannot be vacuous: it finds the API's mutating routes and the pages' forms."""
    app = create_app(pages=True)
    mutating = {(m, r.path) for r in all_routes(app.routes) for m in r.methods & MUTATING}
    assert len({p for _, p in mutating if p.startswith("/api/v1/")}) >= 20
    assert {p for _, p in mutating if not p.startswith("/api/v1/")} == set(PAGE_FORMS)


# Routes whose events and refusals are asserted route by route in their own test file (each asserts the
# event appended by the person allowed and nothing but the refusal for the others). The coverage test checks
# that the file still drives the route, so a route cannot hide here.
COVERED_ELSEWHERE = {
    ("POST", "/api/v1/decisions/{decision_id}/expert-selection"): "tests/api/test_doors.py",
    ("POST", "/api/v1/experts/{person_id}/disqualify"): "tests/api/test_doors.py",
    ("POST", "/api/v1/decisions/{decision_id}/hearing/participants"): "tests/api/test_doors.py",
    ("POST", "/api/v1/decisions/{decision_id}/hearing/record"): "tests/api/test_doors.py",
    ("POST", "/api/v1/org/organs"): "tests/api/test_org.py",
    ("POST", "/api/v1/org/units"): "tests/api/test_org.py",
    ("POST", "/api/v1/org/units/move"): "tests/api/test_org.py",
    ("POST", "/api/v1/org/units/retire"): "tests/api/test_org.py",
    # issue 16: each refused there with its rule (the refusal recorded, nothing else written) and allowed
    ("POST", "/api/v1/decisions/{decision_id}/supervisions"): "tests/api/test_after_decision_doors.py",
    ("POST", "/api/v1/decisions/{decision_id}/corrections"): "tests/api/test_after_decision_doors.py",
    ("POST", "/api/v1/corrections/{order_id}/report"): "tests/api/test_after_decision_doors.py",
    ("POST", "/api/v1/meetings/{meeting_id}/changes"): "tests/api/test_stage_routes.py",
    ("POST", "/api/v1/meetings/{meeting_id}/items/{item_no}/change-decision"): "tests/api/test_stage_routes.py",
}


def test_the_routes_covered_elsewhere_are_driven_there() -> None:
    from pathlib import Path
    for (_, route), where in COVERED_ELSEWHERE.items():
        text = Path(where).read_text(encoding="utf-8")
        tail = route.removeprefix("/api/v1").split("}")[-1]
        assert tail in text, f"{where} no longer drives {route}"


def test_every_mutating_route_is_covered_by_a_case(walk: Any) -> None:
    m = Matrix(walk)
    routes = {(method, route.path) for route in all_routes(create_app(m.ctx).routes)
              for method in route.methods & MUTATING if route.path.startswith("/api/v1/")}
    assert len(routes) >= 20, routes
    covered: set[tuple[str, str]] = set()
    for case in ALL:
        fresh = Matrix.__new__(Matrix)
        fresh.__dict__.update(m.__dict__)
        walk.did = ""
        case.stage(walk)
        method, path, _ = case.request(walk, m, "")
        method = "POST" if method in ("UPLOAD", "FORM") else method
        covered |= {(rm, rp) for rm, rp in routes if rm == method and _template(rp).match(f"/api/v1{path}")}
    assert sorted(routes - covered - set(COVERED_ELSEWHERE)) == []


@pytest.mark.parametrize("case", ALL, ids=[c.name for c in ALL])
def test_an_allowed_act_appends_its_event_and_a_refused_one_only_the_evidence(walk: Any, case: Case) -> None:
    m = Matrix(walk)
    case.stage(walk)
    allowed = sorted(case.allowed)[0]
    denied = next((r for r in EVERYONE if r not in case.allowed and r != PUBLIC), None)
    if denied is not None:
        view = q.get_decision(m.ctx, walk.did) if walk.did else None
        r, before = _call(m, case, denied)
        assert r.status_code == 403, r.text
        new = _events(m)[before:]
        assert all(t == "AttemptRefused" for t, _, _ in new), new
        if view is not None:
            after = q.get_decision(m.ctx, walk.did)
            assert (after["status"], after["artifacts"], after["gates"]) == (
                view["status"], view["artifacts"], view["gates"])
    r, before = _call(m, case, allowed)
    assert r.status_code in (200, 201), r.text
    new = _events(m)[before:]
    assert new, f"{case.name}: succeeded without an event"
    assert all(t != "AttemptRefused" for t, _, _ in new)
    if PUBLIC in case.allowed:  # the public comments without login: the act is the public's, never a token's
        assert {p for _, _, p in new} == {"public"}, new
    else:
        assert m.person[allowed] in {p for _, _, p in new}, new  # the act names the person who did it
