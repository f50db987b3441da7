"""Sending what the outbox holds: claim atomically, send, record the outcome.

Several bot processes may dispatch at once: a claim takes rows with `FOR UPDATE SKIP LOCKED` on
PostgreSQL (SQLite serialises writers) and marks them `sending` with a lease, so no two processes send the
same row. A process that dies mid-send leaves its rows `sending`; when the lease runs out they are claimed
again. A failed send stays in the outbox as `failed` and is retried with capped exponential backoff; it
never disappears. Sending a message that discharges a deadline marks that deadline met.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy.orm import Session, sessionmaker

from cases.actor import SYSTEM
from cases.calendar import local_date
from errors import Unavailable
from mail.base import MailboxError
from notify.outbox import Outbox, OutboxItem
from storage.case_store import CaseNotFound, CaseStore

log = logging.getLogger("scrbot.dispatch")

LEASE = timedelta(minutes=10)
MAX_BACKOFF = timedelta(hours=6)


class Sender(Protocol):
    def send(self, item: OutboxItem) -> str:
        """Deliver one message; return the provider's id. Raise on failure."""
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


class Dispatcher:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        outbox: Outbox,
        senders: Mapping[str, Sender],
        *,
        cases: CaseStore | None = None,
        lease: timedelta = LEASE,
    ) -> None:
        self.sessions = sessions
        self.outbox = outbox
        self.senders = senders
        self.cases = cases
        self.lease = lease

    def claim(self, now: datetime, limit: int = 100) -> list[OutboxItem]:
        with self.sessions.begin() as s:
            return self.outbox.rows.claim(s, now, channels=list(self.senders), lease=self.lease, limit=limit)

    def dispatch_due(self, now: datetime, limit: int = 100) -> DispatchReport:
        report = DispatchReport()
        for item in self.claim(now, limit):
            try:
                provider_id = self.senders[item.channel].send(item)
            except Exception as exc:  # noqa: BLE001 - any failure keeps the message for retry
                self._failed(item, exc, now)
                report.failed.append(item.id)
                continue
            self._sent(item, provider_id, now)
            report.sent.append(item.id)
        return report

    def _sent(self, item: OutboxItem, provider_id: str, now: datetime) -> None:
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
                detail={"id": item.id, "kind": item.kind, "attempts": attempts},
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
