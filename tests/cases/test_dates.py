"""The one date reader (cases/dates.py): dateutil underneath, our strictness on top. Day first, always;
nothing missing is filled in from a default; nothing impossible or swapped is guessed."""

from __future__ import annotations

from datetime import date

import pytest

from cases.dates import UnreadableDate, find_dates, parse_date_value, read_date

TODAY = date(2026, 11, 22)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-01-02", date(2026, 1, 2)),  # dateutil with dayfirst alone reads this as 1 February
        ("2026/01/02", date(2026, 1, 2)),
        ("02/01/2026", date(2026, 1, 2)),
        ("2 Jan 26", date(2026, 1, 2)),
        ("Friday 2 January 2026", date(2026, 1, 2)),
        ("31/12/99", date(1999, 12, 31)),  # two-digit years pivot on `today`, not the wall clock
        ("31/12/26", date(2026, 12, 31)),
        ("29 Feb 2028", date(2028, 2, 29)),
    ],
)
def test_read_day_first(text: str, expected: date) -> None:
    assert read_date(text, today=TODAY) == expected


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("12/31/2026", "no month 31"),
        ("12/31/2026 10:30", "no month 31"),  # a time after it does not let a swap through
        ("29 Feb 2027", "not a real date"),
        ("30/02/2026", "not a real date"),
        ("Dec 2026", "not a whole date"),
        ("3rd", "not a whole date"),
        ("3 Dec", "has no year"),
        ("3/12", "has no year"),
        ("03122026", "separate the day, month and year"),
        ("1.2.3", "not a date I can read"),
        ("today at noon", "not a date I can read"),
    ],
)
def test_never_guessed(text: str, why: str) -> None:
    with pytest.raises(UnreadableDate, match=why):
        read_date(text, today=TODAY)


def test_today_needs_a_today() -> None:
    with pytest.raises(UnreadableDate, match="needs to be a date"):
        read_date("today")
    assert read_date("yesterday", today=TODAY) == date(2026, 11, 21)


@pytest.mark.parametrize(
    ("text", "sent", "expected"),
    [
        ("3rd Dec", date(2026, 12, 4), date(2026, 12, 3)),  # a reply sent in December
        ("29th Dec", date(2027, 1, 5), date(2026, 12, 29)),  # written in January: last December
        ("5th Jan", date(2026, 12, 30), date(2027, 1, 5)),
        ("3/12", date(2026, 12, 4), date(2026, 12, 3)),
    ],
)
def test_a_date_without_a_year_takes_the_nearest_year_when_the_context_fixes_it(
    text: str, sent: date, expected: date
) -> None:
    assert read_date(text, today=sent, year_from=sent) == expected


def test_dates_in_running_text() -> None:
    text = "Records secured on 3rd Dec (checked yesterday), not 31/02/2026; next review 2027-01-15."
    found = find_dates(text, reference=date(2026, 12, 4))
    assert [(f.on, f.text) for f in found] == [
        (date(2026, 12, 3), "3rd Dec"),
        (date(2026, 12, 3), "yesterday"),
        (date(2027, 1, 15), "2027-01-15"),
    ]
    assert parse_date_value("DOB: 09/03/2024", reference=date(2026, 12, 4)) == date(2024, 3, 9)
    assert parse_date_value("not known", reference=date(2026, 12, 4)) is None
