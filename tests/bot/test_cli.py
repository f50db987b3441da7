"""The `scrbot` CLI as scripts and people use it: JSON output, one-line errors, nothing half-written."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from bot.cli import main
from bot.clock import FixedClock
from tests.factories import BOARD_TOML, SENSITIVE_STRINGS, at, referral_data

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "board.toml").write_text(BOARD_TOML)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SCRBOT_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("SCRBOT_BOARD_CONFIG", str(tmp_path / "board.toml"))
    for name in ("SCRBOT_DATABASE_URL", "SCRBOT_KEYS", "SCRBOT_KEY_FILE", "SCRBOT_CLOCK"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def run(clock: FixedClock, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv), clock=clock)
    out, err = capsys.readouterr()
    return code, out, err


def write_referral(workdir: Path, name: str = "referral.json", **overrides: object) -> str:
    path = workdir / name
    path.write_text(json.dumps(referral_data(**overrides)))
    return str(path)


def test_deadlines_json_across_christmas(workdir: Path, clock: FixedClock, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        clock, capsys, "deadlines", "--event", "decision_made", "--outcome", "scr", "--on", "2026-12-22", "--json"
    )
    assert code == 0
    rows = {r["rule"]: r for r in json.loads(out)}
    assert rows["statutory_decision_notification"]["due"] == "2026-12-31"
    assert rows["statutory_decision_notification"]["act_by"] == "2026-12-31"
    assert rows["statutory_decision_notification"]["source"] == "004 §5.3"
    assert {"rule", "due", "act_by", "limit", "source"} <= set(rows["review_complete"])


def test_refer_list_show_decide(workdir: Path, clock: FixedClock, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(clock, capsys, "refer", "--file", write_referral(workdir), "--json")
    assert code == 0
    reference = json.loads(out)["reference"]
    assert reference == "SCR-2026-0001"

    code, out, _ = run(clock, capsys, "case", "list", "--json")
    [listed] = json.loads(out)
    assert listed["reference"] == reference and listed["agencies_not_confirmed"] == ["health", "police", "school"]
    for text in SENSITIVE_STRINGS:
        assert text not in out

    code, _, err = run(clock, capsys, "decide", reference, "--outcome", "scr", "--on", "2026-12-22")
    assert code == 2 and "2026-12-22 is in the future" in err  # recorded once made, never ahead
    clock.set(at(date(2026, 12, 22)))
    code, out, _ = run(clock, capsys, "decide", reference, "--outcome", "scr", "--on", "2026-12-22", "--json")
    assert code == 0
    decided = {d["rule"]: d for d in json.loads(out)["deadlines"]}
    assert decided["statutory_decision_notification"]["act_by"] == "2026-12-31"

    code, out, _ = run(clock, capsys, "case", "show", reference, "--json")
    shown = json.loads(out)
    assert shown["status"] == "decided" and "referral" not in shown
    assert {d["rule"] for d in shown["deadlines"]} >= {"records_secured", "review_complete"}
    assert all({"due", "act_by", "state"} <= set(d) for d in shown["deadlines"])

    code, out, _ = run(clock, capsys, "case", "show", reference, "--full", "--json")
    assert json.loads(out)["referral"]["child"]["last_name"] == "Marchbanks-Tovey"
    assert json.loads(out)["criteria"]["summary"].startswith("a mandatory SCR criterion")

    code, out, _ = run(clock, capsys, "audit", "verify", "--json")
    assert code == 0 and json.loads(out)["ok"] is True


def test_bad_referral_is_one_line_and_writes_nothing(
    workdir: Path, clock: FixedClock, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = write_referral(workdir, "bad.json", **{"child.date_of_birth": "2027-05-01", "case_outline": ""})
    code, out, err = run(clock, capsys, "refer", "--file", bad)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "Child's date of birth (child.date_of_birth)" in err and "Case outline (case_outline)" in err
    # Nothing half-written: the next good referral is the first case.
    code, out, _ = run(clock, capsys, "refer", "--file", write_referral(workdir), "--json")
    assert json.loads(out)["reference"] == "SCR-2026-0001"


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["case", "show", "SCR-2026-0099"], "no case SCR-2026-0099"),
        (["decide", "SCR-2026-0099", "--outcome", "scr", "--on", "2026-12-22"], "no case SCR-2026-0099"),
        (["deadlines", "--event", "decision_made", "--on", "2026-12-22"], "needs --outcome"),
        (["deadlines", "--event", "referral_received", "--on", "2026-12-22", "--rules", "nope"], "nope"),
        (["refer", "--file", "missing.json"], "no such file"),
    ],
)
def test_errors_are_one_clear_line(
    workdir: Path, clock: FixedClock, capsys: pytest.CaptureFixture[str], argv: list[str], says: str
) -> None:
    code, _, err = run(clock, capsys, *argv)
    assert code == 2
    assert err.startswith("scrbot: ") and says in err and err.count("\n") == 1


def test_not_json_is_reported_with_its_position(
    workdir: Path, clock: FixedClock, capsys: pytest.CaptureFixture[str]
) -> None:
    (workdir / "broken.json").write_text('{"referrer": ')
    code, _, err = run(clock, capsys, "refer", "--file", "broken.json")
    assert code == 2 and "not valid JSON (line 1" in err


def test_lifecycle_commands(workdir: Path, clock: FixedClock, capsys: pytest.CaptureFixture[str]) -> None:
    run(clock, capsys, "refer", "--file", write_referral(workdir))
    ref = "SCR-2026-0001"
    assert run(clock, capsys, "case", "event", ref, "subgroup_meeting_scheduled", "--on", "2026-12-08")[0] == 0
    assert (
        run(clock, capsys, "case", "confirm", ref, "police", "--secured-on", "2026-11-23", "--involvement", "known")[0]
        == 0
    )
    clock.set(at(date(2026, 12, 10)))
    assert run(clock, capsys, "decide", ref, "--outcome", "scr", "--on", "2026-12-10")[0] == 0
    assert run(clock, capsys, "case", "done", ref, "scoping_meeting", "--on", "2026-12-11")[0] == 0
    code, _, err = run(clock, capsys, "case", "advance", ref, "published")
    assert code == 2 and "cannot move from decided to published" in err
    assert run(clock, capsys, "case", "advance", ref, "in_review")[0] == 0
    code, out, _ = run(clock, capsys, "case", "show", ref, "--json")
    shown = json.loads(out)
    states = {(d["rule"], d["agency"]): d["state"] for d in shown["deadlines"]}
    assert states[("scoping_meeting", None)] == "met"
    assert states[("records_secured", "police")] == "met"
    assert states[("subgroup_meeting", None)] == "met"
    assert shown["status"] == "in_review"


def test_keys_rotate_and_retire(workdir: Path, clock: FixedClock, capsys: pytest.CaptureFixture[str]) -> None:
    run(clock, capsys, "refer", "--file", write_referral(workdir))
    code, out, _ = run(clock, capsys, "keys", "rotate", "--retire", "--yes", "--json")
    result = json.loads(out)
    assert code == 0 and result["resealed_fields"] >= 1 and result["retired_keys"] == result["previous_keys"]
    code, out, _ = run(clock, capsys, "case", "show", "SCR-2026-0001", "--full", "--json")
    assert json.loads(out)["referral"]["child"]["forenames"] == "Zephyrine Quillon"


def test_audit_verify_fails_after_tampering(
    workdir: Path, clock: FixedClock, capsys: pytest.CaptureFixture[str]
) -> None:
    import sqlite3

    run(clock, capsys, "refer", "--file", write_referral(workdir))
    run(clock, capsys, "case", "show", "SCR-2026-0001")
    with sqlite3.connect(workdir / "var" / "scrbot.db") as db:
        db.execute("UPDATE audit_log SET actor = 'cli:nobody' WHERE seq = 1")
    code, out, _ = run(clock, capsys, "audit", "verify")
    assert code == 1 and "entry 1 has been altered" in out


def test_db_upgrade_and_run_once(workdir: Path, clock: FixedClock, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(clock, capsys, "db", "upgrade")
    assert code == 0 and "upgraded from empty" in out
    code, out, _ = run(clock, capsys, "db", "upgrade")
    assert "already at" in out
    code, out, _ = run(clock, capsys, "run", "--once")
    assert code == 0 and "local mode" in out and str(workdir / "var") in out


def test_installed_console_script(workdir: Path) -> None:
    """The real entry point, in a separate process, as a script would call it."""
    env = {**os.environ, "SCRBOT_DATA_DIR": str(workdir / "var"), "SCRBOT_BOARD_CONFIG": str(workdir / "board.toml")}
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "deadlines", "--event", "referral_received", "--on", "2026-12-01", "--json"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    rules = {r["rule"]: r for r in json.loads(result.stdout)}
    assert rules["chair_decision"]["due"] == "2027-01-01" and rules["chair_decision"]["act_by"] == "2026-12-31"


def test_decide_without_a_date_records_today(
    workdir: Path, clock: FixedClock, capsys: pytest.CaptureFixture[str]
) -> None:
    run(clock, capsys, "refer", "--file", write_referral(workdir))
    code, out, _ = run(clock, capsys, "decide", "SCR-2026-0001", "--outcome", "scr")
    assert code == 0 and "(scr, 2026-11-22)" in out
    assert "imr_submitted (police)" in out  # one IMR clock per agency, each named
