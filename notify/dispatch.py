"""Sending what the outbox holds: claim atomically, send, record the outcome.

Several bot processes may dispatch at once: a claim takes a row with `FOR UPDATE SKIP LOCKED` on
PostgreSQL (SQLite serialises writers) and marks it `sending` with a lease, so no two processes send the
same row. Rows are claimed one at a time, each just before it is sent, so a lease covers one send (bounded by
the mailbox's own wait for a busy server) rather than a whole batch.

Exactly once: a process that dies mid-send leaves its row `sending`; when the lease runs out (2 minutes) it is
claimed again. Before a message that was claimed before is sent again - its process died, or the send
failed (a timeout may still have delivered it) - the mailbox is asked whether a message with its
deterministic Message-ID has already gone (`Mailbox.find_sent`: EWS and Graph search the sent items, local
mode the outbox folder); if so it is recorded as sent, not sent again. If the mailbox cannot be asked, the
message waits for the next attempt rather than risk a second copy. (Slack posts have no such lookup.)

A failed send stays in the outbox as `failed` and is retried with capped exponential backoff; it never
disappears. Sending a message that discharges a deadline marks that deadline met.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy.orm import Session, sessionmaker

from cases.actor import SYSTEM
from cases.calendar import local_date
from errors import Unavailable
from mail.base import MailboxError
from notify.outbox import Outbox, OutboxItem
from notify.secure_send import insecure_recipients, refusal
from storage.case_facts import case_facts
from storage.case_store import CaseNotFound, CaseStore

log = logging.getLogger("scrbot.dispatch")

# Longer than one send can take (the mailbox backends give up on a busy server after 60 s), short enough
# that a message whose process died goes within minutes, not the ten it used to wait.
LEASE = timedelta(minutes=2)
MAX_BACKOFF = timedelta(hours=6)


class Sender(Protocol):
    def send(self, item: OutboxItem) -> str:
        """Deliver one message; return the provider's id. Raise on failure."""
        ...


class SentLookup(Protocol):
    def find_sent(self, item: OutboxItem) -> str | None:
        """The provider's id if this message has already gone (see the module docstring), else None."""
        ...


class SendError(Unavailable):
    """A sender's failure whose message is safe to store (no content, no addresses)."""


def backoff(attempts: int) -> timedelta:
    """1 minute after the first failure, doubling, capped at 6 hours."""
    exponent = min(max(attempts - 1, 0), 16)  # 2**16 minutes is already past the cap; no overflow
    return min(timedelta(minutes=2**exponent), MAX_BACKOFF)


def _error_text(exc: BaseException) -> str:
    # Only our own error types promise their text holds no content or addresses.
    if isinstance(exc, (SendError, MailboxError)):
        return f"{type(exc).__name__}: {str(exc)[:300]}"
    return type(exc).__name__


@dataclass
class DispatchReport:
    sent: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    held: list[str] = field(default_factory=list)  # not sent: back to draft for a person (see `_hold`)


