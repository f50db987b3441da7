"""The Teams agent: what each activity means. Messages in the personal chat run the referral conversation
(or show the cases card); card actions answer questions or approve notifications; dialogs preview and edit a
draft; every activity leaves its address, so reminders, escalations and channel notices can follow later.

It implements the Agents SDK's `Agent` protocol (`on_turn`); the SDK's adapter builds each turn's context,
with a connector client for the activity's service URL.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from microsoft_agents.activity import ActivityTypes
from microsoft_agents.hosting.core import TurnContext

from bot.teams import approvals, home, referral_flow
from bot.teams import cards as c
from bot.teams.chat import channel_key, user_key
from bot.teams.services import TeamsServices
from storage.chat_addresses import ChatAddress

log = logging.getLogger("scrbot.teams")

HELP = (
    "I am SCR Bot. Write *refer* to file a referral (Case for Consideration), *cases* to see cases, or *help*. "
    "Your answers are saved as you go: come back any time to carry on."
)


def addresses_of(context: TurnContext) -> list[ChatAddress]:
    """Where this activity says the bot can write later: the person's chat, or the team's channel."""
    a = context.activity
    conversation, service_url = a.conversation, a.service_url or ""
    if conversation is None or not service_url:
        return []
    tenant = str(conversation.tenant_id or "")
    bot = str(a.recipient.id) if a.recipient is not None and a.recipient.id else ""
    data: dict[str, Any] = a.channel_data if isinstance(a.channel_data, dict) else {}
    tenant = tenant or str((data.get("tenant") or {}).get("id") or "")
    if (conversation.conversation_type or "personal") == "personal":
        user = referral_flow.user_of(context)
        return [ChatAddress(user_key(user), service_url, str(conversation.id), tenant, bot)] if user else []
    found: list[ChatAddress] = []
    for part in ("channel", "team"):
        ident = str((data.get(part) or {}).get("id") or "")
        if ident:
            found.append(ChatAddress(channel_key(ident), service_url, ident, tenant, bot))
    return found


class TeamsBot:
    def __init__(self, services: TeamsServices) -> None:
        self.services = services
        self._known: dict[str, ChatAddress] = {}
        self._lock = threading.Lock()

    async def on_turn(self, context: TurnContext) -> None:
        await self._remember(context)
        a = context.activity
        if a.type == ActivityTypes.message:
            await self._message(context)
        elif a.type == ActivityTypes.invoke and a.name in {"task/fetch", "task/submit"}:
            await approvals.on_dialog(self.services, context)
        # conversationUpdate / installationUpdate: the address above is all they bring

    async def _remember(self, context: TurnContext) -> None:
        fresh = []
        with self._lock:
            for address in addresses_of(context):
                if self._known.get(address.key) != address:
                    self._known[address.key] = address
                    fresh.append(address)
        if fresh:
            now = self.services.clock.now()

            def keep() -> None:
                for address in fresh:
                    self.services.addresses.remember(address, now=now)

            await self.services.run(keep)

    async def _message(self, context: TurnContext) -> None:
        value = context.activity.value
        if isinstance(value, dict) and value.get("scr"):
            await self._card(context, value)
            return
        text = TurnContext.remove_recipient_mention(context.activity) or context.activity.text or ""
        text = " ".join(str(text).split())
        words = text.lower()
        if words in {"help", "?"}:
            await context.send_activity(c.message(HELP))
        elif words in home.CASES_WORDS and referral_flow.is_personal(context):
            await self._cases(context)
        elif text:
            await referral_flow.on_text(self.services, context, text)

    async def _card(self, context: TurnContext, data: dict[str, Any]) -> None:
        if data.get("scr") == c.CASES:
            await self._cases(context)
        elif await approvals.on_card(self.services, context, data):
            return
        elif not await referral_flow.on_card(self.services, context, data):
            log.info("a card action nobody handles (%s)", str(data.get("scr"))[:30])

    async def _cases(self, context: TurnContext) -> None:
        if not referral_flow.is_personal(context):
            return
        actor = self.services.actor(referral_flow.user_of(context))
        await context.send_activity(await self.services.run(lambda: home.cases_card(self.services, actor)))


class NoOpAgent:
    """Does nothing with a turn: the floor `bench/teams_ack.py` measures the real agent against."""

    async def on_turn(self, context: TurnContext) -> None:
        return None
