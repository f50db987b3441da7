from __future__ import annotations

from bot.clock import FixedClock
from storage.store import Store
from tests.support.fake_teams import FakeTeams
from tests.support.teams_bot import TeamsHarness


def test_refer_starts_the_conversation(store: Store, clock: FixedClock, fake: FakeTeams) -> None:
    with TeamsHarness(store, clock, fake) as bot:
        assert bot.post(bot.personal("refer")) == 202
        bot.drain()
    posted = fake.state.posted()
    assert posted, fake.state.calls
    print(posted[0].body)
