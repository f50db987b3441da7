"""Recording in Slack that the serious incident notification was submitted on the national online form: the
portal's reference and date, from a modal, meet the deadline the wt2023 pack says it discharges; business
unit members only (refusals audited); a missing reference is shown in the modal and nothing is recorded."""

from __future__ import annotations

import json
from datetime import date

import pytest

from bot.clock import FixedClock
from bot.slack import case_views as views
from bot.slack import submissions
from cases.board import BoardConfig, Recipient, SlackSettings
from cases.case import DeadlineState, Decision
from cases.events import Outcome
from storage.store import Store
from tests.bot.slack.conftest import BU_CHANNEL, BU_USER, STRANGER_USER, USERGROUP
from tests.factories import CHAIR, REFERRER, STAFF, make_board, make_referral
from tests.support.fake_slack import FakeSlack
from tests.support.slack_bot import SlackBot


@pytest.fixture
def board() -> BoardConfig:
    partners = Recipient(name="Testshire safeguarding partners", email="partners.testshire@nhs.net")
    return make_board(
        rules_pack="wt2023",
        slack=SlackSettings(business_unit_channel=BU_CHANNEL, business_unit_usergroup=USERGROUP),
        statutory_recipients={**make_board().statutory_recipients, "safeguarding_partners": partners},
    )


def _panel_notification(store: Store, clock: FixedClock, reference: str) -> tuple[DeadlineState, date | None]:
    case = store.cases.get_case(reference, actor=STAFF, now=clock.now())
    [found] = [d for d in case.deadlines if d.computed.rule == "panel_notification"]
    return found.state, found.met_on


def _values(portal_ref: str | None, on: str | None) -> dict[str, object]:
    return {
        "portal_ref": {"value": {"type": "plain_text_input", "value": portal_ref}},
        "on": {"value": {"type": "datepicker", "selected_date": on}},
    }


def test_the_portal_submission_recorded_from_the_modal_meets_the_deadline(
    store: Store, clock: FixedClock, fake: FakeSlack
) -> None:
    reference = store.cases.file_referral(make_referral(), actor=REFERRER, now=clock.now()).reference
    today = clock.now().date().isoformat()
    with SlackBot(store, clock, fake) as bot:
        r = bot.requests
        r.post(r.action(BU_USER, submissions.RECORD_SUBMISSION, value=reference, channel=BU_CHANNEL))
        modal = fake.wait_count("views.open", 1)[0]
        assert modal.params["view"]["private_metadata"] == reference
        status, body = r.post(
            r.view_submission(BU_USER, submissions.SUBMISSION_MODAL, _values(None, today), private_metadata=reference)
        )
        assert status == 200 and "portal reference" in json.loads(body)["errors"]["portal_ref"]
        assert _panel_notification(store, clock, reference) == (DeadlineState.OPEN, None)
        values = _values("SIN-2026-00917", today)
        status, body = r.post(
            r.view_submission(BU_USER, submissions.SUBMISSION_MODAL, values, private_metadata=reference)
        )
        assert status == 200 and "errors" not in body
    assert _panel_notification(store, clock, reference) == (DeadlineState.MET, clock.now().date())


def test_a_stranger_cannot_record_it_and_the_refusal_is_audited(
    store: Store, clock: FixedClock, fake: FakeSlack
) -> None:
    reference = store.cases.file_referral(make_referral(), actor=REFERRER, now=clock.now()).reference
    with SlackBot(store, clock, fake) as bot:
        r = bot.requests
        values = _values("SIN-2026-00917", clock.now().date().isoformat())
        status, body = r.post(
            r.view_submission(STRANGER_USER, submissions.SUBMISSION_MODAL, values, private_metadata=reference)
        )
        assert status == 200 and "errors" in body
    assert _panel_notification(store, clock, reference) == (DeadlineState.OPEN, None)
    with store.sessions() as s:
        actions = [(e.actor, e.action) for e in store.audit.entries(s, case_ref=reference)]
    assert (f"slack:{STRANGER_USER}", "access.refused") in actions


def test_the_case_modal_speaks_the_cases_pack(store: Store, clock: FixedClock, fake: FakeSlack) -> None:
    reference = store.cases.file_referral(make_referral(), actor=REFERRER, now=clock.now()).reference
    decision = Decision(outcome=Outcome.SCR, decided_on=clock.now().date())
    store.cases.record_decision(reference, decision, actor=CHAIR, now=clock.now())
    with SlackBot(store, clock, fake) as bot:
        bot.requests.post(bot.requests.action(BU_USER, views.OPEN_CASE, value=reference, channel=BU_CHANNEL))
        modal = fake.wait_count("views.open", 1)[0]
    assert "Decision:* Local child safeguarding practice review" in modal.text
    assert "Serious Case Review" not in modal.text and "rules wt2023 (version 2023.1)" in modal.text
