"""What happened to a case, for other features to react to (agency requests, notifications, Slack notices).

The store publishes these inside the transaction that made the change. Listeners may only write rows in
that same session (e.g. outbox rows): then a change and the messages it causes commit together or not at
all, and nothing is sent for a change that rolled back. Sending happens later, from the outbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from cases.case import Involvement, RecordsState
from cases.events import CaseEvent, CaseStatus, Outcome


@dataclass(frozen=True)
class ReferralFiled:
    board_id: str
    case_id: str
    reference: str
    at: datetime
    possible_duplicates: tuple[str, ...] = ()
    # Whether the incident is notifiable, with its clauses (cases/triage.py): no personal data.
    triage: str = ""


@dataclass(frozen=True)
class DecisionRecorded:
    board_id: str
    case_id: str
    reference: str
    at: datetime
    outcome: Outcome
    decided_on: date
    revised: bool


@dataclass(frozen=True)
class CaseEventRecorded:
    board_id: str
    case_id: str
    reference: str
    at: datetime
    event: CaseEvent
    on: date
    new_due: date | None = None
    reason: str = ""  # review_extended: the reason from the board's list


@dataclass(frozen=True)
class AgencyConfirmed:
    board_id: str
    case_id: str
    reference: str
    at: datetime
    agency_id: str
    records: RecordsState
    involvement: Involvement


@dataclass(frozen=True)
class StatusChanged:
    board_id: str
    case_id: str
    reference: str
    at: datetime
    before: CaseStatus
    after: CaseStatus


@dataclass(frozen=True)
class RecurringDutyDue:
    """The next occurrence of a recurring duty appeared (the last one met): e.g. the next quarterly progress
    report on the action plan (003 §7.3), which the pack may draft again."""

    board_id: str
    case_id: str
    reference: str
    at: datetime
    rule: str
    occurrence: int


@dataclass(frozen=True)
class AgencyReportAccepted:
    """An agency's report (an IMR, or agency information under wt2023) accepted by quality assurance: the
    accepted `version` goes to the lead reviewer and the review panel (003 §5.7)."""

    board_id: str
    case_id: str
    reference: str
    at: datetime
    agency: str
    version: int
    on: date


DomainEvent = (
    ReferralFiled
    | DecisionRecorded
    | CaseEventRecorded
    | AgencyConfirmed
    | StatusChanged
    | RecurringDutyDue
    | AgencyReportAccepted
)
