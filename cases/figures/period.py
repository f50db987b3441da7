"""The period a report covers: a reporting year (April to March unless the board says otherwise) or any two
dates, and its months."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from cases.calendar import add_months
from errors import BadInput

_SPLIT_YEAR = re.compile(r"^(\d{4})\s*[-/]\s*(\d{2}|\d{4})$")
_ONE_YEAR = re.compile(r"^(\d{4})$")


@dataclass(frozen=True)
class Month:
    first: date
    last: date

    @property
    def label(self) -> str:
        return self.first.strftime("%b %Y")


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive
    label: str

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    def months(self) -> list[Month]:
        """Each calendar month the period touches, cut to the period."""
        found: list[Month] = []
        first = self.start
        while first <= self.end:
            next_first = add_months(first.replace(day=1), 1)
            found.append(Month(first, min(next_first - timedelta(days=1), self.end)))
            first = next_first
        return found


def year_example(start_month: int) -> str:
    return "2026" if start_month == 1 else "2026-27"


def year_starting(year: int, start_month: int) -> Period:
    start = date(year, start_month, 1)
    end = add_months(start, 12) - timedelta(days=1)
    label = str(year) if start_month == 1 else f"{year}-{str(year + 1)[2:]}"
    return Period(start, end, label)


def reporting_year(text: str, *, start_month: int = 4) -> Period:
    """ "2026-27" (or 2026/27, 2026-2027): the reporting year that starts in `start_month` of 2026. A board
    whose year is the calendar year (start month 1) writes "2026"."""
    written = text.strip()
    example = year_example(start_month)
    wrong = BadInput(f"{written!r} is not a reporting year; write it like {example}", field="year")
    if start_month == 1:
        plain = _ONE_YEAR.match(written)
        if plain is None:
            raise wrong
        return year_starting(int(plain.group(1)), 1)
    split = _SPLIT_YEAR.match(written)
    if split is None:
        raise wrong
    first, second = int(split.group(1)), split.group(2)
    following = first + 1
    if (int(second) if len(second) == 4 else int(str(following)[:2] + second)) != following:
        raise BadInput(f"{written!r}: a reporting year runs into the next year, like {example}", field="year")
    return year_starting(first, start_month)


def year_of(day: date, *, start_month: int = 4) -> Period:
    """The reporting year `day` falls in."""
    year = day.year if day.month >= start_month else day.year - 1
    return year_starting(year, start_month)


def between(start: date, end: date) -> Period:
    if end < start:
        raise BadInput(f"the period ends ({end}) before it starts ({start})", field="to")
    return Period(start, end, f"{start:%-d %b %Y} to {end:%-d %b %Y}")
