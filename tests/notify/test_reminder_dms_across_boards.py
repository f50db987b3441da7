"""Direct-message reminders across boards (issue 15 §1, §2): two boards on one database, each with its own board
manager in Slack, a reminder due to each manager in the same pass. Each manager's DM names only their own
board's case, sent through the real slack_sdk WebClient to the fake Slack Web API."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from slack_sdk import WebClient
from sqlalchemy import Engine

from bot import wiring
from bot.slack.chat import SlackChat
from cases.board import Member
from cases.packs import bundled_pack
from mail.maildir import MaildirMailbox
from notify.board_sweeps import sweep_boards
from notify.service import NotifyService, dispatch_all
from storage.keyring import KeyRing
from storage.reminders import NewReminder, ReminderRows
from storage.store import Store, open_store
from tests.factories import STAFF, make_referral
from tests.notify.conftest import MAIL_FROM, notify_board
from tests.support.databases import sqlite_engine
from tests.support.fake_slack import FakeSlack

MANAGERS = {"aston": "UASTONMGR1", "burley": "UBURLEYMG1"}
# Each board's case filed in a different year, so its reference (SCR-2026-0001, SCR-2027-0001) says whose it
# is: both boards number their cases from 0001.
FILED = {"aston": datetime(2026, 12, 7, 10, 0, tzinfo=UTC), "burley": datetime(2027, 1, 4, 10, 0, tzinfo=UTC)}
YEAR = {"aston": "SCR-2026-", "burley": "SCR-2027-"}
NOW = datetime(2027, 1, 6, 9, 5, tzinfo=UTC)  # a Wednesday


def board_store(engine: Engine, board_id: str, keys: Path) -> Store:
    manager = Member(
        name=f"{board_id.title()} Manager",
        email=f"manager@{board_id}.gov.uk",
        slack_user_id=MANAGERS[board_id],
        board_manager=True,
    )
    board = notify_board(id=board_id, name=f"{board_id.title()} Safeguarding Partnership", members=[manager])
    return open_store(engine, board, KeyRing.load_or_create(keys, board_id), bundled_pack(board.rules_pack))


@pytest.fixture
def db_engine(tmp_path: Path) -> Iterator[Engine]:
    engine = sqlite_engine(str(tmp_path / "scrbot.db"))
    yield engine
    engine.dispose()


def manager_due(service: NotifyService) -> str:
    """A reminder to the board manager due now, on the board's case; returns that case's reference."""
    rows = ReminderRows(service.store.board.id)
    with service.store.sessions.begin() as s:
        deadline = rows.open_deadlines(s, limit=1)[0]
        key = f"{deadline.id}:manager:test_escalation"
        rows.add(s, [NewReminder(key, "test_escalation", "manager", NOW.date(), NOW, deadline)], now=NOW)
    return deadline.case_ref


def test_each_board_managers_dm_names_only_their_own_boards_case(db_engine: Engine, tmp_path: Path) -> None:
    services: dict[str, NotifyService] = {}
    for board_id, filed in FILED.items():
        store = board_store(db_engine, board_id, tmp_path / "keys.json")
        services[board_id] = wiring.notifications(store, wiring.outbox_for(store), reply_to=MAIL_FROM)
        store.cases.file_referral(make_referral(today=filed.date()), actor=STAFF, now=filed)
    sweeps = [service.sweep for service in services.values()]
    sweep_boards(sweeps, NOW.replace(minute=4))  # what was due before
    own_case = {board_id: manager_due(service) for board_id, service in services.items()}
    assert {board_id: ref[:9] for board_id, ref in own_case.items()} == YEAR

    with FakeSlack() as fake:
        client = WebClient(token="xoxb-test", base_url=fake.base_url)
        reports = sweep_boards(sweeps, NOW)
        assert sorted(reports) == ["aston", "burley"]
        for board_id, service in services.items():
            mailbox = MaildirMailbox(tmp_path / board_id / "inbox", tmp_path / board_id / "outbox")
            chat = SlackChat(client, service.store.board)
            dispatcher = wiring.dispatcher(
                service.store, service.outbox, mailbox=mailbox, mail_from=MAIL_FROM, chat=chat
            )
            dispatch_all(dispatcher, NOW)
        opened = {call.user: "D" + str(call.user).removeprefix("U") for call in fake.calls("conversations.open")}
        dms = {user: [c.text for c in fake.calls("chat.postMessage") if c.channel == dm] for user, dm in opened.items()}

    for board_id, other_id in (("aston", "burley"), ("burley", "aston")):
        texts = dms[MANAGERS[board_id]]
        assert texts, f"{board_id}'s manager got no DM"
        assert any(own_case[board_id] in text for text in texts)
        assert not any(YEAR[other_id] in text for text in texts)  # no case of the other board, in any DM
