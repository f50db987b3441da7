"""The reminder benchmark keeps working: tiny sizes, SQLite only, JSON written. No timing is asserted."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_reminder_benchmark_runs(tmp_path: Path) -> None:
    output = tmp_path / "reminders.json"
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "reminders.py"),
            *("--sizes", "20", "60", "--backends", "sqlite"),
            "--output",
            str(output),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Ratio of each size" in result.stdout
    data = json.loads(output.read_text())
    assert data["benchmark"] == "reminders"
    small, large = data["results"]["sqlite"]
    assert (small["cases"], large["cases"]) == (20, 60)
    assert large["peak"]["due"] > small["peak"]["due"] > 0  # the day's reminders grow with the cases
    assert large["fixed_100"]["due"] == 100 and "ratio_to_baseline" in large
