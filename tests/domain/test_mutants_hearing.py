"""Mutation testing (issue 14 §5, `make mutation MODULE=hearing`): tests that kill the mutants of
`domain/rules/hearing.py` (R7, SoD5; Arts. 16–17) the stage's own tests let live. `check_listed_people` is
called only by `services/hearings.py` (no domain test reached it: 28 mutants with no test), so it is called
here directly, each rule both ways."""

from __future__ import annotations

from decision_engine.domain import events as typed
from decision_engine.domain import review
from decision_engine.domain.errors import InvalidInput, NotPermitted, RuleViolation
from decision_engine.domain.rules import hearing as rh
from decision_engine.domain.values import Actor
from tests.domain.builders import Build, C, refused
from tests.domain.mutant_helpers import gate_missing
from tests.domain.test_hearing import SHA, confirmed, day, hearing, listed, present, record

PEOPLE = ["participant_a", "participant_b"]


# SoD5, Art. 17: each listed person is registered and holds the role hearing_participant -----------------
def test_sod5_a_listed_person_who_is_not_registered_is_refused_by_name() -> None:
    refused(lambda: rh.check_listed_people({"ghost": None}), InvalidInput, "SoD5", "Art. 17", says="ghost")
    refused(lambda: rh.check_listed_people({"participant_a": ("hearing_participant",), "ghost": None}),
            InvalidInput, "SoD5", "Art. 17", says="ghost")


def test_sod5_a_listed_person_without_the_role_hearing_participant_is_refused_by_name() -> None:
    refused(lambda: rh.check_listed_people({"drafter": ("undertaking_unit",)}), NotPermitted, "SoD5", "Art. 17",
            says="drafter")
    refused(lambda: rh.check_listed_people({"nobody": ()}), NotPermitted, "SoD5", "Art. 17", says="nobody")
    refused(lambda: rh.check_listed_people({"participant_a": ("hearing_participant",), "drafter": ("expert",)}),
            NotPermitted, "SoD5", "Art. 17", says="drafter")


def test_sod5_registered_participants_holding_the_role_are_accepted() -> None:
    rh.check_listed_people({})
    rh.check_listed_people({"participant_a": ("hearing_participant",),
                            "participant_b": ("expert", "hearing_participant")})


# R7, Art. 16: the list holds distinct person ids, each a non-empty text ----------------------------------
def test_r7_a_participant_list_holding_something_other_than_a_person_id_is_malformed(b: Build) -> None:
    hearing(b)
    b.art(C.organizer, "hearing_selection_method", method="抽签", published_at=day(b, 0))
    b.advance(1)
    for people in ([1], ["p", None], [["p"]], [""]):
        refused(lambda x=people: b.art(C.organizer, "hearing_participant_list", participants=x,
                                       selected_at=day(b, 0), published_at=day(b, 0)), InvalidInput, "R7", "Art. 16")
    b.art(C.organizer, "hearing_participant_list", participants=["p", "q"], selected_at=day(b, 0),
          published_at=day(b, 0))


# R7, Art. 16: the hearing gate names each participant of the record lacking materials --------------------
def delivery_gaps(b: Build) -> list[str]:
    """What the hearing gate's own check asks per participant (the generic "no delivery yet" gap aside)."""
    return [m.need for m in gate_missing(b, "hearing") if m.need.startswith("materials delivery to")]


def test_r7_each_participant_without_materials_is_a_gap_of_the_hearing_gate_naming_them(b: Build) -> None:
    listed(b)
    b.advance(12)
    present(b)
    confirmed(b, C.participant_a, C.participant_b)
    record(b, PEOPLE, record_sha256=SHA)
    assert ("R7", "Art. 16", "hearing_materials_delivery") in b.missing("hearing")
    assert delivery_gaps(b) == [f"materials delivery to participant {p}" for p in PEOPLE]
    b.art(C.organizer, "hearing_materials_delivery", participant="participant_a", delivered_at=day(b, -12))
    assert delivery_gaps(b) == ["materials delivery to participant participant_b"]
    assert b.missing("hearing") == [("R7", "Art. 16", "hearing_materials_delivery")]
    b.art(C.organizer, "hearing_materials_delivery", participant="participant_b", delivered_at=day(b, -12))
    assert delivery_gaps(b) == [] and b.missing("hearing") == []


