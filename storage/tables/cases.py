"""Cases and what hangs off them. Personal data only in `*_enc` columns (AES-GCM tokens)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.tables.base import Base, encrypted, new_id

ID = String(32)


class CaseRow(Base):
    __tablename__ = "cases"
    __table_args__ = (UniqueConstraint("board_id", "reference"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    board_id: Mapped[str] = mapped_column(String(64), index=True)
    reference: Mapped[str] = mapped_column(String(24))
    status: Mapped[str] = mapped_column(String(32))
    rules_pack: Mapped[str] = mapped_column(String(200))
    # Opaque actor id (e.g. "slack:U0123", "cli:operator"): referrers see their own referrals only.
    filed_by: Mapped[str] = mapped_column(String(200), index=True)
    referral_enc: Mapped[bytes | None] = encrypted()
    # HMAC blind index of the child's normalised name and date of birth, for duplicate detection.
    child_index: Mapped[str | None] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    purged_at: Mapped[datetime | None]


class CaseCounterRow(Base):
    """Last case number issued per board and year, for SCR-YYYY-NNNN."""

    __tablename__ = "case_counters"

    board_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer)


class CaseEventRow(Base):
    __tablename__ = "case_events"
    __table_args__ = (UniqueConstraint("case_id", "event"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    board_id: Mapped[str] = mapped_column(String(64), index=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    event: Mapped[str] = mapped_column(String(64))
    occurred_on: Mapped[date] = mapped_column(Date)
    outcome: Mapped[str | None] = mapped_column(String(64))
    new_due: Mapped[date | None] = mapped_column(Date)
    recorded_at: Mapped[datetime]
    recorded_by: Mapped[str] = mapped_column(String(200))


class DecisionRow(Base):
    __tablename__ = "decisions"

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    board_id: Mapped[str] = mapped_column(String(64), index=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), unique=True)
    outcome: Mapped[str] = mapped_column(String(64))
    decided_on: Mapped[date] = mapped_column(Date)
    decided_by_enc: Mapped[bytes | None] = encrypted()
    rationale_enc: Mapped[bytes | None] = encrypted()
    detail_enc: Mapped[bytes | None] = encrypted()
    recorded_at: Mapped[datetime]
    recorded_by: Mapped[str] = mapped_column(String(200))


class DeadlineRow(Base):
    """A computed deadline with why it is what it is (rule, trigger, text, source) and where it stands."""

    __tablename__ = "deadlines"
    __table_args__ = (
        UniqueConstraint("case_id", "rule_id", "agency_id", "occurrence"),
        # The reminder sweep reads open deadlines by date; its cost follows what is due, not all cases.
        Index("ix_deadlines_state_act_by", "state", "act_by"),
        # Reminder planning catches up with deadlines changed without a domain event (notify/reminder_plan.py).
        Index("ix_deadlines_updated_at", "updated_at"),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    board_id: Mapped[str] = mapped_column(String(64))
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    rule_id: Mapped[str] = mapped_column(String(64))
    agency_id: Mapped[str] = mapped_column(String(64), default="")  # "" for board-level deadlines
    occurrence: Mapped[int] = mapped_column(Integer, default=1)
    trigger_event: Mapped[str] = mapped_column(String(64))
    trigger_date: Mapped[date] = mapped_column(Date)
    due: Mapped[date] = mapped_column(Date)
    act_by: Mapped[date] = mapped_column(Date)
    limit_text: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(500))
    who: Mapped[str] = mapped_column(String(200))
    rule_text: Mapped[str] = mapped_column(String(1000))
    source: Mapped[str] = mapped_column(String(200))
    per_agency: Mapped[bool] = mapped_column(Boolean, default=False)
    minimum_period: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(32), default="open")
    met_on: Mapped[date | None] = mapped_column(Date)
    # The due date a person gave (a report returned with a new date, an action's date), else NULL: computed.
    due_given: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime]


class AgencyConfirmationRow(Base):
    """Per case and agency: request sent, involvement answer, records secured (004 §3.7, §5.6)."""

    __tablename__ = "agency_confirmations"
    __table_args__ = (UniqueConstraint("case_id", "agency_id"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    board_id: Mapped[str] = mapped_column(String(64), index=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    agency_id: Mapped[str] = mapped_column(String(64))
    request_sent_at: Mapped[datetime | None]
    involvement: Mapped[str] = mapped_column(String(32), default="unknown")
    involvement_detail_enc: Mapped[bytes | None] = encrypted()
    # cases.case.RecordsState: not_yet, secured, no_records_held. `secured_on` only when secured.
    records: Mapped[str] = mapped_column(String(32), default="not_yet")
    secured_on: Mapped[date | None] = mapped_column(Date)
    secured_by_enc: Mapped[bytes | None] = encrypted()
    evidence_enc: Mapped[bytes | None] = encrypted()
    updated_at: Mapped[datetime]
