"""A notifications environment on a real store: outbox, reminder sweep, dispatcher with a real Maildir outbox
(.eml files) and a recording chat sender. The board here has a business unit channel, emails, a board
manager and a chair, so every audience has somewhere to go."""

from __future__ import annotations

import email
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path

import pytest
from sqlalchemy import select

from bot import wiring
from cases.board import BoardConfig
from mail.maildir import MaildirMailbox
from notify.dispatch import Dispatcher, DispatchReport
from notify.outbox import Outbox
from notify.reminders import SweepReport
from notify.service import NotifyService, dispatch_all
from storage.store import Store
from storage.tables import ReminderRow

NOTIFY_BOARD_TOML = """
[board]
id = "testshire"
name = "Testshire Safeguarding Children Partnership"
rules_pack = "hackney-2017"

[slack]
business_unit_channel = "C0BUSINESS"

[notifications]
contact_email = "scr.unit@testshire.gov.uk"

[statutory_recipients.reviewer]
name = "Testshire lead reviewer"
email = "testshire.lead.reviewer@cjsm.net"

[statutory_recipients.review_panel]
name = "Testshire review panel"
email = "testshire.review.panel@nhs.net"

[[agencies]]
id = "police"
name = "Testshire Police"
kind = "police"
addresses = ["reviews@testshire.pnn.police.uk"]
chief_officer = "Chief Constable"

[[agencies]]
id = "health"
name = "Testshire Community Health"
kind = "health"
addresses = ["safeguarding.testshire@nhs.net", "named.nurse.testshire@nhs.net"]
chief_officer = "Chief Executive"

[[agencies]]
id = "school"
name = "Testshire Schools"
kind = "education"
addresses = ["dsl@testshire-schools.example.org"]
chief_officer = "Director of Education"

[[members]]
name = "Business Unit Tester"
email = "bu.tester@testshire.gov.uk"
slack_user_id = "UBU000001"
roles = ["business_unit"]

[[members]]
name = "Manager Tester"
email = "manager@testshire.gov.uk"
slack_user_id = "UMGR00001"
roles = ["business_unit"]
board_manager = true

[[members]]
name = "Chair Tester"
email = "chair@testshire.gov.uk"
slack_user_id = "UCHAIR0001"
roles = ["chair", "business_unit"]
"""

MAIL_FROM = "scr-bot@testshire.gov.uk"


def notify_board(**overrides: object) -> BoardConfig:
    board = BoardConfig.from_toml(NOTIFY_BOARD_TOML)
    return board.model_copy(update=overrides) if overrides else board


@pytest.fixture
def board() -> BoardConfig:
    return notify_board()


class RecordingChat:
    """Our ChatSender protocol, recording every post (Slack itself is tested against the fake Slack API)."""

    def __init__(self) -> None:
        self.posts: list[tuple[str, str]] = []
        self.about: list[str] = []  # the outbox item each post is about (an approval request's draft), or ""
        self.lock = threading.Lock()

    def post(self, target: str, text: str, *, about: str = "") -> str:
        with self.lock:
            self.posts.append((target, text))
            self.about.append(about)
            return f"ts-{len(self.posts)}"


@dataclass
class NotifyEnv:
    store: Store
    outbox: Outbox
    service: NotifyService
    dispatcher: Dispatcher
    chat: RecordingChat
    mailbox: MaildirMailbox
    outbox_dir: Path

    def sweep(self, now: datetime) -> SweepReport:
        return self.service.run_reminders(now)

    def dispatch(self, now: datetime) -> DispatchReport:
        return dispatch_all(self.dispatcher, now)

    def tick(self, now: datetime) -> tuple[SweepReport, DispatchReport]:
        return self.sweep(now), self.dispatch(now)

    def emails(self, *, besides: Sequence[EmailMessage] = ()) -> list[EmailMessage]:
        """Every .eml written to the outbox folder (or those not among `besides`), oldest first."""
        seen = {m["Message-ID"] for m in besides}
        found = []
        for path in sorted(self.outbox_dir.glob("*.eml"), key=lambda p: (p.stat().st_mtime_ns, p.name)):
            message = email.message_from_bytes(path.read_bytes(), policy=default_policy)
            if isinstance(message, EmailMessage) and message["Message-ID"] not in seen:
                found.append(message)
        return found

    def reminders(self) -> list[ReminderRow]:
        with self.store.sessions() as s:
            return list(s.scalars(select(ReminderRow).order_by(ReminderRow.due_at, ReminderRow.key)))


def make_env(store: Store, tmp_path: Path, *, console_target: str = "") -> NotifyEnv:
    """The notifications feature as bot/wiring.py wires it (statutory drafts and reminder planning only)."""
    outbox = wiring.outbox_for(store)
    service = wiring.notifications(store, outbox, reply_to=MAIL_FROM, console_target=console_target)
    mailbox = MaildirMailbox(tmp_path / "mail" / "inbox", tmp_path / "mail" / "outbox")
    chat = RecordingChat()
    dispatcher = wiring.dispatcher(store, outbox, mailbox=mailbox, mail_from=MAIL_FROM, chat=chat)
    return NotifyEnv(store, outbox, service, dispatcher, chat, mailbox, tmp_path / "mail" / "outbox")


@pytest.fixture
def env(store: Store, tmp_path: Path) -> Iterator[NotifyEnv]:
    yield make_env(store, tmp_path)
