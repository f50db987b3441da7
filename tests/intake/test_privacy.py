"""No personal data in the database file (SQLite + WAL), the logs or Slack, whatever inbound mail holds."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest

from cases.board import BoardConfig
from cases.packs import bundled_pack
from mail.maildir import MaildirMailbox
from notify.dispatch import Dispatcher
from notify.senders import ChatMessageSender, EmailSender
from storage.keyring import KeyRing
from storage.store import open_store
from tests.factories import (
    CHILD_ADDRESS,
    CHILD_FORENAMES,
    CHILD_LAST_NAME,
    MOTHER_NAME,
    REFERRER,
    SENSITIVE_STRINGS,
    make_referral,
)
from tests.support.databases import sqlite_engine
from tests.support.forms import encrypt_docx, referral_email, referral_form_docx
from tests.support.intake import agency_requests_for, authentication_results, make_intake, outbox_for

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
CHILD = f"{CHILD_FORENAMES} {CHILD_LAST_NAME}"


class Chat:
    def __init__(self) -> None:
        self.posts: list[str] = []

    def post(self, target: str, text: str) -> str:
        self.posts.append(f"{target} {text}")
        return str(len(self.posts))


def message(sender: str, subject: str, body: str, message_id: str) -> bytes:
    m = EmailMessage()
    m["Authentication-Results"] = authentication_results(sender)
    m["From"] = sender
    m["To"] = "scr@testshire.gov.uk"
    m["Subject"] = subject
    m["Message-ID"] = message_id
    m["Date"] = "Tue, 24 Nov 2026 09:00:00 +0000"
    m.set_content(body)
    return bytes(m)


def test_personal_data_in_mail_never_reaches_the_database_file_logs_or_slack(
    board: BoardConfig, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # SQLite, whose file's bytes can be searched (the store on PostgreSQL seals the same columns).
    engine = sqlite_engine(str(tmp_path / "scrbot.db"))
    store = open_store(
        engine, board, KeyRing.load_or_create(tmp_path / "keys.json", board.id), bundled_pack(board.rules_pack)
    )
    caplog.set_level(logging.DEBUG)
    agency_requests_for(store).subscribe()
    filed = store.cases.file_referral(make_referral(), actor=REFERRER, now=NOW)
    intake = make_intake(store, subscribe_requests=False)
    quoted_request = (
        f"> Child: {CHILD}\n> Address: {CHILD_ADDRESS}\n> Mother: {MOTHER_NAME}\n> Records secured: yes / no"
    )
    outcomes = [
        # A clear answer quoting the request's personal data.
        intake.ingest(
            message(
                "reviews@testshire.pnn.police.uk",
                f"RE: [{filed.reference}] {CHILD}",
                f"Records secured: yes\nSecured by: {MOTHER_NAME}\n\n{quoted_request}",
                "<a@x>",
            ),
            now=NOW,
        ),
        # An unclear one that names the child in its new text: needs a person.
        intake.ingest(
            message(
                "safeguarding.testshire@nhs.net",
                f"RE: [{filed.reference}]",
                f"About {CHILD}: I will check and come back to you.\n\n{quoted_request}",
                "<b@x>",
            ),
            now=NOW,
        ),
        # A stranger writing about the child in the subject: quarantined.
        intake.ingest(message("stranger@example.org", f"{CHILD} at {CHILD_ADDRESS}", CHILD, "<c@x>"), now=NOW),
        # A protected referral form, then one typed in the body with a gap.
        intake.ingest(referral_email(encrypt_docx(referral_form_docx(), "pw"), sent=NOW), now=NOW),
        intake.ingest(
            referral_email(
                None,
                body=f"Child's Last Name/s: {CHILD_LAST_NAME}\nChild's Forename/s: {CHILD_FORENAMES}\n"
                f"Child's Home Address: {CHILD_ADDRESS}\nCase outline: {CHILD} was hurt.",
                message_id="<d@x>",
                sent=NOW,
            ),
            now=NOW,
        ),
    ]
    assert [o.status.value for o in outcomes] == [
        "processed",
        "needs_person",
        "quarantined",
        "needs_person",
        "needs_person",
    ]
    assert intake.tell_business_unit(NOW) == 4  # one notice, four messages a person must look at
    chat = Chat()
    mailbox = MaildirMailbox(tmp_path / "in", tmp_path / "out")
    Dispatcher(
        store.sessions,
        outbox_for(store),
        {"slack": ChatMessageSender(chat), "email": EmailSender(mailbox, mail_from="scr@testshire.gov.uk")},
    ).dispatch_due(NOW)
    assert len(chat.posts) == 1

    searched = {
        "slack": "\n".join(chat.posts) + "\n".join(o.reason for o in outcomes),
        "logs": caplog.text,
    }
    database = Path(str(store.engine.url.database))
    raw = b"".join(p.read_bytes() for p in (database, Path(f"{database}-wal")) if p.exists())
    for name, text in searched.items():
        found = [s for s in SENSITIVE_STRINGS if s in text]
        assert found == [], f"{name} holds {found}"
    assert [s for s in SENSITIVE_STRINGS if s.encode() in raw] == []
    assert b"Records secured: yes" not in raw  # message bodies are sealed too
    engine.dispose()
