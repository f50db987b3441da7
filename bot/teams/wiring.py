"""Teams built in one place: the bot's sign-in, the SDK adapter, the agent, the endpoint and the chat sender.
`scrbot run`, the tests and the benchmark all call `build_teams`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx
from microsoft_agents.hosting.aiohttp import CloudAdapter
from microsoft_agents.hosting.core import Agent

from bot.clock import Clock
from bot.settings import Settings
from bot.teams.agent import TeamsBot
from bot.teams.auth import ChannelTokenValidator, KeySet
from bot.teams.chat import TeamsChat
from bot.teams.server import BoardTurns, ServerThread, TeamsEndpoint
from bot.teams.services import TeamsServices
from bot.teams.tenants import TenantDirectory
from bot.teams.tokens import BotConnections, EntraTokenProvider, verify_for
from cases.board import BoardConfig
from intake.referrals import ReferralConversations
from notify.outbox import Outbox
from storage.chat_addresses import ChatAddresses
from storage.deliveries import DeliveryLog
from storage.drafts import DraftStore
from storage.store import Store


@dataclass
class TeamsRuntime:
    settings: Settings
    tenants: TenantDirectory
    provider: EntraTokenProvider
    adapter: CloudAdapter
    validator: ChannelTokenValidator
    services: TeamsServices
    chat: TeamsChat
    server: ServerThread | None = None
    _keys_http: httpx.Client | None = field(default=None, repr=False)
    # One deployment, many boards: the runtime whose sign-in and endpoint this board shares (None: its own),
    # and, on that host, the other boards its endpoint serves, by board id.
    host: TeamsRuntime | None = None
    siblings: dict[str, TeamsRuntime] = field(default_factory=dict)

    def endpoint(self, agent: Agent | None = None) -> TeamsEndpoint:
        deliveries = self.services.deliveries
        own = BoardTurns(agent or TeamsBot(self.services), deliveries.first_time)
        boards = {self.services.board_id: own}
        for board_id, sibling in self.siblings.items():
            boards[board_id] = BoardTurns(TeamsBot(sibling.services), sibling.services.deliveries.first_time)
        return TeamsEndpoint(
            self.adapter,
            own.agent,
            self.validator,
            self.tenants,
            first_time=deliveries.first_time,
            now=self.services.clock.now,
            boards=boards,  # only these boards' activities: another tenant in the directory gets a 403
        )

    def serve(self, *, agent: Agent | None = None, host: str | None = None, port: int | None = None) -> ServerThread:
        """Start the messaging endpoint in its own thread; the chat sender then sends on its loop."""
        self.server = ServerThread(
            self.endpoint(agent),
            host if host is not None else self.settings.teams_host,
            port if port is not None else self.settings.teams_port,
        ).start()
        return self.server

    def close(self) -> None:
        if self.server is not None:
            self.server.stop()
        self.services.close()
        if self.host is not None:
            return  # the sign-in and key fetching are the host's
        self.provider.close()
        if self._keys_http is not None:
            self._keys_http.close()


def build_teams(
    *,
    settings: Settings,
    store: Store,
    drafts: DraftStore,
    deliveries: DeliveryLog,
    outbox: Outbox,
    clock: Clock,
    dispatch: Callable[[datetime], Any] | None = None,
    boards: Sequence[BoardConfig] | None = None,
    host: TeamsRuntime | None = None,
) -> TeamsRuntime:
    """One board's Teams. `boards`: every board the endpoint serves (the tenant directory), when this runtime
    hosts others; `host`: the runtime whose sign-in and endpoint this board shares (it then serves this board's
    activities too)."""
    keys_http: httpx.Client | None = None
    if host is not None:
        tenants, provider, adapter, validator = host.tenants, host.provider, host.adapter, host.validator
    else:
        tenants = TenantDirectory.build(settings, boards or [store.board])
        provider = EntraTokenProvider(
            app_id=settings.teams_app_id,
            secret=settings.teams_app_password.get_secret_value(),
            tenant=tenants.sign_in_tenant,
            authority=settings.teams_authority,
            ca_bundle=str(settings.teams_ca_bundle or ""),
        )
        adapter = CloudAdapter(connection_manager=BotConnections(provider))
        keys_http = httpx.Client(timeout=15.0, verify=verify_for(str(settings.teams_ca_bundle or "")))
        validator = ChannelTokenValidator(
            app_ids=frozenset({settings.teams_app_id}),
            issuer=settings.teams_token_issuer,
            keys=KeySet(settings.teams_openid_metadata_url, keys_http),
        )
    addresses = ChatAddresses(store.sessions, store.board.id)
    services = TeamsServices(
        store=store,
        referrals=ReferralConversations(store, drafts, channel="teams"),
        drafts=drafts,
        deliveries=deliveries,
        addresses=addresses,
        outbox=outbox,
        tenants=tenants,
        clock=clock,
        app_id=settings.teams_app_id,
        dispatch=dispatch,
        workers=settings.teams_workers,
    )
    runtime: TeamsRuntime

    def loop() -> Any:
        served = runtime.host or runtime  # a hosted board sends on its host's endpoint loop
        return served.server.loop if served.server is not None else None

    chat = TeamsChat(adapter, addresses, store.board, app_id=settings.teams_app_id, now=clock.now, loop=loop)
    runtime = TeamsRuntime(
        settings, tenants, provider, adapter, validator, services, chat, _keys_http=keys_http, host=host
    )
    if host is not None:
        host.siblings[store.board.id] = runtime
    return runtime
