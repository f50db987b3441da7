"""A whole referral in Teams: activities POSTed to the real endpoint with signed tokens, answered with the
cards' own actions, replies recorded by the fake connector. The case is filed with its deadlines, the
business unit's channel gets the reference only, and nothing identifying reaches the channel, the logs or
the database's raw bytes."""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

import pytest

from bot.clock import FixedClock
from bot.teams import cards as c
from cases.events import CaseStatus
from storage.store import Store
from tests.bot.teams.driver import TeamsReferrer, card_of, card_text, elements, prompt_key
from tests.factories import SENSITIVE_STRINGS, STAFF
from tests.support.fake_teams import CHANNEL_ID, FakeTeams
from tests.support.teams_bot import REFERRER, TeamsHarness


def test_full_referral_in_teams(
    store: Store, clock: FixedClock, fake: FakeTeams, tmp_path: Path, caplog: pytest.LogCaptureFixture, backend: str
) -> None:
    caplog.set_level(logging.DEBUG)
    with TeamsHarness(store, clock, fake) as bot:
        assert bot.post(bot.installed()) == 202  # the app is added to the business unit's team
        referrer = TeamsReferrer(bot)
        posts = referrer.say("refer")
        first = next(p for p in posts if prompt_key(p) == "referrer.name")
        assert "Current answer: Dr Ottoline Testwhistle" in card_text(first)  # the Teams display name
        key, posts = referrer.answer_until(posts)
        assert key == "summary"
        summary = card_text(posts[-1])
        assert "004 §4.4(ii)" in summary and "not a replacement for a safeguarding referral" in summary
        receipt = referrer.press({"scr": c.COMMAND, "c": "submit", "k": "summary"})
        channel = [p for p in fake.state.posted() if p.path == f"/v3/conversations/{CHANNEL_ID}/activities"]
    assert any("Referral filed: *SCR-2026-0001*" in card_text(p) for p in receipt)

    case = store.cases.get_case("SCR-2026-0001", actor=STAFF, now=clock.now())
    assert case.status is CaseStatus.REFERRED
    assert case.filed_by == f"teams:{REFERRER}"
    assert case.referral is not None
    assert case.referral.child.date_of_birth == date(2024, 3, 9)
    assert case.referral.incident_date == date(2026, 11, 16)  # from the date input
    assert [s.name for s in case.referral.siblings] == ["Ambrose Marchbanks-Tovey"]
    assert {"records_secured", "chair_decision"} <= {d.computed.rule for d in case.deadlines}

    # The channel notice went to the business unit's channel, through the outbox, with the reference only.
    [notice] = channel
    assert "New referral SCR-2026-0001" in card_text(notice)
    [queued] = [m for m in bot.outbox.list() if m.kind == "new_referral_notice"]
    assert queued.status.value == "sent"

    # Privacy: personal data only in the referrer's own chat; none in the channel, the logs, the database.
    for call in fake.state.calls:
        text = str(call.body)
        if any(s in text for s in SENSITIVE_STRINGS):
            assert call.path.startswith(f"/v3/conversations/a:personal-{REFERRER}/")
    for sensitive in SENSITIVE_STRINGS:
        assert sensitive not in str(notice.body)
        assert sensitive not in caplog.text
    if backend == "sqlite":
        raw = b"".join(p.read_bytes() for p in tmp_path.glob("scrbot.db*"))
        for sensitive in SENSITIVE_STRINGS:
            assert sensitive.encode() not in raw


def test_questions_use_choice_sets_and_date_inputs(store: Store, clock: FixedClock, fake: FakeTeams) -> None:
    with TeamsHarness(store, clock, fake) as bot:
        referrer = TeamsReferrer(bot)
        _, posts = referrer.answer_until(referrer.say("refer"), stop_at="incident_date")
        date_card = next(p for p in reversed(posts) if prompt_key(p) == "incident_date")
        assert any(e.get("type") == "Input.Date" for e in elements(card_of(date_card)))
        posts = referrer.say("31/02/2026")  # typed, and wrong: asked again with the reason
        assert "Not accepted" in card_text(posts[-1]) and prompt_key(posts[-1]) == "incident_date"
        _, posts = referrer.answer_until(posts, stop_at="reasons")
        multi = next(p for p in reversed(posts) if prompt_key(p) == "reasons")
        [choices] = [e for e in elements(card_of(multi)) if e.get("type") == "Input.ChoiceSet"]
        assert choices.get("isMultiSelect") is True


def test_a_draft_is_resumed_later(store: Store, clock: FixedClock, fake: FakeTeams) -> None:
    with TeamsHarness(store, clock, fake) as bot:
        referrer = TeamsReferrer(bot)
        referrer.answer_until(referrer.say("refer"), stop_at="referrer.agency")
    # A new process (the bot restarted): the same person carries on where they stopped.
    with TeamsHarness(store, clock, fake) as bot:
        posts = TeamsReferrer(bot).say("refer")
    assert prompt_key(posts[-1]) == "referrer.agency"


def test_referral_answers_are_refused_in_a_channel(store: Store, clock: FixedClock, fake: FakeTeams) -> None:
    with TeamsHarness(store, clock, fake) as bot:
        assert bot.post(bot.channel(user=REFERRER, text="refer")) == 202
        bot.drain()
    [reply] = fake.state.posted()
    assert "personal chat" in str(reply.body)
    assert not bot.runtime.services.referrals.has_draft(store.board.teams_actor(REFERRER))
