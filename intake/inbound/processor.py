"""Inbound mail, exactly once: store, then read, then act, then move.

1. The raw message is stored (encrypted, with a keyed hash of its Message-ID and body) and committed.
   A message seen before - delivered twice, or fetched again after a crash - finds its row.
2. It is parsed and classified with no transaction open (intake/inbound/classify.py): reading hostile mail
   never holds the database's write lock.
3. In one short transaction the row is locked while still `received` and acted on (an agency's confirmation
   recorded, a referral filed, notices queued), and the row's outcome written. Either all of it commits or
   none of it does; a row another process finished meanwhile is left alone.
4. Only then is the message moved out of the mailbox's inbox (intake/inbound/polling.py). A crash before the
   move leaves it in the inbox; the next poll finds its row finished and just moves it.

A poll takes the inbox in batches through the same steps, with one transaction for a batch where there is one
for a message here (intake/inbound/batch.py); `ingest` is one message (the CLI's `mail ingest`).

Anything not understood or not trusted is quarantined with its reason; anything trusted but unclear is
marked `needs_person`. Both are visible to the business unit (a Slack notice without personal data, and
`scrbot mail quarantine list`), and a person can release them (intake/inbound/release.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Protocol

from sqlalchemy.orm import Session

from cases.actor import Actor
from cases.board import BoardConfig
from intake.inbound.agency_report_mail import AgencyReportMail, AuthorNomination
from intake.inbound.batch import INTAKE_ACTOR, MAX_ATTEMPTS, STORE_UNAVAILABLE, ingest_batch
from intake.inbound.classify import AgencyReply, Classifier, Reading, ReferralToFile, Verdict, quarantine
from intake.inbound.limits import Limits
from intake.inbound.parse import identity
from intake.inbound.polling import IngestOutcome, PollReport, log_report, poll
from intake.inbound.recording import REFERRAL_ACTOR, file_referral, record_nomination, record_reply, record_report
from intake.inbound.release import IntakeError, ManualRelease
from intake.inbound.trial_read import NoLookups, stops_the_process
from mail.base import Mailbox
from storage.inbound import DONE, InboundRef, InboundStatus, InboundStore, InboundSummary
from storage.inbound_settle import settle, settle_values
from storage.outbox import OutboxRows
from storage.store import Store

__all__ = ["REFERRAL_ACTOR", "IngestOutcome", "IntakeError", "MailIntake", "PollReport"]

log = logging.getLogger("scrbot.mail")


_KEPT = 10_000  # lookups kept (oldest dropped first)


class IntakeNotices(Protocol):
    """Tells the business unit about messages a person must look at (implemented over the outbox)."""

    def tell_business_unit(self, s: Session, *, messages: Sequence[InboundSummary], now: datetime) -> None: ...


class NoNotices:
    def tell_business_unit(self, s: Session, *, messages: Sequence[InboundSummary], now: datetime) -> None:
        return None


class MailIntake:
    def __init__(
        self,
        store: Store,
        inbound: InboundStore,
        *,
        mailbox: Mailbox | None = None,
        notices: IntakeNotices | None = None,
        limits: Limits | None = None,
        authserv_id: str = "",
        source: str = "maildir",
    ) -> None:
        self.store = store
        self.inbound = inbound
        self.mailbox = mailbox
        self.notices: IntakeNotices = notices or NoNotices()
        self.limits = limits or Limits()
        self.source = source
        self._sent = OutboxRows(board_id=store.board.id, codec=store.codec)
        # Safe by default: with no authserv-id nothing is trusted (intake/inbound/authentication.py).
        self.classifier = Classifier(store.board, self, self.limits, authserv_id)
        self.desk = ManualRelease(store, inbound, self.classifier, self._carry_out_for_person)
        self._threads: dict[str, str] = {}
        self._case_ids: dict[str, str] = {}
        # Tests hook in here to crash the process between the steps.
        self.checkpoint: Callable[[str], None] = lambda _step: None

    @property
    def board(self) -> BoardConfig:
        return self.store.board

    # --- what classification asks the database (classify.Lookups): short reads of their own ---------
    # Both answers never change once found (a case keeps its id, a sent message its case), so they are kept:
    # a busy inbox asks about the same few cases again and again.

    def threads(self, outbox_ids: Sequence[str]) -> Mapping[str, str]:
        wanted = [i for i in outbox_ids if i not in self._threads]
        if wanted:
            with self.store.sessions() as s:
                self._threads.update(self._sent.case_refs(s, wanted))
            while len(self._threads) > _KEPT:
                self._threads.pop(next(iter(self._threads)))
        return {i: self._threads[i] for i in outbox_ids if i in self._threads}

    def case_id_of(self, reference: str) -> str | None:
        reference = reference.upper()
        if reference not in self._case_ids:
            with self.store.sessions() as s:
                found = self.store.cases.reads.case_id_of(s, reference)
            if found is None:
                return None  # not kept: the case may be filed in a moment
            self._case_ids[reference] = found
            while len(self._case_ids) > _KEPT:
                self._case_ids.pop(next(iter(self._case_ids)))
        return self._case_ids[reference]

    def request_sent_at(self, case_id: str, agency_id: str) -> datetime | None:
        # Not kept: it changes when the request goes.
        with self.store.sessions() as s:
            return self.store.cases.reads.request_sent_at(s, case_id, agency_id)

    # --- the mailbox ---------------------------------------------------------------------------------

    def poll_mailbox(self, now: datetime, *, limit: int = 500) -> PollReport:
        """One pass over the configured mailbox's inbox: every new message ingested, then moved."""
        if self.mailbox is None:
            raise IntakeError("no mailbox is configured")
        report = poll(
            self.mailbox,
            lambda items: ingest_batch(self, items, now),
            limits=self.limits,
            source=self.source,
            limit=limit,
            checkpoint=lambda step: self.checkpoint(step),
            unavailable=STORE_UNAVAILABLE,
        )
        if report.stopped:
            return report
        self.tell_business_unit(now)
        log_report(report)
        return report

    def tell_business_unit(self, now: datetime) -> int:
        """One notice for everything a person must look at that the business unit has not been told about
        (after each poll: a busy inbox gives the channel one message, not hundreds)."""
        told = 0
        while True:
            with self.store.sessions.begin() as s:
                pending = self.inbound.take_pending_notices(s)
                if not pending:
                    return told
                self.notices.tell_business_unit(s, messages=pending, now=now)
                told += len(pending)

    # --- one message ---------------------------------------------------------------------------------

    def ingest(self, raw: bytes, *, now: datetime, source: str = "cli", size: int | None = None) -> IngestOutcome:
        """Store, read, then act on one message. The same message again changes nothing. `size`: the size the
        mailbox gave for a message too large to fetch (`raw` is then its stand-in)."""
        size = max(len(raw), size or 0)
        truncated = size > self.limits.max_message_bytes
        message_id, rest = identity(raw)
        key = self.inbound.dedupe_key(message_id, rest)
        stored = self.inbound.store(
            raw[: self.limits.truncated_head_bytes] if truncated else raw,
            dedupe_key=key,
            message_id=message_id,
            now=now,
            source=source,
            size=size,
            truncated=truncated,
        )
        self.checkpoint("stored")
        # Stored by a run that stopped before finishing it (or crashed while acting on it):
        retrying = not stored.new and stored.status is InboundStatus.RECEIVED
        if retrying and self.inbound.retry(stored.id, now) > MAX_ATTEMPTS:
            why = self.trial_read(stored.id, now)
            if why:
                return self.give_up(stored.id, why, now)
        if stored.status in DONE:
            summary = stored.summary or self.inbound.summary(stored.id)
            return IngestOutcome(
                stored.id,
                summary.status,
                summary.kind,
                summary.reason,
                summary.case_ref,
                summary.agency_id,
                duplicate=True,
            )
        # A message stored just now is read from the bytes in hand; one a run before stored (and did not finish)
        # is read as it was stored.
        return self._act(stored.id, now, (raw, truncated) if stored.new else None)

    def read_stored(self, row_id: str, now: datetime, in_hand: tuple[bytes, bool] | None) -> Reading | None:
        """Classify the stored message with no transaction open (None: another process finished it)."""
        if in_hand is None:
            with self.store.sessions() as s:
                row = self.inbound.row(s, row_id)
            if row.status != InboundStatus.RECEIVED.value:
                return None
            in_hand = (self.inbound.raw_of(row), row.truncated)
        raw, truncated = in_hand
        try:
            return self.classifier.classify(row_id, raw, truncated=truncated, now=now)
        except STORE_UNAVAILABLE:
            raise
        except Exception as exc:  # noqa: BLE001 - a message that breaks the reader is quarantined, never lost
            log.error("inbound message %s could not be read (%s)", row_id, type(exc).__name__)
            return quarantine("error", f"could not be processed ({type(exc).__name__})")

    def _act(self, row_id: str, now: datetime, in_hand: tuple[bytes, bool] | None) -> IngestOutcome:
        reading = self.read_stored(row_id, now, in_hand)
        if reading is None:
            return self.outcome_of(row_id, duplicate=True)
        return self.act_on(row_id, reading, now)

    def act_on(self, row_id: str, reading: Reading, now: datetime) -> IngestOutcome:
        """Act on one message read already, in a transaction of its own."""
        try:
            if isinstance(reading, Verdict):
                return self._settle(row_id, reading, now)
            with self.store.sessions.begin() as s:
                row = self.inbound.claim(s, row_id)
                if row is None:  # finished meanwhile by another process
                    return self.outcome_of(row_id, duplicate=True)
                verdict = self.carry_out(s, reading, now, person=None)
                self.record_outcome(s, row, verdict, now, actor=INTAKE_ACTOR)
                self.checkpoint("acted")
                outcome = IngestOutcome(row_id, verdict.status, verdict.kind, row.reason, row.case_ref, row.agency_id)
            return outcome
        except STORE_UNAVAILABLE:
            raise  # retried on the next poll, nothing lost
        except Exception as exc:  # noqa: BLE001 - any other failure quarantines the message, never loses it
            log.error("inbound message %s could not be processed (%s)", row_id, type(exc).__name__)
            self._settle_failed(row_id, f"could not be processed ({type(exc).__name__})", now)
        return self.outcome_of(row_id)

    def _settle(self, row_id: str, verdict: Verdict, now: datetime) -> IngestOutcome:
        """A message that changes no case (the most of a busy inbox): its outcome is one conditional UPDATE in
        a transaction of its own instead of a claim and a finish (storage/inbound_settle.py says why a kill
        at any point still loses and duplicates nothing)."""
        values = settle_values(self.inbound, row_id, now=now, **verdict.settlement())
        settled = settle(self.inbound, values, before_commit=lambda: self.checkpoint("acted"))
        if not settled:  # finished meanwhile by another process
            return self.outcome_of(row_id, duplicate=True)
        return IngestOutcome(
            row_id, verdict.status, verdict.kind, verdict.reason[:500], verdict.case_ref, verdict.agency_id
        )

    def carry_out(self, s: Session, reading: Reading, now: datetime, *, person: Actor | None) -> Verdict:
        if isinstance(reading, AgencyReply):
            return record_reply(self.store, s, reading, now, actor=person)
        if isinstance(reading, ReferralToFile):
            return file_referral(self.store, s, reading, now, person=person)
        if isinstance(reading, AgencyReportMail):
            return record_report(self.store, s, reading, now)
        if isinstance(reading, AuthorNomination):
            return record_nomination(self.store, s, reading, now)
        return reading

    def _settle_failed(self, row_id: str, reason: str, now: datetime) -> None:
        with self.store.sessions.begin() as s:
            row = self.inbound.claim(s, row_id)
            if row is not None:
                self.record_outcome(s, row, quarantine("error", reason), now, actor=INTAKE_ACTOR)

    def trial_read(self, row_id: str, now: datetime) -> str:
        """Whether reading the message is what stopped the process: "" when a child reads it through."""
        with self.store.sessions() as s:
            row = self.inbound.row(s, row_id)
        raw = self.inbound.raw_of(row)
        trial = replace(self.classifier, lookups=NoLookups())
        return stops_the_process(lambda: trial.classify(row_id, raw, truncated=row.truncated, now=now))

    def give_up(self, row_id: str, why: str, now: datetime) -> IngestOutcome:
        """A message that keeps stopping the process while it is read is not tried again."""
        log.error("inbound message %s stopped the intake %d times: quarantined", row_id, MAX_ATTEMPTS)
        reason = f"processing it stopped the bot {MAX_ATTEMPTS} times and {why}; not tried again"
        self._settle_failed(row_id, reason, now)
        return self.outcome_of(row_id)

    def outcome_of(self, row_id: str, *, duplicate: bool = False) -> IngestOutcome:
        summary = self.inbound.summary(row_id)
        return IngestOutcome(
            row_id, summary.status, summary.kind, summary.reason, summary.case_ref, summary.agency_id, duplicate
        )

    def record_outcome(self, s: Session, row: InboundRef, verdict: Verdict, now: datetime, *, actor: Actor) -> None:
        self.inbound.finish(
            s,
            row,
            now=now,
            actor=actor,
            handled_by=actor.id if actor.is_staff else "",
            # A person releasing a message has seen it; anything the bot could not settle is told about.
            **verdict.settlement(seen_by_person=actor.is_staff),
        )

    # --- a person's decisions (intake/inbound/release.py) --------------------------------------------

    def _carry_out_for_person(
        self, s: Session, row: InboundRef, reading: Reading, person: Actor, now: datetime
    ) -> None:
        verdict = self.carry_out(s, reading, now, person=person)
        if isinstance(reading, AgencyReply) and verdict.status is not InboundStatus.PROCESSED:
            raise IntakeError(verdict.reason)  # rolls back: the message still waits
        if verdict.status is InboundStatus.PROCESSED:
            verdict.status = InboundStatus.RELEASED
        self.record_outcome(s, row, verdict, now, actor=person)

    def unlock(self, row_id: str, password: str, *, actor: Actor, now: datetime) -> IngestOutcome:
        """Open a password-protected referral form with the password a business unit member gives. The
        password is used once, in memory, and never stored or logged."""
        self.desk.unlock(row_id, password, actor=actor, now=now)
        return self.outcome_of(row_id)

    def release(
        self,
        row_id: str,
        *,
        actor: Actor,
        now: datetime,
        as_agency: str | None = None,
        dismiss: bool = False,
        note: str = "",
        fill: Mapping[str, str] | None = None,
    ) -> IngestOutcome:
        """A person has looked at a message. A referral is filed (if it is complete); with `as_agency`, a
        reply is recorded as that agency's answer; with `dismiss` (or for anything else) the message is only
        marked dealt with. `fill`: values for a referral's gaps, by form field (e.g. la_aware_date)."""
        self.desk.release(row_id, actor=actor, now=now, as_agency=as_agency, dismiss=dismiss, note=note, fill=fill)
        return self.outcome_of(row_id)
