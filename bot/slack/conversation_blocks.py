"""The conversation's output as Block Kit, built with slack_sdk's block models (bot/slack/blocks.py): buttons,
selects and date pickers where they help, free text where it is natural. Every interactive element carries
the key of the question it answers, so a press on an old message is recognised as stale by the engine."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    DatePickerElement,
    Option,
    StaticMultiSelectElement,
    StaticSelectElement,
)

from bot.slack.blocks import Blocks, actions, button, context, fit, header, option, plain, section, to_dicts
from bot.slack.text import escape
from intake.conversation.flow import Kind
from intake.conversation.messages import Cancelled, ConfirmCancel, Notice, Outbound, Prompt, Submit, Summary

ANSWER = "scr_answer"  # button: value {"k": key, "v": value}; action ids scr_answer:0, scr_answer:1...
PICK = "scr_pick"  # static select; block id "q:<key>"
DATE = "scr_date"  # date picker; block id "q:<key>"
MULTI_PICK = "scr_multi_pick"  # multi select (read when "Continue" is pressed); block id "ms:<key>"
MULTI_DONE = "scr_multi_done"  # button: value {"k": key}
COMMAND = "scr_cmd"  # buttons: action ids scr_cmd:back, scr_cmd:skip...; value {"k": key}
EDIT = "scr_edit"  # summary select: option value = key
CONFIRM_CANCEL = "scr_cancel_confirm"  # buttons: scr_cancel_confirm:yes / :no
START = "scr_start"  # button: start a referral


def _button(action_id: str, text: str, value: dict[str, Any] | str, style: str | None = None) -> ButtonElement:
    return button(action_id, text, value, style, emoji=True)


def _option(value: str, label: str) -> Option:
    return option(value, label, emoji=True)


def _primary(chosen: bool) -> str | None:
    return "primary" if chosen else None


def start_block() -> ActionsBlock:
    return actions("start", [_button(START, "Start a referral", "start", "primary")])


def start_button() -> dict[str, Any]:
    block: dict[str, Any] = start_block().to_dict()
    return block


def _prompt_blocks(p: Prompt) -> list[Block]:
    blocks: list[Block] = []
    if p.problem:
        blocks.append(section(f":warning: Not accepted: {p.problem}"))
    blocks.append(section(f"*{p.text}*"))
    notes = [f"{p.section} · question {p.number} of {p.total}"]
    if p.help:
        notes.append(p.help)
    if p.current is not None:
        notes.append(f"Current answer: {escape(p.current)}")
    blocks.append(context(*notes))
    key = p.key
    if p.kind in (Kind.CHOICE, Kind.ANSWER, Kind.CONFIRM):
        if len(p.choices) <= 5:
            buttons = [
                _button(
                    f"{ANSWER}:{i}",
                    c.label,
                    {"k": key, "v": c.value},
                    "primary" if c.value == p.current_value else None,
                )
                for i, c in enumerate(p.choices)
            ]
            blocks.append(actions(f"q:{key}", buttons))
        else:
            current = next((c for c in p.choices if c.value == p.current_value), None)
            select = StaticSelectElement(
                action_id=PICK,
                placeholder=plain("Choose", emoji=True),
                options=[_option(c.value, c.label) for c in p.choices[: StaticSelectElement.options_max_length]],
                initial_option=_option(current.value, current.label) if current is not None else None,
            )
            blocks.append(actions(f"q:{key}", [select]))
    elif p.kind is Kind.DATE:
        picker = DatePickerElement(
            action_id=DATE, placeholder=plain("Pick a date", emoji=True), initial_date=p.current_value or None
        )
        blocks.append(actions(f"q:{key}", [picker]))
        blocks.append(context("Or type the date, e.g. 20/11/2026 or 20 Nov 2026."))
    elif p.kind is Kind.MULTI:
        chosen = [c for c in p.choices if isinstance(p.current_value, list) and c.value in p.current_value]
        multi = StaticMultiSelectElement(
            action_id=MULTI_PICK,
            placeholder=plain("Choose all that apply", emoji=True),
            options=[_option(c.value, c.label) for c in p.choices[: StaticMultiSelectElement.options_max_length]],
            initial_options=[_option(c.value, c.label) for c in chosen] or None,
        )
        blocks.append(actions(f"ms:{key}", [multi]))
        blocks.append(actions(f"md:{key}", [_button(MULTI_DONE, "Continue", {"k": key}, "primary")]))
    else:
        blocks.append(context("Reply with a message."))
    nav = []
    if p.current is not None:
        nav.append(_button(f"{COMMAND}:keep", "Keep answer", {"k": key}))
    if p.optional:
        nav.append(_button(f"{COMMAND}:skip", p.skip_label, {"k": key}))
    if p.can_go_back:
        nav.append(_button(f"{COMMAND}:back", "Back", {"k": key}))
    nav.append(_button(f"{COMMAND}:cancel", "Cancel referral", {"k": key}))
    blocks.append(actions(f"nav:{key}", nav))
    return blocks


def prompt_blocks(p: Prompt) -> Blocks:
    return to_dicts(_prompt_blocks(p))


def summary_blocks(s: Summary) -> Blocks:
    blocks: list[Block] = [header(s.title)]
    options = []
    for title, items in s.sections:
        lines = [f"*{title}*"]
        for item in items:
            lines.append(f"{item.number}. {item.label}: {escape(fit(item.display, 300))}")
            options.append(_option(item.key, f"{item.number}. {item.label}"))
        blocks.append(section("\n".join(lines)))
    if s.notes:
        blocks.append(section("\n".join(s.notes)))
    if s.reminder:
        blocks.append(context(f":information_source: {s.reminder}"))
    edit = StaticSelectElement(
        action_id=EDIT,
        placeholder=plain("Change an answer", emoji=True),
        options=options[: StaticSelectElement.options_max_length],
    )
    submit = _button(f"{COMMAND}:submit", "Submit referral", {"k": "summary"}, "primary")
    cancel = _button(f"{COMMAND}:cancel", "Cancel referral", {"k": "summary"}, "danger")
    blocks.append(actions("summary", [submit, edit, cancel]))
    return to_dicts(blocks)


def message_for(message: Outbound) -> tuple[str, Blocks]:
    """(fallback text, blocks) for one engine message."""
    if isinstance(message, Prompt):
        return message.text, prompt_blocks(message)
    if isinstance(message, Summary):
        return message.title, summary_blocks(message)
    if isinstance(message, ConfirmCancel):
        confirm = [
            _button(f"{CONFIRM_CANCEL}:yes", "Yes, delete it", "yes", "danger"),
            _button(f"{CONFIRM_CANCEL}:no", "No, keep going", "no"),
        ]
        return message.text, to_dicts([section(message.text), actions("confirm_cancel", confirm)])
    if isinstance(message, (Notice, Cancelled)):
        return message.text, to_dicts([section(message.text)])
    if isinstance(message, Submit):  # pragma: no cover - the service replaces it with the receipt
        return "", []
    return "", []  # pragma: no cover
