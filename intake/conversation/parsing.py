"""Turning what people type into values: dates (UK day first, read by cases/dates.py), yes/no/not known,
numbers, choices.

Each parser raises `NotUnderstood` with a message that says what was wrong and how to type it instead.
"""

from __future__ import annotations

import re
from datetime import date

from cases.answers import Answer
from cases.dates import UnreadableDate, read_date
from errors import BadInput


class NotUnderstood(BadInput):
    """The reply could not be read; the message says why, in words a referrer understands."""


def parse_date(text: str, *, today: date | None = None) -> date:
    """A date as people type it in England (cases/dates.py, the one date reader): 2026-11-20, 20/11/2026,
    20.11.26, 20 Nov 2026, 20th November 2026, November 20, 2026, 'today', 'yesterday'. Day first."""
    try:
        return read_date(text, today=today)
    except UnreadableDate as exc:
        raise NotUnderstood(str(exc)) from None


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
