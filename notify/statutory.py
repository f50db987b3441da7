"""Statutory notifications drafted as the case moves, for an authorised person to approve.

A `CaseStore` listener: inside the transaction that files a referral, records a decision or an event, it
queues the drafts the case's rules pack declares for that change (`[[notifications]]`, cases/notifications.py):
the template, the recipients by role, the deadline sending it meets. It never sends: the outbox does, once a
business unit member has approved. For hackney-2017 (004 §2.1-2.3, §5.3-5.5, §7.1-7.3, §10.5, 003 §4.1):
the serious incident notification, the notification of the decision, the letter to chief officers and the
IMR requests, the extension notice, the publication copies (README "What is drafted, and when").

A revised decision or date cancels the drafts it replaces that have not gone yet. If a draft cannot be
made (a template field is missing), the change is still recorded: the refusal is audited with the field
names and the business unit is told in its channel; the deadline's reminders keep running.

Each draft's approval request carries the draft's id as data (`about_id`, the Slack buttons' `value`s).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from cases.actor import SYSTEM
from cases.answers import Answer
from cases.board import Agency
from cases.case import Case, DeadlineState
from cases.domain_events import (
    AgencyReportAccepted,
    CaseEventRecorded,
    DecisionRecorded,
    DomainEvent,
    RecurringDutyDue,
    ReferralFiled,
)
from cases.notifications import Notification, RecipientRole, Trigger
from cases.rules import Rule, RulesPack
from cases.snapshot import facts_of
from notify.notification_values import OUTCOME_TEXT, NotificationValues, deadline_date, for_template, initials
from notify.outbox import InsecureRecipient, OutboundMessage, Outbox, OutboxError
from notify.routing import Routing
from notify.templates import MissingData, TemplateError, catalogue
from storage.case_store import CaseStore
from storage.change_words import words_given

__all__ = ["APPROVAL_REQUEST", "OUTCOME_TEXT", "Draft", "StatutoryDrafts", "initials"]

log = logging.getLogger("scrbot.notify")

APPROVAL_REQUEST = "approval_request"


@dataclass(frozen=True)
class Draft:
    kind: str
    purpose: str
    values: dict[str, Any]
    recipients: list[str]
    recipient_summary: str
    key: str
    meets_rule: str = ""
    meets_agency: str = ""
    act_by: date | None = None


@dataclass(frozen=True)
class _Change:
    """A domain event as a notification trigger: the trigger, what it stamps keys with, its values."""

    trigger: Trigger
    reference: str
    case_id: str
    at: datetime
    stamp: str = ""
    event: DomainEvent | None = None


_TRIGGERED_BY = {t.event: t for t in Trigger if t.event is not None}


def _change(event: DomainEvent) -> _Change | None:
    """The keys of a re-dated change's drafts carry its date (or outcome), so a revision drafts anew."""
    if isinstance(event, ReferralFiled):
        return _Change(Trigger.REFERRAL_FILED, event.reference, event.case_id, event.at, event=event)
    if isinstance(event, DecisionRecorded):
        stamp = f"{event.outcome.value}:{event.decided_on.isoformat()}"
        return _Change(Trigger.DECISION_MADE, event.reference, event.case_id, event.at, stamp, event)
    if isinstance(event, RecurringDutyDue):  # stands for its rule's start: narrowed to `recurs` ones below
        return _Change(Trigger.REPORT_PUBLISHED, event.reference, event.case_id, event.at, str(event.occurrence), event)
    if isinstance(event, AgencyReportAccepted):  # each accepted version of each agency's report drafts its own
        stamp = f"{event.agency}:v{event.version}"
        return _Change(Trigger.AGENCY_REPORT_ACCEPTED, event.reference, event.case_id, event.at, stamp, event)
    if isinstance(event, CaseEventRecorded) and event.event in _TRIGGERED_BY:
        stamp = str(event.new_due or event.on)
        return _Change(_TRIGGERED_BY[event.event], event.reference, event.case_id, event.at, stamp, event)
    return None


