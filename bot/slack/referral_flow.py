"""The referral conversation in Slack: started by `/scr-refer`, the "File a referral" shortcut, a DM to the bot
or the App Home button; it runs in the referrer's DM with the bot.

Every listener keeps the step and acknowledges at once (Slack wants an answer within 3 seconds); the step
worker (bot/slack/steps.py) does the work. The answers go through the same engine and flow as the terminal.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack import conversation_blocks as cb
from bot.slack.business_unit import send_notices
from bot.slack.services import SlackServices
from bot.slack.text import plain_text
from intake.conversation.messages import Command, Input, Notice

log = logging.getLogger("scrbot.slack")

COMMAND_NAME = "/scr-refer"
SHORTCUT_ID = "scr_refer"
START_WORDS = {"refer", "referral", "start", "new referral", "new", "begin"}
_COMMANDS = {c.value: c for c in Command}


def _value(action: dict[str, Any]) -> dict[str, Any]:
    try:
        value = json.loads(action.get("value") or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _dm_channel(client: WebClient, user: str) -> str:
    return str(client.conversations_open(users=user)["channel"]["id"])


def _prefill(client: WebClient, user: str) -> dict[str, Any]:
    """The referrer's name and email from their Slack profile, offered as answers they can keep or change."""
    try:
        profile = client.users_info(user=user)["user"].get("profile") or {}
    except (SlackApiError, KeyError, TypeError):
        return {}
    prefill = {}
    if profile.get("real_name"):
        prefill["referrer.name"] = str(profile["real_name"])
    if profile.get("email"):
        prefill["referrer.email"] = str(profile["email"])
    return prefill


def user_of(body: dict[str, Any]) -> str:
    """Who sent a command, interaction or event."""
    if "user_id" in body:
        return str(body["user_id"])
    user = body.get("user")
    if isinstance(user, dict):
        return str(user.get("id", ""))
    return str((body.get("event") or {}).get("user", ""))


def converse(services: SlackServices, client: WebClient, user: str, channel: str, inp: Input) -> None:
    actor = services.access.actor(user)
    prefill = (
        _prefill(client, user) if inp.command is Command.START and not services.referrals.has_draft(actor) else None
    )
    try:
        turn = services.referrals.handle(actor, inp, now=services.clock.now(), address=user, prefill=prefill)
    except Exception as exc:  # noqa: BLE001 - the user must hear something; the draft is untouched (rolled back)
        log.error("referral conversation failed for %s: %s", actor.id, type(exc).__name__)
        client.chat_postMessage(
            channel=channel,
            text="Sorry, something went wrong there. Your answers so far are saved; please try again in a moment.",
        )
        return
    outbound = turn.outbound
    if not turn.had_draft:
        outbound = [Notice("You have no referral in progress. Press the button, or type *refer*, to start one.")]
    for message in outbound:
        text, blocks = cb.message_for(message)
        if not turn.had_draft:
            blocks = [*blocks, cb.start_button()]
        client.chat_postMessage(channel=channel, text=text, blocks=blocks)
    if turn.receipt is not None:
        send_notices(services)  # the new-referral notice, queued in the outbox as the case was filed


def _action_input(action: dict[str, Any], body: dict[str, Any]) -> Input | None:
    """The engine input a button / select / date picker press stands for."""
    action_id = str(action.get("action_id", ""))
    block_id = str(action.get("block_id", ""))
    if action_id.startswith(cb.ANSWER + ":"):
        value = _value(action)
        return Input(value=value.get("v"), key=value.get("k"))
    if action_id == cb.PICK:
        return Input(value=(action.get("selected_option") or {}).get("value"), key=block_id.removeprefix("q:"))
    if action_id == cb.DATE:
        return Input(value=action.get("selected_date"), key=block_id.removeprefix("q:"))
    if action_id == cb.MULTI_DONE:
        key = str(_value(action).get("k", ""))
        state = (body.get("state") or {}).get("values") or {}
        picked = (state.get(f"ms:{key}") or {}).get(cb.MULTI_PICK) or {}
        return Input(value=[o["value"] for o in picked.get("selected_options") or []], key=key)
    if action_id.startswith(cb.COMMAND + ":"):
        command = _COMMANDS.get(action_id.split(":", 1)[1])
        return Input(command=command, key=_value(action).get("k")) if command else None
    if action_id == cb.EDIT:
        return Input(command=Command.EDIT, key=(action.get("selected_option") or {}).get("value"))
    if action_id.startswith(cb.CONFIRM_CANCEL + ":"):
        return Input(value=action_id.split(":", 1)[1])
    return None


