"""SQLite commits are synced to disk by default (storage/db.py DEFAULT_SYNCHRONOUS): a referral acknowledged,
a message's outcome committed before the message leaves the inbox, a Slack step acknowledged after its append,
all survive a power cut. An operator may choose `normal` (SCRBOT_SQLITE_SYNCHRONOUS); the choice reaches the
database and the steps file beside it alike.

The production default is held here with the engine made as production makes it, whatever level the rest of
the test session runs at (tests/conftest.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from bot.context import AppContext
from bot.settings import Settings
from cases.packs import bundled_pack
from errors import BadInput
from storage.db import Synchronous, make_engine, sqlite_url, synchronous_of, upgrade
from storage.keyring import KeyRing
from storage.received_steps import open_received_steps
from storage.store import open_store
from tests.factories import make_board

NOW = datetime(2026, 11, 22, 10, tzinfo=UTC)
# SQLite's own numbers for PRAGMA synchronous.
LEVEL = {"normal": 1, "full": 2}


def level_of(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text("PRAGMA synchronous")).scalar_one())


def steps_level(engine: Engine, tmp_path: Path) -> int:
    """The level of the steps file opened beside the database, as the Slack front end opens it."""
    upgrade(engine)
    board = make_board()
    store = open_store(
        engine, board, KeyRing.load_or_create(tmp_path / "keys.json", board.id), bundled_pack(board.rules_pack)
    )
    steps = open_received_steps(store.engine, store.sessions, store.cipher, board.id)
    try:
        assert steps.own_engine is not None  # a file of its own on SQLite
        steps.append("refer.action", "U1", {"n": 1}, NOW)
        # The connection the acknowledgement's append is committed on, kept by the steps store, and any other.
        appender = int(steps._appender.driver_connection.execute("PRAGMA synchronous").fetchone()[0])
        assert appender == level_of(steps.own_engine)
        return appender
    finally:
        steps.close()


def test_a_new_engine_syncs_every_commit_and_so_does_its_steps_file(tmp_path: Path) -> None:
    engine = make_engine(sqlite_url(tmp_path / "scrbot.db"))
    try:
        assert level_of(engine) == LEVEL["full"]
        assert steps_level(engine, tmp_path) == LEVEL["full"]
    finally:
        engine.dispose()


@pytest.mark.parametrize("chosen", ["full", "normal"])
def test_the_setting_reaches_the_database_and_the_steps_file(tmp_path: Path, chosen: Synchronous) -> None:
    context = AppContext(settings=Settings(data_dir=tmp_path / "var", sqlite_synchronous=chosen))
    engine = context.engine
    try:
        assert synchronous_of(engine) == chosen
        assert level_of(engine) == LEVEL[chosen]
        assert steps_level(engine, tmp_path) == LEVEL[chosen]
    finally:
        engine.dispose()


def test_the_default_setting_is_full(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SCRBOT_SQLITE_SYNCHRONOUS", raising=False)
    assert Settings(_env_file=None).sqlite_synchronous == "full"


def test_an_unknown_level_from_code_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(BadInput, match="allowed: full, normal"):
        make_engine(sqlite_url(tmp_path / "scrbot.db"), "off")  # type: ignore[arg-type]
