"""The mail ingest benchmark keeps working: a few hundred messages, SQLite, JSON written. No timing is
asserted."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_mail_ingest_benchmark_runs(tmp_path: Path) -> None:
    output = tmp_path / "mail_ingest.json"
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "mail_ingest.py"), "--messages", "200", "--output", str(output)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "ratio end to end / stdlib parse" in result.stdout
    data = json.loads(output.read_text())
    assert data["benchmark"] == "mail_ingest" and data["messages"] == 200
    assert sum(data["outcomes"].values()) == 200 and data["duplicates"] == 20
    assert data["end_to_end_messages_per_second"] > 0 and "ratio_end_to_end_to_baseline" in data
