"""Reminder rows (DESIGN.md §4): one row per rung of each open deadline's reminder ladder, and the weekly
digest's row. The repository the planner (notify/reminder_planner.py) and the sweep (notify/reminders.py) use.

The sweep claims `state = 'pending' AND due_at <= now` through the partial index of pending rows (board_id,
due_at, id), a whole recipient at a time (storage/reminder_claims.py), so its cost follows what is due now,
several processes never send the same reminder, and a recipient gets one message a sweep. Rows are created with
INSERT ... ON CONFLICT DO NOTHING on their key, so several processes may plan the same case at once. Statements
that run on every agency confirmation are built once (building one costs more than running it on SQLite).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, exists, func, or_, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from cases.case import DeadlineState
from storage.tables import CaseRow, DeadlineRow, ReminderRow
from storage.tables.base import new_id, table_of

PENDING = "pending"
SENT = "sent"
CANCELLED = "cancelled"

_CHUNK = 500  # ids per IN (...): well under every backend's parameter limit
_REMINDERS = table_of(ReminderRow)  # Core: the session's identity map stays empty


@dataclass(frozen=True)
class DeadlineInfo:
    """What planning and the sweep need of a deadline (no personal data)."""

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


@dataclass(frozen=True)
class NewReminder:
    """A rung to store. `deadline` is None for the weekly digest."""

    key: str
    rung: str
    audience: str
    remind_on: date
    due_at: datetime
    deadline: DeadlineInfo | None = None


@dataclass(frozen=True)
class StoredReminder:
    """A deadline's reminder row as the planner compares it with the ladder it wants."""

    id: str
    deadline_id: str
    act_by: date | None
    key: str
    state: str


@dataclass(frozen=True)
class Claimed:
    """A reminder row as the sweep claimed it."""

    id: str
    key: str
    deadline_id: str | None
    rung: str
    audience: str
    act_by: date | None
    remind_on: date


@dataclass(frozen=True)
class PendingReminder:
    """A reminder still to go, as `scrbot reminders list` shows it (references, rule ids, dates)."""

    case_ref: str
    rule_id: str
    agency_id: str
    rung: str
    audience: str
    remind_on: date
    due_at: datetime
    act_by: date | None


