"""Two boards on one deployment, each in its own Microsoft 365 tenant, behind one Teams endpoint (issue 15
§1): each activity reaches only the board its tenant belongs to, through that board's own services."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot import wiring
from bot.clock import FixedClock
from bot.teams.wiring import TeamsRuntime, build_teams
from cases.board import TeamsSettings
from cases.packs import bundled_pack
from storage.deliveries import DeliveryLog
from storage.drafts import DraftPolicy, DraftStore
from storage.keyring import KeyRing
from storage.store import Store, open_store
from tests.support.fake_teams import CHANNEL_ID, OTHER_TENANT, TEAM_ID, TENANT, FakeTeams
from tests.support.teams_bot import REFERRER, TeamsHarness, teams_board, teams_settings

NOBODYS_TENANT = "0f0e0d0c-0b0a-4009-8008-000000000007"


@dataclass
class TwoTenants:
    client: TeamsHarness  # its activity builders and `post`, against the shared endpoint
    drafts: dict[str, DraftStore]
    runtimes: list[TeamsRuntime]


def _parts(store: Store, clock: FixedClock) -> dict[str, Any]:
    return {
        "store": store,
        "drafts": DraftStore(store.sessions, store.cipher, store.board.id, store.audit, DraftPolicy()),
        "deliveries": DeliveryLog(store.sessions, store.board.id),
        "outbox": wiring.outbox_for(store),
        "clock": clock,
    }


@pytest.fixture
def two(store: Store, clock: FixedClock, fake: FakeTeams, tmp_path: Path) -> Iterator[TwoTenants]:
    board_b = teams_board(
        id="otherton", teams=TeamsSettings(tenant_id=OTHER_TENANT, team_id=TEAM_ID, business_unit_channel=CHANNEL_ID)
    )
    ring_b = KeyRing.load_or_create(tmp_path / "keys-b.json", board_b.id)
    store_b = open_store(store.engine, board_b, ring_b, bundled_pack(board_b.rules_pack))
    settings = teams_settings(fake, teams_app_type="multi_tenant", teams_tenant_id="")
    parts_a, parts_b = _parts(store, clock), _parts(store_b, clock)
    host = build_teams(settings=settings, boards=[store.board, board_b], **parts_a)
    hosted = build_teams(settings=settings, host=host, **parts_b)
    client = TeamsHarness.__new__(TeamsHarness)  # only its activity builders and HTTP client
    client.fake, client.server = fake, host.serve(host="127.0.0.1", port=0)
    client.http, client._ids = httpx.Client(timeout=30.0), itertools.count(1)
    try:
        yield TwoTenants(client, {"a": parts_a["drafts"], "b": parts_b["drafts"]}, [hosted, host])
    finally:
        client.http.close()
        for runtime in (hosted, host):
            runtime.close()


def test_each_tenants_activity_reaches_its_own_board_only(two: TwoTenants) -> None:
    bot = two.client
    assert bot.post(bot.personal("refer", user=REFERRER, tenant=OTHER_TENANT)) == 202
    bot.drain()
    assert (two.drafts["a"].count(), two.drafts["b"].count()) == (0, 1)
    assert bot.post(bot.personal("refer", user=REFERRER, tenant=TENANT)) == 202
    bot.drain()
    assert (two.drafts["a"].count(), two.drafts["b"].count()) == (1, 1)


def test_a_tenant_no_board_names_is_refused_and_reaches_no_board(two: TwoTenants) -> None:
    bot = two.client
    assert bot.post(bot.personal("refer", user=REFERRER, tenant=NOBODYS_TENANT)) == 403
    bot.drain()
    assert (two.drafts["a"].count(), two.drafts["b"].count()) == (0, 0)
