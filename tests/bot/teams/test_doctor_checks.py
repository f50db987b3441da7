"""The Teams checks for `scrbot doctor`, against the fake Microsoft side: each says ok when the set-up is
right and names the fix when it is not."""

from __future__ import annotations

from bot.clock import FixedClock
from bot.teams.doctor_checks import check_credentials, check_installed, check_signing_keys
from storage.store import Store
from tests.support.fake_teams import FakeTeams
from tests.support.teams_bot import TeamsHarness


def test_credentials_and_keys(store: Store, clock: FixedClock, fake: FakeTeams) -> None:
    with TeamsHarness(store, clock, fake) as bot:
        assert check_credentials(bot.runtime)[0]
        assert check_signing_keys(bot.runtime) == (True, f"1 signing key(s) from {fake.openid_metadata_url}")
    with TeamsHarness(store, clock, fake, teams_app_password="wrong") as bot:
        ok, line = check_credentials(bot.runtime)
    assert not ok and "SCRBOT_TEAMS_APP_PASSWORD" in line


def test_installed_in_the_team(store: Store, clock: FixedClock, fake: FakeTeams) -> None:
    with TeamsHarness(store, clock, fake) as bot:
        ok, line = check_installed(bot.runtime)
        assert not ok and "not been added" in line
        bot.post(bot.installed())
        bot.drain()
        assert check_installed(bot.runtime) == (True, "installed in the business unit's team")
        fake.state.teams.clear()  # removed from the team since
        ok, line = check_installed(bot.runtime)
    assert not ok and "is the app installed?" in line
