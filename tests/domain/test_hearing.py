"""S1 hearings in memory (R7, SoD5, Arts. 16–17): notice, selection, participant list, materials, record."""

from __future__ import annotations

from datetime import timedelta

from decision_engine.domain import participation as dp
from decision_engine.domain.errors import InvalidInput, NotPermitted, RuleViolation
from tests.domain.builders import BUREAU, Build, C, refused

SHA = "cd" * 32


def hearing(b: Build, days: int = 14) -> Build:
    b.open().start().determine(hearing_required_by_law=True)
    b.hearing_notice(days)
    return b


def day(b: Build, offset: int) -> str:
    return (b.today + timedelta(days=offset)).isoformat()


def listed(b: Build) -> Build:
    """Hearing in 14 days; the method published today, selection tomorrow, the list the day after."""
    hearing(b)
    b.art(C.organizer, "hearing_selection_method", method="报名抽签", published_at=day(b, 0))
    b.advance(2)
    b.art(C.organizer, "hearing_participant_list", participants=["participant_a", "participant_b"],
          selected_at=day(b, -1), published_at=day(b, 0))
    return b


# R7, Art. 17: the record states the hearing's order
ORDER = {"presentation": "承办单位介绍草案及依据", "statements": "参加人陈述意见并质证辩论"}


def present(b: Build, sha: str = SHA) -> None:
    b.act(C.organizer, dp.present_record(b.d, (C.organizer,), sha256=sha, size=1, media_type="text/plain",
                                         filename="r.txt", today=b.today))


def record(b: Build, participants: list[str], signed_by: list[str] | None = None, **extra: object) -> str:
    return b.art(C.organizer, "hearing_record", participants=participants,
                 signed_by=signed_by if signed_by is not None else participants, summary="听证",
                 **{**ORDER, **extra})


# the notice ---------------------------------------------------------------------------------------
def test_r7_a_hearing_notice_published_on_or_after_the_hearing_day_is_refused(b: Build) -> None:
    b.open().start().determine(hearing_required_by_law=True)
    refused(lambda: b.hearing_notice(0), RuleViolation, "R7", "Art. 16")
    refused(lambda: b.hearing_notice(-1), RuleViolation, "R7", "Art. 16")
    b.hearing_notice(1)


def test_r7_a_hearing_notice_needs_a_draft(b: Build) -> None:
    b.open()
    b.art(C.head, "start_decision", lead_unit=BUREAU, units=[BUREAU])
    b.determination("hearing_required_by_law", True)
    refused(lambda: b.hearing_notice(), RuleViolation, "R3", "Art. 12")


def test_r7_a_hearing_notice_with_a_date_that_is_not_a_date_is_malformed(b: Build) -> None:
    b.open().start().determine(hearing_required_by_law=True)
    refused(lambda: b.hearing_notice(hearing_at="soon"), InvalidInput, "R7", "Art. 16")


# materials (Art. 17) -------------------------------------------------------------------------------
def test_r7_materials_less_than_7_days_before_the_hearing_are_refused(b: Build) -> None:
    hearing(b)
    refused(lambda: b.art(C.organizer, "hearing_materials_delivery", participant="participant_a",
                          delivered_at=day(b, 8)), RuleViolation, "R7", "Art. 16")
    b.art(C.organizer, "hearing_materials_delivery", participant="participant_a", delivered_at=day(b, 7))


def test_r7_materials_are_delivered_only_after_a_hearing_notice(b: Build) -> None:
    b.open().start().determine(hearing_required_by_law=True)
    refused(lambda: b.art(C.organizer, "hearing_materials_delivery", participant="p", delivered_at=day(b, 0)),
            RuleViolation, "R7", "Art. 16")


def test_r7_once_a_list_is_published_materials_go_to_its_participants_only(b: Build) -> None:
    listed(b)
    refused(lambda: b.art(C.organizer, "hearing_materials_delivery", participant="stranger",
                          delivered_at=day(b, 0)), RuleViolation, "R7", "Art. 16")
    b.art(C.organizer, "hearing_materials_delivery", participant="participant_a", delivered_at=day(b, 0))


