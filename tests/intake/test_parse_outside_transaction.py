"""No parsing while a transaction is open (issue 10 item 1): a hostile message may take a while to read, and on
SQLite every transaction holds the write lock, so the CLI and Slack would wait on it. The message is stored in a
transaction of its own, read and classified with none open, then acted on in a short one.

The engine's own events say when a transaction is open; the parsers are watched where the classifier calls them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import event, text

from intake.inbound.processor import MailIntake
from storage.inbound import InboundStatus
from storage.store import Store
from tests.factories import REFERRER, STAFF, make_referral
from tests.support.forms import encrypt_docx, referral_email, referral_form_docx
from tests.support.intake import agency_reply, make_intake

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
PASSWORD = "Synthetic-Pa55word"


class TransactionWatch:
    """Which connections have a transaction open now (the engine's begin / commit / rollback events), and what
    was open each time a parser ran."""

    def __init__(self, store: Store) -> None:
        self.open: set[int] = set()
        self.seen_at_parse: list[tuple[str, int]] = []
        engine = store.engine
        event.listen(engine, "begin", lambda conn: self.open.add(id(conn)))
        event.listen(engine, "commit", lambda conn: self.open.discard(id(conn)))
        event.listen(engine, "rollback", lambda conn: self.open.discard(id(conn)))

    def watch(self, intake: MailIntake) -> None:
        classifier = intake.classifier
        for name in ("parse", "read_form"):
            original = getattr(classifier, name)

            def watched(*args: Any, _original: Any = original, _name: str = name, **kwargs: Any) -> Any:
                self.seen_at_parse.append((_name, len(self.open)))
                return _original(*args, **kwargs)

            setattr(classifier, name, watched)

    @property
    def parsed_in_a_transaction(self) -> list[tuple[str, int]]:
        return [(name, n) for name, n in self.seen_at_parse if n]


def _scenario_agency_reply(store: Store, intake: MailIntake) -> None:
    filed = store.cases.file_referral(make_referral(), actor=REFERRER, now=NOW)
    raw = agency_reply(filed.reference, "reviews@testshire.pnn.police.uk", "Records secured: yes", "<r1@pnn.example>")
    assert intake.ingest(raw, now=NOW).status is InboundStatus.PROCESSED


def _scenario_quarantined_and_released_as_agency(store: Store, intake: MailIntake) -> None:
    filed = store.cases.file_referral(make_referral(), actor=REFERRER, now=NOW)
    raw = agency_reply(filed.reference, "colleague@testshire.pnn.police.uk", "Records secured: yes", "<r2@pnn.example>")
    outcome = intake.ingest(raw, now=NOW)
    assert outcome.status is InboundStatus.QUARANTINED
    released = intake.release(outcome.inbound_id, actor=STAFF, now=NOW, as_agency="police")
    assert released.status is InboundStatus.RELEASED


def _scenario_protected_form_unlocked(store: Store, intake: MailIntake) -> None:
    raw = referral_email(encrypt_docx(referral_form_docx(), PASSWORD), sent=NOW)
    outcome = intake.ingest(raw, now=NOW)
    assert outcome.status is InboundStatus.NEEDS_PERSON
    unlocked = intake.unlock(outcome.inbound_id, PASSWORD, actor=STAFF, now=NOW)
    assert (unlocked.status, unlocked.case_ref) == (InboundStatus.RELEASED, "SCR-2026-0001")


def _scenario_form_from_outside_released(store: Store, intake: MailIntake) -> None:
    raw = referral_email(referral_form_docx(), sender="a.referrer@example.org", sent=NOW)
    outcome = intake.ingest(raw, now=NOW)
    assert outcome.status is InboundStatus.NEEDS_PERSON
    assert intake.release(outcome.inbound_id, actor=STAFF, now=NOW).case_ref == "SCR-2026-0001"


def _scenario_unreadable(store: Store, intake: MailIntake) -> None:
    assert intake.ingest(b"\xff\xfe not an email at all", now=NOW).status is InboundStatus.QUARANTINED


SCENARIOS = {
    "an agency's reply recorded": _scenario_agency_reply,
    "a colleague's reply released as the agency's": _scenario_quarantined_and_released_as_agency,
    "a protected form unlocked": _scenario_protected_form_unlocked,
    "a form from outside released": _scenario_form_from_outside_released,
    "something unreadable quarantined": _scenario_unreadable,
}


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_messages_are_parsed_with_no_transaction_open(scenario: str, store: Store) -> None:
    watch = TransactionWatch(store)
    intake = make_intake(store)
    watch.watch(intake)
    SCENARIOS[scenario](store, intake)
    assert watch.seen_at_parse, "the parser never ran: the scenario tests nothing"
    assert not watch.parsed_in_a_transaction, f"parsed inside a transaction: {watch.parsed_in_a_transaction}"


def test_the_watch_sees_a_transaction(store: Store) -> None:
    """The watch itself: inside a transaction it counts one."""
    watch = TransactionWatch(store)
    with store.sessions.begin() as s:
        s.execute(text("SELECT 1"))
        assert len(watch.open) == 1
    assert not watch.open
