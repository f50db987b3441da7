"""The referral conversation in Teams: in the referrer's personal chat with the bot, started by writing
*refer* or pressing *Start a referral*. The same engine and flow as Slack and the terminal
(intake/referrals.py); cards translate the questions (bot/teams/conversation_cards.py).

Referrals are only taken in a personal chat: in a channel or group chat the answers would be seen by others.
"""

from __future__ import annotations

import logging
from typing import Any

from microsoft_agents.hosting.core import TurnContext

from bot.teams import cards as c
from bot.teams.conversation_cards import activity_for, input_from_card
from bot.teams.services import TeamsServices
from intake.conversation.messages import Command, Input, Notice
from intake.referrals import Turn

log = logging.getLogger("scrbot.teams")

START_WORDS = {"refer", "referral", "start", "new referral", "new", "begin"}
PERSONAL_ONLY = (
    "Referrals hold a child's details, so they are made in a personal chat with SCR Bot, not here. Open the bot's "
    "chat and write *refer*."
)
FAILED = "Sorry, something went wrong there. Your answers so far are saved; please try again in a moment."


def user_of(context: TurnContext) -> str:
    """The Entra object id of who sent the activity ("" if Teams did not say)."""
    sender = context.activity.from_property
    return str(sender.aad_object_id or "") if sender is not None else ""


def is_personal(context: TurnContext) -> bool:
    conversation = context.activity.conversation
    return conversation is not None and (conversation.conversation_type or "personal") == "personal"


async def converse(services: TeamsServices, context: TurnContext, inp: Input) -> None:
    user = user_of(context)
    actor = services.actor(user)
    sender = context.activity.from_property
    name = str(sender.name or "") if sender is not None else ""

    def step() -> Turn:
        prefill = None
        if inp.command is Command.START and name and not services.referrals.has_draft(actor):
            prefill = {"referrer.name": name}  # offered, to keep or change
        return services.referrals.handle(actor, inp, now=services.clock.now(), address=user, prefill=prefill)

    try:
        turn = await services.run(step)
    except Exception as exc:  # noqa: BLE001 - the person must hear something; the draft is untouched
        log.error("referral conversation failed for %s: %s", actor.id, type(exc).__name__)
        await context.send_activity(c.message(FAILED))
        return
    outbound = turn.outbound
    if not turn.had_draft:
        outbound = [Notice("You have no referral in progress. Press the button, or write *refer*, to start one.")]
    for message in outbound:
        activity = activity_for(message, offer_start=not turn.had_draft)
        if activity is not None:
            await context.send_activity(activity)
    if turn.receipt is not None:
        await services.run(services.send_queued)  # the new-referral notice, queued as the case was filed


async def on_text(services: TeamsServices, context: TurnContext, text: str) -> None:
    if not is_personal(context):
        await context.send_activity(c.message(PERSONAL_ONLY))
        return
    words = " ".join(text.lower().split())
    actor = services.actor(user_of(context))
    if words in START_WORDS and not await services.run(lambda: services.referrals.has_draft(actor)):
        await converse(services, context, Input(command=Command.START))
        return
    await converse(services, context, Input(text=text))


async def on_card(services: TeamsServices, context: TurnContext, data: dict[str, Any]) -> bool:
    """A conversation card's action; False if the data is not one."""
    if data.get("scr") == c.START:
        inp: Input | None = Input(command=Command.START)
    else:
        inp = input_from_card(data)
    if inp is None:
        return False
    if not is_personal(context):
        await context.send_activity(c.message(PERSONAL_ONLY))
        return True
    await converse(services, context, inp)
    return True
