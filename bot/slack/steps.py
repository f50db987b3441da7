"""The worker behind the acknowledgement: conversation steps kept by `storage.received_steps` are worked on
here, one at a time, in the order they were received (so each person's steps in Slack's delivery order), a
retried Slack event dropped by its event id, then the step deleted (issue 15 §3).

Acknowledging is all a request thread does. Under `scrbot run` the worker runs in a process of its own
(bot/slack/step_process.py), so the work does not share the interpreter with the acknowledgements: the
acknowledging process only keeps the step and wakes it (`elsewhere`). Where the worker runs in the same
process (tests, `run --once`), it gives way to requests being answered (`deferral.requests_in_flight`) for a
short while before each step.

Each step's changes are committed together with a record that it was applied (storage/applied_steps.py), so
a worker killed between the commit and the delete does not apply it twice when the step is taken over; that
is also what lets the worker delete the steps it has done a few at a time.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from bot.clock import Clock
from bot.slack.deferral import once_answered, requests_in_flight
from storage.applied_steps import AppliedSteps, StepAlreadyApplied
from storage.deliveries import DeliveryLog
from storage.received_steps import ReceivedStep, ReceivedSteps

log = logging.getLogger("scrbot.slack")

Handler = Callable[[dict[str, Any]], None]

# How often the worker looks for steps a stopped process left behind (and works on them).
LOOK_FOR_LEFT_BEHIND_SECONDS = 30.0
# Steps worked on are let go of (deleted) this many at a time; a worker killed before that leaves them to the
# next one, which finds each already applied (storage/applied_steps.py) and lets it go.
LET_GO_EVERY = 20
# At most this long a step waits for the acknowledgements in flight before it goes ahead anyway.
GIVE_WAY_SECONDS = 0.05


class StepWorker:
    def __init__(self, steps: ReceivedSteps, deliveries: DeliveryLog, clock: Clock) -> None:
        self.steps = steps
        self.deliveries = deliveries
        self.clock = clock
        self.handlers: dict[str, Handler] = {}
        self.applied = AppliedSteps(deliveries.sessions, deliveries.board_id)
        # Set when the worker runs in another process: how to wake it (this process then starts no thread).
        self.elsewhere: Callable[[], None] | None = None
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._busy = threading.Lock()

    def handle(self, kind: str, handler: Handler) -> None:
        self.handlers[kind] = handler

    def receive(self, kind: str, person: str, body: dict[str, Any]) -> None:
        """In the request thread, before the acknowledgement: keep the step, wake the worker."""
        self.steps.append(kind, person, body, self.clock.now())
        if self.elsewhere is not None:
            once_answered(self.elsewhere)  # a write to a pipe: after the acknowledgement, not before
        else:
            self._wake.set()

    def wake(self) -> None:
        """Look for steps now (the acknowledging process kept one)."""
        self._wake.set()

    def start(self) -> None:
        if self._thread is None and self.elsewhere is None:
            self._thread = threading.Thread(target=self._run, name="scrbot-slack-steps", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        self.steps.close()

    def _run(self) -> None:
        woken = False
        while not self._stop.is_set():
            try:
                self.work(adopt=not woken)
            except Exception as exc:  # noqa: BLE001 - the worker must outlive a failing database; steps stay kept
                log.error("conversation steps could not be worked on: %s", type(exc).__name__)
            woken = self._wake.wait(LOOK_FOR_LEFT_BEHIND_SECONDS)
            self._wake.clear()

    def work(self, *, adopt: bool = False) -> int:
        """Work on every step kept so far (after taking over those a stopped process left, if `adopt`); how
        many. Also callable directly (Socket Mode shutdown, tests)."""
        done = 0
        with self._busy:
            if adopt and (taken := self.steps.adopt_stale(self.clock.now())):
                log.info("took over %d conversation step(s) left by a stopped process", taken)
            while not self._stop.is_set() and (batch := self.steps.pending(limit=LET_GO_EVERY)):
                for step in batch:
                    self._give_way()
                    self._one(step)
                    done += 1
                self.steps.done(*(step.id for step in batch))
            if done:
                self.steps.fold()
        return done

    def _give_way(self) -> None:
        deadline = time.monotonic() + GIVE_WAY_SECONDS
        while requests_in_flight() and time.monotonic() < deadline:
            time.sleep(0.001)

    def _one(self, step: ReceivedStep) -> None:
        handler = self.handlers.get(step.kind)
        event_id = step.body.get("event_id") if step.body.get("type") == "event_callback" else None
        if handler is None:
            log.warning("a conversation step of unknown kind %s dropped", step.kind)
        elif self.applied.already(step.id):
            log.info("a conversation step already applied before a stop was let go")
        elif event_id and self.applied.seen("slack", str(event_id)):
            log.info("repeated Slack event %s ignored", event_id)
        else:
            # The event id is taken with the step's change (storage/applied_steps.py): a worker killed between
            # taking it and applying the step would otherwise drop the step as a repeat when it is taken over.
            also = (("slack", str(event_id)),) if event_id else ()
            try:
                with self.applied.fencing(step.id, self.clock.now(), also=also) as fence:
                    handler(step.body)
            except StepAlreadyApplied:
                log.info("repeated Slack event %s ignored", event_id)
                return
            except Exception as exc:  # noqa: BLE001 - one failing step must not stop the others
                log.error("a conversation step failed: %s", type(exc).__name__)
                return
            if event_id and not fence.recorded:  # nothing written: taken now, so a retry is still dropped
                self.deliveries.first_time("slack", str(event_id), self.clock.now())
