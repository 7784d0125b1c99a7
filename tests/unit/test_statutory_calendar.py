"""The statutory clock: Civil Code Arts. 201/203 counting on the official holiday calendar (DESIGN.md §7)."""

from __future__ import annotations

import dataclasses
import importlib.metadata
import json
from datetime import date, timedelta
from pathlib import Path

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from decision_engine.adapters.official_calendar import load_calendar, package_years, parse_year_file
from decision_engine.domain.calendar import (
    CalendarDataInvalid,
    Deadline,
    StatutoryCalendar,
    YearArrangement,
)

FIXTURE = Path(__file__).resolve().parent.parent / "data" / "calendar" / "2027-test.toml"
CAL = load_calendar()
LAST_PACKAGE_YEAR = max(d.year for d in chinese_calendar.holidays)


def fixture_text() -> str:
    return FIXTURE.read_text(encoding="utf-8")


def d(s: str) -> date:
    return date.fromisoformat(s)


# --- the data: package years are the official arrangement, exactly -------------------------------

def test_package_years_cover_the_packages_own_range_and_name_its_version() -> None:
    years = package_years()
    first = min(x.year for x in chinese_calendar.holidays)
    assert [y.year for y in years] == list(range(first, LAST_PACKAGE_YEAR + 1))
    assert CAL.years() == tuple(range(first, LAST_PACKAGE_YEAR + 1))
    version = importlib.metadata.version("chinesecalendar")
    assert {y.source for y in years} == {f"chinesecalendar {version}"}


def test_every_day_of_every_package_year_agrees_with_the_package() -> None:
    for arr in package_years():
        day = date(arr.year, 1, 1)
        while day.year == arr.year:
            assert CAL.is_working_day(day) == chinese_calendar.is_workday(day), day
            assert CAL.is_official(day)
            day += timedelta(days=1)


def test_2024_national_day_arrangement_is_the_official_one() -> None:
    # 国办发明电〔2023〕7号: 10-01..10-07 off; Sunday 09-29 and Saturday 10-12 worked.
    for n in range(1, 8):
        assert not CAL.is_working_day(date(2024, 10, n))
    assert CAL.is_working_day(d("2024-09-29"))
    assert CAL.is_working_day(d("2024-10-12"))
    assert CAL.is_working_day(d("2024-10-08"))


def test_a_year_without_an_arrangement_is_counted_on_weekends_alone() -> None:
    assert not CAL.has_year(2030)
    assert not CAL.is_official(d("2030-01-01"))
    assert CAL.is_working_day(d("2030-01-01"))  # a Tuesday; New Year unknown until the notice
    assert not CAL.is_working_day(d("2030-01-05"))  # Saturday
    assert not CAL.is_working_day(d("2030-01-06"))  # Sunday


# --- calendar days (Art. 201 start excluded, Art. 203 roll forward) -------------------------------

def test_calendar_days_exclude_the_start_day() -> None:
    dl = CAL.add_calendar_days(d("2024-03-04"), 1, "R6 Art. 15")
    assert dl.due == d("2024-03-05")
    assert dl == Deadline(due=d("2024-03-05"), unit="calendar_days", days=1, start=d("2024-03-04"),
                          provisional=False, basis="R6 Art. 15")


def test_a_calendar_deadline_on_a_saturday_rolls_to_monday() -> None:
    assert CAL.add_calendar_days(d("2024-03-01"), 1).due == d("2024-03-04")


def test_comment_window_of_30_calendar_days_rolls_past_national_day_holiday() -> None:
    # 2024-09-01 + 30 = 2024-10-01 (National Day); rest through 10-07, so the window closes 10-08.
    dl = CAL.add_calendar_days(d("2024-09-01"), 30, "R6 Art. 15")
    assert dl.due == d("2024-10-08")
    assert not dl.provisional


def test_a_calendar_deadline_on_a_swapped_working_saturday_does_not_roll() -> None:
    assert CAL.add_calendar_days(d("2024-10-02"), 10).due == d("2024-10-12")


