"""Publication control from Slack: the "Publication" button under a review in the App Home, the modal, each step
through the same repository as `scrbot review publication` (the planned date, proceedings started and ended,
the chair's decision to publish anyway, publication refused while held or before the copies), refusals shown
in the modal itself; a business unit member who is not the chair refused publishing anyway, strangers refused,
both audited; nothing personal in Slack or the logs."""

from __future__ import annotations

import json
import logging
from datetime import date

import pytest

from bot.clock import FixedClock
from bot.logs import configure_logging
from bot.slack.publication_modal import CHAIR_ONLY, PUBLICATION_MODAL, RECORD_PUBLICATION
from cases.review.publication import Proceeding
from storage.review_publication import Publications
from storage.store import Store
from tests.bot.slack.conftest import BU_CHANNEL, BU_USER, STRANGER_USER
from tests.factories import CHILD_LAST_NAME, SENSITIVE_STRINGS
from tests.support.fake_slack import FakeSlack
from tests.support.review_modals import decided, home_buttons, submit_to
from tests.support.slack_bot import SlackBot

CHAIR_USER = "UCHAIR0001"  # chair and business unit (tests/factories.py)
REASON = "a modal reason: the public interest outweighs the delay"


def values(step: str | None, *, kind: str = "", on: str = "", reason: str = "") -> dict[str, object]:
    def select(value: str) -> dict[str, object]:
        return {"value": {"type": "static_select", "selected_option": {"value": value} if value else None}}

    return {
        "step": select(step or ""),
        "kind": select(kind),
        "on": {"value": {"type": "datepicker", "selected_date": on or None}},
        "reason": {"value": {"type": "plain_text_input", "value": reason or None}},
    }


def test_publication_recorded_from_the_app_home(
    store: Store, clock: FixedClock, fake: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    configure_logging("DEBUG")  # as `scrbot run` sets it up
    caplog.set_level(logging.DEBUG)
    reference = decided(store, clock)
    with SlackBot(store, clock, fake) as bot:
        r = bot.requests
        buttons = home_buttons(r, fake, BU_USER)
        assert (RECORD_PUBLICATION, reference) in buttons
        r.post(r.action(BU_USER, RECORD_PUBLICATION, value=reference))
        modal = fake.wait_count("views.open", 1)[0].params["view"]
        assert (modal["callback_id"], modal["private_metadata"]) == (PUBLICATION_MODAL, reference)

        submit = submit_to(r, PUBLICATION_MODAL, reference)

        assert submit(BU_USER, values(None)) == {"step": "Choose the step."}
        assert submit(BU_USER, values("plan")) == {"on": "Choose the planned date."}
        assert "must be after today" in submit(BU_USER, values("plan", on="2026-11-01"))["on"]
        assert submit(BU_USER, values("plan", on="2027-06-01")) == {}
        assert submit(BU_USER, values("start")) == {"kind": "Choose which proceedings."}
        assert submit(BU_USER, values("start", kind="disciplinary", on="2026-11-20")) == {}
        assert "already recorded as open" in submit(BU_USER, values("start", kind="disciplinary"))["step"]
        assert "is held while disciplinary" in submit(BU_USER, values("published"))["step"]
        # Publishing anyway: the chair only (a business unit member refused, audited).
        assert submit(BU_USER, values("publish_anyway", reason=REASON)) == {"step": CHAIR_ONLY}
        assert "give the reason" in submit(CHAIR_USER, values("publish_anyway"))["reason"]
        assert submit(CHAIR_USER, values("publish_anyway", reason=REASON)) == {}
        assert submit(BU_USER, values("end", kind="disciplinary")) == {}
        assert "no open disciplinary" in submit(BU_USER, values("end", kind="disciplinary"))["step"]
        assert "have not been sent" in submit(BU_USER, values("published"))["step"]

    publication = Publications(store).view(reference)
    assert (publication.planned_on, publication.held) == (date(2027, 6, 1), False)
    assert publication.publish_anyway_on is not None and publication.published_on is None
    assert [p.kind for p in publication.proceedings if p.ended_on] == [Proceeding.DISCIPLINARY]
    with store.sessions() as s:
        entries = [(e.actor, e.action, e.detail) for e in store.audit.entries(s, case_ref=reference)]
    recorded = [(a, action) for a, action, _ in entries if action.startswith("publication.")]
    assert recorded == [
        (f"slack:{BU_USER}", "publication.planned"),
        (f"slack:{BU_USER}", "publication.proceedings_started"),
        (f"slack:{CHAIR_USER}", "publication.publish_anyway"),
        (f"slack:{BU_USER}", "publication.proceedings_ended"),
    ]
    refused = [(a, d) for a, action, d in entries if action == "access.refused"]
    assert refused == [(f"slack:{BU_USER}", {"attempted": "slack.publish_anyway"})]
    for call in fake.calls():
        assert not any(s in call.text for s in (*SENSITIVE_STRINGS, REASON))
    assert not any(s in caplog.text for s in (*SENSITIVE_STRINGS, REASON))


def test_a_stranger_is_refused_and_the_refusal_audited(store: Store, clock: FixedClock, fake: FakeSlack) -> None:
    reference = decided(store, clock)
    with SlackBot(store, clock, fake) as bot:
        r = bot.requests
        r.post(r.action(STRANGER_USER, RECORD_PUBLICATION, value=reference, channel=BU_CHANNEL))
        refusal = fake.wait_count("chat.postEphemeral", 1)[0]
        submitted = values("plan", on="2027-06-01", reason=f"the {CHILD_LAST_NAME} family")
        status, body = r.post(
            r.view_submission(STRANGER_USER, PUBLICATION_MODAL, submitted, private_metadata=reference)
        )
    assert "only members of the board's business unit" in refusal.params["text"]
    assert status == 200 and "only members" in json.loads(body)["errors"]["step"]
    assert fake.calls("views.open") == []
    assert Publications(store).view(reference).planned_on is None
    with store.sessions() as s:
        refused = [e.detail for e in store.audit.entries(s, case_ref=reference) if e.action == "access.refused"]
    assert refused == [{"attempted": "slack.record_publication"}] * 2
