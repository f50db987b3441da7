"""`scrbot run` runs the doctor's checks first and refuses to start on a failure that would lose or leak data;
other failures (the bot outside its Slack channel, a mailbox refusing) are shown and the service starts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main
from bot.clock import FixedClock
from bot.commands.run_cmd import EXIT_REFUSED_TO_START
from tests.factories import referral_data


def file_a_referral(env: Path, clock: FixedClock) -> None:
    (env / "referral.json").write_text(json.dumps(referral_data()))
    assert main(["refer", "--file", str(env / "referral.json")], clock=clock) == 0


def test_a_lost_key_file_stops_the_start_before_new_keys_are_made(
    env: Path, clock: FixedClock, capsys: pytest.CaptureFixture[str]
) -> None:
    file_a_referral(env, clock)
    keys = env / "var" / "keys.json"
    keys.rename(env / "keys-elsewhere.json")
    capsys.readouterr()
    assert main(["run", "--once"], clock=clock) == EXIT_REFUSED_TO_START
    out = capsys.readouterr().out
    assert "FAIL  keys match data" in out and "SCR Bot will not start" in out
    assert not keys.exists()  # no fresh key ring that could never open the sealed data
    (env / "keys-elsewhere.json").rename(keys)
    assert main(["run", "--once"], clock=clock) == 0


def test_a_key_file_others_can_read_stops_the_start(
    env: Path, clock: FixedClock, capsys: pytest.CaptureFixture[str]
) -> None:
    file_a_referral(env, clock)
    (env / "var" / "keys.json").chmod(0o644)
    capsys.readouterr()
    assert main(["run", "--once"], clock=clock) == EXIT_REFUSED_TO_START
    assert "chmod 600" in capsys.readouterr().out


def test_a_slack_problem_is_shown_but_does_not_stop_the_start(
    env: Path, clock: FixedClock, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bot is not in the business unit's channel: notices would wait in the outbox, nothing is lost."""
    from tests.support.fake_slack import FakeSlack

    with FakeSlack(channels={}) as fake:
        monkeypatch.setenv("SCRBOT_SLACK_BOT_TOKEN", "xoxb-test")
        monkeypatch.setenv("SCRBOT_SLACK_APP_TOKEN", "xapp-test")
        monkeypatch.setenv("SCRBOT_SLACK_API_URL", fake.base_url)
        code = main(["run", "--once"], clock=clock)
    out = capsys.readouterr().out
    assert "FAIL  slack channel" in out and "will not start" not in out
    assert code == 0
