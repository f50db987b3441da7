"""Keeps the reminder rows in step with the deadlines they serve.

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

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, exists, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from cases.board import BoardConfig
from cases.calendar import WorkingCalendar, local_date
from cases.case import DeadlineState
from cases.domain_events import AgencyConfirmed, DomainEvent
from notify.ladder import Rung, due_at, plan
from storage.tables import CaseRow, DeadlineRow, ReminderRow
from storage.tables.base import new_id, table_of

PENDING = "pending"
SENT = "sent"
CANCELLED = "cancelled"

_CHUNK = 500


@dataclass(frozen=True)
class DeadlineInfo:
    """What planning needs of a deadline (no personal data)."""

    id: str
    case_id: str
    case_ref: str
    rule_id: str
    agency_id: str
    per_agency: bool
    minimum_period: bool
    state: str
    act_by: date

    @property
    def remindable(self) -> bool:
        # A minimum period (keep the report online for 12 months, 004 §10.1) is not a duty to chase.
        return self.state == DeadlineState.OPEN.value and not self.minimum_period


def reminder_key(deadline_id: str, rung: Rung, act_by: date) -> str:
    return f"{deadline_id}:{rung.audience.value}:{rung.name}:{act_by:%Y%m%d}"


def insert_ignoring_duplicates(s: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Insert reminder rows; a row whose (board, key) exists already is skipped, not an error."""
    if not rows:
        return
    dialect = s.get_bind().dialect.name
    insert = pg_insert(ReminderRow) if dialect == "postgresql" else sqlite_insert(ReminderRow)
    statement = insert.on_conflict_do_nothing(index_elements=["board_id", "key"])
    for start in range(0, len(rows), _CHUNK):
        # executemany of one cached statement (SQLAlchemy batches it as "insertmanyvalues").
        s.execute(statement, list(rows[start : start + _CHUNK]))


def rung_row(board_id: str, d: DeadlineInfo, rung: Rung, *, now: datetime, send_time: Any) -> dict[str, Any]:
    return {
        "id": new_id(),
        "board_id": board_id,
        "key": reminder_key(d.id, rung, d.act_by),
        "case_id": d.case_id,
        "case_ref": d.case_ref,
        "deadline_id": d.id,
        "rule_id": d.rule_id,
        "agency_id": d.agency_id,
        "rung": rung.name,
        "audience": rung.audience.value,
        "act_by": d.act_by,
        "remind_on": rung.day,
        "due_at": due_at(rung.day, send_time),
        "state": PENDING,
        "late": False,
        "sent_at": None,
        "outbox_id": "",
        "created_at": now,
        "updated_at": now,
    }


_COLUMNS = (
    DeadlineRow.id,
    DeadlineRow.case_id,
    CaseRow.reference,
    DeadlineRow.rule_id,
    DeadlineRow.agency_id,
    DeadlineRow.per_agency,
    DeadlineRow.minimum_period,
    DeadlineRow.state,
    DeadlineRow.act_by,
)


# Built once: every confirmation runs these, and building the expressions costs more than running them.
_REMINDERS = table_of(ReminderRow)
_CASE_DEADLINES = (
    select(*_COLUMNS)
    .join(CaseRow, CaseRow.id == DeadlineRow.case_id)
    .where(DeadlineRow.case_id == bindparam("case_id"))
)
_AGENCY_DEADLINES = _CASE_DEADLINES.where(
    or_(
        DeadlineRow.agency_id == bindparam("agency_id"),
        ~exists().where(ReminderRow.deadline_id == DeadlineRow.id),  # never planned
    )
)
# SKIP LOCKED: a reminder the sweep holds right now is being sent; the sweep checks the deadline itself, so
# waiting for it would only risk a lock cycle.
_REMINDERS_OF = (
    select(_REMINDERS.c.id, _REMINDERS.c.deadline_id, _REMINDERS.c.act_by, _REMINDERS.c.key, _REMINDERS.c.state)
    .where(_REMINDERS.c.deadline_id.in_(bindparam("deadline_ids", expanding=True)))
    .with_for_update(skip_locked=True)
)
_SET_STATE = (
    update(_REMINDERS)
    .where(_REMINDERS.c.id.in_(bindparam("reminder_ids", expanding=True)))
    .values(state=bindparam("new_state"), updated_at=bindparam("at"))
)


