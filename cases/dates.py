"""One date reader for everything people type or write: the referral conversation, every CLI date option and
the mail intake (agency replies and emailed forms). Dates are read the way England writes them: day first,
always ("1/2/2026" is 1 February).

python-dateutil reads the text; our rules are on top, because the library guesses where we must not:
- numeric dates are read day first, or year first when they start with a four-digit year; dateutil with
  `dayfirst` reads "2026-01-02" as 1 February and silently swaps "11/20/2026" into 20 November: we refuse the
  swap ("there is no month 20") and read ISO dates year first;
- nothing the text leaves out is filled in from a default: "Nov 2026" (no day) is refused, and a date
  without a year is accepted only where the context fixes it (`year_from`: a reply's own date: "3rd Dec" in
  a reply sent in December), taking the year that puts it nearest;
- an impossible date ("31/02/2026") is refused, never moved to a near one; a two-digit year is this
  century unless that is after `today` (a parent born in '98), never by the wall clock (dateutil's own
  rule reads the clock: this module reads none);
- "today", "yesterday" (and in mail "this morning") need `today`.
Every refusal says why and how to type it instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from dateutil import parser as dateutil_parser

from errors import BadInput

DATE_HINT = "type it like 20/11/2026, 20 Nov 2026 or 2026-11-20 (day first)"


class UnreadableDate(BadInput):
    """The text is not a date we can read without guessing; the message says why and how to type it."""


@dataclass(frozen=True)
class FoundDate:
    """A date found in running text (an email), with where it was."""

    on: date
    start: int
    end: int
    text: str


_RELATIVE = {"today": 0, "this morning": 0, "this afternoon": 0, "yesterday": 1}
# Numeric dates at the start of the text (a time may follow): their order is ours to decide, not dateutil's.
_ISO = re.compile(r"^(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})(?![\d:])")
_NUMERIC = re.compile(r"^(\d{1,2})\s*([-/. ])\s*(\d{1,2})(?:\s*\2\s*(\d{2}|\d{4}))?(?![\d:./-])")
_WORD = re.compile(r"[a-z]+")
_DIGITS_ONLY = re.compile(r"^[\d\s/.\-]+$")
_MONTH_NAMES = [
    *("january", "february", "march", "april", "may", "june"),
    *("july", "august", "september", "october", "november", "december"),
]
_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
# Words dateutil reads in a date besides month names: weekdays, ordinal suffixes, "of", times of day.
_KNOWN_WORDS = frozenset(
    [
        *_MONTH_NAMES,
        *(m[:3] for m in _MONTH_NAMES),
        *_WEEKDAYS,
        *(d[:3] for d in _WEEKDAYS),
        *("sept", "tues", "thur", "thurs", "of", "st", "nd", "rd", "th", "on", "the", "am", "pm", "at"),
    ]
)
# Two defaults that differ in every part: whatever comes out different was not in the text.
_DEFAULT_A = datetime(2000, 1, 1)
_DEFAULT_B = datetime(2004, 3, 3)  # both leap years, so "29 Feb" without a year still reads


class _UkDates(dateutil_parser.parserinfo):
    """dateutil's parserinfo, day first, with two-digit years pivoted on `today` rather than the clock."""

    def __init__(self, today: date | None, *, dayfirst: bool = True, yearfirst: bool = False) -> None:
        super().__init__(dayfirst=dayfirst, yearfirst=yearfirst)
        self.pivot = (today or date(2000, 1, 1)).year

    def convertyear(self, year: int, century_specified: bool = False) -> int:
        if year < 100 and not century_specified:
            return 2000 + year if 2000 + year <= self.pivot else 1900 + year
        return year


def _library(text: str, info: _UkDates) -> tuple[datetime, datetime]:
    first = dateutil_parser.parse(text, parserinfo=info, default=_DEFAULT_A)
    second = dateutil_parser.parse(text, parserinfo=info, default=_DEFAULT_B)
    return first, second


def _nearest_year(month: int, day: int, reference: date) -> int | None:
    best: tuple[int, int] | None = None
    for year in (reference.year - 1, reference.year, reference.year + 1):
        try:
            distance = abs((date(year, month, day) - reference).days)
        except ValueError:
            continue
        if best is None or distance < best[0]:
            best = (distance, year)
    return best[1] if best else None


def _why_not(original: str, lowered: str) -> str:
    """Why dateutil could not read a text that is not numeric, in the referrer's words."""
    if any(ch.isdigit() for ch in lowered):
        for word in _WORD.findall(lowered):
            if word not in _KNOWN_WORDS:
                return f"'{original}' is not a date: '{word}' is not a month"
    return f"'{original}' is not a date I can read; {DATE_HINT}"


