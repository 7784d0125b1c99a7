"""The transparency log over HTTP (issue 7 §2: proofs over the API as well as the CLI): an auditor with
nothing but the log's verifier key fetches a signed checkpoint, an inclusion proof of an event and a
consistency proof between two checkpoints from a real server, and checks them with the RFC 9162 and
signed-note code alone — without trusting the server. The auditor's diff and the compliance metrics
answer readers only."""

from __future__ import annotations

from typing import Any

import httpx

from api.app import create_app
from decision_engine.audit import checkpoint as cp
from decision_engine.audit import merkle
from decision_engine.services import identity, transparency
from decision_engine.services.context import Context
from decision_engine.services.demo import cast, run_demo
from tests.conftest import serving


def test_an_auditor_checks_checkpoints_and_proofs_fetched_over_http(ctx: Context) -> None:
    people = cast(ctx)
    did = run_demo(ctx, lambda _: None, people=people)
    transparency.sequence(ctx)
    first = transparency.checkpoint(ctx)["size"]
    run_demo(ctx, lambda _: None, people=people)  # the log grows
    transparency.sequence(ctx)
    second = transparency.checkpoint(ctx)["size"]
    assert second > first
    with serving(create_app(ctx)) as base, httpx.Client(base_url=f"{base}/api/v1", timeout=30) as public:
        key = public.get("/log/public-key").json()["verifier_key"]
        note = public.get("/log/checkpoint")
        assert note.status_code == 200 and note.headers["content-type"].startswith("text/plain")
        newest = cp.open_note(note.text.encode(), [key])
        assert newest.size == second
        listed = public.get("/log/checkpoints").json()
        assert [c["size"] for c in listed] == [first, second]

        proof = public.get("/log/inclusion", params={"stream": f"decision:{did}", "seq": 5}).json()
        merkle.verify_inclusion(bytes.fromhex(proof["leaf_hash"]), proof["leaf_index"], proof["tree_size"],
                                [bytes.fromhex(h) for h in proof["inclusion_proof"]], newest.root)
        older = cp.open_note(public.get("/log/checkpoint", params={"size": first}).text.encode(), [key])
        cons = public.get("/log/consistency", params={"old": first, "new": second}).json()
        merkle.verify_consistency(first, second, older.root, newest.root,
                                  [bytes.fromhex(h) for h in cons["consistency_proof"]])

        assert public.get("/log/inclusion", params={"stream": "decision:nope", "seq": 1}).status_code == 404
        assert public.get("/log/consistency", params={"old": second, "new": first}).status_code == 422
        assert public.get(f"/decisions/{did}/diff", params={"a": 1, "b": 10}).status_code == 401

        auditor = identity.register_person(ctx, "审计员")
        identity.grant_role(ctx, auditor, "auditor", "某市审计局", reason="任职")
        token = identity.issue_token(ctx, auditor, ttl_days=1)
        headers = {"Authorization": f"Bearer {token}"}
        diff: dict[str, Any] = public.get(f"/decisions/{did}/diff", params={"a": 1, "b": 20},
                                          headers=headers).json()
        assert diff["changes"]["status"] == {"from": "draft", "to": "in_procedure"}
        assert diff["direction"] == "forward" and [e["seq"] for e in diff["events"]] == list(range(2, 21))
        csv = public.get("/compliance/2025", params={"format": "csv"}, headers=headers)
        assert csv.status_code == 200 and csv.text.startswith("unit,decisions,finalized")
