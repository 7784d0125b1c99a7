"""Retries (issue 11 §7): 1,000 Idempotency-Keys, each sent 10 times over real HTTP, many at the same
moment, spread over ten decisions: exactly one artifact and one ArtifactRecorded event per key, every
answer either the first result (201, the same body each time) or "still in progress" (409), and the
chains verify. On SQLite and on PostgreSQL (where concurrent transactions really race).

DECIDE_RETRY_KEYS sets the number of keys (default 1,000)."""

from __future__ import annotations

import os
import random
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from api.app import create_app
from decision_engine.services import identity, queries, verification
from decision_engine.services.context import Context
from tests.conftest import Walk, serving

KEYS = int(os.environ.get("DECIDE_RETRY_KEYS", "1000"))
SENDS = 10
DECISIONS = 10
THREADS = 16


def test_each_key_sent_ten_times_writes_exactly_one_artifact_and_one_event(ctx: Context) -> None:
    walk = Walk(ctx)
    dids = [walk.open(title=f"关于第{i}号事项的决定").start().did for i in range(DECISIONS)]
    token = identity.issue_token(ctx, walk.c.drafter, ttl_days=1)
    sends = [k for k in range(KEYS) for _ in range(SENDS)]
    random.Random(713).shuffle(sends)  # a key's repeats land at random moments, often side by side
    answers: dict[int, list[tuple[int, Any]]] = defaultdict(list)
    with serving(create_app(ctx)) as base:
        clients = [httpx.Client(base_url=base, timeout=60, headers={"Authorization": f"Bearer {token}"})
                   for _ in range(THREADS)]

        def send(job: tuple[int, int]) -> None:
            n, key = job
            r = clients[n % THREADS].post(
                f"/api/v1/decisions/{dids[key % DECISIONS]}/artifacts", headers={"Idempotency-Key": f"key-{key}"},
                json={"kind": "consultation", "fields": {"unit": f"单位{key}", "opinion": "同意"}})
            answers[key].append((r.status_code, r.json()))
        with ThreadPoolExecutor(THREADS) as pool:
            list(pool.map(send, enumerate(sends)))
        for c in clients:
            c.close()
    statuses = Counter(status for got in answers.values() for status, _ in got)
    assert set(statuses) <= {201, 409}, statuses
    for key, got in answers.items():
        firsts = [body for status, body in got if status == 201]
        assert firsts and all(body == firsts[0] for body in firsts), (key, got)
        assert all("in progress" in body["message"] for status, body in got if status == 409), (key, got)
    units: Counter[str] = Counter()
    recorded = 0
    for did in dids:
        view = queries.get_decision(ctx, did)
        units.update(a["fields"]["unit"] for a in view["artifacts"] if a["kind"] == "consultation")
        recorded += sum(1 for e in queries.events(ctx, did, limit=100_000) if e["type"] == "ArtifactRecorded"
                        and e["payload"]["kind"] == "consultation")
    assert len(units) == KEYS and set(units.values()) == {1}  # exactly one artifact per key
    assert recorded == KEYS  # and exactly one event
    assert verification.verify(ctx, workers=1).ok
    print(f"\n{KEYS} keys × {SENDS} sends: {dict(statuses)}")


def _consultations(ctx: Context, did: str) -> list[str]:
    return [a["fields"]["unit"] for a in queries.get_decision(ctx, did)["artifacts"] if a["kind"] == "consultation"]


def test_a_process_dying_between_the_commit_and_the_stored_response_does_not_run_the_command_twice(
        ctx: Context, monkeypatch: Any) -> None:
    """The window the claim/complete protocol alone leaves open: the command committed, the process died
    before it stored its response. A retry after the claim went stale used to take the key over and record
    the artifact a second time. The claim is now marked in the command's own transaction, so the retry is
    answered from what was committed — one artifact — while a claim that committed nothing is still taken
    over and run (exactly once)."""
    from decision_engine.services import idempotency
    from tests.api.test_role_matrix import TestClient
    walk = Walk(ctx)
    did = walk.open().start().did
    token = identity.issue_token(ctx, walk.c.drafter, ttl_days=1)
    client = TestClient(create_app(ctx))
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "crash-1"}
    body = {"kind": "consultation", "fields": {"unit": "某市财政局", "opinion": "同意"}}
    with monkeypatch.context() as died:  # the process stops right after the commit: nothing after it runs
        died.setattr(idempotency, "complete", lambda *a, **k: None)
        died.setattr(idempotency, "release", lambda *a, **k: None)
        first = client.post(f"/api/v1/decisions/{did}/artifacts", headers=headers, json=body)
    assert first.status_code == 201 and _consultations(ctx, did) == ["某市财政局"]
    early = client.post(f"/api/v1/decisions/{did}/artifacts", headers=headers, json=body)
    assert early.status_code == 409 and "in progress" in early.json()["message"]
    ctx.clock.advance(seconds=idempotency.STALE_AFTER.total_seconds() + 1)  # type: ignore[attr-defined]
    retry = client.post(f"/api/v1/decisions/{did}/artifacts", headers=headers, json=body)
    assert retry.status_code == 200, retry.text
    got = retry.json()
    assert got["replayed_after_crash"] is True and got["decision_id"] == did
    assert [e["type"] for e in got["events"]] == ["ArtifactRecorded"] and got["seq"] == first.json()["seq"]
    assert _consultations(ctx, did) == ["某市财政局"]  # not twice
    again = client.post(f"/api/v1/decisions/{did}/artifacts", headers=headers, json=body)
    assert (again.status_code, again.json()) == (200, got)  # from now on the stored answer, as any replay
    # A claim whose command never committed (the process died before the commit) is taken over and run.
    scoped_hash = idempotency.request_hash({"op": "never"})
    assert idempotency.claim(ctx, walk.c.drafter, "crash-2", scoped_hash) is None
    ctx.clock.advance(seconds=idempotency.STALE_AFTER.total_seconds() + 1)  # type: ignore[attr-defined]
    assert idempotency.claim(ctx, walk.c.drafter, "crash-2", scoped_hash) is None  # taken over
    assert verification.verify(ctx).ok


def test_a_failure_after_the_commit_answers_the_retry_from_what_was_committed(ctx: Context,
                                                                               monkeypatch: Any) -> None:
    """Something fails after the command committed (here: rendering its answer): the key is not released
    for a second run; the retry gets what the first request committed."""
    import api.deps
    from tests.api.test_role_matrix import TestClient
    walk = Walk(ctx)
    did = walk.open().start().did
    token = identity.issue_token(ctx, walk.c.drafter, ttl_days=1)
    client = TestClient(create_app(ctx), raise_server_exceptions=False)
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "after-1"}
    body = {"kind": "consultation", "fields": {"unit": "某市财政局", "opinion": "同意"}}

    def broken(out: Any, value: Any) -> dict[str, Any]:
        raise RuntimeError("the answer could not be rendered")
    with monkeypatch.context() as m:
        m.setattr(api.deps, "_render", broken)
        assert client.post(f"/api/v1/decisions/{did}/artifacts", headers=headers, json=body).status_code == 500
    retry = client.post(f"/api/v1/decisions/{did}/artifacts", headers=headers, json=body)
    assert retry.status_code == 200 and retry.json()["replayed_after_crash"] is True, retry.text
    assert _consultations(ctx, did) == ["某市财政局"]
