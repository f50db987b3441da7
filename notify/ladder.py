"""The reminder ladder of one deadline: which reminders, to whom, on which working day. Pure: no I/O, no clock.

Counted in working days from the deadline's `act_by` (the last day to act), with the board's calendar, so a
reminder never falls on a weekend, a bank holiday (substitute days included) or a closure day:

- the business unit: N working days before (`before_working_days`), on the day, then every
  `overdue_every_working_days` while overdue;
- for an agency's own task (a per-agency deadline: records secured, involvement check, IMR), the chasers
  go to the agency, and the business unit hears once the task is overdue;
- escalation to the board manager when it has been overdue `escalate_to_manager_after` working days (the
  rung falls on act_by + that many working days), and to the chair after `escalate_to_chair_after`;
- for an agency's own task, when the board config names the agency's board member, escalation to that member
  on the board manager's day (only that agency's tasks: agencies are chased only for their own).

Overdue reminders roll: `overdue_1` is planned with the ladder, and each one sent plans the next.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum

from cases.board import ReminderSettings
from cases.calendar import BOARD_TIMEZONE, WorkingCalendar


class Audience(StrEnum):
    BUSINESS_UNIT = "business_unit"
    AGENCY = "agency"
    MANAGER = "manager"
    CHAIR = "chair"
    # The board member of the agency whose own task is overdue (the agency's `board_member` in the board config).
    AGENCY_BOARD_MEMBER = "agency_board_member"


ESCALATE_MANAGER = "escalate_manager"
ESCALATE_AGENCY = "escalate_agency"
ESCALATE_CHAIR = "escalate_chair"
ON_DAY = "on_day"
OVERDUE = "overdue_"
BEFORE = "before_"


@dataclass(frozen=True)
class Rung:
    name: str
    audience: Audience
    day: date

    @property
    def overdue_number(self) -> int | None:
        if self.name.startswith(OVERDUE):
            return int(self.name.removeprefix(OVERDUE))
        return None


def overdue_every(audience: Audience, settings: ReminderSettings) -> int:
    if audience is Audience.AGENCY:
        return settings.agency_overdue_every_working_days
    return settings.overdue_every_working_days


def overdue_day(number: int, act_by: date, every: int, calendar: WorkingCalendar) -> date:
    """The working day of the `number`th overdue reminder: the first is the working day after act_by."""
    return calendar.add_working_days(act_by, 1 + (number - 1) * max(every, 1))


def next_overdue(rung: Rung, act_by: date, settings: ReminderSettings, calendar: WorkingCalendar) -> Rung | None:
    """The overdue reminder after this one, or None when the ladder does not repeat."""
    number = rung.overdue_number
    every = overdue_every(rung.audience, settings)
    if number is None or every == 0:
        return None
    return Rung(f"{OVERDUE}{number + 1}", rung.audience, overdue_day(number + 1, act_by, every, calendar))


def ladder(
    act_by: date,
    *,
    agency_task: bool,
    settings: ReminderSettings,
    calendar: WorkingCalendar,
    to_agency_board_member: bool = False,
) -> list[Rung]:
    """Every rung of a deadline's ladder up to the first overdue reminder, plus the escalations."""
    rungs: list[Rung] = []
    chased = Audience.AGENCY if agency_task else Audience.BUSINESS_UNIT
    before = settings.agency_before_working_days if agency_task else settings.before_working_days
    for n in before:
        rungs.append(Rung(f"{BEFORE}{n}", chased, calendar.subtract_working_days(act_by, n)))
    if settings.on_the_day:
        rungs.append(Rung(ON_DAY, chased, act_by))
    rungs.append(Rung(f"{OVERDUE}1", chased, overdue_day(1, act_by, 1, calendar)))
    if agency_task:
        rungs.append(Rung(f"{OVERDUE}1", Audience.BUSINESS_UNIT, overdue_day(1, act_by, 1, calendar)))
    escalate_on = calendar.add_working_days(act_by, settings.escalate_to_manager_after)
    rungs.append(Rung(ESCALATE_MANAGER, Audience.MANAGER, escalate_on))
    if agency_task and to_agency_board_member:
        rungs.append(Rung(ESCALATE_AGENCY, Audience.AGENCY_BOARD_MEMBER, escalate_on))
    rungs.append(
        Rung(ESCALATE_CHAIR, Audience.CHAIR, calendar.add_working_days(act_by, settings.escalate_to_chair_after))
    )
    return rungs


def plan(
    act_by: date,
    today: date,
    *,
    agency_task: bool,
    settings: ReminderSettings,
    calendar: WorkingCalendar,
    to_agency_board_member: bool = False,
) -> list[Rung]:
    """The rungs to store for a deadline planned `today`.

    Rungs already past when a deadline is first planned (a referral entered late, a date corrected) are
    not sent as a burst: reminders before the day are dropped, an overdue deadline gets the current
    overdue reminder now, and escalations already reached are kept (each is sent once). Rungs stored
    earlier and missed while the bot was down are a different matter: they stay and are sent late.
    """
    kept: list[Rung] = []
    rungs = ladder(
        act_by,
        agency_task=agency_task,
        settings=settings,
        calendar=calendar,
        to_agency_board_member=to_agency_board_member,
    )
    for rung in rungs:
        number = rung.overdue_number
        if number is not None and rung.day < today:
            every = overdue_every(rung.audience, settings)
            if every == 0:
                kept.append(rung)
                continue
            current = rung
            while True:
                following = next_overdue(current, act_by, settings, calendar)
                if following is None or following.day > today:
                    break
                current = following
            kept.append(current)
        elif rung.day >= today or rung.name in (ESCALATE_MANAGER, ESCALATE_AGENCY, ESCALATE_CHAIR):
            kept.append(rung)
    return kept


def due_at(day: date, send_time: time) -> datetime:
    """The moment (aware, England local time) a reminder for `day` is due."""
    return datetime.combine(day, send_time, tzinfo=BOARD_TIMEZONE)
