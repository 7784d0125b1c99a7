"""Official holiday years: from the `chinesecalendar` package and from operator year files (TOML).

Precedence (later wins, one year at a time):
1. the installed `chinesecalendar` package, for every year its data covers;
2. year files shipped in `decision_engine/calendar_data/<year>.toml` (none ship today);
3. year files the operator passes explicitly to `load_calendar` (and, in bootstrap, years recorded
   with `decide calendar add-year`). An explicit file replaces the package's year on purpose: the
   operator has the State Council notice in hand, including a supplementary notice the package may
   lag behind (e.g. 国办发明电〔2020〕1号 extending the 2020 Spring Festival).
The file format is described in `decision_engine/calendar_data/README.md`.
"""

from __future__ import annotations

import functools
import importlib.metadata
import tomllib
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from decision_engine.domain.calendar import CalendarDataInvalid, StatutoryCalendar, YearArrangement

SHIPPED_DIR = Path(__file__).resolve().parent.parent / "calendar_data"

_TOP_KEYS = {"year": "an integer", "source": "a string", "published": "a date",
             "holiday": "an array of [[holiday]] tables", "workday": "an array of [[workday]] tables"}
_HOLIDAY_KEYS = {"name", "dates"}
_WORKDAY_KEYS = {"date", "reason"}


def package_years() -> list[YearArrangement]:
    """One arrangement per year covered by the installed `chinesecalendar` package."""
    return list(_package_years())


@functools.cache
def _package_years() -> tuple[YearArrangement, ...]:
    """Read the package's data once; the covered range comes from the data, not from a constant."""
    import chinese_calendar

    holidays: set[date] = set(chinese_calendar.holidays)
    workdays: set[date] = set(chinese_calendar.workdays)
    if not holidays:
        return ()
    source = f"chinesecalendar {importlib.metadata.version('chinesecalendar')}"
    # The package itself treats [min year, max year] of its holidays as its supported range.
    first = min(d.year for d in holidays)
    last = max(d.year for d in holidays)
    return tuple(
        YearArrangement(year=y, holidays=frozenset(d for d in holidays if d.year == y),
                        workdays=frozenset(d for d in workdays if d.year == y), source=source)
        for y in range(first, last + 1))


