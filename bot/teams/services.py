"""What the Teams handlers share: the store, the referral conversation, the outbox, the addresses kept for
proactive messages, who a Teams user is, the clock, and the pool the database work runs on (the endpoint's
event loop only answers requests and talks to the connector)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from bot.clock import Clock
from bot.teams.tenants import TenantDirectory
from cases.actor import Actor
from intake.referrals import ReferralConversations
from notify.outbox import Outbox
from storage.chat_addresses import ChatAddresses
from storage.deliveries import DeliveryLog
from storage.drafts import DraftStore
from storage.store import Store

log = logging.getLogger("scrbot.teams")

T = TypeVar("T")

REFUSAL = (
    "Sorry, only members of the board's business unit can do that. If you think you should have access, please "
    "ask the board manager."
)


@dataclass
class TeamsServices:
    store: Store
    referrals: ReferralConversations
    drafts: DraftStore
    deliveries: DeliveryLog
    addresses: ChatAddresses
    outbox: Outbox
    tenants: TenantDirectory
    clock: Clock
    app_id: str
    # Sends what is due in the outbox now (the notices a change just queued); None: the next sweep does.
    dispatch: Callable[[datetime], Any] | None = None
    workers: int = 2
    _pool: ThreadPoolExecutor | None = field(default=None, repr=False)

    @property
    def board_id(self) -> str:
        return self.store.board.id

    def actor(self, teams_user_id: str) -> Actor:
        """A configured member's roles (by Entra object id), else a referrer."""
        return self.store.board.teams_actor(teams_user_id)

    def record_refusal(self, actor: Actor, attempted: str, reference: str = "") -> None:
        """Audit an unauthorised press: what was tried and by whom, never personal data."""
        self.store.cases.record_refusal(reference, actor=actor, now=self.clock.now(), attempted=attempted)
        log.info("refused %s to %s on %s", attempted, actor.id, reference or "-")

    def send_queued(self) -> None:
        if self.dispatch is None:
            return
        try:
            self.dispatch(self.clock.now())
        except Exception as exc:  # noqa: BLE001 - the change is committed; the outbox keeps the notice
            log.error("could not send queued notices: %s", type(exc).__name__)

    async def run(self, work: Callable[[], T]) -> T:
        """Database work off the event loop, on the bounded pool."""
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="scrbot-teams")
        return await asyncio.get_running_loop().run_in_executor(self._pool, work)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
