"""Reminders as rows (DESIGN.md §4): one row per rung of each open deadline's reminder ladder.

The sweep claims `state = 'pending' AND due_at <= now` of its board, oldest first, through a partial index
on the pending rows only (board_id, due_at, id): its cost follows what is due now, not how many cases or
sent reminders are kept (issue 15 §2). `key` makes creating a rung idempotent (several
processes may plan the same case at once). Nothing here is personal data: case reference, rule and agency
ids, dates.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from storage.tables.base import Base, new_id


class ReminderRow(Base):
    __tablename__ = "reminders"
    __table_args__ = (
        UniqueConstraint("board_id", "key"),
        Index("ix_reminders_state_due_at", "state", "due_at"),
        Index(
            "ix_reminders_pending_due",
            "board_id",
            "due_at",
            "id",
            sqlite_where=text("state = 'pending'"),
            postgresql_where=text("state = 'pending'"),
        ),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    board_id: Mapped[str] = mapped_column(String(64))
    # "<deadline id>:<audience>:<rung>:<act_by>" or "digest:<ISO week>": one row per rung, ever.
    key: Mapped[str] = mapped_column(String(120))
    case_id: Mapped[str | None] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    case_ref: Mapped[str] = mapped_column(String(24), default="")
    deadline_id: Mapped[str | None] = mapped_column(ForeignKey("deadlines.id", ondelete="CASCADE"), index=True)
    rule_id: Mapped[str] = mapped_column(String(64), default="")
    agency_id: Mapped[str] = mapped_column(String(64), default="")
    # before_3, on_day, overdue_1, overdue_2..., escalate_manager, escalate_chair, digest
    rung: Mapped[str] = mapped_column(String(32))
    # business_unit, agency, manager, chair
    audience: Mapped[str] = mapped_column(String(16))
    # The deadline's act_by when the rung was planned: a re-dated deadline gets new rungs.
    act_by: Mapped[date | None] = mapped_column(Date)
    remind_on: Mapped[date] = mapped_column(Date)  # the working day it is for
    due_at: Mapped[datetime]
    # pending -> sent | cancelled
    state: Mapped[str] = mapped_column(String(16), default="pending")
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    sent_at: Mapped[datetime | None]
    outbox_id: Mapped[str] = mapped_column(String(32), default="")  # the message it went out in
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
