"""A bot process for the crash test: polls a Maildir until it is empty, and kills itself with SIGKILL at
the Nth step (a checkpoint between store / act / move, or any database commit), as a crash would.

    python -m tests.support.crash_worker DB_URL KEY_FILE MAILDIR KILL_AT
"""

from __future__ import annotations

import itertools
import os
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event

from cases.board import SlackSettings
from cases.packs import bundled_pack
from mail.maildir import MaildirMailbox
from storage.db import make_engine
from storage.keyring import KeyRing
from storage.store import open_store
from tests.factories import make_board
from tests.support.intake import make_intake

NOW = datetime(2026, 12, 4, 16, 0, tzinfo=UTC)


def main(argv: list[str]) -> int:
    url, key_file, maildir, kill_at = argv[0], Path(argv[1]), Path(argv[2]), int(argv[3])
    board = make_board(slack=SlackSettings(business_unit_channel="C0BUSINESS"))
    engine = make_engine(url)
    store = open_store(engine, board, KeyRing.load_or_create(key_file, board.id), bundled_pack(board.rules_pack))
    mailbox = MaildirMailbox(maildir / "inbox", maildir / "outbox")
    intake = make_intake(store, mailbox=mailbox)
    steps = itertools.count(1)

    def step(_where: Any = None, *_args: Any) -> None:
        if next(steps) == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)

    intake.checkpoint = step
    event.listen(engine, "commit", step)  # just before a transaction commits
    while mailbox.list_new():
        intake.poll_mailbox(NOW, limit=100)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
