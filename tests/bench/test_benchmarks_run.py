"""Benchmarks keep working: each runs at a tiny size and writes its JSON. No timing is asserted here;
performance is measured by running the benchmarks themselves (README, "Performance")."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def run_bench(script: str, *args: str, tmp_path: Path) -> dict[str, Any]:
    output = tmp_path / "result.json"
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / script), *args, "--output", str(output)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "ratio" in result.stdout.lower()  # every benchmark prints its ratio against its baseline
    data: dict[str, Any] = json.loads(output.read_text())
    return data


def test_store_benchmark_runs(tmp_path: Path) -> None:
    data = run_bench("store.py", "--count", "20", "--rounds", "2", tmp_path=tmp_path)
    assert data["benchmark"] == "store"
    assert {"plain", "encrypted", "ratio_encrypted_to_plain"} <= set(data)


def test_slack_ack_benchmark_runs(tmp_path: Path) -> None:
    data = run_bench("slack_ack.py", "--requests", "32", "--clients", "4", "--rounds", "2", tmp_path=tmp_path)
    assert data["benchmark"] == "slack_ack"
    assert data["requests_per_bot"] == 32
    assert {"real", "noop", "ratio_real_to_noop"} <= set(data)


def test_mail_ingest_benchmark_runs(tmp_path: Path) -> None:
    data = run_bench("mail_ingest.py", "--messages", "200", tmp_path=tmp_path)
    assert data["benchmark"] == "mail_ingest" and data["messages"] == 200
    assert sum(data["outcomes"].values()) == 200 and data["duplicates"] == 20
    assert data["end_to_end_messages_per_second"] > 0 and "ratio_end_to_end_to_baseline" in data


def test_reminder_benchmark_runs(tmp_path: Path) -> None:
    data = run_bench("reminders.py", "--sizes", "20", "60", "--backends", "sqlite", tmp_path=tmp_path)
    assert data["benchmark"] == "reminders"
    small, large = data["results"]["sqlite"]
    assert (small["cases"], large["cases"]) == (20, 60)
    assert large["peak"]["due"] > small["peak"]["due"] > 0  # the day's reminders grow with the cases
    assert large["fixed_100"]["due"] == 100 and "ratio_to_baseline" in large


def test_crash_run_benchmark_runs(tmp_path: Path) -> None:
    data = run_bench("crash_run.py", "--small", "--kills", "1", "--backends", "sqlite", tmp_path=tmp_path)
    assert data["benchmark"] == "crash_run"
    crash = data["sqlite"]["crash"]
    assert crash["kills"] == 1 and (crash["duplicates"], crash["lost"]) == (0, 0)
    assert "ratio_seconds_crash_to_clean" in data["sqlite"]


def test_hostile_mail_benchmark_runs(tmp_path: Path) -> None:
    data = run_bench("hostile_mail.py", "--max-mib", "0.2", "--repeat", "1", tmp_path=tmp_path)
    assert data["benchmark"] == "hostile_mail"
    assert set(data["worst"]) == {"html", "headers", "mime"}
    assert all("ratio_to_benign_stdlib_parse" in w for w in data["worst"].values())
    assert {r["category"] for r in data["inputs"]} == {"html", "headers", "mime"}


def test_cli_start_benchmark_runs(tmp_path: Path) -> None:
    data = run_bench("cli_start.py", "--runs", "1", tmp_path=tmp_path)
    assert data["benchmark"] == "cli_start" and data["runs"] == 1
    assert set(data["ratio_to_sqlalchemy_floor"]) == {"scrbot_help", "scrbot_case_list", "scrbot_deadlines_json"}


def test_teams_ack_benchmark_runs(tmp_path: Path) -> None:
    data = run_bench("teams_ack.py", "--requests", "32", "--clients", "4", "--rounds", "1", tmp_path=tmp_path)
    assert data["benchmark"] == "teams_ack"
    assert data["real"]["count"] == 32 and data["noop"]["count"] == 32


def test_anonymisation_benchmark_runs(tmp_path: Path) -> None:
    data = run_bench("anonymisation.py", "--pages", "3", "--rounds", "1", tmp_path=tmp_path)
    assert data["benchmark"] == "anonymisation" and data["pages"] == 3
    assert data["docx"]["check_s"] > 0 and data["pdf"]["extract_s"] > 0
    assert data["corpus"]["recall"] == 1.0 and data["corpus"]["false_positives"] == 0
