"""The board's approval of a version of the overview report, from Slack: the "Approve report" button under a
review in the App Home opens a modal showing the anonymisation check of every version (clean, overridden, or
blocked with each finding's kind and place, never the words), saved through the same repository as
`scrbot review report approve` (storage/review_report_versions.py): a blocked version or a future date refused
in the modal; what the approval meets (the wt2023 final report) recorded and audited. Business unit members
only; anyone else gets the polite refusal, audited."""

from __future__ import annotations

from datetime import date
from typing import Any

from slack_bolt import App
from slack_sdk.models.blocks import Block, DatePickerElement, StaticSelectElement

from bot.slack import case_views as views
from bot.slack.blocks import modal, option, section
from bot.slack.review_modal import ReviewModal, register_review_modal
from bot.slack.services import SlackServices
from cases.actor import Actor
from cases.calendar import local_date
from errors import BadInput, ScrBotError
from storage.review_report_versions import ReportVersions

APPROVE_REPORT = "bu_approve_report"
REPORT_APPROVAL_MODAL = "bu_report_approval_modal"
_SHOWN = 10  # findings shown per version (the CLI's `review report check` lists them all)


def check_lines(services: SlackServices, actor: Actor, reference: str) -> list[str]:
    """One paragraph per version: its check's state and, when blocked, each finding's kind and place."""
    reports = ReportVersions(services.store)
    lines = []
    for v in reports.versions(reference):
        if v.state == "clean":
            lines.append(f"*Version {v.version}*: clean: the anonymisation check found nothing.")
            continue
        if v.state == "overridden":
            lines.append(f"*Version {v.version}*: {v.findings} finding(s), the check overridden: it may leave.")
            continue
        found = reports.findings(reference, v.version, actor=actor)
        more = [f"… and {len(found) - _SHOWN} more"] if len(found) > _SHOWN else []
        shown = "\n".join(f"• {line}" for line in [*found[:_SHOWN], *more])
        lines.append(f"*Version {v.version}*: blocked: {v.findings} item(s) of the case's personal data:\n{shown}")
    return lines


def report_approval_modal(reference: str, versions: list[int], check: list[str]) -> dict[str, Any]:
    intro = section(f"The board's approval of a version of *{reference}*'s report; a blocked version may not leave.")
    if not versions:
        return modal(title="Approve report", blocks=[intro, section("No version of the report is uploaded yet.")])
    blocks: list[Block] = [intro, section("*The anonymisation check*"), *(section(line) for line in check)]
    choices = [option(str(n), f"Version {n}") for n in reversed(versions)]
    blocks.append(views._input("version", "Version", StaticSelectElement(action_id="value", options=choices)))
    picker = DatePickerElement(action_id="value")
    blocks.append(views._input("on", "Approved on (today if left out)", picker, optional=True))
    return modal(
        title="Approve report",
        submit="Approve",
        close="Cancel",
        callback_id=REPORT_APPROVAL_MODAL,
        private_metadata=reference,
        blocks=blocks,
    )


def _approve(services: SlackServices, actor: Actor, reference: str, values: dict[str, Any]) -> dict[str, str]:
    """Approve the version; the errors to show in the modal (none when recorded)."""
    version, on = views.submitted(values, "version"), views.submitted(values, "on")
    if not version.isdigit():
        return {"version": "Choose the version."}
    now = services.clock.now()
    when = date.fromisoformat(on) if on else local_date(now)
    try:
        ReportVersions(services.store).approve(reference, int(version), on=when, actor=actor, now=now)
    except BadInput as exc:  # a future date
        return {"on" if exc.field == "on" else "version": str(exc)}
    except ScrBotError as exc:  # a blocked version (the count, never the words), an unknown case or version
        return {"version": str(exc)}
    return {}


def _view(services: SlackServices, actor: Actor, reference: str) -> dict[str, Any]:
    versions = [v.version for v in ReportVersions(services.store).versions(reference)]
    return report_approval_modal(reference, versions, check_lines(services, actor, reference))


def register(app: App, services: SlackServices) -> None:
    modal = ReviewModal(
        APPROVE_REPORT, REPORT_APPROVAL_MODAL, "approve_report", _view, _approve, refusal_block="version"
    )
    register_review_modal(app, services, modal)
