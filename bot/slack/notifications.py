"""Approving statutory notifications in Slack: Preview / Approve / Edit / Reject on the business unit's
channel message, a preview modal and an edit modal.

The channel message (an outbox "approval_request") names the case reference, the kind of notification and
its recipients' roles only. The content appears only in modals opened by an authorised business unit
member, and each opening is audited (Outbox.get). Anyone else who presses a button is refused politely, and
the refusal is audited (CaseStore.record_refusal). A rejected notification is never sent.

`register(app, services)` follows the app factory's feature-module pattern (bot/slack/app.py); `services`
needs `store`, `access` (who a Slack user is: `actor(user_id)`) and `clock`. `ApprovalButtons` is the
outbox's ChatSender for Slack: approval requests get their buttons, anything else is posted as text.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Protocol

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.chat_texts import NOTIFICATION_REFUSAL
from bot.clock import Clock
from bot.slack import notification_views as views
from bot.slack.blocks import modal, plain_section
from cases.actor import Actor
from errors import Conflict, NotFound, Refused
from notify.approval_warning import draft_warning, item_warning
from notify.outbox import Outbox, OutboxItem
from storage.store import Store

log = logging.getLogger("scrbot.slack")

REFUSAL = NOTIFICATION_REFUSAL


class ActorLookup(Protocol):
    def actor(self, user_id: str) -> Actor: ...


class NotificationServices(Protocol):
    store: Store
    access: ActorLookup
    clock: Clock


class SlackPoster(Protocol):
    def post(self, channel: str, text: str, *, blocks: list[dict[str, Any]] | None = None) -> str: ...


class ApprovalButtons:
    """The outbox's chat sender for Slack (notify.senders.ChatSender)."""

    def __init__(self, poster: SlackPoster) -> None:
        self.poster = poster

    def post(self, target: str, text: str, *, about: str = "") -> str:
        """`about`: the draft an approval request is about (outbox data, never read back from the text)."""
        if not about:
            return self.poster.post(target, text)
        return self.poster.post(target, text, blocks=views.approval_blocks(about, text))


