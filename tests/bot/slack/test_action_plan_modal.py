"""The action plan register from Slack: the "Action plan" button under a review in the App Home, the modal, each
step through the same repository as `scrbot review actions` (an action added with its owner agency, role, due
date and measure; words naming the family refused with the kinds named; a sign-up; evidence of completion, the
last one concluding the review), refusals shown in the modal itself; strangers refused, audited; nothing
personal in Slack or the logs."""

from __future__ import annotations

import json
import logging
from datetime import date
from functools import partial

import pytest

from bot.clock import FixedClock
from bot.logs import configure_logging
from bot.slack.action_plan_modal import ACTION_PLAN_MODAL, RECORD_ACTION_PLAN
from cases.calendar import local_date
from storage.review_action_plan import ActionPlan
from storage.store import Store
from tests.bot.slack.conftest import BU_CHANNEL, BU_USER, STRANGER_USER
from tests.factories import CHILD_LAST_NAME, SENSITIVE_STRINGS
from tests.support.fake_slack import FakeSlack
from tests.support.review_modals import decided, home_buttons, submit_to
from tests.support.slack_bot import SlackBot

TEXT = "Modal action: joint training on recognising non-mobile bruising"
ROLE = "Designated nurse for safeguarding"
MEASURE = "Modal measure: an audit of twenty referrals shows the protocol followed"
EVIDENCE = "Modal evidence: the audit report of March"


def values(
    step: str | None,
    *,
    number: str = "",
    text: str = "",
    agency: str = "",
    role: str = "",
    due: str = "",
    measure: str = "",
    evidence: str = "",
    on: str = "",
) -> dict[str, object]:
    def select(value: str) -> dict[str, object]:
        return {"value": {"type": "static_select", "selected_option": {"value": value} if value else None}}

    def typed(value: str) -> dict[str, object]:
        return {"value": {"type": "plain_text_input", "value": value or None}}

    def day(value: str) -> dict[str, object]:
        return {"value": {"type": "datepicker", "selected_date": value or None}}

    return {
        "step": select(step or ""),
        "number": typed(number),
        "text": typed(text),
        "agency": select(agency),
        "role": typed(role),
        "due": day(due),
        "measure": typed(measure),
        "evidence": typed(evidence),
        "on": day(on),
    }


def test_the_action_plan_kept_from_the_app_home(
    store: Store, clock: FixedClock, fake: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    configure_logging("DEBUG")  # as `scrbot run` sets it up
    caplog.set_level(logging.DEBUG)
    reference = decided(store, clock)
    action = {"text": TEXT, "agency": "health", "role": ROLE, "measure": MEASURE}
    with SlackBot(store, clock, fake) as bot:
        r = bot.requests
        buttons = home_buttons(r, fake, BU_USER)
        assert (RECORD_ACTION_PLAN, reference) in buttons
        r.post(r.action(BU_USER, RECORD_ACTION_PLAN, value=reference))
        modal = fake.wait_count("views.open", 1)[0].params["view"]
        assert (modal["callback_id"], modal["private_metadata"]) == (ACTION_PLAN_MODAL, reference)

        submit = partial(submit_to(r, ACTION_PLAN_MODAL, reference), BU_USER)

        assert submit(values(None)) == {"step": "Choose the step."}
        assert submit(values("add", **(action | {"agency": ""}), due="2027-03-01")) == {
            "agency": "Choose the owner agency."
        }
        assert submit(values("add", **action)) == {"due": "Choose the due date."}
        assert "must be after today" in submit(values("add", **action, due="2026-11-01"))["due"]
        named = submit(values("add", **(action | {"role": f"{CHILD_LAST_NAME}'s health visitor"}), due="2027-03-01"))
        assert "personal data" in named["role"] and CHILD_LAST_NAME not in named["role"]
        named = submit(values("add", **(action | {"text": f"Visit the {CHILD_LAST_NAME} home"}), due="2027-03-01"))
        assert "personal data" in named["text"] and CHILD_LAST_NAME not in named["text"]
        assert (
            "give the action's measure"
            in submit(values("add", **(action | {"measure": ""}), due="2027-03-01"))["measure"]
        )
        assert submit(values("add", **action, due="2027-03-01")) == {}
        assert submit(values("sign_up")) == {"number": "Give the action's number."}
        assert "no action 2" in submit(values("sign_up", number="2"))["number"]
        assert submit(values("sign_up", number="1", on="2026-11-22")) == {}
        assert "was signed up to on 2026-11-22" in submit(values("sign_up", number="1"))["number"]
        assert submit(values("complete", number="1", evidence=EVIDENCE)) == {}
        assert "was completed on" in submit(values("complete", number="1"))["number"]

    [done] = ActionPlan(store).actions(reference, words=True)
    assert (done.text, done.owner_role, done.measure, done.due) == (TEXT, ROLE, MEASURE, date(2027, 3, 1))
    assert (done.signed_up_on, done.completed_on) == (date(2026, 11, 22), local_date(clock.now()))
    with store.sessions() as s:
        entries = [(e.actor, e.action) for e in store.audit.entries(s, case_ref=reference)]
    recorded = [a for actor, a in entries if actor == f"slack:{BU_USER}" and a.split(".")[0] in ("action", "review")]
    assert recorded == ["action.added", "action.signed_up", "action.completed", "review.concluded"]
    for call in fake.calls():
        assert not any(s in call.text for s in (*SENSITIVE_STRINGS, TEXT, ROLE, MEASURE, EVIDENCE))
    assert not any(s in caplog.text for s in (*SENSITIVE_STRINGS, TEXT, ROLE, MEASURE, EVIDENCE))


def test_a_stranger_is_refused_and_the_refusal_audited(store: Store, clock: FixedClock, fake: FakeSlack) -> None:
    reference = decided(store, clock)
    with SlackBot(store, clock, fake) as bot:
        r = bot.requests
        r.post(r.action(STRANGER_USER, RECORD_ACTION_PLAN, value=reference, channel=BU_CHANNEL))
        refusal = fake.wait_count("chat.postEphemeral", 1)[0]
        submitted = values("add", text=TEXT, agency="health", role=ROLE, due="2027-03-01", measure=MEASURE)
        status, body = r.post(
            r.view_submission(STRANGER_USER, ACTION_PLAN_MODAL, submitted, private_metadata=reference)
        )
    assert "only members of the board's business unit" in refusal.params["text"]
    assert status == 200 and "only members" in json.loads(body)["errors"]["step"]
    assert fake.calls("views.open") == []
    assert ActionPlan(store).actions(reference) == []
    with store.sessions() as s:
        refused = [e.detail for e in store.audit.entries(s, case_ref=reference) if e.action == "access.refused"]
    assert refused == [{"attempted": "slack.record_action_plan"}] * 2
