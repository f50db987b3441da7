"""Where the bot can write to someone without being written to first: a Teams conversation reference (service
URL, conversation id, tenant), kept from the last activity of that conversation. Ids only, no names."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.tables.base import Base, new_id
from storage.tables.cases import ID


class ChatAddressRow(Base):
    __tablename__ = "chat_addresses"
    __table_args__ = (UniqueConstraint("board_id", "front_end", "key"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    board_id: Mapped[str] = mapped_column(String(64))
    front_end: Mapped[str] = mapped_column(String(16))  # "teams"
    key: Mapped[str] = mapped_column(String(200))  # "channel:<id>", "user:<entra object id>", "team:<id>"
    service_url: Mapped[str] = mapped_column(String(500))
    conversation_id: Mapped[str] = mapped_column(String(500))
    tenant_id: Mapped[str] = mapped_column(String(64))
    bot_id: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime]
