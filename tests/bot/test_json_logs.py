"""SCRBOT_LOG_FORMAT=json: every log line a JSON object with the text line's fields and nothing more, and
still no personal data (the synthetic names of a referral the same processes filed and worked on)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.factories import BOARD_TOML, SENSITIVE_STRINGS, referral_data
from tests.support.settings_env import environment_without_settings

SCRBOT = [sys.executable, "-c", "import sys; from bot.cli import main; sys.exit(main())"]


def test_json_log_lines_carry_no_personal_data(tmp_path: Path) -> None:
    (tmp_path / "board.toml").write_text(BOARD_TOML + '\n[slack]\nbusiness_unit_channel = "C0BUSINESS1"\n')
    (tmp_path / "referral.json").write_text(json.dumps(referral_data()))
    env = environment_without_settings()
    env.update(
        SCRBOT_DATA_DIR=str(tmp_path / "var"),
        SCRBOT_BOARD_CONFIG=str(tmp_path / "board.toml"),
        SCRBOT_LOG_FORMAT="json",
        SCRBOT_LOG_LEVEL="DEBUG",
        SCRBOT_CLOCK="2026-11-22T10:00:00+00:00",
    )
    logs = ""
    for argv in (["refer", "--file", "referral.json"], ["run", "--once"], ["case", "show", "SCR-2026-0001", "--full"]):
        done = subprocess.run([*SCRBOT, *argv], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        logs += done.stderr
    lines = [line for line in logs.splitlines() if line.strip() and not line.startswith("[slack ")]
    assert len(lines) >= 3  # the clock warning of each command, at least
    for line in lines:
        record = json.loads(line)
        assert set(record) == {"time", "level", "logger", "message"}, record
    for sensitive in SENSITIVE_STRINGS:
        assert sensitive not in logs