def register(app: App, services: NotificationServices) -> None:
    store = services.store
    outbox = Outbox(store.sessions, board=store.board, codec=store.codec, audit=store.audit)

    def ack_only(ack: Ack) -> None:
        ack()

    def who(body: dict[str, Any]) -> Actor:
        return services.access.actor(str(body["user"]["id"]))

    def where(body: dict[str, Any]) -> tuple[str, str]:
        container = body.get("container") or {}
        return str(container.get("channel_id") or ""), str(container.get("message_ts") or "")

    def tell(client: WebClient, body: dict[str, Any], text: str) -> None:
        user = str(body["user"]["id"])
        channel, _ = where(body)
        if channel:
            client.chat_postEphemeral(channel=channel, user=user, text=text)
        else:
            client.chat_postMessage(channel=str(client.conversations_open(users=user)["channel"]["id"]), text=text)

    def refuse(client: WebClient | None, body: dict[str, Any], actor: Actor, draft_id: str, attempted: str) -> None:
        summary = outbox.about(draft_id)
        store.cases.record_refusal(
            summary.case_ref if summary else "",
            actor=actor,
            now=services.clock.now(),
            attempted=f"notification.{attempted}",
        )
        if client is not None:
            tell(client, body, REFUSAL)

    def mark_done(client: WebClient, channel: str, ts: str, draft_id: str, text: str) -> None:
        if not channel or not ts:
            return
        summary = outbox.about(draft_id)
        message = f"{text} ({summary.kind.replace('_', ' ')} for {summary.case_ref})" if summary else text
        client.chat_update(channel=channel, ts=ts, text=message, blocks=views.decided_blocks(message))

    def draft_of(body: dict[str, Any]) -> str:
        return str((body.get("actions") or [{}])[0].get("value") or "")

    def preview(body: dict[str, Any], client: WebClient) -> None:
        actor, draft_id = who(body), draft_of(body)
        if not actor.is_staff:
            refuse(client, body, actor, draft_id, "preview")
            return
        try:
            item = outbox.get(draft_id, actor=actor, now=services.clock.now())
        except NotFound as exc:
            tell(client, body, str(exc))
            return
        channel, ts = where(body)
        view = views.preview_modal(item, views.metadata(draft_id, channel, ts), warning=warning(item))
        client.views_open(trigger_id=body["trigger_id"], view=view)

    def warning(item: OutboxItem) -> str:
        return item_warning(outbox, item)

    def settle(body: dict[str, Any], client: WebClient, verb: str, act: Callable[..., None], note: str) -> None:
        """Approve or reject the draft a button belongs to; the prompt then says who did it."""
        actor, draft_id = who(body), draft_of(body)
        if not actor.is_staff:
            refuse(client, body, actor, draft_id, verb)
            return
        try:
            act(draft_id, actor=actor, now=services.clock.now())
        except (Conflict, NotFound, Refused) as exc:
            tell(client, body, str(exc))
            return
        channel, ts = where(body)
        mark_done(client, channel, ts, draft_id, note.format(user=body["user"]["id"]))

    def approve(body: dict[str, Any], client: WebClient) -> None:
        if who(body).is_staff and (problem := draft_warning(outbox, draft_of(body))):
            tell(client, body, f"Not approved: {problem}. Open Preview to read it, then approve from there.")
            return
        settle(body, client, "approve", outbox.approve, ":white_check_mark: Approved by <@{user}>")

    def reject(body: dict[str, Any], client: WebClient) -> None:
        settle(body, client, "reject", outbox.reject, ":no_entry_sign: Rejected by <@{user}>: not sent")

    def open_edit(body: dict[str, Any], client: WebClient) -> None:
        actor, draft_id = who(body), draft_of(body)
        if not actor.is_staff:
            refuse(client, body, actor, draft_id, "edit")
            return
        try:
            item = outbox.get(draft_id, actor=actor, now=services.clock.now())
        except NotFound as exc:
            tell(client, body, str(exc))
            return
        channel, ts = where(body)
        client.views_open(
            trigger_id=body["trigger_id"], view=views.edit_modal(item, views.metadata(draft_id, channel, ts))
        )

    def save_edit(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        # Done before the ack (a quick write), so a problem shows in the modal itself.
        actor = who(body)
        draft_id, channel, ts = views.read_metadata(str(view.get("private_metadata") or ""))
        if not actor.is_staff:
            refuse(None, body, actor, draft_id, "edit")
            ack(response_action="errors", errors={views.TEXT_BLOCK: REFUSAL})
            return
        values = (view.get("state") or {}).get("values") or {}
        text = views.submitted(values, views.TEXT_BLOCK)
        if text is not None and not text.strip():
            ack(response_action="errors", errors={views.TEXT_BLOCK: "The text cannot be empty."})
            return
        try:
            outbox.edit(
                draft_id,
                actor=actor,
                now=services.clock.now(),
                subject=views.submitted(values, views.SUBJECT_BLOCK),
                text=text,
            )
        except (Conflict, NotFound, Refused) as exc:  # InsecureRecipient is a Refused
            ack(response_action="errors", errors={views.TEXT_BLOCK: str(exc)[:500]})
            return
        ack()
        if channel and ts:
            client.chat_postMessage(
                channel=channel,
                thread_ts=ts,
                text=f"Edited by <@{body['user']['id']}>; still a draft until it is approved.",
            )

    def approve_from_preview(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        actor = who(body)
        draft_id, channel, ts = views.read_metadata(str(view.get("private_metadata") or ""))
        if not actor.is_staff:
            refuse(None, body, actor, draft_id, "approve")
            ack(response_action="update", view=_notice_view(REFUSAL))
            return
        try:
            outbox.approve(draft_id, actor=actor, now=services.clock.now())
        except (Conflict, NotFound, Refused) as exc:
            ack(response_action="update", view=_notice_view(str(exc)))
            return
        ack()
        mark_done(client, channel, ts, draft_id, f":white_check_mark: Approved by <@{body['user']['id']}>")

    app.action(views.PREVIEW)(ack=ack_only, lazy=[preview])
    app.action(views.APPROVE)(ack=ack_only, lazy=[approve])
    app.action(views.REJECT)(ack=ack_only, lazy=[reject])
    app.action(views.EDIT)(ack=ack_only, lazy=[open_edit])
    app.view(views.EDIT_MODAL)(save_edit)
    app.view(views.PREVIEW_MODAL)(approve_from_preview)


def _notice_view(text: str) -> dict[str, Any]:
    return modal(title="Notification", blocks=[plain_section(text)])
