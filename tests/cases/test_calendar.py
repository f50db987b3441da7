"""Working days: weekends, England and Wales bank holidays with substitute days, board closures."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from cases.calendar import WorkingCalendar, add_months, local_date

ENGLAND = WorkingCalendar.england()


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 12, 24), True),
        (date(2026, 12, 25), False),  # Christmas Day (Friday)
        (date(2026, 12, 28), False),  # Boxing Day substitute (26th is a Saturday)
        (date(2026, 12, 29), True),
        (date(2027, 12, 27), False),  # both 2027 substitutes
        (date(2027, 12, 28), False),
        (date(2028, 1, 3), False),  # New Year's Day 2028 is a Saturday
        (date(2027, 3, 26), False),  # Good Friday
        (date(2027, 3, 29), False),  # Easter Monday
        (date(2027, 5, 3), False),  # Early May
        (date(2027, 5, 31), False),  # Spring bank holiday
        (date(2027, 8, 30), False),  # Summer bank holiday
        (date(2026, 11, 21), False),  # Saturday
        (date(2026, 11, 23), True),
    ],
)
def test_working_days(day: date, working: bool) -> None:
    assert ENGLAND.is_working_day(day) is working


def test_scotland_only_holidays_do_not_count() -> None:
    assert ENGLAND.is_working_day(date(2026, 11, 30))  # St Andrew's Day is Scottish
    assert ENGLAND.is_working_day(date(2027, 1, 4))  # 2 January substitute is Scottish


def test_closure_days() -> None:
    calendar = WorkingCalendar.england([date(2026, 12, 24)])
    assert not calendar.is_working_day(date(2026, 12, 24))
    assert calendar.add_working_days(date(2026, 12, 23), 1) == date(2026, 12, 29)


@pytest.mark.parametrize(
    ("start", "count", "expected"),
    [
        (date(2026, 12, 22), 5, date(2026, 12, 31)),
        (date(2026, 12, 25), 1, date(2026, 12, 29)),  # day 0 need not be a working day
        (date(2026, 11, 20), 0, date(2026, 11, 20)),
        (date(2027, 1, 6), -7, date(2026, 12, 23)),
    ],
)
def test_add_working_days(start: date, count: int, expected: date) -> None:
    assert ENGLAND.add_working_days(start, count) == expected


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2027, 1, 31), 1, date(2027, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 8, 31), 6, date(2027, 2, 28)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
    ],
)
def test_add_months(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


def test_working_days_between() -> None:
    assert ENGLAND.working_days_between(date(2026, 12, 22), date(2026, 12, 31)) == 5
    assert ENGLAND.working_days_between(date(2026, 12, 31), date(2026, 12, 22)) == -5


def test_local_date_uses_london_time() -> None:
    # 23:30 UTC on 31 May is 00:30 on 1 June in London (BST).
    assert local_date(datetime(2027, 5, 31, 23, 30, tzinfo=UTC)) == date(2027, 6, 1)
    with pytest.raises(ValueError, match="aware"):
        local_date(datetime(2027, 5, 31, 23, 30))


def test_the_united_kingdom_module_loaded_alone_is_the_librarys_england() -> None:
    """cases/calendar.py loads the holidays library's United Kingdom module by itself (not every country):
    it must give what the library's own `country_holidays("GB", subdiv="ENG")` gives."""
    import holidays

    from cases.calendar import united_kingdom

    years = range(2020, 2032)
    ours = united_kingdom()(subdiv="ENG", years=years)
    assert dict(ours) == dict(holidays.country_holidays("GB", subdiv="ENG", years=years))
    assert date(2026, 12, 28) in ours and date(2023, 5, 8) in ours  # a substitute day; a coronation
