"""Approving statutory notifications in Teams: the approval card in the business unit's channel (Preview,
Approve, Edit, Reject), and the preview and edit dialogs.

The card names the case reference, the kind of notification and its recipients' roles only; its buttons
carry the outbox id as data. The content appears only in a dialog (a task module, shown to the person who
pressed) opened by a business unit member, and each opening is audited (Outbox.get). Anyone else is refused
politely, and the refusal is audited. A rejected notification is never sent.
"""

from __future__ import annotations

import logging
from typing import Any

from microsoft_agents.activity import Activity, ActivityTypes, InvokeResponse
from microsoft_agents.hosting.core import TurnContext
from microsoft_teams.cards import CardElement

from bot.chat_texts import NOTIFICATION_REFUSAL
from bot.teams import cards as c
from bot.teams.referral_flow import user_of
from bot.teams.services import TeamsServices
from cases.actor import Actor, PermissionDenied
from errors import ScrBotError
from notify.approval_warning import draft_warning, item_warning
from notify.outbox import OutboxItem

log = logging.getLogger("scrbot.teams")

PREVIEW, APPROVE, EDIT, REJECT = "preview", "approve", "edit", "reject"


def approval_card(text: str, draft_id: str) -> dict[str, Any]:
    """The channel's card for a draft: the request's own words (no personal data) and the four buttons."""
    return c.card(
        [
            c.text(text),
            c.actions(
                c.submit("Preview", c.APPROVAL, dialog=True, do=PREVIEW, id=draft_id),
                c.submit("Approve", c.APPROVAL, style="positive", do=APPROVE, id=draft_id),
                c.submit("Edit", c.APPROVAL, dialog=True, do=EDIT, id=draft_id),
                c.submit("Reject", c.APPROVAL, style="destructive", do=REJECT, id=draft_id),
            ),
        ]
    )


def _name(context: TurnContext) -> str:
    sender = context.activity.from_property
    return str(sender.name or "a business unit member") if sender is not None else "a business unit member"


async def _refuse(services: TeamsServices, actor: Actor, draft_id: str, attempted: str) -> None:
    def record() -> None:
        services.record_refusal(actor, f"notification.{attempted}", services_reference(services, draft_id))

    await services.run(record)


def services_reference(services: TeamsServices, draft_id: str) -> str:
    """The case reference a queued message is about, read without its content ("" if unknown)."""
    summary = services.outbox.about(draft_id)
    return summary.case_ref if summary else ""


async def on_card(services: TeamsServices, context: TurnContext, data: dict[str, Any]) -> bool:
    """Approve or Reject pressed on the channel card (Preview and Edit open dialogs: `on_dialog`)."""
    if data.get("scr") != c.APPROVAL or data.get("do") not in {APPROVE, REJECT}:
        return False
    verb, draft_id = str(data["do"]), str(data.get("id") or "")
    actor = services.actor(user_of(context))
    if not actor.is_staff:
        await _refuse(services, actor, draft_id, verb)
        await context.send_activity(c.message(NOTIFICATION_REFUSAL))
        return True
    if verb == APPROVE:  # not without the preview when the text names the child (notify/approval_warning.py)
        problem = await services.run(lambda: draft_warning(services.outbox, draft_id))
        if problem:
            await context.send_activity(c.message(f"Not approved: {problem}. Open Preview to read it, then approve."))
            return True
    act = services.outbox.approve if verb == APPROVE else services.outbox.reject

    def settle() -> None:
        act(draft_id, actor=actor, now=services.clock.now())

    try:
        await services.run(settle)
    except (ScrBotError, LookupError, PermissionDenied) as exc:
        await context.send_activity(c.message(str(exc)))
        return True
    note = f"Approved by {_name(context)}." if verb == APPROVE else f"Rejected by {_name(context)}: not sent."
    card_id = context.activity.reply_to_id
    if card_id:  # the card's buttons go: it now says who decided
        decided = c.message(note, c.card([c.text(note, bold=True)]))
        decided.id = card_id
        await context.update_activity(decided)
    else:
        await context.send_activity(c.message(note))
    if verb == APPROVE:
        await services.run(services.send_queued)
    return True


