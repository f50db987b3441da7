"""The business unit in Slack: record a notification made outside the bot (the pack's `via = "portal"` /
`"recorded"` notifications), e.g. the serious incident notification submitted on the national online form
with the portal's reference (Working Together 2023 ch. 5). A modal from the case's buttons; recording it
meets the rule the pack says it discharges, as `scrbot notify submitted` does. Business unit only; a refusal
is audited; the modal holds no personal data (the reference and a date)."""

from __future__ import annotations

from datetime import date
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.models.blocks import DatePickerElement, InputBlock, PlainTextInputElement

from bot.slack.access import REFUSAL
from bot.slack.blocks import modal, plain, section
from bot.slack.case_views import RECORD_SUBMISSION, submitted
from bot.slack.services import SlackServices
from cases.actor import PermissionDenied
from cases.commands import RecordSubmission
from errors import BadInput, Conflict, NotFound

SUBMISSION_MODAL = "bu_submission_modal"


def _input(block_id: str, label: str, element: Any, *, optional: bool = False) -> InputBlock:
    return InputBlock(block_id=block_id, label=plain(label), element=element, optional=optional)


def submission_modal(reference: str) -> dict[str, Any]:
    return modal(
        title="Portal submission",
        submit="Record",
        close="Cancel",
        callback_id=SUBMISSION_MODAL,
        private_metadata=reference,
        blocks=[
            section(
                f"Record that the serious incident notification for *{reference}* was submitted on the national "
                "online form (`scrbot notify form` shows its fields). It meets the notification deadline."
            ),
            _input("portal_ref", "Reference the form gave", PlainTextInputElement(action_id="value", max_length=64)),
            _input("on", "Date submitted", DatePickerElement(action_id="value")),
        ],
    )


def register(app: App, services: SlackServices) -> None:
    store = services.store

    def ack_only(ack: Ack) -> None:
        ack()

    def open_modal(body: dict[str, Any], client: WebClient) -> None:
        actor = services.access.actor(str(body["user"]["id"]))
        reference = str((body.get("actions") or [{}])[0].get("value") or "")
        if not actor.is_staff:
            services.access.record_refusal(actor, "record_submission", reference)
            channel = (body.get("channel") or {}).get("id") or str(body["user"]["id"])
            client.chat_postEphemeral(channel=channel, user=str(body["user"]["id"]), text=REFUSAL)
            return
        client.views_open(trigger_id=body["trigger_id"], view=submission_modal(reference))

    def save(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        actor = services.access.actor(str(body["user"]["id"]))
        reference = str(view.get("private_metadata") or "")
        values = (view.get("state") or {}).get("values") or {}
        if not actor.is_staff:
            services.access.record_refusal(actor, "record_submission", reference)
            ack(response_action="errors", errors={"portal_ref": REFUSAL})
            return
        try:
            on = date.fromisoformat(submitted(values, "on"))
        except ValueError:
            ack(response_action="errors", errors={"on": "Choose the date it was submitted."})
            return
        command = RecordSubmission("", on, submitted(values, "portal_ref"))
        try:
            store.cases.run(reference, command, actor=actor, now=services.clock.now())
        except BadInput as exc:
            field = "on" if exc.field == "on" else "portal_ref"
            ack(response_action="errors", errors={field: str(exc)})
            return
        except (NotFound, Conflict, PermissionDenied) as exc:
            ack(response_action="errors", errors={"portal_ref": str(exc)})
            return
        ack()

    app.action(RECORD_SUBMISSION)(ack=ack_only, lazy=[open_modal])
    app.view(SUBMISSION_MODAL)(save)


__all__ = ["RECORD_SUBMISSION", "SUBMISSION_MODAL", "register", "submission_modal"]