def register(app: App, services: SlackServices) -> None:
    # Before the acknowledgement a step is only kept (sealed, one INSERT); ordering, de-duplication of
    # retried events and the draft update happen on the step worker, one step at a time in the order they
    # were kept, so each person's steps in the order Slack delivered them (issue 15 §3).
    worker = services.steps()
    client = app.client

    def keep(kind: str, text: str | None = None) -> Callable[..., None]:
        def acknowledge(ack: Ack, body: dict[str, Any]) -> None:
            worker.receive(kind, user_of(body), body)
            ack(text=text) if text else ack()

        return acknowledge

    def ack_only(ack: Ack) -> None:
        ack()

    def start_from_command(body: dict[str, Any]) -> None:
        user = str(body["user_id"])
        with services.turn(user, None):
            converse(services, client, user, _dm_channel(client, user), Input(command=Command.START))

    def start_from_interaction(body: dict[str, Any]) -> None:
        user = str(body["user"]["id"])
        with services.turn(user, None):
            channel = (body.get("channel") or {}).get("id") or _dm_channel(client, user)
            converse(services, client, user, str(channel), Input(command=Command.START))

    def on_action(body: dict[str, Any]) -> None:
        user = str(body["user"]["id"])
        with services.turn(user, None):
            channel = (body.get("channel") or {}).get("id") or _dm_channel(client, user)
            for action in body.get("actions") or []:
                inp = _action_input(action, body)
                if inp is not None:
                    converse(services, client, user, str(channel), inp)

    def on_direct_message(body: dict[str, Any]) -> None:
        event = body.get("event") or {}
        user = str(event.get("user", ""))
        with services.turn(user, None):
            text = plain_text(str(event.get("text") or ""))
            channel = str(event.get("channel"))
            actor = services.access.actor(user)
            if not services.referrals.has_draft(actor) and " ".join(text.lower().split()) in START_WORDS:
                converse(services, client, user, channel, Input(command=Command.START))
                return
            converse(services, client, user, channel, Input(text=text))

    def is_plain_dm(event: dict[str, Any]) -> bool:
        return (
            event.get("channel_type") == "im"
            and not event.get("subtype")
            and not event.get("bot_id")
            and bool(event.get("user"))
        )

    worker.handle("refer.command", start_from_command)
    worker.handle("refer.start", start_from_interaction)
    worker.handle("refer.action", on_action)
    worker.handle("refer.message", on_direct_message)
    pattern = re.compile(
        rf"^({cb.ANSWER}:\d+|{cb.PICK}|{cb.DATE}|{cb.MULTI_DONE}|{cb.COMMAND}:\w+|{cb.EDIT}|{cb.CONFIRM_CANCEL}:\w+)$"
    )
    # The answers first: bolt tries listeners in the order registered, each try costing tens of microseconds,
    # and the answers are most of what people send (bench/slack_ack.py).
    app.action(pattern)(keep("refer.action"))
    app.command(COMMAND_NAME)(keep("refer.command", "I have sent you a direct message to start the referral."))
    app.shortcut(SHORTCUT_ID)(keep("refer.start"))
    app.action(cb.START)(keep("refer.start"))
    # Choosing in the multi-select changes nothing until "Continue" is pressed.
    app.action(cb.MULTI_PICK)(ack_only)
    app.event("message", matchers=[is_plain_dm])(keep("refer.message"))
