"""Many boards on one deployment (issue 15 §1): a folder of board files, `--board`, and every command working on
the board it names only."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.boards import NoBoardChosen, choose_board, configured_boards
from bot.cli import main
from bot.clock import FixedClock
from cases.board import BoardConfigError
from tests.factories import BOARD_TOML, referral_data


def board_toml(board_id: str, extra: str = "") -> str:
    """The test board under another id (and name), with `extra` TOML appended."""
    return (
        BOARD_TOML.replace('id = "testshire"', f'id = "{board_id}"', 1).replace(
            "Testshire Safeguarding", f"{board_id.title()} Safeguarding", 1
        )
        + extra
    )


def write_boards(folder: Path, **boards: str) -> Path:
    folder.mkdir(exist_ok=True)
    for name, text in boards.items():
        (folder / f"{name}.toml").write_text(text)
    return folder


@pytest.fixture
def two_boards(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = write_boards(tmp_path / "boards", north=board_toml("north"), south=board_toml("south"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SCRBOT_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("SCRBOT_BOARD_DIR", str(folder))
    for name in ("SCRBOT_BOARD_CONFIG", "SCRBOT_DATABASE_URL", "SCRBOT_KEYS", "SCRBOT_KEY_FILE", "SCRBOT_CLOCK"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def test_a_folder_of_board_files_gives_every_board_by_id(tmp_path: Path) -> None:
    folder = write_boards(tmp_path / "boards", a=board_toml("north"), b=board_toml("south"))
    (folder / "notes.txt").write_text("not a board")
    boards = configured_boards(None, folder)
    assert list(boards) == ["north", "south"]
    assert boards["south"].path == folder / "b.toml"
    assert choose_board(boards, "south").config.id == "south"


@pytest.mark.parametrize(
    ("files", "says"),
    [
        ({}, "holds no board files"),
        ({"a": board_toml("north"), "b": board_toml("north")}, "a.toml and b.toml both say [board] id = 'north'"),
        (
            {
                "a": board_toml("north", '[slack]\nteam_id = "T0SAME"\n'),
                "b": board_toml("south", '[slack]\nteam_id = "T0SAME"\n'),
            },
            "boards north and south have the same [slack] team_id (T0SAME); each board needs its own",
        ),
        (
            {
                "a": board_toml("north", '[mail]\nmailbox = "scr@north.gov.uk"\n'),
                "b": board_toml("south", '[mail]\nmailbox = "scr@north.gov.uk"\n'),
            },
            "the same [mail] mailbox",
        ),
        ({"a": board_toml("north", '[slack]\nteam_id = "not a team"\n')}, "slack.team_id"),
    ],
)
def test_boards_that_would_share_what_walls_them_apart_are_refused(
    files: dict[str, str], says: str, tmp_path: Path
) -> None:
    folder = write_boards(tmp_path / "boards", **files)
    with pytest.raises(BoardConfigError) as refused:
        configured_boards(None, folder)
    assert says in str(refused.value)


def test_one_board_needs_no_choice_and_many_need_one_named() -> None:
    boards = configured_boards(None, None)  # the example board: single-file form, unchanged
    assert choose_board(boards, None) is next(iter(boards.values()))
    with pytest.raises(NoBoardChosen, match="no board 'nowhere' is configured"):
        choose_board(boards, "nowhere")


def test_the_cli_asks_which_board_when_there_are_several(
    two_boards: Path, clock: FixedClock, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["case", "list"], clock=clock) == 2
    _, err = capsys.readouterr()
    assert err.strip() == "scrbot: 2 boards are configured: say which with --board (one of north, south)"
    assert main(["--board", "west", "case", "list"], clock=clock) == 2
    assert "no board 'west' is configured (--board is one of north, south)" in capsys.readouterr().err


def test_each_command_works_on_the_board_it_names_only(
    two_boards: Path, clock: FixedClock, capsys: pytest.CaptureFixture[str]
) -> None:
    referral = two_boards / "referral.json"
    referral.write_text(json.dumps(referral_data()))
    assert main(["--board", "north", "refer", "--file", str(referral), "--json"], clock=clock) == 0
    filed = json.loads(capsys.readouterr().out)
    assert main(["--board", "north", "case", "list", "--json"], clock=clock) == 0
    assert [c["reference"] for c in json.loads(capsys.readouterr().out)] == [filed["reference"]]
    assert main(["--board", "south", "case", "list", "--json"], clock=clock) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert main(["--board", "south", "case", "show", filed["reference"]], clock=clock) == 2
    assert "no case" in capsys.readouterr().err.lower()
    # One key file, a ring per board: each board's keys created on its first use.
    keys = json.loads((two_boards / "var" / "keys.json").read_text())
    assert {"north", "south"} <= set(json.dumps(keys).split('"'))


def test_run_serves_every_board_and_with_board_only_that_one(
    two_boards: Path, clock: FixedClock, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", "--once"], clock=clock) == 0
    out = capsys.readouterr().out
    assert "(north)" in out and "(south)" in out
    assert f"inbox {two_boards / 'var' / 'mail' / 'south' / 'inbox'}" in out  # each board's own Maildir
    assert "job(s) for 2 boards" in out
    assert main(["--board", "south", "run", "--once"], clock=clock) == 0
    out = capsys.readouterr().out
    assert "(south)" in out and "(north)" not in out
