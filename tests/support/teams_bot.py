"""The real Teams bot (Agents SDK adapter, our agent and endpoint) served over HTTP on 127.0.0.1, against
`fake_teams` (signing keys, connector, Entra); and a client that posts activities as Teams would, each with a
bearer token signed by the fake's throwaway key:

    with fake_teams(tmp_path) as fake, TeamsHarness(store, clock, fake) as bot:
        bot.post(bot.personal("refer", user=REFERRER))       # 202, the turn runs after
        bot.drain(); fake.state.posted()                     # what the bot sent, as the connector saw it
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import httpx
from microsoft_agents.hosting.core import Agent

from bot.chat_router import ChatFrontEnds
from bot.clock import Clock
from bot.console_chat import ConsoleChat
from bot.settings import Settings
from bot.teams.wiring import TeamsRuntime, build_teams
from cases.actor import Role
from cases.board import BoardConfig, Member, TeamsSettings
from notify.case_notices import business_unit_notices
from notify.dispatch import Dispatcher
from notify.outbox import Outbox
from notify.senders import ChatMessageSender
from storage.deliveries import DeliveryLog
from storage.drafts import DraftPolicy, DraftStore
from storage.store import Store
from tests.factories import make_board
from tests.support.fake_teams import CHANNEL_ID, TEAM_ID, TENANT, FakeTeams

REFERRER = "0a1b2c3d-0000-4000-8000-00000000a001"  # Entra object ids (synthetic)
STRANGER = "0a1b2c3d-0000-4000-8000-00000000a002"
BU_MEMBER = "0a1b2c3d-0000-4000-8000-00000000b001"
CHAIR = "0a1b2c3d-0000-4000-8000-00000000b002"


def teams_board(**overrides: Any) -> BoardConfig:
    base = make_board()
    members = (
        Member(name="Business Unit Tester", teams_user_id=BU_MEMBER, roles=(Role.BUSINESS_UNIT,)),
        Member(name="Chair Tester", teams_user_id=CHAIR, roles=(Role.CHAIR, Role.BUSINESS_UNIT), board_manager=True),
    )
    values: dict[str, Any] = {
        "front_ends": ("teams",),
        "teams": TeamsSettings(tenant_id=TENANT, team_id=TEAM_ID, business_unit_channel=CHANNEL_ID),
        "members": members,
        **overrides,
    }
    return base.model_copy(update=values)


def teams_settings(fake: FakeTeams, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "teams_app_id": fake.state.app_id,
        "teams_app_password": fake.state.secret,
        "teams_tenant_id": TENANT,
        "teams_openid_metadata_url": fake.openid_metadata_url,
        "teams_authority": fake.authority,
        "teams_ca_bundle": str(fake.ca_file),
        **overrides,
    }
    return Settings(**values)


class TeamsHarness:
    def __init__(
        self, store: Store, clock: Clock, fake: FakeTeams, *, agent: Agent | None = None, **settings: Any
    ) -> None:
        self.fake = fake
        self.store = store
        self.settings = teams_settings(fake, **settings)
        # As AppContext wires it: changes queue channel notices in the outbox; the dispatcher sends them
        # through the chat router to Teams.
        self.outbox = Outbox(store.sessions, board=store.board, codec=store.codec, audit=store.audit)
        store.cases.subscribe(business_unit_notices(self.outbox, rules_pack=store.pack.id))
        self.console = ConsoleChat()
        self.runtime: TeamsRuntime = build_teams(
            settings=self.settings,
            store=store,
            drafts=DraftStore(store.sessions, store.cipher, store.board.id, store.audit, DraftPolicy()),
            deliveries=DeliveryLog(store.sessions, store.board.id),
            outbox=self.outbox,
            clock=clock,
            dispatch=lambda now: self.dispatcher.dispatch_due(now),
        )
        chat = ChatMessageSender(ChatFrontEnds(self.console, self.runtime.chat))
        self.dispatcher = Dispatcher(store.sessions, self.outbox, {"slack": chat}, cases=store.cases)
        self.server = self.runtime.serve(agent=agent, host="127.0.0.1", port=0)
        self.http = httpx.Client(timeout=30.0)
        self._ids: Iterator[int] = itertools.count(1)

    def __enter__(self) -> TeamsHarness:
        return self

    def __exit__(self, *exc: object) -> None:
        self.http.close()
        self.runtime.close()

    # --- posting activities, as the channel service does ---------------------------------------------

    def post(self, activity: dict[str, Any], *, token: str | None = None, authorization: str | None = None) -> int:
        headers = {"Content-Type": "application/json"}
        if authorization is not None:
            headers["Authorization"] = authorization
        else:
            headers["Authorization"] = f"Bearer {token or self.fake.token()}"
        return self.http.post(self.server.url, json=activity, headers=headers).status_code

    def post_json(self, activity: dict[str, Any]) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.fake.token()}"}
        return self.http.post(self.server.url, json=activity, headers=headers)

    def drain(self) -> None:
        self.server.drain()

    def _base(self, user: str, conversation: dict[str, Any], tenant: str) -> dict[str, Any]:
        number = next(self._ids)
        return {
            "type": "message",
            "id": f"activity-{number}",
            "channelId": "msteams",
            "serviceUrl": self.fake.service_url,
            "from": {"id": f"29:{user}", "aadObjectId": user, "name": "Dr Ottoline Testwhistle"},
            "recipient": {"id": f"28:{self.fake.state.app_id}", "name": "SCR Bot"},
            "conversation": {**conversation, "tenantId": tenant},
            "channelData": {"tenant": {"id": tenant}},
            "locale": "en-GB",
        }

    def personal(
        self,
        text: str | None = None,
        *,
        user: str = REFERRER,
        value: dict[str, Any] | None = None,
        tenant: str = TENANT,
    ) -> dict[str, Any]:
        activity = self._base(user, {"id": f"a:personal-{user}", "conversationType": "personal"}, tenant)
        if text is not None:
            activity["text"] = text
        if value is not None:
            activity["value"] = value
        return activity

    def channel(
        self, *, user: str, value: dict[str, Any] | None = None, text: str | None = None, reply_to: str = ""
    ) -> dict[str, Any]:
        conversation = {"id": f"{CHANNEL_ID};messageid=1", "conversationType": "channel", "isGroup": True}
        activity = self._base(user, conversation, TENANT)
        activity["channelData"] = {"tenant": {"id": TENANT}, "team": {"id": TEAM_ID}, "channel": {"id": CHANNEL_ID}}
        if value is not None:
            activity["value"] = value
        if text is not None:
            activity["text"] = text
        if reply_to:
            activity["replyToId"] = reply_to
        return activity

    def installed(self) -> dict[str, Any]:
        """The conversationUpdate Teams sends when the app is added to the business unit's team."""
        activity = self.channel(user=BU_MEMBER)
        activity["type"] = "conversationUpdate"
        activity["membersAdded"] = [{"id": f"28:{self.fake.state.app_id}"}]
        return activity

    def dialog(self, name: str, *, user: str, data: dict[str, Any]) -> dict[str, Any]:
        activity = self.channel(user=user)
        activity["type"] = "invoke"
        activity["name"] = name
        activity["value"] = {"data": data}
        return activity