def _dialog(title: str, body: list[CardElement]) -> dict[str, Any]:
    return {
        "task": {
            "type": "continue",
            "value": {"title": title, "card": c.attachment(c.card(body)).model_dump(by_alias=True, exclude_none=True)},
        }
    }


def _tell(text: str) -> dict[str, Any]:
    return {"task": {"type": "message", "value": c.fit(text, 500)}}


def _preview(item: OutboxItem, draft_id: str, warning: str = "") -> list[CardElement]:
    return [
        *([c.text(f"Check before approving: {warning}", bold=True)] if warning else []),
        c.text(f"{item.kind.replace('_', ' ')} for {item.case_ref}", bold=True),
        c.facts([("To", item.recipient_summary), ("Subject", item.subject)]),
        c.text(item.text),
        c.actions(c.submit("Approve", c.APPROVAL, style="positive", do=APPROVE, id=draft_id)),
    ]


def _edit(item: OutboxItem, draft_id: str) -> list[CardElement]:
    return [
        c.text(f"Edit the {item.kind.replace('_', ' ')} for {item.case_ref}", bold=True),
        c.text_input("subject", value=item.subject, label="Subject"),
        c.text_input("text", value=item.text, multiline=True, label="Text"),
        c.actions(c.submit("Save", c.SAVE_EDIT, style="positive", id=draft_id)),
    ]


async def on_dialog(services: TeamsServices, context: TurnContext) -> None:
    """`task/fetch` (a Preview or Edit press) and `task/submit` (the dialog's Approve or Save)."""
    value = context.activity.value if isinstance(context.activity.value, dict) else {}
    found = value.get("data")
    data: dict[str, Any] = found if isinstance(found, dict) else {}
    fetching = context.activity.name == "task/fetch"
    draft_id = str(data.get("id") or "")
    verb = str(data.get("do") or (EDIT if data.get("scr") == c.SAVE_EDIT else ""))
    actor = services.actor(user_of(context))
    if data.get("scr") not in {c.APPROVAL, c.SAVE_EDIT} or not draft_id:
        body = _tell("Nothing to do here.")
    elif not actor.is_staff:
        await _refuse(services, actor, draft_id, verb or "open")
        body = _tell(NOTIFICATION_REFUSAL)
    elif fetching:
        body = await _fetch(services, actor, draft_id, verb)
    else:
        body = await _submit(services, context, actor, draft_id, data)
    await context.send_activity(
        Activity(type=ActivityTypes.invoke_response, value=InvokeResponse(status=200, body=body))
    )


async def _fetch(services: TeamsServices, actor: Actor, draft_id: str, verb: str) -> dict[str, Any]:
    try:
        item = await services.run(lambda: services.outbox.get(draft_id, actor=actor, now=services.clock.now()))
    except (ScrBotError, LookupError, PermissionDenied) as exc:
        return _tell(str(exc))
    if verb == EDIT:
        return _dialog("Edit notification", _edit(item, draft_id))
    warning = await services.run(lambda: item_warning(services.outbox, item))
    return _dialog("Notification", _preview(item, draft_id, warning))


async def _submit(
    services: TeamsServices, context: TurnContext, actor: Actor, draft_id: str, data: dict[str, Any]
) -> dict[str, Any]:
    now = services.clock.now()
    try:
        if data.get("scr") == c.SAVE_EDIT:
            text = data.get("text")
            if isinstance(text, str) and not text.strip():
                return _tell("The text cannot be empty; nothing was changed.")
            subject = data.get("subject")
            await services.run(
                lambda: services.outbox.edit(
                    draft_id,
                    actor=actor,
                    now=now,
                    subject=subject if isinstance(subject, str) else None,
                    text=text if isinstance(text, str) else None,
                )
            )
            return _tell("Saved. It is still a draft until it is approved.")
        await services.run(lambda: services.outbox.approve(draft_id, actor=actor, now=now))
    except (ScrBotError, LookupError, PermissionDenied) as exc:
        return _tell(str(exc))
    await services.run(services.send_queued)
    return _tell(f"Approved by {_name(context)}.")
