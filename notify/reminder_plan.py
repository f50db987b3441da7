"""Which reminder rows a deadline should have, and what to change to get there. Pure: no I/O, no clock.

Each rung of a deadline's ladder (notify/ladder.py) is a row with a stable key (deadline, audience, rung,
act_by): planning twice gives the same keys, so a row is never created twice. A deadline that is met,
cancelled or re-dated has its pending rows cancelled; its new date gets a new ladder (new keys); a deadline
reopened (or moved back) gets back the rows it had. `notify/reminder_planner.py` reads the rows and writes
what `plan_changes` says; the sweep (notify/reminders.py) plans the next overdue reminder with
`following_overdue`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, time

from cases.board import ReminderSettings
from cases.calendar import WorkingCalendar
from notify.ladder import OVERDUE, Rung, due_at, next_overdue, plan
from storage.reminders import CANCELLED, PENDING, DeadlineInfo, NewReminder, StoredReminder


def reminder_key(deadline_id: str, rung: Rung, act_by: date) -> str:
    return f"{deadline_id}:{rung.audience.value}:{rung.name}:{act_by:%Y%m%d}"


def rung_reminder(deadline: DeadlineInfo, rung: Rung, send_time: time) -> NewReminder:
    return NewReminder(
        key=reminder_key(deadline.id, rung, deadline.act_by),
        rung=rung.name,
        audience=rung.audience.value,
        remind_on=rung.day,
        due_at=due_at(rung.day, send_time),
        deadline=deadline,
    )


def wanted(
    deadlines: Sequence[DeadlineInfo],
    today: date,
    settings: ReminderSettings,
    calendar: WorkingCalendar,
    escalated_agencies: frozenset[str] = frozenset(),
) -> list[NewReminder]:
    """Every rung the deadlines should have, planned today (none for one met, cancelled or a minimum period).
    `escalated_agencies`: those whose board member hears of their own overdue tasks."""
    return [
        rung_reminder(d, rung, settings.send_time)
        for d in deadlines
        if d.remindable
        for rung in plan(
            d.act_by,
            today,
            agency_task=d.per_agency and bool(d.agency_id),
            settings=settings,
            calendar=calendar,
            to_agency_board_member=d.agency_id in escalated_agencies,
        )
    ]


@dataclass(frozen=True)
class PlanChanges:
    cancel: list[str] = field(default_factory=list)  # pending rows whose deadline is done or has moved
    restore: list[str] = field(default_factory=list)  # cancelled rows wanted again (a deadline reopened)
    add: list[NewReminder] = field(default_factory=list)  # rungs with no row yet
    offered: int = 0  # rungs wanted in all


def plan_changes(
    deadlines: Sequence[DeadlineInfo],
    stored: Sequence[StoredReminder],
    today: date,
    settings: ReminderSettings,
    calendar: WorkingCalendar,
    escalated_agencies: frozenset[str] = frozenset(),
) -> PlanChanges:
    """What to change in the stored rows of `deadlines` (all of their rows that were readable) so that they
    are the ladders the deadlines should have. A row not readable now (the sweep holds it) that is wanted
    again is offered to the insert, which leaves it as it is."""
    by_id = {d.id: d for d in deadlines}
    rows = wanted(deadlines, today, settings, calendar, escalated_agencies)
    keys = {row.key for row in rows}
    changes = PlanChanges(offered=len(rows))
    existing: set[str] = set()
    for reminder in stored:
        existing.add(reminder.key)
        if reminder.state == PENDING:
            d = by_id[reminder.deadline_id]
            if not d.remindable or d.act_by != reminder.act_by:
                changes.cancel.append(reminder.id)
        elif reminder.state == CANCELLED and reminder.key in keys:
            changes.restore.append(reminder.id)
    changes.add.extend(row for row in rows if row.key not in existing)
    return changes


def following_overdue(
    last: Rung, act_by: date, today: date, settings: ReminderSettings, calendar: WorkingCalendar
) -> Rung | None:
    """The overdue reminder after `last` (just sent) still to come: one sent late stands for the days
    missed with it, so the next is the first after today. None when the ladder does not repeat."""
    following = next_overdue(last, act_by, settings, calendar)
    while following is not None and following.day <= today:
        following = next_overdue(following, act_by, settings, calendar)
    return following


def latest_overdue(rungs: Sequence[str]) -> str | None:
    """Of the rungs sent together, the highest overdue one (`overdue_N`), or None if none is overdue."""
    overdue = [r for r in rungs if r.startswith(OVERDUE)]
    return max(overdue, key=lambda r: int(r.removeprefix(OVERDUE))) if overdue else None
