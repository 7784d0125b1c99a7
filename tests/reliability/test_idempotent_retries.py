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
