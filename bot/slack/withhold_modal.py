"""The decision not to publish the full report, from Slack: the "Not publishing" button under a review in the App
Home opens a modal for the reasons and the improvements information, saved through the same repository as
`scrbot review publication withhold` (storage/review_publication.py): the chair only; words naming the child or
family refused (the kinds named, never the words); the message to the national bodies drafted for approval
(004 §10.5; the Panel and the Secretary of State under wt2023), the words kept only in that sealed message.
Anyone else gets the polite refusal, audited. A wrong answer is shown in the modal and nothing is recorded."""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_sdk.models.blocks import PlainTextInputElement

from bot.slack import case_views as views
from bot.slack.blocks import modal, section
from bot.slack.review_modal import ReviewModal, register_review_modal
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


def _record(services: SlackServices, actor: Actor, reference: str, values: dict[str, Any]) -> dict[str, str]:
    try:
        Publications(services.store).withhold(
            reference,
            reasons=views.submitted(values, "reasons"),
            improvements=views.submitted(values, "improvements"),
            actor=actor,
            now=services.clock.now(),
        )
    except BadInput as exc:  # names the field and the kinds of data, never the words
        return {exc.field if exc.field in ("reasons", "improvements") else "reasons": str(exc)}
    except ScrBotError as exc:  # an unknown case, a report already published
        return {"reasons": str(exc)}
    return {}


def _view(services: SlackServices, actor: Actor, reference: str) -> dict[str, Any]:
    return withhold_modal(reference)


def register(app: App, services: SlackServices) -> None:
    modal = ReviewModal(
        WITHHOLD_PUBLICATION,
        WITHHOLD_MODAL,
        "withhold_publication",
        _view,
        _record,
        allowed=_is_chair,
        refusal=CHAIR_ONLY,
        refusal_block="reasons",
    )
    register_review_modal(app, services, modal)
