"""Dates as people write them in English mail: "03/12/2026", "3.12.26", "2026-12-03", "3rd Dec",
"3 December 2026", "December 3rd, 2026", "Wed 3 Dec", "today", "yesterday".

Numeric dates are day first (UK). A date without a year takes the year that puts it nearest the message's
own date (a reply in January about "29th Dec" means last December).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

_MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_MONTH = (
    r"(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)?\d{2})"
_PATTERNS = [
    re.compile(r"(?<!\d)(?P<year>(?:19|20)\d{2})-(?P<month>[01]?\d)-(?P<day>[0-3]?\d)(?!\d)"),
    re.compile(r"(?<![\d/.])(?P<day>[0-3]?\d)[/.\-](?P<month>[01]?\d)[/.\-](?P<year>(?:19|20)?\d{2})(?![\d/])"),
    re.compile(r"(?<![\d/.])(?P<day>[0-3]?\d)/(?P<month>[01]?\d)(?![\d/])"),
    re.compile(rf"(?<!\w){_DAY}(?:\s+of)?\s+{_MONTH}(?:,?\s+{_YEAR}(?![:.]?\d))?(?![\w/])", re.IGNORECASE),
    re.compile(rf"(?<!\w){_MONTH}\s+{_DAY}(?:,?\s+{_YEAR}(?![:.]?\d))?(?![\w/])", re.IGNORECASE),
]
_RELATIVE = re.compile(r"\b(?P<word>today|this\s+morning|this\s+afternoon|yesterday)\b", re.IGNORECASE)


@dataclass(frozen=True)
class FoundDate:
    on: date
    start: int
    end: int
    text: str


def _month(value: str) -> int:
    if value.isdigit():
        return int(value)
    return _MONTHS.get(value.lower()[:4].rstrip("."), 0) or _MONTHS.get(value.lower()[:3], 0)


def _year(value: str | None, month: int, day: int, reference: date) -> int | None:
    if value:
        year = int(value)
        return year + 2000 if year < 100 else year
    # No year: the year that puts the date nearest the reference date ("29th Dec" written in January is
    # last December; "10th Dec" written on 4 December is this one, and so after the email).
    best: tuple[int, int] | None = None
    for year in (reference.year - 1, reference.year, reference.year + 1):
        try:
            distance = abs((date(year, month, day) - reference).days)
        except ValueError:
            continue
        if best is None or distance < best[0]:
            best = (distance, year)
    return best[1] if best else None


def find_dates(text: str, *, reference: date) -> list[FoundDate]:
    """Every date in `text`, in order of appearance; overlapping matches keep the first pattern's."""
    found: list[FoundDate] = []
    taken: list[tuple[int, int]] = []
    for match in _RELATIVE.finditer(text):
        word = match.group("word").lower()
        on = reference - timedelta(days=1) if word == "yesterday" else reference
        found.append(FoundDate(on, match.start(), match.end(), match.group(0)))
        taken.append((match.start(), match.end()))
    for pattern in _PATTERNS:
        for match in pattern.finditer(text):
            if any(match.start() < end and start < match.end() for start, end in taken):
                continue
            month = _month(match.group("month"))
            day = int(match.group("day"))
            if not 1 <= month <= 12 or not 1 <= day <= 31:
                continue
            year = _year(match.groupdict().get("year"), month, day, reference)
            if year is None:
                continue
            try:
                on = date(year, month, day)
            except ValueError:
                continue
            found.append(FoundDate(on, match.start(), match.end(), match.group(0)))
            taken.append((match.start(), match.end()))
    found.sort(key=lambda f: f.start)
    return found


def parse_date_value(text: str, *, reference: date) -> date | None:
    """The one date in a form field or answer value (e.g. "03/12/2026"), or None."""
    dates = find_dates(text, reference=reference)
    return dates[0].on if dates else None