def confirmed(b: Build, *people: object, sha: str = SHA) -> None:
    for p in people:
        b.act(p, dp.confirm_record(b.d, (p,), sha256=sha))  # type: ignore[arg-type]


def test_r7_the_hearing_gate_needs_materials_delivered_to_each_participant_of_the_record(b: Build) -> None:
    listed(b)
    b.art(C.organizer, "hearing_materials_delivery", participant="participant_a", delivered_at=day(b, 0))
    b.advance(12)
    present(b)
    confirmed(b, C.participant_a, C.participant_b)
    record(b, ["participant_a", "participant_b"], record_sha256=SHA)
    assert b.missing("hearing") == [("R7", "Art. 16", "hearing_materials_delivery")]
    b.art(C.organizer, "hearing_materials_delivery", participant="participant_b", delivered_at=day(b, -12))
    assert b.missing("hearing") == [] and b.gate("hearing") == "cleared"


# the selection method and the list (Art. 16) --------------------------------------------------------------
def test_r7_the_selection_method_comes_after_the_notice(b: Build) -> None:
    b.open().start().determine(hearing_required_by_law=True)
    refused(lambda: b.art(C.organizer, "hearing_selection_method", method="抽签", published_at=day(b, 0)),
            RuleViolation, "R7", "Art. 16")


def test_r7_the_selection_method_is_published_before_the_hearing_and_not_in_the_future(b: Build) -> None:
    hearing(b)
    refused(lambda: b.art(C.organizer, "hearing_selection_method", method="抽签", published_at=day(b, 14)),
            RuleViolation, "R7", "Art. 16")
    refused(lambda: b.art(C.organizer, "hearing_selection_method", method="抽签", published_at=day(b, 1)),
            RuleViolation, "R7", "Art. 16")
    refused(lambda: b.art(C.organizer, "hearing_selection_method", method="抽签", published_at="x"),
            InvalidInput, "R7", "Art. 16")
    b.art(C.organizer, "hearing_selection_method", method="抽签", published_at=day(b, 0))


def test_r7_a_participant_list_needs_the_published_method_first(b: Build) -> None:
    hearing(b)
    refused(lambda: b.art(C.organizer, "hearing_participant_list", participants=["p"], selected_at=day(b, 0),
                          published_at=day(b, 0)), RuleViolation, "R7", "Art. 16")


def test_r7_selection_on_the_day_the_method_was_published_is_refused(b: Build) -> None:
    hearing(b)
    b.art(C.organizer, "hearing_selection_method", method="抽签", published_at=day(b, 0))
    refused(lambda: b.art(C.organizer, "hearing_participant_list", participants=["p"], selected_at=day(b, 0),
                          published_at=day(b, 0)), RuleViolation, "R7", "Art. 16")


def test_r7_the_list_is_published_after_selection_before_the_hearing_and_not_in_the_future(b: Build) -> None:
    hearing(b)
    b.art(C.organizer, "hearing_selection_method", method="抽签", published_at=day(b, 0))
    b.advance(3)
    for selected, published in ((-1, -2), (-1, 11), (-1, 1)):
        refused(lambda s=selected, p=published: b.art(
            C.organizer, "hearing_participant_list", participants=["p"], selected_at=day(b, s),
            published_at=day(b, p)), RuleViolation, "R7", "Art. 16")
    b.art(C.organizer, "hearing_participant_list", participants=["p"], selected_at=day(b, -2), published_at=day(b, -2))


def test_r7_a_list_of_participants_that_repeats_a_person_is_malformed(b: Build) -> None:
    hearing(b)
    b.art(C.organizer, "hearing_selection_method", method="抽签", published_at=day(b, 0))
    b.advance(1)
    for people in (["p", "p"], ["p", ""], "p"):
        refused(lambda x=people: b.art(C.organizer, "hearing_participant_list", participants=x,
                                       selected_at=day(b, 0), published_at=day(b, 0)), InvalidInput, "R7", "Art. 16")


