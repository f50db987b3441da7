"""A clean environment for `scrbot doctor`: no SCRBOT_* from the developer's shell, a board file with a
business unit channel, a data folder, and a helper that runs the real command and reads its JSON."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.cli import main
from bot.clock import FixedClock
from tests.factories import BOARD_TOML
from tests.support.settings_env import forget_settings

CHANNEL = "C0BUSINESS1"
BOARD_WITH_SLACK = BOARD_TOML + f'\n[slack]\nbusiness_unit_channel = "{CHANNEL}"\n'

Doctor = Callable[..., tuple[int, dict[str, tuple[str, str]]]]


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    forget_settings(monkeypatch)
    (tmp_path / "board.toml").write_text(BOARD_WITH_SLACK)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SCRBOT_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("SCRBOT_BOARD_CONFIG", str(tmp_path / "board.toml"))
    return tmp_path


@pytest.fixture
def doctor(env: Path, clock: FixedClock, capsys: pytest.CaptureFixture[str]) -> Doctor:
    """`scrbot doctor --json [extra...]`: (exit code, {check: (status, detail)})."""

    def run(*extra: str) -> tuple[int, dict[str, tuple[str, str]]]:
        capsys.readouterr()  # what earlier commands printed
        code = main(["doctor", "--json", *extra], clock=clock)
        out, err = capsys.readouterr()
        assert err == "" or "Traceback" not in err
        report = json.loads(out)
        assert report["ok"] is (code == 0)
        return code, {c["check"]: (c["status"], c["detail"]) for c in report["checks"]}

    return run
