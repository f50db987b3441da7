"""Block Kit for approving statutory notifications: the channel message's buttons (no personal data), the
preview modal and the edit modal (content: authorised business unit members only, each view audited)."""

from __future__ import annotations

import json
from typing import Any

from slack_sdk.models.blocks import Block, DividerBlock, InputBlock, PlainTextInputElement

from bot.slack.blocks import Blocks, actions, button, context, modal, plain, plain_section, section, to_dicts
from notify.outbox import OutboxItem

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


def approval_blocks(draft_id: str, text: str) -> Blocks:
    """The channel message: the approval request's own words and the four buttons, each carrying the draft's
    id as its value (the id travels as data, never read back from the text). No content."""
    buttons = [
        button(PREVIEW, "Preview", draft_id),
        button(APPROVE, "Approve", draft_id, "primary"),
        button(EDIT, "Edit", draft_id),
        button(REJECT, "Reject", draft_id, "danger"),
    ]
    return to_dicts([section(f":envelope: {text.strip()}"), actions(f"notify:{draft_id}", buttons)])


def decided_blocks(text: str) -> Blocks:
    """The channel message once someone has acted on it: no buttons left to press."""
    return to_dicts([section(text)])


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
    blocks: list[Block] = [
        section(f"*{item.kind.replace('_', ' ').capitalize()}* for {item.case_ref or 'the board'}"),
        section(f"*To:* {', '.join(item.recipients)}"),
    ]
    if warning:
        blocks.insert(0, section(f":warning: *Check before approving:* {warning}"))
    if item.subject:
        blocks.append(section(f"*Subject:* {item.subject}"))
    blocks.append(DividerBlock())
    text = item.text
    # The whole text, in as many sections as it takes (each within a section's limit), up to ten.
    for start in range(0, min(len(text), _SECTION * 10), _SECTION):
        blocks.append(plain_section(text[start : start + _SECTION]))
    if item.meets_rule:
        blocks.append(context(f"Sending it meets `{item.meets_rule}` for {item.case_ref}."))
    return modal(
        title="Review notification",
        submit="Approve and send",
        close="Close",
        callback_id=PREVIEW_MODAL,
        private_metadata=private_metadata,
        blocks=blocks,
    )


def edit_modal(item: OutboxItem, private_metadata: str) -> dict[str, Any]:
    blocks: list[Block] = []
    if item.channel == "email":
        subject = PlainTextInputElement(action_id=INPUT, initial_value=item.subject[:_INPUT], max_length=250)
        blocks.append(InputBlock(block_id=SUBJECT_BLOCK, label=plain("Subject"), element=subject))
    text = PlainTextInputElement(action_id=INPUT, multiline=True, initial_value=item.text[:_INPUT], max_length=_INPUT)
    blocks.append(InputBlock(block_id=TEXT_BLOCK, label=plain("Text"), element=text))
    return modal(
        title="Edit notification",
        submit="Save draft",
        close="Cancel",
        callback_id=EDIT_MODAL,
        private_metadata=private_metadata,
        blocks=blocks,
    )


def submitted(values: dict[str, Any], block_id: str) -> str | None:
    entry = (values.get(block_id) or {}).get(INPUT) or {}
    value = entry.get("value")
    return None if value is None else str(value)