def test_a_calendar_deadline_on_a_working_day_is_not_moved() -> None:
    assert CAL.add_calendar_days(d("2025-03-03"), 30).due == d("2025-04-02")


def test_zero_calendar_days_from_a_holiday_still_rolls_to_a_working_day() -> None:
    assert CAL.add_calendar_days(d("2024-10-03"), 0).due == d("2024-10-08")


def test_calendar_days_between_is_the_plain_difference() -> None:
    assert CAL.calendar_days_between(d("2024-09-01"), d("2024-10-01")) == 30
    assert CAL.calendar_days_between(d("2024-10-01"), d("2024-09-01")) == -30
    assert StatutoryCalendar.calendar_days_between(d("2024-12-31"), d("2025-01-01")) == 1


# --- working days --------------------------------------------------------------------------------

def test_seven_working_days_across_national_day_count_both_swapped_weekend_days() -> None:
    # Fri 09-27 → Sun 09-29 (worked, 1), Mon 09-30 (2), 10-01..07 off, 10-08..11 (3–6), Sat 10-12 (7).
    dl = CAL.add_working_days(d("2024-09-27"), 7, "R11 Art. 26 ¶2")
    assert dl.due == d("2024-10-12")
    assert dl.unit == "working_days"
    assert not dl.provisional
    assert CAL.working_days_between(d("2024-09-27"), d("2024-10-12")) == (7, False)


def test_a_swapped_working_saturday_counts_as_a_working_day() -> None:
    # 2026 Spring Festival (from the package): 02-15..02-23 off, Saturday 02-14 worked.
    assert CAL.is_working_day(d("2026-02-14"))
    assert CAL.add_working_days(d("2026-02-13"), 1).due == d("2026-02-14")
    assert CAL.add_working_days(d("2026-02-13"), 2).due == d("2026-02-24")
    # (02-13, 02-28]: Sat 14, Tue 24 … Fri 27, and Saturday 28 (also worked) = 6
    assert CAL.working_days_between(d("2026-02-13"), d("2026-02-28")) == (6, False)


def test_working_days_skip_the_2025_spring_festival() -> None:
    # 国办发明电〔2024〕12号: 01-28..02-04 off, Sunday 01-26 and Saturday 02-08 worked.
    assert CAL.add_working_days(d("2025-01-24"), 3).due == d("2025-02-05")
    assert CAL.add_working_days(d("2025-02-05"), 3).due == d("2025-02-08")


def test_working_days_exclude_the_start_day() -> None:
    assert CAL.add_working_days(d("2024-03-04"), 1).due == d("2024-03-05")
    assert CAL.working_days_between(d("2024-03-04"), d("2024-03-04")) == (0, False)
    assert CAL.working_days_between(d("2024-03-04"), d("2024-03-05")) == (1, False)


def test_zero_working_days_is_the_start_day_itself() -> None:
    assert CAL.add_working_days(d("2024-10-05"), 0).due == d("2024-10-05")


def test_working_days_between_a_later_and_an_earlier_day_is_negative() -> None:
    assert CAL.working_days_between(d("2024-10-12"), d("2024-09-27")) == (-7, False)


def test_negative_periods_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        CAL.add_calendar_days(d("2024-03-04"), -1)
    with pytest.raises(ValueError, match="negative"):
        CAL.add_working_days(d("2024-03-04"), -1)


# --- provisional years ---------------------------------------------------------------------------

