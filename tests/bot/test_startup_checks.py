"""Starting on the wrong data stops with one clear line: a missing or stale key file, a changed board id, a
database that cannot be reached or read, a folder where a file should be (storage/preflight.py, storage/db.py).
Each goes through `bot.cli.main`, as a person would meet it."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from bot.cli import main
from bot.clock import FixedClock
from errors import EXIT_BAD_INPUT, EXIT_UNAVAILABLE
from tests.factories import BOARD_TOML, referral_data
from tests.support.databases import PostgresServer


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "board.toml").write_text(BOARD_TOML)
    (tmp_path / "referral.json").write_text(json.dumps(referral_data()))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SCRBOT_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("SCRBOT_BOARD_CONFIG", str(tmp_path / "board.toml"))
    for name in ("SCRBOT_DATABASE_URL", "SCRBOT_KEYS", "SCRBOT_KEY_FILE", "SCRBOT_CLOCK", "SCRBOT_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def run(clock: FixedClock, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv), clock=clock)
    out, err = capsys.readouterr()
    return code, out, err


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def refer(clock: FixedClock, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(clock, capsys, "refer", "--file", "referral.json")[0] == 0


# --- the key ring -----------------------------------------------------------------------------------


def test_a_missing_key_file_is_not_replaced_when_the_database_has_data(
    workdir: Path, clock: FixedClock, capsys: pytest.CaptureFixture[str]
) -> None:
    refer(clock, capsys)
    key_file = workdir / "var" / "keys.json"
    saved = key_file.read_bytes()
    key_file.unlink()

    # A command that opens the case's personal data (`case list` shows none and needs no keys).
    code, _, err = run(clock, capsys, "case", "show", "SCR-2026-0001")
    assert code == EXIT_UNAVAILABLE
    line = one_line(err)
    assert "the key file" in line and "is missing" in line and "refusing to create new keys" in line
    assert not key_file.exists()

    code, out, _ = run(clock, capsys, "keys", "status", "--json")
    status = json.loads(out)
    assert code == 1 and status["present"] == [] and status["missing"] == status["needed"] != []

    key_file.write_bytes(saved)
    os.chmod(key_file, 0o600)
    assert run(clock, capsys, "case", "list")[0] == 0


def test_an_old_key_file_restored_after_a_rotation_is_refused_naming_the_key(
    workdir: Path, clock: FixedClock, capsys: pytest.CaptureFixture[str]
) -> None:
    refer(clock, capsys)
    key_file = workdir / "var" / "keys.json"
    old = workdir / "keys-old.json"
    shutil.copy(key_file, old)
    assert run(clock, capsys, "keys", "rotate", "--retire", "--yes")[0] == 0
    new_key = json.loads(key_file.read_text())["boards"]["testshire"]["active"]
    shutil.copy(old, key_file)

    code, _, err = run(clock, capsys, "case", "show", "SCR-2026-0001")
    assert code == EXIT_UNAVAILABLE and f"lacks data key(s) {new_key}" in one_line(err)
    code, out, _ = run(clock, capsys, "keys", "status")
    assert code == 1 and f"{new_key}: " in out and "MISSING from the key ring" in out


def test_a_fresh_database_gets_a_new_key_file(
    workdir: Path, clock: FixedClock, capsys: pytest.CaptureFixture[str]
) -> None:
    refer(clock, capsys)
    assert (workdir / "var" / "keys.json").stat().st_mode & 0o077 == 0
    code, out, _ = run(clock, capsys, "keys", "status", "--json")
    status = json.loads(out)
    assert code == 0 and status["missing"] == [] and status["needed"] == [status["active"]]


# --- the board id -------------------------------------------------------------------------------------


def test_a_changed_board_id_is_refused_rather_than_hiding_every_case(
    workdir: Path, clock: FixedClock, capsys: pytest.CaptureFixture[str]
) -> None:
    refer(clock, capsys)
    keys_before = (workdir / "var" / "keys.json").read_bytes()
    (workdir / "board.toml").write_text(BOARD_TOML.replace('id = "testshire"', 'id = "renamedshire"', 1))

    for argv in (["case", "list"], ["reminders", "run"], ["mail", "poll"]):
        code, _, err = run(clock, capsys, *argv)
        assert code == EXIT_BAD_INPUT
        line = one_line(err)
        assert "holds the data of board 'testshire'" in line and "'renamedshire'" in line
    assert (workdir / "var" / "keys.json").read_bytes() == keys_before  # no keys made for the new id

    (workdir / "board.toml").write_text(BOARD_TOML)
    code, out, _ = run(clock, capsys, "case", "list", "--json")
    assert code == 0 and len(json.loads(out)) == 1


# --- the database and the files ------------------------------------------------------------------------

PASSWORD = "s3cret-Pa55word"  # made up; must never be printed


@pytest.mark.parametrize(
    ("url", "code", "says"),
    [
        ("this is not a url", EXIT_BAD_INPUT, "SCRBOT_DATABASE_URL: (value hidden) is not a database URL"),
        (f"nosuchdb://scrbot:{PASSWORD}@127.0.0.1/x", EXIT_BAD_INPUT, "names the database 'nosuchdb'"),
        (
            f"postgresql+psycopg://scrbot:{PASSWORD}@127.0.0.1:1/scrbot",
            EXIT_UNAVAILABLE,
            "cannot reach the database at postgresql+psycopg://scrbot:***@127.0.0.1:1/scrbot: Connection refused",
        ),
        ("sqlite+pysqlite:///{workdir}", EXIT_BAD_INPUT, "is a folder, not a file"),
        ("sqlite+pysqlite:///{workdir}/board.toml/scrbot.db", EXIT_BAD_INPUT, "a part of its folder is a file"),
        ("sqlite+pysqlite:///{workdir}/corrupt.db", EXIT_UNAVAILABLE, "corrupt.db: file is not a database"),
    ],
)
def test_a_database_that_cannot_be_used_is_one_line_without_the_password(
    workdir: Path,
    clock: FixedClock,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    url: str,
    code: int,
    says: str,
) -> None:
    (workdir / "corrupt.db").write_bytes(b"SQLite format 2\x00" + bytes(range(256)) * 16)
    monkeypatch.setenv("SCRBOT_DATABASE_URL", url.format(workdir=workdir))
    got, _, err = run(clock, capsys, "case", "list")
    line = one_line(err)
    assert got == code and says in line and PASSWORD not in err


@pytest.mark.postgres
def test_a_refused_postgres_login_is_one_line_without_the_password(
    workdir: Path,
    clock: FixedClock,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    pg_server: PostgresServer,
) -> None:
    # A wrong password, and a database that does not exist (a server that trusts local logins refuses that).
    admin = make_url(pg_server.admin_url)
    wrong = admin.set(password=PASSWORD, database="scrbot_no_such_database")
    monkeypatch.setenv("SCRBOT_DATABASE_URL", wrong.render_as_string(hide_password=False))
    code, _, err = run(clock, capsys, "case", "list")
    line = one_line(err)
    assert code == EXIT_UNAVAILABLE and PASSWORD not in err
    assert "password authentication failed" in line or 'database "scrbot_no_such_database" does not exist' in line
    assert f"{admin.host}:{admin.port}" in line


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("SCRBOT_KEY_FILE", "{workdir}", "SCRBOT_KEY_FILE: '{workdir}' is not a file"),
        ("SCRBOT_BOARD_CONFIG", "{workdir}", "SCRBOT_BOARD_CONFIG: '{workdir}' is not a file"),
        ("SCRBOT_DATA_DIR", "{workdir}/board.toml", "SCRBOT_DATA_DIR: '{workdir}/board.toml' is not a folder"),
    ],
)
def test_a_folder_or_file_in_the_wrong_place_is_one_line(
    workdir: Path,
    clock: FixedClock,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    variable: str,
    value: str,
    says: str,
) -> None:
    monkeypatch.setenv(variable, value.format(workdir=workdir))
    code, _, err = run(clock, capsys, "case", "list")
    assert code == EXIT_BAD_INPUT and says.format(workdir=workdir) in one_line(err)
