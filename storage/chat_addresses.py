"""Conversation references for proactive messages (Teams): the bot may only write into a conversation it has
been in, so each activity leaves its address here and reminders, escalations and channel notices use it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from storage.tables import ChatAddressRow


@dataclass(frozen=True)
class ChatAddress:
    key: str
    service_url: str
    conversation_id: str
    tenant_id: str
    bot_id: str
    updated_at: datetime | None = None


class ChatAddresses:
    def __init__(self, sessions: sessionmaker[Session], board_id: str, *, front_end: str = "teams") -> None:
        self.sessions = sessions
        self.board_id = board_id
        self.front_end = front_end

    def remember(self, address: ChatAddress, *, now: datetime) -> None:
        """Keep the latest address under its key (a service URL can change: the newest wins)."""
        with self.sessions.begin() as s:
            row = s.scalars(
                select(ChatAddressRow)
                .where(
                    ChatAddressRow.board_id == self.board_id,
                    ChatAddressRow.front_end == self.front_end,
                    ChatAddressRow.key == address.key,
                )
                .with_for_update()
            ).one_or_none()
            if row is None:
                row = ChatAddressRow(board_id=self.board_id, front_end=self.front_end, key=address.key)
                s.add(row)
            elif (row.service_url, row.conversation_id, row.tenant_id, row.bot_id) == (
                address.service_url,
                address.conversation_id,
                address.tenant_id,
                address.bot_id,
            ):
                return  # unchanged: no write on every message
            row.service_url = address.service_url
            row.conversation_id = address.conversation_id
            row.tenant_id = address.tenant_id
            row.bot_id = address.bot_id
            row.updated_at = now

    def find(self, key: str) -> ChatAddress | None:
        with self.sessions() as s:
            row = s.scalars(
                select(ChatAddressRow).where(
                    ChatAddressRow.board_id == self.board_id,
                    ChatAddressRow.front_end == self.front_end,
                    ChatAddressRow.key == key,
                )
            ).one_or_none()
        if row is None:
            return None
        return ChatAddress(row.key, row.service_url, row.conversation_id, row.tenant_id, row.bot_id, row.updated_at)
