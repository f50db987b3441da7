"""The messaging endpoint Teams posts to (`POST /api/messages`), on aiohttp, with the Agents SDK's adapter.

Each request: the bearer token is checked (bot/teams/auth.py: 401 if it fails), the tenant must belong to a
board (403 otherwise), and then

- a message or update is acknowledged at once (202) and its turn runs after, in delivery order per
  conversation and person (a turn waits for the one before it), its database work on a small pool: Teams
  wants an answer within seconds, and the answer carries nothing (replies go through the connector);
- an invoke (a dialog opening or submitting) is answered with its result, which the turn produces.

A retried delivery (the same activity id) does nothing twice (storage/deliveries.py). A turn that fails says
sorry to the person and logs the error's type only: no exception text (which may hold input) reaches a chat
or a log.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aiohttp import web
from microsoft_agents.activity import Activity, ActivityTypes
from microsoft_agents.hosting.core import Agent, ChannelServiceAdapter, TurnContext
from microsoft_agents.hosting.core.authorization import ClaimsIdentity
from pydantic import ValidationError

from bot.teams import cards as c
from bot.teams.auth import ChannelTokenValidator, TokenRefused
from bot.teams.tenants import TenantDirectory, tenant_of_activity
from errors import Unavailable

log = logging.getLogger("scrbot.teams")

MAX_BODY = 256 * 1024  # an activity is a few KiB; a card submission a little more
SORRY = "Sorry, something went wrong there. Please try again in a moment."


@dataclass(frozen=True)
class BoardTurns:
    """What runs one board's turns: its agent (with that board's services) and its delivery log."""

    agent: Agent
    first_time: Callable[[str, str, datetime], bool] | None = None


@dataclass
class TeamsEndpoint:
    adapter: ChannelServiceAdapter
    agent: Agent
    validator: ChannelTokenValidator
    tenants: TenantDirectory
    # (source, delivery id, now) -> True the first time: a retried activity does nothing twice.
    first_time: Callable[[str, str, datetime], bool] | None = None
    now: Callable[[], datetime] | None = None
    # One deployment serving many boards: each board's turns, by board id; the activity's tenant picks the
    # board (the directory), so a turn only ever reaches its own board's services. None: `agent` alone.
    boards: Mapping[str, BoardTurns] | None = None
    _tails: dict[str, asyncio.Task[None]] = field(default_factory=dict)
    _running: set[asyncio.Task[None]] = field(default_factory=set)

    def __post_init__(self) -> None:
        async def on_turn_error(context: TurnContext, error: Exception) -> None:
            log.error("Teams turn failed: %s", type(error).__name__)
            if context.activity.type == ActivityTypes.message:
                await context.send_activity(c.message(SORRY))

        self.adapter.on_turn_error = on_turn_error

    def app(self) -> web.Application:
        app = web.Application(client_max_size=MAX_BODY)
        app.router.add_post("/api/messages", self.messages)
        app.router.add_get("/healthz", self.health)
        return app

    async def health(self, request: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    async def messages(self, request: web.Request) -> web.Response:
        try:
            activity = Activity.model_validate_json(await request.read())
        except (ValidationError, ValueError):
            return web.json_response({"error": "not an activity"}, status=400)
        if not activity.type or activity.conversation is None or not activity.conversation.id:
            return web.json_response({"error": "not an activity"}, status=400)
        try:
            claims = self.validator.validate(
                request.headers.get("Authorization"),
                channel_id=str(activity.channel_id or ""),
                service_url=str(activity.service_url or ""),
            )
        except TokenRefused as exc:
            log.warning("refused a request to the messaging endpoint: %s", exc)
            return web.json_response({"error": "unauthorized"}, status=401)
        except Unavailable as exc:
            log.error("%s", exc)
            return web.json_response({"error": "unavailable"}, status=503)
        tenant = tenant_of_activity(activity.channel_data, activity.conversation.tenant_id)
        board = self.tenants.board_for(tenant)
        turns = self._turns_of(board)
        if turns is None:
            log.warning("refused an activity from a tenant no board is configured for")
            return web.json_response({"error": "unknown tenant"}, status=403)
        identity = ClaimsIdentity(claims, authentication_type="Bearer")
        if activity.type == ActivityTypes.invoke:
            response = await self._turn(identity, activity, turns)
            status = response.status if response is not None and response.status else 501
            return web.json_response(response.body if response is not None else None, status=status)
        self._queue(identity, activity, turns)
        return web.Response(status=202)

    def _turns_of(self, board: str | None) -> BoardTurns | None:
        if board is None:
            return None
        if self.boards is None:
            return BoardTurns(self.agent, self.first_time)
        return self.boards.get(board)

    async def _turn(self, identity: ClaimsIdentity, activity: Activity, turns: BoardTurns) -> Any:
        if not await self._first_time(activity, turns):
            return None
        return await self.adapter.process_activity(identity, activity, turns.agent.on_turn)

    async def _first_time(self, activity: Activity, turns: BoardTurns) -> bool:
        if turns.first_time is None or self.now is None or not activity.id:
            return True
        first_time, now = turns.first_time, self.now()
        return await asyncio.to_thread(first_time, "teams", str(activity.id), now)

    def _queue(self, identity: ClaimsIdentity, activity: Activity, turns: BoardTurns) -> None:
        """Run the turn after this request's answer, behind the same conversation's earlier turns."""
        sender = activity.from_property
        line = f"{activity.conversation.id if activity.conversation else ''}|{sender.id if sender else ''}"
        before = self._tails.get(line)

        async def after() -> None:
            if before is not None:
                await asyncio.gather(before, return_exceptions=True)
            try:
                await self._turn(identity, activity, turns)
            except Exception as exc:  # noqa: BLE001 - logged by type; the request was answered long ago
                log.error("Teams turn failed: %s", type(exc).__name__)

        task = asyncio.get_running_loop().create_task(after())
        self._tails[line] = task
        self._running.add(task)

        def done(finished: asyncio.Task[None]) -> None:
            self._running.discard(finished)
            if self._tails.get(line) is finished:
                del self._tails[line]

        task.add_done_callback(done)

    async def drain(self) -> None:
        """Wait for every queued turn (tests, benchmarks, shutdown)."""
        while self._running:
            await asyncio.gather(*list(self._running), return_exceptions=True)


class ServerThread:
    """The endpoint served on its own event loop in a thread (`scrbot run`, tests, the benchmark)."""

    def __init__(self, endpoint: TeamsEndpoint, host: str = "127.0.0.1", port: int = 0) -> None:
        self.endpoint = endpoint
        self.host = host
        self.port = port
        self.loop = asyncio.new_event_loop()
        self._runner: web.AppRunner | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="scrbot-teams-http", daemon=True)
        self._error: BaseException | None = None

    def _serve(self) -> None:
        asyncio.set_event_loop(self.loop)
        try:
            self.loop.run_until_complete(self._start())
        except BaseException as exc:  # noqa: BLE001 - handed to start(), which raises it in the caller
            self._error = exc
            self._ready.set()
            return
        self._ready.set()
        self.loop.run_forever()

    async def _start(self) -> None:
        self._runner = web.AppRunner(self.endpoint.app(), access_log=None)
        await self._runner.setup()
        # A listen backlog of 1024: Python's default of 5 puts p99 over a second under bursts (DESIGN.md §7).
        site = web.TCPSite(self._runner, self.host, self.port, backlog=1024)
        await site.start()
        addresses = self._runner.addresses
        if addresses:
            self.port = int(addresses[0][1])

    def start(self) -> ServerThread:
        self._thread.start()
        self._ready.wait(timeout=30)
        if self._error is not None:
            raise self._error
        return self

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/api/messages"

    def call(self, work: Coroutine[Any, Any, Any], timeout: float = 60.0) -> Any:
        return asyncio.run_coroutine_threadsafe(work, self.loop).result(timeout=timeout)

    def drain(self, timeout: float = 60.0) -> None:
        self.call(self.endpoint.drain(), timeout=timeout)

    def stop(self) -> None:
        if not self._thread.is_alive():
            return
        try:
            self.call(self.endpoint.drain(), timeout=30)
            if self._runner is not None:
                self.call(self._runner.cleanup(), timeout=30)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(timeout=30)
