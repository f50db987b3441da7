"""Posting to Slack channels and DMs behind a small protocol, so that notifications can go through the
outbox (DESIGN.md §4: a row first, then sent) without the callers knowing.

Until the shared outbox (notify/outbox.py) lands, `WebClientSender` posts straight through the WebClient; the
lead switches notifications over to the outbox's `ChatSender` when merging.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

from slack_sdk import WebClient

log = logging.getLogger("scrbot.slack")


class ChatSender(Protocol):
    def post(self, channel: str, text: str, *, blocks: list[dict[str, Any]] | None = None) -> str:
        """Post to a channel or DM channel id; returns the message id (Slack ts)."""
        ...

    def dm(self, user_id: str, text: str, *, blocks: list[dict[str, Any]] | None = None) -> str:
        """Post to a person's direct messages with the bot."""
        ...


class WebClientSender:
    def __init__(self, client: WebClient) -> None:
        self.client = client

    def post(self, channel: str, text: str, *, blocks: list[dict[str, Any]] | None = None) -> str:
        response = self.client.chat_postMessage(channel=channel, text=text, blocks=blocks)
        return str(response.get("ts", ""))

    def dm(self, user_id: str, text: str, *, blocks: list[dict[str, Any]] | None = None) -> str:
        channel = self.client.conversations_open(users=user_id)["channel"]["id"]
        return self.post(str(channel), text, blocks=blocks)