def _infos(rows: Iterable[Any]) -> list[DeadlineInfo]:
    return [DeadlineInfo(*row) for row in rows]


class ReminderPlanner:
    def __init__(self, board: BoardConfig, calendar: WorkingCalendar) -> None:
        self.board = board
        self.calendar = calendar
        self._caught_up_to: datetime | None = None

    # A CaseStore listener: every domain event carries the case it changed.
    def __call__(self, s: Session, event: DomainEvent) -> None:
        if isinstance(event, AgencyConfirmed):
            self.plan_agency(s, event.case_id, event.agency_id, now=event.at)
        else:
            self.plan_case(s, event.case_id, now=event.at)

    def plan_case(self, s: Session, case_id: str, *, now: datetime) -> None:
        s.flush()  # the store's pending deadline changes must be visible to the query below
        self.plan_deadlines(s, _infos(s.execute(_CASE_DEADLINES, {"case_id": case_id})), now=now)

    def plan_agency(self, s: Session, case_id: str, agency_id: str, *, now: datetime) -> None:
        """Plan what an agency's confirmation can change: that agency's deadlines of the case (confirm_agency
        marks them and, with involvement, adds or cancels them; the case's other deadlines do not depend
        on one agency's answer), and any deadline never planned (an agency added since the last event).
        The rest are as the last plan left them: planning them again would rewrite the same rows."""
        s.flush()
        rows = s.execute(_AGENCY_DEADLINES, {"case_id": case_id, "agency_id": agency_id})
        self.plan_deadlines(s, _infos(rows), now=now)

    def plan_deadlines(self, s: Session, deadlines: Sequence[DeadlineInfo], *, now: datetime) -> int:
        """Cancel stale pending reminders of these deadlines and create the missing rungs; returns rows offered.

        The deadlines' reminder rows are read once; only the differences are written (a confirmation that
        meets a deadline is one UPDATE of its pending rows, not a rewrite of every rung)."""
        if not deadlines:
            return 0
        by_id = {d.id: d for d in deadlines}
        ids = list(by_id)
        today = local_date(now)
        settings = self.board.reminders
        new_rows = [
            rung_row(self.board.id, d, rung, now=now, send_time=settings.send_time)
            for d in deadlines
            if d.remindable
            for rung in plan(
                d.act_by,
                today,
                agency_task=d.per_agency and bool(d.agency_id),
                settings=settings,
                calendar=self.calendar,
            )
        ]
        wanted = {row["key"] for row in new_rows}
        stale: list[str] = []
        cancelled: list[str] = []
        existing: set[str] = set()
        for start in range(0, len(ids), _CHUNK):
            # A row skipped as locked (see _REMINDERS_OF) that is wanted again is offered to the insert
            # below, which leaves it as it is.
            for reminder_id, deadline_id, act_by, key, state in s.execute(
                _REMINDERS_OF, {"deadline_ids": ids[start : start + _CHUNK]}
            ):
                existing.add(key)
                if state == PENDING:
                    d = by_id[str(deadline_id)]
                    if not d.remindable or d.act_by != act_by:
                        stale.append(reminder_id)
                elif state == CANCELLED and key in wanted:
                    # A deadline reopened (or moved back) gets the rungs it had again.
                    cancelled.append(reminder_id)
        for rows, state in ((stale, CANCELLED), (cancelled, PENDING)):
            for start in range(0, len(rows), _CHUNK):
                s.execute(_SET_STATE, {"reminder_ids": rows[start : start + _CHUNK], "new_state": state, "at": now})
        insert_ignoring_duplicates(s, [row for row in new_rows if row["key"] not in existing])
        return len(new_rows)

    def catch_up(self, s: Session, *, now: datetime, overlap: timedelta = timedelta(days=1)) -> int:
        """Re-plan deadlines changed since the last catch-up (a week back on the first run)."""
        since = (self._caught_up_to or now - timedelta(days=7)) - overlap
        rows = s.execute(
            select(*_COLUMNS)
            .join(CaseRow, CaseRow.id == DeadlineRow.case_id)
            .where(DeadlineRow.board_id == self.board.id, DeadlineRow.updated_at >= since)
        )
        offered = self.plan_deadlines(s, _infos(rows), now=now)
        self._caught_up_to = now
        return offered
