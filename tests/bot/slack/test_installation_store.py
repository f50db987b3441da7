"""slack_sdk's InstallationStore over the database, as bolt calls it: what an installation round-trips to,
which person's installation a user id finds, and which uninstall removes what."""

from __future__ import annotations

import pytest
from slack_sdk.oauth.installation_store import Bot, Installation

from bot.clock import FixedClock
from bot.slack.installation_store import DatabaseInstallationStore
from bot.slack.installs import installations_over
from cases.board import BoardConfig, SlackSettings
from storage.store import Store
from tests.factories import make_board

TEAM = "T0BOARDA01"


@pytest.fixture
def board() -> BoardConfig:
    return make_board(slack=SlackSettings(team_id=TEAM))


@pytest.fixture
def bolt_store(store: Store, clock: FixedClock) -> DatabaseInstallationStore:
    return DatabaseInstallationStore(installations_over([store], clock))


def saved(bolt_store: DatabaseInstallationStore, **more: object) -> None:
    values: dict[str, object] = {
        "app_id": "A0TEST0001",
        "team_id": TEAM,
        "bot_token": "xoxb-SYNTHETIC-1",
        "bot_id": "BBOT000001",
        "bot_user_id": "UBOT000001",
        "bot_scopes": "chat:write,commands",
        "user_id": "UINSTALL01",
        "user_token": "xoxp-SYNTHETIC-1",
        **more,
    }
    bolt_store.save(Installation(**values))  # type: ignore[arg-type]


def test_an_installation_round_trips(bolt_store: DatabaseInstallationStore, clock: FixedClock) -> None:
    saved(bolt_store)
    found = bolt_store.find_installation(enterprise_id=None, team_id=TEAM)
    assert found is not None
    assert (found.team_id, found.enterprise_id, found.app_id, found.user_id) == (TEAM, None, "A0TEST0001", "UINSTALL01")
    assert (found.bot_token, found.user_token, found.bot_scopes) == (
        "xoxb-SYNTHETIC-1",
        "xoxp-SYNTHETIC-1",
        ["chat:write", "commands"],
    )
    assert found.installed_at == clock.now().timestamp()
    bot = bolt_store.find_bot(enterprise_id=None, team_id=TEAM)
    assert bot is not None and (bot.bot_token, bot.bot_user_id) == ("xoxb-SYNTHETIC-1", "UBOT000001")


def test_a_user_id_finds_only_that_persons_installation(bolt_store: DatabaseInstallationStore) -> None:
    saved(bolt_store)
    assert bolt_store.find_installation(enterprise_id=None, team_id=TEAM, user_id="UINSTALL01") is not None
    assert bolt_store.find_installation(enterprise_id=None, team_id=TEAM, user_id="USOMEONE01") is None


def test_a_rotated_bot_token_replaces_the_old(bolt_store: DatabaseInstallationStore, clock: FixedClock) -> None:
    saved(bolt_store)
    rotated = Bot(
        team_id=TEAM,
        bot_token="xoxb-SYNTHETIC-2",
        bot_id="BBOT000001",
        bot_user_id="UBOT000001",
        bot_refresh_token="xoxe-SYNTHETIC-2",
        bot_token_expires_at=int(clock.now().timestamp()) + 3600,
        installed_at=clock.now().timestamp(),
    )
    bolt_store.save_bot(rotated)
    bot = bolt_store.find_bot(enterprise_id=None, team_id=TEAM)
    assert bot is not None and (bot.bot_token, bot.bot_refresh_token) == ("xoxb-SYNTHETIC-2", "xoxe-SYNTHETIC-2")
    assert bot.bot_token_expires_at == int(clock.now().timestamp()) + 3600


def test_a_revoked_user_token_goes_and_the_bot_stays(bolt_store: DatabaseInstallationStore) -> None:
    saved(bolt_store)
    bolt_store.delete_installation(enterprise_id=None, team_id=TEAM, user_id="UINSTALL01")
    found = bolt_store.find_installation(enterprise_id=None, team_id=TEAM)
    assert found is not None and found.user_token is None and found.bot_token == "xoxb-SYNTHETIC-1"


@pytest.mark.parametrize("how", ["delete_all", "delete_bot", "delete_installation"])
def test_an_uninstall_removes_it(how: str, bolt_store: DatabaseInstallationStore) -> None:
    saved(bolt_store)
    getattr(bolt_store, how)(enterprise_id=None, team_id=TEAM)
    assert bolt_store.find_installation(enterprise_id=None, team_id=TEAM) is None
    assert bolt_store.find_bot(enterprise_id=None, team_id=TEAM) is None
