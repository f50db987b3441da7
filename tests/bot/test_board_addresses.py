"""The board file's addresses found valid are kept by the file's hash (bot/board_addresses.py): a command
reading the same file again skips the address syntax check; a changed file is checked again; `scrbot run` and
`scrbot doctor` check every address afresh, whatever was kept; a kept address is only ever its own lower case."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.board_addresses import kept_file
from bot.cli import main
from bot.clock import FixedClock
from bot.config import load_board
from cases.board import BoardConfigError
from tests.factories import BOARD_TOML

GOOD = "dsl@testshire-schools.example.org"
BAD = "dsl@testshire-schools"  # no dot after the @: email-validator refuses it


@pytest.fixture
def board_file(tmp_path: Path) -> Path:
    path = tmp_path / "board.toml"
    path.write_text(BOARD_TOML)
    return path


def kept(cache: Path, board_file: Path) -> list[str]:
    addresses: list[str] = json.loads(kept_file(cache, board_file.read_bytes()).read_text())["addresses"]
    return addresses


def keep_by_hand(cache: Path, board_file: Path, addresses: list[str]) -> None:
    """What a stale or tampered kept file could say about this very board file."""
    cache.mkdir(parents=True, exist_ok=True)
    kept_file(cache, board_file.read_bytes()).write_text(json.dumps({"addresses": addresses}))


def test_addresses_found_valid_are_kept_by_the_files_hash(tmp_path: Path, board_file: Path) -> None:
    cache = tmp_path / "cache"
    first = load_board(board_file, cache)
    assert GOOD in kept(cache, board_file)
    assert "scr.sin@ofsted.cjsm.net" in kept(cache, board_file)  # the default statutory recipients too
    assert load_board(board_file, cache) == first == load_board(board_file)


def test_a_changed_file_is_checked_again(tmp_path: Path, board_file: Path) -> None:
    cache = tmp_path / "cache"
    load_board(board_file, cache)
    board_file.write_text(BOARD_TOML.replace(GOOD, BAD))
    with pytest.raises(BoardConfigError, match=r"agencies\.2\.addresses: is not an email address"):
        load_board(board_file, cache)


def test_what_is_kept_for_one_text_is_not_used_for_another(tmp_path: Path, board_file: Path) -> None:
    """Even a kept file naming the bad address does not spare it in a file whose bytes differ."""
    cache = tmp_path / "cache"
    keep_by_hand(cache, board_file, [BAD])
    board_file.write_text(BOARD_TOML.replace(GOOD, BAD))
    with pytest.raises(BoardConfigError, match="is not an email address"):
        load_board(board_file, cache)


def test_a_kept_address_is_only_ever_its_own_lower_case(tmp_path: Path, board_file: Path) -> None:
    board_file.write_text(BOARD_TOML.replace(GOOD, "DSL@Testshire-Schools.Example.ORG"))
    cache = tmp_path / "cache"
    keep_by_hand(cache, board_file, ["DSL@Testshire-Schools.Example.ORG"])
    board = load_board(board_file, cache)
    assert board.agency("school").addresses == (GOOD,)


def test_an_address_beyond_ascii_is_never_kept(tmp_path: Path, board_file: Path) -> None:
    """Its normal form (Unicode normalisation, the domain's IDNA form) is the check's, not its lower case."""
    address = "dsl@testshire-schöols.example.org"
    board_file.write_text(BOARD_TOML.replace(GOOD, address))
    cache = tmp_path / "cache"
    load_board(board_file, cache)
    assert address not in kept(cache, board_file)
    keep_by_hand(cache, board_file, [address])  # and is checked even when a kept file names it
    assert load_board(board_file, cache) == load_board(board_file)


@pytest.mark.parametrize("content", ["not json", '{"addresses": "all"}', '["a@b.example"]', '{"addresses": [1]}'])
def test_an_unreadable_kept_file_is_ignored(tmp_path: Path, board_file: Path, content: str) -> None:
    board_file.write_text(BOARD_TOML.replace(GOOD, BAD))
    cache = tmp_path / "cache"
    cache.mkdir()
    kept_file(cache, board_file.read_bytes()).write_text(content)
    with pytest.raises(BoardConfigError, match="is not an email address"):
        load_board(board_file, cache)


def test_a_folder_that_cannot_be_written_keeps_nothing(tmp_path: Path, board_file: Path) -> None:
    (tmp_path / "cache").write_text("a file where the folder would be")
    assert load_board(board_file, tmp_path / "cache") == load_board(board_file)


@pytest.fixture
def local(tmp_path: Path, board_file: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("SCRBOT_DATABASE_URL", "SCRBOT_KEYS", "SCRBOT_KEY_FILE", "SCRBOT_CLOCK", "SCRBOT_BOARD_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SCRBOT_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("SCRBOT_BOARD_CONFIG", str(board_file))
    return tmp_path / "var" / "cache"


def test_commands_keep_the_addresses_and_run_and_doctor_check_them_all(
    local: Path, board_file: Path, clock: FixedClock, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["case", "list"], clock=clock) == 0
    assert GOOD in kept(local, board_file)  # an ordinary command keeps what it found valid
    # A kept file that (wrongly) lists a bad address of this very file: the ordinary command trusts it...
    board_file.write_text(BOARD_TOML.replace(GOOD, BAD))
    keep_by_hand(local, board_file, [BAD])
    assert main(["case", "list"], clock=clock) == 0
    capsys.readouterr()
    # ... but the service and the doctor check every address afresh, and refuse.
    assert main(["run", "--once"], clock=clock) != 0
    assert "is not an email address" in "".join(capsys.readouterr())
    assert main(["doctor", "--quick"], clock=clock) != 0
    out = capsys.readouterr().out
    assert "FAIL  board" in out and "is not an email address" in out
