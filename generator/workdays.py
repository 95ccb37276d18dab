"""The official working-day calendar used to count publicity periods.

A day is a working day iff it is a make-up working day (调休上班) or it is Monday to
Friday and not an official day off. Each year's arrangement comes from the State
Council notice (国务院办公厅关于YYYY年部分节假日安排的通知): through the
`chinesecalendar` package for the years it knows, through data/calendar.yaml for the
others. A date in a year neither knows raises UnknownYearError: never a guess.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import chinese_calendar  # type: ignore[import-untyped]  # no stubs or py.typed

CALENDAR_DATA_FILE = "data/calendar.yaml"


class UnknownYearError(Exception):
    """A period reaches a year whose holiday arrangement nobody has loaded."""

    def __init__(self, year: int, source: str = CALENDAR_DATA_FILE) -> None:
        self.year = year
        super().__init__(
            f"{year}年的节假日安排未知：chinesecalendar 不含该年，{source} 也没有。"
            f"请按国务院办公厅发布的{year}年部分节假日安排通知补充 {source}"
            f"（registry calendar add {year} 生成该年的骨架）。"
        )


@dataclass(frozen=True)
class YearArrangement:
    """One year's notice: every official day off and every make-up working day.

    A notice may list a date in a neighbouring year (the 2012 notice made
    2011-12-31 a make-up working day), so dates are not required to fall in `year`.
    """

    year: int
    holidays: frozenset[date]
    workdays: frozenset[date]

    def __post_init__(self) -> None:
        both = self.holidays & self.workdays
        if both:
            days = "、".join(d.isoformat() for d in sorted(both))
            raise ValueError(f"{self.year}年安排中 {days} 既是放假日又是调休上班日")


def _to_date(value: str | date) -> date:
    # YAML 1.1 loaders turn unquoted 2027-01-01 into a date; accept either form.
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"日期“{value}”不存在或格式不是 YYYY-MM-DD") from None


def _days(entry: Mapping[str, Any], kind: str) -> frozenset[date]:
    """`kind` (holidays or workdays) of the year, flat and festival by festival."""
    listed = list(entry.get(kind) or ())
    for festival in entry.get("festivals") or ():
        listed += festival.get(kind) or ()
    return frozenset(_to_date(d) for d in listed)


def _arrangement_from_entry(entry: Mapping[str, Any]) -> YearArrangement:
    holidays = _days(entry, "holidays")
    if not holidays:
        raise ValueError(
            f"{entry['year']}年没有任何放假日：请按通知逐日填写 holidays（或 festivals 中各节日的 holidays）"
        )
    return YearArrangement(
        year=int(entry["year"]), holidays=holidays, workdays=_days(entry, "workdays")
    )


def arrangements_from_data(data: Mapping[str, Any]) -> list[YearArrangement]:
    """Arrangements from the plain-dict form of data/calendar.yaml (already schema-valid)."""
    entries = data.get("years") or ()
    return sorted((_arrangement_from_entry(e) for e in entries), key=lambda a: a.year)


def _package_years() -> frozenset[int]:
    known = chinese_calendar.holidays.keys()
    return frozenset(range(min(known).year, max(known).year + 1))


def known_package_years() -> frozenset[int]:
    """The years the chinesecalendar package knows."""
    return _package_years()


class Calendar:
    """Working days from chinesecalendar, with `extra` years taking precedence.

    `source` names the file the extra years come from, for the message about a year
    neither knows."""

    def __init__(
        self, extra: Iterable[YearArrangement] = (), source: str = CALENDAR_DATA_FILE
    ) -> None:
        self.source = source
        arrangements = list(extra)
        years = [a.year for a in arrangements]
        duplicates = sorted({y for y in years if years.count(y) > 1})
        if duplicates:
            raise ValueError(
                f"同一年份的节假日安排出现了多次：{'、'.join(f'{y}年' for y in duplicates)}"
            )
        self._extra_years = frozenset(years)
        self._holidays = frozenset().union(*(a.holidays for a in arrangements))
        self._workdays = frozenset().union(*(a.workdays for a in arrangements))
        self._memo: dict[date, bool] = {}

    def known_years(self) -> frozenset[int]:
        return _package_years() | self._extra_years

    def is_workday(self, d: date) -> bool:
        if d not in self._memo:
            self._memo[d] = self._compute_is_workday(d)
        return self._memo[d]

    def _compute_is_workday(self, d: date) -> bool:
        if d in self._workdays:
            return True
        if d in self._holidays:
            return False
        if d.year in self._extra_years:
            return d.weekday() < 5
        try:
            return bool(chinese_calendar.is_workday(d))
        except NotImplementedError:
            raise UnknownYearError(d.year, self.source) from None

    def end_of_period(self, start: date, n: int) -> date:
        """Last day of a period of `n` working days counted inclusively from `start`.

        `start` counts if it is a working day; otherwise counting begins at the next one.
        """
        if n < 1:
            raise ValueError(f"工作日数应至少为1，实际为{n}")
        day, counted = start, 0
        while True:
            if self.is_workday(day):
                counted += 1
                if counted == n:
                    return day
            day += timedelta(days=1)
