"""Approving statutory notifications in Slack: the real slack-bolt App, correctly signed requests, its
WebClient pointed at a local fake Slack Web API that records every call (tests/support/fake_slack.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from slack_bolt import App
from slack_sdk import WebClient
from sqlalchemy import select

from bot.clock import FixedClock
from bot.slack import notification_views as views
from bot.slack import notifications
from bot.slack.notifications import REFUSAL, ApprovalButtons
from cases.actor import Actor
from cases.board import BoardConfig
from cases.case import Decision
from cases.events import Outcome
from notify.outbox import OutboxStatus
from notify.senders import ChatMessageSender
from storage.store import Store
from storage.tables import AuditRow
from tests.factories import CHAIR, REFERRER, SENSITIVE_STRINGS, make_referral
from tests.notify.conftest import NotifyEnv, make_env, notify_board
from tests.support.fake_slack import FakeSlack, SlackCall
from tests.support.slack_requests import SlackRequests

SECRET = "test-signing-secret"
CHANNEL = "C0BUSINESS"
BU_USER = "UBU000001"
STRANGER = "UREF000002"
NOW = datetime(2026, 12, 22, 11, tzinfo=UTC)


@pytest.fixture
def board() -> BoardConfig:
    return notify_board()


class BoardAccess:
    """Who a Slack user is, from the board config (issue #3's SlackAccess adds the user group)."""

    def __init__(self, board: BoardConfig) -> None:
        self.board = board

    def actor(self, user_id: str) -> Actor:
        return self.board.slack_actor(user_id)


@dataclass
class Services:
    store: Store
    access: BoardAccess
    clock: FixedClock


class WebClientPoster:
    def __init__(self, client: WebClient) -> None:
        self.client = client

    def post(self, channel: str, text: str, *, blocks: list[dict[str, Any]] | None = None) -> str:
        return str(self.client.chat_postMessage(channel=channel, text=text, blocks=blocks).get("ts", ""))


@dataclass
class Harness:
    env: NotifyEnv
    fake: FakeSlack
    app: App
    requests: SlackRequests
    reference: str

    def press(self, user: str, action_id: str, draft_id: str) -> None:
        response = self.app.dispatch(
            self.requests.bolt(self.requests.action(user, action_id, value=draft_id, channel=CHANNEL))
        )
        assert response.status == 200

    def submit(self, user: str, callback_id: str, values: dict[str, Any], metadata: str) -> dict[str, Any]:
        payload = self.requests.view_submission(user, callback_id, values, private_metadata=metadata)
        response = self.app.dispatch(self.requests.bolt(payload))
        assert response.status == 200
        return json.loads(response.body) if response.body else {}

    def draft(self, kind: str) -> str:
        [found] = [m.id for m in self.env.outbox.list(statuses=[OutboxStatus.DRAFT]) if m.kind == kind]
        return found

    def status(self, draft_id: str) -> OutboxStatus:
        return next(m.status for m in self.env.outbox.list() if m.id == draft_id)


@pytest.fixture
def harness(store: Store, tmp_path: Path) -> Iterator[Harness]:
    with FakeSlack() as fake:
        client = WebClient(token="xoxb-test", base_url=fake.base_url, timeout=10)
        env = make_env(store, tmp_path)
        # The outbox's Slack sender: approval requests get their buttons.
        env.dispatcher.senders = {
            **env.dispatcher.senders,
            "slack": ChatMessageSender(ApprovalButtons(WebClientPoster(client))),
        }
        app = App(
            client=client,
            signing_secret=SECRET,
            process_before_response=True,
            listener_executor=ThreadPoolExecutor(max_workers=4),
        )
        notifications.register(app, Services(store, BoardAccess(store.board), FixedClock(NOW)))
        referral = make_referral(date(2026, 12, 14), referral_date="2026-12-14", la_aware_date=None)
        reference = store.cases.file_referral(referral, actor=REFERRER, now=NOW).reference
        store.cases.record_decision(
            reference, Decision(outcome=Outcome.SCR, decided_on=date(2026, 12, 22)), actor=CHAIR, now=NOW
        )
        env.dispatch(NOW)  # posts the approval requests to the business unit channel
        yield Harness(env, fake, app, SlackRequests(SECRET), reference)


def buttons(call: SlackCall) -> dict[str, str]:
    found = {}
    for block in call.params.get("blocks") or []:
        for element in block.get("elements", []):
            if element.get("type") == "button":
                found[element["action_id"]] = element["value"]
    return found


def audit_actions(store: Store) -> list[tuple[str, str]]:
    with store.sessions() as s:
        return [(a, d) for a, d in s.execute(select(AuditRow.action, AuditRow.detail).order_by(AuditRow.seq))]


def test_approval_requests_reach_the_channel_with_buttons_and_no_personal_data(harness: Harness) -> None:
    posts = [c for c in harness.fake.calls("chat.postMessage") if c.channel == CHANNEL]
    statutory = harness.draft("statutory_decision_notification")
    [request] = [c for c in posts if statutory in json.dumps(c.params)]
    assert buttons(request) == {
        views.PREVIEW: statutory,
        views.APPROVE: statutory,
        views.EDIT: statutory,
        views.REJECT: statutory,
    }
    assert "[draft" not in str(request.params["text"])  # the marker is for us, not for people
    assert len(posts) == 5  # the statutory notification, the chief officers' letter, three IMR requests
    channel_text = "\n".join(c.text for c in harness.fake.channel_calls())
    for sensitive in SENSITIVE_STRINGS:
        assert sensitive not in channel_text
    assert "ZQ M-T" not in channel_text and "2024-03-09" not in channel_text


def test_preview_opens_the_content_in_a_modal_for_the_business_unit_only_and_is_audited(harness: Harness) -> None:
    statutory = harness.draft("statutory_decision_notification")
    harness.press(BU_USER, views.PREVIEW, statutory)
    [opened] = harness.fake.wait_count("views.open", 1)
    view = opened.params["view"]
    assert view["callback_id"] == views.PREVIEW_MODAL
    assert "decided to undertake a serious case review" in json.dumps(view)
    assert "scr.sin@ofsted.cjsm.net" in json.dumps(view)
    assert ("outbox.viewed", json.dumps({"id": statutory}, separators=(",", ":"))) in audit_actions(harness.env.store)

    harness.press(STRANGER, views.PREVIEW, statutory)
    [refusal] = harness.fake.wait_count("chat.postEphemeral", 1)
    assert refusal.params["text"] == REFUSAL and refusal.user == STRANGER
    assert len(harness.fake.calls("views.open")) == 1  # no modal for the stranger


def test_a_stranger_cannot_approve_and_the_refusal_is_audited(harness: Harness) -> None:
    statutory = harness.draft("statutory_decision_notification")
    harness.press(STRANGER, views.APPROVE, statutory)
    harness.fake.wait_count("chat.postEphemeral", 1)
    assert harness.status(statutory) is OutboxStatus.DRAFT
    refusals = [d for a, d in audit_actions(harness.env.store) if a == "access.refused"]
    assert refusals == ['{"attempted":"notification.approve"}']
    with harness.env.store.sessions() as s:
        [ref] = s.scalars(select(AuditRow.case_ref).where(AuditRow.action == "access.refused"))
    assert ref == harness.reference


def test_edit_then_approve_sends_the_edited_text(harness: Harness) -> None:
    statutory = harness.draft("statutory_decision_notification")
    harness.press(BU_USER, views.EDIT, statutory)
    [opened] = harness.fake.wait_count("views.open", 1)
    view = opened.params["view"]
    assert view["callback_id"] == views.EDIT_MODAL
    values = {
        views.SUBJECT_BLOCK: {views.INPUT: {"type": "plain_text_input", "value": "Decision on SCR-2026-0001"}},
        views.TEXT_BLOCK: {views.INPUT: {"type": "plain_text_input", "value": "Checked and edited wording."}},
    }
    assert harness.submit(STRANGER, views.EDIT_MODAL, values, view["private_metadata"]) == {
        "response_action": "errors",
        "errors": {views.TEXT_BLOCK: REFUSAL},
    }
    empty = {**values, views.TEXT_BLOCK: {views.INPUT: {"type": "plain_text_input", "value": "  "}}}
    assert harness.submit(BU_USER, views.EDIT_MODAL, empty, view["private_metadata"])["response_action"] == "errors"
    assert harness.submit(BU_USER, views.EDIT_MODAL, values, view["private_metadata"]) == {}
    harness.press(BU_USER, views.APPROVE, statutory)
    [update] = harness.fake.wait_count("chat.update", 1)
    assert update.channel == CHANNEL and "Approved by <@UBU000001>" in str(update.params["text"])
    assert buttons(update) == {}  # nothing left to press
    assert harness.status(statutory) is OutboxStatus.APPROVED
    harness.env.dispatch(NOW)
    [sent] = [m for m in harness.env.emails() if m["Subject"] == "Decision on SCR-2026-0001"]
    assert sent.get_body(("plain",)).get_content().strip() == "Checked and edited wording."  # type: ignore[union-attr]


def test_rejected_from_slack_is_never_sent(harness: Harness) -> None:
    letter = harness.draft("chief_officer_letter")
    harness.press(BU_USER, views.REJECT, letter)
    [update] = harness.fake.wait_count("chat.update", 1)
    assert "Rejected by <@UBU000001>: not sent" in str(update.params["text"])
    assert harness.status(letter) is OutboxStatus.REJECTED
    harness.press(BU_USER, views.APPROVE, letter)  # too late: it stays rejected, and the person is told why
    [told] = harness.fake.wait_count("chat.postEphemeral", 1)
    assert "only a draft can be approved" in str(told.params["text"])
    harness.env.dispatch(NOW)
    assert not [m for m in harness.env.emails() if "terms of reference" in m["Subject"]]


def test_approving_from_the_preview_modal(harness: Harness) -> None:
    statutory = harness.draft("statutory_decision_notification")
    harness.press(BU_USER, views.PREVIEW, statutory)
    [opened] = harness.fake.wait_count("views.open", 1)
    metadata = opened.params["view"]["private_metadata"]
    refused = harness.submit(STRANGER, views.PREVIEW_MODAL, {}, metadata)
    assert refused["response_action"] == "update" and REFUSAL in json.dumps(refused)
    assert harness.status(statutory) is OutboxStatus.DRAFT
    assert harness.submit(BU_USER, views.PREVIEW_MODAL, {}, metadata) == {}
    assert harness.status(statutory) is OutboxStatus.APPROVED
    harness.fake.wait_count("chat.update", 1)


def _edit(harness: Harness, draft: str, text: str) -> dict[str, Any]:
    before = len(harness.fake.calls("views.open"))
    harness.press(BU_USER, views.EDIT, draft)
    opened = harness.fake.wait_count("views.open", before + 1)[-1]
    values = {views.TEXT_BLOCK: {views.INPUT: {"type": "plain_text_input", "value": text}}}
    return harness.submit(BU_USER, views.EDIT_MODAL, values, opened.params["view"]["private_metadata"])


def test_an_edit_naming_the_child_for_a_non_secure_school_is_refused_in_the_modal(harness: Harness) -> None:
    [school] = [
        m.id
        for m in harness.env.outbox.list(statuses=[OutboxStatus.DRAFT])
        if m.kind == "imr_request" and m.recipient_summary == "agency:school"
    ]
    answer = _edit(harness, school, "Please send your IMR about Zephyrine Marchbanks-Tovey.")
    assert answer["response_action"] == "errors"
    error = answer["errors"][views.TEXT_BLOCK]
    assert "was not changed" in error and "not on a secure domain" in error
    for sensitive in SENSITIVE_STRINGS:
        assert sensitive not in error


def test_a_named_child_in_the_text_is_flagged_before_approval(harness: Harness) -> None:
    statutory = harness.draft("statutory_decision_notification")
    assert _edit(harness, statutory, "Decision about Zephyrine Marchbanks-Tovey, SCR-2026-0001.") == {}
    harness.press(BU_USER, views.APPROVE, statutory)  # straight from the channel: not without the preview
    [told] = harness.fake.wait_count("chat.postEphemeral", 1)
    assert "Not approved: the text holds the case's personal data (name (line 2))" in str(told.params["text"])
    assert harness.status(statutory) is OutboxStatus.DRAFT
    harness.press(BU_USER, views.PREVIEW, statutory)
    preview = harness.fake.wait_count("views.open", 2)[-1].params["view"]
    assert ":warning: *Check before approving:*" in json.dumps(preview["blocks"][0])
    assert harness.submit(BU_USER, views.PREVIEW_MODAL, {}, preview["private_metadata"]) == {}
    assert harness.status(statutory) is OutboxStatus.APPROVED
