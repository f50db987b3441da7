"""Notices to the business unit's Slack channel when a referral arrives or a decision is recorded: queued in
the outbox inside the transaction that made the change (DESIGN.md §4), sent later by the dispatcher. They
carry the case reference and non-identifying status only (DESIGN.md §5)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from cases.actor import SYSTEM
from cases.domain_events import DecisionRecorded, DomainEvent, ReferralFiled
from cases.events import Outcome
from cases.rules import RulesPack
from notify.outbox import OutboundMessage, Outbox
from storage.case_reads import CaseReads
from storage.case_store import CaseListener

OUTCOME_LABELS = {
    Outcome.SCR: "Serious Case Review",
    Outcome.MULTI_AGENCY_REVIEW: "multi-agency review",
    Outcome.SINGLE_AGENCY_REVIEW: "single agency review",
    Outcome.REFERRED_OTHER_BOARD: "referred to another board",
    Outcome.NO_REVIEW: "no review",
    Outcome.OTHER: "other",
}


def _outcome_label(
    s: Session, reads: CaseReads, event: DecisionRecorded, pack_named: Callable[[str], RulesPack] | None
) -> str:
    name = reads.rules_pack_of(s, event.case_id) if pack_named is not None else None
    if event.outcome is Outcome.SCR and pack_named is not None and name:
        return pack_named(name).pack.review_name
    return OUTCOME_LABELS[event.outcome]


def business_unit_notices(
    outbox: Outbox, reads: CaseReads, *, rules_pack: str, pack_named: Callable[[str], RulesPack] | None = None
) -> CaseListener:
    """A case listener (CaseStore.subscribe) that queues the channel notices, if a channel is configured.
    `pack_named`: the rules pack of a name, so that a decision is told in the words of the case's own pack (a
    wt2023 case's scr outcome is a local child safeguarding practice review)."""
    channels = outbox.board.business_unit_chat()  # Slack's, Teams' or both

    def listener(s: Session, event: DomainEvent) -> None:
        if not channels:
            return
        if isinstance(event, ReferralFiled):
            upcoming = reads.next_deadline(s, event.case_id)
            duplicates = ", ".join(event.possible_duplicates)
            values = {
                "case_ref": event.reference,
                "rules_pack": rules_pack,
                "next_rule": upcoming[0] if upcoming else "none",
                "next_act_by": upcoming[1] if upcoming else None,
                "duplicate_note": f" Possible duplicate of {duplicates}." if duplicates else "",
                "triage_note": f" {event.triage}" if event.triage else "",
            }
            kind, key = "new_referral_notice", f"new_referral_notice:{event.case_id}"
        elif isinstance(event, DecisionRecorded):
            values = {
                "case_ref": event.reference,
                "outcome_label": _outcome_label(s, reads, event, pack_named),
                "decided_on": event.decided_on,
            }
            kind = "decision_recorded_notice"
            key = f"decision_recorded_notice:{event.case_id}:{event.outcome.value}:{event.decided_on}"
        else:
            return
        outbox.enqueue(
            OutboundMessage(
                kind=kind,
                template_id=kind,
                values=values,
                recipients=list(channels),
                recipient_summary="channel:business_unit",
                idempotency_key=key,
                case_id=event.case_id,
                case_ref=event.reference,
            ),
            now=event.at,
            actor=SYSTEM,
            session=s,
        )

    return listener
