"""Working days as DESIGN.md §3 counts them.

A working day is Monday to Friday, not an England and Wales bank holiday (substitute days included,
e.g. 2026-12-28) and not a closure day the board has configured. Bank holidays come from the maintained
`holidays` library rather than a hand-kept list, so one-off holidays (coronations, jubilees) are included.
"""

from __future__ import annotations

import calendar as _calendar
import importlib.util
import sys
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

# The holidays library when a working day is first counted, and only its United Kingdom module: the package's
# `country_holidays` imports every country (about 0.1 s of a command's start, bench/cli_start.py).
if TYPE_CHECKING:
    from holidays.countries.united_kingdom import UnitedKingdom

BOARD_TIMEZONE = ZoneInfo("Europe/London")

_UK_MODULE = "holidays.countries.united_kingdom"
_UK_LOCK = threading.Lock()


def united_kingdom() -> type[UnitedKingdom]:
    """The holidays library's United Kingdom calendar, its module loaded on its own: importing it by name
    would first run `holidays.countries`, which imports all of the library's countries. The module is
    registered under its real name, so a later import of the whole package reuses it."""
    with _UK_LOCK:
        if _UK_MODULE not in sys.modules:
            import holidays  # the package: base classes, calendars, groups (not the countries)

            path = Path(holidays.__file__).parent / "countries" / "united_kingdom.py"
            spec = importlib.util.spec_from_file_location(_UK_MODULE, path)
            if spec is None or spec.loader is None:  # a layout we do not know: the ordinary import
                importlib.import_module(_UK_MODULE)
            else:
                module = importlib.util.module_from_spec(spec)
                sys.modules[_UK_MODULE] = module
                try:
                    spec.loader.exec_module(module)
                except BaseException:
                    del sys.modules[_UK_MODULE]
                    raise
    uk: type[UnitedKingdom] = sys.modules[_UK_MODULE].UnitedKingdom
    return uk


def local_date(moment: datetime) -> date:
    """The calendar date in England at `moment` (an aware datetime)."""
    if moment.tzinfo is None:
        raise ValueError("local_date needs an aware datetime")
    return moment.astimezone(BOARD_TIMEZONE).date()


def add_months(start: date, months: int) -> date:
    """`start` plus whole calendar months, clamped to the month's last day (31 Jan + 1 month = 28/29 Feb)."""
    month_index = start.month - 1 + months
    year = start.year + month_index // 12
    month = month_index % 12 + 1
    last_day = _calendar.monthrange(year, month)[1]
    return date(year, month, min(start.day, last_day))


@dataclass(frozen=True)
class WorkingCalendar:
    """England and Wales working days, less the board's own closure days."""

    closure_days: frozenset[date] = field(default_factory=frozenset)

    @classmethod
    def england(cls, closure_days: Iterable[date] = ()) -> WorkingCalendar:
        return cls(closure_days=frozenset(closure_days))

    @cached_property
    def _bank_holidays(self) -> UnitedKingdom:
        # "ENG" is England (England and Wales share their bank holidays). The object fills in years lazily.
        return united_kingdom()(subdiv="ENG")

    def bank_holiday_name(self, day: date) -> str | None:
        name = self._bank_holidays.get(day)
        return str(name) if name is not None else None

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self._bank_holidays and day not in self.closure_days

    def add_working_days(self, start: date, count: int) -> date:
        """The `count`th working day after `start`; `start` itself is day 0, working day or not."""
        if count < 0:
            return self.subtract_working_days(start, -count)
        day = start
        remaining = count
        while remaining > 0:
            day += timedelta(days=1)
            if self.is_working_day(day):
                remaining -= 1
        return day

    def subtract_working_days(self, start: date, count: int) -> date:
        """The `count`th working day before `start`."""
        day = start
        remaining = count
        while remaining > 0:
            day -= timedelta(days=1)
            if self.is_working_day(day):
                remaining -= 1
        return day

    def last_working_day_on_or_before(self, day: date) -> date:
        while not self.is_working_day(day):
            day -= timedelta(days=1)
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end` (negative when `end` is before `start`)."""
        if end < start:
            return -self.working_days_between(end, start)
        count = 0
        day = start
        while day < end:
            day += timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count
