"""One reminder message per recipient a morning, even when two workers sweep at once (issue 15 §1/§2): two
workers (threads, each with its own engine and every board's services as a bot process wires them) released
together over three boards, each board with reminders due for its business unit, its manager and its chair.
Small batches, so each worker's pass is many claims interleaved with the other's. Every reminder is claimed
exactly once, and every recipient's due reminders all go to one worker and go out in one message."""

from __future__ import annotations

import threading
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from bot import wiring
from cases.packs import bundled_pack
from notify.board_sweeps import sweep_boards
from notify.service import NotifyService
from storage.db import make_engine
from storage.keyring import KeyRing
from storage.store import open_store
from storage.tables import ReminderRow
from tests.notify.conftest import MAIL_FROM, notify_board
from tests.support.databases import PostgresServer, sqlite_engine
from tests.support.reminder_seed import due_reminder_ids, seed

BOARDS = ("aston", "burley", "carlton")
TODAY = date(2026, 12, 9)  # a Wednesday
NOW = datetime(2026, 12, 9, 9, 5, tzinfo=UTC)
# Act-by dates, in working days from today: a business unit reminder (3 ahead, on the day), the manager's
# escalation with the business unit's overdue reminder (2 overdue), the chair's (5 overdue).
OFFSETS = (3, 0, -2, -5)
BATCH = 7  # reminders a claim: a pass is many claims, the two workers' interleaved


@pytest.fixture
def url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if backend == "sqlite":
        sqlite_engine(str(tmp_path / "scrbot.db")).dispose()  # the schema, made once
        yield f"sqlite:///{tmp_path / 'scrbot.db'}"
        return
    server: PostgresServer = request.getfixturevalue("pg_server")
    server.truncate()
    yield server.url


def worker_services(engine: Engine, keys: Path) -> list[NotifyService]:
    """Every board's notifications, as one bot process wires them."""
    ring = KeyRing.load(keys)
    made = []
    for board_id in BOARDS:
        board = notify_board(id=board_id)
        store = open_store(engine, board, ring, bundled_pack(board.rules_pack))
        service = wiring.notifications(store, wiring.outbox_for(store), reply_to=MAIL_FROM)
        service.sweep.batch = BATCH
        made.append(service)
    return made


def test_two_workers_at_once_send_each_recipient_one_message(url: str, tmp_path: Path) -> None:
    keys = tmp_path / "keys.json"
    for board_id in BOARDS:
        KeyRing.load_or_create(keys, board_id)
    engines = [make_engine(url) for _ in range(2)]
    workers = [worker_services(engine, keys) for engine in engines]  # each board's audit anchor, made first
    for n, board_id in enumerate(BOARDS):
        seed(
            engines[0], notify_board(id=board_id), cases=12, deadlines_per_case=len(OFFSETS), today=TODAY,
            offset=lambda c, k: OFFSETS[k], first=n * 100,
        )  # fmt: skip
    for services in workers:  # as a running service has: the pass before, each board's next digest made
        sweep_boards([s.sweep for s in services], NOW - timedelta(minutes=30))
    due = due_reminder_ids(engines[0], NOW)
    with engines[0].connect() as c:
        recipient_of = {
            rid: (board, audience)
            for rid, board, audience in c.execute(
                select(ReminderRow.id, ReminderRow.board_id, ReminderRow.audience).where(ReminderRow.id.in_(due))
            )
        }
    assert Counter(a for _, a in recipient_of.values()) == {"business_unit": 72, "manager": 36, "chair": 36}

    release = threading.Barrier(2)
    claimed: list[list[str]] = [[], []]
    errors: list[BaseException] = []

    def work(n: int) -> None:
        sweeps = [s.sweep for s in workers[n]]
        try:
            release.wait()
            for report in sweep_boards(sweeps if n == 0 else sweeps[::-1], NOW).values():
                claimed[n] += report.sent
        except BaseException as exc:  # noqa: BLE001 - seen by the test below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    for engine in engines:
        engine.dispose()
    assert errors == []

    counted = Counter(rid for worker in claimed for rid in worker)
    assert set(counted) == due and set(counted.values()) == {1}  # each reminder claimed exactly once
    workers_of: dict[tuple[str, str], set[int]] = defaultdict(set)
    for n, worker in enumerate(claimed):
        for rid in worker:
            workers_of[recipient_of[rid]].add(n)
    split = {recipient: ns for recipient, ns in workers_of.items() if len(ns) > 1}
    assert split == {}, f"recipients served by both workers: {sorted(split)}"
    assert len(workers_of) == len(BOARDS) * 3
    check = make_engine(url)
    with check.connect() as c:
        messages_of: dict[tuple[str, str], set[str]] = defaultdict(set)
        for rid, outbox_id in c.execute(select(ReminderRow.id, ReminderRow.outbox_id).where(ReminderRow.id.in_(due))):
            messages_of[recipient_of[rid]].add(outbox_id)
    check.dispose()
    assert {recipient: len(ids) for recipient, ids in messages_of.items()} == dict.fromkeys(workers_of, 1)
    assert all(all(ids) for ids in messages_of.values())  # each reminder went in a message
