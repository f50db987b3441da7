"""The decision not to publish the full report, from Slack: the "Not publishing" button under a review in the App
Home opens a modal for the reasons and the improvements information, saved through the same repository as
`scrbot review publication withhold` (storage/review_publication.py): the chair only; words naming the child or
family refused (the kinds named, never the words); the message to the national bodies drafted for approval
(004 §10.5; the Panel and the Secretary of State under wt2023), the words kept only in that sealed message.
Anyone else gets the polite refusal, audited. A wrong answer is shown in the modal and nothing is recorded."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.models.blocks import PlainTextInputElement

from bot.slack import case_views as views
from bot.slack.blocks import modal, section
from bot.slack.business_unit import _reference
from bot.slack.services import SlackServices
from cases.actor import Actor, Role
from errors import BadInput, ScrBotError
from storage.review_publication import Publications

WITHHOLD_PUBLICATION = "bu_withhold_publication"
WITHHOLD_MODAL = "bu_withhold_modal"
CHAIR_ONLY = "Only the chair can record the decision not to publish the full report."


def withhold_modal(reference: str) -> dict[str, Any]:
    def words(block_id: str, label: str) -> Any:
        return views._input(block_id, label, PlainTextInputElement(action_id="value", multiline=True, max_length=3000))

    return modal(
        title="Not publishing",
        submit="Record",
        close="Cancel",
        callback_id=WITHHOLD_MODAL,
        private_metadata=reference,
        blocks=[
            section(
                f"The decision not to publish the full report of *{reference}*. The reasons and the improvements "
                "information go, once a person approves the message, to the national bodies (004 §10.5; the "
                "Panel and the Secretary of State under Working Together 2023). Never name the child or family."
            ),
            words("reasons", "The reasons"),
            words("improvements", "The improvements to be made, as a result of the review"),
        ],
    )


def _is_chair(actor: Actor) -> bool:
    return actor.has(Role.CHAIR)


def register(app: App, services: SlackServices) -> None:
    def ack_only(ack: Ack) -> None:
        ack()

    def refuse(body: dict[str, Any], client: WebClient, actor: Actor, reference: str) -> None:
        services.access.record_refusal(actor, "withhold_publication", reference)
        user = str(body["user"]["id"])
        channel = str(client.conversations_open(users=user)["channel"]["id"])
        client.chat_postMessage(channel=channel, text=CHAIR_ONLY)

    def open_modal(body: dict[str, Any], client: WebClient) -> None:
        actor = services.access.actor(str(body["user"]["id"]))
        reference = _reference(body)
        if not _is_chair(actor):
            refuse(body, client, actor, reference)
            return
        client.views_open(trigger_id=body["trigger_id"], view=withhold_modal(reference))

    def save(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        actor = services.access.actor(str(body["user"]["id"]))
        reference = str(view.get("private_metadata") or "")
        values = (view.get("state") or {}).get("values") or {}
        if not _is_chair(actor):
            services.access.record_refusal(actor, "withhold_publication", reference)
            ack(response_action="errors", errors={"reasons": CHAIR_ONLY})
            return
        try:
            Publications(services.store).withhold(
                reference,
                reasons=views.submitted(values, "reasons"),
                improvements=views.submitted(values, "improvements"),
                actor=actor,
                now=services.clock.now(),
            )
        except BadInput as exc:  # names the field and the kinds of data, never the words
            block = exc.field if exc.field in ("reasons", "improvements") else "reasons"
            ack(response_action="errors", errors={block: str(exc)})
            return
        except ScrBotError as exc:  # an unknown case, a report already published
            ack(response_action="errors", errors={"reasons": str(exc)})
            return
        ack()

    app.action(WITHHOLD_PUBLICATION)(ack=ack_only, lazy=[open_modal])
    app.view(WITHHOLD_MODAL)(save)
