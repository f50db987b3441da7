"""`scrbot case list` reads through the read-only store (storage/read_store.py); on a database the code has
not yet upgraded it upgrades first, as every command does, and one written by a newer scrbot is refused in
one line."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from bot.cli import main
from bot.clock import FixedClock
from storage.db import current_revision, make_engine, upgrade
from storage.schema_version import HEAD_REVISION
from tests.factories import BOARD_TOML


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "board.toml").write_text(BOARD_TOML)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SCRBOT_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("SCRBOT_BOARD_CONFIG", str(tmp_path / "board.toml"))
    for name in ("SCRBOT_DATABASE_URL", "SCRBOT_KEYS", "SCRBOT_KEY_FILE", "SCRBOT_CLOCK"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path / "var" / "scrbot.db"


def _revision(path: Path) -> str | None:
    engine = make_engine(f"sqlite+pysqlite:///{path}")
    try:
        return current_revision(engine)
    finally:
        engine.dispose()


@pytest.mark.parametrize("start", [None, "0014"], ids=["new database", "one migration behind"])
def test_a_database_behind_the_code_is_upgraded_then_listed(
    database: Path, clock: FixedClock, capsys: pytest.CaptureFixture[str], start: str | None
) -> None:
    if start is not None:
        engine = make_engine(f"sqlite+pysqlite:///{database}")
        upgrade(engine, start)
        engine.dispose()
    assert main(["case", "list"], clock=clock) == 0
    assert capsys.readouterr().out.strip() == "No open cases."
    assert _revision(database) == HEAD_REVISION


def test_a_database_from_a_newer_scrbot_is_refused_in_one_line(
    database: Path, clock: FixedClock, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["case", "list"], clock=clock) == 0
    engine = make_engine(f"sqlite+pysqlite:///{database}")
    with engine.begin() as c:
        c.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    capsys.readouterr()
    assert main(["case", "list"], clock=clock) == 69
    err = capsys.readouterr().err
    assert err.startswith("scrbot: the database schema is at revision 9999, which this version of scrbot")
    assert len(err.strip().splitlines()) == 1
    assert _revision(database) == "9999"  # nothing was touched
