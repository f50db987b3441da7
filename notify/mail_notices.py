"""Business-unit notices about inbound mail, through the outbox (channel "slack"): message ids, case
references and reasons, never a message's content or sender (DESIGN.md §5)."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from cases.actor import SYSTEM
from notify.outbox import OutboundMessage, Outbox
from storage.inbound import InboundStatus, InboundSummary

log = logging.getLogger("scrbot.mail")

_STATUS_TEXT = {
    InboundStatus.QUARANTINED: "is quarantined",
    InboundStatus.NEEDS_PERSON: "needs a person",
}


class OutboxMailNotices:
    """Implements intake's IntakeNotices over the outbox: one Slack notice for a batch of messages."""

    def __init__(self, outbox: Outbox) -> None:
        self.outbox = outbox

    def tell_business_unit(self, s: Session, *, messages: Sequence[InboundSummary], now: datetime) -> None:
        channels = self.outbox.board.business_unit_chat()  # Slack's, Teams' or both
        if not messages:
            return
        if not channels:
            log.info(
                "no business unit channel configured: %d inbound message(s) wait in the quarantine list", len(messages)
            )
            return
        items = [
            f"{m.id}{f' ({m.case_ref})' if m.case_ref else ''} {_STATUS_TEXT.get(m.status, m.status.value)}: {m.reason}"
            for m in messages
        ]
        key = hashlib.sha256(",".join(sorted(m.id for m in messages)).encode()).hexdigest()[:40]
        self.outbox.enqueue(
            OutboundMessage(
                kind="inbound_mail_notice",
                template_id="inbound_mail_notice",
                values={"count": len(messages), "items": items},
                recipients=list(channels),
                recipient_summary="channel:business_unit",
                idempotency_key=f"inbound-notice:{key}",
                case_ref=messages[0].case_ref if len({m.case_ref for m in messages}) == 1 else "",
            ),
            now=now,
            actor=SYSTEM,
            session=s,
        )