_INFO_COLUMNS = (
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
_CASE_DEADLINES = (
    select(*_INFO_COLUMNS)
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
# The sweep's statements, built once: building a statement costs more than running it, and a 09:00 pass
# runs them for every board with something due.
_DETAILS = (
    select(*_INFO_COLUMNS, DeadlineRow.action, DeadlineRow.due)
    .join(CaseRow, CaseRow.id == DeadlineRow.case_id)
    .where(DeadlineRow.board_id == bindparam("board_id"), DeadlineRow.id.in_(bindparam("ids", expanding=True)))
)
# One executemany a claim (psycopg pipelines it), rather than an UPDATE per message.
_MARK_SENT = (
    update(_REMINDERS)
    .where(_REMINDERS.c.board_id == bindparam("b_board_id"), _REMINDERS.c.id == bindparam("b_id"))
    .values(
        state=SENT,
        sent_at=bindparam("b_at"),
        late=bindparam("b_late"),
        outbox_id=bindparam("b_outbox_id"),
        updated_at=bindparam("b_at"),
    )
)
_DETAILS_ACROSS = (
    select(DeadlineRow.board_id, *_INFO_COLUMNS, DeadlineRow.action, DeadlineRow.due)
    .join(CaseRow, CaseRow.id == DeadlineRow.case_id)
    .where(
        DeadlineRow.board_id.in_(bindparam("board_ids", expanding=True)),
        DeadlineRow.id.in_(bindparam("ids", expanding=True)),
    )
)
_CANCEL = (
    update(_REMINDERS)
    .where(_REMINDERS.c.board_id == bindparam("b_board_id"), _REMINDERS.c.id == bindparam("b_id"))
    .values(state=CANCELLED, updated_at=bindparam("b_at"))
)
# PostgreSQL: a pass's reminders marked sent in one statement over arrays of their values, rather than an
# UPDATE each (pipelined, still a statement the server runs per row). Each row matched by board id and id.
_MARK_SENT_PG = text(
    "UPDATE reminders AS r SET state = 'sent', sent_at = :at, updated_at = :at, late = v.late, outbox_id = v.oid "
    "FROM unnest(CAST(:boards AS text[]), CAST(:ids AS text[]), CAST(:lates AS boolean[]), CAST(:oids AS text[])) "
    "AS v(board_id, id, late, oid) WHERE r.board_id = v.board_id AND r.id = v.id"
)
_ADD = {
    "postgresql": pg_insert(ReminderRow).on_conflict_do_nothing(index_elements=["board_id", "key"]),
    "sqlite": sqlite_insert(ReminderRow).on_conflict_do_nothing(index_elements=["board_id", "key"]),
}
_SET_STATE = (
    update(_REMINDERS)
    .where(_REMINDERS.c.id.in_(bindparam("reminder_ids", expanding=True)))
    .values(state=bindparam("new_state"), updated_at=bindparam("at"))
)


def deadline_details(
    s: Session, deadline_ids: Mapping[str, Sequence[str]]
) -> dict[str, dict[str, tuple[DeadlineInfo, str, date]]]:
    """For a pass: each board's deadlines (by board id, then deadline id): planning info, action and due date.
    One statement a chunk for every board, each deadline read under its own board id."""
    found: dict[str, dict[str, tuple[DeadlineInfo, str, date]]] = defaultdict(dict)
    wanted = {(board_id, d) for board_id, ids in deadline_ids.items() for d in ids}
    boards = sorted(deadline_ids)
    ids = sorted({d for _, d in wanted})
    for start in range(0, len(ids), _CHUNK):
        for row in s.execute(_DETAILS_ACROSS, {"board_ids": boards, "ids": ids[start : start + _CHUNK]}):
            if (row[0], row[1]) in wanted:  # each deadline under the board whose reminder asked for it
                found[row[0]][row[1]] = (DeadlineInfo(*row[1:10]), row[10], row[11])
    return dict(found)


@dataclass
class RowChanges:
    """A pass's changes to reminder rows, gathered from every board's share and written together: one
    executemany each rather than one a board. Every row names its board id."""

    sent: list[dict[str, Any]] = field(default_factory=list)
    cancelled: list[dict[str, Any]] = field(default_factory=list)
    added: list[dict[str, Any]] = field(default_factory=list)

    def extend(self, other: RowChanges) -> None:
        self.sent += other.sent
        self.cancelled += other.cancelled
        self.added += other.added

    def write(self, s: Session) -> None:
        dialect = s.get_bind().dialect.name
        if self.sent and dialect == "postgresql":
            for start in range(0, len(self.sent), 5000):
                chunk = self.sent[start : start + 5000]
                s.execute(
                    _MARK_SENT_PG,
                    {
                        "at": chunk[0]["b_at"],
                        "boards": [r["b_board_id"] for r in chunk],
                        "ids": [r["b_id"] for r in chunk],
                        "lates": [r["b_late"] for r in chunk],
                        "oids": [r["b_outbox_id"] for r in chunk],
                    },
                )
        elif self.sent:
            s.execute(_MARK_SENT, self.sent)
        if self.cancelled:
            s.execute(_CANCEL, self.cancelled)
        statement = _ADD[dialect]
        for start in range(0, len(self.added), _CHUNK):
            s.execute(statement, self.added[start : start + _CHUNK])


def _infos(rows: Iterable[Any]) -> list[DeadlineInfo]:
    return [DeadlineInfo(*row) for row in rows]


class ReminderRows:
    def __init__(self, board_id: str) -> None:
        self.board_id = board_id

    # --- the deadlines reminders serve ---------------------------------------------------------------

    def deadlines_of_case(self, s: Session, case_id: str) -> list[DeadlineInfo]:
        s.flush()  # the store's pending deadline changes must be visible
        return _infos(s.execute(_CASE_DEADLINES, {"case_id": case_id}))

    def deadlines_of_agency(self, s: Session, case_id: str, agency_id: str) -> list[DeadlineInfo]:
        """One agency's deadlines of a case, and any deadline of the case never planned."""
        s.flush()
        return _infos(s.execute(_AGENCY_DEADLINES, {"case_id": case_id, "agency_id": agency_id}))

    def deadlines_changed_since(self, s: Session, since: datetime) -> list[DeadlineInfo]:
        query = select(*_INFO_COLUMNS).join(CaseRow, CaseRow.id == DeadlineRow.case_id)
        return _infos(s.execute(query.where(DeadlineRow.board_id == self.board_id, DeadlineRow.updated_at >= since)))

    def deadline_details(self, s: Session, ids: Sequence[str]) -> dict[str, tuple[DeadlineInfo, str, date]]:
        """For the sweep: each deadline's planning info, action and due date."""
        found: dict[str, tuple[DeadlineInfo, str, date]] = {}
        for start in range(0, len(ids), _CHUNK):
            chunk = list(ids[start : start + _CHUNK])
            for row in s.execute(_DETAILS, {"board_id": self.board_id, "ids": chunk}):
                found[row[0]] = (DeadlineInfo(*row[:9]), row[9], row[10])
        return found

    def open_deadlines(self, s: Session, *, limit: int) -> list[DeadlineInfo]:
        query = select(*_INFO_COLUMNS).join(CaseRow, CaseRow.id == DeadlineRow.case_id)
        query = query.where(DeadlineRow.board_id == self.board_id, DeadlineRow.state == DeadlineState.OPEN.value)
        return _infos(s.execute(query.order_by(DeadlineRow.id).limit(limit)))

    # --- planning ------------------------------------------------------------------------------------

    def stored_for(self, s: Session, deadline_ids: Sequence[str]) -> list[StoredReminder]:
        """The reminder rows of these deadlines (rows the sweep holds right now are skipped)."""
        found: list[StoredReminder] = []
        for start in range(0, len(deadline_ids), _CHUNK):
            rows = s.execute(_REMINDERS_OF, {"deadline_ids": list(deadline_ids[start : start + _CHUNK])})
            found += [StoredReminder(str(r[0]), str(r[1]), r[2], r[3], r[4]) for r in rows]
        return found

    def set_state(self, s: Session, reminder_ids: Sequence[str], state: str, *, now: datetime) -> None:
        for start in range(0, len(reminder_ids), _CHUNK):
            chunk = list(reminder_ids[start : start + _CHUNK])
            s.execute(_SET_STATE, {"reminder_ids": chunk, "new_state": state, "at": now})

    def add(self, s: Session, reminders: Sequence[NewReminder], *, now: datetime) -> None:
        """Store new rungs; one whose key is stored already is skipped, not an error."""
        if not reminders:
            return
        statement = _ADD[s.get_bind().dialect.name]
        rows = [self._values(r, now) for r in reminders]
        for start in range(0, len(rows), _CHUNK):
            # executemany of one cached statement (SQLAlchemy batches it as "insertmanyvalues").
            s.execute(statement, rows[start : start + _CHUNK])

    def _values(self, r: NewReminder, now: datetime) -> dict[str, Any]:
        d = r.deadline
        return {
            "id": new_id(),
            "board_id": self.board_id,
            "key": r.key,
            "case_id": d.case_id if d else None,
            "case_ref": d.case_ref if d else "",
            "deadline_id": d.id if d else None,
            "rule_id": d.rule_id if d else "",
            "agency_id": d.agency_id if d else "",
            "rung": r.rung,
            "audience": r.audience,
            "act_by": d.act_by if d else None,
            "remind_on": r.remind_on,
            "due_at": r.due_at,
            "state": PENDING,
            "late": False,
            "sent_at": None,
            "outbox_id": "",
            "created_at": now,
            "updated_at": now,
        }

    # --- sweeping ------------------------------------------------------------------------------------

    def changes(
        self,
        sent: Sequence[tuple[str, bool, str]],
        cancelled: Sequence[str],
        added: Sequence[NewReminder],
        *,
        now: datetime,
    ) -> RowChanges:
        """What `mark_sent`, `set_state(..., CANCELLED)` and `add` would write, for `RowChanges.write`."""
        return RowChanges(
            sent=[
                {"b_board_id": self.board_id, "b_id": rid, "b_at": now, "b_late": late, "b_outbox_id": oid}
                for rid, late, oid in sent
            ],
            cancelled=[{"b_board_id": self.board_id, "b_id": rid, "b_at": now} for rid in cancelled],
            added=[self._values(r, now) for r in added],
        )

    def mark_sent(self, s: Session, sent: Sequence[tuple[str, bool, str]], *, now: datetime) -> None:
        """(reminder id, late, outbox id): one cached UPDATE run as an executemany (pipelined by psycopg)."""
        rows = [
            {"b_board_id": self.board_id, "b_id": rid, "b_at": now, "b_late": late, "b_outbox_id": oid}
            for rid, late, oid in sent
        ]
        if rows:
            s.execute(_MARK_SENT, rows)

    # --- reading -------------------------------------------------------------------------------------

    def pending(self, s: Session, *, case_ref: str | None = None, limit: int = 200) -> list[PendingReminder]:
        query = select(ReminderRow).where(ReminderRow.board_id == self.board_id, ReminderRow.state == PENDING)
        if case_ref:
            query = query.where(ReminderRow.case_ref == case_ref.upper())
        rows = s.scalars(query.order_by(ReminderRow.due_at, ReminderRow.case_ref).limit(limit))
        return [
            PendingReminder(r.case_ref, r.rule_id, r.agency_id, r.rung, r.audience, r.remind_on, r.due_at, r.act_by)
            for r in rows
        ]

    def count(self, s: Session, state: str) -> int:
        query = select(func.count()).select_from(ReminderRow)
        return int(s.scalar(query.where(ReminderRow.board_id == self.board_id, ReminderRow.state == state)) or 0)
