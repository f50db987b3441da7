"""Slack retries an event it thinks was not received (same event id, `x-slack-retry-num` header). The first
delivery of each event id is recorded in the store (shared by every bot process, survives restarts); repeats
are acknowledged and dropped before any listener runs. Direct messages to the bot are conversation steps:
they are kept before the acknowledgement and de-duplicated behind it, by the step worker (bot/slack/steps.py)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_bolt.middleware import Middleware
from slack_bolt.request import BoltRequest
from slack_bolt.response import BoltResponse

from bot.clock import Clock
from storage.deliveries import DeliveryLog

log = logging.getLogger("scrbot.slack")


class _DropRepeatedEvents(Middleware):
    """A middleware object, not a function: bolt calls it directly, without building the arguments a
    function middleware asks for, on every request (bench/slack_ack.py)."""

    def __init__(self, deliveries: DeliveryLog, clock: Clock) -> None:
        self.deliveries = deliveries
        self.clock = clock

    def process(self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]) -> BoltResponse | None:
        body = req.body
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if (body.get("event") or {}).get("channel_type") == "im":
            event_id = None  # a conversation step: the step worker drops the repeat
        if event_id and not self.deliveries.first_time("slack", str(event_id), self.clock.now()):
            log.info("repeated Slack event %s ignored", event_id)
            return BoltResponse(status=200, body="")
        return next()


def drop_repeated_events(deliveries: DeliveryLog, clock: Clock) -> Middleware:
    return _DropRepeatedEvents(deliveries, clock)
