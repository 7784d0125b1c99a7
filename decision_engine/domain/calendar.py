"""The statutory calendar: calendar and working days on the official holiday arrangement (pure, stdlib only).

Counting follows Civil Code (民法典) Art. 201 (the start day is not counted) and Art. 203 (a period
whose last day is a statutory holiday ends on the day after the holiday); Order 713 is silent, so this
is an inference (ORDER-713-RULES.md §2). Working days use the State Council's annual notice
(国务院办公厅关于部分节假日安排的通知): official holidays are rest days, swapped working weekends
(调休上班) are working days. A year without a notice is counted on weekends alone and every deadline
that depends on it is marked provisional (DESIGN.md principle 7).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from types import MappingProxyType
from typing import Literal

Unit = Literal["calendar_days", "working_days"]

_ONE_DAY = timedelta(days=1)
_SATURDAY = 5  # date.weekday(): Monday == 0 … Saturday == 5, Sunday == 6


class CalendarDataInvalid(ValueError):
    """An official year arrangement that cannot be right (wrong year, overlap, weekday workday)."""


@dataclass(frozen=True, slots=True)
class YearArrangement:
    """One year's official arrangement: rest days (holidays) and swapped working weekends, with its source."""

    year: int
    holidays: frozenset[date]
    workdays: frozenset[date]
    source: str

    def __post_init__(self) -> None:
        """Reject an arrangement that no State Council notice could contain."""
        if not isinstance(self.year, int) or isinstance(self.year, bool) or not 1 <= self.year <= 9999:
            raise CalendarDataInvalid(f"year must be an integer between 1 and 9999, not {self.year!r}")
        if not isinstance(self.source, str) or not self.source.strip():
            raise CalendarDataInvalid(f"{self.year}: source must name the notice or package the dates come from")
        for name, dates in (("holiday", self.holidays), ("workday", self.workdays)):
            if not isinstance(dates, frozenset):
                raise CalendarDataInvalid(f"{self.year}: {name}s must be a frozenset of dates")
            for d in sorted(dates, key=_sort_key):
                if not isinstance(d, date) or hasattr(d, "hour"):  # datetime is a date subclass
                    raise CalendarDataInvalid(f"{self.year}: {name} {d!r} is not a date")
                if d.year != self.year:
                    raise CalendarDataInvalid(f"{self.year}: {name} {d.isoformat()} lies outside the year")
        both = self.holidays & self.workdays
        if both:
            listed = ", ".join(d.isoformat() for d in sorted(both))
            raise CalendarDataInvalid(f"{self.year}: dates both holiday and workday: {listed}")
        for d in sorted(self.workdays):
            if d.weekday() < _SATURDAY:  # 调休上班 only ever moves work onto a Saturday or Sunday
                raise CalendarDataInvalid(f"{self.year}: workday {d.isoformat()} is a {d.strftime('%A')}, "
                                          "not a Saturday or Sunday")


def _sort_key(d: object) -> str:
    """Order mixed, possibly invalid items so that error messages are deterministic."""
    return d.isoformat() if isinstance(d, date) else repr(d)


@dataclass(frozen=True, slots=True)
class Deadline:
    """A computed statutory deadline: the last day on time, how it was counted, and whether it may move."""

    due: date
    unit: Unit
    days: int
    start: date
    provisional: bool
    basis: str = ""

    def to_dict(self) -> dict[str, str | int | bool]:
        """JSON-friendly form (dates as ISO 8601 strings)."""
        return {"due": self.due.isoformat(), "unit": self.unit, "days": self.days,
                "start": self.start.isoformat(), "provisional": self.provisional, "basis": self.basis}


