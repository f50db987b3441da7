"""The action plan register from Slack: the "Action plan" button under a review in the App Home opens a modal for
one step, saved through the same repository as `scrbot review actions add|sign-up|complete`
(storage/review_action_plan.py, 003 §7.2-7.3): a new action (owner agency, owner role, due date, success
measure; words naming the child or family refused, the kinds named, never the words), an agency's sign-up, and
evidence of completion (sealed; the last action complete concludes the review). Business unit members only;
anyone else gets the polite refusal, audited. A wrong answer is shown in the modal and nothing is recorded."""

from __future__ import annotations

from datetime import date
from typing import Any

from slack_bolt import App
from slack_sdk.models.blocks import DatePickerElement, PlainTextInputElement, StaticSelectElement

from bot.slack import case_views as views
from bot.slack.blocks import modal, option, section
from bot.slack.review_modal import ReviewModal, register_review_modal
from bot.slack.services import SlackServices
from cases.actor import Actor
from cases.calendar import local_date
from errors import BadInput, ScrBotError
from storage.review_action_plan import ActionPlan

RECORD_ACTION_PLAN = "bu_record_action_plan"
ACTION_PLAN_MODAL = "bu_action_plan_modal"

STEPS = {
    "add": "A new action (003 §7.2)",
    "sign_up": "The owner agency signed up to an action (003 §7.2)",
    "complete": "Evidence an action is complete (003 §7.3)",
}
# Where each refusal of the action plan rules is shown (BadInput names its field).
_BLOCK_OF_FIELD = {"text": "text", "owner_role": "role", "measure": "measure", "due": "due"}


def action_plan_modal(reference: str, agencies: list[tuple[str, str]]) -> dict[str, Any]:
    """`agencies`: (id, name) of the board's agencies."""

    def text(block_id: str, label: str, *, multiline: bool = False) -> Any:
        element = PlainTextInputElement(action_id="value", multiline=multiline, max_length=2000)
        return views._input(block_id, label, element, optional=True)

    def day(block_id: str, label: str) -> Any:
        return views._input(block_id, label, DatePickerElement(action_id="value"), optional=True)

    return modal(
        title="Action plan",
        submit="Record",
        close="Cancel",
        callback_id=ACTION_PLAN_MODAL,
        private_metadata=reference,
        blocks=[
            section(
                f"A step of *{reference}*'s action plan. Actions never name the child or family: an owner is a "
                "role in an agency, never a person."
            ),
            views._input("step", "Step", StaticSelectElement(action_id="value", options=_options(STEPS.items()))),
            text("number", "The action's number (a sign-up or completion)"),
            text("text", "A new action: what is to be done (stored encrypted)", multiline=True),
            views._input(
                "agency",
                "A new action: the owner agency",
                StaticSelectElement(action_id="value", options=_options(agencies)),
                optional=True,
            ),
            text("role", "A new action: the owner's role (never a name)"),
            day("due", "A new action: the due date"),
            text("measure", "A new action: how success will be measured", multiline=True),
            text("evidence", "A completion: what shows it is complete (stored encrypted)", multiline=True),
            day("on", "When signed up to or completed (today if left out)"),
        ],
    )


def _options(pairs: Any) -> list[Any]:
    return [option(value, label) for value, label in pairs]


def _record(services: SlackServices, actor: Actor, reference: str, values: dict[str, Any]) -> dict[str, str]:
    """Record the step; the errors to show in the modal (none when recorded)."""
    step, number = views.submitted(values, "step"), views.submitted(values, "number").strip()
    if step not in STEPS:
        return {"step": "Choose the step."}
    plan = ActionPlan(services.store)
    now = services.clock.now()
    try:
        if step == "add":
            agency, due = views.submitted(values, "agency"), views.submitted(values, "due")
            if agency not in {a.id for a in services.store.board.agencies}:
                return {"agency": "Choose the owner agency."}
            if not due:
                return {"due": "Choose the due date."}
            plan.add(
                reference,
                text=views.submitted(values, "text"),
                owner_agency=agency,
                owner_role=views.submitted(values, "role"),
                due=date.fromisoformat(due),
                measure=views.submitted(values, "measure"),
                actor=actor,
                now=now,
            )
            return {}
        if not number.isdigit():
            return {"number": "Give the action's number."}
        on = views.submitted(values, "on")
        when = date.fromisoformat(on) if on else local_date(now)
        if step == "sign_up":
            plan.sign_up(reference, int(number), on=when, actor=actor, now=now)
        else:
            evidence = views.submitted(values, "evidence")
            plan.complete(reference, int(number), evidence=evidence, on=when, actor=actor, now=now)
    except BadInput as exc:  # names its field and the kinds of data, never the words
        return {_BLOCK_OF_FIELD.get(exc.field or "", "step"): str(exc)}
    except ScrBotError as exc:  # an unknown case or action, signed up or completed already, a closed case
        return {"number" if step != "add" else "step": str(exc)}
    return {}


def _view(services: SlackServices, actor: Actor, reference: str) -> dict[str, Any]:
    return action_plan_modal(reference, [(a.id, a.name) for a in services.store.board.agencies])


def register(app: App, services: SlackServices) -> None:
    modal = ReviewModal(RECORD_ACTION_PLAN, ACTION_PLAN_MODAL, "record_action_plan", _view, _record)
    register_review_modal(app, services, modal)
