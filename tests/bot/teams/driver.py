"""Drives the referral conversation in Teams the way a person would: reads each card the bot sent to the
personal chat, and answers with the matching button, choice set, date input, or a typed message."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from bot.teams import cards as c
from tests.bot.slack.driver import ANSWERS as SLACK_ANSWERS
from tests.support.fake_teams import Call
from tests.support.teams_bot import REFERRER, TeamsHarness

# As in Slack, except that Teams does not give the bot a person's email: it is typed.
ANSWERS: dict[str, tuple[str, Any]] = {**SLACK_ANSWERS, "referrer.email": ("text", "ottoline.testwhistle@nhs.net")}


def card_of(call: Call) -> dict[str, Any]:
    attachments = (call.body or {}).get("attachments") or []
    return attachments[0]["content"] if attachments else {}


def elements(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from elements(value)
    elif isinstance(node, list):
        for value in node:
            yield from elements(value)


def action_data(call: Call) -> list[dict[str, Any]]:
    return [e["data"] for e in elements(card_of(call)) if e.get("type") == "Action.Submit" and "data" in e]


def card_text(call: Call) -> str:
    return "\n".join(str(e.get("text", "")) for e in elements(card_of(call)) if e.get("type") == "TextBlock")


def prompt_key(call: Call) -> str | None:
    keys = [d.get("k") for d in action_data(call) if d.get("scr") == c.COMMAND]
    return str(keys[0]) if keys else None


class TeamsReferrer:
    def __init__(self, bot: TeamsHarness, user: str = REFERRER) -> None:
        self.bot = bot
        self.user = user
        self.seen = 0

    def _new(self) -> list[Call]:
        self.bot.drain()
        posted = [p for p in self.bot.fake.state.posted() if f"a:personal-{self.user}" in p.path]
        new = posted[self.seen :]
        self.seen = len(posted)
        return new

    def say(self, text: str) -> list[Call]:
        assert self.bot.post(self.bot.personal(text, user=self.user)) == 202
        return self._new()

    def press(self, value: dict[str, Any]) -> list[Call]:
        assert self.bot.post(self.bot.personal(value=value, user=self.user)) == 202
        return self._new()

    def send(self, key: str, how: str, what: Any, posts: list[Call]) -> list[Call]:
        if how == "text":
            return self.say(str(what))
        if how == "cmd":
            return self.press({"scr": c.COMMAND, "c": what, "k": key})
        if how == "pick":
            if any(d.get("scr") == c.ANSWER for p in posts for d in action_data(p)):
                return self.press({"scr": c.ANSWER, "k": key, "v": what})
            return self.press({"scr": c.INPUT, "k": key, "v": what})
        if how == "date":
            return self.press({"scr": c.INPUT, "k": key, "v": what})
        if how == "multi":
            return self.press({"scr": c.INPUT, "k": key, "v": ",".join(what), "m": 1})
        raise ValueError(how)  # pragma: no cover

    def answer_until(self, posts: list[Call], stop_at: str | None = None) -> tuple[str, list[Call]]:
        while True:
            key = next(k for k in (prompt_key(p) for p in reversed(posts)) if k is not None)
            if key in {stop_at, "summary"}:
                return key, posts
            how, what = ANSWERS[key]
            posts = self.send(key, how, what, [p for p in posts if prompt_key(p) == key])
