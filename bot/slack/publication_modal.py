"""Publication control from Slack: the "Publication" button under a review in the App Home opens a modal for one
step, saved through the same repository as `scrbot review publication plan|start|end|publish-anyway|published`
(storage/review_publication.py, 004 §10): the planned date (it drafts the copies), parallel proceedings
starting or ending (publication is held while any are open), the chair's decision to publish anyway (the reason
sealed; the chair only, anyone else refused and audited) and publication recorded. Business unit members only;
anyone else gets the polite refusal, audited. A wrong answer is shown in the modal and nothing is recorded."""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import Any

from slack_bolt import App
from slack_sdk.models.blocks import DatePickerElement, PlainTextInputElement, StaticSelectElement

from bot.slack import case_views as views
from bot.slack.blocks import modal, option, section
from bot.slack.review_modal import ReviewModal, register_review_modal
from bot.slack.services import SlackServices
from cases.actor import Actor, Role
from cases.calendar import local_date
from cases.review.publication import Proceeding, end, plan, start
from errors import BadInput, ScrBotError
from storage.review_publication import Publications

RECORD_PUBLICATION = "bu_record_publication"
PUBLICATION_MODAL = "bu_publication_modal"
CHAIR_ONLY = "Only the chair can decide to publish while proceedings are open."

STEPS = {
    "plan": "The planned publication date (004 §10.5)",
    "start": "Parallel proceedings started (004 §10.4)",
    "end": "Parallel proceedings ended (004 §10.4)",
    "publish_anyway": "The chair's decision to publish anyway (004 §10.4)",
    "published": "The report is published today (004 §10.6)",
}
KINDS = {p.value: p.value.capitalize() for p in Proceeding}
# Where each refusal of the publication rules is shown (BadInput names its field).
_BLOCK_OF_FIELD = {"on": "on", "reason": "reason"}


def publication_modal(reference: str) -> dict[str, Any]:
    return modal(
        title="Publication",
        submit="Record",
        close="Cancel",
        callback_id=PUBLICATION_MODAL,
        private_metadata=reference,
        blocks=[
            section(
                f"A step of the publication of *{reference}*'s report. Publication is held while parallel "
                "proceedings are open, unless the chair decides to publish anyway."
            ),
            views._input("step", "Step", StaticSelectElement(action_id="value", options=_options(STEPS))),
            views._input(
                "kind",
                "Which proceedings (started or ended)",
                StaticSelectElement(action_id="value", options=_options(KINDS)),
                optional=True,
            ),
            views._input(
                "on",
                "The planned date, or when the proceedings started or ended (today if left out)",
                DatePickerElement(action_id="value"),
                optional=True,
            ),
            views._input(
                "reason",
                "The chair's reason for publishing anyway (stored encrypted)",
                PlainTextInputElement(action_id="value", multiline=True, max_length=2000),
                optional=True,
            ),
        ],
    )


def _options(labels: dict[str, str]) -> list[Any]:
    return [option(value, label) for value, label in labels.items()]


def _record(services: SlackServices, actor: Actor, reference: str, values: dict[str, Any]) -> dict[str, str]:
    """Record the step; the errors to show in the modal (none when recorded)."""
    step, kind, on = (views.submitted(values, b) for b in ("step", "kind", "on"))
    if step not in STEPS:
        return {"step": "Choose the step."}
    if step in ("start", "end") and kind not in KINDS:
        return {"kind": "Choose which proceedings."}
    if step == "plan" and not on:
        return {"on": "Choose the planned date."}
    if step == "publish_anyway" and not actor.has(Role.CHAIR):
        services.access.record_refusal(actor, "publish_anyway", reference)
        return {"step": CHAIR_ONLY}
    now = services.clock.now()
    today = local_date(now)
    when = date.fromisoformat(on) if on else today
    publications = Publications(services.store)
    try:
        if step == "plan":
            publications.record(reference, partial(plan, on=when, today=today), actor=actor, now=now)
        elif step in ("start", "end"):
            rule = start if step == "start" else end
            publications.record(reference, partial(rule, kind=Proceeding(kind), on=when), actor=actor, now=now)
        elif step == "publish_anyway":
            reason = views.submitted(values, "reason")
            publications.publish_anyway(reference, reason=reason, actor=actor, now=now)
        else:
            publications.publish(reference, actor=actor, now=now)
    except BadInput as exc:  # names its field, never repeats the words
        return {_BLOCK_OF_FIELD.get(exc.field or "", "step"): str(exc)}
    except ScrBotError as exc:  # an unknown case, held, already published, copies not sent
        return {"step": str(exc)}
    return {}


def _view(services: SlackServices, actor: Actor, reference: str) -> dict[str, Any]:
    return publication_modal(reference)


def register(app: App, services: SlackServices) -> None:
    modal = ReviewModal(RECORD_PUBLICATION, PUBLICATION_MODAL, "record_publication", _view, _record)
    register_review_modal(app, services, modal)
