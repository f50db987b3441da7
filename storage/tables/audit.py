"""The append-only audit log and its anchor (the chain's head, updated in the same transaction)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.tables.base import Base


class AuditRow(Base):
    __tablename__ = "audit_log"

    # One chain per board: (board_id, seq) with seq counting 1, 2, 3... without gaps.
    board_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(100))
    case_ref: Mapped[str] = mapped_column(String(24), default="")
    # JSON of non-personal detail only: ids, field names, states, counts.
    detail: Mapped[str] = mapped_column(Text, default="{}")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditAnchorRow(Base):
    """One row per board: the last sequence number and hash. Appends lock it, so the chain stays linear
    across processes."""

    __tablename__ = "audit_anchor"

    board_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    head_hash: Mapped[str] = mapped_column(String(64))
    # HMAC (audit key) over board id, seq and head hash: without the key, the anchor cannot be moved back to
    # an earlier entry to hide a cut tail. NULL on an anchor written by a version before signing (see
    # `scrbot audit sign-anchor`).
    signature: Mapped[str | None] = mapped_column(String(64))
