"""Irreversible commands ask first; `--yes` answers for scripts; with no terminal they refuse, naming --yes,
and change nothing."""

from __future__ import annotations

import io
import json
import os
import pty
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli import main
from bot.clock import FixedClock
from tests.factories import BOARD_TOML, referral_data
from tests.support.settings_env import forget_settings

REF = "SCR-2026-0001"
LATER = FixedClock(datetime(2034, 6, 1, 10, tzinfo=UTC))  # past the 7-year retention of a case closed in 2026


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clock: FixedClock) -> Path:
    (tmp_path / "board.toml").write_text(BOARD_TOML)
    (tmp_path / "referral.json").write_text(json.dumps(referral_data()))
    monkeypatch.chdir(tmp_path)
    forget_settings(monkeypatch)
    monkeypatch.setenv("SCRBOT_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("SCRBOT_BOARD_CONFIG", str(tmp_path / "board.toml"))
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))  # a script's stdin: not a terminal
    assert main(["refer", "--file", "referral.json"], clock=clock) == 0
    return tmp_path


def scrbot(capsys: pytest.CaptureFixture[str], clock: FixedClock, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv), clock=clock)
    out, err = capsys.readouterr()
    return code, out, err


def status(capsys: pytest.CaptureFixture[str], clock: FixedClock) -> str:
    code, out, _ = scrbot(capsys, clock, "case", "show", REF, "--json")
    assert code == 0
    return str(json.loads(out)["status"])


def keys(capsys: pytest.CaptureFixture[str], clock: FixedClock) -> list[str]:
    return sorted(json.loads(scrbot(capsys, clock, "keys", "status", "--json")[1])["keys"])


@pytest.mark.parametrize("argv", [["case", "close", REF], ["case", "advance", REF, "closed"]])
def test_closing_a_case_without_a_terminal_refuses_and_names_yes(
    workdir: Path, clock: FixedClock, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    code, _, err = scrbot(capsys, clock, *argv)
    assert code == 2 and "add --yes" in err and len(err.strip().splitlines()) == 1
    assert status(capsys, clock) == "referred"
    assert scrbot(capsys, clock, *argv, "--yes")[0] == 0
    assert status(capsys, clock) == "closed"


def test_purge_asks_only_when_there_is_something_to_remove(
    workdir: Path, clock: FixedClock, capsys: pytest.CaptureFixture[str]
) -> None:
    assert scrbot(capsys, clock, "purge")[0] == 0  # nothing past retention: nothing to confirm
    assert scrbot(capsys, clock, "case", "close", REF, "--yes")[0] == 0
    assert json.loads(scrbot(capsys, LATER, "purge", "--dry-run", "--json")[1])["cases"] == [REF]  # no question
    code, _, err = scrbot(capsys, LATER, "purge")
    assert code == 2 and "Remove the personal data of 1 case(s) (SCR-2026-0001)" in err and "add --yes" in err
    assert json.loads(scrbot(capsys, LATER, "purge", "--dry-run", "--json")[1])["cases"] == [REF]  # still there
    code, out, _ = scrbot(capsys, LATER, "purge", "--yes", "--json")
    assert code == 0 and json.loads(out)["cases"] == [REF]


@pytest.mark.parametrize("argv", [["keys", "retire"], ["keys", "rotate", "--retire"]])
def test_retiring_keys_without_a_terminal_refuses(
    workdir: Path, clock: FixedClock, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    assert scrbot(capsys, clock, "keys", "rotate")[0] == 0  # the first key is now unused
    before = keys(capsys, clock)
    assert len(before) == 2
    code, _, err = scrbot(capsys, clock, *argv)
    assert code == 2 and "add --yes" in err
    assert keys(capsys, clock) == before  # nothing rotated, nothing removed
    assert scrbot(capsys, clock, *argv, "--yes")[0] == 0
    active = json.loads(scrbot(capsys, clock, "keys", "status", "--json")[1])["active"]
    assert keys(capsys, clock) == [active]  # the unused old key(s) removed


@pytest.mark.parametrize(("answer", "closed"), [("n\n", False), ("\n", False), ("y\n", True), ("yes\n", True)])
def test_a_person_at_a_terminal_is_asked(workdir: Path, answer: str, closed: bool) -> None:
    """The real command on a real pseudo-terminal: the question, then the answer typed."""
    env = {**os.environ, "SCRBOT_CLOCK": "2026-11-22T10:00:00+00:00"}
    leader, follower = pty.openpty()
    scrbot_path = Path(sys.executable).with_name("scrbot")
    process = subprocess.Popen(
        [str(scrbot_path), "case", "close", REF], stdin=follower, stdout=subprocess.PIPE, stderr=follower, env=env
    )
    os.close(follower)
    seen = b""
    while b"[y/N]" not in seen:
        chunk = os.read(leader, 1024)
        assert chunk, seen
        seen += chunk
    os.write(leader, answer.encode())
    out, _ = process.communicate(timeout=60)
    os.close(leader)
    assert b"Close SCR-2026-0001 and cancel its open deadlines. This cannot be undone." in seen
    assert (process.returncode == 0) is closed
    assert (b"is closed" in out) is closed