def test_r7_before_the_record_the_hearing_gate_asks_no_delivery_per_participant(b: Build) -> None:
    listed(b)
    assert delivery_gaps(b) == []


# SoD5, Art. 17: the record confirmed is a hearing record that was presented --------------------------------
def test_sod5_an_expert_opinion_confirmed_over_its_sha256_is_not_a_hearing_record(b: Build) -> None:
    listed(b)
    b.advance(12)
    present(b)
    confirmed(b, C.participant_a, C.participant_b)
    other = "ab" * 32
    b.commit(C.expert_a, [review.opinion_signed("a999", other)])  # an expert's signature: a record never presented
    refused(lambda: record(b, PEOPLE, record_sha256=other), RuleViolation, "SoD5", "Art. 17")
    refused(lambda: record(b, PEOPLE, record_sha256=""), RuleViolation, "SoD5", "Art. 17")
    record(b, PEOPLE, record_sha256=SHA)


def test_sod5_signed_by_lists_exactly_the_confirmations_not_an_extra_name(b: Build) -> None:
    listed(b)
    b.advance(12)
    present(b)
    confirmed(b, C.participant_a, C.participant_b)
    refused(lambda: record(b, PEOPLE, [*PEOPLE, "stranger"], record_sha256=SHA), RuleViolation, "SoD5", "Art. 17")
    refused(lambda: record(b, PEOPLE, ["participant_a", "participant_a"], record_sha256=SHA), RuleViolation, "SoD5",
            "Art. 17")
    record(b, PEOPLE, list(reversed(PEOPLE)), record_sha256=SHA)


def test_r7_a_record_whose_participants_are_not_a_list_is_not_the_published_list(b: Build) -> None:
    listed(b)
    b.advance(12)
    present(b)
    confirmed(b, C.participant_a, C.participant_b)
    refused(lambda: record(b, "participant_a", record_sha256=SHA), RuleViolation, "R7", "Art. 16")  # type: ignore[arg-type]
    refused(lambda: record(b, [*PEOPLE, "participant_a"], record_sha256=SHA), RuleViolation, "R7", "Art. 16")


def test_r7_a_record_held_on_the_hearing_day_or_later_is_accepted_and_before_refused(b: Build) -> None:
    listed(b)
    b.advance(12)
    present(b)
    confirmed(b, C.participant_a, C.participant_b)
    refused(lambda: record(b, PEOPLE, record_sha256=SHA, held_on=day(b, -1)), RuleViolation, "R7", "Art. 17",
            says=day(b, -1))
    b.advance(1)
    record(b, PEOPLE, record_sha256=SHA, held_on=day(b, 0))
    record(b, PEOPLE, record_sha256=SHA, held_on="")  # no date stated: the notice's day stands


# the field named in a date refusal is the field itself (R7, Arts. 16–17) -------------------------------------
def test_r7_a_malformed_date_is_refused_naming_exactly_its_field(b: Build) -> None:
    hearing(b)
    e = refused(lambda: b.art(C.organizer, "hearing_selection_method", method="抽签", published_at="x"),
                InvalidInput, "R7", "Art. 16")
    assert e.message.startswith("published_at must be an ISO date"), e.message
    b.art(C.organizer, "hearing_selection_method", method="抽签", published_at=day(b, 0))
    b.advance(1)
    for field, bad in (("selected_at", {"selected_at": "x", "published_at": day(b, 0)}),
                       ("published_at", {"selected_at": day(b, 0), "published_at": "x"})):
        e = refused(lambda x=bad: b.art(C.organizer, "hearing_participant_list", participants=["p"], **x),
                    InvalidInput, "R7", "Art. 16")
        assert e.message.startswith(f"{field} must be an ISO date"), e.message