class StatutoryDrafts:
    def __init__(self, outbox: Outbox, cases: CaseStore, routing: Routing, *, reply_to: str) -> None:
        self.outbox = outbox
        self.cases = cases
        self.routing = routing
        self.board = cases.board
        self.values = NotificationValues(cases.board, cases.calendar, reply_to)
        # A pack naming a template the catalogue lacks, or a recipient the board has no address for, is
        # refused here, before any case needs it.
        cases.pack.check_templates(catalogue())
        cases.pack.check_recipients(cases.board.addressed_roles())

    def __call__(self, s: Session, event: DomainEvent) -> None:
        change = _change(event)
        if change is None:
            return
        # An audited read by the system: the drafts need a few referral details.
        case = self.cases.get_case(
            change.reference, actor=SYSTEM, now=change.at, purpose="statutory notification", session=s
        )
        pack = self.cases.pack_named(case.rules_pack)
        if isinstance(event, CaseEventRecorded):
            self._withdraw_ended(s, case, pack, event)
        # Those a person makes outside the bot (the national online form) are recorded, not drafted here.
        declared = [n for n in pack.notifications if n.on is change.trigger and n.sent_by_bot]
        if isinstance(event, RecurringDutyDue):
            declared = [n for n in pack.notifications if n.recurs and n.discharges == event.rule and n.sent_by_bot]
        if not declared:
            return
        drafts: list[Draft] = []
        for notification in declared:
            if self._applies(notification, case, pack, change):
                drafts += self._drafts(s, case, pack, notification, change)
        # Each agency's accepted report is its own message: one agency's does not replace another's.
        kinds = [] if isinstance(event, AgencyReportAccepted) else [n.template for n in declared]
        self._replace(s, case, drafts, kinds=kinds, now=change.at)

    def _withdraw_ended(self, s: Session, case: Case, pack: RulesPack, event: CaseEventRecorded) -> None:
        """A recurring message whose duty the event ends (the progress report once every action is complete,
        003 §7.2) is withdrawn if still unsent, audited, so nobody approves a stale report."""
        ended = [
            n.template
            for n in pack.notifications
            if n.recurs and getattr(pack.rule(n.discharges).limit, "until", None) is event.event
        ]
        if not ended:
            return
        for stale_id in self.outbox.rows.unsent_of_kinds(s, case.id, ended, besides=()):
            self.outbox.cancel(stale_id, actor=SYSTEM, now=event.at, session=s)

    def _applies(self, notification: Notification, case: Case, pack: RulesPack, change: _Change) -> bool:
        if notification.outcomes and (
            not isinstance(change.event, DecisionRecorded) or change.event.outcome not in notification.outcomes
        ):
            return False
        if notification.requires_event is not None and notification.requires_event not in case.events:
            return False
        if notification.discharges and not _owed(case, pack.rule(notification.discharges)):
            return False
        return not notification.switch or bool(getattr(self.board.notifications, notification.switch))

    # --- what a change drafts ------------------------------------------------------------------------

    def _context(self, session: Session, case: Case, pack: RulesPack, change: _Change) -> dict[str, Any]:
        values = self.values.common(case)
        event = change.event
        if isinstance(event, DecisionRecorded):
            values.update(self.values.decision(case, event.outcome, event.decided_on, revised=event.revised))
            values["outcome_text"] = pack.outcome_words(event.outcome) or values["outcome_text"]
        elif isinstance(event, CaseEventRecorded):
            values.update(
                new_completion_date=event.new_due or "", reason="", publication_date=event.on, concluded_on=event.on
            )
            values.update(decided_on=event.on, **words_given(session, event.event))
        elif isinstance(event, AgencyReportAccepted):
            agency = self.board.agency(event.agency)
            values.update(
                agency_name=agency.name,
                version=event.version,
                accepted_on=event.on,
                review_name=pack.pack.review_name,
            )
        return values

    def _involved(self, case: Case) -> list[Agency]:
        agencies = []
        for confirmation in case.confirmations:
            if not confirmation.involved:
                continue
            try:
                agencies.append(self.board.agency(confirmation.agency_id))
            except KeyError:
                continue
        return agencies

    def _drafts(self, s: Session, case: Case, pack: RulesPack, n: Notification, change: _Change) -> list[Draft]:
        context = self._context(s, case, pack, change)
        key = f"{n.template}:{change.case_id}"

        def draft(values: dict[str, Any], recipients: list[str], summary: str, agency: str | None = None) -> Draft:
            served = n.serves_rule
            return Draft(
                kind=n.template,
                purpose=n.purpose,
                values=for_template(n.template, values),
                recipients=recipients,
                recipient_summary=summary,
                key=":".join(part for part in (key, agency or "", change.stamp) if part),
                meets_rule=n.discharges,
                meets_agency=(agency or "") if n.discharges and pack.rule(n.discharges).per_agency else "",
                act_by=deadline_date(case, served, _agency_for(pack, served, agency)) if served else None,
            )

        if all(role.statutory for role in n.to):
            recipients, summary = self.routing.statutory(*(role.value for role in n.to))
            return [draft({**context, **self.values.dates(case, pack, n)}, recipients, summary)]
        agencies = self._involved(case)
        if not agencies:
            return []
        if RecipientRole.INVOLVED_AGENCIES in n.to:
            values = {**context, **self.values.dates(case, pack, n), **self.values.for_agencies(agencies)}
            summary = "chief_officers:" + ",".join(a.id for a in agencies)
            return [draft(values, sorted({a.send_to for a in agencies}), summary)]
        return [
            draft(
                {**context, **self.values.dates(case, pack, n, agency.id), "agency_name": agency.name},
                [agency.send_to],
                f"agency:{agency.id}",
                agency.id,
            )
            for agency in agencies
        ]

    # --- queueing ------------------------------------------------------------------------------------

    def _replace(self, s: Session, case: Case, drafts: Sequence[Draft], *, kinds: Sequence[str], now: datetime) -> None:
        """Queue the drafts; cancel earlier unsent ones of the same kinds that these replace."""
        keys = {d.key for d in drafts}
        for stale_id in self.outbox.rows.unsent_of_kinds(s, case.id, kinds, besides=keys):
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
                    "purpose": draft.purpose,
                    "recipient_summary": draft.recipient_summary,
                    "act_by": draft.act_by or "",
                },
                recipients=list(targets.chat),
                recipient_summary=targets.summary,
                idempotency_key=f"approval_request:{draft_id}",
                case_id=case.id,
                case_ref=case.reference,
                about_id=draft_id,
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
                    "purpose": draft.purpose,
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


def _owed(case: Case, rule: Rule) -> bool:
    """Whether the message a rule's deadline calls for is due: the case has the deadline, and every fact the
    rule needs is known to be true (triage, cases/triage.py). A fact not known yet keeps the deadline open
    (the business unit confirms it) but drafts nothing: only a notifiable incident gets a notification."""
    if not any(d.computed.rule == rule.id and d.state is not DeadlineState.CANCELLED for d in case.deadlines):
        return False
    facts = facts_of(case.referral)
    return all(facts.get(fact) is Answer.YES for fact in rule.requires)


def _agency_for(pack: RulesPack, rule_id: str, agency: str | None) -> str | None:
    return agency if pack.rule(rule_id).per_agency else None
