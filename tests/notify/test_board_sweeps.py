"""One reminder pass over a deployment's boards (issue 15 §2): only the boards with something due sweep; the
others' reminders due later stay pending, and each reminder due goes out once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from bot import wiring
from cases.packs import bundled_pack
from notify.board_sweeps import sweep_boards
from notify.service import NotifyService
from storage.keyring import KeyRing
from storage.reminders import PENDING, SENT, NewReminder, ReminderRows
from storage.store import open_store
from tests.factories import STAFF, make_referral
from tests.notify.conftest import MAIL_FROM, notify_board
from tests.support.databases import PostgresServer, sqlite_engine

BOARDS = ("aston", "burley", "carlton", "dunmore")
FILED = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)  # a Monday
NOW = datetime(2026, 12, 9, 9, 5, tzinfo=UTC)  # a Wednesday, the pass before at 09:04


@pytest.fixture
def engine(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if backend == "sqlite":
        made = sqlite_engine(str(tmp_path / "scrbot.db"))
        yield made
        made.dispose()
        return
    server: PostgresServer = request.getfixturevalue("pg_server")
    server.truncate()
    yield server.engine


@pytest.fixture
def services(engine: Engine, tmp_path: Path) -> dict[str, NotifyService]:
    """Each board's notifications as the service wires them, on one database, with a case filed."""
    made = {}
    for board_id in BOARDS:
        board = notify_board(id=board_id)
        ring = KeyRing.load_or_create(tmp_path / "keys.json", board_id)
        store = open_store(engine, board, ring, bundled_pack(board.rules_pack))
        made[board_id] = wiring.notifications(store, wiring.outbox_for(store), reply_to=MAIL_FROM)
        store.cases.file_referral(make_referral(), actor=STAFF, now=FILED)
    return made


def add_due(service: NotifyService, moment: datetime) -> None:
    """A fresh reminder due at `moment` on one of the board's open deadlines."""
    rows = ReminderRows(service.store.board.id)
    with service.store.sessions.begin() as s:
        deadline = rows.open_deadlines(s, limit=1)[0]
        key = f"{deadline.id}:business_unit:test_due"
        rows.add(s, [NewReminder(key, "test_due", "business_unit", moment.date(), moment, deadline)], now=moment)


def states(service: NotifyService) -> dict[str, int]:
    rows = ReminderRows(service.store.board.id)
    with service.store.sessions() as s:
        return {state: rows.count(s, state) for state in (PENDING, SENT)}


@pytest.mark.parametrize(
    "due_boards",
    [
        pytest.param({"burley"}, id="one board due"),
        pytest.param({"aston", "dunmore"}, id="two boards due"),
        pytest.param(set(), id="nothing due"),
    ],
)
def test_a_pass_sweeps_only_the_boards_with_reminders_due(
    services: dict[str, NotifyService], due_boards: set[str]
) -> None:
    sweeps = [service.sweep for service in services.values()]
    sweep_boards(sweeps, NOW - timedelta(minutes=1))  # what was due before, and each board's next digest
    for board_id in due_boards:
        add_due(services[board_id], NOW)
    before = {board_id: states(service) for board_id, service in services.items()}
    assert all(counts[PENDING] > 0 for counts in before.values())  # every board has reminders due later

    reports = sweep_boards(sweeps, NOW)

    assert set(reports) == due_boards  # the others never opened a claim
    for board_id, service in services.items():
        after = states(service)
        sent = 1 if board_id in due_boards else 0
        assert after == {PENDING: before[board_id][PENDING] - sent, SENT: before[board_id][SENT] + sent}
        if sent:
            assert len(reports[board_id].sent) == 1
    assert sweep_boards(sweeps, NOW) == {}  # each sent once: nothing left due


def test_the_weekly_digest_makes_every_board_sweep_once(services: dict[str, NotifyService]) -> None:
    sweeps = [service.sweep for service in services.values()]
    sweep_boards(sweeps, NOW)  # each board's next digest (Monday 14 December, 09:00) made sure of
    digest_at = datetime(2026, 12, 14, 9, 0, tzinfo=UTC)

    reports = sweep_boards(sweeps, digest_at)

    assert sorted(reports) == sorted(BOARDS)
    assert all(report.digests == 1 for report in reports.values())
    assert sweep_boards(sweeps, digest_at) == {}  # sent once; the next week's row is not due yet
