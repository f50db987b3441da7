"""Block Kit through slack_sdk's models: overlong text is cut to each model's own limit (with an ellipsis)
and every block the bot builds is one Slack accepts; the fake Slack Web API refuses any block Slack would."""

from __future__ import annotations

from typing import Any

import pytest

from bot.slack import case_views, conversation_blocks
from bot.slack.blocks import header, modal, section, to_dicts
from intake.conversation.flow import Choice, Kind
from intake.conversation.messages import Prompt, Summary, SummaryItem
from tests.support.fake_slack import _invalid_blocks

LONG = "A very long label that goes on " * 300


def _prompt(kind: Kind, *, choices: int) -> Prompt:
    return Prompt(
        key="k",
        text=LONG,
        kind=kind,
        section=LONG,
        label=LONG,
        number=1,
        total=40,
        choices=tuple(Choice(f"v{i}", LONG) for i in range(choices)),
        optional=True,
        skip_label=LONG,
        help=LONG,
        current=LONG,
        current_value="2026-11-20" if kind is Kind.DATE else "v0",
        problem=LONG,
    )


@pytest.mark.parametrize(
    "blocks",
    [
        conversation_blocks.prompt_blocks(_prompt(Kind.ANSWER, choices=3)),
        conversation_blocks.prompt_blocks(_prompt(Kind.CHOICE, choices=150)),
        conversation_blocks.prompt_blocks(_prompt(Kind.MULTI, choices=150)),
        conversation_blocks.prompt_blocks(_prompt(Kind.DATE, choices=0)),
        conversation_blocks.summary_blocks(
            Summary(
                title=LONG,
                sections=((LONG, tuple(SummaryItem(i, f"k{i}", LONG, LONG) for i in range(150))),),
                notes=(LONG,),
                reminder=LONG,
            )
        ),
        to_dicts([header(LONG), section(LONG), case_views._case_actions("SCR-2026-0001")]),
    ],
)
def test_overlong_text_is_cut_and_every_block_is_valid(blocks: list[dict[str, Any]]) -> None:
    assert _invalid_blocks({"blocks": blocks}) == ""
    assert "…" in str(blocks)


def test_modals_are_valid_with_overlong_titles_and_text() -> None:
    view = modal(title=LONG, submit=LONG, close=LONG, blocks=[section(LONG)])
    assert _invalid_blocks({"view": view}) == ""
    assert len(view["title"]["text"]) == 24 and view["title"]["text"].endswith("…")
    for made in (case_views.meeting_modal("SCR-2026-0001"), case_views.decision_modal("SCR-2026-0001")):
        assert _invalid_blocks({"view": made}) == ""


def test_the_fake_refuses_what_slack_would() -> None:
    too_long = {"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}
    assert "3000" in _invalid_blocks({"blocks": [too_long]})
    assert _invalid_blocks({"view": {"type": "modal", "title": {"type": "plain_text", "text": LONG}, "blocks": []}})
