"""Hearings (R7, SoD5; Arts. 16–17): selection method and list published in advance, materials ≥ 7 days
ahead to each listed participant, the record confirmed by each participant with their own credential."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from decision_engine.domain.errors import NotFound, NotPermitted, RuleViolation
from decision_engine.services import decisions as svc
from decision_engine.services import hearings, identity, queries
from tests.conftest import WARNINGS_ARE_ERRORS

pytestmark = WARNINGS_ARE_ERRORS

RECORD = "听证笔录：承办单位说明草案，参加人陈述意见、询问、质证和辩论。".encode()
ORDER = {"presentation": "承办单位介绍草案、依据和有关情况", "statements": "参加人陈述意见，询问、质证和辩论"}  # R7, Art. 17


def participant(walk: Any, name: str) -> str:
    pid = identity.register_person(walk.ctx, name)
    identity.grant_role(walk.ctx, pid, "hearing_participant", "社会公众", reason="听证参加人")
    return pid


def announced(walk: Any) -> tuple[Any, list[str]]:
    """Notice published today for a hearing in 20 days; method published; two participants selected
    tomorrow and listed; materials delivered to both."""
    walk.open().start().determine(hearing_required_by_law=True)
    today = walk.ctx.today()
    walk.art(walk.c.drafter, "hearing_notice", published_at=today.isoformat(),
             hearing_at=(today + timedelta(days=20)).isoformat(), place="市政府第一会议室")
    hearings.publish_selection_method(walk.ctx, walk.c.drafter, walk.did, method="公开报名，按消费者、经营者、"
                                      "专家分组随机抽取", sides=["消费者", "经营者", "专家学者"])
    people = [participant(walk, "消费者代表甲"), participant(walk, "经营者代表乙")]
    walk.ctx.clock.advance(days=1)
    hearings.publish_participants(walk.ctx, walk.c.drafter, walk.did, participants=people,
                                  selected_at=walk.ctx.today().isoformat())
    for p in people:
        hearings.deliver_materials(walk.ctx, walk.c.drafter, walk.did, participant=p,
                                   delivered_at=walk.ctx.today().isoformat(), materials="草案及说明")
    return walk, people


def gate(walk: Any) -> dict[str, Any]:
    return next(g for g in queries.get_decision(walk.ctx, walk.did)["gates"] if g["id"] == "hearing")


def test_a_record_confirmed_by_every_listed_participant_clears_the_hearing(walk_any: Any) -> None:
    walk, people = announced(walk_any)
    walk.ctx.clock.advance(days=19)
    presented = hearings.present_record(walk.ctx, walk.c.drafter, walk.did, content=RECORD)
    sha = presented.events[0]["payload"]["sha256"]
    for p in people:
        hearings.confirm_record(walk.ctx, p, walk.did, sha, remarks="无异议")
    hearings.record_hearing_record(walk.ctx, walk.c.drafter, walk.did, sha256=sha, summary="听证会依法举行", **ORDER)
    assert gate(walk)["status"] == "cleared"
    status = hearings.hearing_status(walk.ctx, walk.did)
    assert [p["days_ahead"] for p in status["participants"]] == [19, 19]
    assert all(p["confirmed"] == [sha] for p in status["participants"])
    with walk.ctx.store.read() as conn:
        assert queries.replay(conn, walk.did).state == svc.load(conn, walk.did)[0].state


def test_sod5_a_record_not_confirmed_by_every_participant_is_refused(walk: Any) -> None:
    walk, people = announced(walk)
    walk.ctx.clock.advance(days=19)
    sha = hearings.present_record(walk.ctx, walk.c.drafter, walk.did, content=RECORD).events[0]["payload"]["sha256"]
    hearings.confirm_record(walk.ctx, people[0], walk.did, sha)
    with pytest.raises(RuleViolation) as info:
        hearings.record_hearing_record(walk.ctx, walk.c.drafter, walk.did, sha256=sha, summary="s")
    assert (info.value.rule, info.value.article) == ("SoD5", "Art. 17")
    assert [m.need for m in info.value.missing] == [f"confirmation by participant {people[1]}"]
    assert gate(walk)["status"] != "cleared"


def test_sod5_a_typed_signature_list_has_no_door(walk: Any) -> None:
    """R7, SoD5, Art. 17: no typed signatures — the generic door refuses the hearing record and names its
    own door; the refusal is kept as evidence."""
    walk, people = announced(walk)
    walk.ctx.clock.advance(days=19)
    with pytest.raises(RuleViolation) as info:
        walk.art(walk.c.drafter, "hearing_record", participants=people, signed_by=people, summary="s")
    assert (info.value.rule, info.value.article) == ("AR14", "Art. 17")
    assert f"/decisions/{walk.did}/hearing/record" in info.value.message
    assert gate(walk)["status"] != "cleared"
    refused = [e for e in queries.events(walk.ctx, walk.did) if e["type"] == "AttemptRefused"]
    assert refused and refused[-1]["payload"]["rule"] == "AR14"


def test_r7_a_record_dated_before_the_hearing_is_refused(walk: Any) -> None:
    walk, people = announced(walk)
    walk.ctx.clock.advance(days=19)
    sha = hearings.present_record(walk.ctx, walk.c.drafter, walk.did, content=RECORD).events[0]["payload"]["sha256"]
    for p in people:
        hearings.confirm_record(walk.ctx, p, walk.did, sha)
    early = (walk.ctx.today() - timedelta(days=3)).isoformat()
    with pytest.raises(RuleViolation) as info:
        hearings.record_hearing_record(walk.ctx, walk.c.drafter, walk.did, sha256=sha, summary="s", held_on=early)
    assert (info.value.rule, info.value.article) == ("R7", "Art. 17")
    hearings.record_hearing_record(walk.ctx, walk.c.drafter, walk.did, sha256=sha, summary="s",
                                   held_on=walk.ctx.today().isoformat(), **ORDER)
    assert gate(walk)["status"] == "cleared"


def test_r7_a_voluntary_hearing_follows_r7_and_is_not_a_participation_record(walk: Any) -> None:
    """Art. 16: a hearing held by choice (no other law requires it) goes through the hearing stage: a
    participation record of method hearing is refused, and once noticed the hearing gate holds the decision
    until its record is confirmed."""
    walk.open().start().determine()  # hearing_required_by_law = False
    as_record = {"method": "hearing", "summary": "听证会已开", "held_on": walk.ctx.today().isoformat()}
    with pytest.raises(RuleViolation) as info:
        walk.art(walk.c.drafter, "participation_record", **as_record)
    assert (info.value.rule, info.value.article) == ("R7", "Art. 16")
    walk.art(walk.c.drafter, "participation_record", method="symposium", summary="座谈会",
             held_on=walk.ctx.today().isoformat())  # another method stays a participation record
    today = walk.ctx.today()
    walk.art(walk.c.drafter, "hearing_notice", published_at=today.isoformat(),
             hearing_at=(today + timedelta(days=20)).isoformat(), place="会议室")
    assert gate(walk)["status"] == "submitted"  # applicable now: R7 holds the decision until the record




def test_sod5_only_a_listed_participant_confirms_with_their_own_credential(walk: Any) -> None:
    walk, listed = announced(walk)
    walk.ctx.clock.advance(days=19)
    sha = hearings.present_record(walk.ctx, walk.c.drafter, walk.did, content=RECORD).events[0]["payload"]["sha256"]
    outsider = participant(walk, "未入选者丙")
    with pytest.raises(NotPermitted) as info:
        hearings.confirm_record(walk.ctx, outsider, walk.did, sha)
    assert (info.value.rule, info.value.article) == ("SoD5", "Art. 17")
    with pytest.raises(NotPermitted) as organiser:
        hearings.confirm_record(walk.ctx, walk.c.drafter, walk.did, sha)  # the organiser cannot sign for them
    assert organiser.value.rule == "SoD5"
    with pytest.raises(NotPermitted):  # not listed: refused before anything is looked up (SoD5)
        hearings.confirm_record(walk.ctx, outsider, walk.did, "0" * 64)
    with pytest.raises(NotFound):
        hearings.confirm_record(walk.ctx, listed[0], walk.did, "0" * 64)


def test_r7_participants_selected_before_the_method_is_published_are_refused(walk: Any) -> None:
    walk.open().start().determine(hearing_required_by_law=True)
    today = walk.ctx.today()
    walk.art(walk.c.drafter, "hearing_notice", published_at=today.isoformat(),
             hearing_at=(today + timedelta(days=20)).isoformat(), place="会议室")
    people = [participant(walk, "甲")]
    with pytest.raises(RuleViolation) as no_method:
        hearings.publish_participants(walk.ctx, walk.c.drafter, walk.did, participants=people,
                                      selected_at=today.isoformat())
    assert (no_method.value.rule, no_method.value.article) == ("R7", "Art. 16")
    hearings.publish_selection_method(walk.ctx, walk.c.drafter, walk.did, method="随机抽取")
    with pytest.raises(RuleViolation) as same_day:
        hearings.publish_participants(walk.ctx, walk.c.drafter, walk.did, participants=people,
                                      selected_at=today.isoformat())
    assert (same_day.value.rule, same_day.value.article) == ("R7", "Art. 16")
    walk.ctx.clock.advance(days=1)
    hearings.publish_participants(walk.ctx, walk.c.drafter, walk.did, participants=people,
                                  selected_at=walk.ctx.today().isoformat())


def test_sod5_a_listed_participant_must_be_a_person_holding_the_participant_role(walk: Any) -> None:
    walk.open().start().determine(hearing_required_by_law=True)
    today = walk.ctx.today()
    walk.art(walk.c.drafter, "hearing_notice", published_at=today.isoformat(),
             hearing_at=(today + timedelta(days=20)).isoformat(), place="会议室")
    with pytest.raises(NotPermitted) as info:
        hearings.publish_participants(walk.ctx, walk.c.drafter, walk.did, participants=[walk.c.expert_a],
                                      selected_at=today.isoformat())
    assert (info.value.rule, info.value.article) == ("SoD5", "Art. 17")


def test_r7_materials_go_only_to_listed_participants_at_least_seven_days_ahead(walk: Any) -> None:
    walk, _ = announced(walk)
    with pytest.raises(RuleViolation) as info:
        hearings.deliver_materials(walk.ctx, walk.c.drafter, walk.did, participant="未入选者",
                                   delivered_at=walk.ctx.today().isoformat())
    assert (info.value.rule, info.value.article) == ("R7", "Art. 16")


def test_r7_a_record_cannot_be_presented_before_the_hearing_is_held(walk: Any) -> None:
    walk, _ = announced(walk)
    with pytest.raises(RuleViolation) as info:
        hearings.present_record(walk.ctx, walk.c.drafter, walk.did, content=RECORD)
    assert (info.value.rule, info.value.article) == ("R7", "Art. 17")
