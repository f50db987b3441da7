"""One pass over the board's mailbox: each new message fetched, ingested (stored, classified, acted on), then
moved out of the inbox into `processed` or `quarantine`, a batch at a time (intake/inbound/batch.py). A crash
before the move leaves the message in the inbox; the next poll finds its row finished and just moves it
(intake/inbound/processor.py)."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from intake.inbound.limits import Limits, not_fetched_stand_in, too_large_to_fetch
from mail.base import PROCESSED, QUARANTINE, Mailbox, MailboxError
from storage.inbound import InboundStatus

log = logging.getLogger("scrbot.mail")


def folder_for(status: InboundStatus) -> str:
    return QUARANTINE if status is InboundStatus.QUARANTINED else PROCESSED


@dataclass(frozen=True)
class IngestOutcome:
    """What became of one message: its status, kind and reason, and the case and agency it was about."""

    inbound_id: str
    status: InboundStatus
    kind: str
    reason: str
    case_ref: str = ""
    agency_id: str = ""
    duplicate: bool = False

    @property
    def folder(self) -> str:
        return folder_for(self.status)


@dataclass
class PollReport:
    seen: int = 0
    outcomes: list[IngestOutcome] = field(default_factory=list)
    fetch_errors: int = 0
    stopped: str = ""  # why the poll stopped early, if it did

    def counts(self) -> dict[str, int]:
        return dict(Counter(o.status.value for o in self.outcomes))


# A poll takes the inbox in batches: each batch's messages are stored in one transaction and their outcomes
# recorded in one more (intake/inbound/batch.py), then moved. Bounded in count and in bytes held in memory
# (and sealed inside one transaction): a batch closes at whichever comes first.
BATCH_MESSAGES = 64
BATCH_BYTES = 4 * 1_048_576


@dataclass
class _Batch:
    keys: list[str] = field(default_factory=list)
    items: list[tuple[bytes, int | None]] = field(default_factory=list)
    size: int = 0

    def full(self) -> bool:
        return len(self.keys) >= BATCH_MESSAGES or self.size >= BATCH_BYTES


def poll(
    mailbox: Mailbox,
    ingest: Callable[[Sequence[tuple[bytes, int | None]]], list[IngestOutcome]],
    *,
    limits: Limits,
    source: str,
    limit: int,
    checkpoint: Callable[[str], None],
    unavailable: tuple[type[BaseException], ...],
) -> PollReport:
    """`ingest(items)` stores and acts on a batch of messages, each `(raw, size)` (`size` given for one too
    large to fetch: `raw` is then a stand-in naming it), and returns their outcomes in order; `unavailable`:
    the errors that mean the database cannot be reached (the poll stops and the batch stays in the inbox for
    the next one). A message leaves the inbox only after its outcome is committed."""
    report = PollReport()
    try:
        keys = mailbox.list_new()
    except MailboxError as exc:
        report.stopped = f"listing the inbox failed: {exc}"
        log.warning("mailbox poll: %s", report.stopped)
        return report
    batch = _Batch()
    for key in keys[:limit]:
        report.seen += 1
        try:
            # The mailbox says a message's size first: one over the limit is never downloaded.
            size = mailbox.size(key)
            too_large = too_large_to_fetch(size, limits)
            raw = not_fetched_stand_in(source, key, size or 0) if too_large else mailbox.fetch_raw(key)
        except MailboxError as exc:
            report.fetch_errors += 1
            log.warning("mailbox poll: fetching a message failed (%s)", type(exc).__name__)
            continue
        checkpoint("fetched")
        batch.keys.append(key)
        batch.items.append((raw, size if too_large else None))
        batch.size += len(raw)
        if batch.full():
            if not _ingest(mailbox, batch, ingest, report, checkpoint, unavailable):
                return report
            batch = _Batch()
    if batch.keys:
        _ingest(mailbox, batch, ingest, report, checkpoint, unavailable)
    return report


def _ingest(
    mailbox: Mailbox,
    batch: _Batch,
    ingest: Callable[[Sequence[tuple[bytes, int | None]]], list[IngestOutcome]],
    report: PollReport,
    checkpoint: Callable[[str], None],
    unavailable: tuple[type[BaseException], ...],
) -> bool:
    """Ingest one batch, then move each message to its folder; False when the database is unavailable."""
    try:
        outcomes = ingest(batch.items)
    except unavailable as exc:
        report.stopped = f"database error ({type(exc).__name__})"
        log.error("mailbox poll stopped: %s", report.stopped)
        return False
    for key, outcome in zip(batch.keys, outcomes, strict=True):
        report.outcomes.append(outcome)
        checkpoint("ingested")
        try:
            mailbox.move(key, folder_for(outcome.status))
        except MailboxError as exc:
            # Its outcome is committed: the next poll finds the row finished and moves it then.
            log.warning("mailbox poll: moving a message failed (%s)", type(exc).__name__)
        checkpoint("moved")
    return True


def log_report(report: PollReport) -> None:
    if report.outcomes:
        log.info("mailbox poll: %s", ", ".join(f"{k} {v}" for k, v in sorted(report.counts().items())))
