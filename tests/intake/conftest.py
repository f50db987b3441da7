"""Intake tests use the test board with a business unit channel (for quarantine notices)."""

from __future__ import annotations

import pytest

from cases.board import BoardConfig, SlackSettings
from tests.factories import make_board


@pytest.fixture
def board() -> BoardConfig:
    return make_board(slack=SlackSettings(business_unit_channel="C0BUSINESS"))