def test_review_opened_on_2026_12_24_is_provisional_until_the_2027_notice_is_added() -> None:
    start = d("2026-12-24")  # Thursday
    assert LAST_PACKAGE_YEAR == 2026, "the package now covers 2027: move this test to its first missing year"
    before = CAL.add_working_days(start, 7, "R11 Art. 26 ¶2")
    # weekends alone: 12-25, 12-28..31, Fri 2027-01-01, Mon 01-04
    assert before.due == d("2027-01-04")
    assert before.provisional
    assert CAL.working_days_between(start, before.due) == (7, True)

    cal = CAL.with_year(parse_year_file(fixture_text()))
    after = cal.add_working_days(start, 7, "R11 Art. 26 ¶2")
    # the fixture's 元旦 (01-01..03) is a rest day, so the seventh working day is Tuesday 01-05
    assert after.due == d("2027-01-05")
    assert not after.provisional
    assert cal.working_days_between(start, after.due) == (7, False)
    assert CAL.add_working_days(start, 7).provisional  # the old calendar is unchanged


def test_a_calendar_deadline_in_a_year_without_an_arrangement_is_provisional() -> None:
    dl = CAL.add_calendar_days(d("2026-12-20"), 30)
    assert dl.due == d("2027-01-19")
    assert dl.provisional
    assert not CAL.add_calendar_days(d("2026-11-20"), 30).provisional


def test_fixture_workday_and_holidays_are_respected_once_added() -> None:
    cal = CAL.with_year(parse_year_file(fixture_text()))
    assert cal.has_year(2027) and cal.is_official(d("2027-06-01"))
    assert not cal.is_working_day(d("2027-02-08"))  # a Monday in the fixture's 春节
    assert cal.is_working_day(d("2027-02-13"))  # the fixture's swapped Saturday
    # 01-04 + 32 = 02-05, the fixture's first 春节 day; rest through Thursday 02-11
    assert cal.add_calendar_days(d("2027-01-04"), 32).due == d("2027-02-12")
    assert CAL.add_calendar_days(d("2027-01-04"), 32).due == d("2027-02-05")


# --- the calendar and the deadline as values -------------------------------------------------------

def test_with_year_returns_a_new_calendar_and_replaces_that_year() -> None:
    extra = parse_year_file(fixture_text())
    cal = CAL.with_year(extra)
    assert cal is not CAL and not CAL.has_year(2027) and cal.has_year(2027)
    assert cal.years() == (*CAL.years(), 2027)
    replaced = cal.with_year(dataclasses.replace(extra, holidays=frozenset({d("2027-01-01")})))
    assert replaced.is_working_day(d("2027-02-08"))
    with pytest.raises(AttributeError):
        CAL._years = {}


def test_the_same_year_twice_in_a_new_calendar_is_refused() -> None:
    arr = parse_year_file(fixture_text())
    with pytest.raises(CalendarDataInvalid, match="2027"):
        StatutoryCalendar([arr, arr])


def test_is_on_time_includes_the_due_day() -> None:
    dl = CAL.add_working_days(d("2024-09-27"), 7)
    assert CAL.is_on_time(dl, d("2024-10-11"))
    assert CAL.is_on_time(dl, d("2024-10-12"))
    assert not CAL.is_on_time(dl, d("2024-10-13"))


def test_deadline_to_dict_is_json_friendly() -> None:
    dl = CAL.add_working_days(d("2026-12-24"), 7, "R11 Art. 26 ¶2")
    out = dl.to_dict()
    assert out == {"due": "2027-01-04", "unit": "working_days", "days": 7, "start": "2026-12-24",
                   "provisional": True, "basis": "R11 Art. 26 ¶2"}
    assert json.loads(json.dumps(out)) == out


# --- operator year files -------------------------------------------------------------------------

def test_the_fixture_year_file_parses_and_declares_itself_a_test_fixture() -> None:
    arr = parse_year_file(fixture_text())
    assert arr.year == 2027
    assert "TEST FIXTURE" in arr.source
    assert d("2027-01-01") in arr.holidays and len(arr.holidays) == 10
    assert arr.workdays == frozenset({d("2027-02-13")})


