"""The weekly digest to the business unit: this year's compliance in one line (cases/figures/summary.py), then
every open case, its open deadlines, missing confirmations.

Scheduled as a reminder row (rung "digest", one per ISO week), so it survives restarts, goes out once
across several processes, and is sent late after downtime like any other reminder. References, rule ids,
agency ids and dates only.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from cases.actor import SYSTEM
from cases.board import BoardConfig
from cases.calendar import WorkingCalendar, local_date
from cases.figures.period import year_of
from cases.figures.summary import compliance_line
from cases.rules import RulesPack
from notify.ladder import Audience, due_at
from notify.outbox import OutboundMessage, Outbox
from notify.routing import Routing
from storage.case_reads import CaseReads
from storage.figure_reads import board_figures_for
from storage.outbox import OutboxStatus
from storage.reminders import NewReminder, ReminderRows

log = logging.getLogger("scrbot.reminders")

DIGEST_RUNG = "digest"
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday")


def digest_day(board: BoardConfig, calendar: WorkingCalendar, any_day: date) -> date:
    """The digest day of `any_day`'s week: the configured weekday, or the next working day that week."""
    monday = any_day - timedelta(days=any_day.weekday())
    day = monday + timedelta(days=_WEEKDAYS.index(board.reminders.digest_weekday))
    while not calendar.is_working_day(day) and day.weekday() < 4:
        day += timedelta(days=1)
    return day


def next_digest(board: BoardConfig, calendar: WorkingCalendar, now: datetime) -> tuple[date, datetime]:
    today = local_date(now)
    for week in range(3):
        day = digest_day(board, calendar, today + timedelta(weeks=week))
        moment = due_at(day, board.reminders.send_time)
        if moment >= now:
            return day, moment
    raise AssertionError("a digest day falls within three weeks")  # pragma: no cover


class Digest:
    def __init__(
        self,
        board: BoardConfig,
        calendar: WorkingCalendar,
        outbox: Outbox,
        routing: Routing,
        pack: RulesPack | None = None,
    ) -> None:
        self.board = board
        self.pack = pack  # the board's pack, for the compliance line; none: the digest goes without it
        self.calendar = calendar
        self.outbox = outbox
        self.routing = routing
        self.reminders = ReminderRows(board.id)
        self.cases = CaseReads(board, calendar)

    def next_key(self, now: datetime) -> str:
        """The key of the next digest's row (one per ISO week)."""
        day, _ = next_digest(self.board, self.calendar, now)
        year, week, _ = day.isocalendar()
        return f"digest:{year}-W{week:02d}"

    def ensure_next(self, s: Session, now: datetime) -> None:
        """Make sure the next digest is a row (idempotent: one row per ISO week)."""
        day, moment = next_digest(self.board, self.calendar, now)
        digest = NewReminder(self.next_key(now), DIGEST_RUNG, Audience.BUSINESS_UNIT.value, day, moment)
        self.reminders.add(s, [digest], now=now)

    def values(self, s: Session, now: datetime) -> dict[str, Any]:
        today = local_date(now)
        return {
            "board_name": self.board.name,
            "week_of": today,
            "cases": [
                {
                    "reference": case.reference,
                    "status": case.status.value,
                    "deadlines": [
                        {"rule": d.rule, "agency": d.agency, "act_by": d.act_by, "due": d.due, "rag": d.rag.value}
                        for d in case.deadlines
                    ],
                    "missing_confirmations": case.records_not_confirmed,
                }
                for case in self.cases.overview(s, today=today)
            ],
            "drafts_waiting": self.outbox.rows.count(s, OutboxStatus.DRAFT),
            "compliance": self._compliance(s, today),
        }

    def _compliance(self, s: Session, today: date) -> str:
        if self.pack is None:
            return ""
        year = year_of(today, start_month=self.board.figures.reporting_year_start_month)
        return compliance_line(board_figures_for(s, self.board, self.pack, year, today=today))

    def queue(self, s: Session, key: str, now: datetime) -> list[str]:
        """Queue this week's digest (its reminder row's key makes it once per week)."""
        targets = self.routing.business_unit()
        if not targets.emails:
            log.warning("weekly digest: no business unit email address in the board config")
            return []
        message = OutboundMessage(
            kind="weekly_digest",
            template_id="weekly_digest",
            values=self.values(s, now),
            recipients=list(targets.emails),
            recipient_summary=targets.summary,
            idempotency_key=f"digest:{key}",
        )
        return [self.outbox.enqueue(message, now=now, actor=SYSTEM, session=s)]