def test_r7_on_the_hearing_day_itself_neither_the_method_nor_the_list_can_still_be_published(b: Build) -> None:
    hearing(b, 3)
    b.art(C.organizer, "hearing_selection_method", method="抽签", published_at=day(b, 0))
    c = hearing(Build(), 3)
    c.advance(3)
    refused(lambda: c.art(C.organizer, "hearing_selection_method", method="抽签", published_at=day(c, 0)),
            RuleViolation, "R7", "Art. 16")
    b.advance(3)
    refused(lambda: b.art(C.organizer, "hearing_participant_list", participants=["p"], selected_at=day(b, -1),
                          published_at=day(b, 0)), RuleViolation, "R7", "Art. 16")


def test_r7_selection_and_list_dates_that_are_not_dates_are_refused_naming_the_field(b: Build) -> None:
    hearing(b)
    refused(lambda: b.art(C.organizer, "hearing_selection_method", method="抽签", published_at="x"), InvalidInput,
            "R7", "Art. 16", says="published_at")
    b.art(C.organizer, "hearing_selection_method", method="抽签", published_at=day(b, 0))
    b.advance(1)
    refused(lambda: b.art(C.organizer, "hearing_participant_list", participants=["p"], selected_at="x",
                          published_at=day(b, 0)), InvalidInput, "R7", "Art. 16", says="selected_at")
    refused(lambda: b.art(C.organizer, "hearing_participant_list", participants=["p"], selected_at=day(b, 0),
                          published_at="x"), InvalidInput, "R7", "Art. 16", says="published_at")


def test_r7_a_hearing_time_given_as_a_timestamp_is_read_as_its_day(b: Build) -> None:
    b.open().start().determine(hearing_required_by_law=True)
    b.hearing_notice(hearing_at=f"{day(b, 14)}T09:30:00+08:00")
    b.art(C.organizer, "hearing_selection_method", method="抽签", published_at=day(b, 0))
    b.art(C.organizer, "hearing_materials_delivery", participant="p", delivered_at=day(b, 7))


# the record (Art. 17, SoD5) -------------------------------------------------------------------------
def test_sod5_a_declared_record_without_a_published_list_is_refused(b: Build) -> None:
    """R7, SoD5, Art. 17: no typed signatures — a record declared "signed by" everyone, with no list of
    registered participants and no confirmations, is refused whatever it says."""
    hearing(b)
    b.advance(14)
    refused(lambda: record(b, ["p1", "p2"], ["p1"]), RuleViolation, "SoD5", "Art. 17")
    refused(lambda: record(b, ["p1", "p2"], ["p2", "p1"]), RuleViolation, "SoD5", "Art. 17", says="名单")


def test_sod5_typed_signatures_never_replace_the_participants_own_confirmations(b: Build) -> None:
    listed(b)
    b.advance(12)
    present(b)
    people = ["participant_a", "participant_b"]
    for typed in (None, people):  # signed_by typed in full changes nothing
        refused(lambda t=typed: record(b, people, t, record_sha256=SHA), RuleViolation, "SoD5", "Art. 17")
    refused(lambda: record(b, people, record_sha256="ef" * 32), RuleViolation, "SoD5", "Art. 17")  # not presented
    confirmed(b, C.participant_a)
    err = refused(lambda: record(b, people, record_sha256=SHA), RuleViolation, "SoD5", "Art. 17")
    assert [m.need for m in err.missing] == ["confirmation by participant participant_b"]
    confirmed(b, C.participant_b)
    refused(lambda: record(b, people, ["participant_a"], record_sha256=SHA), RuleViolation, "SoD5", "Art. 17")
    record(b, people, record_sha256=SHA)


def test_r7_a_record_dated_before_the_hearing_is_refused(b: Build) -> None:
    listed(b)
    b.advance(12)
    present(b)
    confirmed(b, C.participant_a, C.participant_b)
    people = ["participant_a", "participant_b"]
    refused(lambda: record(b, people, record_sha256=SHA, held_on=day(b, -1)), RuleViolation, "R7", "Art. 17")
    record(b, people, record_sha256=SHA, held_on=day(b, 0))