def test_toml_native_dates_are_accepted() -> None:
    text = ('year = 2027\nsource = "test"\npublished = 2026-11-10\n'
            '[[holiday]]\nname = "元旦"\ndates = [2027-01-01]\n'
            '[[workday]]\ndate = 2027-02-13\nreason = "调休"\n')
    arr = parse_year_file(text)
    assert arr.holidays == frozenset({d("2027-01-01")}) and arr.workdays == frozenset({d("2027-02-13")})


def test_load_calendar_lets_an_explicit_operator_file_replace_a_package_year(tmp_path: Path) -> None:
    f = tmp_path / "2024.toml"
    f.write_text('year = 2024\nsource = "operator test file"\npublished = "2023-10-25"\n'
                 '[[holiday]]\nname = "国庆节 (test)"\ndates = ["2024-10-01"]\n', encoding="utf-8")
    cal = load_calendar([str(f)])
    assert cal.is_working_day(d("2024-10-02"))  # the replacement drops the package's 10-02
    assert not cal.is_working_day(d("2024-10-01"))
    assert load_calendar([str(FIXTURE)]).has_year(2027)


def test_load_calendar_refuses_two_files_for_the_same_year(tmp_path: Path) -> None:
    other = tmp_path / "again.toml"
    other.write_text(fixture_text(), encoding="utf-8")
    with pytest.raises(CalendarDataInvalid, match="2027"):
        load_calendar([str(FIXTURE), str(other)])


def test_load_calendar_names_the_bad_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("year = 2027\n", encoding="utf-8")
    with pytest.raises(CalendarDataInvalid, match=r"bad\.toml"):
        load_calendar([str(bad)])


GOOD_HEAD = 'year = 2027\nsource = "test"\npublished = "2026-11-10"\n'
GOOD_HOLIDAY = '[[holiday]]\nname = "元旦"\ndates = ["2027-01-01", "2027-01-02", "2027-01-03"]\n'


