"""Two bot processes sweeping the same PostgreSQL database at once: 1,000 due reminders, each sent exactly once.

Both run the real CLI (`scrbot reminders run --now ... --batch 20`) as separate OS processes against one
scratch database; they are released together through their stdin, so their sweeps overlap. Each process
claims whole recipients (an advisory lock each, rows FOR UPDATE SKIP LOCKED), queues and dispatches; local
mode prints Slack posts to stdout and writes mail as .eml files.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from storage.keyring import KeyRing
from storage.tables import ReminderRow
from tests.notify.conftest import NOTIFY_BOARD_TOML, notify_board
from tests.support.databases import PostgresServer
from tests.support.reminder_seed import seed

# Imports first, says so, then waits to be released: both sweeps start together, not one after the other's
# imports (a sweep can be over before a slow interpreter has started).
RELEASE_THEN_RUN = (
    "import sys\nfrom bot.cli import main\nprint('ready', flush=True)\nsys.stdin.readline()\n"
    "raise SystemExit(main(sys.argv[1:]))\n"
)
LINE = re.compile(r"^[•-] (SCR-\d{4}-\d{4}) `?(rule_\d\d)`?", re.MULTILINE)


@pytest.mark.postgres
def test_two_processes_send_each_of_1000_due_reminders_exactly_once(pg_server: PostgresServer, tmp_path: Path) -> None:
    pg_server.truncate()
    board = notify_board()
    today = date(2026, 12, 9)
    # 100 open cases, 10 deadlines each, all with act_by three working days ahead: 1,000 reminders due today.
    seeded = seed(pg_server.engine, board, cases=100, deadlines_per_case=10, today=today, offset=lambda c, k: 3)
    assert seeded.due == 1000
    (tmp_path / "board.toml").write_text(NOTIFY_BOARD_TOML)
    KeyRing.load_or_create(tmp_path / "keys.json", board.id)
    env = {
        **os.environ,
        "SCRBOT_DATABASE_URL": pg_server.url,
        "SCRBOT_DATA_DIR": str(tmp_path / "var"),
        "SCRBOT_KEY_FILE": str(tmp_path / "keys.json"),
        "SCRBOT_BOARD_CONFIG": str(tmp_path / "board.toml"),
        "SCRBOT_MAIL_FROM": "scr-bot@testshire.gov.uk",
        "SCRBOT_LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "-c", RELEASE_THEN_RUN, "reminders", "run", "--now", "2026-12-09T09:05", "--batch", "20"]
    processes = [
        subprocess.Popen(
            [*command, "--json"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=tmp_path,
        )
        for _ in range(2)
    ]
    for process in processes:
        assert process.stdout is not None
        assert process.stdout.readline() == "ready\n"
    for process in processes:
        assert process.stdin is not None
        process.stdin.write("go\n")
        process.stdin.flush()
    outputs = [process.communicate(timeout=300) for process in processes]
    for process, (_, err) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, err

    # Each process printed its JSON report to stdout, and (local mode) its Slack posts to stderr.
    reports = [json.loads(out) for out, _ in outputs]
    slack_lines: Counter[tuple[str, str]] = Counter()
    for _, err in outputs:
        slack_lines.update(LINE.findall(err))
    claimed = [set(r["reminder_ids"]) for r in reports]
    assert len(claimed[0]) + len(claimed[1]) == 1000
    assert not claimed[0] & claimed[1], "a reminder was claimed by both processes"
    # All 1,000 are the business unit's, one recipient: one process claims them all, for one message
    # (tests/notify/test_one_message_per_recipient.py has several recipients shared between two workers).
    assert sorted(len(c) for c in claimed) == [0, 1000]

    # Sent exactly once: every reminder line once in Slack, once in email; every row marked sent once.
    assert len(slack_lines) == 1000 and set(slack_lines.values()) == {1}
    email_lines: Counter[tuple[str, str]] = Counter()
    for path in (tmp_path / "var" / "mail" / "outbox").glob("*.eml"):
        email_lines.update(LINE.findall(path.read_text()))
    assert len(email_lines) == 1000 and set(email_lines.values()) == {1}
    with pg_server.engine.connect() as c:
        due_rows = c.execute(select(ReminderRow.state, ReminderRow.outbox_id).where(ReminderRow.remind_on == today))
        states = Counter(state for state, outbox_id in due_rows if outbox_id or state != "sent")
    assert states == Counter({"sent": 1000})