def read_date(text: str, *, today: date | None = None, year_from: date | None = None) -> date:
    """The one date `text` holds, read day first. `today` is needed for "today"/"yesterday" and pivots
    two-digit years; `year_from` (a message's own date) lets a date without a year take the nearest year.
    Raises UnreadableDate, saying why."""
    original = " ".join(text.split())
    lowered = original.lower().rstrip(".")
    if not lowered:
        raise UnreadableDate(f"no date given; {DATE_HINT}")
    if lowered in _RELATIVE:
        if today is None:
            raise UnreadableDate(f"'{original}' needs to be a date; {DATE_HINT}")
        return today - timedelta(days=_RELATIVE[lowered])
    if lowered.isdigit():
        raise UnreadableDate(f"'{original}' is not a date: separate the day, month and year; {DATE_HINT}")
    iso, numeric = _ISO.match(lowered), _NUMERIC.match(lowered)
    if not iso and not numeric and _DIGITS_ONLY.match(lowered):
        raise UnreadableDate(f"'{original}' is not a date I can read; {DATE_HINT}")  # e.g. a one-digit year
    written: tuple[int, int] | None = None  # (day, month) as written, for numeric dates
    if iso:
        info = _UkDates(today, dayfirst=False, yearfirst=True)
        written = int(iso.group(3)), int(iso.group(2))
    else:
        info = _UkDates(today)
        if numeric:
            written = int(numeric.group(1)), int(numeric.group(3))
    if written is not None and not 1 <= written[1] <= 12:
        raise UnreadableDate(
            f"'{original}' is not a date: there is no month {written[1]}. Dates are read day first; {DATE_HINT}"
        )
    try:
        first, second = _library(lowered, info)
    except (ValueError, OverflowError) as exc:
        if written is not None:
            raise UnreadableDate(f"'{original}' is not a real date (that month has no day {written[0]})") from None
        if "out of range" in str(exc):
            raise UnreadableDate(f"'{original}' is not a real date") from None
        raise UnreadableDate(_why_not(original, lowered)) from None
    if first.day != second.day or first.month != second.month:
        raise UnreadableDate(f"'{original}' is not a whole date (give the day, month and year); {DATE_HINT}")
    if written is not None and (first.day, first.month) != written:
        raise UnreadableDate(f"'{original}' is not a date I can read without guessing; {DATE_HINT}")  # a swap
    year = first.year
    if first.year != second.year:
        nearest = _nearest_year(first.month, first.day, year_from) if year_from is not None else None
        if nearest is None:
            raise UnreadableDate(f"'{original}' has no year; {DATE_HINT}")
        year = nearest
    try:
        return date(year, first.month, first.day)
    except ValueError:  # 29 February in a year without one
        raise UnreadableDate(f"'{original}' is not a real date (that year has no 29 February)") from None


# --- dates in running text (emails) --------------------------------------------------------------------

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DAY = r"[0-3]?\d(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)?\d{2}"
# The shapes a date takes in prose, most specific first; each span found is read by `read_date`.
_SHAPES = [
    re.compile(r"(?<!\d)(?:19|20)\d{2}-[01]?\d-[0-3]?\d(?!\d)"),
    re.compile(r"(?<![\d/.])[0-3]?\d[/.\-][01]?\d[/.\-](?:19|20)?\d{2}(?![\d/])"),
    re.compile(r"(?<![\d/.])[0-3]?\d/[01]?\d(?![\d/])"),
    re.compile(rf"(?<!\w){_DAY}(?:\s+of)?\s+{_MONTH}(?:,?\s+{_YEAR}(?![:.]?\d))?(?![\w/])", re.IGNORECASE),
    re.compile(rf"(?<!\w){_MONTH}\s+{_DAY}(?:,?\s+{_YEAR}(?![:.]?\d))?(?![\w/])", re.IGNORECASE),
]
_RELATIVE_IN_TEXT = re.compile(r"\b(?:today|this\s+morning|this\s+afternoon|yesterday)\b", re.IGNORECASE)


def find_dates(text: str, *, reference: date) -> list[FoundDate]:
    """Every date in `text`, in order of appearance, read relative to `reference` (the message's own date:
    it is "today" and fixes a missing year). Spans that are not real dates are left out."""
    found: list[FoundDate] = []
    taken: list[tuple[int, int]] = []
    for pattern in [_RELATIVE_IN_TEXT, *_SHAPES]:
        for match in pattern.finditer(text):
            if any(match.start() < end and start < match.end() for start, end in taken):
                continue
            span = " ".join(match.group(0).split())
            try:
                on = read_date(span, today=reference, year_from=reference)
            except UnreadableDate:
                continue
            found.append(FoundDate(on, match.start(), match.end(), match.group(0)))
            taken.append((match.start(), match.end()))
    found.sort(key=lambda f: f.start)
    return found


def parse_date_value(text: str, *, reference: date) -> date | None:
    """The first date in a form field's value (e.g. "03/12/2026", "3rd December"), or None."""
    dates = find_dates(text, reference=reference)
    return dates[0].on if dates else None
