"""The reminder ladder: which working day each reminder falls on, across Christmas and New Year 2026-27.

England and Wales bank holidays there: Fri 25 Dec, Mon 28 Dec (substitute Boxing Day), Fri 1 Jan.
"""

from __future__ import annotations

from datetime import date

import pytest

from cases.board import ReminderSettings
from cases.calendar import WorkingCalendar
from notify.ladder import Audience, Rung, ladder, next_overdue, overdue_day, plan

CAL = WorkingCalendar.england()
DEFAULT = ReminderSettings()


def days(rungs: list[Rung]) -> dict[tuple[str, str], date]:
    return {(r.name, r.audience.value): r.day for r in rungs}


@pytest.mark.parametrize(
    ("act_by", "expected"),
    [
        # Statutory notification of a decision on Tue 22 Dec 2026: act by Thu 31 Dec.
        (
            date(2026, 12, 31),
            {
                ("before_3", "business_unit"): date(2026, 12, 24),
                ("on_day", "business_unit"): date(2026, 12, 31),
                ("overdue_1", "business_unit"): date(2027, 1, 4),
                ("escalate_manager", "manager"): date(2027, 1, 5),
                ("escalate_chair", "chair"): date(2027, 1, 8),
            },
        ),
        # Act by Thu 24 Dec: the day after is Christmas, then the weekend and the substitute Boxing Day.
        (
            date(2026, 12, 24),
            {
                ("before_3", "business_unit"): date(2026, 12, 21),
                ("on_day", "business_unit"): date(2026, 12, 24),
                ("overdue_1", "business_unit"): date(2026, 12, 29),
                ("escalate_manager", "manager"): date(2026, 12, 30),
                ("escalate_chair", "chair"): date(2027, 1, 5),
            },
        ),
        # Act by Tue 5 Jan 2027: three working days before is Wed 30 Dec.
        (
            date(2027, 1, 5),
            {
                ("before_3", "business_unit"): date(2026, 12, 30),
                ("on_day", "business_unit"): date(2027, 1, 5),
                ("overdue_1", "business_unit"): date(2027, 1, 6),
                ("escalate_manager", "manager"): date(2027, 1, 7),
                ("escalate_chair", "chair"): date(2027, 1, 12),
            },
        ),
    ],
)
def test_business_unit_ladder_skips_weekends_and_bank_holidays(
    act_by: date, expected: dict[tuple[str, str], date]
) -> None:
    rungs = ladder(act_by, agency_task=False, settings=DEFAULT, calendar=CAL)
    assert days(rungs) == expected
    assert all(CAL.is_working_day(r.day) for r in rungs)


def test_an_agency_task_chases_the_agency_and_tells_the_business_unit_once_overdue() -> None:
    rungs = ladder(date(2026, 12, 14), agency_task=True, settings=DEFAULT, calendar=CAL)
    assert days(rungs) == {
        ("before_3", "agency"): date(2026, 12, 9),
        ("on_day", "agency"): date(2026, 12, 14),
        ("overdue_1", "agency"): date(2026, 12, 15),
        ("overdue_1", "business_unit"): date(2026, 12, 15),
        ("escalate_manager", "manager"): date(2026, 12, 16),
        ("escalate_chair", "chair"): date(2026, 12, 21),
    }


@pytest.mark.parametrize(
    ("agency_task", "to_member", "escalated"),
    [(True, True, True), (True, False, False), (False, True, False)],
)
def test_an_agency_task_escalates_to_its_board_member_on_the_managers_day(
    agency_task: bool, to_member: bool, escalated: bool
) -> None:
    """Only an agency's own task, and only where the board config names the agency's board member."""
    rungs = ladder(
        date(2026, 12, 14), agency_task=agency_task, settings=DEFAULT, calendar=CAL, to_agency_board_member=to_member
    )
    member = [r for r in rungs if r.audience is Audience.AGENCY_BOARD_MEMBER]
    assert [(r.name, r.day) for r in member] == ([("escalate_agency", date(2026, 12, 16))] if escalated else [])
    late = plan(
        date(2026, 12, 14), date(2027, 1, 20), agency_task=agency_task, settings=DEFAULT, calendar=CAL,
        to_agency_board_member=to_member,
    )  # fmt: skip
    assert ("escalate_agency" in {r.name for r in late}) is escalated  # kept when planned late, sent once


def test_daily_overdue_reminders_roll_over_christmas() -> None:
    act_by = date(2026, 12, 22)
    rung: Rung | None = Rung("overdue_1", Audience.BUSINESS_UNIT, overdue_day(1, act_by, 1, CAL))
    seen = []
    while rung is not None and rung.day < date(2027, 1, 6):
        seen.append(rung.day)
        rung = next_overdue(rung, act_by, DEFAULT, CAL)
    assert seen == [
        date(2026, 12, 23),
        date(2026, 12, 24),
        date(2026, 12, 29),
        date(2026, 12, 30),
        date(2026, 12, 31),
        date(2027, 1, 4),
        date(2027, 1, 5),
    ]


def test_board_closure_days_count_too() -> None:
    closed = WorkingCalendar.england([date(2026, 12, 29), date(2026, 12, 30), date(2026, 12, 31)])
    rungs = ladder(date(2027, 1, 5), agency_task=False, settings=DEFAULT, calendar=closed)
    assert days(rungs)[("before_3", "business_unit")] == date(2026, 12, 23)


@pytest.mark.parametrize(
    ("settings", "expected_names"),
    [
        (ReminderSettings(before_working_days=(5, 1), on_the_day=False), ["before_5", "before_1", "overdue_1"]),
        (ReminderSettings(before_working_days=()), ["on_day", "overdue_1"]),
    ],
)
def test_the_ladder_follows_the_board_config(settings: ReminderSettings, expected_names: list[str]) -> None:
    rungs = ladder(date(2027, 1, 5), agency_task=False, settings=settings, calendar=CAL)
    assert [r.name for r in rungs if r.audience is Audience.BUSINESS_UNIT] == expected_names


def test_overdue_every_zero_sends_a_single_overdue_reminder() -> None:
    settings = ReminderSettings(overdue_every_working_days=0)
    rung = Rung("overdue_1", Audience.BUSINESS_UNIT, date(2027, 1, 6))
    assert next_overdue(rung, date(2027, 1, 5), settings, CAL) is None


def test_a_deadline_planned_late_gets_no_burst_of_past_reminders() -> None:
    # Planned on Wed 30 Dec for a deadline due Thu 24 Dec: it is overdue, so the current overdue reminder
    # goes now, escalations already reached go once, and reminders before the day are dropped.
    rungs = plan(date(2026, 12, 24), date(2026, 12, 30), agency_task=False, settings=DEFAULT, calendar=CAL)
    assert days(rungs) == {
        ("overdue_2", "business_unit"): date(2026, 12, 30),
        ("escalate_manager", "manager"): date(2026, 12, 30),
        ("escalate_chair", "chair"): date(2027, 1, 5),
    }


def test_a_deadline_planned_today_keeps_todays_and_later_reminders() -> None:
    rungs = plan(date(2026, 12, 31), date(2026, 12, 24), agency_task=False, settings=DEFAULT, calendar=CAL)
    assert ("before_3", "business_unit") in days(rungs)
    rungs = plan(date(2026, 12, 31), date(2026, 12, 29), agency_task=False, settings=DEFAULT, calendar=CAL)
    assert ("before_3", "business_unit") not in days(rungs)
    assert ("on_day", "business_unit") in days(rungs)
