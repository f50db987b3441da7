"""Which board an activity is for. Single tenant (the default): the board's own registration, its own tenant
only. Multi-tenant: one registration, each tenant mapped to its board in the board config; the bot signs in
through the Bot Framework's tenant. Both run through the real endpoint."""

from __future__ import annotations

import pytest

from bot.clock import FixedClock
from bot.settings import Settings
from bot.teams.tenants import TeamsSettingsError, TenantDirectory
from cases.board import TeamsSettings
from storage.store import Store
from tests.support.fake_teams import OTHER_TENANT, TENANT, FakeTeams
from tests.support.teams_bot import TeamsHarness, teams_board

SECOND_TENANT = "77777777-6666-4555-8444-333333333333"


def settings(**values: str) -> Settings:
    return Settings(teams_app_id="11111111-2222-4333-8444-555555555555", teams_app_password="secret", **values)  # type: ignore[arg-type]


def test_single_tenant_defaults_to_the_registrations_tenant() -> None:
    board = teams_board(teams=TeamsSettings())
    directory = TenantDirectory.build(settings(teams_tenant_id=TENANT), [board])
    assert directory.board_for(TENANT) == board.id
    assert directory.board_for(OTHER_TENANT) is None
    assert directory.sign_in_tenant == TENANT and not directory.multi_tenant


def test_multi_tenant_maps_each_tenant_to_its_board() -> None:
    one = teams_board(teams=TeamsSettings(tenant_id=TENANT))
    two = teams_board(id="otherton", teams=TeamsSettings(tenant_id=SECOND_TENANT))
    directory = TenantDirectory.build(settings(teams_app_type="multi_tenant"), [one, two])
    assert (directory.board_for(TENANT), directory.board_for(SECOND_TENANT)) == (one.id, "otherton")
    assert directory.board_for(OTHER_TENANT) is None
    assert directory.sign_in_tenant == "botframework.com"


@pytest.mark.parametrize(
    ("values", "boards", "says"),
    [
        ({"teams_app_type": "multi_tenant"}, [TeamsSettings()], "tenant_id is needed"),
        ({}, [TeamsSettings()], "SCRBOT_TEAMS_TENANT_ID"),
        ({"teams_tenant_id": TENANT}, [TeamsSettings(tenant_id=OTHER_TENANT)], "only serves its own tenant"),
        (
            {"teams_app_type": "multi_tenant"},
            [TeamsSettings(tenant_id=TENANT), TeamsSettings(tenant_id=TENANT.upper())],
            rf"boards b0 and b1 have the same \[teams\] tenant_id \({TENANT}\); each board needs its own",
        ),
        (
            {"teams_tenant_id": TENANT},
            [TeamsSettings(), TeamsSettings()],
            r"boards b0 and b1 have the same \[teams\] tenant_id \(or SCRBOT_TEAMS_TENANT_ID, where left out\)",
        ),
    ],
)
def test_settings_that_do_not_fit_are_refused(values: dict[str, str], boards: list[TeamsSettings], says: str) -> None:
    configs = [teams_board(id=f"b{i}", teams=t) for i, t in enumerate(boards)]
    with pytest.raises(TeamsSettingsError, match=says):
        TenantDirectory.build(settings(**values), configs)


def test_single_tenant_signs_in_through_its_own_tenant(store: Store, clock: FixedClock, fake: FakeTeams) -> None:
    with TeamsHarness(store, clock, fake) as bot:
        assert bot.post(bot.personal("help")) == 202
        bot.drain()
    assert set(fake.state.token_tenants) == {TENANT}


def test_multi_tenant_end_to_end(store: Store, clock: FixedClock, fake: FakeTeams) -> None:
    with TeamsHarness(store, clock, fake, teams_app_type="multi_tenant", teams_tenant_id="") as bot:
        assert bot.post(bot.personal("help")) == 202
        assert bot.post(bot.personal("help", tenant=OTHER_TENANT)) == 403
        bot.drain()
    [reply] = fake.state.posted()
    assert "Write *refer*" in str(reply.body)
    # The bot signed in through the Bot Framework's tenant, as a multi-tenant registration does.
    assert set(fake.state.token_tenants) == {"botframework.com"}
