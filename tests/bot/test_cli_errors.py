"""Exit codes tell bad input from an unreachable service from a bug (errors/__init__.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from bot.clock import FixedClock
from bot.context import AppContext
from errors import EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_UNAVAILABLE, Unavailable
from tests.factories import BOARD_TOML, SENSITIVE_STRINGS

SECRET = SENSITIVE_STRINGS[0]


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "board.toml").write_text(BOARD_TOML)
    (tmp_path / "empty.json").write_text("{}")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SCRBOT_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("SCRBOT_BOARD_CONFIG", str(tmp_path / "board.toml"))
    for name in ("SCRBOT_DATABASE_URL", "SCRBOT_KEYS", "SCRBOT_KEY_FILE", "SCRBOT_CLOCK", "SCRBOT_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def _board_raises(monkeypatch: pytest.MonkeyPatch, exc: BaseException) -> None:
    """Make reading the board config fail: every command needs it early."""

    def fail(self: AppContext) -> object:
        raise exc

    monkeypatch.setattr(AppContext, "board", property(fail))


@pytest.mark.parametrize(
    ("argv", "code", "says"),
    [
        (["refer", "--file", "empty.json"], EXIT_BAD_INPUT, "is required"),
        (["case", "show", "SCR-2026-0099"], EXIT_BAD_INPUT, "no case SCR-2026-0099"),
        (["refer", "--file", "."], EXIT_BAD_INPUT, "is a folder"),
        (["refer", "--file", "missing.json"], EXIT_BAD_INPUT, "no such file"),
    ],
)
def test_a_persons_mistake_is_one_line_and_exit_2(
    workdir: Path, clock: FixedClock, capsys: pytest.CaptureFixture[str], argv: list[str], code: int, says: str
) -> None:
    assert main(argv, clock=clock) == code
    _, err = capsys.readouterr()
    assert says in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_something_unreachable_exits_69(
    workdir: Path, clock: FixedClock, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _board_raises(monkeypatch, Unavailable("the database at db.invalid cannot be reached"))
    assert main(["case", "list"], clock=clock) == EXIT_UNAVAILABLE
    assert capsys.readouterr().err.strip() == "scrbot: the database at db.invalid cannot be reached"


@pytest.mark.parametrize("bug", [RuntimeError, LookupError, ValueError, KeyError])
def test_a_bug_exits_70_with_its_traceback_only_in_the_log(
    workdir: Path,
    clock: FixedClock,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    bug: type[Exception],
) -> None:
    # A builtin ValueError or LookupError is a bug too: only our own kinds mean the person's mistake.
    _board_raises(monkeypatch, bug(f"a message quoting {SECRET}"))
    assert main(["case", "list"], clock=clock) == EXIT_INTERNAL
    err = capsys.readouterr().err
    assert "internal error, see log" in err and SECRET not in err and "Traceback" not in err
    ident = err.split("see log ")[1].split()[0]
    logged = (workdir / "var" / "logs" / "internal-errors.log").read_text()
    entry = logged.split(f"--- {ident} ")[1]
    assert f"builtins.{bug.__name__}" in entry and "in fail" in entry  # the frames that raised it
    assert SECRET not in logged
    assert (workdir / "var" / "logs" / "internal-errors.log").stat().st_mode & 0o077 == 0
