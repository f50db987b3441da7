"""A poll takes the inbox in batches (intake/inbound/batch.py): one transaction stores a batch, one more records
its outcomes, and only then are its messages moved. What one message at a time guaranteed still holds for each
message of a batch: one that fails is rolled back and quarantined alone, a stop anywhere before the outcomes
commit leaves the whole batch to act on once, and a row another process finished meanwhile is left alone."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from cases.actor import Actor
from intake.inbound import polling
from intake.inbound.classify import AgencyReply, Reading, Verdict
from intake.inbound.limits import Limits
from intake.inbound.parse import ParsedMessage
from intake.inbound.processor import MailIntake
from mail.base import PROCESSED, QUARANTINE, Mailbox
from mail.maildir import MaildirMailbox
from storage.inbound import InboundStatus
from storage.store import Store
from storage.tables import AuditRow, InboundMessageRow, ReminderRow
from tests.factories import REFERRER, make_referral
from tests.support.intake import agency_reply, make_intake

NOW = datetime(2026, 12, 4, 16, 0, tzinfo=UTC)
POLICE = "reviews@testshire.pnn.police.uk"
HEALTH = "safeguarding.testshire@nhs.net"


def _confirmations(store: Store) -> int:
    with store.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(AuditRow).where(AuditRow.action == "agency.confirmation")))


def _statuses(store: Store) -> list[str]:
    with store.sessions() as s:
        return sorted(s.scalars(select(InboundMessageRow.status)))


def _inbox(store: Store, tmp_path: Path) -> tuple[MaildirMailbox, MailIntake, list[str]]:
    """Two answers that change a case, an out-of-office reply and a stranger's message, in one batch."""
    references = [store.cases.file_referral(make_referral(), actor=REFERRER, now=NOW).reference for _ in range(2)]
    mailbox = MaildirMailbox(tmp_path / "inbox", tmp_path / "outbox")
    for raw in (
        agency_reply(references[0], POLICE, "Records secured: yes", "<answer-0@x>"),
        agency_reply(references[1], HEALTH, "Records secured: yes", "<answer-1@x>"),
        agency_reply(references[0], POLICE, "I am out of the office.", "<ooo@x>", Auto_Submitted="auto-replied"),
        agency_reply(references[1], "someone@example.org", "Records secured.", "<stranger@x>"),
    ):
        mailbox.deliver(raw)
    return mailbox, make_intake(store, mailbox=mailbox), references


def test_a_batch_is_stored_in_one_transaction_and_its_outcomes_in_one_more(store: Store, tmp_path: Path) -> None:
    mailbox, intake, _ = _inbox(store, tmp_path)
    commits: list[int] = []
    engine = store.sessions.kw["bind"]
    listener: Callable[..., None] = lambda *_a: commits.append(1)  # noqa: E731
    event.listen(engine, "commit", listener)
    try:
        report = intake.poll_mailbox(NOW)
    finally:
        event.remove(engine, "commit", listener)
    assert report.counts() == {"processed": 3, "quarantined": 1}
    assert _confirmations(store) == 2
    # Stored, then every outcome; then the business unit's notice about the stranger, and the look that finds
    # nothing more to tell (a transaction each).
    assert len(commits) == 4
    assert mailbox.list_new() == [] and len(mailbox.folder_keys(PROCESSED)) == 3
    assert len(mailbox.folder_keys(QUARANTINE)) == 1


def test_one_message_that_fails_is_rolled_back_and_quarantined_alone(store: Store, tmp_path: Path) -> None:
    mailbox, intake, references = _inbox(store, tmp_path)
    carry_out = intake.carry_out

    def fails_for_the_second_case(s: Session, reading: Reading, now: datetime, *, person: Actor | None) -> Verdict:
        verdict = carry_out(s, reading, now, person=person)  # the confirmation is written, then the bug
        if isinstance(reading, AgencyReply) and reading.reference == references[1]:
            raise RuntimeError("a bug")
        return verdict

    intake.carry_out = fails_for_the_second_case  # type: ignore[method-assign]
    report = intake.poll_mailbox(NOW)
    failed = [o for o in report.outcomes if o.reason == "could not be processed (RuntimeError)"]
    assert len(failed) == 1 and failed[0].status is InboundStatus.QUARANTINED
    assert _confirmations(store) == 1  # the failing message's confirmation was rolled back with it
    assert report.counts() == {"processed": 2, "quarantined": 2}
    assert mailbox.list_new() == [] and len(mailbox.folder_keys(QUARANTINE)) == 2
    assert intake.tell_business_unit(NOW) == 0  # told in the poll's notice, with the stranger


