"""What the board's figures need beyond the timeline: each extension with its reason (003 §4.1), each cost of a
review (000 appendix 1 §2). The cost's note is free text: sealed like every other."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import BigInteger, Date, ForeignKey, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.tables.base import Base, encrypted, new_id

ID = String(32)


class ReviewExtensionRow(Base):
    """One extension of a review's completion date. An extension is known by the date it was agreed: recording
    the event again with the same date corrects it, with another date adds one."""

    __tablename__ = "review_extensions"
    __table_args__ = (UniqueConstraint("case_id", "extended_on"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    board_id: Mapped[str] = mapped_column(String(64), index=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    extended_on: Mapped[date] = mapped_column(Date)
    new_due: Mapped[date | None] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(100))  # from the board's list: a category, never free text
    recorded_at: Mapped[datetime]
    recorded_by: Mapped[str] = mapped_column(String(200))


class ReviewCostRow(Base):
    """One cost of a review, in whole pence; hours with the hourly rate (in pence) that priced them."""

    __tablename__ = "review_costs"

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    board_id: Mapped[str] = mapped_column(String(64), index=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    incurred_on: Mapped[date] = mapped_column(Date)
    amount_pence: Mapped[int] = mapped_column(BigInteger)
    hours: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    hourly_rate_pence: Mapped[int | None] = mapped_column(Integer)
    note_enc: Mapped[bytes | None] = encrypted()
    recorded_at: Mapped[datetime]
    recorded_by: Mapped[str] = mapped_column(String(200))
