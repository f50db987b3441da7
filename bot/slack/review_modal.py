"""The shape the review's App Home modals share: a button opens a modal for the people allowed (the business
unit, or the chair alone); the submission is recorded before the ack, so a refusal of the case rules shows in
the modal itself; anyone else is refused at the button and again on submit, and both refusals are audited."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.slack.access import REFUSAL
from bot.slack.business_unit import _reference, _refuse
from bot.slack.services import SlackServices
from cases.actor import Actor

# What the modal shows for one case (the view dict views_open takes).
ViewOf = Callable[[SlackServices, Actor, str], dict[str, Any]]
# Records the submitted values; returns the errors to show, by block id (empty when recorded).
Record = Callable[[SlackServices, Actor, str, dict[str, Any]], dict[str, str]]


def is_staff(actor: Actor) -> bool:
    return actor.is_staff


@dataclass(frozen=True)
class ReviewModal:
    button: str  # the App Home button's action id
    callback: str  # the modal's callback id
    act: str  # the act a refusal is audited as
    view: ViewOf
    record: Record
    allowed: Callable[[Actor], bool] = is_staff
    refusal: str = REFUSAL
    refusal_block: str = "step"  # where a refusal on submit shows


def register_review_modal(app: App, services: SlackServices, modal: ReviewModal) -> None:
    def ack_only(ack: Ack) -> None:
        ack()

    def open_modal(body: dict[str, Any], client: WebClient) -> None:
        actor = services.access.actor(str(body["user"]["id"]))
        reference = _reference(body)
        if not modal.allowed(actor):
            _refuse(services, client, body, actor, modal.act, reference, text=modal.refusal)
            return
        client.views_open(trigger_id=body["trigger_id"], view=modal.view(services, actor, reference))

    def save(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        actor = services.access.actor(str(body["user"]["id"]))
        reference = str(view.get("private_metadata") or "")
        if not modal.allowed(actor):
            services.access.record_refusal(actor, modal.act, reference)
            ack(response_action="errors", errors={modal.refusal_block: modal.refusal})
            return
        errors = modal.record(services, actor, reference, (view.get("state") or {}).get("values") or {})
        if errors:
            ack(response_action="errors", errors=errors)
            return
        ack()

    app.action(modal.button)(ack=ack_only, lazy=[open_modal])
    app.view(modal.callback)(save)
