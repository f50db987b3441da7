"""Every SCRBOT_* setting, given a wrong value, is one line naming the variable, the problem and what is
allowed; exit 2, never a traceback, never a secret's value.

The table is checked against the settings model: a new setting without a wrong value here fails
`test_the_table_covers_every_setting`, and the parametrised test runs over the model's own fields.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from bot.clock import FixedClock
from bot.settings import Settings
from bot.settings_errors import is_secret, load_settings
from bot.settings_files import env_name, file_settings
from errors import BadInput
from tests.factories import BOARD_TOML
from tests.support.settings_env import forget_settings

SETTINGS = sorted(Settings.model_fields)

# setting -> (a wrong value, words the problem must contain). {tmp} is a scratch folder; {file} a file in it.
WRONG: dict[str, tuple[str, str]] = {
    "data_dir": ("{file}", "is not a folder"),
    "database_url": ("mysql://scr:SYNTHETIC-PW@db.invalid/scr", "does not support"),
    "database_password": ("SYNTHETIC-PW\n2", "control character"),
    "sqlite_synchronous": ("off", "is not one of the choices"),
    "key_file": ("{tmp}", "is not a file"),
    "keys": ('["SYNTHETIC-KEY", ', "is not valid JSON"),
    "board_config": ("{tmp}/missing.toml", "does not exist"),
    "board_dir": ("{file}", "is not a folder"),
    "log_level": ("LOUD", "is not a log level"),
    "log_format": ("xml", "is not one of the choices"),
    "debug": ("perhaps", "is not true or false"),
    "slack_bot_token": ("xoxp-SYNTHETIC-TOKEN", "does not start with xoxb-"),
    "slack_signing_secret": ("SYNTHETIC-SIGNING\t", "control character"),
    "slack_app_token": ("xoxb-SYNTHETIC-TOKEN", "does not start with xapp-"),
    "slack_host": ("not a host!", "is not an IP address or host name"),
    "slack_port": ("70000", "is above the most allowed (65535)"),
    "slack_api_url": ("slack.invalid/api", "is not an http or https URL"),
    "slack_workers": ("0", "is below the least allowed (1)"),
    "slack_client_id": ("SYNTHETIC-APP", "is not a Slack client id"),
    "slack_client_secret": ("SYNTHETIC-SECRET\n", "control character"),
    "slack_redirect_url": ("http://scrbot.board.invalid/slack/oauth_redirect", "is not an https URL"),
    "draft_keep_days": ("a month", "is not a whole number"),
    "draft_warn_days": ("-1", "is below the least allowed (0)"),
    "mail_from": ("scr-bot", "is not an email address"),
    "clock": ("yesterday", "is not an ISO date"),
    "mail_backend": ("imap", "is not one of the choices"),
    "mail_poll_seconds": ("1", "is below the least allowed (5)"),
    "mail_authserv_id": ("mx board", "is not a host name"),
    "mail_max_message_mb": ("0", "is below the least allowed (1)"),
    "mail_max_attachments": ("ten", "is not a whole number"),
    "mail_max_attachment_mb": ("2.5", "is not a whole number"),
    "ews_endpoint": ("mail.board.invalid/EWS/Exchange.asmx", "is not an http or https URL"),
    "ews_username": ("BOARD\\svc\n", "control character"),
    "ews_password": ("SYNTHETIC-PW\r", "control character"),
    "ews_mailbox": ("scr at board", "is not an email address"),
    "ews_auth_type": ("kerberos", "is not an EWS authentication type"),
    "ews_version": ("2007", "is not a known Exchange version"),
    "ews_max_wait_seconds": ("-5", "is below the least allowed (0)"),
    "ews_ca_bundle": ("{tmp}/internal-ca.pem", "does not exist"),
    "graph_tenant_id": ("not a tenant", "is neither a GUID nor a domain name"),
    "graph_client_id": ("12345", "is not a GUID"),
    "graph_client_secret": ("SYNTHETIC-SECRET\x1b", "control character"),
    "graph_client_certificate": ("{tmp}", "is not a file"),
    "graph_client_certificate_password": ("SYNTHETIC-PW\t", "control character"),
    "graph_mailbox": ("@board.invalid", "is not an email address"),
    "graph_authority": ("http://login.invalid", "is not an https URL"),
    "graph_base_url": ("graph", "is not an https URL"),
    "graph_ca_bundle": ("{tmp}/proxy-ca.pem", "does not exist"),
    "teams_app_id": ("my-bot", "is not a GUID"),
    "teams_app_password": ("SYNTHETIC-SECRET\x07", "control character"),
    "teams_app_type": ("both", "is not one of the choices"),
    "teams_tenant_id": ("not a tenant", "is neither a GUID nor a domain name"),
    "teams_host": ("not a host!", "is not an IP address or host name"),
    "teams_port": ("-1", "is below the least allowed (0)"),
    "teams_workers": ("33", "is above the most allowed (32)"),
    "teams_openid_metadata_url": ("login.invalid/openid", "is not an http or https URL"),
    "teams_token_issuer": ("botframework", "is not an http or https URL"),
    "teams_authority": ("login.invalid", "is not an http or https URL"),
    "teams_ca_bundle": ("{tmp}/teams-ca.pem", "does not exist"),
    "teams_public_url": ("scrbot.board.invalid", "is not an http or https URL"),
}


@pytest.fixture
def clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No SCRBOT_* variable from the developer's shell; a board file; no .env in the working folder."""
    forget_settings(monkeypatch)
    (tmp_path / "board.toml").write_text(BOARD_TOML)
    (tmp_path / "a-file.txt").write_text("not a folder")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SCRBOT_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("SCRBOT_BOARD_CONFIG", str(tmp_path / "board.toml"))
    return tmp_path