class Dispatcher:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        outbox: Outbox,
        senders: Mapping[str, Sender],
        *,
        cases: CaseStore | None = None,
        lease: timedelta = LEASE,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.sessions = sessions
        self.outbox = outbox
        self.senders = senders
        self.cases = cases
        self.lease = lease
        # Measures how long a dispatch round has taken (bot/clock.py); without it, every claim in a round is
        # stamped with the `now` passed in.
        self.clock = clock

    def claim(self, now: datetime, limit: int = 100) -> list[OutboxItem]:
        with self.sessions.begin() as s:
            return self.outbox.rows.claim(s, now, channels=list(self.senders), lease=self.lease, limit=limit)

    def dispatch_due(self, now: datetime, limit: int = 100) -> DispatchReport:
        """Claim, check and send up to `limit` messages, one at a time."""
        report = DispatchReport()
        started = self.clock() if self.clock is not None else None
        for _ in range(limit):
            # `now` moved on by the time this round has taken, so that a lease starts when its send does.
            current = now + (self.clock() - started) if self.clock is not None and started is not None else now
            claimed = self.claim(current, 1)
            if not claimed:
                break
            item = claimed[0]
            reason = self._refusal(item)
            if reason:
                self._hold(item, reason, current)
                report.held.append(item.id)
                continue
            sender = self.senders[item.channel]
            try:
                found = self._already_sent(sender, item)
                provider_id = found or sender.send(item)
            except Exception as exc:  # noqa: BLE001 - any failure keeps the message for retry
                self._failed(item, exc, current)
                report.failed.append(item.id)
                continue
            self._sent(item, provider_id, current, found_sent=found is not None)
            report.sent.append(item.id)
        return report

    @staticmethod
    def _already_sent(sender: Sender, item: OutboxItem) -> str | None:
        """For a message claimed before (attempts counts this claim too): has it gone already?"""
        lookup = getattr(sender, "find_sent", None)
        if item.attempts <= 1 or lookup is None:
            return None
        found: str | None = lookup(item)
        if found is not None:
            log.warning(
                "%s %s for %s had already been sent: recorded, not sent again",
                item.channel,
                item.kind,
                item.case_ref or "-",
            )
        return found

    def _refusal(self, item: OutboxItem) -> str:
        """The secure-domain rule once more, just before sending (004 §3.6): the board's secure domains may
        have changed since the message was queued, and its wording since it was drafted."""
        board = self.outbox.board
        if not insecure_recipients(board, item.channel, item.recipients):
            return ""
        with self.sessions() as s:
            facts = case_facts(s, self.outbox.codec, item.case_id, board_id=board.id, case_ref=item.case_ref)
        return refusal(
            board,
            channel=item.channel,
            recipients=item.recipients,
            recipient_summary=item.recipient_summary,
            personal_data=item.personal_data,
            subject=item.subject,
            text=item.text,
            facts=facts,
        )

    def _hold(self, item: OutboxItem, reason: str, now: datetime) -> None:
        """Not sent: back to a draft that a person must edit (or reject) and approve, with the reason."""
        with self.sessions.begin() as s:
            self.outbox.rows.hold(s, item.id, reason=f"held, not sent: {reason}", now=now)
            self.outbox.audit.append(
                s,
                at=now,
                actor=SYSTEM.id,
                action="outbox.held",
                case_ref=item.case_ref,
                detail={"id": item.id, "kind": item.kind, "reason": "personal data to a non-secure recipient"},
            )
        log.warning(
            "held %s %s for %s: personal data to a non-secure recipient", item.channel, item.kind, item.case_ref
        )

    def _sent(self, item: OutboxItem, provider_id: str, now: datetime, *, found_sent: bool = False) -> None:
        discharges = bool(item.meets_rule and item.case_ref and self.cases is not None)
        with self.sessions.begin() as s:
            if discharges and self.cases is not None:
                # Lock order everywhere: case row, outbox rows, audit anchor (see CaseStore.lock_case).
                try:
                    self.cases.lock_case(item.case_ref, session=s)
                except CaseNotFound:
                    discharges = False
            attempts = self.outbox.rows.mark_sent(s, item.id, provider_id=provider_id, now=now)
            if discharges and self.cases is not None:
                try:
                    self.cases.mark_deadline(
                        item.case_ref,
                        item.meets_rule,
                        actor=SYSTEM,
                        now=now,
                        on=local_date(now),
                        agency=item.meets_agency or None,
                        session=s,
                    )
                except (LookupError, ValueError) as exc:
                    # The message has gone: recording that must not fail (a rollback would send it again).
                    log.warning(
                        "sent %s for %s but could not mark %s met (%s)",
                        item.kind,
                        item.case_ref,
                        item.meets_rule,
                        type(exc).__name__,
                    )
            self.outbox.audit.append(
                s,
                at=now,
                actor=SYSTEM.id,
                action="outbox.sent",
                case_ref=item.case_ref,
                detail={"id": item.id, "kind": item.kind, "attempts": attempts}
                | ({"found_already_sent": True} if found_sent else {}),
            )
        log.info("sent %s %s for %s", item.channel, item.kind, item.case_ref or "-")

    def _failed(self, item: OutboxItem, exc: BaseException, now: datetime) -> None:
        with self.sessions.begin() as s:
            attempts = self.outbox.rows.mark_failed(s, item.id, error=_error_text(exc), retry_after=backoff, now=now)
            self.outbox.audit.append(
                s,
                at=now,
                actor=SYSTEM.id,
                action="outbox.failed",
                case_ref=item.case_ref,
                detail={"id": item.id, "kind": item.kind, "attempts": attempts, "error": type(exc).__name__},
            )
        log.warning(
            "send of %s %s for %s failed (%s); retry at %s",
            item.channel,
            item.kind,
            item.case_ref or "-",
            type(exc).__name__,
            (now + backoff(item.attempts)).isoformat(),
        )