@pytest.mark.parametrize("step", ["stored", "read", "acted"])
def test_a_stop_inside_a_batch_leaves_the_whole_batch_to_act_on_once(store: Store, tmp_path: Path, step: str) -> None:
    mailbox, intake, _ = _inbox(store, tmp_path)
    seen: list[str] = []

    def stop(at: str) -> None:
        seen.append(at)
        # Killed once the batch is stored, or after its second message is read, or acted on.
        if at == step and seen.count(step) == (1 if step == "stored" else 2):
            raise KeyboardInterrupt

    intake.checkpoint = stop
    with pytest.raises(KeyboardInterrupt):
        intake.poll_mailbox(NOW)
    assert _statuses(store) == ["received"] * 4 and _confirmations(store) == 0
    assert len(mailbox.list_new()) == 4

    intake.checkpoint = lambda _at: None
    report = intake.poll_mailbox(NOW)
    assert report.counts() == {"processed": 3, "quarantined": 1}
    assert not any(o.duplicate for o in report.outcomes)
    assert _confirmations(store) == 2 and mailbox.list_new() == []
    with store.sessions() as s:
        assert set(s.scalars(select(InboundMessageRow.attempts))) == {2}  # one more attempt each, counted
    again = intake.poll_mailbox(NOW)
    assert again.seen == 0 and _confirmations(store) == 2


def test_a_row_finished_by_another_process_while_the_batch_was_read_is_left_alone(store: Store, tmp_path: Path) -> None:
    mailbox, intake, references = _inbox(store, tmp_path)
    other = make_intake(store)
    stranger = agency_reply(references[1], "someone@example.org", "Records secured.", "<stranger@x>")
    ooo = agency_reply(references[0], POLICE, "I am out of the office.", "<ooo@x>", Auto_Submitted="auto-replied")
    finished: list[InboundStatus] = []

    def other_process_finishes_two(at: str) -> None:
        if at == "stored" and not finished:
            # Found stored (this batch committed it) and acted on there, while this one reads.
            finished.extend(other.ingest(raw, now=NOW).status for raw in (stranger, ooo))

    intake.checkpoint = other_process_finishes_two
    report = intake.poll_mailbox(NOW)
    assert finished == [InboundStatus.QUARANTINED, InboundStatus.PROCESSED]
    assert sorted(o.duplicate for o in report.outcomes) == [False, False, True, True]
    assert report.counts() == {"processed": 3, "quarantined": 1}
    assert _statuses(store) == ["processed"] * 3 + ["quarantined"]
    assert mailbox.list_new() == []
    assert other.tell_business_unit(NOW) + intake.tell_business_unit(NOW) == 0  # told once, in this poll


def test_the_batch_failing_as_a_whole_is_acted_on_one_message_at_a_time(store: Store, tmp_path: Path) -> None:
    mailbox, intake, _ = _inbox(store, tmp_path)
    failed: list[str] = []

    def fails_once_before_the_commit(at: str) -> None:
        if at == "acted" and not failed:
            failed.append(at)
            raise RuntimeError("a bug outside any one message")

    intake.checkpoint = fails_once_before_the_commit
    report = intake.poll_mailbox(NOW)
    assert failed
    assert report.counts() == {"processed": 3, "quarantined": 1}
    assert _confirmations(store) == 2 and mailbox.list_new() == []