def test_r7_a_voluntary_hearing_follows_r7_whatever_made_it_necessary(b: Build) -> None:
    """Art. 16 (可以组织听证会): no other law requires it, the organ holds it by choice. It cannot be entered
    as a participation record; through the hearing stage its gate applies once noticed, so the decision
    waits for the record confirmed by each participant, and the hearing counts as participation (R5)."""
    b.open().start().determine()  # hearing_required_by_law: False
    assert b.gate("hearing") == "not_applicable"
    for method in ("hearing", "听证会"):
        refused(lambda m=method: b.art(C.drafter, "participation_record", method=m, summary="听证会"),
                RuleViolation, "R7", "Art. 16")
    b.hearing_notice(14)
    assert b.gate("hearing") == "submitted"
    assert ("R7", "Art. 17", "hearing_record") in b.missing("hearing")
    assert any(m.gate == "hearing" for m in b.d.finalization_missing())
    b.art(C.organizer, "hearing_selection_method", method="报名抽签", published_at=day(b, 0))
    b.advance(2)
    b.art(C.organizer, "hearing_participant_list", participants=["participant_a", "participant_b"],
          selected_at=day(b, -1), published_at=day(b, 0))
    for p in ("participant_a", "participant_b"):
        b.art(C.organizer, "hearing_materials_delivery", participant=p, delivered_at=day(b, 0))
    b.advance(12)
    present(b)
    confirmed(b, C.participant_a, C.participant_b)
    record(b, ["participant_a", "participant_b"], record_sha256=SHA)
    assert b.gate("hearing") == "cleared"
    assert ("R5", "Art. 14", "participation_record") not in b.missing("public_participation")


def test_r7_a_record_without_a_hearing_notice_is_refused(b: Build) -> None:
    b.open().start().determine(hearing_required_by_law=True)
    refused(lambda: record(b, ["p1"]), RuleViolation, "R7", "Art. 16")


def test_r7_the_record_of_a_listed_hearing_names_the_published_list(b: Build) -> None:
    listed(b)
    b.advance(12)
    present(b)
    refused(lambda: record(b, ["participant_a"], record_sha256=SHA), RuleViolation, "R7", "Art. 16")


def test_sod5_the_record_of_a_listed_hearing_is_confirmed_over_its_sha256(b: Build) -> None:
    listed(b)
    b.advance(12)
    refused(lambda: record(b, ["participant_a", "participant_b"]), RuleViolation, "SoD5", "Art. 17")
    refused(lambda: record(b, ["participant_a", "participant_b"], record_sha256=SHA), RuleViolation, "SoD5",
            "Art. 17")
    present(b)
    b.act(C.participant_a, dp.confirm_record(b.d, (C.participant_a,), sha256=SHA))
    err = refused(lambda: record(b, ["participant_b", "participant_a"], record_sha256=SHA), RuleViolation,
                  "SoD5", "Art. 17")
    assert [(m.rule, m.article, m.gate, m.kind, m.need) for m in err.missing] == [
        ("SoD5", "Art. 17", "hearing", "hearing_record", "confirmation by participant participant_b")]
    b.act(C.participant_b, dp.confirm_record(b.d, (C.participant_b,), sha256=SHA))
    record(b, ["participant_b", "participant_a"], record_sha256=SHA)


def test_sod5_only_a_listed_participant_confirms_the_record(b: Build) -> None:
    listed(b)
    b.advance(12)
    present(b)
    stranger = C.participant_a.__class__("stranger", "hearing_participant", "", "路人")
    refused(lambda: dp.confirm_record(b.d, (stranger,), sha256=SHA), NotPermitted, "SoD5", "Art. 17")


def test_r7_a_record_is_not_accepted_before_the_hearing_it_records(b: Build) -> None:
    listed(b)
    b.advance(12)
    present(b)
    for who in (C.participant_a, C.participant_b):
        b.act(who, dp.confirm_record(b.d, (who,), sha256=SHA))
    b.hearing_notice(5)  # the hearing is postponed
    refused(lambda: record(b, ["participant_a", "participant_b"], record_sha256=SHA), RuleViolation, "R7",
            "Art. 17")


def test_sod5_a_record_sha256_that_was_never_presented_is_refused(b: Build) -> None:
    hearing(b)
    b.advance(14)
    present(b, "ef" * 32)
    refused(lambda: record(b, ["p1"], record_sha256=SHA), RuleViolation, "SoD5", "Art. 17")
