"""One reminder pass over a deployment's boards (issue 15 §2): only the boards with something due sweep; the
others' reminders due later stay pending, and each reminder due goes out once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from bot import wiring
from cases.packs import bundled_pack
from notify.board_sweeps import sweep_boards
from notify.service import NotifyService
from storage.crypto import DecryptionError
from storage.keyring import KeyRing
from storage.outbox import TABLE as OUTBOX
from storage.reminders import PENDING, SENT, NewReminder, ReminderRows
from storage.store import open_store
from storage.tables import OutboxRow, ReminderRow
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


def test_one_claim_over_every_board_keeps_each_boards_reminders_in_its_own_messages_and_keys(
    services: dict[str, NotifyService], engine: Engine
) -> None:
    """The pass claims every board's due reminders in one statement; each board's share goes into that board's
    messages only, sealed with that board's keys only."""
    sweeps = [service.sweep for service in services.values()]
    sweep_boards(sweeps, NOW - timedelta(minutes=1))
    for service in services.values():
        add_due(service, NOW)

    reports = sweep_boards(sweeps, NOW)

    assert sorted(reports) == sorted(BOARDS)
    with engine.connect() as c:
        sent = c.execute(select(ReminderRow.board_id, ReminderRow.outbox_id).where(ReminderRow.state == SENT)).all()
        messages = {row.id: row for row in c.execute(select(OutboxRow))}
    assert {board_id for board_id, _ in sent} == set(BOARDS)
    for board_id, outbox_id in sent:
        assert messages[outbox_id].board_id == board_id  # a reminder of board B never in a message of board A
    for message in messages.values():
        own = services[message.board_id].store.codec
        assert own.open_text(OUTBOX, "body_enc", message.id, message.body_enc)
        for other_id in set(BOARDS) - {message.board_id}:  # sealed with its own board's keys, no other's
            with pytest.raises(DecryptionError):
                services[other_id].store.codec.open_text(OUTBOX, "body_enc", message.id, message.body_enc)
    for service in services.values():  # each board's audit chain, appended for every board at once, intact
        with service.store.sessions() as s:
            assert service.store.audit.verify(s) == []


def test_a_failing_board_is_rolled_back_alone_and_stops_no_other(
    services: dict[str, NotifyService], caplog: pytest.LogCaptureFixture
) -> None:
    sweeps = [service.sweep for service in services.values()]
    sweep_boards(sweeps, NOW - timedelta(minutes=1))
    for service in services.values():
        add_due(service, NOW)
    before = {board_id: states(service) for board_id, service in services.items()}
    queued = len(services["burley"].outbox.list())
    broken = services["burley"].sweep

    def fail(*_: object, **__: object) -> None:
        raise BoardBroken

    # Its last step fails, after its messages are queued: all of its share undone.
    broken.rows.changes = fail  # type: ignore[method-assign,assignment]

    reports = sweep_boards(sweeps, NOW)

    assert sorted(reports) == sorted(set(BOARDS) - {"burley"})
    assert states(services["burley"]) == before["burley"]  # rolled back: its reminder stays pending
    for board_id in set(BOARDS) - {"burley"}:
        assert states(services[board_id])[SENT] == before[board_id][SENT] + 1
    assert "board burley: reminder sweep failed: BoardBroken" in caplog.text
    assert len(services["burley"].outbox.list()) == queued  # its messages rolled back too


class BoardBroken(Exception):
    pass
