"""The weekly digest to the business unit: every open case, its open deadlines, missing confirmations.

Scheduled as a reminder row (rung "digest", one per ISO week), so it survives restarts, goes out once
across several processes, and is sent late after downtime like any other reminder. References, rule ids,
agency ids and dates only.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cases.board import BoardConfig
from cases.calendar import WorkingCalendar, local_date
from cases.case import DeadlineState
from cases.events import CaseStatus
from cases.status import rag
from notify.ladder import due_at
from notify.reminder_plan import PENDING, insert_ignoring_duplicates
from storage.case_codec import deadline as deadline_of
from storage.tables import AgencyConfirmationRow, CaseRow, DeadlineRow, OutboxRow
from storage.tables.base import new_id

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


def ensure_next_digest(s: Session, board: BoardConfig, calendar: WorkingCalendar, now: datetime) -> None:
    """Make sure the next digest is a row (idempotent: one row per ISO week)."""
    day, moment = next_digest(board, calendar, now)
    year, week, _ = day.isocalendar()
    insert_ignoring_duplicates(
        s,
        [
            {
                "id": new_id(),
                "board_id": board.id,
                "key": f"digest:{year}-W{week:02d}",
                "case_id": None,
                "case_ref": "",
                "deadline_id": None,
                "rule_id": "",
                "agency_id": "",
                "rung": DIGEST_RUNG,
                "audience": "business_unit",
                "act_by": None,
                "remind_on": day,
                "due_at": moment,
                "state": PENDING,
                "late": False,
                "sent_at": None,
                "outbox_id": "",
                "created_at": now,
                "updated_at": now,
            }
        ],
    )


def digest_values(s: Session, board: BoardConfig, calendar: WorkingCalendar, now: datetime) -> dict[str, Any]:
    today = local_date(now)
    cases = list(
        s.execute(
            select(CaseRow.id, CaseRow.reference, CaseRow.status)
            .where(CaseRow.board_id == board.id, CaseRow.status != CaseStatus.CLOSED.value)
            .order_by(CaseRow.reference)
        )
    )
    deadlines: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for d in s.scalars(
        select(DeadlineRow)
        .join(CaseRow, CaseRow.id == DeadlineRow.case_id)
        .where(
            CaseRow.board_id == board.id,
            CaseRow.status != CaseStatus.CLOSED.value,
            DeadlineRow.state == DeadlineState.OPEN.value,
            DeadlineRow.minimum_period.is_(False),
        )
        .order_by(DeadlineRow.act_by, DeadlineRow.rule_id, DeadlineRow.agency_id)
    ):
        status = rag(deadline_of(d), today, calendar, amber_working_days=board.amber_working_days)
        deadlines[d.case_id].append(
            {"rule": d.rule_id, "agency": d.agency_id, "act_by": d.act_by, "due": d.due, "rag": status.value}
        )
    missing: dict[str, list[str]] = defaultdict(list)
    for case_id, agency_id in s.execute(
        select(AgencyConfirmationRow.case_id, AgencyConfirmationRow.agency_id)
        .where(AgencyConfirmationRow.board_id == board.id, AgencyConfirmationRow.records_secured.is_(False))
        .order_by(AgencyConfirmationRow.agency_id)
    ):
        missing[case_id].append(agency_id)
    drafts = s.scalar(
        select(func.count()).select_from(OutboxRow).where(OutboxRow.board_id == board.id, OutboxRow.status == "draft")
    )
    return {
        "board_name": board.name,
        "week_of": today,
        "cases": [
            {
                "reference": reference,
                "status": status,
                "deadlines": deadlines.get(case_id, []),
                "missing_confirmations": missing.get(case_id, []),
            }
            for case_id, reference, status in cases
        ],
        "drafts_waiting": int(drafts or 0),
    }
