"""Every date a person types into an artifact is checked as a date, and the refusal names the field and
the rule it belongs to (one parser for the domain: `YYYY-MM-DD`, years 1900–2199)."""

from __future__ import annotations

from typing import Any

import pytest

from decision_engine.domain.errors import InvalidInput
from decision_engine.domain.values import iso_date
from tests.domain.builders import Build, C, refused

BAD = "明天"


def test_r7_a_hearing_notice_publication_date_that_is_not_a_date_is_refused(b: Build) -> None:
    b.open().start().determine(hearing_required_by_law=True)
    refused(lambda: b.hearing_notice(published_at=BAD), InvalidInput, "R7", "Art. 16", says="hearing_notice.published_at")
    refused(lambda: b.hearing_notice(hearing_at=BAD), InvalidInput, "R7", "Art. 16", says="hearing_notice.hearing_at")


def test_r7_a_delivery_date_that_is_not_a_date_is_refused(b: Build) -> None:
    b.open().start().determine(hearing_required_by_law=True)
    b.hearing_notice()
    refused(lambda: b.art(C.organizer, "hearing_materials_delivery", participant="p", delivered_at=BAD),
            InvalidInput, "R7", "Art. 16", says="hearing_materials_delivery.delivered_at")


def test_r2_catalogue_dates_that_are_not_dates_are_refused_naming_the_field(b: Build) -> None:
    b.open()
    day = b.today.isoformat()
    refused(lambda: b.art(C.office, "catalog_entry", catalog="目录", party_consent_at=BAD, published_at=day),
            InvalidInput, "R2", "Art. 3 ¶3", says="catalog_entry.party_consent_at")
    refused(lambda: b.art(C.office, "catalog_entry", catalog="目录", party_consent_at=day, published_at=BAD),
            InvalidInput, "R2", "Art. 3 ¶3", says="catalog_entry.published_at")


def test_r6_comment_notice_dates_that_are_not_dates_are_refused_naming_the_field(b: Build) -> None:
    b.open().start()
    refused(lambda: b.notice(published_at=BAD), InvalidInput, "R6", "Art. 15", says="comment_notice.published_at")
    refused(lambda: b.notice(deadline=BAD), InvalidInput, "R6", "Art. 15", says="comment_notice.deadline")


def test_r11_r16_r17_dates_that_are_not_dates_are_refused_naming_the_field(b: Build) -> None:
    b.open().start().determine().coordinate().participate()
    refused(lambda: b.submission(requested_deadline=BAD), InvalidInput, "R11", "Art. 26 ¶2",
            says="legality_submission.requested_deadline")
    b.legality().meeting()
    refused(lambda: b.art(C.office, "party_report", reported_to="市委", reported_at=BAD), InvalidInput, "R16",
            "Art. 31", says="party_report.reported_at")
    b.report().finalize()
    refused(lambda: b.art(C.office, "publication_record", channels=["政府网站"], published_at=BAD), InvalidInput,
            "R17", "Art. 32", says="publication_record.published_at")


@pytest.mark.parametrize("value", ["1899-12-31", "2200-01-01"])
def test_a_date_outside_the_years_1900_to_2199_is_refused(b: Build, value: str) -> None:
    b.open().start()
    refused(lambda: b.notice(published_at=value), InvalidInput, "R6", "Art. 15", says="outside the years 1900–2199")


@pytest.mark.parametrize("value", ["1900-01-01", "2199-12-31"])
def test_a_date_at_either_end_of_the_years_1900_to_2199_is_a_date(value: str) -> None:
    assert iso_date(value, "x", "R6", "Art. 15").isoformat() == value


def test_r22_a_due_date_outside_the_calendar_names_the_decision_field() -> None:
    refused(lambda: Build().open(due_by="2200-01-01"), InvalidInput, "R22", "Art. 38 ¶2", says="decision.due_by")
    refused(lambda: Build().open(due_by="soon"), InvalidInput, "R22", "Art. 38 ¶2", says="decision.due_by")


def test_r19_r21_execution_dates_that_are_not_dates_are_refused_naming_the_field(b: Build) -> None:
    b.ready()
    kpi: dict[str, Any] = {"id": "k1", "name": "准点率"}
    refused(lambda: b.art(C.head, "execution_targets", kpis=[kpi], evaluation_on=BAD), InvalidInput, "R21",
            "Art. 36", says="execution_targets.evaluation_on")
    refused(lambda: b.art(C.head, "execution_targets", kpis=[kpi | {"due": BAD}]), InvalidInput, "R19", "Art. 34",
            says="kpi.due")
    refused(lambda: b.art(C.head, "execution_targets", kpis=[kpi], milestones=[{"id": "m", "name": "n", "due": BAD}]),
            InvalidInput, "R19", "Art. 34", says="milestone.due")
