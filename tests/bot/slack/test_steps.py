"""A conversation step is kept (sealed) before Slack is answered and worked on behind the answer: a process
that stops in between loses nothing; the next one to start works on what was left."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.clock import FixedClock
from storage.received_steps import open_received_steps
from storage.store import Store, open_store
from storage.tables import ReceivedStepRow
from tests.bot.slack.conftest import REFERRER_USER
from tests.bot.slack.driver import prompt_key
from tests.factories import SENSITIVE_STRINGS
from tests.support.fake_slack import FakeSlack
from tests.support.slack_bot import SlackBot


def kept(store: Store) -> int:
    steps = open_received_steps(store.engine, store.sessions, store.cipher, store.board.id)
    try:
        return steps.count()
    finally:
        steps.close()


def test_a_step_acknowledged_before_a_crash_is_worked_on_after_the_restart(
    store: Store, clock: FixedClock, fake: FakeSlack
) -> None:
    with SlackBot(store, clock, fake) as bot:
        assert bot.services.worker is not None
        bot.services.worker.stop()  # the process dies after the acknowledgement, before the work
        status, _ = bot.requests.post(bot.requests.dm(REFERRER_USER, "refer", event_id="Ev0CRASH0001"))
        assert status == 200
        assert kept(store) == 1
    assert fake.calls("chat.postMessage") == []  # nothing was worked on
    clock.set(clock.now() + timedelta(minutes=2))  # the step is left over, not another process's live work
    restarted = open_store(store.engine, store.board, store.ring, store.pack)
    with SlackBot(restarted, clock, fake):
        fake.wait_for(lambda calls: any(prompt_key(c) == "referrer.name" for c in calls))
    assert kept(store) == 0  # worked on once, then let go
    assert sum("Case for Consideration" in str(c.params.get("text")) for c in fake.calls("chat.postMessage")) == 1


def test_a_live_processs_steps_are_not_taken_over(store: Store, clock: FixedClock, fake: FakeSlack) -> None:
    with SlackBot(store, clock, fake) as first:
        assert first.services.worker is not None
        first.services.worker.stop()
        first.requests.post(first.requests.dm(REFERRER_USER, "refer"))
        with SlackBot(store, clock, fake) as second:
            assert second.services.worker is not None
            assert second.services.worker.work(adopt=True) == 0  # received just now: its owner is working on it
        assert kept(store) == 1


def test_a_kept_step_is_sealed(store: Store, clock: FixedClock, fake: FakeSlack) -> None:
    with SlackBot(store, clock, fake) as bot:
        assert bot.services.worker is not None
        bot.services.worker.stop()
        bot.requests.post(bot.requests.dm(REFERRER_USER, f"The child is {SENSITIVE_STRINGS[0]}"))
        with bot.services.worker.steps.sessions() as s:
            [sealed] = s.scalars(select(ReceivedStepRow.body_enc)).all()
    assert sealed is not None and SENSITIVE_STRINGS[0].encode() not in sealed
