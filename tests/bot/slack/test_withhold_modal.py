"""The decision not to publish the full report, from Slack: the chair only (anyone else refused, audited, at the
button and at the submission); words naming the family refused in the modal (the kinds named, never the
words); the message to the national bodies drafted for approval, the words only in that sealed message."""

from __future__ import annotations

import json

from bot import wiring
from bot.clock import FixedClock
from bot.slack.withhold_modal import CHAIR_ONLY, WITHHOLD_MODAL, WITHHOLD_PUBLICATION
from cases.calendar import local_date
from cases.case import Decision
from cases.events import Outcome
from notify.outbox import OutboxStatus
from storage.store import Store
from tests.bot.slack.conftest import BU_USER
from tests.factories import CHILD_LAST_NAME, REFERRER, SENSITIVE_STRINGS, STAFF, make_referral
from tests.support.fake_slack import FakeSlack
from tests.support.slack_bot import SlackBot

CHAIR_USER = "UCHAIR0001"  # chair and business unit (tests/factories.py)
REASONS = "a modal reason: the family asked for privacy"
IMPROVEMENTS = "a modal improvement: joint training on bruising"


def words(reasons: str, improvements: str) -> dict[str, object]:
    return {
        "reasons": {"value": {"type": "plain_text_input", "value": reasons or None}},
        "improvements": {"value": {"type": "plain_text_input", "value": improvements or None}},
    }


def test_only_the_chair_records_the_decision_not_to_publish(store: Store, clock: FixedClock, fake: FakeSlack) -> None:
    reference = store.cases.file_referral(make_referral(), actor=REFERRER, now=clock.now()).reference
    decision = Decision(outcome=Outcome.SCR, decided_on=local_date(clock.now()))
    store.cases.record_decision(reference, decision, actor=STAFF, now=clock.now())
    with SlackBot(store, clock, fake) as bot:
        wiring.notifications(store, bot.outbox, reply_to="scr.unit@testshire.gov.uk")  # the statutory drafts
        r = bot.requests

        def submit(user: str, submitted: dict[str, object]) -> dict[str, str]:
            status, body = r.post(r.view_submission(user, WITHHOLD_MODAL, submitted, private_metadata=reference))
            assert status == 200
            return dict(json.loads(body)["errors"]) if body else {}

        # A business unit member who is not the chair: refused at the button and at the submission.
        r.post(r.action(BU_USER, WITHHOLD_PUBLICATION, value=reference))
        told = fake.wait_for(lambda calls: any(CHAIR_ONLY in c.text for c in calls))
        assert told and fake.calls("views.open") == []
        assert submit(BU_USER, words(REASONS, IMPROVEMENTS)) == {"reasons": CHAIR_ONLY}

        r.post(r.action(CHAIR_USER, WITHHOLD_PUBLICATION, value=reference))
        modal = fake.wait_count("views.open", 1)[0].params["view"]
        assert (modal["callback_id"], modal["private_metadata"]) == (WITHHOLD_MODAL, reference)
        named = submit(CHAIR_USER, words(f"the {CHILD_LAST_NAME} family asked", IMPROVEMENTS))
        assert "personal data" in named["reasons"] and CHILD_LAST_NAME not in named["reasons"]
        assert "give the improvements" in submit(CHAIR_USER, words(REASONS, ""))["improvements"]
        assert submit(CHAIR_USER, words(REASONS, IMPROVEMENTS)) == {}

    drafted = [m for m in bot.outbox.list(statuses=[OutboxStatus.DRAFT]) if m.kind == "publication_withheld"]
    assert len(drafted) == 1
    item = bot.outbox.get(drafted[0].id, actor=STAFF, now=clock.now())
    assert REASONS in item.text and IMPROVEMENTS in item.text
    with store.sessions() as s:
        entries = [(e.actor, e.action, e.detail) for e in store.audit.entries(s, case_ref=reference)]
    assert (f"slack:{CHAIR_USER}", "publication.withheld", {"on": "2026-11-22"}) in entries
    refused = [d for a, action, d in entries if action == "access.refused"]
    assert refused == [{"attempted": "slack.withhold_publication"}] * 2
    for call in fake.calls():
        assert not any(s in call.text for s in (*SENSITIVE_STRINGS, REASONS, IMPROVEMENTS))
