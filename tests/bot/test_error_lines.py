"""Error lines name the field, never its value: a rationale, a name or a date of birth typed into a command
comes back as "Rationale (rationale): ...", not as the text (errors/__init__.py). End to end through the CLI,
with a synthetic name in every value; the screen, the log file and the captured logs are searched."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from bot.cli import main
from bot.clock import FixedClock
from errors import EXIT_BAD_INPUT
from tests.factories import BOARD_TOML, CHILD_FORENAMES, CHILD_LAST_NAME, referral_data

NAME = f"{CHILD_FORENAMES} {CHILD_LAST_NAME}"
LONG = (NAME + " ") * 600  # 21,000 characters: over every limit


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "board.toml").write_text(BOARD_TOML)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SCRBOT_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("SCRBOT_BOARD_CONFIG", str(tmp_path / "board.toml"))
    for name in ("SCRBOT_DATABASE_URL", "SCRBOT_KEYS", "SCRBOT_KEY_FILE", "SCRBOT_CLOCK", "SCRBOT_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def referral_file(workdir: Path, **overrides: object) -> str:
    path = workdir / "referral.json"
    path.write_text(json.dumps(referral_data(**overrides)))
    return str(path)


CASES = {
    "decide: rationale too long": (["decide", "SCR-2026-0001", "--outcome", "scr", "--rationale", LONG], "Rationale"),
    "decide: decided by too long": (["decide", "SCR-2026-0001", "--outcome", "scr", "--by", LONG], "Decided by"),
    "decide: detail too long": (["decide", "SCR-2026-0001", "--outcome", "other", "--detail", LONG], "Detail"),
}
REFERRALS = {
    "refer: forenames too long": ({"child.forenames": LONG}, "Child's forename(s)"),
    "refer: address too long": ({"child.home_address": LONG}, "Child's home address"),
    "refer: name not text": ({"child.last_name": [NAME]}, "Child's last name"),
    "refer: date of birth in the future": ({"child.date_of_birth": "2030-05-17"}, "Child's date of birth"),
    "refer: date of birth after the incident": ({"child.date_of_birth": "2026-11-18"}, "Child's date of birth"),
    "refer: mother born after the referral": ({"mother.date_of_birth": "2026-11-21"}, "Mother's date of birth"),
    "refer: outline too long": ({"case_outline": LONG}, "Case outline"),
}


def assert_one_clean_line(err: str, label: str, workdir: Path, caplog: pytest.LogCaptureFixture) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err[:500]
    assert label in lines[0]
    for secret in (CHILD_FORENAMES, CHILD_LAST_NAME, "2030-05-17", "2026-11-18", "2026-11-21", "input_value"):
        assert secret not in err
        assert secret not in caplog.text
    log = workdir / "var" / "logs" / "internal-errors.log"
    assert not log.exists()  # bad input, not a bug


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_decision_error_names_the_field_not_the_value(
    workdir: Path, clock: FixedClock, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture, case: str
) -> None:
    caplog.set_level(logging.DEBUG)
    assert main(["refer", "--file", referral_file(workdir)], clock=clock) == 0
    capsys.readouterr()
    argv, label = CASES[case]
    assert main(argv, clock=clock) == EXIT_BAD_INPUT
    assert_one_clean_line(capsys.readouterr().err, label, workdir, caplog)


@pytest.mark.parametrize("case", sorted(REFERRALS))
def test_a_referral_error_names_the_field_not_the_value(
    workdir: Path, clock: FixedClock, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture, case: str
) -> None:
    caplog.set_level(logging.DEBUG)
    overrides, label = REFERRALS[case]
    assert main(["refer", "--file", referral_file(workdir, **overrides)], clock=clock) == EXIT_BAD_INPUT
    assert_one_clean_line(capsys.readouterr().err, label, workdir, caplog)
