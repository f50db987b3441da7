"""Slack's rewriting of typed text, undone; answers echoed into mrkdwn, escaped."""

from __future__ import annotations

import pytest

from bot.clock import FixedClock
from bot.slack.text import escape, plain_text
from storage.store import Store
from tests.bot.slack.conftest import REFERRER_USER
from tests.bot.slack.driver import SlackReferrer, prompt_key
from tests.support.fake_slack import FakeSlack
from tests.support.slack_bot import SlackBot


@pytest.mark.parametrize(
    ("arrives", "typed"),
    [
        ("<mailto:ottoline.testwhistle@nhs.net|ottoline.testwhistle@nhs.net>", "ottoline.testwhistle@nhs.net"),
        ("<tel:+441632960002|01632 960002>", "01632 960002"),
        ("see <https://example.org/x|example.org/x> please", "see example.org/x please"),
        ("<https://example.org>", "https://example.org"),
        ("Smith &amp; Jones &lt;trust&gt;", "Smith & Jones <trust>"),
        ("20/11/2026", "20/11/2026"),
    ],
)
def test_plain_text_undoes_slack_formatting(arrives: str, typed: str) -> None:
    assert plain_text(arrives) == typed


def test_escape_keeps_typed_markup_inert() -> None:
    assert escape("<!channel> & <@U1>") == "&lt;!channel&gt; &amp; &lt;@U1&gt;"


def test_an_email_as_slack_sends_it_is_accepted(store: Store, clock: FixedClock, fake: FakeSlack) -> None:
    with SlackBot(store, clock, fake) as bot:
        referrer = SlackReferrer(bot, fake, REFERRER_USER)
        key, _ = referrer.answer_until(referrer.start(), stop_at="referrer.email")
        posts = referrer.send(key, "text", "<mailto:Dr.Other@NHS.net|Dr.Other@NHS.net>")
        assert prompt_key(posts[-1]) == "referrer.phone"
        posts = referrer.send("referrer.phone", "cmd", "back")
        assert "Current answer: Dr.Other@NHS.net" in posts[-1].text
