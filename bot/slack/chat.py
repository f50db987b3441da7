"""The Slack implementation of notify.senders.ChatSender: the dispatcher posts outbox items through it.

Notices to the business unit channel get the case buttons (open, meeting, decision) for each case reference
in the text; the buttons carry the reference only, so the notice stays free of personal data.
"""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient

from bot.slack.blocks import section, to_dicts
from bot.slack.case_views import case_buttons
from cases.board import BoardConfig
from cases.reference import find_references


class SlackChat:
    def __init__(self, client: WebClient, board: BoardConfig) -> None:
        self.client = client
        self.board = board

    def post(self, target: str, text: str, *, blocks: list[dict[str, Any]] | None = None) -> str:
        """Post to a channel id, or to a user's DM when given a user id (U...); returns the message ts.
        Without `blocks`, notices to the business unit channel get case buttons for each reference."""
        channel = target
        if target.startswith(("U", "W")):
            channel = str(self.client.conversations_open(users=target)["channel"]["id"])
        if blocks is None:
            blocks = to_dicts([section(text)])
            if target == self.board.slack.business_unit_channel:
                blocks += [case_buttons(reference) for reference in find_references(text)[:5]]
        response = self.client.chat_postMessage(channel=channel, text=text, blocks=blocks)
        return str(response.get("ts", ""))
