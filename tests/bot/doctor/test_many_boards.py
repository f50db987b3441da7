"""`scrbot doctor` over a deployment of many boards (SCRBOT_BOARD_DIR): the deployment's checks once, then
each board's own, against the local fakes (real exchangelib against two fake Exchange servers, real slack_sdk
against the fake Slack Web API) where only board B's fails: A is ok, B's failure is named, exit 1. `--board`
checks one board; `--json` shows each board's results; `scrbot run` refuses to start naming the board whose
keys are missing beside its sealed data."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from bot.clock import FixedClock
from bot.commands.run_cmd import EXIT_REFUSED_TO_START
from tests.bot.test_boards import board_toml, write_boards
from tests.factories import referral_data
from tests.support.fake_ews import fake_ews
from tests.support.fake_slack import FakeSlack
from tests.support.settings_env import forget_settings

SHARED = ["settings", "database", "migrations", "key file", "mail trust", "holidays", "disk"]


@pytest.fixture
def boards_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    forget_settings(monkeypatch)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SCRBOT_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("SCRBOT_BOARD_DIR", str(tmp_path / "boards"))
    return tmp_path


def doctor_json(
    clock: FixedClock, capsys: pytest.CaptureFixture[str], *before: str, after: tuple[str, ...] = ()
) -> tuple[int, dict[str, Any]]:
    capsys.readouterr()
    code = main([*before, "doctor", "--json", *after], clock=clock)
    report: dict[str, Any] = json.loads(capsys.readouterr().out)
    assert report["ok"] is (code == 0)
    return code, report


def statuses(checks: list[dict[str, Any]]) -> dict[str, str]:
    return {c["check"]: c["status"] for c in checks}


@pytest.fixture
def two_mailboxes(boards_env: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Aston's mailbox on an Exchange server that lets the service account in; Burley's on one that does not
    (another password)."""
    from exchangelib import close_connections

    with fake_ews() as (good, state), fake_ews(password="another password") as (refusing, _):
        write_boards(
            boards_env / "boards",
            aston=board_toml("aston", f'[mail]\nmailbox = "scr@aston.gov.uk"\news_endpoint = "{good}"\n'),
            burley=board_toml("burley", f'[mail]\nmailbox = "scr@burley.gov.uk"\news_endpoint = "{refusing}"\n'),
        )
        for name, value in {
            "MAIL_BACKEND": "ews",
            "MAIL_AUTHSERV_ID": "mx.testshire.gov.uk",
            "EWS_ENDPOINT": good,
            "EWS_USERNAME": state.username,
            "EWS_PASSWORD": state.password,
            "EWS_MAILBOX": "scr@testshire.gov.uk",
            "EWS_AUTH_TYPE": "basic",
            "EWS_MAX_WAIT_SECONDS": "0",
        }.items():
            monkeypatch.setenv(f"SCRBOT_{name}", value)
        yield boards_env
    close_connections()


def test_the_deployments_checks_once_then_each_boards_own(
    two_mailboxes: Path, clock: FixedClock, capsys: pytest.CaptureFixture[str]
) -> None:
    code, report = doctor_json(clock, capsys)
    assert code == 1
    assert [c["check"] for c in report["checks"]] == [*SHARED, "slack", "teams"]  # once, not per board
    assert all(c["status"] in {"ok", "skip"} for c in report["checks"])
    aston, burley = report["boards"]["aston"], report["boards"]["burley"]
    assert aston["ok"] is True and burley["ok"] is False
    assert statuses(aston["checks"]) == {
        "board": "ok",
        "keys": "ok",
        "keys match data": "ok",
        "mailbox": "warn",  # signed in and opened; over plain http (the fake), which it warns about
        "mailbox send": "skip",  # EWS cannot tell without sending
    }
    assert statuses(burley["checks"])["mailbox"] == "fail"
    assert "needs mailbox first" in burley["checks"][-1]["detail"]
    assert "Aston" in aston["checks"][0]["detail"] and "Burley" in burley["checks"][0]["detail"]


def test_each_boards_lines_start_with_its_id(
    two_mailboxes: Path, clock: FixedClock, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["doctor"], clock=clock) == 1
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[1] for line in lines[: len(SHARED)]] == [
        "settings",
        "database",
        "migrations",
        "key",
        "mail",
        "holidays",
        "disk",
    ]
    assert next(line for line in lines if line.startswith("aston: warn  mailbox "))
    failed = [line for line in lines if "FAIL" in line]
    assert len(failed) == 1 and failed[0].startswith("burley: FAIL  mailbox ")
    assert lines[-1] == "1 check(s) failed (board burley)."


@pytest.mark.parametrize(("board", "code"), [("aston", 0), ("burley", 1)])
def test_board_checks_only_that_board(
    two_mailboxes: Path, clock: FixedClock, capsys: pytest.CaptureFixture[str], board: str, code: int
) -> None:
    got, report = doctor_json(clock, capsys, "--board", board)
    assert got == code
    assert list(report["boards"]) == [board]
    assert "mailbox" in statuses(report["checks"])  # one board: every check, as one board has always shown


