"""Exactly once: stored first, acted on in one transaction, moved last. The same message twice, a crash
between any two steps, or a failure while acting never loses a message or acts on it twice."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from cases.packs import bundled_pack
from intake.inbound.limits import Limits
from intake.inbound.parse import ParsedMessage
from mail.base import PROCESSED, QUARANTINE
from mail.maildir import MaildirMailbox
from storage.inbound import InboundStatus
from storage.keyring import KeyRing
from storage.store import Store, open_store
from storage.tables import AgencyConfirmationRow, AuditRow, InboundMessageRow, OutboxRow
from tests.factories import REFERRER, make_referral
from tests.support.databases import PostgresServer, sqlite_engine
from tests.support.intake import agency_reply, make_intake, outbox_for

NOW = datetime(2026, 12, 4, 16, 0, tzinfo=UTC)
AGENCY_ADDRESSES = {
    "police": "reviews@testshire.pnn.police.uk",
    "health": "safeguarding.testshire@nhs.net",
    "school": "dsl@testshire-schools.example.org",
}
REPO = Path(__file__).resolve().parents[2]


def reply(reference: str, agency: str, body: str, message_id: str, **headers: str) -> bytes:
    return agency_reply(reference, AGENCY_ADDRESSES.get(agency, agency), body, message_id, **headers)


def count(store: Store, row: type, *where: object) -> int:
    with store.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(row).where(*where)) or 0)


def confirmations(store: Store) -> int:
    return count(store, AuditRow, AuditRow.action == "agency.confirmation")


def test_the_same_message_delivered_twice_is_acted_on_once(store: Store, tmp_path: Path) -> None:
    filed = store.cases.file_referral(make_referral(), actor=REFERRER, now=NOW)
    mailbox = MaildirMailbox(tmp_path / "inbox", tmp_path / "outbox")
    raw = reply(filed.reference, "police", "Records secured: yes", "<twice@pnn.example>")
    mailbox.deliver(raw)
    mailbox.deliver(raw)
    report = make_intake(store, mailbox=mailbox).poll_mailbox(NOW)
    assert [o.duplicate for o in report.outcomes] == [False, True]
    assert len({o.inbound_id for o in report.outcomes}) == 1
    assert confirmations(store) == 1
    assert mailbox.list_new() == [] and len(mailbox.folder_keys(PROCESSED)) == 2


def test_a_message_reusing_a_message_id_with_other_content_is_judged_on_its_own(store: Store) -> None:
    filed = store.cases.file_referral(make_referral(), actor=REFERRER, now=NOW)
    intake = make_intake(store)
    first = intake.ingest(reply(filed.reference, "police", "Records secured: yes", "<same@x>"), now=NOW)
    forged = intake.ingest(
        reply(filed.reference, "someone@attacker.example", "Records secured: yes", "<same@x>"), now=NOW
    )
    assert not forged.duplicate and forged.inbound_id != first.inbound_id
    assert forged.status is InboundStatus.QUARANTINED


def test_a_crash_after_acting_and_before_moving_changes_nothing_the_second_time(store: Store, tmp_path: Path) -> None:
    filed = store.cases.file_referral(make_referral(), actor=REFERRER, now=NOW)
    mailbox = MaildirMailbox(tmp_path / "inbox", tmp_path / "outbox")
    mailbox.deliver(reply(filed.reference, "police", "Records secured: yes", "<crash@pnn.example>"))
    intake = make_intake(store, mailbox=mailbox)

    def crash(step: str) -> None:
        if step == "ingested":
            raise KeyboardInterrupt  # the process stops after the outcome committed, before the move

    intake.checkpoint = crash
    with pytest.raises(KeyboardInterrupt):
        intake.poll_mailbox(NOW)
    assert len(mailbox.list_new()) == 1 and confirmations(store) == 1

    intake.checkpoint = lambda _step: None
    again = intake.poll_mailbox(NOW)
    assert [o.duplicate for o in again.outcomes] == [True]
    assert mailbox.list_new() == [] and confirmations(store) == 1


def test_a_database_outage_while_acting_leaves_the_message_to_retry(store: Store, tmp_path: Path) -> None:
    filed = store.cases.file_referral(make_referral(), actor=REFERRER, now=NOW)
    mailbox = MaildirMailbox(tmp_path / "inbox", tmp_path / "outbox")
    mailbox.deliver(reply(filed.reference, "police", "Records secured: yes", "<outage@pnn.example>"))
    intake = make_intake(store, mailbox=mailbox)

    def outage(step: str) -> None:
        if step == "acted":
            raise OperationalError("COMMIT", {}, Exception("database is locked"))

    intake.checkpoint = outage
    report = intake.poll_mailbox(NOW)
    assert report.stopped.startswith("database error")
    assert len(mailbox.list_new()) == 1 and confirmations(store) == 0
    assert count(store, InboundMessageRow, InboundMessageRow.status == "received") == 1

    intake.checkpoint = lambda _step: None
    intake.poll_mailbox(NOW)
    assert mailbox.list_new() == [] and confirmations(store) == 1


def test_any_other_failure_while_acting_rolls_back_and_quarantines(store: Store) -> None:
    filed = store.cases.file_referral(make_referral(), actor=REFERRER, now=NOW)
    intake = make_intake(store)

    def bug(step: str) -> None:
        if step == "acted":
            raise RuntimeError("a bug")

    intake.checkpoint = bug
    outcome = intake.ingest(reply(filed.reference, "police", "Records secured: yes", "<bug@x>"), now=NOW)
    assert outcome.status is InboundStatus.QUARANTINED
    assert outcome.reason == "could not be processed (RuntimeError)"
    assert confirmations(store) == 0  # what it did was rolled back with it


# --- killing the process at random points ---------------------------------------------------------------


def _messages(references: list[str]) -> list[bytes]:
    rng = random.Random(4)
    messages: list[bytes] = []
    firsts: list[bytes] = []
    for index, (reference, agency) in enumerate((r, a) for r in references for a in AGENCY_ADDRESSES):
        raw = reply(reference, agency, "Records secured: yes\nKnown to agency: no", f"<confirm-{index}@agency.example>")
        firsts.append(raw)
    messages += firsts  # 150 confirmations
    messages += rng.sample(firsts, 100)  # the same messages delivered again
    for i in range(250):
        messages.append(
            reply(
                references[i % len(references)],
                "police",
                "I am out of the office.",
                f"<ooo-{i}@x>",
                Auto_Submitted="auto-replied",
            )
        )
    for i in range(200):
        messages.append(
            reply(references[i % len(references)], f"stranger{i}@example.org", "Records secured", f"<u-{i}@x>")
        )
    for i in range(150):
        messages.append(reply(references[i % len(references)], "health", "Yes", f"<yes-{i}@x>"))
    for i in range(150):
        messages.append(
            reply(
                references[i % len(references)],
                "police",
                "Records secured: yes",
                f"<forged-{i}@x>",
                Authentication_Results="mx.testshire.gov.uk; dmarc=fail header.from=testshire.pnn.police.uk",
            )
        )
    rng.shuffle(messages)
    return messages


@pytest.mark.parametrize("database", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_killed_at_random_points_every_message_ends_processed_exactly_once(
    database: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    from cases.board import SlackSettings
    from tests.factories import make_board

    board = make_board(slack=SlackSettings(business_unit_channel="C0BUSINESS"))
    key_file = tmp_path / "keys.json"
    if database == "sqlite":
        url = f"sqlite+pysqlite:///{tmp_path / 'scrbot.db'}"
        engine = sqlite_engine(str(tmp_path / "scrbot.db"))
    else:
        server: PostgresServer = request.getfixturevalue("pg_server")
        server.truncate()
        url, engine = server.url, server.engine
    store = open_store(engine, board, KeyRing.load_or_create(key_file, board.id), bundled_pack(board.rules_pack))
    references = [store.cases.file_referral(make_referral(), actor=REFERRER, now=NOW).reference for _ in range(50)]
    mailbox = MaildirMailbox(tmp_path / "mail" / "inbox", tmp_path / "mail" / "outbox")
    messages = _messages(references)
    assert len(messages) == 1000
    for raw in messages:
        mailbox.deliver(raw)

    rng = random.Random(20261204)
    kills = 0
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    for _run in range(200):
        kill_at = rng.randint(1, 1500)  # a clean run of this work takes about 4,200 steps
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "tests.support.crash_worker",
                url,
                str(key_file),
                str(tmp_path / "mail"),
                str(kill_at),
            ],
            cwd=REPO,
            env=env,
            capture_output=True,
            timeout=600,
            check=False,
        )
        if done.returncode == 0:
            break
        assert done.returncode == -signal.SIGKILL, done.stderr.decode()[-2000:]
        kills += 1
    else:
        pytest.fail("the worker never finished")
    assert kills >= 3  # the run really was interrupted, several times

    # None lost, none duplicated: every file is in exactly one folder.
    assert mailbox.list_new() == []
    assert len(mailbox.folder_keys(PROCESSED)) + len(mailbox.folder_keys(QUARANTINE)) == 1000
    # One row per distinct message, each finished once.
    with store.sessions() as s:
        statuses = Counter(s.scalars(select(InboundMessageRow.status)))
        outbox = outbox_for(store)
        told = Counter(
            line.split()[1]
            for row in s.scalars(select(OutboxRow).where(OutboxRow.kind == "inbound_mail_notice"))
            for line in outbox.rows.item(row).text.splitlines()
            if line.startswith("- ")
        )
        pending = s.scalar(
            select(func.count()).select_from(InboundMessageRow).where(InboundMessageRow.notice_pending.is_(True))
        )
        secured = s.scalar(
            select(func.count()).select_from(AgencyConfirmationRow).where(AgencyConfirmationRow.records == "secured")
        )
        problems = store.audit.verify(s)
    assert statuses == {"processed": 400, "quarantined": 350, "needs_person": 150}
    assert confirmations(store) == 150 and secured == 150
    # The business unit was told about every quarantined or unclear message, each exactly once.
    assert len(told) == 500 and set(told.values()) == {1} and pending == 0
    assert problems == []


def test_a_message_that_keeps_stopping_the_process_is_quarantined_not_retried_forever(store: Store) -> None:
    filed = store.cases.file_referral(make_referral(), actor=REFERRER, now=NOW)
    intake = make_intake(store)
    raw = reply(filed.reference, "police", "Records secured: yes", "<poison@x>")
    parse = intake.classifier.parse

    def crash(raw: bytes, limits: Limits) -> ParsedMessage:
        raise KeyboardInterrupt  # e.g. the process runs out of memory while it parses this message

    intake.classifier.parse = crash
    for _ in range(3):
        with pytest.raises(KeyboardInterrupt):
            intake.ingest(raw, now=NOW)
    # The fourth time it is read in a child process first: that stops too, so it is quarantined unread.
    outcome = intake.ingest(raw, now=NOW)
    assert outcome.status is InboundStatus.QUARANTINED
    assert "stopped the bot 3 times and a trial read stopped too" in outcome.reason
    intake.classifier.parse = parse
    assert intake.ingest(raw, now=NOW).duplicate and confirmations(store) == 0


def test_an_answer_stopped_after_its_reading_again_and_again_is_recorded_once_not_quarantined(store: Store) -> None:
    """A restart or an outside kill that lands after the message was read (at "acted": just before the
    commit that records the confirmation) is not the message's doing: after each restart the same message is
    first in the inbox, and four such stops must not quarantine an agency's answer (the crash run, seed 2)."""
    filed = store.cases.file_referral(make_referral(), actor=REFERRER, now=NOW)
    intake = make_intake(store)
    raw = reply(filed.reference, "police", "Records secured: yes", "<stopped-after-reading@x>")

    def crash(at: str) -> None:
        if at == "acted":
            raise KeyboardInterrupt  # the process stops here, as SIGKILL would

    intake.checkpoint = crash
    for _ in range(4):
        with pytest.raises(KeyboardInterrupt):
            intake.ingest(raw, now=NOW)
        assert confirmations(store) == 0  # rolled back each time
    intake.checkpoint = lambda _at: None
    outcome = intake.ingest(raw, now=NOW)
    assert (outcome.status, outcome.kind) == (InboundStatus.PROCESSED, "agency_reply"), outcome.reason
    assert confirmations(store) == 1
    assert intake.ingest(raw, now=NOW).duplicate and confirmations(store) == 1
