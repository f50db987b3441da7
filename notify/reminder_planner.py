"""Keeps the reminder rows in step with the deadlines they serve (what to change: notify/reminder_plan.py).

Planning runs inside the transaction that changed a case (as a `CaseStore.subscribe` listener), so a new or
re-dated deadline and its reminders commit together. A deadline that is met, cancelled or re-dated has its
pending reminders cancelled; its new date gets a new ladder. Rows are created with INSERT ... ON CONFLICT
DO NOTHING on their key, so several processes may plan the same case at once.

An agency's confirmation (`AgencyConfirmed`, the commonest event: every records-secured reply) changes only
that agency's deadlines (records secured, involvement check, and with involvement the per-agency review
deadlines), so only those are planned again, plus any never planned (an agency added since): the same rows
a re-plan of the whole case would give (tests/notify/test_reminder_plan_incremental.py), without rewriting
every reminder of the case on each reply. Every other event re-plans the whole case.

Some changes reach deadlines without a domain event (marking one met or reopening it, adding an agency):
`catch_up` re-plans the deadlines changed since it last ran, and the sweep itself never sends a reminder
for a deadline that is no longer open or has moved (notify/reminders.py). Together: met or cancelled
deadlines stop their reminders at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from cases.board import BoardConfig
from cases.calendar import WorkingCalendar, local_date
from cases.domain_events import AgencyConfirmed, AgencyReportAccepted, DomainEvent
from notify.reminder_plan import plan_changes
from storage.reminders import CANCELLED, PENDING, DeadlineInfo, ReminderRows


class ReminderPlanner:
    def __init__(self, board: BoardConfig, calendar: WorkingCalendar) -> None:
        self.board = board
        self.calendar = calendar
        self.rows = ReminderRows(board.id)
        self._caught_up_to: datetime | None = None

    # A CaseStore listener: every domain event carries the case it changed.
    def __call__(self, s: Session, event: DomainEvent) -> None:
        if isinstance(event, AgencyReportAccepted):
            return  # a review step whose deadline effect (MeetBy) was planned with it: nothing moves
        if isinstance(event, AgencyConfirmed):
            self.plan_agency(s, event.case_id, event.agency_id, now=event.at)
        else:
            self.plan_case(s, event.case_id, now=event.at)

    def plan_case(self, s: Session, case_id: str, *, now: datetime) -> None:
        self.plan_deadlines(s, self.rows.deadlines_of_case(s, case_id), now=now)

    def plan_agency(self, s: Session, case_id: str, agency_id: str, *, now: datetime) -> None:
        """Plan what an agency's confirmation can change: that agency's deadlines of the case (the case rules
        mark them and, with involvement, add or cancel them; the case's other deadlines do not depend on one
        agency's answer), and any deadline never planned (an agency added since the last event). The rest are
        as the last plan left them: planning them again would rewrite the same rows."""
        self.plan_deadlines(s, self.rows.deadlines_of_agency(s, case_id, agency_id), now=now)

    def plan_deadlines(self, s: Session, deadlines: Sequence[DeadlineInfo], *, now: datetime) -> int:
        """Cancel stale pending reminders of these deadlines and create the missing rungs; returns rows offered.

        The deadlines' reminder rows are read once; only the differences are written (a confirmation that
        meets a deadline is one UPDATE of its pending rows, not a rewrite of every rung)."""
        if not deadlines:
            return 0
        stored = self.rows.stored_for(s, [d.id for d in deadlines])
        escalated = frozenset(a.id for a in self.board.agencies if a.board_member)
        changes = plan_changes(deadlines, stored, local_date(now), self.board.reminders, self.calendar, escalated)
        self.rows.set_state(s, changes.cancel, CANCELLED, now=now)
        self.rows.set_state(s, changes.restore, PENDING, now=now)
        self.rows.add(s, changes.add, now=now)
        return changes.offered

    def catch_up(self, s: Session, *, now: datetime, overlap: timedelta = timedelta(days=1)) -> int:
        """Re-plan deadlines changed since the last catch-up (a week back on the first run)."""
        since = (self._caught_up_to or now - timedelta(days=7)) - overlap
        offered = self.plan_deadlines(s, self.rows.deadlines_changed_since(s, since), now=now)
        self._caught_up_to = now
        return offered
