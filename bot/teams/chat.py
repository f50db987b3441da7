"""The Teams side of notify.senders.ChatSender: the dispatcher's channel notices, approval requests,
reminders and escalations, sent as proactive messages.

A target is `teams:channel` (the business unit's channel, `[teams] business_unit_channel`) or
`teams:user:<Entra object id>` (a direct message). The bot may only write where it has been: the address
(service URL, conversation id, tenant) comes from storage/chat_addresses.py, kept from the last activity
there (installing the app in the team gives the channel's; a person's first message, their chat's). A
person the bot has no chat with yet gets one created in the team's tenant, through the team's service URL
(the app must be installed for them, e.g. with the team). No address at all is a failed send: the message
stays in the outbox and is retried.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, TypeVar

from microsoft_agents.activity import (
    ChannelAccount,
    ConversationAccount,
    ConversationParameters,
    ConversationReference,
)
from microsoft_agents.hosting.core import ChannelServiceAdapter, TurnContext

from bot.teams import cards as c
from bot.teams.approvals import approval_card
from cases.board import TEAMS_CHANNEL_TARGET, TEAMS_USER_TARGET, BoardConfig
from notify.dispatch import SendError
from storage.chat_addresses import ChatAddress, ChatAddresses

log = logging.getLogger("scrbot.teams")

T = TypeVar("T")
CHANNEL = "msteams"
SEND_TIMEOUT_SECONDS = 30.0
CONNECTOR_AUDIENCE = "https://api.botframework.com"


def channel_key(channel_id: str) -> str:
    return f"channel:{channel_id}"


def user_key(teams_user_id: str) -> str:
    return f"user:{teams_user_id.lower()}"


class TeamsChat:
    def __init__(
        self,
        adapter: ChannelServiceAdapter,
        addresses: ChatAddresses,
        board: BoardConfig,
        *,
        app_id: str,
        now: Callable[[], datetime],
        loop: Callable[[], asyncio.AbstractEventLoop | None] = lambda: None,
    ) -> None:
        self.now = now
        self.adapter = adapter
        self.addresses = addresses
        self.board = board
        self.app_id = app_id
        # The endpoint's running loop, when there is one: sends then share its connections; otherwise
        # (a CLI command) each send runs on a loop of its own.
        self._loop = loop

    def handles(self, target: str) -> bool:
        return target == TEAMS_CHANNEL_TARGET or target.startswith(TEAMS_USER_TARGET)

    def post(self, target: str, text: str, *, about: str = "") -> str:
        """Post `text` (an approval request gets its card and buttons when `about` names its draft);
        returns the message id."""
        content = approval_card(text, about) if about else c.card([c.text(text)])
        return self._run(self._post(target, c.message(text, content)))

    def _run(self, work: Awaitable[T]) -> T:
        loop = self._loop()
        try:
            if loop is not None and loop.is_running():
                return asyncio.run_coroutine_threadsafe(work, loop).result(timeout=SEND_TIMEOUT_SECONDS)  # type: ignore[arg-type]
            return asyncio.run(work)  # type: ignore[arg-type]
        except SendError:
            raise
        except Exception as exc:  # noqa: BLE001 - the dispatcher keeps the message and retries it
            raise SendError(f"Teams send failed ({type(exc).__name__})") from None

    async def _post(self, target: str, activity: Any) -> str:
        address = await asyncio.to_thread(self._address, target)
        if address is None:  # a person the bot has no chat with yet: open one through the team
            via = await asyncio.to_thread(self._team_address)
            user = target.removeprefix(TEAMS_USER_TARGET)
            address = await create_personal_chat(self.adapter, self.app_id, via, user)
            await asyncio.to_thread(self.addresses.remember, address, now=self.now())
        reference = ConversationReference(
            channel_id=CHANNEL,
            service_url=address.service_url,
            conversation=ConversationAccount(id=address.conversation_id, tenant_id=address.tenant_id),
            agent=ChannelAccount(id=address.bot_id or f"28:{self.app_id}"),
        )
        sent: list[str] = []

        async def send(context: TurnContext) -> None:
            response = await context.send_activity(activity)
            sent.append(str(response.id) if response is not None and response.id else "")

        continuation = reference.get_continuation_activity()
        continuation.id = None  # a new message (a new thread in a channel), not a reply to this event
        await self.adapter.continue_conversation(self.app_id, continuation, send)
        return sent[0] if sent else ""

    def _address(self, target: str) -> ChatAddress | None:
        if target == TEAMS_CHANNEL_TARGET:
            channel = self.board.teams.business_unit_channel
            found = self.addresses.find(channel_key(channel)) if channel else None
            if found is None:
                raise SendError("the bot has not been added to the business unit's Teams channel yet")
            return found
        if not target.startswith(TEAMS_USER_TARGET):
            raise SendError("not a Teams target")
        return self.addresses.find(user_key(target.removeprefix(TEAMS_USER_TARGET)))

    def _team_address(self) -> ChatAddress:
        """Any channel of the business unit's team the bot has been in: its service URL and tenant."""
        teams = self.board.teams
        for key in (channel_key(teams.business_unit_channel), channel_key(teams.team_id)):
            found = self.addresses.find(key) if key != "channel:" else None
            if found is not None:
                return found
        raise SendError("no Teams chat with this person yet, and the bot is not in the business unit's team")


async def create_personal_chat(
    adapter: ChannelServiceAdapter, app_id: str, via: ChatAddress, teams_user_id: str
) -> ChatAddress:
    """Open a personal chat with someone in the team's tenant (the app installed for them)."""
    created: list[str] = []

    async def remember(context: TurnContext) -> None:
        conversation = context.activity.conversation
        created.append(str(conversation.id) if conversation is not None else "")

    parameters = ConversationParameters(
        is_group=False,
        agent=ChannelAccount(id=via.bot_id or f"28:{app_id}"),
        members=[ChannelAccount(id=teams_user_id)],
        tenant_id=via.tenant_id,
        channel_data={"tenant": {"id": via.tenant_id}},
    )
    await adapter.create_conversation(app_id, CHANNEL, via.service_url, CONNECTOR_AUDIENCE, parameters, remember)
    return ChatAddress(user_key(teams_user_id), via.service_url, created[0], via.tenant_id, via.bot_id)
