"""A gate command reads in ONE round trip before it writes (issue 19 §5), on SQLite and PostgreSQL: the decision's
projection, its stream's head, the organisation chart's head and the person's roles come from one SELECT
(`Decisions.load_for_command`), then the event, the artifact's index row and the projection are written; a
refused act and its evidence (`AttemptRefused`) read once each. Counted with a listener on the real engine
(nothing replaced). The roles the SELECT read fill the role cache when the transaction had written nothing yet,
never after it wrote; a role granted since is used by the very next command; on PostgreSQL a writer that
appended between the read and the append loses on the unique (stream, seq) and is re-run, and the chains
and projections verify."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from decision_engine.adapters.identity_repo import cached_roles
from decision_engine.domain.errors import DomainError, NotPermitted
from decision_engine.services import decisions as svc
from decision_engine.services import identity, verification
from decision_engine.services.context import Context
from decision_engine.services.demo import BUREAU, Cast, cast
from tests.conftest import Statements

WRITES = ("INSERT", "UPDATE", "DELETE")




@pytest.fixture
def site(ctx: Context) -> Iterator[tuple[Context, Cast, str, Statements]]:
    c = cast(ctx)  # the demo's organisation is loaded: the chart's stream has a head to read
    did = svc.open_decision(ctx, c.drafter, title="关于调整公交票价的决定", category="public_project",
                            unit=BUREAU).decision_id
    svc.record_determination(ctx, c.drafter, did, "specialised", True, "线网调整涉及客流模型")  # specs cached
    sql = Statements(ctx.store.engine)
    try:
        yield ctx, c, did, sql
    finally:
        sql.close()


def _begin(ctx: Context) -> list[str]:
    return ["BEGIN"] if ctx.store.is_sqlite else []  # SQLite's BEGIN IMMEDIATE is a statement


def test_a_gate_command_reads_once_then_writes_the_event_the_index_and_the_projection(
        site: tuple[Context, Cast, str, Statements]) -> None:
    ctx, c, did, sql = site
    assert sql.of(lambda: svc.record_determination(ctx, c.drafter, did, "risk_relevant", True, "票价调整")) \
        == [*_begin(ctx), "SELECT", "INSERT", "UPDATE"]  # the event, the projection
    svc.record_artifact(ctx, c.head, did, "start_decision", {
        "lead_unit": BUREAU, "units": [BUREAU], "affected_units": ["某市财政局"], "decision": "同意启动"})
    recorded = sql.of(lambda: svc.record_artifact(ctx, c.drafter, did, "consultation", {
        "unit": "某市财政局", "opinion": "原则同意", "dispute": False}))
    assert recorded == [*_begin(ctx), "SELECT", "INSERT", "INSERT", "UPDATE"]  # the event, its index, the projection
    with ctx.uow.read() as uow:
        assert uow.artifacts.decisions_with("consultation") == [did]
    report = verification.verify(ctx)  # every chain, column and projection as a replay makes them
    assert report.ok, report.findings


def test_a_refused_act_and_the_evidence_of_it_read_once_each(site: tuple[Context, Cast, str, Statements]) -> None:
    ctx, c, did, sql = site
    with ctx.uow.read() as uow:
        before = uow.events.last(svc.stream_of(did))[0]

    def finalize() -> None:
        with pytest.raises(DomainError):
            svc.finalize(ctx, c.head, did)
    assert sql.of(finalize) == [*_begin(ctx), "SELECT",  # the refused act's transaction, rolled back
                                *_begin(ctx), "SELECT", "INSERT", "UPDATE"]  # AttemptRefused
    with ctx.uow.read() as uow:
        refused = uow.events.stream(svc.stream_of(did))[before:]
    assert [e["type"] for e in refused] == ["AttemptRefused"] and refused[0]["actor"]["person"] == c.head


def test_a_role_granted_since_is_read_by_the_same_select_and_cached_by_a_transaction_that_wrote_nothing(
        site: tuple[Context, Cast, str, Statements]) -> None:
    ctx, _, did, sql = site
    newcomer = identity.register_person(ctx, "新来的承办人")
    with pytest.raises(NotPermitted):  # no role yet
        svc.record_determination(ctx, newcomer, did, "risk_relevant", True, "票价调整")
    assignment = identity.grant_role(ctx, newcomer, "undertaking_unit", BUREAU, reason="任职")
    with ctx.store.read() as conn:
        version = int(conn.execute(sa.text("SELECT roles_version FROM persons WHERE id = :p"),
                                   {"p": newcomer}).scalar_one())
    assert (cached_roles(ctx.store.engine, newcomer) or (None,))[0] != version  # not cached at this version
    assert sql.of(lambda: svc.record_determination(ctx, newcomer, did, "risk_relevant", True, "票价调整")) \
        == [*_begin(ctx), "SELECT", "INSERT", "UPDATE"]
    hit = cached_roles(ctx.store.engine, newcomer)
    assert hit is not None and hit[0] == version and [r[:2] for r in hit[1]] == [("undertaking_unit", BUREAU)]

    identity.end_role(ctx, newcomer, assignment, reason="调离")
    with pytest.raises(NotPermitted):  # the very next command sees the role ended
        svc.record_determination(ctx, newcomer, did, "high_concern", True, "社会关注")


def test_roles_read_after_the_transaction_wrote_are_not_cached(site: tuple[Context, Cast, str, Statements]) -> None:
    ctx, c, did, _ = site
    cached = cached_roles(ctx.store.engine, c.drafter)
    assert cached is not None  # the commands above cached them

    class RolledBack(Exception):
        pass

    with pytest.raises(RolledBack), ctx.uow.write() as uow:
        uow.tx.execute(sa.text("UPDATE role_assignments SET unit = unit WHERE person_id = :p"), {"p": c.drafter})
        read = uow.decisions.load_for_command(did, stream=svc.stream_of(did), org_stream="org:chart",
                                              person_id=c.drafter)
        assert read.person is not None and [r[:2] for r in read.person[1]] == [("undertaking_unit", BUREAU)]
        raise RolledBack  # the bumped roles_version is never committed: it must not be cached
    assert cached_roles(ctx.store.engine, c.drafter) == cached


def test_on_postgresql_a_writer_that_appended_between_the_read_and_the_append_is_re_run(
        site: tuple[Context, Cast, str, Statements]) -> None:
    ctx, c, did, sql = site
    if ctx.store.is_sqlite:
        pytest.skip("SQLite serialises writers: no other writer runs between a command's read and its append")
    with ctx.uow.read() as uow:
        before = uow.events.last(svc.stream_of(did))[0]
    me = threading.get_ident()
    raced: list[BaseException | None] = []

    def other_writer() -> None:
        try:
            svc.record_determination(ctx, c.bureau_head, did, "high_concern", True, "社会关注")
            raced.append(None)
        except BaseException as exc:  # reported below
            raced.append(exc)

    def after(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if not raced and threading.get_ident() == me and statement.lstrip().upper().startswith("SELECT"):
            t = threading.Thread(target=other_writer)  # commits between this read and this append
            t.start()
            t.join(30)
            assert raced == [None], raced

    sa.event.listen(ctx.store.engine, "after_cursor_execute", after)
    try:
        seen = sql.of(lambda: svc.record_determination(ctx, c.drafter, did, "risk_relevant", True, "票价调整"))
    finally:
        sa.event.remove(ctx.store.engine, "after_cursor_execute", after)
    # mine: read, append refused by the unique (stream, seq); the other's command; mine again, re-run
    assert seen == ["SELECT", "SELECT", "INSERT", "UPDATE", "INSERT", "SELECT", "INSERT", "UPDATE"]
    with ctx.uow.read() as uow:
        events = uow.events.stream(svc.stream_of(did))[before:]
    assert [(e["type"], e["payload"]["kind"], e["actor"]["person"]) for e in events] == [
        ("DeterminationRecorded", "high_concern", c.bureau_head), ("DeterminationRecorded", "risk_relevant", c.drafter)]
    report = verification.verify(ctx)
    assert report.ok, report.findings


def test_reading_a_decision_checks_the_reader_and_shows_it_in_one_transaction(
        site: tuple[Context, Cast, str, Statements]) -> None:
    """GET /decisions/{id} (issue 19 §2): the reader's roles, the chart's head and the decision, each read once,
    in one transaction — where the check then the view read the decision and the chart twice. The check alone
    (`require_reader`, before every other read of a decision) is one transaction too."""
    from decision_engine.domain import authority
    from decision_engine.services import access, queries
    ctx, c, did, sql = site
    access.read_decision(ctx, c.drafter, did)  # the person's roles cached, as after their first request
    read = sql.of(lambda: access.read_decision(ctx, c.drafter, did))
    checked = sql.of(lambda: access.require_reader(ctx, c.drafter, did))
    before = sql.of(lambda: (access.require_reader(ctx, c.drafter, did), queries.get_decision(ctx, did)))
    assert read == [*_begin(ctx), "SELECT", "SELECT", "SELECT"], read  # the person, the chart's head, the decision
    assert checked == read, checked
    assert read.count("SELECT") < before.count("SELECT") and before.count("BEGIN") in (0, 2), before
    assert access.read_decision(ctx, c.drafter, did) == queries.get_decision(ctx, did)
    with pytest.raises(NotPermitted) as refused:  # the same role in the county's government: no relation
        access.read_decision(ctx, c.county_drafter, did)
    assert (refused.value.rule, refused.value.article) == ("AR13", authority.READ_ARTICLE)
