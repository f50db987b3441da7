"""Recording an agency report's steps from Slack: the "Agency report" button under a review in the App Home, the
modal, each step through the same repository as the CLI (nomination with its declaration, a return with reasons
and a new due date, sign-off, acceptance), refusals shown in the modal itself; strangers refused, audited."""

from __future__ import annotations

import json
import logging
from datetime import date
from functools import partial

import pytest

from bot.clock import FixedClock
from bot.logs import configure_logging
from bot.slack.agency_report_modal import AGENCY_REPORT_MODAL, RECORD_AGENCY_REPORT
from bot.slack.withhold_modal import WITHHOLD_PUBLICATION
from cases.review.agency_report import Step
from storage.review_agency_reports import AgencyReports, ReceivedFile
from storage.store import Store
from tests.bot.slack.conftest import BU_CHANNEL, BU_USER, STRANGER_USER
from tests.factories import SENSITIVE_STRINGS, STAFF
from tests.support.fake_slack import FakeSlack
from tests.support.reports import docx_report
from tests.support.review_modals import decided, home_buttons, submit_to
from tests.support.slack_bot import SlackBot

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
AUTHOR = "Author Modalname"
SIGNATORY = "Director Modalsign"
REASONS = "the chronology modal stops early"


def values(
    agency: str | None, step: str | None, *, name: str = "", declared: bool = False, reasons: str = "", due: str = ""
) -> dict[str, object]:
    def select(value: str | None) -> dict[str, object]:
        return {"value": {"type": "static_select", "selected_option": {"value": value} if value else None}}

    return {
        "agency": select(agency),
        "step": select(step),
        "name": {"value": {"type": "plain_text_input", "value": name or None}},
        "declared": {
            "value": {"type": "checkboxes", "selected_options": [{"value": "no_involvement"}] if declared else []}
        },
        "reasons": {"value": {"type": "plain_text_input", "value": reasons or None}},
        "due": {"value": {"type": "datepicker", "selected_date": due or None}},
    }


def test_an_agency_reports_steps_recorded_from_the_app_home(
    store: Store, clock: FixedClock, fake: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    configure_logging("DEBUG")  # as `scrbot run` sets it up
    caplog.set_level(logging.DEBUG)
    reference = decided(store, clock)
    reports = AgencyReports(store)
    with SlackBot(store, clock, fake) as bot:
        r = bot.requests
        buttons = home_buttons(r, fake, BU_USER)
        assert (RECORD_AGENCY_REPORT, reference) in buttons and (WITHHOLD_PUBLICATION, reference) in buttons
        r.post(r.action(BU_USER, RECORD_AGENCY_REPORT, value=reference))
        modal = fake.wait_count("views.open", 1)[0].params["view"]
        assert (modal["callback_id"], modal["private_metadata"]) == (AGENCY_REPORT_MODAL, reference)

        submit = partial(submit_to(r, AGENCY_REPORT_MODAL, reference), BU_USER)

        assert submit(values(None, None)) == {"agency": "Choose the agency.", "step": "Choose the step."}
        assert "004 §7.2" in submit(values("police", "nominate", name=AUTHOR))["declared"]
        assert "name the report's author" in submit(values("police", "nominate", declared=True))["name"]
        assert submit(values("police", "nominate", name=AUTHOR, declared=True)) == {}
        assert submit(values("police", "brief")) == {}
        assert submit(values("police", "request")) == {"due": "Choose the due date."}
        assert "must be after the request" in submit(values("police", "request", due="2026-11-22"))["due"]
        assert submit(values("police", "request", due="2026-12-18")) == {}
        # A version arrives by secure email (tests/storage: only the agency's registered address counts).
        report = docx_report(["The police chronology."])
        reports.receive(reference, "police", ReceivedFile("imr.docx", report, DOCX), actor=STAFF, now=clock.now())
        assert "not signed off: return it" in submit(values("police", "accept"))["step"]
        assert submit(values("police", "return", reasons=REASONS)) == {"due": "Choose the due date."}
        assert "give the reasons" in submit(values("police", "return", due="2027-01-15"))["reasons"]
        assert "must be after today" in submit(values("police", "return", reasons=REASONS, due="2026-11-01"))["due"]
        assert submit(values("police", "return", reasons=REASONS, due="2027-01-15")) == {}
        reports.receive(reference, "police", ReceivedFile("imr-v2.docx", report, DOCX), actor=STAFF, now=clock.now())
        assert "say who signed" in submit(values("police", "sign_off"))["name"]
        assert submit(values("police", "sign_off", name=SIGNATORY)) == {}
        assert submit(values("police", "accept")) == {}
        assert "(it is accepted)" in submit(values("police", "accept"))["step"]

    [police] = [a for a in reports.steps(reference) if a.agency == "police"]
    assert (police.step, police.version, police.returns, police.due) == (Step.ACCEPTED, 2, 1, date(2027, 1, 15))
    with store.sessions() as s:
        steps = [
            (e.actor, e.action) for e in store.audit.entries(s, case_ref=reference) if e.actor == f"slack:{BU_USER}"
        ]
    assert steps == [
        (f"slack:{BU_USER}", action)
        for action in (
            "agency_report.nominated",
            "agency_report.briefed",
            "agency_report.requested",
            "deadline.due_given",
            "agency_report.returned",
            "deadline.due_given",
            "agency_report.signed_off",
            "agency_report.accepted",
            "deadline.met_by",
            "agency_report.distribution_drafted",
        )
    ]
    for call in fake.calls():
        assert not any(s in call.text for s in (*SENSITIVE_STRINGS, AUTHOR, SIGNATORY, REASONS))
    assert not any(s in caplog.text for s in (*SENSITIVE_STRINGS, AUTHOR, SIGNATORY, REASONS))


def test_a_stranger_is_refused_and_the_refusal_audited(store: Store, clock: FixedClock, fake: FakeSlack) -> None:
    reference = decided(store, clock)
    with SlackBot(store, clock, fake) as bot:
        r = bot.requests
        r.post(r.action(STRANGER_USER, RECORD_AGENCY_REPORT, value=reference, channel=BU_CHANNEL))
        refusal = fake.wait_count("chat.postEphemeral", 1)[0]
        submitted = values("police", "nominate", name=AUTHOR, declared=True)
        status, body = r.post(
            r.view_submission(STRANGER_USER, AGENCY_REPORT_MODAL, submitted, private_metadata=reference)
        )
    assert "only members of the board's business unit" in refusal.params["text"]
    assert status == 200 and "only members" in json.loads(body)["errors"]["step"]
    assert fake.calls("views.open") == []
    assert {a.agency: a.step for a in AgencyReports(store).steps(reference)}["police"] is Step.NOT_NOMINATED
    with store.sessions() as s:
        refused = [e.detail for e in store.audit.entries(s, case_ref=reference) if e.action == "access.refused"]
    assert refused == [{"attempted": "slack.record_agency_report"}] * 2