@pytest.mark.parametrize(("text", "message"), [
    pytest.param("year = 2027\nsource = \n", "not valid TOML", id="toml-syntax"),
    pytest.param(GOOD_HEAD + 'notes = "x"\n' + GOOD_HOLIDAY, "'notes'", id="unknown-top-key"),
    pytest.param(GOOD_HEAD + '[[holiday]]\nname = "元旦"\ndates = ["2027-01-01"]\nday = 1\n',
                 r"holiday #1.*'day'", id="unknown-holiday-key"),
    pytest.param(GOOD_HEAD + GOOD_HOLIDAY + '[[workday]]\ndate = "2027-02-13"\nreason = "x"\nwhy = "y"\n',
                 r"workday #1.*'why'", id="unknown-workday-key"),
    pytest.param('source = "t"\npublished = "2026-11-10"\n' + GOOD_HOLIDAY, "missing 'year'",
                 id="missing-year"),
    pytest.param('year = 2027\npublished = "2026-11-10"\n' + GOOD_HOLIDAY, "missing 'source'",
                 id="missing-source"),
    pytest.param('year = 2027\nsource = "t"\n' + GOOD_HOLIDAY, "missing 'published'", id="missing-published"),
    pytest.param(GOOD_HEAD, "missing 'holiday'", id="missing-holidays"),
    pytest.param(GOOD_HEAD.replace("2027", '"2027"', 1) + GOOD_HOLIDAY, "year: must be an integer",
                 id="year-as-string"),
    pytest.param(GOOD_HEAD.replace("year = 2027", "year = true") + GOOD_HOLIDAY, "year: must be an integer",
                 id="year-as-bool"),
    pytest.param(GOOD_HEAD.replace('"test"', '"  "') + GOOD_HOLIDAY, "source", id="blank-source"),
    pytest.param(GOOD_HEAD.replace('"test"', "3") + GOOD_HOLIDAY, "source", id="source-not-string"),
    pytest.param(GOOD_HEAD.replace("2026-11-10", "10 Nov 2026") + GOOD_HOLIDAY, "published",
                 id="published-not-a-date"),
    pytest.param(GOOD_HEAD.replace("2026-11-10", "2028-01-02") + GOOD_HOLIDAY, "published.*after",
                 id="published-after-the-year"),
    pytest.param(GOOD_HEAD.replace('"2026-11-10"', "2026-11-10T09:00:00") + GOOD_HOLIDAY, "date-time",
                 id="published-datetime"),
    pytest.param(GOOD_HEAD + 'holiday = "元旦"\n', "holiday: must be", id="holiday-not-tables"),
    pytest.param(GOOD_HEAD + 'holiday = []\n', "holiday: must be", id="holiday-empty"),
    pytest.param(GOOD_HEAD + '[[holiday]]\ndates = ["2027-01-01"]\n', r"holiday #1.*'name'",
                 id="holiday-without-name"),
    pytest.param(GOOD_HEAD + '[[holiday]]\nname = "元旦"\n', r"holiday #1 \(元旦\).*'dates'",
                 id="holiday-without-dates"),
    pytest.param(GOOD_HEAD + '[[holiday]]\nname = "元旦"\ndates = "2027-01-01"\n', r"元旦.*'dates'",
                 id="holiday-dates-not-a-list"),
    pytest.param(GOOD_HEAD + '[[holiday]]\nname = "元旦"\ndates = []\n', r"元旦.*'dates'",
                 id="holiday-dates-empty"),
    pytest.param(GOOD_HEAD + '[[holiday]]\nname = "春节"\ndates = ["2027-02-30"]\n',
                 r"春节\) dates\[1\].*2027-02-30.*not a date", id="impossible-date"),
    pytest.param(GOOD_HEAD + '[[holiday]]\nname = "春节"\ndates = [20270206]\n', r"春节.*not a date",
                 id="date-as-number"),
    pytest.param(GOOD_HEAD + '[[holiday]]\nname = "元旦"\ndates = ["2026-12-31", "2027-01-01"]\n',
                 r"元旦\) dates\[1\].*2026-12-31.*outside the year 2027", id="holiday-outside-year"),
    pytest.param(GOOD_HEAD + '[[holiday]]\nname = "元旦"\ndates = ["2027-01-01", "2027-01-01"]\n',
                 r"dates\[2\].*2027-01-01.*already listed", id="holiday-listed-twice"),
    pytest.param(GOOD_HEAD + GOOD_HOLIDAY + '[[holiday]]\nname = "春节"\ndates = ["2027-01-03"]\n',
                 r"holiday #2 \(春节\).*2027-01-03.*already listed as holiday #1", id="holidays-overlap"),
    pytest.param(GOOD_HEAD + GOOD_HOLIDAY + '[[workday]]\ndate = "2027-01-02"\nreason = "x"\n',
                 r"workday #1 \(2027-01-02\).*already listed as holiday #1", id="workday-is-a-holiday"),
    pytest.param(GOOD_HEAD + GOOD_HOLIDAY + '[[workday]]\ndate = "2027-02-08"\nreason = "春节调休"\n',
                 r"workday #1 \(2027-02-08\).*Monday.*Saturday or Sunday", id="workday-on-a-weekday"),
    pytest.param(GOOD_HEAD + GOOD_HOLIDAY + '[[workday]]\ndate = "2028-02-12"\nreason = "x"\n',
                 r"workday #1.*outside the year 2027", id="workday-outside-year"),
    pytest.param(GOOD_HEAD + GOOD_HOLIDAY + '[[workday]]\ndate = "2027-02-13"\nreason = "x"\n'
                 '[[workday]]\ndate = "2027-02-13"\nreason = "y"\n', r"workday #2.*already listed as workday #1",
                 id="workday-listed-twice"),
    pytest.param(GOOD_HEAD + GOOD_HOLIDAY + '[[workday]]\ndate = "2027-02-13"\n', r"workday #1.*'reason'",
                 id="workday-without-reason"),
    pytest.param(GOOD_HEAD + GOOD_HOLIDAY + '[[workday]]\nreason = "x"\n', r"workday #1: missing 'date'",
                 id="workday-without-date"),
    pytest.param(GOOD_HEAD + GOOD_HOLIDAY + 'workday = ["2027-02-13"]\n', "workday", id="workday-not-tables"),
])
def test_an_invalid_year_file_is_refused_naming_the_bad_item(text: str, message: str) -> None:
    with pytest.raises(CalendarDataInvalid, match=message):
        parse_year_file(text)


