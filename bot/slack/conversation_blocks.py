"""The conversation's output as Block Kit: buttons, selects and date pickers where they help, free text where
it is natural. Every interactive element carries the key of the question it answers, so a press on an old
message is recognised as stale by the engine."""

from __future__ import annotations

import json
from typing import Any

from bot.slack.text import escape
from intake.conversation.flow import Kind
from intake.conversation.messages import Cancelled, ConfirmCancel, Notice, Outbound, Prompt, Submit, Summary

Blocks = list[dict[str, Any]]

ANSWER = "scr_answer"  # button: value {"k": key, "v": value}; action ids scr_answer:0, scr_answer:1...
PICK = "scr_pick"  # static select; block id "q:<key>"
DATE = "scr_date"  # date picker; block id "q:<key>"
MULTI_PICK = "scr_multi_pick"  # multi select (read when "Continue" is pressed); block id "ms:<key>"
MULTI_DONE = "scr_multi_done"  # button: value {"k": key}
COMMAND = "scr_cmd"  # buttons: action ids scr_cmd:back, scr_cmd:skip...; value {"k": key}
EDIT = "scr_edit"  # summary select: option value = key
CONFIRM_CANCEL = "scr_cancel_confirm"  # buttons: scr_cancel_confirm:yes / :no
START = "scr_start"  # button: start a referral


def _plain(text: str, limit: int = 75) -> dict[str, Any]:
    return {"type": "plain_text", "text": text if len(text) <= limit else text[: limit - 1] + "…", "emoji": True}


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:2990] + ("…" if len(text) > 2990 else "")}}


def _context(*texts: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": t[:2990]} for t in texts if t]}


def _button(action_id: str, text: str, value: dict[str, Any] | str, style: str | None = None) -> dict[str, Any]:
    button: dict[str, Any] = {
        "type": "button",
        "action_id": action_id,
        "text": _plain(text),
        "value": value if isinstance(value, str) else json.dumps(value),
    }
    if style:
        button["style"] = style
    return button


def _option(value: str, label: str) -> dict[str, Any]:
    return {"text": _plain(label), "value": value}


def start_button() -> dict[str, Any]:
    return {
        "type": "actions",
        "block_id": "start",
        "elements": [_button(START, "Start a referral", "start", "primary")],
    }


def prompt_blocks(p: Prompt) -> Blocks:
    blocks: Blocks = []
    if p.problem:
        blocks.append(_section(f":warning: Not accepted: {p.problem}"))
    blocks.append(_section(f"*{p.text}*"))
    notes = [f"{p.section} · question {p.number} of {p.total}"]
    if p.help:
        notes.append(p.help)
    if p.current is not None:
        notes.append(f"Current answer: {escape(p.current)}")
    blocks.append(_context(*notes))
    key = p.key
    if p.kind in (Kind.CHOICE, Kind.ANSWER, Kind.CONFIRM):
        if len(p.choices) <= 5:
            blocks.append(
                {
                    "type": "actions",
                    "block_id": f"q:{key}",
                    "elements": [
                        _button(
                            f"{ANSWER}:{i}",
                            c.label,
                            {"k": key, "v": c.value},
                            "primary" if c.value == p.current_value else None,
                        )
                        for i, c in enumerate(p.choices)
                    ],
                }
            )
        else:
            select: dict[str, Any] = {
                "type": "static_select",
                "action_id": PICK,
                "placeholder": _plain("Choose"),
                "options": [_option(c.value, c.label) for c in p.choices[:100]],
            }
            current = next((c for c in p.choices if c.value == p.current_value), None)
            if current is not None:
                select["initial_option"] = _option(current.value, current.label)
            blocks.append({"type": "actions", "block_id": f"q:{key}", "elements": [select]})
    elif p.kind is Kind.DATE:
        picker: dict[str, Any] = {"type": "datepicker", "action_id": DATE, "placeholder": _plain("Pick a date")}
        if p.current_value:
            picker["initial_date"] = p.current_value
        blocks.append({"type": "actions", "block_id": f"q:{key}", "elements": [picker]})
        blocks.append(_context("Or type the date, e.g. 20/11/2026 or 20 Nov 2026."))
    elif p.kind is Kind.MULTI:
        multi: dict[str, Any] = {
            "type": "multi_static_select",
            "action_id": MULTI_PICK,
            "placeholder": _plain("Choose all that apply"),
            "options": [_option(c.value, c.label) for c in p.choices[:100]],
        }
        chosen = [c for c in p.choices if isinstance(p.current_value, list) and c.value in p.current_value]
        if chosen:
            multi["initial_options"] = [_option(c.value, c.label) for c in chosen]
        blocks.append({"type": "actions", "block_id": f"ms:{key}", "elements": [multi]})
        blocks.append(
            {
                "type": "actions",
                "block_id": f"md:{key}",
                "elements": [_button(MULTI_DONE, "Continue", {"k": key}, "primary")],
            }
        )
    else:
        blocks.append(_context("Reply with a message."))
    nav = []
    if p.current is not None:
        nav.append(_button(f"{COMMAND}:keep", "Keep answer", {"k": key}))
    if p.optional:
        nav.append(_button(f"{COMMAND}:skip", p.skip_label, {"k": key}))
    if p.can_go_back:
        nav.append(_button(f"{COMMAND}:back", "Back", {"k": key}))
    nav.append(_button(f"{COMMAND}:cancel", "Cancel referral", {"k": key}))
    blocks.append({"type": "actions", "block_id": f"nav:{key}", "elements": nav})
    return blocks


def summary_blocks(s: Summary) -> Blocks:
    blocks: Blocks = [{"type": "header", "text": _plain(s.title, 150)}]
    options = []
    for section, items in s.sections:
        lines = [f"*{section}*"]
        for item in items:
            shown = escape(item.display if len(item.display) <= 300 else item.display[:299] + "…")
            lines.append(f"{item.number}. {item.label}: {shown}")
            options.append(_option(item.key, f"{item.number}. {item.label}"))
        blocks.append(_section("\n".join(lines)))
    if s.notes:
        blocks.append(_section("\n".join(s.notes)))
    if s.reminder:
        blocks.append(_context(f":information_source: {s.reminder}"))
    blocks.append(
        {
            "type": "actions",
            "block_id": "summary",
            "elements": [
                _button(f"{COMMAND}:submit", "Submit referral", {"k": "summary"}, "primary"),
                {
                    "type": "static_select",
                    "action_id": EDIT,
                    "placeholder": _plain("Change an answer"),
                    "options": options[:100],
                },
                _button(f"{COMMAND}:cancel", "Cancel referral", {"k": "summary"}, "danger"),
            ],
        }
    )
    return blocks


def message_for(message: Outbound) -> tuple[str, Blocks]:
    """(fallback text, blocks) for one engine message."""
    if isinstance(message, Prompt):
        return message.text, prompt_blocks(message)
    if isinstance(message, Summary):
        return message.title, summary_blocks(message)
    if isinstance(message, ConfirmCancel):
        return message.text, [
            _section(message.text),
            {
                "type": "actions",
                "block_id": "confirm_cancel",
                "elements": [
                    _button(f"{CONFIRM_CANCEL}:yes", "Yes, delete it", "yes", "danger"),
                    _button(f"{CONFIRM_CANCEL}:no", "No, keep going", "no"),
                ],
            },
        ]
    if isinstance(message, (Notice, Cancelled)):
        return message.text, [_section(message.text)]
    if isinstance(message, Submit):  # pragma: no cover - the service replaces it with the receipt
        return "", []
    return "", []  # pragma: no cover
