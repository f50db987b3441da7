"""The outbox: every outbound message is a row first, then sent (DESIGN.md §4, after GOV.UK Notify)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.tables.base import Base, encrypted, new_id


class OutboxRow(Base):
    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("board_id", "idempotency_key"),
        # The dispatcher claims what is ready to go by (status, next_attempt_at).
        Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    board_id: Mapped[str] = mapped_column(String(64))
    case_id: Mapped[str | None] = mapped_column(ForeignKey("cases.id", ondelete="SET NULL"), index=True)
    case_ref: Mapped[str] = mapped_column(String(24), default="")
    kind: Mapped[str] = mapped_column(String(64))  # what it is for, e.g. "agency_request", "reminder"
    channel: Mapped[str] = mapped_column(String(16))  # "email" or "slack"
    template_id: Mapped[str] = mapped_column(String(100))
    template_version: Mapped[int] = mapped_column(Integer)
    # Recipients as JSON (addresses, Slack channel or user ids), encrypted: a professional's address is
    # personal data too. `recipient_summary` says who, without addresses (e.g. "agency:police").
    recipients_enc: Mapped[bytes | None] = encrypted()
    recipient_summary: Mapped[str] = mapped_column(String(500), default="")
    subject_enc: Mapped[bytes | None] = encrypted()
    body_enc: Mapped[bytes | None] = encrypted()
    html_enc: Mapped[bytes | None] = encrypted()
    personal_data: Mapped[bool] = mapped_column(Boolean, default=False)
    # draft -> approved -> sending -> sent; failed (retried with backoff); rejected; cancelled.
    status: Mapped[str] = mapped_column(String(16))
    requires_approval: Mapped[bool] = mapped_column(Boolean, default=False)
    idempotency_key: Mapped[str] = mapped_column(String(200))
    approver: Mapped[str] = mapped_column(String(200), default="")
    approved_at: Mapped[datetime | None]
    rejected_by: Mapped[str] = mapped_column(String(200), default="")
    rejected_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None]
    claimed_until: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(String(500), default="")  # error type and code only
    provider_message_id: Mapped[str] = mapped_column(String(500), default="")
    # The deadline this message discharges, marked met when it is sent (e.g. statutory notification).
    meets_rule: Mapped[str] = mapped_column(String(64), default="")
    meets_agency: Mapped[str] = mapped_column(String(64), default="")
    # The outbox item this message is about (an approval request's draft): travels as data, e.g. in the
    # Slack buttons' values, never parsed out of the text.
    about_id: Mapped[str] = mapped_column(String(32), default="")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
