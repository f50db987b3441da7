"""Reporting years and periods as a business unit writes them."""

from __future__ import annotations

from datetime import date

import pytest

from cases.figures.period import between, reporting_year, year_of
from errors import BadInput


@pytest.mark.parametrize(
    ("text", "start_month", "start", "end", "label"),
    [
        ("2026-27", 4, date(2026, 4, 1), date(2027, 3, 31), "2026-27"),
        ("2026/27", 4, date(2026, 4, 1), date(2027, 3, 31), "2026-27"),
        (" 2026-2027 ", 4, date(2026, 4, 1), date(2027, 3, 31), "2026-27"),
        ("2099-00", 4, date(2099, 4, 1), date(2100, 3, 31), "2099-00"),
        ("2026-27", 9, date(2026, 9, 1), date(2027, 8, 31), "2026-27"),
        ("2026", 1, date(2026, 1, 1), date(2026, 12, 31), "2026"),
    ],
)
def test_a_reporting_year(text: str, start_month: int, start: date, end: date, label: str) -> None:
    period = reporting_year(text, start_month=start_month)
    assert (period.start, period.end, period.label) == (start, end, label)
    assert len(period.months()) == 12


@pytest.mark.parametrize(
    ("text", "start_month", "says"),
    [
        ("2026", 4, "write it like 2026-27"),
        ("26-27", 4, "write it like 2026-27"),
        ("2026-28", 4, "runs into the next year"),
        ("2026-2026", 4, "runs into the next year"),
        ("last year", 4, "is not a reporting year"),
        ("", 4, "is not a reporting year"),
        ("2026-27", 1, "write it like 2026"),
    ],
)
def test_a_year_written_wrongly_is_refused_naming_the_field(text: str, start_month: int, says: str) -> None:
    with pytest.raises(BadInput, match=says) as refused:
        reporting_year(text, start_month=start_month)
    assert refused.value.field == "year"


def test_the_year_a_day_falls_in_and_any_two_dates() -> None:
    assert year_of(date(2027, 3, 31)).label == "2026-27"
    assert year_of(date(2027, 4, 1)).label == "2027-28"
    period = between(date(2026, 1, 15), date(2026, 3, 2))
    assert [(m.first, m.last) for m in period.months()] == [
        (date(2026, 1, 15), date(2026, 1, 31)),
        (date(2026, 2, 1), date(2026, 2, 28)),
        (date(2026, 3, 1), date(2026, 3, 2)),
    ]
    with pytest.raises(BadInput, match=r"ends .* before it starts"):
        between(date(2026, 3, 2), date(2026, 1, 15))