class StatutoryCalendar:
    """Official year arrangements; years without one are counted on weekends alone (provisional)."""

    __slots__ = ("_years",)

    _years: Mapping[int, YearArrangement]

    def __init__(self, years: Iterable[YearArrangement] = ()) -> None:
        by_year: dict[int, YearArrangement] = {}
        for arr in years:
            if not isinstance(arr, YearArrangement):
                raise CalendarDataInvalid(f"not a YearArrangement: {arr!r}")
            if arr.year in by_year:
                raise CalendarDataInvalid(f"{arr.year}: given twice ({by_year[arr.year].source!r} and "
                                          f"{arr.source!r}); use with_year() to replace a year")
            by_year[arr.year] = arr
        object.__setattr__(self, "_years", MappingProxyType(by_year))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("StatutoryCalendar is immutable; use with_year()")

    def __repr__(self) -> str:
        ys = self.years()
        span = f"{ys[0]}–{ys[-1]}, {len(ys)} years" if ys else "no official years"
        return f"StatutoryCalendar({span})"

    def with_year(self, arrangement: YearArrangement) -> StatutoryCalendar:
        """A new calendar with this year's arrangement added, replacing any earlier one for the year."""
        merged = {y: a for y, a in self._years.items() if y != arrangement.year}
        merged[arrangement.year] = arrangement
        return StatutoryCalendar(merged[y] for y in sorted(merged))

    def has_year(self, year: int) -> bool:
        """Whether the year has an official arrangement."""
        return year in self._years

    def years(self) -> tuple[int, ...]:
        """The years with an official arrangement, ascending."""
        return tuple(sorted(self._years))

    def arrangement(self, year: int) -> YearArrangement | None:
        """The official arrangement of a year, if any."""
        return self._years.get(year)

    def is_official(self, d: date) -> bool:
        """Whether the day's working status comes from an official arrangement (else weekends alone)."""
        return d.year in self._years

    def is_working_day(self, d: date) -> bool:
        """Whether the day is a working day: swapped weekends work, official holidays rest, else Mon–Fri."""
        arr = self._years.get(d.year)
        if arr is not None:
            if d in arr.workdays:
                return True
            if d in arr.holidays:
                return False
        return d.weekday() < _SATURDAY

    def add_calendar_days(self, start: date, days: int, basis: str = "") -> Deadline:
        """Start + days (start excluded, Art. 201), rolled forward past rest days (Art. 203)."""
        _check_days(days)
        due = start + timedelta(days=days)  # Art. 201: counting begins the day after start
        provisional = not self.is_official(due)
        while not self.is_working_day(due):  # Art. 203: the period ends on the next working day
            due += _ONE_DAY
            provisional = provisional or not self.is_official(due)
        return Deadline(due=due, unit="calendar_days", days=days, start=start, provisional=provisional,
                        basis=basis)

    def add_working_days(self, start: date, days: int, basis: str = "") -> Deadline:
        """The day on which the n-th working day after start falls (start excluded, Art. 201)."""
        _check_days(days)
        due = start
        provisional = False
        counted = 0
        while counted < days:
            due += _ONE_DAY
            provisional = provisional or not self.is_official(due)
            if self.is_working_day(due):
                counted += 1
        return Deadline(due=due, unit="working_days", days=days, start=start, provisional=provisional,
                        basis=basis)

    @staticmethod
    def calendar_days_between(a: date, b: date) -> int:
        """Calendar days from a (excluded) to b (included): (b - a).days, negative when b precedes a."""
        return (b - a).days

    def working_days_between(self, a: date, b: date) -> tuple[int, bool]:
        """Working days in (a, b] and whether any day in it lies in a year without an arrangement.

        When b precedes a the count is the negated count for (b, a].
        """
        if b < a:
            n, provisional = self.working_days_between(b, a)
            return -n, provisional
        if a == b:
            return 0, False
        count = _weekdays_in(a, b)
        provisional = False
        for year in range((a + _ONE_DAY).year, b.year + 1):
            arr = self._years.get(year)
            if arr is None:
                provisional = True
                continue
            # Official rest days falling Mon–Fri are not worked; swapped weekends are (调休).
            count -= sum(1 for d in arr.holidays if a < d <= b and d.weekday() < _SATURDAY)
            count += sum(1 for d in arr.workdays if a < d <= b)
        return count, provisional

    def is_on_time(self, deadline: Deadline, at: date) -> bool:
        """Whether an act on this day meets the deadline (the due day itself is on time)."""
        return at <= deadline.due


def _check_days(days: int) -> None:
    """A period is a non-negative whole number of days."""
    if not isinstance(days, int) or isinstance(days, bool):
        raise ValueError(f"days must be an integer, not {days!r}")
    if days < 0:
        raise ValueError(f"days must not be negative, got {days}")


def _weekdays_in(a: date, b: date) -> int:
    """Mondays to Fridays in (a, b], for a <= b."""
    total = (b - a).days
    full_weeks, rest = divmod(total, 7)
    count = full_weeks * 5
    d = a + timedelta(days=full_weeks * 7)
    for _ in range(rest):
        d += _ONE_DAY
        if d.weekday() < _SATURDAY:
            count += 1
    return count
