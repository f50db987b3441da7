"""The Slack checks against the local fake Slack Web API (real slack_sdk over HTTP), made to fail in each way:
a refused token, missing scopes, the bot outside the channel, an unknown channel, staff ids that do not
resolve, a refused app-level token, Slack unreachable."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.clock import FixedClock
from bot.context import AppContext
from bot.doctor.slack_checks import manifest_scopes
from bot.settings_errors import load_settings
from bot.slack.installs import installations_over
from storage.slack_installs import WorkspaceInstall
from tests.bot.doctor.conftest import BOARD_WITH_SLACK, CHANNEL, Doctor
from tests.support.fake_slack import FakeSlack

STAFF = {"UBU000001": {"real_name": "Business Unit Tester"}, "UCHAIR0001": {"real_name": "Chair Tester"}}


@pytest.fixture
def slack(env: object, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeSlack]:
    fake = FakeSlack(
        users=dict(STAFF), channels={CHANNEL: {"name": "scr-business-unit", "is_member": True}}, strict_users=True
    )
    with fake:
        monkeypatch.setenv("SCRBOT_SLACK_BOT_TOKEN", "xoxb-test")
        monkeypatch.setenv("SCRBOT_SLACK_SIGNING_SECRET", "test-signing-secret")
        monkeypatch.setenv("SCRBOT_SLACK_API_URL", fake.base_url)
        yield fake


def slack_lines(checks: dict[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
    return {name: value for name, value in checks.items() if name.startswith("slack")}


def test_a_good_slack_set_up(slack: FakeSlack, doctor: Doctor) -> None:
    code, checks = doctor()
    assert code == 0, checks
    lines = slack_lines(checks)
    assert {name: status for name, (status, _) in lines.items()} == {
        "slack": "ok",
        "slack scopes": "ok",
        "slack channel": "ok",
        "slack members": "ok",
        "slack user group": "ok",
    }
    assert "UBOT000001" in lines["slack"][1]
    assert lines["slack channel"][1] == f"the bot is in #scr-business-unit ({CHANNEL})"
    assert lines["slack members"][1] == "2 staff Slack user id(s) resolve"
    assert not [c for c in slack.calls() if c.method.startswith("chat.")]  # nothing posted


def test_quick_makes_no_slack_call(slack: FakeSlack, doctor: Doctor) -> None:
    code, checks = doctor("--quick")
    assert code == 0 and checks["slack"][0] == "skip" and slack.calls() == []


@pytest.mark.parametrize("error", ["invalid_auth", "token_revoked", "account_inactive"])
def test_a_refused_token(slack: FakeSlack, doctor: Doctor, error: str) -> None:
    slack.fail_next("auth.test", error)
    code, checks = doctor()
    assert code == 1
    assert checks["slack"] == (
        "fail",
        f"Slack refused the bot token ({error}): check SCRBOT_SLACK_BOT_TOKEN, or reinstall the app",
    )
    assert checks["slack channel"] == ("skip", "needs slack first")


def test_missing_scopes_are_named(slack: FakeSlack, doctor: Doctor) -> None:
    slack.scopes = sorted(manifest_scopes() - {"channels:read", "usergroups:read"})
    code, checks = doctor()
    assert code == 1
    status, detail = checks["slack scopes"]
    assert status == "fail" and detail.startswith("missing scope(s) channels:read, usergroups:read: ")


def test_more_scopes_than_needed_is_a_warning(slack: FakeSlack, doctor: Doctor) -> None:
    slack.scopes = [*manifest_scopes(), "admin"]
    code, checks = doctor()
    assert code == 0 and checks["slack scopes"][0] == "warn" and "admin" in checks["slack scopes"][1]


@pytest.mark.parametrize(
    ("channels", "says"),
    [
        ({CHANNEL: {"name": "scr-business-unit", "is_member": False}}, "type /invite @SCR Bot"),
        ({}, f"channel {CHANNEL} not found"),
        ({CHANNEL: {"name": "old", "is_member": True, "is_archived": True}}, "is archived"),
    ],
)
def test_the_bot_outside_the_business_unit_channel(
    slack: FakeSlack, doctor: Doctor, channels: dict[str, dict[str, Any]], says: str
) -> None:
    slack.channels = channels
    code, checks = doctor()
    assert code == 1 and checks["slack channel"][0] == "fail" and says in checks["slack channel"][1]


def test_staff_ids_that_do_not_resolve(slack: FakeSlack, doctor: Doctor) -> None:
    slack.users = {"UBU000001": {"real_name": "Business Unit Tester", "deleted": "true"}}
    code, checks = doctor()
    assert code == 1
    assert checks["slack members"] == (
        "fail",
        "[[members]] slack_user_id not found: UCHAIR0001; deactivated: UBU000001 (README, Slack ids)",
    )


def test_socket_mode_checks_the_app_token(slack: FakeSlack, doctor: Doctor, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SCRBOT_SLACK_SIGNING_SECRET")
    monkeypatch.setenv("SCRBOT_SLACK_APP_TOKEN", "xapp-test")
    code, checks = doctor()
    assert code == 0 and checks["slack socket mode"][0] == "ok", checks
    assert any(c.method == "apps.connections.open" and c.token == "xapp-test" for c in slack.calls())
    slack.fail_next("apps.connections.open", "invalid_auth")
    code, checks = doctor()
    assert code == 1 and checks["slack socket mode"] == (
        "fail",
        "apps.connections.open (SCRBOT_SLACK_APP_TOKEN): Slack answered invalid_auth",
    )


def test_slack_unreachable(env: object, doctor: Doctor, monkeypatch: pytest.MonkeyPatch) -> None:
    with FakeSlack() as gone:
        url = gone.base_url  # a port that was just free: nothing listens after the fake stops
    monkeypatch.setenv("SCRBOT_SLACK_BOT_TOKEN", "xoxb-test")
    monkeypatch.setenv("SCRBOT_SLACK_SIGNING_SECRET", "s")
    monkeypatch.setenv("SCRBOT_SLACK_API_URL", url)
    code, checks = doctor()
    assert code == 1 and checks["slack"][0] == "fail" and checks["slack"][1].startswith("cannot reach Slack")


@pytest.fixture
def install_mode(env: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeSlack]:
    """Install mode (one app, many workspaces): the board names its workspace; no bot token is set."""
    (env / "board.toml").write_text(BOARD_WITH_SLACK + 'team_id = "T0BOARDA01"\n')
    with FakeSlack(users=dict(STAFF), channels={CHANNEL: {"name": "scr-business-unit", "is_member": True}}) as fake:
        monkeypatch.setenv("SCRBOT_SLACK_CLIENT_ID", "1234.5678")
        monkeypatch.setenv("SCRBOT_SLACK_CLIENT_SECRET", "SYNTHETIC-CLIENT-SECRET")
        monkeypatch.setenv("SCRBOT_SLACK_SIGNING_SECRET", "test-signing-secret")
        monkeypatch.setenv("SCRBOT_SLACK_API_URL", fake.base_url)
        yield fake


def test_install_mode_checks_the_boards_installation(
    install_mode: FakeSlack, doctor: Doctor, clock: FixedClock
) -> None:
    ctx = AppContext(settings=load_settings(), clock=clock)
    ctx.store  # noqa: B018 - the database, at head, as `scrbot run` leaves it
    code, checks = doctor()
    assert (
        checks["slack installation"][0] == "fail"
        and "not installed in workspace T0BOARDA01" in checks["slack installation"][1]
    )
    assert checks["slack"][0] == "skip" and code != 0
    installations_over([ctx.store], clock).save(
        WorkspaceInstall(team_id="T0BOARDA01", bot_token="xoxb-SYNTHETIC-INSTALLED", bot_user_id="UBOT000001")
    )
    code, checks = doctor()
    assert checks["slack installation"] == ("ok", "installed in workspace T0BOARDA01")
    assert checks["slack"][0] == "ok"
    assert {c.token for c in install_mode.calls("auth.test")} == {"xoxb-SYNTHETIC-INSTALLED"}
