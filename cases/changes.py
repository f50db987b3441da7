"""What the case rules decided a command changes, for a store to write, audit and publish as it is."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from cases.case import DeadlineState, Decision, Involvement, RecordsState
from cases.costs import CostEntry
from cases.domain_events import DomainEvent
from cases.events import CaseEvent, CaseStatus
from cases.figures.history import ExtensionRecord
from cases.timeline import ComputedDeadline, DeadlineKey, EventRecord


@dataclass(frozen=True)
class NewDeadline:
    computed: ComputedDeadline
    state: DeadlineState = DeadlineState.OPEN
    met_on: date | None = None


@dataclass(frozen=True)
class DeadlineMark:
    """A stored deadline's new state (met on a date, not applicable, or open again)."""

    key: DeadlineKey
    state: DeadlineState
    met_on: date | None


@dataclass(frozen=True)
class RecordsChange:
    state: RecordsState
    secured_on: date | None  # only when SECURED
    secured_by: str = ""


@dataclass(frozen=True)
class ConfirmationChange:
    """An agency's answer. `None` leaves a field as it was."""

    agency: str
    involvement: Involvement | None = None
    involvement_detail: str = ""  # written with `involvement`
    records: RecordsChange | None = None
    evidence: str = ""  # written when given


@dataclass(frozen=True)
class AuditNote:
    """The audit entry for the change: ids, states and dates only, never personal data."""

    action: str
    detail: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Changes:
    audit: AuditNote
    status: CaseStatus | None = None  # the case's new status, when it changes
    closed: bool = False  # the case closes now
    events: tuple[tuple[CaseEvent, EventRecord], ...] = ()  # recorded, or re-dated
    decision: Decision | None = None  # recorded, or revised
    agencies_added: tuple[str, ...] = ()
    confirmation: ConfirmationChange | None = None
    request_sent: tuple[str, datetime] | None = None  # (agency, when)
    extension: ExtensionRecord | None = None  # review_extended, with its reason (003 §4.1)
    cost: CostEntry | None = None  # a cost of the review
    added: tuple[NewDeadline, ...] = ()
    redated: tuple[ComputedDeadline, ...] = ()  # the trigger moved: new dates, state kept
    reopened: tuple[DeadlineKey, ...] = ()  # applies again (was cancelled)
    cancelled: tuple[DeadlineKey, ...] = ()  # no longer applies (was open)
    marked: tuple[DeadlineMark, ...] = ()  # applied after the four above
    published: tuple[DomainEvent, ...] = ()

    @property
    def touches_deadlines(self) -> bool:
        return bool(self.added or self.redated or self.reopened or self.cancelled or self.marked)
