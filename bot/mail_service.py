"""The mailbox's periodic job: poll the inbox, record which agency requests have gone, and tell the
business unit on the records_secured day which agencies have still not confirmed. `bot/context.py` registers
it in `ctx.jobs` as "mailbox" (every SCRBOT_MAIL_POLL_SECONDS); `scrbot run` ticks it with the others."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from intake.inbound.processor import MailIntake, PollReport
from notify.agency_requests import AgencyRequests

log = logging.getLogger("scrbot.mail")


@dataclass(frozen=True)
class MailTick:
    poll: PollReport
    requests_marked_sent: int
    missing_notices: list[str]


def mail_tick(intake: MailIntake, requests: AgencyRequests, now: datetime, *, board: str = "") -> MailTick:
    poll = intake.poll_mailbox(now)
    if poll.stopped and board:
        # Which board's mailbox could not be reached (the reason, by kind, is logged by the poll); its other
        # work below, and every other board's jobs, go on.
        log.warning("board %s: mailbox not polled this time", board)
    for o in poll.outcomes:
        # Ids, references, agency ids and reasons only: no content, no sender.
        where = f" {o.case_ref}" + (f"/{o.agency_id}" if o.agency_id else "") if o.case_ref else ""
        log.info("mail %s: %s %s%s: %s", o.inbound_id, o.status.value, o.kind, where, o.reason)
    marked = requests.sync_requests_sent(now)
    missing = requests.tell_missing_on_the_day(now)
    return MailTick(poll, marked, missing)
