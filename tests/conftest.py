"""Shared fixtures: clocks, boards, and a real store on SQLite and on PostgreSQL."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.clock import FixedClock
from cases.board import BoardConfig
from cases.packs import bundled_pack
from storage.keyring import KeyRing
from storage.store import Store, open_store
from tests.factories import make_board
from tests.support.databases import SESSION_NOTES, PostgresServer, postgres_server, sqlite_engine


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for note in SESSION_NOTES:
        terminalreporter.write_line(note)


@pytest.fixture(autouse=True)
def _logging_put_back() -> Iterator[None]:
    """`configure_logging` (the CLI's `main`, `scrbot run`) sets up the process's root logger: after each test,
    take its handler out and put the levels back, so no test changes what another one logs or captures."""
    root = logging.getLogger()
    handlers = list(root.handlers)
    levels = {name: logging.getLogger(name).level for name in ("", *logging.Logger.manager.loggerDict)}
    yield
    for handler in root.handlers[:]:
        if handler not in handlers and getattr(handler, "_scrbot", False):
            root.removeHandler(handler)
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 22, 10, 0, tzinfo=UTC))


@pytest.fixture
def board() -> BoardConfig:
    return make_board()


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    yield from postgres_server()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def store(backend: str, request: pytest.FixtureRequest, tmp_path: Path, board: BoardConfig) -> Iterator[Store]:
    """A ready store for the test board, on each backend in turn."""
    ring = KeyRing.load_or_create(tmp_path / "keys.json", board.id)
    if backend == "sqlite":
        engine = sqlite_engine(str(tmp_path / "scrbot.db"))
        yield open_store(engine, board, ring, bundled_pack(board.rules_pack))
        engine.dispose()
        return
    server: PostgresServer = request.getfixturevalue("pg_server")
    server.truncate()
    yield open_store(server.engine, board, ring, bundled_pack(board.rules_pack))
