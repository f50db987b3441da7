"""What a person (or the bot on their behalf) asks to happen to a case, in the board's words.

Each command is plain data; `cases.apply.apply(case, command, ...)` decides what it changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from cases.case import DeadlineState, Decision, Involvement, RecordsState
from cases.costs import CostKind
from cases.events import CaseEvent, CaseStatus, PanelResponse
from cases.referral import Referral
from cases.rules import MetBy


@dataclass(frozen=True)
class FileReferral:
    """A new case: the referral, and the duplicates the blind index found (references only)."""

    referral: Referral
    possible_duplicates: tuple[str, ...] = ()


@dataclass(frozen=True)
class RecordEvent:
    """Record, or correct the date of, a clock-starting event (not the decision: RecordDecision)."""

    event: CaseEvent
    on: date
    new_due: date | None = None  # review_extended: the new completion date (003 §4.1)
    reason: str = ""  # review_extended: why, from the board's list (`[figures] extension_reasons`)


@dataclass(frozen=True)
class RecordDecision:
    """The board's decision (never made by the bot); recording it again revises it (004 §5.5)."""

    decision: Decision


@dataclass(frozen=True)
class MoveStatus:
    target: CaseStatus


@dataclass(frozen=True)
class MarkDeadline:
    """A person says a deadline is met (on a date), not applicable, or open again."""

    rule: str
    on: date
    agency: str | None = None
    state: DeadlineState = DeadlineState.MET


@dataclass(frozen=True)
class ConfirmAgency:
    """What an agency has said (by email, or recorded by hand). Free text (who secured the records, what the
    agency knows of the family, the evidence) is personal data: the store seals it; the rules only pass it on.

    `records_on`: the date the records were secured as the agency gave it, or for "no records held" the date of
    its answer; today when not given."""

    agency: str
    involvement: Involvement | None = None
    involvement_detail: str = ""
    records: RecordsState | None = None
    records_on: date | None = None
    secured_by: str = ""
    evidence: str = ""


@dataclass(frozen=True)
class AddAgency:
    """Ask one more configured agency about a case (e.g. one the sub-group identifies later)."""

    agency: str


@dataclass(frozen=True)
class MarkRequestSent:
    """The request to an agency has actually gone (the outbox sent it)."""

    agency: str
    at: datetime


@dataclass(frozen=True)
class RecordCost:
    """A cost of the review (000 appendix 1 §2): an amount in pounds, or (panel and author time) hours that the
    board's hourly rate prices. The note is checked for the case's personal data and refused if it holds any."""

    kind: CostKind
    on: date
    amount: Decimal | None = None
    hours: Decimal | None = None
    note: str = ""

    def __repr__(self) -> str:
        return f"RecordCost(kind={self.kind.value}, on={self.on})"


@dataclass(frozen=True)
class GiveDue:
    """A person gives the due date of the deadlines met by `effect` (the agency's, for a per-agency one): a
    report's due date when it is requested or returned (004 §7.3), an action's from the plan (003 §7.3)."""

    effect: MetBy
    due: date
    agency: str | None = None
    occurrence: int = 1


@dataclass(frozen=True)
class MeetBy:
    """Something the review recorded meets the deadlines the pack says it meets (`met_by`), if the case has
    them (a pack without such a rule: nothing to mark)."""

    effect: MetBy
    on: date
    agency: str | None = None
    occurrence: int | None = None


@dataclass(frozen=True)
class RecomputeDeadlines:
    """Bring the stored deadlines in line with the case's events (every other command does this itself)."""


@dataclass(frozen=True)
class RecordSubmission:
    """A person made a notification the pack says is made outside the bot (the national online form, a
    document sent by hand) and records it: `template` names the pack's notification, `reference` the portal's
    reference (needed for a portal submission). It meets the rule the notification discharges, on `on`."""

    template: str
    on: date
    reference: str = ""


@dataclass(frozen=True)
class RecordPanelResponse:
    """The Panel's response to the rapid review, with its date (Working Together 2023 ch. 5)."""

    response: PanelResponse
    on: date


Command = (
    FileReferral
    | RecordEvent
    | RecordDecision
    | MoveStatus
    | MarkDeadline
    | ConfirmAgency
    | AddAgency
    | MarkRequestSent
    | RecordCost
    | RecomputeDeadlines
    | RecordSubmission
    | RecordPanelResponse
    | GiveDue
    | MeetBy
)
