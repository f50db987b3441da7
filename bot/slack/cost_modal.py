"""Recording a review's cost from Slack: the "Record cost" button beside each case opens a modal (kind, amount
or hours, date, a note), saved through the case rules like `scrbot case cost` (audited; hours priced at the
board's rate; a note naming the child or family refused). Business unit members only; anyone else gets the
polite refusal, audited. A wrong answer is shown in the modal itself and nothing is recorded."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.models.blocks import DatePickerElement, PlainTextInputElement, StaticSelectElement

from bot.slack import case_views as views
from bot.slack.access import REFUSAL
from bot.slack.blocks import modal, option, section
from bot.slack.business_unit import _reference, _refuse
from bot.slack.services import SlackServices
from cases.actor import PermissionDenied
from cases.costs import CostKind, money
from errors import BadInput
from storage.case_store import CaseNotFound

RECORD_COST, COST_MODAL = views.RECORD_COST, views.COST_MODAL
# Where each refusal of the case rules is shown in the modal (BadInput names its field).
_BLOCK_OF_FIELD = {"amount": "amount", "hours": "amount", "on": "on", "note": "note", "kind": "kind"}


def cost_modal(reference: str, *, hourly_rate: Decimal | None) -> dict[str, Any]:
    rate = f"£{hourly_rate:,.2f} an hour (the board's rate)" if hourly_rate else "no hourly rate set: amounts only"
    kinds = StaticSelectElement(action_id="value", options=[option(k.value, k.label) for k in CostKind])
    return modal(
        title="Record a cost",
        submit="Record",
        close="Cancel",
        callback_id=COST_MODAL,
        private_metadata=reference,
        blocks=[
            section(
                f"A cost of the review *{reference}* (000 appendix 1 §2). Reviewer fees and other costs in pounds; "
                f"panel and author time in hours, at {rate}."
            ),
            views._input("kind", "What for", kinds),
            views._input(
                "amount", "Pounds, or hours for panel and author time", PlainTextInputElement(action_id="value")
            ),
            views._input("on", "Date incurred", DatePickerElement(action_id="value")),
            views._input(
                "note",
                "Note (no names: a note naming the family is refused)",
                PlainTextInputElement(action_id="value", max_length=500),
                optional=True,
            ),
        ],
    )


def register(app: App, services: SlackServices) -> None:
    store = services.store

    def ack_only(ack: Ack) -> None:
        ack()

    def open_cost(body: dict[str, Any], client: WebClient) -> None:
        actor = services.access.actor(str(body["user"]["id"]))
        reference = _reference(body)
        if not actor.is_staff:
            _refuse(services, client, body, actor, "record_cost", reference)
            return
        view = cost_modal(reference, hourly_rate=store.board.figures.hourly_rate)
        client.views_open(trigger_id=body["trigger_id"], view=view)

    def save_cost(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        # Recorded before the ack (a quick write), so a refusal shows in the modal itself.
        actor = services.access.actor(str(body["user"]["id"]))
        reference = str(view.get("private_metadata") or "")
        values = (view.get("state") or {}).get("values") or {}
        if not actor.is_staff:
            services.access.record_refusal(actor, "record_cost", reference)
            ack(response_action="errors", errors={"kind": REFUSAL})
            return
        errors = {}
        kind_text = views.submitted(values, "kind")
        on_text = views.submitted(values, "on")
        if kind_text not in {k.value for k in CostKind}:
            errors["kind"] = "Choose what the cost is for."
        if not on_text:
            errors["on"] = "Choose the date the cost was incurred."
        if errors:
            ack(response_action="errors", errors=errors)
            return
        kind = CostKind(kind_text)
        try:
            figure = money(views.submitted(values, "amount"), field="hours" if kind.in_hours else "amount")
            store.cases.record_cost(
                reference,
                kind,
                on=date.fromisoformat(on_text),
                actor=actor,
                now=services.clock.now(),
                amount=None if kind.in_hours else figure,
                hours=figure if kind.in_hours else None,
                note=views.submitted(values, "note"),
            )
        except BadInput as exc:  # says which field, never repeats a personal value
            ack(response_action="errors", errors={_BLOCK_OF_FIELD.get(exc.field or "", "amount"): str(exc)})
            return
        except (CaseNotFound, PermissionDenied) as exc:
            ack(response_action="errors", errors={"kind": str(exc)})
            return
        ack()

    app.action(RECORD_COST)(ack=ack_only, lazy=[open_cost])
    app.view(COST_MODAL)(save_cost)
