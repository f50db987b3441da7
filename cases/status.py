"""Red / amber / green for deadlines, as the business unit reads them."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from cases.calendar import WorkingCalendar
from cases.case import Deadline, DeadlineState


class Rag(StrEnum):
    RED = "red"  # past act_by and not met
    AMBER = "amber"  # act_by within the warning window
    GREEN = "green"
    DONE = "done"  # met, cancelled or not applicable


def rag(deadline: Deadline, today: date, calendar: WorkingCalendar, *, amber_working_days: int = 3) -> Rag:
    if deadline.state is not DeadlineState.OPEN:
        return Rag.DONE
    act_by = deadline.computed.act_by
    if today > act_by:
        return Rag.RED
    if deadline.computed.minimum_period:
        return Rag.GREEN
    if calendar.working_days_between(today, act_by) <= amber_working_days:
        return Rag.AMBER
    return Rag.GREEN


def worst(statuses: list[Rag]) -> Rag:
    for level in (Rag.RED, Rag.AMBER, Rag.GREEN):
        if level in statuses:
            return level
    return Rag.DONE
