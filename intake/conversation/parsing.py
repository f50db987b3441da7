"""Turning what people type into values: dates (UK day first), yes/no/not known, numbers, choices.

Each parser raises `NotUnderstood` with a message that says what was wrong and how to type it instead.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from cases.answers import Answer
from errors import BadInput


class NotUnderstood(BadInput):
    """The reply could not be read; the message says why, in words a referrer understands."""


_MONTHS: dict[str, int] = {}
for _number, _name in enumerate(
    (
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ),
    start=1,
):
    _MONTHS[_name] = _number
    _MONTHS[_name[:3]] = _number
_MONTHS["sept"] = 9

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_NUMERIC = re.compile(r"^(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{2}|\d{4})$")
_DAY_MONTH = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?([a-z]+)\.?,?\s+(\d{2}|\d{4})$")
_MONTH_DAY = re.compile(r"^([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$")

DATE_HINT = "type it like 20/11/2026, 20 Nov 2026 or 2026-11-20 (day first)"


def _year(text: str, today: date | None) -> int:
    year = int(text)
    if len(text) == 4:
        return year
    # Two-digit years: this century unless that would be in the future (a parent born in '98).
    pivot = (today or date(2000, 1, 1)).year
    return 2000 + year if 2000 + year <= pivot else 1900 + year


def _make(year: int, month: int, day: int, original: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        if 1 <= month <= 12:
            raise NotUnderstood(f"'{original}' is not a real date (that month has no day {day})") from None
        raise NotUnderstood(
            f"'{original}' is not a date: there is no month {month}. Dates are read day first; {DATE_HINT}"
        ) from None


def parse_date(text: str, *, today: date | None = None) -> date:
    """A date as people type it in England: 2026-11-20, 20/11/2026, 20.11.26, 20 Nov 2026, 20th November 2026,
    November 20, 2026, 'today', 'yesterday'. Numeric dates are day first (UK)."""
    original = " ".join(text.split())
    t = original.lower()
    if not t:
        raise NotUnderstood(f"no date given; {DATE_HINT}")
    if today is not None and t == "today":
        return today
    if today is not None and t == "yesterday":
        return today - timedelta(days=1)
    if m := _ISO.match(t):
        return _make(int(m.group(1)), int(m.group(2)), int(m.group(3)), original)
    if m := _NUMERIC.match(t):
        return _make(_year(m.group(3), today), int(m.group(2)), int(m.group(1)), original)
    for pattern, day_group, month_group in ((_DAY_MONTH, 1, 2), (_MONTH_DAY, 2, 1)):
        if m := pattern.match(t):
            month = _MONTHS.get(m.group(month_group))
            if month is None:
                raise NotUnderstood(f"'{original}' is not a date: '{m.group(month_group)}' is not a month")
            return _make(_year(m.group(3), today), month, int(m.group(day_group)), original)
    raise NotUnderstood(f"'{original}' is not a date I can read; {DATE_HINT}")


_YES = {"yes", "y", "yeah", "yep", "true", "correct"}
_NO = {"no", "n", "nope", "false", "none"}
_UNKNOWN = {"unknown", "not known", "don't know", "dont know", "do not know", "dk", "?", "not sure", "unsure", "n/k"}


def parse_answer(text: str) -> Answer:
    t = " ".join(text.lower().replace("’", "'").split()).rstrip(".!")
    if t in _YES:
        return Answer.YES
    if t in _NO:
        return Answer.NO
    if t in _UNKNOWN:
        return Answer.UNKNOWN
    raise NotUnderstood(f"'{text.strip()}' is not an answer I can read; reply yes, no, or not known")


def parse_whole_number(text: str) -> int:
    t = text.strip().lower().removesuffix("years").removesuffix("year").removesuffix("yrs").strip()
    if not re.fullmatch(r"\d{1,3}", t):
        raise NotUnderstood(f"'{text.strip()}' is not a whole number; type the age in years, e.g. 4")
    return int(t)


def match_choice(text: str, choices: list[tuple[str, str]]) -> str:
    """The value of the choice the text names: its number (1, 2...), its value, or its label (or a clear
    start of it)."""
    t = " ".join(text.lower().split())
    if t.isdigit() and 1 <= int(t) <= len(choices):
        return choices[int(t) - 1][0]
    for value, label in choices:
        if t in {value.lower(), label.lower(), value.lower().replace("_", " ")}:
            return value
    starts = [value for value, label in choices if label.lower().startswith(t)] if len(t) >= 2 else []
    if len(starts) == 1:
        return starts[0]
    options = ", ".join(f"{i}. {label}" for i, (_, label) in enumerate(choices, start=1))
    raise NotUnderstood(f"'{text.strip()}' is not one of the options; reply with a number or a name: {options}")


def match_choices(text: str, choices: list[tuple[str, str]]) -> list[str]:
    """Several choices, separated by commas or spaces between numbers ("1, 3" or "1 3")."""
    t = text.strip()
    parts = [p for p in re.split(r"\s*,\s*|\s+(?=\d)|\s+and\s+", t) if p.strip()] if t else []
    if not parts:
        raise NotUnderstood("choose at least one option (numbers separated by commas, e.g. 1, 3)")
    values: list[str] = []
    for part in parts:
        value = match_choice(part, choices)
        if value not in values:
            values.append(value)
    return values