def test_r7_a_record_held_on_a_day_that_is_not_a_date_is_refused_naming_the_field(b: Build) -> None:
    listed(b)
    b.advance(12)
    present(b)
    confirmed(b, C.participant_a, C.participant_b)
    e = refused(lambda: record(b, PEOPLE, record_sha256=SHA, held_on="soon"), InvalidInput, "R7", "Art. 17")
    assert e.message.startswith("hearing_record.held_on must be an ISO date"), e.message


# R7, Art. 16: the selection is dated against the selection method, not the latest act of the hearing ------------
def test_r7_the_list_is_dated_against_the_method_even_after_materials_were_delivered(b: Build) -> None:
    hearing(b)
    b.art(C.organizer, "hearing_selection_method", method="抽签", published_at=day(b, 0))
    b.art(C.organizer, "hearing_materials_delivery", participant="participant_a", delivered_at=day(b, 0))
    b.advance(1)
    b.art(C.organizer, "hearing_participant_list", participants=PEOPLE, selected_at=day(b, 0),
          published_at=day(b, 0))


# R7, Art. 16: the record's participants are a list --------------------------------------------------------
def test_r7_participants_given_other_than_as_a_list_are_not_the_published_list(b: Build) -> None:
    listed(b)
    b.advance(12)
    present(b)
    confirmed(b, C.participant_a, C.participant_b)
    refused(lambda: record(b, tuple(PEOPLE), PEOPLE, record_sha256=SHA), RuleViolation, "R7", "Art. 16")  # type: ignore[arg-type]
    record(b, PEOPLE, record_sha256=SHA)


# SoD5, Art. 17: a record confirmed but never presented (a folded event no command emits: the second line) ----------
def test_sod5_confirmations_of_a_hearing_record_never_presented_do_not_make_a_record(b: Build) -> None:
    listed(b)
    b.advance(12)
    for p in (C.participant_a, C.participant_b):
        b.commit(p, [typed.RecordConfirmed(subject="hearing_record", sha256=SHA, remarks="").new()])
    refused(lambda: record(b, PEOPLE, record_sha256=SHA), RuleViolation, "SoD5", "Art. 17")


def test_sod5_a_record_presented_under_another_subject_is_not_a_hearing_record(b: Build) -> None:
    listed(b)
    b.advance(12)
    b.commit(C.organizer, [typed.RecordPresented(subject="expert_opinion", sha256=SHA, size=1, media_type="text/plain",
                                                 filename="r.txt", draft_version=1).new()])
    for p in (C.participant_a, C.participant_b):
        b.commit(p, [typed.RecordConfirmed(subject="hearing_record", sha256=SHA, remarks="").new()])
    assert b.state["records"][SHA]["subject"] == "expert_opinion" and "presented_at" in b.state["records"][SHA]
    refused(lambda: record(b, PEOPLE, record_sha256=SHA), RuleViolation, "SoD5", "Art. 17")


# SoD5, Art. 17: signed_by counts the confirmations of the record's participants only -------------------------------
PARTICIPANT_C = Actor("participant_c", "hearing_participant", "", "参加人丙")


def test_sod5_a_confirmation_by_someone_dropped_from_a_later_list_is_not_a_signature(b: Build) -> None:
    hearing(b)
    b.art(C.organizer, "hearing_selection_method", method="报名抽签", published_at=day(b, 0))
    b.advance(2)
    b.art(C.organizer, "hearing_participant_list", participants=[*PEOPLE, "participant_c"],
          selected_at=day(b, -1), published_at=day(b, 0))
    b.advance(12)
    present(b)
    confirmed(b, C.participant_a, C.participant_b, PARTICIPANT_C)
    b.hearing_notice(7)  # the hearing is postponed; a new list drops participant_c
    b.art(C.organizer, "hearing_participant_list", participants=PEOPLE, selected_at=day(b, 0),
          published_at=day(b, 0))
    b.advance(7)
    refused(lambda: record(b, PEOPLE, [*PEOPLE, "participant_c"], record_sha256=SHA), RuleViolation, "SoD5",
            "Art. 17")
    record(b, PEOPLE, record_sha256=SHA)
