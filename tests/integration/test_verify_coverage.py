"""`decide verify` covers every table the API, the pages and the public site read: each is rebuilt from the
events and compared column by column, and the first difference is named (table, key, column, expected,
found). Events out of time order in a stream, or dated before the stream's opening event, are findings
even when the chain was re-signed around them."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import orjson
import pytest
from sqlalchemy import text

from decision_engine.audit.canonical import CHAIN_DOMAIN, canonical
from decision_engine.domain.statutory_time import instant
from decision_engine.services import accountability, documents, execution, experts, identity, verification
from decision_engine.services.clock import iso
from decision_engine.services.context import Context
from decision_engine.services.demo import cast, run_demo
from decision_engine.services.demo_portfolio import seed_portfolio


def _one(ctx: Context, sql: str, **params: Any) -> Any:
    with ctx.store.read() as conn:
        return conn.execute(text(sql), params).first()


@contextmanager
def tampered(ctx: Context, do: str, undo: str, **params: Any) -> Iterator[None]:
    """Edit a table behind the log, then put it back (the store verifies again afterwards)."""
    with ctx.store.write() as conn:
        conn.execute(text(do), params)
    try:
        yield
    finally:
        with ctx.store.write() as conn:
            conn.execute(text(undo), params)


def _findings(ctx: Context) -> list[str]:
    return [str(f) for f in verification.verify(ctx, workers=1).findings]


@pytest.fixture
def full(ctx: Context) -> dict[str, str]:
    """A store with every shown table filled: decisions and artifacts, comments and clusters, a meeting with
    its agenda items, an accountability case, a rendered document, a public opinion on execution, people
    and their roles, the expert pool."""
    ids = seed_portfolio(ctx, cast(ctx), lambda _: None)
    ids["demo"] = did = run_demo(ctx, lambda _: None)
    auditor = identity.register_person(ctx, "审计局检查员")
    identity.grant_role(ctx, auditor, "auditor", "某市审计局")
    c = cast(ctx)
    ids["case"] = accountability.open_case(
        ctx, auditor, did, summary="程序瑕疵", persons=[{"person": c.head, "capacity": "head"}],
        grounds=[{"article": "Art. 38 ¶2", "text": "决策严重失误"}]).case_id
    ids["document"] = documents.render(ctx, did, "meeting_minutes")["id"]
    ids["opinion"] = execution.submit_opinion(ctx, did, "执行中票价公示不清")["tracking_number"]
    experts.add_to_pool(ctx, c.office, c.expert_a, fields=["交通运输规划"], affiliation="某大学交通学院")
    ids["expert"] = c.expert_a
    return ids


def test_an_untampered_store_with_every_shown_table_verifies_ok(ctx: Context, full: dict[str, str]) -> None:
    for table in ("artifacts", "public_comments", "opinion_clusters", "meetings", "meeting_items",
                  "accountability_cases", "documents", "execution_opinions", "persons", "role_assignments",
                  "expert_pool"):
        assert _one(ctx, f"SELECT count(*) FROM {table}")[0] > 0, table
    assert _findings(ctx) == []


def test_each_table_edited_behind_the_log_is_named_with_key_column_expected_and_found(
        ctx: Context, full: dict[str, str]) -> None:
    market, waste, demo = full["market"], full["waste"], full["demo"]
    art = _one(ctx, "SELECT id FROM artifacts WHERE decision_id = :d ORDER BY seq LIMIT 1", d=market)[0]
    comment = _one(ctx, "SELECT tracking_number, text FROM public_comments WHERE decision_id = :d "
                        "ORDER BY tracking_number LIMIT 1", d=waste)
    meeting = _one(ctx, "SELECT id, title FROM meetings LIMIT 1")
    item = _one(ctx, "SELECT meeting_id, item_no, decision_id FROM meeting_items LIMIT 1")
    case, doc, opinion = full["case"], full["document"], full["opinion"]
    role = _one(ctx, "SELECT id, person_id, unit FROM role_assignments ORDER BY id LIMIT 1")
    _drop_guards(ctx, "documents")  # the documents index is append-only in the database too
    cases: list[tuple[str, str, dict[str, Any], Callable[[list[str]], bool]]] = [
        ("UPDATE artifacts SET decision_id = :to WHERE id = :a",  # the public index would list it under `to`
         "UPDATE artifacts SET decision_id = :frm WHERE id = :a", {"a": art, "to": demo, "frm": market},
         lambda f: any(x.startswith(f"decision:{market} seq ") and
                       f"artifacts {art} column decision_id: expected '{market}', found '{demo}'" in x
                       for x in f)),
        ("UPDATE public_comments SET text = 'X' WHERE tracking_number = :t",
         "UPDATE public_comments SET text = :old WHERE tracking_number = :t",
         {"t": comment[0], "old": comment[1]},
         lambda f: any(x.startswith(f"comments:{waste} ") and f"public_comments {comment[0]} column text: "
                       "expected" in x and "found 'X'" in x for x in f)),
        ("UPDATE meetings SET title = '伪造' WHERE id = :m", "UPDATE meetings SET title = :old WHERE id = :m",
         {"m": meeting[0], "old": meeting[1]},
         lambda f: any(f"meetings {meeting[0]} column title: expected {meeting[1]!r}, found '伪造'" in x
                       for x in f)),
        ("UPDATE meeting_items SET decision_id = :to WHERE meeting_id = :m AND item_no = :n",
         "UPDATE meeting_items SET decision_id = :frm WHERE meeting_id = :m AND item_no = :n",
         {"m": item[0], "n": item[1], "to": demo, "frm": item[2]},
         lambda f: any(f"meeting_items ('{item[0]}', {item[1]}) column decision_id: expected '{item[2]}', "
                       f"found '{demo}'" in x for x in f)),
        ("UPDATE accountability_cases SET status = 'closed' WHERE id = :c",
         "UPDATE accountability_cases SET status = 'open' WHERE id = :c", {"c": case},
         lambda f: any(f"accountability_cases {case} column status: expected 'open', found 'closed'" in x
                       for x in f)),
        ("UPDATE documents SET title = '伪造' WHERE id = :i",
         "UPDATE documents SET title = (SELECT title FROM documents WHERE id = :i) WHERE id = :i", {"i": doc},
         lambda f: any(f"documents {doc} column title:" in x and "found '伪造'" in x for x in f)),
        ("UPDATE execution_opinions SET text = '伪造' WHERE tracking_number = :t",
         "UPDATE execution_opinions SET text = '执行中票价公示不清' WHERE tracking_number = :t", {"t": opinion},
         lambda f: any(f"execution_opinions {opinion} column text: expected '执行中票价公示不清', found '伪造'"
                       in x for x in f)),
        ("UPDATE role_assignments SET unit = '伪造局' WHERE id = :r",  # a role in another unit: other powers
         "UPDATE role_assignments SET unit = :old WHERE id = :r", {"r": role[0], "old": role[2]},
         lambda f: any(x.startswith(f"person:{role[1]} ") and f"role_assignments {role[0]} column unit: "
                       f"expected {role[2]!r}, found '伪造局'" in x for x in f)),
        ("UPDATE expert_pool SET affiliation = '伪造' WHERE person_id = :p",
         "UPDATE expert_pool SET affiliation = '某大学交通学院' WHERE person_id = :p", {"p": full["expert"]},
         lambda f: any(x.startswith("experts:pool ") and f"expert_pool {full['expert']} column affiliation: "
                       "expected '某大学交通学院', found '伪造'" in x for x in f)),
        ("UPDATE decisions SET title = '伪造' WHERE id = :d",
         "UPDATE decisions SET title = (SELECT title FROM decisions WHERE id = :d) WHERE id = :d", {"d": waste},
         lambda f: any(f"decisions {waste} column title:" in x and "found '伪造'" in x for x in f)),
    ]
    for do, undo, params, named in cases:
        if "(SELECT" in undo:  # put back the value read before the edit
            table = undo.split()[1]
            col = undo.split()[3]
            key = "id"
            old = _one(ctx, f"SELECT {col} FROM {table} WHERE {key} = :k", k=next(iter(params.values())))[0]
            undo = f"UPDATE {table} SET {col} = :old WHERE {key} = :{next(iter(params))}"
            params = dict(params, old=old)
        with tampered(ctx, do, undo, **params):
            found = _findings(ctx)
            assert found and named(found), (do, found)
        assert _findings(ctx) == [], do


def _drop_guards(ctx: Context, table: str = "events") -> None:
    """An attacker with database access removes the append-only triggers first."""
    with ctx.store.write() as conn:
        if ctx.store.is_sqlite:
            for name in (f"{table}_no_update", f"{table}_no_delete"):
                conn.execute(text(f"DROP TRIGGER IF EXISTS {name}"))
        else:
            conn.execute(text(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}"))


def _resign(ctx: Context, stream: str, edit: Callable[[int, dict[str, Any]], None]) -> None:
    """Rewrite a stream's events (`edit` changes an envelope in place) and re-sign the whole chain, as an
    attacker with the database would: every hash links, every column matches its body."""
    with ctx.store.write() as conn:
        rows = conn.execute(text("SELECT id, seq, body FROM events WHERE stream = :s ORDER BY seq"),
                            {"s": stream}).all()
        prev = bytes(32).hex()
        for row_id, seq, body in rows:
            env = orjson.loads(bytes(body))
            edit(seq, env)
            data = canonical(env)
            digest = hashlib.sha256(CHAIN_DOMAIN + bytes.fromhex(prev) + data).hexdigest()
            conn.execute(text("UPDATE events SET body = :b, at = :at, prev_hash = :p, hash = :h WHERE id = :i"),
                         {"b": data, "at": env["at"], "p": prev, "h": digest, "i": row_id})
            prev = digest


@pytest.mark.parametrize("when", ["before_opening", "out_of_order", "within_writer_skew"])
def test_an_event_dated_before_its_stream_opened_or_out_of_order_is_a_finding_after_re_signing(
        ctx: Context, when: str) -> None:
    did = run_demo(ctx, lambda _: None)
    stream = f"decision:{did}"
    assert _findings(ctx) == []
    _drop_guards(ctx)
    with ctx.store.read() as conn:
        ats = [r[0] for r in conn.execute(text("SELECT at FROM events WHERE stream = :s ORDER BY seq"),
                                           {"s": stream})]
    opened = ats[0]
    # the victim follows an event recorded later than the opening: dated at the opening itself, it is
    # not before the opening but before its predecessor
    victim = next(i + 1 for i in range(2, len(ats)) if ats[i - 1] > opened)
    moved = {"before_opening": "2020-01-01T00:00:00.000000+00:00", "out_of_order": opened,
             # honest writers racing for a stream: a moment taken a second before the lock was won
             "within_writer_skew": iso(instant(ats[victim - 2]) - timedelta(seconds=1))}[when]

    def edit(seq: int, env: dict[str, Any]) -> None:
        if seq == victim:
            env["at"] = moved

    _resign(ctx, stream, edit)
    found = _findings(ctx)
    chain = ("hash differs", "does not link", "signed body's", "sequence gap")
    assert not any(c in f for f in found for c in chain), found  # the chain itself was re-signed cleanly
    if when == "before_opening":
        assert any(f.startswith(f"{stream} seq {victim}: dated {moved}, before the stream's opening event") for f in found)
    elif when == "within_writer_skew":
        assert not any("dated" in f for f in found), found
    else:
        assert any(f.startswith(f"{stream} seq {victim}: dated {moved}, before the previous event") and
                   "out of time order" in f for f in found), found


def test_the_genesis_used_by_the_re_signing_attack_is_the_chains_own() -> None:
    from decision_engine.audit.canonical import GENESIS
    assert GENESIS == bytes(32).hex()
