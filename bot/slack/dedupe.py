"""Slack retries an event it thinks was not received (same event id, `x-slack-retry-num` header). The first
delivery of each event id is recorded in the store (shared by every bot process, survives restarts); repeats
are acknowledged and dropped before any listener runs. Direct messages to the bot are conversation steps:
they are kept before the acknowledgement and de-duplicated behind it, by the step worker (bot/slack/steps.py)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt.response import BoltResponse

from bot.clock import Clock
from storage.deliveries import DeliveryLog

log = logging.getLogger("scrbot.slack")


def drop_repeated_events(deliveries: DeliveryLog, clock: Clock) -> Callable[..., BoltResponse | None]:
    def middleware(body: dict[str, Any], next: Callable[[], None]) -> BoltResponse | None:
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if (body.get("event") or {}).get("channel_type") == "im":
            event_id = None  # a conversation step: the step worker drops the repeat
        if event_id and not deliveries.first_time("slack", str(event_id), clock.now()):
            log.info("repeated Slack event %s ignored", event_id)
            return BoltResponse(status=200, body="")
        next()
        return None

    return middleware
