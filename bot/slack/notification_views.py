"""Block Kit for approving statutory notifications: the channel message's buttons (no personal data), the
preview modal and the edit modal (content: authorised business unit members only, each view audited)."""

from __future__ import annotations

import json
from typing import Any

from notify.outbox import OutboxItem

Blocks = list[dict[str, Any]]

PREVIEW = "notify_preview"
APPROVE = "notify_approve"
EDIT = "notify_edit"
REJECT = "notify_reject"
PREVIEW_MODAL = "notify_preview_modal"
EDIT_MODAL = "notify_edit_modal"
SUBJECT_BLOCK = "notify_subject"
TEXT_BLOCK = "notify_text"
INPUT = "value"

# Slack limits: 3,000 characters in a section, 3,000 in a plain-text input's initial value.
_SECTION = 2_900
_INPUT = 3_000


def _plain(text: str, limit: int = 75) -> dict[str, Any]:
    return {"type": "plain_text", "text": text if len(text) <= limit else text[: limit - 1] + "…"}


def _section(text: str) -> dict[str, Any]:
    return {
        "type": "section",
        "text": {"type": "mrkdwn", "text": text[:_SECTION] + ("…" if len(text) > _SECTION else "")},
    }


def approval_blocks(draft_id: str, text: str) -> Blocks:
    """The channel message: the approval request's own words and the four buttons. No content."""
    shown = text.rsplit("[draft", 1)[0].strip()
    return [
        _section(f":envelope: {shown}"),
        {
            "type": "actions",
            "block_id": f"notify:{draft_id}",
            "elements": [
                {"type": "button", "action_id": PREVIEW, "text": _plain("Preview"), "value": draft_id},
                {
                    "type": "button",
                    "action_id": APPROVE,
                    "text": _plain("Approve"),
                    "value": draft_id,
                    "style": "primary",
                },
                {"type": "button", "action_id": EDIT, "text": _plain("Edit"), "value": draft_id},
                {"type": "button", "action_id": REJECT, "text": _plain("Reject"), "value": draft_id, "style": "danger"},
            ],
        },
    ]


def decided_blocks(text: str) -> Blocks:
    """The channel message once someone has acted on it: no buttons left to press."""
    return [_section(text)]


def metadata(draft_id: str, channel: str, ts: str) -> str:
    return json.dumps({"id": draft_id, "channel": channel, "ts": ts})


def read_metadata(value: str) -> tuple[str, str, str]:
    try:
        data = json.loads(value or "{}")
    except ValueError:
        return "", "", ""
    return str(data.get("id", "")), str(data.get("channel", "")), str(data.get("ts", ""))


def preview_modal(item: OutboxItem, private_metadata: str, *, warning: str = "") -> dict[str, Any]:
    """The draft as it will be sent: recipients, subject, text. Submitting approves it. `warning`: the case's
    personal data found in the text beyond what its template carries (kinds and lines only)."""
    blocks: Blocks = [
        _section(f"*{item.kind.replace('_', ' ').capitalize()}* for {item.case_ref or 'the board'}"),
        _section(f"*To:* {', '.join(item.recipients)}"),
    ]
    if warning:
        blocks.insert(0, _section(f":warning: *Check before approving:* {warning[:2800]}"))
    if item.subject:
        blocks.append(_section(f"*Subject:* {item.subject}"))
    blocks.append({"type": "divider"})
    text = item.text
    for start in range(0, min(len(text), _SECTION * 10), _SECTION):
        blocks.append({"type": "section", "text": {"type": "plain_text", "text": text[start : start + _SECTION]}})
    if item.meets_rule:
        blocks.append(
            {
                "type": "context",
                "elements": [{"type": "mrkdwn", "text": f"Sending it meets `{item.meets_rule}` for {item.case_ref}."}],
            }
        )
    return {
        "type": "modal",
        "callback_id": PREVIEW_MODAL,
        "private_metadata": private_metadata,
        "title": _plain("Review notification", 24),
        "submit": _plain("Approve and send", 24),
        "close": _plain("Close", 24),
        "blocks": blocks,
    }


def edit_modal(item: OutboxItem, private_metadata: str) -> dict[str, Any]:
    blocks: Blocks = []
    if item.channel == "email":
        blocks.append(
            {
                "type": "input",
                "block_id": SUBJECT_BLOCK,
                "label": _plain("Subject"),
                "element": {
                    "type": "plain_text_input",
                    "action_id": INPUT,
                    "initial_value": item.subject[:_INPUT],
                    "max_length": 250,
                },
            }
        )
    blocks.append(
        {
            "type": "input",
            "block_id": TEXT_BLOCK,
            "label": _plain("Text"),
            "element": {
                "type": "plain_text_input",
                "action_id": INPUT,
                "multiline": True,
                "initial_value": item.text[:_INPUT],
                "max_length": _INPUT,
            },
        }
    )
    return {
        "type": "modal",
        "callback_id": EDIT_MODAL,
        "private_metadata": private_metadata,
        "title": _plain("Edit notification", 24),
        "submit": _plain("Save draft", 24),
        "close": _plain("Cancel", 24),
        "blocks": blocks,
    }


def submitted(values: dict[str, Any], block_id: str) -> str | None:
    entry = (values.get(block_id) or {}).get(INPUT) or {}
    value = entry.get("value")
    return None if value is None else str(value)