def test_only_board_bs_slack_channel_fails(
    boards_env: Path, clock: FixedClock, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    write_boards(
        boards_env / "boards",
        aston=board_toml("aston", '[slack]\nbusiness_unit_channel = "C0ASTON001"\n'),
        burley=board_toml("burley", '[slack]\nbusiness_unit_channel = "C0BURLEY01"\n'),
    )
    users = {"UBU000001": {"real_name": "Business Unit Tester"}, "UCHAIR0001": {"real_name": "Chair Tester"}}
    with FakeSlack(users=users, channels={"C0ASTON001": {"name": "aston-scr", "is_member": True}}) as fake:
        monkeypatch.setenv("SCRBOT_SLACK_BOT_TOKEN", "xoxb-test")
        monkeypatch.setenv("SCRBOT_SLACK_SIGNING_SECRET", "test-signing-secret")
        monkeypatch.setenv("SCRBOT_SLACK_API_URL", fake.base_url)
        code, report = doctor_json(clock, capsys)
    assert code == 1
    aston, burley = (statuses(report["boards"][b]["checks"]) for b in ("aston", "burley"))
    assert aston["slack channel"] == "ok" and aston["slack"] == "ok"
    assert burley["slack channel"] == "fail" and burley["slack"] == "ok"
    assert "slack" not in statuses(report["checks"])  # signed in per board, not as the deployment's


def test_run_refuses_to_start_naming_the_board_whose_keys_are_gone(
    boards_env: Path, clock: FixedClock, capsys: pytest.CaptureFixture[str]
) -> None:
    write_boards(boards_env / "boards", aston=board_toml("aston"), burley=board_toml("burley"))
    (boards_env / "referral.json").write_text(json.dumps(referral_data()))
    for board in ("aston", "burley"):
        assert main(["--board", board, "refer", "--file", "referral.json"], clock=clock) == 0
    key_file = boards_env / "var" / "keys.json"
    ring = json.loads(key_file.read_text())
    del ring["boards"]["burley"]  # Burley's keys lost; its sealed referral still in the database
    key_file.write_text(json.dumps(ring))
    capsys.readouterr()
    assert main(["run", "--once"], clock=clock) == EXIT_REFUSED_TO_START
    out = capsys.readouterr().out
    assert "burley: FAIL  keys match data" in out
    assert "aston: FAIL" not in out
    assert "SCR Bot will not start: 1 check(s) above (board burley) would lose or leak data" in out
    assert "burley" not in json.loads(key_file.read_text())["boards"]  # no fresh keys made for Burley


@pytest.fixture
def socket_mode_boards(boards_env: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    write_boards(
        boards_env / "boards",
        aston=board_toml("aston", '[slack]\nteam_id = "TASTON0001"\n'),
        burley=board_toml("burley", '[slack]\nteam_id = "TBURLEY001"\n'),
    )
    monkeypatch.setenv("SCRBOT_SLACK_BOT_TOKEN", "xoxb-test")
    monkeypatch.setenv("SCRBOT_SLACK_APP_TOKEN", "xapp-test")
    monkeypatch.setenv("SCRBOT_SLACK_API_URL", "http://127.0.0.1:9/api/")  # never called: refused first
    return boards_env


def test_socket_mode_over_many_boards_is_refused_at_start_in_one_line(
    socket_mode_boards: Path, clock: FixedClock, capsys: pytest.CaptureFixture[str]
) -> None:
    """One bot token acts in one workspace: the other board's envelopes would be answered with the wrong
    token. Refused before any check, job or connection, naming the setting."""
    assert main(["run"], clock=clock) == 2  # not --once: it would otherwise serve
    out, err = capsys.readouterr()
    assert out == ""  # nothing ran: no checks, no jobs
    assert err.count("\n") == 1
    assert err.startswith("scrbot: SCRBOT_SLACK_APP_TOKEN (Socket Mode) serves one board, and SCRBOT_BOARD_DIR")
    assert not (socket_mode_boards / "var" / "scrbot.db").exists()


def test_the_doctor_says_so_once_for_the_deployment(
    socket_mode_boards: Path, clock: FixedClock, capsys: pytest.CaptureFixture[str]
) -> None:
    code, report = doctor_json(clock, capsys, after=("--quick",))
    assert code == 1
    boards_line = next(c for c in report["checks"] if c["check"] == "slack boards")
    assert boards_line["status"] == "fail" and boards_line["blocks_start"] is True
    assert "allowed: many boards over HTTP" in boards_line["detail"]
    assert all("slack boards" not in statuses(b["checks"]) for b in report["boards"].values())


def test_a_board_file_that_does_not_load_is_named(
    boards_env: Path, clock: FixedClock, capsys: pytest.CaptureFixture[str]
) -> None:
    write_boards(
        boards_env / "boards", aston=board_toml("aston"), burley=board_toml("burley").replace('id = "police"', "id =")
    )
    code, report = doctor_json(clock, capsys)
    assert code == 1
    status, detail = next((c["status"], c["detail"]) for c in report["checks"] if c["check"] == "board")
    assert status == "fail" and "burley.toml" in detail
    assert statuses(report["checks"])["database"] == "ok"  # the deployment's checks still ran
