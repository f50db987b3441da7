"""Drives the referral conversation in Slack the way a person would: reads each prompt the bot posted to the
DM, and answers with the matching button, select, date picker, or a typed message."""

from __future__ import annotations

import json
from typing import Any

from bot.slack import conversation_blocks as cb
from tests.factories import CASE_OUTLINE, CHILD_ADDRESS, CHILD_FORENAMES, CHILD_LAST_NAME, MOTHER_NAME
from tests.support.fake_slack import FakeSlack, SlackCall
from tests.support.slack_bot import SlackBot

# How to answer each question: ("text", words) types a DM; ("pick", value) presses the button / picks the
# option with that value; ("date", iso) uses the date picker; ("multi", [values]); ("cmd", name) a nav button.
ANSWERS: dict[str, tuple[str, Any]] = {
    "referrer.name": ("cmd", "keep"),  # prefilled from the Slack profile
    "referrer.role": ("text", "Named Doctor"),
    "referrer.agency": ("text", "Northshire Hospitals NHS Trust"),
    "referrer.email": ("cmd", "keep"),
    "referrer.phone": ("cmd", "skip"),
    "designated_professional_consulted": ("pick", "yes"),
    "referral_date": ("text", "20/11/2026"),
    "incident_date": ("date", "2026-11-16"),
    "la_aware_date": ("text", "17 Nov 2026"),
    "case_outline": ("text", CASE_OUTLINE),
    "child.last_name": ("text", CHILD_LAST_NAME),
    "child.forenames": ("text", CHILD_FORENAMES),
    "child.also_known_as": ("cmd", "skip"),
    "child.date_of_birth": ("text", "9 March 2024"),
    "child.gender": ("pick", "female"),
    "child.ethnicity": ("cmd", "skip"),
    "child.disability": ("cmd", "skip"),
    "child.home_address": ("text", CHILD_ADDRESS),
    "mother.name": ("text", MOTHER_NAME),
    "mother.date_of_birth": ("text", "1/7/1998"),
    "mother.address": ("cmd", "skip"),
    "father.name": ("cmd", "skip"),
    "father.date_of_birth": ("cmd", "skip"),
    "father.address": ("cmd", "skip"),
    "siblings.0?": ("pick", "yes"),
    "siblings.0.name": ("text", "Ambrose Marchbanks-Tovey"),
    "siblings.0.date_of_birth": ("text", "2021-01-02"),
    "siblings.1?": ("pick", "no"),
    "learning_disability": ("pick", "no"),
    "police_involved": ("pick", "yes"),
    "coroner_involved": ("pick", "no"),
    "reasons": ("multi", ["fits_scr_criteria"]),
    "reasons.fits_scr_criteria": ("pick", "004 §4.4(ii)"),
    "considerations.media_interest": ("pick", "no"),
    "considerations.criminal_proceedings": ("pick", "unknown"),
    "considerations.linked_complex_abuse": ("pick", "no"),
    "considerations.other": ("cmd", "skip"),
    "criteria.abuse_or_neglect": ("pick", "yes"),
    "criteria.child_died": ("pick", "no"),
    "criteria.seriously_harmed": ("pick", "yes"),
    "incident.in_area": ("pick", "yes"),
    "incident.looked_after": ("pick", "no"),
    "criteria.concerns_about_working_together": ("pick", "yes"),
    "criteria.harm": ("multi", ["life_threatening_injury"]),
    "criteria.indicators": ("cmd", "skip"),
}


def blocks_of(call: SlackCall) -> list[dict[str, Any]]:
    blocks = call.params.get("blocks") or []
    return blocks if isinstance(blocks, list) else []


def prompt_key(call: SlackCall) -> str | None:
    """The question a posted message asks ("summary" for the summary), or None for other messages."""
    for block in blocks_of(call):
        block_id = str(block.get("block_id", ""))
        if block_id.startswith("nav:"):
            return block_id.removeprefix("nav:")
        if block_id == "summary":
            return "summary"
    return None


def dm_posts(fake: FakeSlack, channel: str) -> list[SlackCall]:
    return [c for c in fake.calls("chat.postMessage") if c.channel == channel]


class SlackReferrer:
    def __init__(self, bot: SlackBot, fake: FakeSlack, user: str) -> None:
        self.bot = bot
        self.fake = fake
        self.user = user
        self.channel = "D" + user.removeprefix("U")
        self.seen = 0

    def _wait_next(self) -> list[SlackCall]:
        """The messages posted since the last reply, once a question (or the summary or receipt) is among them."""

        def arrived(calls: list[SlackCall]) -> bool:
            new = [c for c in calls if c.method == "chat.postMessage" and c.channel == self.channel][self.seen :]
            return any(prompt_key(c) is not None or "Referral filed" in str(c.params.get("text")) for c in new)

        self.fake.wait_for(arrived)
        new = dm_posts(self.fake, self.channel)[self.seen :]
        self.seen += len(new)
        return new

    def start(self) -> list[SlackCall]:
        status, body = self.bot.requests.post(self.bot.requests.command("/scr-refer", self.user))
        assert status == 200, body
        assert "direct message" in body
        return self._wait_next()

    def send(self, key: str, how: str, what: Any) -> list[SlackCall]:
        r = self.bot.requests
        if how == "text":
            payload = r.dm(self.user, str(what))
        elif how == "cmd":
            payload = r.action(self.user, f"{cb.COMMAND}:{what}", value=json.dumps({"k": key}))
        elif how == "pick":
            payload = r.action(self.user, f"{cb.ANSWER}:0", value=json.dumps({"k": key, "v": what}))
        elif how == "select":
            payload = r.action(self.user, cb.PICK, selected=what, kind="static_select", block_id=f"q:{key}")
        elif how == "date":
            payload = r.action(self.user, cb.DATE, selected=what, kind="datepicker", block_id=f"q:{key}")
        elif how == "multi":
            state = {
                f"ms:{key}": {
                    cb.MULTI_PICK: {"type": "multi_static_select", "selected_options": [{"value": v} for v in what]}
                }
            }
            payload = r.action(self.user, cb.MULTI_DONE, value=json.dumps({"k": key}), state=state)
        else:  # pragma: no cover
            raise ValueError(how)
        status, body = r.post(payload)
        assert status == 200, body
        return self._wait_next()

    def answer_until(self, posts: list[SlackCall], stop_at: str | None = None) -> tuple[str, list[SlackCall]]:
        """Answer question after question from ANSWERS until `stop_at` (or the summary) is asked."""
        while True:
            key = next(k for k in (prompt_key(c) for c in reversed(posts)) if k is not None)
            if key == stop_at or key == "summary":
                return key, posts
            how, what = ANSWERS[key]
            if how == "pick" and self._uses_select(posts, key):
                how = "select"
            posts = self.send(key, how, what)

    @staticmethod
    def _uses_select(posts: list[SlackCall], key: str) -> bool:
        for call in posts:
            for block in blocks_of(call):
                if block.get("block_id") == f"q:{key}":
                    return any(e.get("type") == "static_select" for e in block.get("elements", []))
        return False