def parse_year_file(text: str) -> YearArrangement:
    """Parse and strictly validate an operator year file (TOML); errors name the bad item."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CalendarDataInvalid(f"year file is not valid TOML: {exc}") from exc
    _no_unknown_keys(doc, set(_TOP_KEYS), "year file")
    for key in ("year", "source", "published", "holiday"):
        if key not in doc:
            raise CalendarDataInvalid(f"year file: missing {key!r} ({_TOP_KEYS[key]})")
    year = doc["year"]
    if not isinstance(year, int) or isinstance(year, bool) or not 1 <= year <= 9999:
        raise CalendarDataInvalid(f"year: must be an integer year, not {year!r}")
    source = doc["source"]
    if not isinstance(source, str) or not source.strip():
        raise CalendarDataInvalid("source: must name the notice (e.g. 国务院办公厅关于…的通知, 国办发明电〔…〕N号)")
    published = _date(doc["published"], "published")
    if published.year > year:
        raise CalendarDataInvalid(f"published: {published.isoformat()} is after the year {year} it arranges")

    seen: dict[date, str] = {}
    holidays = _holidays(doc["holiday"], year, seen)
    workdays = _workdays(doc.get("workday", []), year, seen)
    try:
        return YearArrangement(year=year, holidays=frozenset(holidays), workdays=frozenset(workdays),
                               source=source.strip())
    except CalendarDataInvalid as exc:  # already checked item by item; kept as a backstop
        raise CalendarDataInvalid(f"year file: {exc}") from exc


def _holidays(value: Any, year: int, seen: dict[date, str]) -> list[date]:
    """The [[holiday]] groups: each a name and a non-empty list of rest days in the year."""
    if not isinstance(value, list) or not value:
        raise CalendarDataInvalid("holiday: must be a non-empty array of [[holiday]] tables")
    out: list[date] = []
    for i, group in enumerate(value, 1):
        where = f"holiday #{i}"
        if not isinstance(group, dict):
            raise CalendarDataInvalid(f"{where}: must be a [[holiday]] table, not {group!r}")
        _no_unknown_keys(group, _HOLIDAY_KEYS, where)
        name = group.get("name")
        if not isinstance(name, str) or not name.strip():
            raise CalendarDataInvalid(f"{where}: 'name' must be a non-empty string (e.g. \"春节\")")
        where = f"holiday #{i} ({name.strip()})"
        dates = group.get("dates")
        if not isinstance(dates, list) or not dates:
            raise CalendarDataInvalid(f"{where}: 'dates' must be a non-empty array of dates")
        for j, raw in enumerate(dates, 1):
            d = _date(raw, f"{where} dates[{j}]")
            _claim(d, f"{where} dates[{j}]", year, seen)
            out.append(d)
    return out


def _workdays(value: Any, year: int, seen: dict[date, str]) -> list[date]:
    """The [[workday]] entries: swapped working Saturdays and Sundays (调休上班), each with a reason."""
    if not isinstance(value, list):
        raise CalendarDataInvalid("workday: must be an array of [[workday]] tables")
    out: list[date] = []
    for i, entry in enumerate(value, 1):
        where = f"workday #{i}"
        if not isinstance(entry, dict):
            raise CalendarDataInvalid(f"{where}: must be a [[workday]] table, not {entry!r}")
        _no_unknown_keys(entry, _WORKDAY_KEYS, where)
        if "date" not in entry:
            raise CalendarDataInvalid(f"{where}: missing 'date'")
        d = _date(entry["date"], f"{where} date")
        where = f"workday #{i} ({d.isoformat()})"
        reason = entry.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            raise CalendarDataInvalid(f"{where}: 'reason' must be a non-empty string (e.g. \"春节调休\")")
        _claim(d, where, year, seen)
        if d.weekday() < 5:
            raise CalendarDataInvalid(f"{where}: is a {d.strftime('%A')}; a swapped working day "
                                      "(调休上班) must be a Saturday or Sunday")
        out.append(d)
    return out


def _claim(d: date, where: str, year: int, seen: dict[date, str]) -> None:
    """A date belongs to the file's year and appears once across all holidays and workdays."""
    if d.year != year:
        raise CalendarDataInvalid(f"{where}: {d.isoformat()} lies outside the year {year}")
    if d in seen:
        raise CalendarDataInvalid(f"{where}: {d.isoformat()} is already listed as {seen[d]}")
    seen[d] = where


def _date(value: Any, where: str) -> date:
    """A TOML local date or an ISO 8601 date string (YYYY-MM-DD); never a date-time."""
    if isinstance(value, datetime):
        raise CalendarDataInvalid(f"{where}: {value!r} is a date-time; give a date (YYYY-MM-DD)")
    if isinstance(value, date):
        return value
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise CalendarDataInvalid(f"{where}: {value!r} is not a date (YYYY-MM-DD)")


def _no_unknown_keys(table: dict[str, Any], allowed: set[str], where: str) -> None:
    """Strict schema: a misspelt key is an error, not silently ignored."""
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise CalendarDataInvalid(f"{where}: unknown key(s) {', '.join(map(repr, unknown))}; "
                                  f"allowed: {', '.join(sorted(allowed))}")


def load_calendar(extra_year_files: Iterable[str] = ()) -> StatutoryCalendar:
    """Package years, then shipped year files, then the operator's explicit files (each replacing its year)."""
    cal = StatutoryCalendar(_package_years())
    for path in sorted(SHIPPED_DIR.glob("[0-9][0-9][0-9][0-9].toml")):
        cal = cal.with_year(_read(path))
    explicit: dict[int, str] = {}
    for name in extra_year_files:
        arr = _read(Path(name))
        if arr.year in explicit:
            raise CalendarDataInvalid(f"{name}: year {arr.year} is also given by {explicit[arr.year]}")
        explicit[arr.year] = name
        cal = cal.with_year(arr)
    return cal


def _read(path: Path) -> YearArrangement:
    """Parse one year file, naming the file in any error."""
    try:
        return parse_year_file(path.read_text(encoding="utf-8"))
    except CalendarDataInvalid as exc:
        raise CalendarDataInvalid(f"{path}: {exc}") from exc
