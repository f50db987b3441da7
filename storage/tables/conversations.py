"""Half-finished conversations (drafts) and the inbound deliveries already handled (retry dedupe)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.tables.base import Base, encrypted, new_id
from storage.tables.cases import ID


class DraftRow(Base):
    """One unfinished conversation per person and flow. The answers (personal data) are one sealed JSON value;
    the `id` is bound into its associated data, so key rotation re-seals it like any other field."""

    __tablename__ = "conversation_drafts"
    __table_args__ = (UniqueConstraint("board_id", "owner", "flow"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    board_id: Mapped[str] = mapped_column(String(64), index=True)
    owner: Mapped[str] = mapped_column(String(200))  # opaque actor id, e.g. "slack:U0123"
    flow: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(32))  # "slack", "terminal"
    address: Mapped[str] = mapped_column(String(200), default="")  # where to reach them there (Slack user id)
    state_enc: Mapped[bytes | None] = encrypted()
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime] = mapped_column(index=True)
    warned_at: Mapped[datetime | None]


class SeenDeliveryRow(Base):
    """Inbound deliveries already taken (e.g. Slack event ids): a retry of one is recognised and ignored, across
    restarts and between several bot processes. Pruned by age."""

    __tablename__ = "seen_deliveries"
    __table_args__ = (Index("ix_seen_deliveries_received_at", "received_at"),)

    board_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    source: Mapped[str] = mapped_column(String(32), primary_key=True)
    delivery_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    received_at: Mapped[datetime]


class ReceivedStepRow(Base):
    """A conversation step as it arrived (the whole request body, sealed), kept from the moment it is
    acknowledged until it has been worked on: a crash in between loses nothing (issue 15 §3). `owner` is the
    process that took it; `seq` its place in that process's line (with `received_at`, the working order)."""

    __tablename__ = "received_steps"
    __table_args__ = (Index("ix_received_steps_board_id_owner", "board_id", "owner"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    board_id: Mapped[str] = mapped_column(String(64))
    owner: Mapped[str] = mapped_column(String(32))
    seq: Mapped[int]
    kind: Mapped[str] = mapped_column(String(32))
    body_enc: Mapped[bytes | None] = encrypted()
    received_at: Mapped[datetime]
