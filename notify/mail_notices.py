"""Business-unit notices about inbound mail, through the outbox (channel "slack"): a message id, the case
reference and the reason, never the message's content or sender (DESIGN.md §5)."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.orm import Session

from cases.actor import SYSTEM
from notify.outbox import OutboundMessage, Outbox
from storage.inbound import InboundStatus

log = logging.getLogger("scrbot.mail")

_STATUS_TEXT = {
    InboundStatus.QUARANTINED: "is quarantined",
    InboundStatus.NEEDS_PERSON: "needs a person",
}


class OutboxMailNotices:
    """Implements intake's IntakeNotices over the outbox."""

    def __init__(self, outbox: Outbox) -> None:
        self.outbox = outbox

    def tell_business_unit(
        self, s: Session, *, inbound_id: str, status: InboundStatus, reason: str, case_ref: str, now: datetime
    ) -> None:
        channel = self.outbox.board.slack.business_unit_channel
        if not channel:
            log.info("no business unit channel configured: inbound %s %s is in the quarantine list", inbound_id, status)
            return
        self.outbox.enqueue(
            OutboundMessage(
                kind="inbound_mail_notice",
                template_id="inbound_mail_notice",
                values={
                    "inbound_id": inbound_id,
                    "status_text": _STATUS_TEXT.get(status, status.value),
                    "reason": reason,
                    "case_note": f" ({case_ref})" if case_ref else "",
                },
                recipients=[channel],
                recipient_summary="channel:business_unit",
                idempotency_key=f"inbound:{inbound_id}:{status.value}",
                case_ref=case_ref,
            ),
            now=now,
            actor=SYSTEM,
            session=s,
        )
