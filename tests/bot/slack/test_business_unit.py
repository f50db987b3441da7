"""The business unit's side in Slack: case buttons for authorised members only (refusals audited), the case
modal (personal data only there, each view audited), meeting and decision modals, the App Home."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

import pytest

from bot.clock import FixedClock
from bot.logs import configure_logging
from bot.slack import case_views as views
from cases.case import DeadlineState
from cases.events import CaseStatus, Outcome
from storage.store import Store
from tests.bot.slack.conftest import BU_CHANNEL, BU_USER, GROUP_USER, REFERRER_USER, STRANGER_USER
from tests.bot.slack.driver import prompt_key
from tests.factories import CHILD_FORENAMES, REFERRER, SENSITIVE_STRINGS, STAFF, make_referral
from tests.support.fake_slack import FakeSlack
from tests.support.slack_bot import SlackBot


def _file(store: Store, clock: FixedClock) -> str:
    return store.cases.file_referral(make_referral(), actor=REFERRER, now=clock.now()).reference


def _audit(store: Store, reference: str) -> list[tuple[str, str, dict[str, object]]]:
    with store.sessions() as s:
        return [(e.actor, e.action, e.detail) for e in store.audit.entries(s, case_ref=reference)]


@pytest.mark.parametrize(
    ("action", "refused_as"),
    [
        (views.OPEN_CASE, "open_case"),
        (views.RECORD_MEETING, "record_meeting"),
        (views.RECORD_DECISION, "record_decision"),
    ],
)
def test_unauthorised_press_is_refused_politely_and_audited(
    store: Store, clock: FixedClock, fake: FakeSlack, action: str, refused_as: str
) -> None:
    reference = _file(store, clock)
    with SlackBot(store, clock, fake) as bot:
        status, _ = bot.requests.post(bot.requests.action(STRANGER_USER, action, value=reference, channel=BU_CHANNEL))
        assert status == 200
        refusal = fake.wait_count("chat.postEphemeral", 1)[0]
    assert (refusal.channel, refusal.params["user"]) == (BU_CHANNEL, STRANGER_USER)
    assert "only members of the board's business unit" in refusal.params["text"]
    assert fake.calls("views.open") == []
    assert (f"slack:{STRANGER_USER}", "access.refused", {"attempted": f"slack.{refused_as}"}) in _audit(
        store, reference
    )
    with store.sessions() as s:
        assert store.audit.verify(s) == []


def test_member_opens_the_case_in_a_modal_and_the_view_is_audited(
    store: Store, clock: FixedClock, fake: FakeSlack
) -> None:
    reference = _file(store, clock)
    with SlackBot(store, clock, fake) as bot:
        bot.requests.post(bot.requests.action(BU_USER, views.OPEN_CASE, value=reference, channel=BU_CHANNEL))
        modal = fake.wait_count("views.open", 1)[0]
    assert CHILD_FORENAMES in modal.text  # personal data: in the modal, to an authorised member only
    assert "act by" in modal.text
    assert (f"slack:{BU_USER}", "case.viewed", {"purpose": "slack.modal"}) in _audit(store, reference)
    assert fake.channel_calls() == []


def test_user_group_member_is_authorised(store: Store, clock: FixedClock, fake: FakeSlack) -> None:
    reference = _file(store, clock)
    with SlackBot(store, clock, fake) as bot:
        bot.requests.post(bot.requests.action(GROUP_USER, views.OPEN_CASE, value=reference, channel=BU_CHANNEL))
        fake.wait_count("views.open", 1)
    assert fake.calls("usergroups.users.list")[0].params["usergroup"] == "S0BUSINESS"
    assert (f"slack:{GROUP_USER}", "case.viewed", {"purpose": "slack.modal"}) in _audit(store, reference)


def test_meeting_date_from_the_modal_moves_the_case_on(store: Store, clock: FixedClock, fake: FakeSlack) -> None:
    reference = _file(store, clock)
    with SlackBot(store, clock, fake) as bot:
        r = bot.requests
        bot.requests.post(r.action(BU_USER, views.RECORD_MEETING, value=reference, channel=BU_CHANNEL))
        modal = fake.wait_count("views.open", 1)[0]
        assert modal.params["view"]["private_metadata"] == reference
        empty = {"on": {"value": {"type": "datepicker", "selected_date": None}}}
        status, body = r.post(r.view_submission(BU_USER, views.MEETING_MODAL, empty, private_metadata=reference))
        assert status == 200 and "errors" in body  # shown in the modal; nothing recorded
        values = {"on": {"value": {"type": "datepicker", "selected_date": "2026-12-01"}}}
        status, body = r.post(r.view_submission(BU_USER, views.MEETING_MODAL, values, private_metadata=reference))
        assert status == 200 and "errors" not in body
    case = store.cases.get_case(reference, actor=STAFF, now=clock.now())
    assert case.status is CaseStatus.UNDER_CONSIDERATION


def test_decision_from_the_modal_is_recorded_by_the_chair_only(
    store: Store, clock: FixedClock, fake: FakeSlack
) -> None:
    reference = _file(store, clock)
    values = {
        "outcome": {"value": {"type": "static_select", "selected_option": {"value": "scr"}}},
        "on": {"value": {"type": "datepicker", "selected_date": "2026-12-10"}},
        "by": {"value": {"type": "plain_text_input", "value": "Independent Chair"}},
        "rationale": {"value": {"type": "plain_text_input", "value": "Criteria 004 §4.4(ii) met"}},
        "detail": {"value": {"type": "plain_text_input", "value": None}},
    }
    with SlackBot(store, clock, fake) as bot:
        r = bot.requests
        # The board's decision maker is the chair (004 §3.8): a business unit member is refused.
        status, body = r.post(r.view_submission(BU_USER, views.DECISION_MODAL, values, private_metadata=reference))
        assert status == 200 and "errors" in body
        # A decision is recorded once made: the date picker's future date is refused in the modal itself.
        status, body = r.post(r.view_submission("UCHAIR0001", views.DECISION_MODAL, values, private_metadata=reference))
        assert status == 200 and "in the future" in json.loads(body)["errors"]["on"]
        clock.set(datetime(2026, 12, 10, 15, 0, tzinfo=UTC))
        status, body = r.post(r.view_submission("UCHAIR0001", views.DECISION_MODAL, values, private_metadata=reference))
        assert status == 200 and "errors" not in body
        note = fake.wait_for(lambda calls: any(c.is_to_channel for c in calls))
    case = store.cases.get_case(reference, actor=STAFF, now=clock.now())
    assert case.decision is not None and case.decision.outcome is Outcome.SCR
    assert {d.state for d in case.deadlines if d.computed.rule == "chair_decision"} == {DeadlineState.MET}
    assert any("decision recorded" in c.text for c in note if c.is_to_channel)
    assert (f"slack:{BU_USER}", "access.refused", {"attempted": "slack.record_decision"}) in _audit(store, reference)


def test_app_home_shows_open_cases_with_next_deadline_and_rag(store: Store, clock: FixedClock, fake: FakeSlack) -> None:
    reference = _file(store, clock)
    with SlackBot(store, clock, fake) as bot:
        r = bot.requests
        r.post(r.event({"type": "app_home_opened", "user": BU_USER, "tab": "home"}))
        r.post(r.event({"type": "app_home_opened", "user": STRANGER_USER, "tab": "home"}))
        fake.wait_count("views.publish", 2)
    staff_home, stranger_home = sorted(fake.calls("views.publish"), key=lambda c: c.user != BU_USER)
    # Seen on Sunday 22 Nov: the next deadline (Ofsted told by Tue 24 Nov) is within 3 working days: amber.
    next_deadline = "Next: ofsted_incident_notification, act by 24 Nov 2026"
    assert f":large_orange_circle: *{reference}* · referred\\n{next_deadline}" in staff_home.text
    assert "Still to confirm records secured: health, police, school" in staff_home.text
    # This year's compliance picture above the cases: nothing due yet on the day of the referral.
    assert "*Figures 2026-27* (so far, to 22 Nov 2026)\\nStatutory duties: none has fallen due yet" in staff_home.text
    assert "Referrals 1 · decisions 0 · reviews open 0" in staff_home.text
    assert reference not in stranger_home.text  # not their referral
    assert "Figures 2026-27" not in stranger_home.text  # the business unit's picture only
    for call in fake.calls("views.publish"):
        assert not any(s in call.text for s in SENSITIVE_STRINGS)


def test_logs_carry_no_personal_data(
    store: Store, clock: FixedClock, fake: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    configure_logging("DEBUG")  # as `scrbot run` sets it up (third-party libraries held at WARNING)
    caplog.set_level(logging.DEBUG)
    reference = _file(store, clock)
    with SlackBot(store, clock, fake) as bot:
        r = bot.requests
        r.post(r.action(BU_USER, views.OPEN_CASE, value=reference, channel=BU_CHANNEL))
        r.post(r.action(STRANGER_USER, views.OPEN_CASE, value=reference, channel=BU_CHANNEL))
        r.post(r.dm(REFERRER_USER, "refer"))
        r.post(r.dm(REFERRER_USER, "Zephyrine Quillon"))
        fake.wait_count("views.open", 1)
        fake.wait_count("chat.postEphemeral", 1)
        # The name was taken (the next question asked) before the logs are read.
        fake.wait_for(lambda calls: any(prompt_key(c) == "referrer.role" for c in calls))
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "refused open_case" in logged
    for sensitive in SENSITIVE_STRINGS:
        assert sensitive not in logged