def test_the_table_covers_every_setting() -> None:
    assert set(WRONG) == set(SETTINGS)


def test_every_setting_is_described() -> None:
    undescribed = [name for name in SETTINGS if not Settings.model_fields[name].description]
    assert undescribed == []


@pytest.mark.parametrize("name", SETTINGS)
def test_a_wrong_value_is_one_line_naming_the_setting(
    name: str,
    clean_env: Path,
    clock: FixedClock,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    value, problem = WRONG[name]
    value = value.format(tmp=clean_env, file=clean_env / "a-file.txt")
    monkeypatch.setenv(env_name(name), value)
    assert main(["case", "list"], clock=clock) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert len(err.strip().splitlines()) == 1, err
    assert err.startswith(f"scrbot: {env_name(name)}: "), err
    assert problem in err
    assert "; allowed: " in err
    assert "Traceback" not in err
    if is_secret(name):
        assert "SYNTHETIC" not in err


@pytest.mark.parametrize(
    ("variables", "says"),
    [
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, "neither SCRBOT_SLACK_SIGNING_SECRET (HTTP mode) nor SCRBOT_SLACK_APP_TOKEN"),
        ({"SLACK_SIGNING_SECRET": "s3cret"}, "SCRBOT_SLACK_SIGNING_SECRET is set but SCRBOT_SLACK_BOT_TOKEN is not"),
        ({"SLACK_APP_TOKEN": "xapp-1"}, "SCRBOT_SLACK_APP_TOKEN is set but SCRBOT_SLACK_BOT_TOKEN is not"),
        ({"SLACK_CLIENT_ID": "1234.5678"}, "SCRBOT_SLACK_CLIENT_ID is set but SCRBOT_SLACK_CLIENT_SECRET is not"),
        ({"SLACK_CLIENT_SECRET": "s3cret"}, "SCRBOT_SLACK_CLIENT_SECRET is set but SCRBOT_SLACK_CLIENT_ID is not"),
        (
            {"SLACK_REDIRECT_URL": "https://scrbot.board.invalid/slack/oauth_redirect"},
            "SCRBOT_SLACK_REDIRECT_URL is set but SCRBOT_SLACK_CLIENT_ID is not",
        ),
        (
            {"SLACK_CLIENT_ID": "1234.5678", "SLACK_CLIENT_SECRET": "s3cret"},
            "SCRBOT_SLACK_CLIENT_ID is set but SCRBOT_SLACK_SIGNING_SECRET is not",
        ),
        (
            {
                "SLACK_CLIENT_ID": "1234.5678",
                "SLACK_CLIENT_SECRET": "s3cret",
                "SLACK_SIGNING_SECRET": "s3cret",
                "SLACK_BOT_TOKEN": "xoxb-1",
            },
            "SCRBOT_SLACK_CLIENT_ID and SCRBOT_SLACK_BOT_TOKEN are both set",
        ),
        ({"DRAFT_KEEP_DAYS": "3", "DRAFT_WARN_DAYS": "3"}, "SCRBOT_DRAFT_WARN_DAYS (3) is not less than"),
        (
            {"MAIL_BACKEND": "ews", "EWS_ENDPOINT": "https://mail.board.invalid/EWS/Exchange.asmx"},
            "needs SCRBOT_EWS_USERNAME, SCRBOT_EWS_MAILBOX",
        ),
        (
            {"MAIL_BACKEND": "graph"},
            "needs SCRBOT_GRAPH_TENANT_ID, SCRBOT_GRAPH_CLIENT_ID, SCRBOT_GRAPH_MAILBOX, "
            "SCRBOT_GRAPH_CLIENT_SECRET (or SCRBOT_GRAPH_CLIENT_CERTIFICATE)",
        ),
        (
            {
                "MAIL_BACKEND": "graph",
                "GRAPH_TENANT_ID": "board.onmicrosoft.com",
                "GRAPH_CLIENT_ID": "11111111-2222-4333-8444-555555555555",
                "GRAPH_MAILBOX": "scr@board.invalid",
                "GRAPH_CLIENT_SECRET": "x",
                "GRAPH_CLIENT_CERTIFICATE": "{board}",
            },
            "are both set; allowed: one of them",
        ),
        ({"BOARD_DIR": "{folder}"}, "SCRBOT_BOARD_CONFIG and SCRBOT_BOARD_DIR are both set"),
    ],
)
def test_half_a_configuration_is_an_error_not_a_fallback(
    variables: dict[str, str],
    says: str,
    clean_env: Path,
    clock: FixedClock,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in variables.items():
        monkeypatch.setenv(f"SCRBOT_{name}", value.format(board=clean_env / "board.toml", folder=clean_env))
    assert main(["case", "list"], clock=clock) == 2
    _, err = capsys.readouterr()
    assert says in err and len(err.strip().splitlines()) == 1


def test_slack_with_either_companion_is_configured(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCRBOT_SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("SCRBOT_SLACK_APP_TOKEN", "xapp-1")
    assert load_settings().slack_configured
    monkeypatch.delenv("SCRBOT_SLACK_APP_TOKEN")
    monkeypatch.setenv("SCRBOT_SLACK_SIGNING_SECRET", "s3cret")
    assert load_settings().slack_configured


def test_install_mode_is_on_with_the_client_id(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCRBOT_SLACK_SIGNING_SECRET", "s3cret")
    monkeypatch.setenv("SCRBOT_SLACK_BOT_TOKEN", "xoxb-1")
    assert not load_settings().slack_install_mode  # one workspace's token, as before
    monkeypatch.delenv("SCRBOT_SLACK_BOT_TOKEN")
    monkeypatch.setenv("SCRBOT_SLACK_CLIENT_ID", "1234.5678")
    monkeypatch.setenv("SCRBOT_SLACK_CLIENT_SECRET", "s3cret")
    settings = load_settings()
    assert settings.slack_install_mode and settings.slack_configured and not settings.local_mode


@pytest.mark.parametrize("name", file_settings(Settings))
def test_a_secret_can_come_from_a_file(name: str, clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    values = {
        "slack_bot_token": "xoxb-from-file",
        "slack_app_token": "xapp-from-file",
        "database_url": "postgresql+psycopg://scr@db.invalid/scr",
    }
    value = values.get(name, "from-a-file")
    secret = clean_env / "secret"
    secret.write_text(value + "\n")  # editors end files with a newline; it is not part of the secret
    monkeypatch.setenv(env_name(name) + "_FILE", str(secret))
    if name == "slack_client_secret":  # install mode needs its client id and HTTP's signing secret
        monkeypatch.setenv("SCRBOT_SLACK_CLIENT_ID", "1234.5678")
        monkeypatch.setenv("SCRBOT_SLACK_SIGNING_SECRET", "s3cret")
    elif name.startswith("slack_"):  # Slack needs its pair
        monkeypatch.setenv(
            "SCRBOT_SLACK_BOT_TOKEN" if name != "slack_bot_token" else "SCRBOT_SLACK_APP_TOKEN",
            "xoxb-1" if name != "slack_bot_token" else "xapp-1",
        )
    if name == "teams_app_password":  # and Teams its app id
        monkeypatch.setenv("SCRBOT_TEAMS_APP_ID", "11111111-2222-4333-8444-555555555555")
    got = getattr(load_settings(), name)
    assert (got.get_secret_value() if hasattr(got, "get_secret_value") else got) == value


def test_a_secret_file_problem_is_named(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCRBOT_EWS_PASSWORD_FILE", str(clean_env / "nowhere"))
    with pytest.raises(BadInput, match=r"SCRBOT_EWS_PASSWORD_FILE: .*nowhere does not exist"):
        load_settings()
    (clean_env / "pw").write_text("x")
    monkeypatch.setenv("SCRBOT_EWS_PASSWORD_FILE", str(clean_env / "pw"))
    monkeypatch.setenv("SCRBOT_EWS_PASSWORD", "y")
    with pytest.raises(BadInput, match="SCRBOT_EWS_PASSWORD and SCRBOT_EWS_PASSWORD_FILE are both set"):
        load_settings()


def test_the_database_password_joins_the_url(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCRBOT_DATABASE_URL", "postgresql+psycopg://scr@db.invalid:5432/scr")
    monkeypatch.setenv("SCRBOT_DATABASE_PASSWORD", "p@ss/word")
    assert load_settings().resolved_database_url == "postgresql+psycopg://scr:p%40ss%2Fword@db.invalid:5432/scr"


def test_the_installed_command_shows_no_traceback(clean_env: Path) -> None:
    env = {**os.environ, "SCRBOT_SLACK_PORT": "abc", "SCRBOT_DATA_DIR": str(clean_env / "var")}
    scrbot = Path(sys.executable).with_name("scrbot")
    result = subprocess.run([str(scrbot), "case", "list"], env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 2
    assert result.stderr == (
        "scrbot: SCRBOT_SLACK_PORT: 'abc' is not a whole number; allowed: a whole number from 0 to 65535\n"
    )
