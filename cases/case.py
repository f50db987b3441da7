"""A case as the board sees it: the referral, its lifecycle, decision, deadlines and agency confirmations."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from cases.computed_deadline import ComputedDeadline, DeadlineKey, EventRecord
from cases.events import CaseEvent, CaseStatus, Outcome
from cases.problems import FieldProblem, InvalidInput, problems_from

# A Case holds its referral, but a deadline or a decision needs none of the referral's models and checkers
# (email, phone, criteria): a listing of cases starts without them (bench/cli_start.py).
if TYPE_CHECKING:
    from cases.referral import Referral


class Decision(BaseModel):
    """The board's decision (004 Appendix 1 §5). Recorded by a person; never made by the bot."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    outcome: Outcome = Field(title="Outcome")
    decided_on: date = Field(title="Date of the decision")
    decided_by: str = Field(default="", title="Decided by", max_length=200)
    rationale: str = Field(default="", title="Rationale", max_length=20_000)
    # For outcome "other", or the board the case was referred to.
    detail: str = Field(default="", title="Detail", max_length=2_000)

    def __repr__(self) -> str:  # the rationale may hold personal data
        return f"Decision(outcome={self.outcome.value}, decided_on={self.decided_on})"

    def date_problems(self, *, referral_received: date, today: date) -> list[FieldProblem]:
        """A decision is recorded after it is made, and cannot precede the referral it decides on."""
        label = type(self).model_fields["decided_on"].title or "decided_on"
        if self.decided_on > today:
            message = f"{self.decided_on} is in the future; record the decision once it has been made"
            return [FieldProblem("decided_on", label, message)]
        if self.decided_on < referral_received:
            message = f"{self.decided_on} is before the referral was received ({referral_received})"
            return [FieldProblem("decided_on", label, message)]
        return []


def parse_decision(**values: Any) -> Decision:
    """A decision from what a person typed; every problem names its field, never the value (a rationale can
    name the child)."""
    try:
        return Decision(**values)
    except ValidationError as exc:
        raise InvalidInput(problems_from(exc, Decision)) from None


class DeadlineState(StrEnum):
    OPEN = "open"
    MET = "met"
    CANCELLED = "cancelled"  # no longer applies (trigger or outcome changed)
    NOT_APPLICABLE = "not_applicable"  # a person said so, e.g. no learning disability after all


@dataclass(frozen=True)
class Deadline:
    """A stored deadline: the computation, why, and where it stands."""

    computed: ComputedDeadline
    state: DeadlineState
    met_on: date | None = None
    note: str = ""

    @property
    def key(self) -> DeadlineKey:
        return self.computed.key


class Involvement(StrEnum):
    """Whether the child and family are known to an agency (004 §3.7)."""

    KNOWN = "known"
    NOT_KNOWN = "not_known"
    UNKNOWN = "unknown"  # no answer yet


class RecordsState(StrEnum):
    """Where an agency's records about the case stand (004 §5.6, 003 §5.1, 002 §3.2)."""

    NOT_YET = "not_yet"  # no answer yet, or "not yet secured"
    SECURED = "secured"  # secured against loss or interference, on a date the agency gave (or its email's)
    NO_RECORDS_HELD = "no_records_held"  # the agency holds none: nothing to secure, and no date to show

    @property
    def answered(self) -> bool:
        """The agency's duty to secure its records is discharged (secured, or none held)."""
        return self is not RecordsState.NOT_YET

    @property
    def label(self) -> str:
        return {
            RecordsState.NOT_YET: "not yet",
            RecordsState.SECURED: "secured",
            RecordsState.NO_RECORDS_HELD: "no records held",
        }[self]


def counts_as_involved(involvement: Involvement, records: RecordsState) -> bool:
    """Whether per-involved-agency duties (e.g. an IMR, 004 §7.3) apply to an agency: unless it has said the
    child and family are not known to it. An agency holding no records counts as not involved unless it
    says otherwise."""
    if involvement is Involvement.UNKNOWN:
        return records is not RecordsState.NO_RECORDS_HELD
    return involvement is Involvement.KNOWN


@dataclass(frozen=True)
class AgencyConfirmation:
    agency_id: str
    request_sent_at: datetime | None = None
    involvement: Involvement = Involvement.UNKNOWN
    involvement_detail: str = ""
    records: RecordsState = RecordsState.NOT_YET
    secured_on: date | None = None  # only when records are SECURED
    secured_by: str = ""
    evidence: str = ""  # e.g. the Message-ID of the reply that confirmed it

    @property
    def records_secured(self) -> bool:
        return self.records is RecordsState.SECURED

    @property
    def involved(self) -> bool:
        return counts_as_involved(self.involvement, self.records)

    @property
    def records_text(self) -> str:
        """As the business unit reads it: "secured on 2026-11-23", "no records held", "not yet"."""
        if self.records is RecordsState.SECURED and self.secured_on is not None:
            return f"secured on {self.secured_on}"
        return self.records.label

    def __repr__(self) -> str:
        return (
            f"AgencyConfirmation(agency_id={self.agency_id!r}, involvement={self.involvement.value}, "
            f"records={self.records.value})"
        )


@dataclass(frozen=True)
class Case:
    id: str
    board_id: str
    reference: str
    status: CaseStatus
    rules_pack: str
    created_at: datetime
    filed_by: str
    referral: Referral | None  # None once personal data has been purged
    decision: Decision | None = None
    events: dict[CaseEvent, EventRecord] = field(default_factory=dict)
    deadlines: list[Deadline] = field(default_factory=list)
    confirmations: list[AgencyConfirmation] = field(default_factory=list)
    possible_duplicates: list[str] = field(default_factory=list)
    closed_at: datetime | None = None
    purged_at: datetime | None = None
    rules_pack_version: str = "1"  # the pack's version when the case was opened

    def __repr__(self) -> str:
        return f"Case(reference={self.reference!r}, status={self.status.value})"

    def open_deadlines(self) -> list[Deadline]:
        return [d for d in self.deadlines if d.state is DeadlineState.OPEN]

    def agencies_not_confirmed(self) -> list[str]:
        return [c.agency_id for c in self.confirmations if not c.records.answered]
