"""Statutory notifications drafted as the case moves, for an authorised person to approve.

A `CaseStore` listener: inside the transaction that records a decision or an event, it queues the drafts
that change calls for (never sends: the outbox does, once a business unit member has approved):

- any decision: the notification to Ofsted, the DfE and the National Panel (004 §5.3-5.5), which meets
  `statutory_decision_notification` when sent;
- a decision to hold an SCR: the letter to the chief officers of the agencies involved (decision, terms of
  reference, methodology, timescale, nominate an IMR author: 004 §7.1-7.2), which meets
  `chief_officer_letters`, and a request to each involved agency for its IMR (004 §7.3, §7.7);
- the local authority becoming aware of an incident: the serious incident notification to Ofsted
  (004 §2.1-2.3), when the board sends it (`notifications.draft_incident_notification`);
- an extension: the notice to Ofsted with the new completion date (003 §4.1);
- a planned publication: the copies to Ofsted, the DfE and the National Panel (004 §10.5).

A revised decision or date cancels the drafts it replaces that have not gone yet. If a draft cannot be
made (a template field is missing), the change is still recorded: the refusal is audited with the field
names and the business unit is told in its channel; the deadline's reminders keep running.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.actor import SYSTEM
from cases.calendar import add_months
from cases.case import Case, DeadlineState, Involvement
from cases.domain_events import CaseEventRecorded, DecisionRecorded, DomainEvent, ReferralFiled
from cases.events import CaseEvent, Outcome
from notify.outbox import InsecureRecipient, OutboundMessage, Outbox, OutboxError, OutboxStatus
from notify.routing import Routing
from notify.templates import MissingData, TemplateError, get_template
from storage.case_store import CaseStore
from storage.tables import OutboxRow

log = logging.getLogger("scrbot.notify")

STATUTORY = ("ofsted", "dfe", "national_panel")
APPROVAL_REQUEST = "approval_request"
# The approval request's text ends with this marker (templates/slack/approval_request.txt.j2), so the Slack
# side can give the message its Preview / Approve / Edit / Reject buttons.
_DRAFT_MARKER = re.compile(r"\[draft ([0-9a-f]{32})\]\s*$")


def draft_id_in(text: str) -> str | None:
    """The draft an approval request is about, or None for any other message."""
    found = _DRAFT_MARKER.search(text)
    return found.group(1) if found else None


OUTCOME_TEXT = {
    Outcome.SCR: "to undertake a serious case review",
    Outcome.MULTI_AGENCY_REVIEW: "not to undertake a serious case review, but to hold a multi-agency case review",
    Outcome.SINGLE_AGENCY_REVIEW: "not to undertake a serious case review, but to ask for a single agency review",
    Outcome.REFERRED_OTHER_BOARD: "to refer the case to another safeguarding children board",
    Outcome.NO_REVIEW: "not to undertake a serious case review",
    Outcome.OTHER: "not to undertake a serious case review; the board has agreed other action",
}

PURPOSE = {
    "statutory_decision_notification": "statutory notification of the decision",
    "serious_incident_notification": "serious incident notification",
    "chief_officer_letter": "letter to chief officers",
    "imr_request": "IMR request",
    "extension_notice": "extension notice",
    "publication_copies": "publication copies",
}


def initials(forenames: str, last_name: str) -> str:
    """ "Zephyrine Quillon", "Marchbanks-Tovey" -> "ZQ M-T": enough to match a case, no more."""
    first = "".join(w[0] for w in forenames.split() if w).upper()
    last = "-".join(p[0] for p in last_name.replace(" ", "-").split("-") if p).upper()
    return f"{first} {last}".strip()


@dataclass(frozen=True)
class Draft:
    kind: str
    values: dict[str, Any]
    recipients: list[str]
    recipient_summary: str
    key: str
    meets_rule: str = ""
    meets_agency: str = ""
    act_by: date | None = None


class StatutoryDrafts:
    def __init__(self, outbox: Outbox, cases: CaseStore, routing: Routing, *, reply_to: str) -> None:
        self.outbox = outbox
        self.cases = cases
        self.routing = routing
        self.board = cases.board
        self.reply_to = reply_to

    def __call__(self, s: Session, event: DomainEvent) -> None:
        if isinstance(event, DecisionRecorded):
            self._decision(s, event)
        elif isinstance(event, ReferralFiled):
            self._referral(s, event)
        elif isinstance(event, CaseEventRecorded) and event.event is CaseEvent.REVIEW_EXTENDED:
            self._extension(s, event)
        elif isinstance(event, CaseEventRecorded) and event.event is CaseEvent.PUBLICATION_PLANNED:
            self._publication(s, event)

    # --- what each change drafts ---------------------------------------------------------------------

    def _case(self, s: Session, reference: str, at: datetime) -> Case:
        # An audited read by the system: the drafts need a few referral details.
        return self.cases.get_case(reference, actor=SYSTEM, now=at, purpose="statutory notification", session=s)

    def _common(self, case: Case) -> dict[str, Any]:
        return {
            "board_name": self.board.name,
            "case_ref": case.reference,
            "contact_email": self.board.notifications.contact_email or self.reply_to,
        }

    def _child(self, case: Case) -> dict[str, Any]:
        referral = case.referral
        if referral is None:  # purged: nothing personal left to send
            return {"child_initials": "", "child_date_of_birth": "", "incident_date": "", "la_aware_date": ""}
        return {
            "child_initials": initials(referral.child.forenames, referral.child.last_name),
            "child_date_of_birth": referral.child.date_of_birth or "",
            "incident_date": referral.incident_date,
            "la_aware_date": referral.la_aware_date or "",
        }

    @staticmethod
    def _free_text(template_id: str, **values: str) -> dict[str, str]:
        """Free text a person wrote (a rationale, a reason) for the template, only where the template asks
        for it: such text can name the child, and the approver is warned when it does (notify/secure_send.py)."""
        template = get_template(template_id)
        return {name: value for name, value in values.items() if template.asks_for(name)}

    def _act_by(self, case: Case, rule: str, agency: str | None = None) -> date | None:
        for d in case.deadlines:
            if d.computed.rule == rule and d.computed.agency == agency and d.state is not DeadlineState.CANCELLED:
                return d.computed.act_by
        return None

    def _decision(self, s: Session, event: DecisionRecorded) -> None:
        case = self._case(s, event.reference, event.at)
        stamp = f"{event.outcome.value}:{event.decided_on.isoformat()}"
        decision = case.decision
        recipients, summary = self.routing.statutory(*STATUTORY)
        drafts = [
            Draft(
                kind="statutory_decision_notification",
                values={
                    **self._common(case),
                    **self._child(case),
                    "outcome": event.outcome.value,
                    "outcome_text": OUTCOME_TEXT[event.outcome],
                    "decided_on": event.decided_on,
                    "decided_by": "the Chair of the board"
                    if self.board.decision_maker == "chair"
                    else "the serious case review sub-group",
                    "revised": event.revised,
                    # Free text goes in only where the template asks for it (it can name the child).
                    **self._free_text(
                        "statutory_decision_notification", rationale=decision.rationale if decision else ""
                    ),
                    "review_complete_by": add_months(event.decided_on, 6) if event.outcome is Outcome.SCR else "",
                },
                recipients=recipients,
                recipient_summary=summary,
                key=f"statutory_decision_notification:{event.case_id}:{stamp}",
                meets_rule="statutory_decision_notification",
                act_by=self._act_by(case, "statutory_decision_notification"),
            )
        ]
        if event.outcome is Outcome.SCR:
            drafts += self._scr_letters(case, event, stamp)
        self._replace(
            s,
            case,
            drafts,
            kinds=("statutory_decision_notification", "chief_officer_letter", "imr_request"),
            now=event.at,
        )

    def _scr_letters(self, case: Case, event: DecisionRecorded, stamp: str) -> list[Draft]:
        involved = [c.agency_id for c in case.confirmations if c.involvement is not Involvement.NOT_KNOWN]
        agencies = []
        for agency_id in involved:
            try:
                agencies.append(self.board.agency(agency_id))
            except KeyError:
                continue
        if not agencies:
            return []
        common = self._common(case)
        dates = {
            "decided_on": event.decided_on,
            "review_complete_by": self._act_by(case, "review_complete") or add_months(event.decided_on, 6),
            "briefing_by": self._act_by(case, "imr_briefing") or "",
        }
        drafts = [
            Draft(
                kind="chief_officer_letter",
                values={
                    **common,
                    **dates,
                    "agencies": [
                        {"id": a.id, "name": a.name, "chief_officer": a.chief_officer or "Chief Officer"}
                        for a in agencies
                    ],
                    "terms_of_reference": self.board.notifications.terms_of_reference,
                    "methodology": self.board.notifications.review_methodology,
                },
                recipients=sorted({a.send_to for a in agencies}),
                recipient_summary="chief_officers:" + ",".join(a.id for a in agencies),
                key=f"chief_officer_letter:{event.case_id}:{stamp}",
                meets_rule="chief_officer_letters",
                act_by=self._act_by(case, "chief_officer_letters"),
            )
        ]
        for agency in agencies:
            drafts.append(
                Draft(
                    kind="imr_request",
                    values={
                        **common,
                        **dates,
                        "agency_name": agency.name,
                        "imr_due": self._act_by(case, "imr_submitted", agency.id) or "",
                    },
                    recipients=[agency.send_to],
                    recipient_summary=f"agency:{agency.id}",
                    key=f"imr_request:{event.case_id}:{agency.id}:{stamp}",
                    act_by=self._act_by(case, "imr_submitted", agency.id),
                )
            )
        return drafts

    def _referral(self, s: Session, event: ReferralFiled) -> None:
        if not self.board.notifications.draft_incident_notification:
            return
        case = self._case(s, event.reference, event.at)
        if CaseEvent.INCIDENT_AWARE not in case.events:
            return
        recipients, summary = self.routing.statutory("ofsted")
        draft = Draft(
            kind="serious_incident_notification",
            values={**self._common(case), **self._child(case)},
            recipients=recipients,
            recipient_summary=summary,
            key=f"serious_incident_notification:{event.case_id}",
            meets_rule="ofsted_incident_notification",
            act_by=self._act_by(case, "ofsted_incident_notification"),
        )
        self._replace(s, case, [draft], kinds=(), now=event.at)

    def _extension(self, s: Session, event: CaseEventRecorded) -> None:
        case = self._case(s, event.reference, event.at)
        decided = case.events.get(CaseEvent.DECISION_MADE)
        recipients, summary = self.routing.statutory("ofsted")
        draft = Draft(
            kind="extension_notice",
            values={
                **self._common(case),
                "new_completion_date": event.new_due or "",
                "original_completion_date": add_months(decided.on, 6) if decided else "",
                "reason": "",
            },
            recipients=recipients,
            recipient_summary=summary,
            key=f"extension_notice:{event.case_id}:{event.new_due}",
            meets_rule="extension_notice",
            act_by=self._act_by(case, "extension_notice"),
        )
        self._replace(s, case, [draft], kinds=("extension_notice",), now=event.at)

    def _publication(self, s: Session, event: CaseEventRecorded) -> None:
        case = self._case(s, event.reference, event.at)
        recipients, summary = self.routing.statutory(*STATUTORY)
        send_by = self._act_by(case, "publication_copies")
        draft = Draft(
            kind="publication_copies",
            values={**self._common(case), "publication_date": event.on, "send_by": send_by or ""},
            recipients=recipients,
            recipient_summary=summary,
            key=f"publication_copies:{event.case_id}:{event.on}",
            meets_rule="publication_copies",
            act_by=send_by,
        )
        self._replace(s, case, [draft], kinds=("publication_copies",), now=event.at)

    # --- queueing ------------------------------------------------------------------------------------

    def _replace(self, s: Session, case: Case, drafts: Sequence[Draft], *, kinds: Sequence[str], now: datetime) -> None:
        """Queue the drafts; cancel earlier unsent ones of the same kinds that these replace."""
        keys = {d.key for d in drafts}
        if kinds:
            stale = s.scalars(
                select(OutboxRow.id).where(
                    OutboxRow.board_id == self.board.id,
                    OutboxRow.case_id == case.id,
                    OutboxRow.kind.in_(list(kinds)),
                    OutboxRow.status.in_(
                        [OutboxStatus.DRAFT.value, OutboxStatus.APPROVED.value, OutboxStatus.FAILED.value]
                    ),
                    OutboxRow.idempotency_key.not_in(list(keys) or [""]),
                )
            )
            for stale_id in list(stale):
                self.outbox.cancel(stale_id, actor=SYSTEM, now=now, session=s)
        for draft in drafts:
            self._queue(s, case, draft, now)

    def _queue(self, s: Session, case: Case, draft: Draft, now: datetime) -> None:
        message = OutboundMessage(
            kind=draft.kind,
            template_id=draft.kind,
            values=draft.values,
            recipients=draft.recipients,
            recipient_summary=draft.recipient_summary,
            idempotency_key=draft.key,
            case_id=case.id,
            case_ref=case.reference,
            requires_approval=True,
            meets_rule=draft.meets_rule,
            meets_agency=draft.meets_agency,
        )
        try:
            # A savepoint: a refused draft leaves nothing half-written in the caller's transaction.
            with s.begin_nested():
                draft_id = self.outbox.enqueue(message, now=now, actor=SYSTEM, session=s)
        except (MissingData, InsecureRecipient, TemplateError, OutboxError) as exc:
            self._refused(s, case, draft, exc, now)
            return
        self._ask_approval(s, case, draft, draft_id, now)

    def _ask_approval(self, s: Session, case: Case, draft: Draft, draft_id: str, now: datetime) -> None:
        targets = self.routing.business_unit()
        if not targets.chat:
            return
        self.outbox.enqueue(
            OutboundMessage(
                kind=APPROVAL_REQUEST,
                template_id=APPROVAL_REQUEST,
                values={
                    "draft_id": draft_id,
                    "case_ref": case.reference,
                    "purpose": PURPOSE.get(draft.kind, draft.kind),
                    "recipient_summary": draft.recipient_summary,
                    "act_by": draft.act_by or "",
                },
                recipients=list(targets.chat),
                recipient_summary=targets.summary,
                idempotency_key=f"approval_request:{draft_id}",
                case_id=case.id,
                case_ref=case.reference,
            ),
            now=now,
            actor=SYSTEM,
            session=s,
        )

    def _refused(self, s: Session, case: Case, draft: Draft, exc: Exception, now: datetime) -> None:
        fields = exc.fields if isinstance(exc, MissingData) else []
        reason = type(exc).__name__
        log.warning("could not draft %s for %s: %s %s", draft.kind, case.reference, reason, ",".join(fields))
        self.outbox.audit.append(
            s,
            at=now,
            actor=SYSTEM.id,
            action="notification.refused",
            case_ref=case.reference,
            detail={"kind": draft.kind, "reason": reason, "missing": fields},
        )
        targets = self.routing.business_unit()
        if not targets.chat:
            return
        self.outbox.enqueue(
            OutboundMessage(
                kind="notification_refused",
                template_id="notification_refused",
                values={
                    "case_ref": case.reference,
                    "purpose": PURPOSE.get(draft.kind, draft.kind),
                    "reason": reason,
                    "missing": ", ".join(fields),
                },
                recipients=list(targets.chat),
                recipient_summary=targets.summary,
                idempotency_key=f"notification_refused:{draft.key}",
                case_id=case.id,
                case_ref=case.reference,
            ),
            now=now,
            actor=SYSTEM,
            session=s,
        )
