"""One pass over the board's mailbox: each new message fetched, ingested (stored, classified, acted on), then
moved out of the inbox into `processed` or `quarantine`. A crash before the move leaves the message in the
inbox; the next poll finds its row finished and just moves it (intake/inbound/processor.py)."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
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


def poll(
    mailbox: Mailbox,
    ingest: Callable[[bytes, int | None], IngestOutcome],
    *,
    limits: Limits,
    source: str,
    limit: int,
    checkpoint: Callable[[str], None],
    unavailable: tuple[type[BaseException], ...],
) -> PollReport:
    """`ingest(raw, size)` stores and acts on one message (`size` given for one too large to fetch: `raw` is then
    a stand-in naming it); `unavailable`: the errors that mean the database cannot be reached (the poll stops
    and the message stays in the inbox for the next one)."""
    report = PollReport()
    try:
        keys = mailbox.list_new()
    except MailboxError as exc:
        report.stopped = f"listing the inbox failed: {exc}"
        log.warning("mailbox poll: %s", report.stopped)
        return report
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
        try:
            outcome = ingest(raw, size if too_large else None)
        except unavailable as exc:
            report.stopped = f"database error ({type(exc).__name__})"
            log.error("mailbox poll stopped: %s", report.stopped)
            return report
        report.outcomes.append(outcome)
        checkpoint("ingested")
        try:
            mailbox.move(key, folder_for(outcome.status))
        except MailboxError as exc:
            # Its outcome is committed: the next poll finds the row finished and moves it then.
            log.warning("mailbox poll: moving a message failed (%s)", type(exc).__name__)
        checkpoint("moved")
    return report


def log_report(report: PollReport) -> None:
    if report.outcomes:
        log.info("mailbox poll: %s", ", ".join(f"{k} {v}" for k, v in sorted(report.counts().items())))
