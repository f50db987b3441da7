"""Block Kit through slack_sdk's block models: each block is built as a model and turned into the dict Slack
takes with `to_dict()`, which checks Slack's limits (a section's 3,000 characters, a button's 75, a modal
title's 24...). Text that may be longer is cut to the model's own limit first, with an ellipsis, so a long
answer shortens rather than failing the call."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    Option,
    PlainTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

Blocks = list[dict[str, Any]]

# Slack's limit on a context element's text (the block models do not carry it).
CONTEXT_TEXT_LIMIT = 3000


def fit(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, ending in an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def plain(text: str, limit: int = ButtonElement.text_max_length, *, emoji: bool = False) -> PlainTextObject:
    return PlainTextObject(text=fit(text, limit), emoji=emoji or None)


def section(text: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=fit(text, SectionBlock.text_max_length)))


def plain_section(text: str) -> SectionBlock:
    return SectionBlock(text=PlainTextObject(text=fit(text, SectionBlock.text_max_length)))


def context(*texts: str) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=fit(t, CONTEXT_TEXT_LIMIT)) for t in texts if t])


def header(text: str) -> HeaderBlock:
    return HeaderBlock(text=plain(text, HeaderBlock.text_max_length, emoji=True))


def button(
    action_id: str, text: str, value: dict[str, Any] | str, style: str | None = None, *, emoji: bool = False
) -> ButtonElement:
    return ButtonElement(
        action_id=action_id,
        text=plain(text, ButtonElement.text_max_length, emoji=emoji),
        value=value if isinstance(value, str) else json.dumps(value),
        style=style,
    )


def option(value: str, label: str, *, emoji: bool = False) -> Option:
    return Option(value=value, text=plain(label, Option.label_max_length, emoji=emoji))


def actions(block_id: str, elements: Sequence[Any]) -> ActionsBlock:
    return ActionsBlock(block_id=block_id, elements=list(elements)[: ActionsBlock.elements_max_length])


def to_dicts(blocks: Iterable[Block]) -> Blocks:
    """The blocks as Slack takes them, each checked against Slack's limits by its model."""
    return [block.to_dict() for block in blocks]


def modal(
    *,
    title: str,
    blocks: Iterable[Block],
    close: str = "Close",
    submit: str | None = None,
    callback_id: str | None = None,
    private_metadata: str | None = None,
) -> dict[str, Any]:
    """A modal view as Slack takes it: title, buttons and blocks cut to the view's limits and checked."""
    view = View(
        type="modal",
        title=plain(title, View.title_max_length),
        close=plain(close, View.close_max_length),
        submit=plain(submit, View.submit_max_length) if submit else None,
        callback_id=callback_id,
        private_metadata=private_metadata,
        blocks=list(blocks)[: View.blocks_max_length],
    )
    result: dict[str, Any] = view.to_dict()
    return result
