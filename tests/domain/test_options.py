"""R3, Art. 12 ¶4 and R15, Art. 30: where views diverge sharply the drafting stage offers two or more options,
the packet carries them, and the meeting's decision names the option chosen."""

from __future__ import annotations

from typing import Any

from decision_engine.domain import meeting as dm
from decision_engine.domain.errors import InvalidInput, RuleViolation
from tests.domain.builders import Build, C, refused

OPTIONS: list[dict[str, Any]] = [{"id": "A", "summary": "一次调整到位"}, {"id": "B", "summary": "分两年逐步调整"}]


def diverging(b: Build) -> Build:
    b.open().start().determine()
    b.determination("views_diverge_sharply", True, reasons="座谈会上分歧较大")
    return b


def test_r3_where_views_diverge_sharply_the_options_are_required(b: Build) -> None:
    diverging(b)
    assert ("R3", "Art. 12 ¶4", "draft_options") in b.missing("initiation")
    b.art(C.drafter, "draft_options", options=OPTIONS)
    assert b.missing("initiation") == []


def test_r3_options_are_not_required_where_views_do_not_diverge(b: Build) -> None:
    b.open().start().determine()
    b.determination("views_diverge_sharply", False, reasons="各方意见基本一致")
    assert b.missing("initiation") == []


def test_r3_one_option_or_a_repeated_one_is_not_two(b: Build) -> None:
    diverging(b)
    refused(lambda: b.art(C.drafter, "draft_options", options=OPTIONS[:1]), RuleViolation, "R3", "Art. 12 ¶4",
            says="两个以上方案")
    refused(lambda: b.art(C.drafter, "draft_options", options=[OPTIONS[0], OPTIONS[0]]), RuleViolation, "R3",
            "Art. 12 ¶4")
    refused(lambda: b.art(C.drafter, "draft_options", options=["A", "B"]), InvalidInput, "R3", "Art. 12 ¶4")


def test_r15_the_meeting_names_the_option_chosen_and_the_packet_carries_the_options(b: Build) -> None:
    diverging(b)
    options = b.art(C.drafter, "draft_options", options=OPTIONS)
    b.coordinate().participate().legality()
    assert options in {r["artifact_id"] for r in dm.assemble_packet(b.d)["adoption_records"]}
    refused(lambda: b.meeting(), RuleViolation, "R15", "Arts. 12 ¶4, 30", says="option_chosen")
    refused(lambda: b.meeting(option_chosen="C"), RuleViolation, "R15", "Arts. 12 ¶4, 30")
    b.meeting(option_chosen="B").report().finalize()
    assert b.d.status == "decided"