def test_a_batch_closes_at_its_size_in_bytes(store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _, intake, _ = _inbox(store, tmp_path)
    batches: list[int] = []
    ingest = polling._ingest

    def counted(mailbox_: Mailbox, batch: Any, *args: Any) -> bool:
        batches.append(len(batch.keys))
        return ingest(mailbox_, batch, *args)

    monkeypatch.setattr(polling, "_ingest", counted)
    monkeypatch.setattr(polling, "BATCH_BYTES", 1)  # every message fills a batch
    assert intake.poll_mailbox(NOW).counts() == {"processed": 3, "quarantined": 1}
    assert batches == [1, 1, 1, 1]
    monkeypatch.setattr(polling, "BATCH_BYTES", 1 << 30)
    monkeypatch.setattr(polling, "BATCH_MESSAGES", 3)
    _inbox(store, tmp_path / "more")
    mailbox_more = MaildirMailbox(tmp_path / "more" / "inbox", tmp_path / "more" / "outbox")
    intake.mailbox = mailbox_more
    batches.clear()
    intake.poll_mailbox(NOW)
    assert batches == [3, 1]


def _state(store: Store, reference: str) -> tuple[object, ...]:
    case = store.cases.get_case(reference, actor=REFERRER, now=NOW)
    confirmations = sorted((c.agency_id, c.records, c.involvement, c.secured_on) for c in case.confirmations)
    deadlines = sorted((d.computed.rule, d.computed.agency or "", d.state.value, d.met_on) for d in case.deadlines)
    with store.sessions() as s:
        reminders = sorted(s.scalars(select(ReminderRow.state).where(ReminderRow.case_id == case.id)))
    return case.status, confirmations, deadlines, reminders


def test_two_answers_about_one_case_in_one_batch_are_recorded_as_one_at_a_time(store: Store, tmp_path: Path) -> None:
    """Each message of a batch starts from the database, as in a session of its own: the second answer about a
    case sees what the first recorded (its confirmation, the deadlines it met, the reminders it settled)."""
    answers = [
        (POLICE, "Records secured: yes\nKnown to agency: no"),
        (HEALTH, "Records secured: yes\nKnown to agency: yes"),
    ]
    together, alone = (store.cases.file_referral(make_referral(), actor=REFERRER, now=NOW).reference for _ in "ab")
    mailbox = MaildirMailbox(tmp_path / "inbox", tmp_path / "outbox")
    intake = make_intake(store, mailbox=mailbox)
    for index, (sender, text) in enumerate(answers):
        mailbox.deliver(agency_reply(together, sender, text, f"<together-{index}@x>"))
        intake.ingest(agency_reply(alone, sender, text, f"<alone-{index}@x>"), now=NOW)
    assert intake.poll_mailbox(NOW).counts() == {"processed": 2}
    assert _state(store, together) == _state(store, alone)
    assert _confirmations(store) == 4


def test_a_message_that_keeps_stopping_the_process_is_quarantined_and_the_rest_of_its_batch_acted_on(
    store: Store, tmp_path: Path
) -> None:
    """Every message of a batch counts an attempt at each restart; after three, each is read in a child process
    first (intake/inbound/trial_read.py): the innocent ones read through and are acted on, once; the one whose
    reading stops the child too is quarantined unread."""
    mailbox, intake, _ = _inbox(store, tmp_path)
    parse = intake.classifier.parse

    def stops_on_the_second_answer(raw: bytes, limits: Limits) -> ParsedMessage:
        if b"<answer-1@x>" in raw:
            raise KeyboardInterrupt  # e.g. the process runs out of memory while it parses this message
        return parse(raw, limits)

    intake.classifier.parse = stops_on_the_second_answer
    for _ in range(3):
        with pytest.raises(KeyboardInterrupt):
            intake.poll_mailbox(NOW)
    assert _statuses(store) == ["received"] * 4 and len(mailbox.list_new()) == 4
    report = intake.poll_mailbox(NOW)
    poisoned = [o for o in report.outcomes if "a trial read stopped too" in o.reason]
    assert len(poisoned) == 1 and poisoned[0].status is InboundStatus.QUARANTINED
    assert report.counts() == {"processed": 2, "quarantined": 2}
    assert _confirmations(store) == 1 and mailbox.list_new() == []
