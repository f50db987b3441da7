"""Slack tests: a board with a business unit channel, and a fake Slack Web API."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cases.board import BoardConfig, SlackSettings
from tests.factories import CHILD_FORENAMES, REFERRER_NAME, make_board
from tests.support.fake_slack import FakeSlack

BU_CHANNEL = "C0BUSINESS1"
REFERRER_USER = "UREF000001"
STRANGER_USER = "UREF000002"
BU_USER = "UBU000001"  # a configured business unit member (tests/factories.py)
GROUP_USER = "UGROUP0001"  # business unit only through the Slack user group
USERGROUP = "S0BUSINESS"


@pytest.fixture
def board() -> BoardConfig:
    return make_board(slack=SlackSettings(business_unit_channel=BU_CHANNEL, business_unit_usergroup=USERGROUP))


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    users = {REFERRER_USER: {"real_name": REFERRER_NAME, "email": "ottoline.testwhistle@nhs.net"}}
    with FakeSlack(users=users, usergroups={USERGROUP: [GROUP_USER]}) as server:
        yield server


__all__ = ["CHILD_FORENAMES"]
