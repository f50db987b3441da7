"""What the Slack feature modules share: the store, the referral conversation, access checks, the sender
for notifications, the clock. Built once per app by `bot.slack.app`."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from slack_sdk import WebClient

from bot.clock import Clock
from bot.slack.access import SlackAccess
from intake.referrals import ReferralConversations
from notify.outbox import Outbox
from storage.deliveries import DeliveryLog
from storage.drafts import DraftStore
from storage.store import Store


@dataclass
class SlackServices:
    store: Store
    referrals: ReferralConversations
    drafts: DraftStore
    deliveries: DeliveryLog
    access: SlackAccess
    clock: Clock
    # The outbox, for features that queue or approve messages from Slack (e.g. statutory notifications).
    outbox: Outbox | None = None
    # Sends what is due in the outbox now (the channel notices a change just queued), rather than waiting for
    # the next sweep; None when nothing dispatches from this process.
    dispatch: Callable[[datetime], Any] | None = None

    def __post_init__(self) -> None:
        self._locks: dict[str, threading.Lock] = {}
        self._locks_guard = threading.Lock()

    def turn_lock(self, user: str) -> threading.Lock:
        """One conversation step at a time per person in this process, in the order Slack delivered them
        (the draft's row lock already keeps them apart between processes)."""
        with self._locks_guard:
            return self._locks.setdefault(user, threading.Lock())

    def send_queued(self) -> None:
        if self.dispatch is not None:
            self.dispatch(self.clock.now())

    @classmethod
    def build(
        cls,
        *,
        store: Store,
        drafts: DraftStore,
        deliveries: DeliveryLog,
        client: WebClient,
        clock: Clock,
        dispatch: Callable[[datetime], Any] | None = None,
        outbox: Outbox | None = None,
    ) -> SlackServices:
        return cls(
            store=store,
            referrals=ReferralConversations(store, drafts, channel="slack"),
            drafts=drafts,
            deliveries=deliveries,
            access=SlackAccess(store, client, clock),
            clock=clock,
            outbox=outbox,
            dispatch=dispatch,
        )
