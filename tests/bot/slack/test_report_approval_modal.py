"""The board's approval of a report version from Slack: the "Approve report" button under a review in the App
Home, the modal showing every version's anonymisation check (the kinds and places, never the words), approval
through the same repository as `scrbot review report approve`, a blocked version and a future date refused in
the modal; strangers refused, audited; nothing personal in Slack or the logs."""

from __future__ import annotations

import json
import logging
from functools import partial

import pytest

from bot.clock import FixedClock
from bot.logs import configure_logging
from bot.slack.report_approval_modal import APPROVE_REPORT, REPORT_APPROVAL_MODAL
from cases.calendar import local_date
from cases.case import Decision
from cases.events import Outcome
from intake.documents.reading import read_report
from storage.review_report_versions import ReportVersions
from storage.store import Store
from tests.bot.slack.conftest import BU_CHANNEL, BU_USER, STRANGER_USER
from tests.factories import CHILD_LAST_NAME, REFERRER, SENSITIVE_STRINGS, STAFF, make_referral
from tests.support.fake_slack import FakeSlack
from tests.support.reports import FILLER, docx_report
from tests.support.review_modals import home_buttons, submit_to
from tests.support.slack_bot import SlackBot


def decided_with_versions(store: Store, clock: FixedClock) -> str:
    """Version 1 names the family (blocked); version 2 is clean."""
    reference = store.cases.file_referral(make_referral(), actor=REFERRER, now=clock.now()).reference
    decision = Decision(outcome=Outcome.SCR, decided_on=local_date(clock.now()))
    store.cases.record_decision(reference, decision, actor=STAFF, now=clock.now())
    reports = ReportVersions(store)
    for paragraphs in ([FILLER, f"The {CHILD_LAST_NAME}s' flat was cold."], [FILLER, "Child C lived with family."]):
        content = docx_report(paragraphs)
        media_type, text = read_report("final.docx", content)
        reports.upload(
            reference,
            filename="final.docx",
            content=content,
            media_type=media_type,
            text=text,
            actor=STAFF,
            now=clock.now(),
        )
    return reference


def values(version: str, on: str = "") -> dict[str, object]:
    return {
        "version": {"value": {"type": "static_select", "selected_option": {"value": version} if version else None}},
        "on": {"value": {"type": "datepicker", "selected_date": on or None}},
    }


def test_a_version_approved_from_the_app_home_with_the_check_shown(
    store: Store, clock: FixedClock, fake: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    configure_logging("DEBUG")  # as `scrbot run` sets it up
    caplog.set_level(logging.DEBUG)
    reference = decided_with_versions(store, clock)
    with SlackBot(store, clock, fake) as bot:
        r = bot.requests
        buttons = home_buttons(r, fake, BU_USER)
        assert (APPROVE_REPORT, reference) in buttons
        r.post(r.action(BU_USER, APPROVE_REPORT, value=reference))
        modal = fake.wait_count("views.open", 1)[0].params["view"]
        assert (modal["callback_id"], modal["private_metadata"]) == (REPORT_APPROVAL_MODAL, reference)
        shown = "\n".join(b["text"]["text"] for b in modal["blocks"] if b["type"] == "section")
        assert (
            "*Version 1*: blocked: 1 item(s) of the case's personal data:\n• family surname, body, paragraph 2" in shown
        )
        assert "*Version 2*: clean" in shown

        submit = partial(submit_to(r, REPORT_APPROVAL_MODAL, reference), BU_USER)

        assert submit(values("")) == {"version": "Choose the version."}
        assert "holds 1 item(s) of the case's personal data" in submit(values("1"))["version"]
        assert "in the future" in submit(values("2", on="2030-01-01"))["on"]
        assert "no version 3" in submit(values("3"))["version"]
        assert submit(values("2")) == {}

    with store.sessions() as s:
        entries = [(e.actor, e.action, e.detail) for e in store.audit.entries(s, case_ref=reference)]
    approved = [(a, d["version"]) for a, action, d in entries if action == "report.approved"]
    assert approved == [(f"slack:{BU_USER}", 2)]
    for call in fake.calls():
        assert not any(s in call.text for s in SENSITIVE_STRINGS)
    assert not any(s in caplog.text for s in SENSITIVE_STRINGS)


def test_a_stranger_is_refused_and_the_refusal_audited(store: Store, clock: FixedClock, fake: FakeSlack) -> None:
    reference = decided_with_versions(store, clock)
    with SlackBot(store, clock, fake) as bot:
        r = bot.requests
        r.post(r.action(STRANGER_USER, APPROVE_REPORT, value=reference, channel=BU_CHANNEL))
        refusal = fake.wait_count("chat.postEphemeral", 1)[0]
        submitted = values("2")
        status, body = r.post(
            r.view_submission(STRANGER_USER, REPORT_APPROVAL_MODAL, submitted, private_metadata=reference)
        )
    assert "only members of the board's business unit" in refusal.params["text"]
    assert status == 200 and "only members" in json.loads(body)["errors"]["version"]
    assert fake.calls("views.open") == []
    with store.sessions() as s:
        actions = [(e.action, e.detail) for e in store.audit.entries(s, case_ref=reference)]
    assert [a for a, _ in actions if a == "report.approved"] == []
    assert [d for a, d in actions if a == "access.refused"] == [{"attempted": "slack.approve_report"}] * 2
