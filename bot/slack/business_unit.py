"""The business unit in Slack: the channel notice of each new referral (reference only), and the buttons to open
the case (a modal, audited), record the sub-group meeting and record the decision. Anyone not authorised gets a
polite refusal, and the refusal is audited."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from pydantic import ValidationError
from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.slack import case_views as views
from bot.slack.access import REFUSAL
from bot.slack.services import SlackServices
from cases.actor import Actor, PermissionDenied
from cases.calendar import local_date
from cases.case import Decision
from cases.events import CaseEvent
from cases.problems import InvalidInput
from storage.case_store import CaseNotFound, InvalidTransition

log = logging.getLogger("scrbot.slack")


def send_notices(services: SlackServices) -> None:
    """Send the channel notices a change queued in the outbox (the referral or decision is already stored;
    a failure to send leaves the notice in the outbox for the next sweep)."""
    try:
        services.send_queued()
    except Exception as exc:  # noqa: BLE001 - the change is committed; the outbox keeps the notice
        log.error("could not send queued notices: %s", type(exc).__name__)


def _refuse(
    services: SlackServices,
    client: WebClient,
    body: dict[str, Any],
    actor: Actor,
    action: str,
    ref: str,
    *,
    text: str = REFUSAL,
) -> None:
    services.access.record_refusal(actor, action, ref)
    user = str(body["user"]["id"])
    channel = (body.get("channel") or {}).get("id")
    if channel:
        client.chat_postEphemeral(channel=channel, user=user, text=text)
    else:
        client.chat_postMessage(channel=str(client.conversations_open(users=user)["channel"]["id"]), text=text)


def _reference(body: dict[str, Any]) -> str:
    return str((body.get("actions") or [{}])[0].get("value") or "")


def register(app: App, services: SlackServices) -> None:
    store = services.store

    def ack_only(ack: Ack) -> None:
        ack()

    def open_case(body: dict[str, Any], client: WebClient) -> None:
        actor = services.access.actor(str(body["user"]["id"]))
        reference = _reference(body)
        if not actor.is_staff:
            _refuse(services, client, body, actor, "open_case", reference)
            return
        now = services.clock.now()
        try:
            case = store.cases.get_case(reference, actor=actor, now=now, purpose="slack.modal")
        except (PermissionDenied, CaseNotFound) as exc:
            client.chat_postMessage(channel=str(body["user"]["id"]), text=str(exc))
            return
        review_name = store.cases.pack_named(case.rules_pack).pack.review_name
        view = views.case_modal(
            case,
            today=local_date(now),
            calendar=store.calendar,
            amber=store.board.amber_working_days,
            review_name=review_name,
        )
        client.views_open(trigger_id=body["trigger_id"], view=view)

    def open_meeting(body: dict[str, Any], client: WebClient) -> None:
        actor = services.access.actor(str(body["user"]["id"]))
        reference = _reference(body)
        if not actor.is_staff:
            _refuse(services, client, body, actor, "record_meeting", reference)
            return
        client.views_open(trigger_id=body["trigger_id"], view=views.meeting_modal(reference))

    def open_decision(body: dict[str, Any], client: WebClient) -> None:
        actor = services.access.actor(str(body["user"]["id"]))
        reference = _reference(body)
        if not actor.can_record_decision(store.board.decision_maker):
            _refuse(services, client, body, actor, "record_decision", reference)
            return
        client.views_open(trigger_id=body["trigger_id"], view=views.decision_modal(reference))

    def save_meeting(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        # Done before the ack (a quick write), so a problem can be shown in the modal itself.
        actor = services.access.actor(str(body["user"]["id"]))
        reference = str(view.get("private_metadata") or "")
        values = (view.get("state") or {}).get("values") or {}
        if not actor.is_staff:
            services.access.record_refusal(actor, "record_meeting", reference)
            ack(response_action="errors", errors={"on": REFUSAL})
            return
        try:
            on = date.fromisoformat(views.submitted(values, "on"))
            store.cases.record_event(
                reference, CaseEvent.SUBGROUP_MEETING_SCHEDULED, on, actor=actor, now=services.clock.now()
            )
        except ValueError:
            ack(response_action="errors", errors={"on": "Choose the date of the meeting."})
            return
        except (CaseNotFound, InvalidTransition, PermissionDenied) as exc:
            ack(response_action="errors", errors={"on": str(exc)})
            return
        ack()

    def save_decision(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        actor = services.access.actor(str(body["user"]["id"]))
        reference = str(view.get("private_metadata") or "")
        values = (view.get("state") or {}).get("values") or {}
        if not actor.can_record_decision(store.board.decision_maker):
            services.access.record_refusal(actor, "record_decision", reference)
            ack(response_action="errors", errors={"outcome": REFUSAL})
            return
        try:
            decision = Decision(
                outcome=views.submitted(values, "outcome"),
                decided_on=views.submitted(values, "on"),
                decided_by=views.submitted(values, "by"),
                rationale=views.submitted(values, "rationale"),
                detail=views.submitted(values, "detail"),
            )
        except ValidationError as exc:
            fields = {str(e["loc"][0]) for e in exc.errors(include_url=False)}
            errors = {}
            if "outcome" in fields:
                errors["outcome"] = "Choose the outcome."
            if "decided_on" in fields:
                errors["on"] = "Choose the date of the decision."
            ack(response_action="errors", errors=errors or {"rationale": "Please check the answers."})
            return
        try:
            store.cases.record_decision(reference, decision, actor=actor, now=services.clock.now())
        except InvalidInput as exc:  # a date the board cannot have decided on; the message holds dates only
            ack(response_action="errors", errors={"on": "; ".join(p.message for p in exc.problems)})
            return
        except (CaseNotFound, InvalidTransition, PermissionDenied) as exc:
            ack(response_action="errors", errors={"outcome": str(exc)})
            return
        ack()
        send_notices(services)

    app.action(views.OPEN_CASE)(ack=ack_only, lazy=[open_case])
    app.action(views.RECORD_MEETING)(ack=ack_only, lazy=[open_meeting])
    app.action(views.RECORD_DECISION)(ack=ack_only, lazy=[open_decision])
    app.view(views.MEETING_MODAL)(save_meeting)
    app.view(views.DECISION_MODAL)(save_decision)
