"""Socket Mode (boards without a public URL): the same app over slack_sdk's real Socket Mode client, against
a local fake WebSocket endpoint."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_sdk import WebClient

from bot.clock import FixedClock
from bot.slack.app import build_slack_app
from bot.slack.server import socket_mode
from bot.slack.services import SlackServices
from storage.deliveries import DeliveryLog
from storage.store import Store
from tests.bot.slack.conftest import REFERRER_USER
from tests.bot.slack.driver import prompt_key
from tests.support.fake_slack import FakeSlack
from tests.support.fake_socket_mode import FakeSocketMode
from tests.support.slack_bot import drafts_for, slack_settings


@pytest.fixture
def socket() -> Iterator[FakeSocketMode]:
    with FakeSocketMode() as server:
        yield server


def test_referral_starts_over_socket_mode_and_retries_are_dropped(
    store: Store, clock: FixedClock, socket: FakeSocketMode
) -> None:
    with FakeSlack(socket_url=socket.url) as fake:
        settings = slack_settings(fake, slack_signing_secret="", slack_app_token="xapp-test")
        client = WebClient(token="xoxb-test", base_url=fake.base_url)
        services = SlackServices.build(
            store=store,
            drafts=drafts_for(store),
            deliveries=DeliveryLog(store.sessions, store.board.id),
            client=client,
            clock=clock,
        )
        handler = socket_mode(build_slack_app(services, settings, client), "xapp-test")
        handler.connect()  # type: ignore[no-untyped-call]
        try:
            socket.wait_connected()
            command = {
                "command": "/scr-refer",
                "user_id": REFERRER_USER,
                "channel_id": "C0GENERAL1",
                "text": "",
                "team_id": "T0TEST0001",
                "trigger_id": "trig.1",
            }
            ack = socket.wait_ack(socket.send("slash_commands", command))
            assert "direct message" in ack["payload"]["text"]
            fake.wait_for(lambda calls: any(prompt_key(c) == "referrer.name" for c in calls))
            event = {
                "type": "event_callback",
                "event_id": "Ev0SOCKET01",
                "team_id": "T0TEST0001",
                "event": {
                    "type": "message",
                    "channel_type": "im",
                    "channel": "DREF000001",
                    "user": REFERRER_USER,
                    "text": "Dr Socket Mode",
                    "ts": "1700000300.000001",
                },
            }
            socket.wait_ack(socket.send("events_api", event))
            socket.wait_ack(socket.send("events_api", event, retry_attempt=1))
            socket.wait_ack(
                socket.send(
                    "events_api", {**event, "event_id": "Ev0SOCKET02", "event": {**event["event"], "text": "help"}}
                )
            )
            fake.wait_for(lambda calls: any("Reply to each question" in c.text for c in calls))
        finally:
            handler.close()  # type: ignore[no-untyped-call]
    assert fake.calls("apps.connections.open")[0].token == "xapp-test"
    questions = [prompt_key(c) for c in fake.calls("chat.postMessage")]
    # intro, name; the answer taken once (a second take would have answered the role and asked the agency);
    # then "help" shows the help and the role question again.
    assert questions == [None, "referrer.name", "referrer.role", None, "referrer.role"]
    assert services.late_turns == 0  # every step had its turn in order
