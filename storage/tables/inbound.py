"""Inbound email: every message is a row (encrypted, with a keyed hash of its Message-ID) before anything
is done with it and before it is moved out of the mailbox's inbox (DESIGN.md §4)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.tables.base import Base, encrypted, new_id


class InboundMessageRow(Base):
    __tablename__ = "inbound_messages"
    __table_args__ = (
        # The same message delivered twice, or fetched again after a crash, finds this row.
        UniqueConstraint("board_id", "dedupe_key"),
        # Quarantine lists read by status.
        Index("ix_inbound_messages_board_id_status", "board_id", "status"),
        # Messages the business unit has not yet been told about (one notice per poll, not per message).
        Index("ix_inbound_messages_notice_pending", "notice_pending"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    board_id: Mapped[str] = mapped_column(String(64))
    # HMAC of the Message-ID and a hash of the body, under the board's index key: never the Message-ID
    # itself, which can name a person.
    dedupe_key: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(16))  # maildir, ews, graph, cli
    size: Mapped[int] = mapped_column(Integer)
    truncated: Mapped[bool] = mapped_column(default=False)  # over the size limit: only the head is kept
    raw_enc: Mapped[bytes | None] = encrypted()
    message_id_enc: Mapped[bytes | None] = encrypted()
    # JSON of what was read from it (an agency's answer, a referral's gaps): may hold personal data.
    detail_enc: Mapped[bytes | None] = encrypted()
    # received -> processed / quarantined / needs_person -> released
    status: Mapped[str] = mapped_column(String(16))
    # How many times acting on it has begun. A row still `received` with attempts left over means a run
    # crashed while acting on it; after a few such crashes it is quarantined instead of crashing again.
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(32), default="")  # agency_reply, referral, auto_reply, ...
    # Why it is where it is, in words without personal data (shown in Slack and the CLI).
    reason: Mapped[str] = mapped_column(String(500), default="")
    case_id: Mapped[str | None] = mapped_column(ForeignKey("cases.id", ondelete="SET NULL"), index=True)
    case_ref: Mapped[str] = mapped_column(String(24), default="")
    agency_id: Mapped[str] = mapped_column(String(64), default="")
    received_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    handled_by: Mapped[str] = mapped_column(String(200), default="")  # who released or unlocked it
    notice_pending: Mapped[bool] = mapped_column(default=False)
