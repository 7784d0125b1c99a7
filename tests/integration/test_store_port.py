"""The store port behaves the same on SQLite, PostgreSQL and in memory: a use case run on each writes the
same canonical event bytes and the same hash chain, and is refused the same way; and the repositories the
decision and document services use (events' hash at a sequence, a decision's projection saved from the
sequence it was read at, the artifacts' index, the documents' index, a gate command's one read and the
append from the head it read) keep the same rows and refuse the same writes on each. (`tests/unit/test_store_port_memory.py` runs the same scenario on the memory store alone.)"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from decision_engine.adapters.memory import MemoryUnits
from decision_engine.adapters.official_calendar import load_calendar, parse_year_file
from decision_engine.adapters.store import decision_row
from decision_engine.audit.canonical import GENESIS, chain_hash
from decision_engine.config import Settings
from decision_engine.domain.errors import ConcurrencyConflict, NotFound, RuleViolation
from decision_engine.services import calendar_years, identity
from decision_engine.services.context import Context
from decision_engine.services.ports import Units

YEAR_FILE = Path(__file__).resolve().parent.parent / "data" / "calendar" / "2027-test.toml"
AT = "2025-03-03T09:00:00+08:00"
ACTOR = {"person": "P-1", "role": "undertaking_unit", "unit": "某市交通运输局", "name": "张三"}
STREAM = "decision:MAD-port"


def _chain(ctx: Context) -> list[tuple[int, bytes, str, str]]:
    with ctx.uow.read() as uow:
        return uow.events.chain("calendar")


def test_a_calendar_year_is_recorded_alike_on_the_database_and_in_memory(ctx: Context, tmp_path: Path) -> None:
    memory = Context(settings=Settings(data_dir=tmp_path / "memory", database_url="memory://"),
                     store=None, blobs=None, clock=ctx.clock,  # type: ignore[arg-type]
                     load_calendar=load_calendar, units=MemoryUnits())
    text = YEAR_FILE.read_text(encoding="utf-8")

    for c in (ctx, memory):
        calendar_years.add_year(c, text)
        with pytest.raises(RuleViolation) as refused:
            calendar_years.add_year(c, text)
        assert refused.value.rule == "R18"

    assert _chain(ctx) == _chain(memory) and len(_chain(ctx)) == 1
    year = parse_year_file(text).year
    assert ctx.calendar.has_year(year)  # bootstrap reads the recorded years back into the calendar


# ------------------------------------------------------------------ the repositories decisions and documents use
def _state(seq: int, status: str = "draft") -> dict[str, Any]:
    return {"id": "MAD-port", "title": "某市公交线网优化方案", "category": "policy", "unit": "某市交通运输局",
            "status": status, "stage": "S1", "procedure": {"id": "order-713-base", "version": "1", "hash": "h" * 64},
            "opened_at": AT, "updated_at": AT, "due_by": None, "organ": "某市人民政府", "seq": seq,
            "artifacts": {}}


ARTIFACT = {"id": "A-port", "kind": "start_decision", "gate": "G1", "sha256": "a" * 64, "size": 10,
            "media_type": "application/json", "filename": "start.json", "draft_version": 0,
            "author": dict(ACTOR), "at": AT, "seq": 2, "storage": "inline"}


def _document(doc_id: str, basis_seq: int, event_seq: int) -> dict[str, Any]:
    return {"id": doc_id, "decision_id": "MAD-port", "doc_kind": "archive_index", "artifact_id": "",
            "basis_seq": basis_seq, "basis_hash": "b" * 64, "title": "归档文件目录", "doc_number": "交通档〔2025〕2号",
            "template_name": "archive_index.html.j2", "template_hash": "t" * 64, "context_hash": "c" * 64,
            "html_sha256": "d" * 64, "html_size": 100, "pdf_sha256": "e" * 64, "pdf_size": 200,
            "rendered_at": AT, "rendered_by": "P-1", "event_seq": event_seq}


def exercise(units: Units) -> dict[str, Any]:
    """Write and read through every repository the decision and document services use; assert what each
    store must do, and return what was kept (for comparing stores)."""
    with units.write() as uow:
        stored = uow.events.append(STREAM, [("DecisionOpened", {"decision_id": "MAD-port", "n": 3.0}),
                                            ("ArtifactRecorded", {"artifact_id": "A-port"})], at=AT, actor=ACTOR)
        assert [e["seq"] for e in stored] == [1, 2] and stored[0]["payload"]["n"] == 3  # canonical: 3.0 is 3
        uow.decisions.save(_state(1), previous_seq=None)
        uow.artifacts.add("MAD-port", ARTIFACT)
    with units.read() as uow:
        chain = uow.events.chain(STREAM)
        assert chain[0][2] == GENESIS and all(chain_hash(prev, body) == digest for _, body, prev, digest in chain)
        assert uow.events.hash_at(STREAM, 1) == chain[0][3] and uow.events.hash_at(STREAM, 2) == chain[1][3]
        assert uow.events.hash_at(STREAM, 2) == uow.events.last(STREAM)[1]
        assert uow.events.hash_at(STREAM, 3) is None and uow.events.hash_at("decision:none", 1) is None
        assert uow.artifacts.decisions_with("start_decision") == ["MAD-port"]
        assert uow.artifacts.decisions_with("draft") == []
        first = uow.decisions.load("MAD-port")
        assert {k: first[k] for k in decision_row(_state(1))} == decision_row(_state(1))
        assert uow.decisions.head("MAD-port") == 1  # the projection's sequence, its state not read
        with pytest.raises(NotFound):
            uow.decisions.head("MAD-none")
        assert list(uow.events.iter_stream(STREAM)) == uow.events.stream(STREAM)  # what replay folds
        assert [e["seq"] for e in uow.events.iter_stream(STREAM, upto_seq=1)] == [1]
        assert list(uow.events.iter_stream(STREAM, until_at="2000-01-01T00:00:00Z")) == []

    with pytest.raises(ConcurrencyConflict), units.write() as uow:  # opened twice
        uow.decisions.save(_state(1), previous_seq=None)
    with units.write() as uow:  # saved from the sequence it was read at
        uow.decisions.save(_state(2, "in_procedure"), previous_seq=1)
    with pytest.raises(ConcurrencyConflict), units.write() as uow:  # read at 1, another writer saved 2 first
        uow.decisions.save(_state(2, "withdrawn"), previous_seq=1)
    with pytest.raises(ConcurrencyConflict), units.write() as uow:  # the same artifact indexed twice
        uow.artifacts.add("MAD-port", ARTIFACT)

    with units.write() as uow:
        uow.documents.add(_document("DOC-2", 2, 2))
        uow.documents.add(_document("DOC-1", 1, 1))
    with pytest.raises(ConcurrencyConflict), units.write() as uow:  # the same rendering recorded twice
        uow.events.append(STREAM, [("Noise", {})], at=AT, actor=ACTOR)
        uow.documents.add(_document("DOC-3", 2, 3))
    with units.read() as uow:
        assert uow.events.last(STREAM)[0] == 2  # the refused write left nothing, its event included
        assert uow.documents.get("DOC-1") == _document("DOC-1", 1, 1)
        assert uow.documents.get("DOC-3") is None
        found = uow.documents.find("MAD-port", "archive_index", "", 2, "t" * 64)
        assert found is not None and found["id"] == "DOC-2"
        assert uow.documents.find("MAD-port", "archive_index", "", 2, "x" * 64) is None
        assert [d["id"] for d in uow.documents.of_decision("MAD-port")] == ["DOC-1", "DOC-2"]
        assert uow.documents.of_decision("MAD-other") == []
        row = uow.decisions.load("MAD-port")
        return {"chain": uow.events.chain(STREAM), "status": row["status"], "last_seq": row["last_seq"],
                "documents": uow.documents.of_decision("MAD-port")}


def test_the_decision_and_document_repositories_keep_and_refuse_alike_on_the_database_and_in_memory(
        ctx: Context) -> None:
    on_database = exercise(ctx.uow)
    in_memory = exercise(MemoryUnits())
    assert on_database == in_memory
    assert on_database["status"] == "in_procedure" and on_database["last_seq"] == 2


# ------------------------------------------------------------------ a gate command's one read (issue 19 §5)
CMD_STREAM, ORG_TEST = "decision:MAD-port", "org:port"
AddPerson = Callable[[str, str, list[tuple[str, str]]], None]


def exercise_command_read(units: Units, add_person: AddPerson) -> dict[str, Any]:
    """`Decisions.load_for_command` gives what `load`, `Events.last` (of the decision's and the organisation's
    streams) and `Persons.person_roles` give one by one; the append from the head it read continues the chain,
    and from a head another writer moved on since it is refused, leaving nothing."""
    add_person("P-cmd", "张三", [("undertaking_unit", "某市交通运输局"), ("expert", "某大学")])
    add_person("P-none", "李四", [])
    with units.write() as uow:
        uow.events.append(CMD_STREAM, [("DecisionOpened", {"decision_id": "MAD-port"})], at=AT, actor=ACTOR)
        uow.decisions.save(_state(1), previous_seq=None)
        uow.events.append(ORG_TEST, [("OrganRegistered", {"id": "o"}), ("UnitRegistered", {"id": "u"})],
                          at=AT, actor=ACTOR)

    def read(uow: Any, person: str = "P-cmd", stream: str = CMD_STREAM, org: str = ORG_TEST) -> Any:
        return uow.decisions.load_for_command("MAD-port", stream=stream, org_stream=org, person_id=person)

    with units.write() as uow:
        got = read(uow)
        assert got.row == uow.decisions.load("MAD-port")
        assert got.head == uow.events.last(CMD_STREAM) and got.head[0] == 1
        assert got.org_head == uow.events.last(ORG_TEST) and got.org_head[0] == 2
        assert got.person == uow.persons.person_roles("P-cmd") and len(got.person[1]) == 2
        assert read(uow, "P-none").person == ("李四", [])  # a person without roles: one row, no role
        assert read(uow, "P-unknown").person is None
        assert read(uow, stream="decision:empty", org="org:empty")[1:3] == ((0, GENESIS), (0, GENESIS))
        with pytest.raises(NotFound):
            uow.decisions.load_for_command("MAD-none", stream="decision:MAD-none", org_stream=ORG_TEST,
                                           person_id="P-cmd")
        stored = uow.events.append(CMD_STREAM, [("Noise", {"n": 1})], at=AT, actor=ACTOR, head=got.head)
        assert stored[0]["seq"] == 2
    with units.write() as uow:
        stale = read(uow).head
    with units.write() as uow:  # another writer appends from the same head first
        uow.events.append(CMD_STREAM, [("Noise", {"n": 2})], at=AT, actor=ACTOR, head=stale)
    with pytest.raises(ConcurrencyConflict), units.write() as uow:
        uow.events.append(CMD_STREAM, [("Noise", {"n": 3})], at=AT, actor=ACTOR, head=stale)
    with units.read() as uow:
        chain = uow.events.chain(CMD_STREAM)
        assert [c[0] for c in chain] == [1, 2, 3] and chain[0][2] == GENESIS
        assert all(chain_hash(prev, body) == digest and prev == (chain[i - 1][3] if i else GENESIS)
                   for i, (_, body, prev, digest) in enumerate(chain))
        got = read(uow)
        return {"chain": chain, "head": got.head, "org_head": got.org_head,
                "person": (got.person[0], sorted((r[0], r[1]) for r in got.person[1]))}  # granted at one time


def memory_person(units: MemoryUnits) -> AddPerson:
    def add(person_id: str, name: str, roles: list[tuple[str, str]]) -> None:
        with units.write() as uow:
            uow.persons.add(person_id, name, roles=roles)
    return add


def test_a_gate_commands_one_read_and_the_append_from_its_head_alike_on_the_database_and_in_memory(
        ctx: Context) -> None:
    def on_database(person_id: str, name: str, roles: list[tuple[str, str]]) -> None:
        identity.register_person(ctx, name, person_id=person_id)
        for role, unit in roles:
            identity.grant_role(ctx, person_id, role, unit, reason="任职")

    memory = MemoryUnits()
    kept = exercise_command_read(ctx.uow, on_database)
    assert kept == exercise_command_read(memory, memory_person(memory))
    assert kept["head"][0] == 3 and kept["person"] == ("张三", [("expert", "某大学"), ("undertaking_unit", "某市交通运输局")])