def test_a_well_formed_year_file_differing_only_by_the_bad_item_is_accepted() -> None:
    arr = parse_year_file(GOOD_HEAD + GOOD_HOLIDAY + '[[workday]]\ndate = "2027-02-13"\nreason = "x"\n')
    assert arr.year == 2027 and len(arr.holidays) == 3 and len(arr.workdays) == 1


@pytest.mark.parametrize(("holidays", "workdays", "message"), [
    pytest.param({d("2026-12-31")}, set(), "outside the year", id="holiday-outside-year"),
    pytest.param(set(), {d("2028-01-01")}, "outside the year", id="workday-outside-year"),
    pytest.param({d("2027-01-02")}, {d("2027-01-02")}, "both holiday and workday", id="overlap"),
    pytest.param(set(), {d("2027-01-04")}, "Monday, not a Saturday or Sunday", id="weekday-workday"),
])
def test_a_year_arrangement_that_no_notice_could_contain_is_refused(
        holidays: set[date], workdays: set[date], message: str) -> None:
    with pytest.raises(CalendarDataInvalid, match=message):
        YearArrangement(year=2027, holidays=frozenset(holidays), workdays=frozenset(workdays), source="test")


def test_calendar_data_invalid_is_a_value_error() -> None:
    assert issubclass(CalendarDataInvalid, ValueError)


# --- properties ----------------------------------------------------------------------------------

CAL_2027 = CAL.with_year(parse_year_file(fixture_text()))
starts = st.dates(min_value=date(2003, 6, 1), max_value=date(2029, 12, 31))
calendars = st.sampled_from([CAL, CAL_2027, StatutoryCalendar()])


@settings(max_examples=300, deadline=None)
@given(cal=calendars, start=starts, days=st.integers(min_value=0, max_value=400))
def test_a_calendar_deadline_is_never_before_start_plus_days_and_is_a_working_day(
        cal: StatutoryCalendar, start: date, days: int) -> None:
    dl = cal.add_calendar_days(start, days)
    assert dl.due >= start + timedelta(days=days)
    assert cal.is_working_day(dl.due)
    # nothing earlier than the due day and on or after start + days is a working day (Art. 203)
    day = start + timedelta(days=days)
    while day < dl.due:
        assert not cal.is_working_day(day)
        day += timedelta(days=1)


@settings(max_examples=300, deadline=None)
@given(cal=calendars, start=starts, days=st.integers(min_value=1, max_value=400))
def test_working_days_between_start_and_due_is_the_period_and_due_is_a_working_day(
        cal: StatutoryCalendar, start: date, days: int) -> None:
    dl = cal.add_working_days(start, days)
    assert cal.is_working_day(dl.due)
    assert cal.working_days_between(start, dl.due) == (days, dl.provisional)
    assert cal.working_days_between(start, dl.due - timedelta(days=1))[0] == days - 1


@settings(max_examples=300, deadline=None)
@given(cal=calendars, a=starts, b=starts)
def test_working_days_between_counts_each_working_day_once(cal: StatutoryCalendar, a: date, b: date) -> None:
    lo, hi = min(a, b), max(a, b)
    if (hi - lo).days > 800:
        hi = lo + timedelta(days=800)
    count, provisional = cal.working_days_between(lo, hi)
    days = [lo + timedelta(days=i) for i in range(1, (hi - lo).days + 1)]
    assert count == sum(cal.is_working_day(x) for x in days)
    assert provisional == any(not cal.is_official(x) for x in days)
    assert cal.working_days_between(hi, lo) == (-count, provisional)
