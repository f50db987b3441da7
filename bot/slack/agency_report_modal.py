"""Recording a step of an agency's report from Slack: the "Agency report" button under a review in the App Home
opens a modal (the agency, the step, and what that step needs), saved through the same repository as
`scrbot review imr nominate|brief|request|sign-off|accept|return` (storage/review_agency_reports.py): audited, names and
reasons sealed, an accepted report's distribution drafted for approval. Business unit members only; anyone
else gets the polite refusal, audited. A wrong answer is shown in the modal itself and nothing is recorded."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial
from typing import Any

from slack_bolt import App
from slack_sdk.models.blocks import CheckboxesElement, DatePickerElement, PlainTextInputElement, StaticSelectElement

from bot.slack import case_views as views
from bot.slack.blocks import modal, option, section
from bot.slack.review_modal import ReviewModal, register_review_modal
from bot.slack.services import SlackServices
from cases.actor import Actor
from cases.calendar import local_date
from cases.review.agency_report import AgencyReport, Outcome, accept, brief, nominate, request, sign_off
from errors import BadInput, ScrBotError
from storage.review_agency_reports import AgencyReports

RECORD_AGENCY_REPORT = "bu_record_agency_report"
AGENCY_REPORT_MODAL = "bu_agency_report_modal"
DECLARED = "no_involvement"

# The steps a person records here (receiving a version is by secure email, or `scrbot review imr receive`).
STEPS = {
    "nominate": "Author nominated (004 §7.2)",
    "brief": "Author briefed (004 §7.3)",
    "request": "Requested, with its due date (004 §7.3)",
    "sign_off": "Signed off by a senior manager (004 §7.7)",
    "accept": "Accepted by quality assurance (004 §7.6)",
    "return": "Returned, with reasons and a new due date (004 §7.6)",
}
# Where each refusal of the review rules is shown in the modal (BadInput names its field).
_BLOCK_OF_FIELD = {"author": "name", "by": "name", "no_involvement": "declared", "reasons": "reasons", "due": "due"}


def agency_report_modal(reference: str, agencies: list[tuple[str, str]]) -> dict[str, Any]:
    """`agencies`: (id, name) of the board's agencies."""
    return modal(
        title="Agency report",
        submit="Record",
        close="Cancel",
        callback_id=AGENCY_REPORT_MODAL,
        private_metadata=reference,
        blocks=[
            section(
                f"A step of an agency's report for *{reference}* (an IMR; agency information under Working "
                "Together 2023). Versions arrive by secure email."
            ),
            views._input("agency", "Agency", StaticSelectElement(action_id="value", options=_options(agencies))),
            views._input("step", "Step", StaticSelectElement(action_id="value", options=_options(STEPS.items()))),
            views._input(
                "name",
                "The author (a nomination) or who signed it off (a sign-off)",
                PlainTextInputElement(action_id="value", max_length=200),
                optional=True,
            ),
            views._input(
                "declared",
                "A nomination's declaration",
                CheckboxesElement(
                    action_id="value",
                    options=[option(DECLARED, "The agency declared the author had no involvement with the case")],
                ),
                optional=True,
            ),
            views._input(
                "reasons",
                "A return's reasons (stored encrypted)",
                PlainTextInputElement(action_id="value", multiline=True, max_length=2000),
                optional=True,
            ),
            views._input(
                "due",
                "The due date (a request), or the new due date (a return)",
                DatePickerElement(action_id="value"),
                optional=True,
            ),
        ],
    )


def _options(pairs: Any) -> list[Any]:
    return [option(value, label) for value, label in pairs]


def _declared(values: dict[str, Any]) -> bool:
    element = (values.get("declared") or {}).get("value") or {}
    return any(o.get("value") == DECLARED for o in element.get("selected_options") or [])


def _step(step: str, values: dict[str, Any], on: date) -> Callable[[AgencyReport], Outcome]:
    name = views.submitted(values, "name")
    if step == "nominate":
        return partial(nominate, author=name, no_involvement=_declared(values), on=on)
    if step == "brief":
        return partial(brief, on=on)
    if step == "request":
        return partial(request, due=date.fromisoformat(views.submitted(values, "due")), on=on)
    if step == "sign_off":
        return partial(sign_off, by=name, on=on)
    return partial(accept, on=on)


def _record(services: SlackServices, actor: Actor, reference: str, values: dict[str, Any]) -> dict[str, str]:
    """Record the step; the errors to show in the modal (none when recorded)."""
    agency, step = views.submitted(values, "agency"), views.submitted(values, "step")
    errors = {}
    if agency not in {a.id for a in services.store.board.agencies}:
        errors["agency"] = "Choose the agency."
    if step not in STEPS:
        errors["step"] = "Choose the step."
    if step in ("request", "return") and not views.submitted(values, "due"):
        errors["due"] = "Choose the due date."
    if errors:
        return errors
    now = services.clock.now()
    reports = AgencyReports(services.store)
    try:
        if step == "return":
            due = date.fromisoformat(views.submitted(values, "due"))
            reasons = views.submitted(values, "reasons")
            reports.return_version(reference, agency, reasons=reasons, new_due=due, actor=actor, now=now)
        else:
            reports.record(reference, agency, _step(step, values, local_date(now)), actor=actor, now=now)
    except BadInput as exc:  # says which field, never repeats a personal value
        return {_BLOCK_OF_FIELD.get(exc.field or "", "step"): str(exc)}
    except ScrBotError as exc:  # an unknown case, a step out of order, a refusal of the rules
        return {"step": str(exc)}
    return {}


def _view(services: SlackServices, actor: Actor, reference: str) -> dict[str, Any]:
    return agency_report_modal(reference, [(a.id, a.name) for a in services.store.board.agencies])


def register(app: App, services: SlackServices) -> None:
    modal = ReviewModal(RECORD_AGENCY_REPORT, AGENCY_REPORT_MODAL, "record_agency_report", _view, _record)
    register_review_modal(app, services, modal)
