"""What the review modals' tests share: a case decided for review, the App Home's buttons as a member sees
them, and a modal submission answered with its errors by block."""

from __future__ import annotations

import json
from collections.abc import Callable

from bot.clock import FixedClock
from cases.calendar import local_date
from cases.case import Decision
from cases.events import Outcome
from storage.store import Store
from tests.factories import REFERRER, STAFF, make_referral
from tests.support.fake_slack import FakeSlack
from tests.support.slack_requests import SlackRequests

Submit = Callable[[str, dict[str, object]], dict[str, str]]


def decided(store: Store, clock: FixedClock) -> str:
    """A filed referral with a decision to review (SCR): the reference."""
    reference = store.cases.file_referral(make_referral(), actor=REFERRER, now=clock.now()).reference
    decision = Decision(outcome=Outcome.SCR, decided_on=local_date(clock.now()))
    store.cases.record_decision(reference, decision, actor=STAFF, now=clock.now())
    return reference


def home_buttons(r: SlackRequests, fake: FakeSlack, user: str) -> list[tuple[str, str | None]]:
    """Open the App Home as `user`; its buttons as (action id, value)."""
    r.post(r.event({"type": "app_home_opened", "user": user, "tab": "home"}))
    [home] = fake.wait_count("views.publish", 1)
    return [
        (e["action_id"], e.get("value"))
        for block in home.params["view"]["blocks"]
        if block["type"] == "actions"
        for e in block["elements"]
    ]


def submit_to(r: SlackRequests, callback: str, reference: str) -> Submit:
    """Submit the modal `callback` for `reference` as a user: the errors it answers with (empty when saved)."""

    def submit(user: str, submitted: dict[str, object]) -> dict[str, str]:
        status, body = r.post(r.view_submission(user, callback, submitted, private_metadata=reference))
        assert status == 200
        return dict(json.loads(body)["errors"]) if body else {}

    return submit
