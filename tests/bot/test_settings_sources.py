"""Where settings come from (pydantic-settings' sources, ordered in bot/settings.py): the environment
before secret files before `.env`, names matched without regard to case, and a wrong value from any of them
the same one-line error."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings_errors import SettingsError, load_settings
from tests.factories import BOARD_TOML
from tests.support.settings_env import forget_settings


@pytest.fixture
def clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    forget_settings(monkeypatch)
    (tmp_path / "board.toml").write_text(BOARD_TOML)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SCRBOT_BOARD_CONFIG", str(tmp_path / "board.toml"))
    return tmp_path


def test_a_dotenv_file_in_the_working_folder_is_read(clean_env: Path) -> None:
    (clean_env / ".env").write_text(
        "SCRBOT_SLACK_PORT=3100\nSCRBOT_LOG_LEVEL=DEBUG\nOTHER_TOOL=x\nSCRBOT_NOT_A_SETTING=1\n"
    )
    settings = load_settings()
    assert (settings.slack_port, settings.log_level) == (3100, "DEBUG")


def test_the_environment_comes_before_dotenv_and_a_caller_before_both(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (clean_env / ".env").write_text("SCRBOT_SLACK_PORT=3100\n")
    monkeypatch.setenv("SCRBOT_SLACK_PORT", "3200")
    assert load_settings().slack_port == 3200
    assert load_settings(slack_port=3300).slack_port == 3300


def test_a_secret_file_comes_before_dotenv(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (clean_env / ".env").write_text("SCRBOT_EWS_PASSWORD=from-dotenv\n")
    (clean_env / "pw").write_text("from-file\n")
    monkeypatch.setenv("SCRBOT_EWS_PASSWORD_FILE", str(clean_env / "pw"))
    assert load_settings().ews_password.get_secret_value() == "from-file"


def test_names_are_matched_without_regard_to_case(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("scrbot_slack_port", "3400")
    (clean_env / ".env").write_text("Scrbot_Log_Level=WARNING\n")
    settings = load_settings()
    assert (settings.slack_port, settings.log_level) == (3400, "WARNING")


def test_a_wrong_value_in_dotenv_is_the_same_one_line(clean_env: Path) -> None:
    (clean_env / ".env").write_text("SCRBOT_SLACK_PORT=abc\n")
    with pytest.raises(SettingsError) as raised:
        load_settings()
    assert (
        str(raised.value) == "SCRBOT_SLACK_PORT: 'abc' is not a whole number; allowed: a whole number from 0 to 65535"
    )


def test_an_empty_value_is_a_value(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCRBOT_DEBUG", "")
    with pytest.raises(SettingsError, match="SCRBOT_DEBUG: '' is not true or false"):
        load_settings()
