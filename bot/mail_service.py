"""The mailbox's share of `scrbot run`: one tick polls the inbox, records which agency requests have gone,
and queues chasers. Issue #5's scheduler calls `mail_tick(ctx, now)` on its interval; until then `scrbot
run` calls it in a simple loop (see run_cmd)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from bot.context import AppContext
from intake.inbound.processor import PollReport
from notify.agency_requests import ChaseReport

log = logging.getLogger("scrbot.mail")


@dataclass(frozen=True)
class MailTick:
    poll: PollReport
    requests_marked_sent: int
    chase: ChaseReport


def mail_tick(ctx: AppContext, now: datetime) -> MailTick:
    poll = ctx.intake.poll_mailbox(now)
    marked = ctx.agency_requests.sync_requests_sent(now)
    chase = ctx.agency_requests.send_chasers(now)
    if chase.chasers or chase.business_unit_notices:
        log.info(
            "agency chasers queued: %d; business unit told of missing confirmations: %s",
            len(chase.chasers),
            ", ".join(chase.business_unit_notices) or "-",
        )
    return MailTick(poll, marked, chase)
