"""What the Slack feature modules share: the store, the referral conversation, access checks, the sender
for notifications, the clock. Built once per app by `bot.slack.app`."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from slack_sdk import WebClient

from bot.clock import Clock
from bot.slack.access import SlackAccess
from bot.slack.steps import StepWorker
from intake.referrals import ReferralConversations
from notify.outbox import Outbox
from storage.deliveries import DeliveryLog
from storage.drafts import DraftStore
from storage.received_steps import open_received_steps
from storage.store import Store

log = logging.getLogger("scrbot.slack")

# How long a conversation step waits for an earlier step of the same person that may never run.
TURN_WAIT_SECONDS = 30.0


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
    # Conversation steps kept at acknowledgement and worked on behind it (bot/slack/steps.py).
    worker: StepWorker | None = None

    def __post_init__(self) -> None:
        self._turns = threading.Condition()
        self._next_ticket: dict[str, int] = {}
        self._serving: dict[str, int] = {}
        # Steps that went ahead because an earlier one of the same person never finished in time (each is also
        # logged): zero in a healthy process; tests assert it so a stuck line cannot pass unseen, only slower.
        self.late_turns = 0

    def take_ticket(self, user: str) -> int:
        """Called when a message is acknowledged, in the order Slack delivered them: the person's place in
        line. (Deferred work starts in any order, and a plain lock does not queue fairly.)"""
        with self._turns:
            ticket = self._next_ticket.get(user, 0)
            self._next_ticket[user] = ticket + 1
            return ticket

    @contextmanager
    def turn(self, user: str, ticket: int | None, *, wait: float = TURN_WAIT_SECONDS) -> Iterator[bool]:
        """One conversation step at a time per person in this process, in ticket order (the draft's row lock
        keeps processes apart). A step whose work never ran (its thread died) holds up the line for at most
        `wait` seconds. Yields whether this step had its turn in order (False: it went ahead after waiting)."""
        with self._turns:
            if ticket is None:  # no place in line (not from an acknowledged request): join at the back
                ticket = self.take_ticket(user)  # the Condition's lock is re-entrant
            in_order = self._turns.wait_for(lambda: self._serving.get(user, 0) >= ticket, timeout=wait)
            if not in_order:
                self.late_turns += 1
                log.warning("a conversation step waited %ss for an earlier one; going ahead", wait)
            self._serving[user] = max(self._serving.get(user, 0), ticket)
        try:
            yield in_order
        finally:
            with self._turns:
                self._serving[user] = max(self._serving.get(user, 0), ticket + 1)
                self._turns.notify_all()

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
        steps_owner: str | None = None,
        steps_elsewhere: Callable[[], None] | None = None,
    ) -> SlackServices:
        """`steps_owner`: the id the step worker's process shares with the acknowledging one;
        `steps_elsewhere`: set in the acknowledging process when the worker runs in another (how to wake it)."""
        worker = StepWorker(
            open_received_steps(store.engine, store.sessions, store.cipher, store.board.id, owner=steps_owner),
            deliveries,
            clock,
        )
        worker.elsewhere = steps_elsewhere
        return cls(
            store=store,
            referrals=ReferralConversations(store, drafts, channel="slack"),
            drafts=drafts,
            deliveries=deliveries,
            access=SlackAccess(store, client, clock),
            clock=clock,
            outbox=outbox,
            dispatch=dispatch,
            worker=worker,
        )

    def steps(self) -> StepWorker:
        if self.worker is None:
            raise RuntimeError("these Slack services were built without a step worker")
        return self.worker

    def close(self) -> None:
        """Stop the step worker (steps not worked on yet stay kept for the next start)."""
        if self.worker is not None:
            self.worker.stop()
