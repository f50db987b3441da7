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


def test_doctor_lists_the_teams_checks_only_when_teams_is_configured() -> None:
    from bot.doctor.base import checks_for
    from bot.settings import Settings

    names = [c.name for c in checks_for(Settings())]
    assert "teams" in names and "teams sign-in" not in names
    configured = Settings(teams_app_id="11111111-2222-4333-8444-555555555555", teams_app_password="s")
    teams = [c for c in checks_for(configured) if c.name.startswith("teams")]
    assert [c.name for c in teams] == ["teams sign-in", "teams signing keys", "teams endpoint", "teams installed"]
    assert all(c.network for c in teams) and all("teams sign-in" in c.needs for c in teams[1:])


def test_a_failed_teams_check_is_a_failed_doctor_line(store: Store, clock: FixedClock, fake: FakeTeams) -> None:
    from types import SimpleNamespace

    from bot.doctor.base import Status
    from bot.doctor.teams_checks import teams_checks
    from bot.settings import Settings

    configured = Settings(teams_app_id="11111111-2222-4333-8444-555555555555", teams_app_password="s")
    installed = next(c for c in teams_checks(configured) if c.name == "teams installed")
    with TeamsHarness(store, clock, fake) as bot:
        finding = installed.run(SimpleNamespace(teams=bot.runtime))  # type: ignore[arg-type]
    assert finding.status is Status.FAIL and "not been added" in finding.detail
