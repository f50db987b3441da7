"""Teams tests: a board that works in Teams, and the fake Microsoft side (keys, connector, Entra)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cases.board import BoardConfig
from tests.support.fake_teams import FakeTeams, fake_teams
from tests.support.teams_bot import teams_board


@pytest.fixture
def board() -> BoardConfig:
    return teams_board()


@pytest.fixture
def fake(tmp_path: Path) -> Iterator[FakeTeams]:
    with fake_teams(tmp_path / "certs") as server:
        yield server
