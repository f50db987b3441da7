"""Stale drafts: warn their owners (through the outbox, to their Slack DM) before they expire, then delete
them. Run by `scrbot run`'s sweep and by `scrbot drafts expire`; the scheduler can call `sweep_drafts` too."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cases.actor import SYSTEM
from cases.calendar import local_date
from notify.outbox import OutboundMessage, Outbox
from storage.drafts import DraftStore


@dataclass(frozen=True)
class DraftSweep:
    warned: int
    expired: int


def sweep_drafts(drafts: DraftStore, outbox: Outbox, now: datetime) -> DraftSweep:
    warned = 0
    for notice in drafts.drafts_to_warn(now):
        if notice.channel == "slack" and notice.address:
            outbox.enqueue(
                OutboundMessage(
                    kind="draft_expiry_warning",
                    template_id="draft_expiry_warning",
                    values={"expires_on": local_date(notice.expires_at)},
                    recipients=[notice.address],
                    recipient_summary="referrer:dm",
                    idempotency_key=f"draft_expiry_warning:{notice.id}:{notice.expires_at.isoformat()}",
                ),
                now=now,
                actor=SYSTEM,
            )
            warned += 1
        drafts.mark_warned(notice.id, now)  # terminal drafts have nowhere to be warned; they just expire
    return DraftSweep(warned=warned, expired=len(drafts.expire_stale_drafts(now)))
