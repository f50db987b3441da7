"""The real bot, served over HTTP on 127.0.0.1 against a `FakeSlack`, for tests (and benchmarks):

    with FakeSlack() as fake, SlackBot(store, clock, fake) as bot:
        bot.requests.post(bot.requests.command("/scr-refer", "U1"))   # signed, over HTTP
        fake.wait_count("chat.postMessage", 2)

`SlackBot(..., features=[my_feature_module])` builds the app with other feature modules (each has
`register(app, services)`), e.g. to test one feature alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from types import ModuleType
from typing import Any

from slack_bolt.oauth import OAuthFlow
from slack_sdk import WebClient

from bot import wiring
from bot.clock import Clock
from bot.settings import Settings
from bot.slack.app import build_slack_app
from bot.slack.chat import SlackChat
from bot.slack.installs import installed_client
from bot.slack.server import SlackHTTPServer, serve_http
from bot.slack.services import SlackServices
from storage.deliveries import DeliveryLog
from storage.drafts import DraftPolicy, DraftStore
from storage.slack_installs import SlackInstallations
from storage.store import Store
from tests.support.fake_slack import TEAM, FakeSlack
from tests.support.slack_requests import SlackRequests

SIGNING_SECRET = "test-signing-secret"


def slack_settings(fake: FakeSlack, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "slack_bot_token": "xoxb-test",
        "slack_signing_secret": SIGNING_SECRET,
        "slack_api_url": fake.base_url,
        **overrides,
    }
    return Settings(**values)


def drafts_for(store: Store, policy: DraftPolicy | None = None) -> DraftStore:
    return DraftStore(store.sessions, store.cipher, store.board.id, store.audit, policy or DraftPolicy())


class SlackBot:
    def __init__(
        self,
        store: Store,
        clock: Clock,
        fake: FakeSlack,
        *,
        features: Sequence[ModuleType] | None = None,
        policy: DraftPolicy | None = None,
        settings: Settings | None = None,
        installations: SlackInstallations | None = None,
        oauth_flow: OAuthFlow | None = None,
        team: str = TEAM,
    ) -> None:
        self.settings = settings or slack_settings(fake)
        # Install mode (settings with a client id): the board's token comes from its installation.
        self.client: WebClient = (
            installed_client(self.settings, store, clock)
            if self.settings.slack_install_mode
            else WebClient(token="xoxb-test", base_url=fake.base_url, timeout=10)
        )
        # As AppContext wires it: changes queue channel notices in the outbox; the dispatcher sends them to
        # Slack through SlackChat.
        self.outbox = wiring.outbox_for(store)
        wiring.case_notices(store, self.outbox)
        self.dispatcher = wiring.dispatcher(store, self.outbox, chat=SlackChat(self.client, store.board))
        self.services = SlackServices.build(
            store=store,
            drafts=drafts_for(store, policy or DraftPolicy(keep_for=timedelta(days=30))),
            deliveries=DeliveryLog(store.sessions, store.board.id),
            client=self.client,
            clock=clock,
            outbox=self.outbox,
            dispatch=self.dispatcher.dispatch_due,
        )
        self.app = build_slack_app(
            self.services, self.settings, self.client, features=features, installations=installations
        )
        self.server: SlackHTTPServer = serve_http(self.app, "127.0.0.1", 0, oauth_flow=oauth_flow)
        self.requests = SlackRequests(SIGNING_SECRET, self.server.url, team=team)

    def __enter__(self) -> SlackBot:
        self.server.start_in_thread()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *exc: object) -> None:
        self.requests.close()
        self.server.stop()
        self.services.close()
        # A step that timed out waiting for the person's earlier step is logged and goes ahead in production;
        # in a test it means the per-person line is broken, which would otherwise pass, only slower.
        if exc_type is None:
            assert self.services.late_turns == 0, f"{self.services.late_turns} conversation step(s) timed out"
