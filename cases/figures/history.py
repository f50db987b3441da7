"""A case as the figures see it: dates, the decision's outcome, every stored deadline with where it stands,
extensions with their reasons and costs. No personal data: references only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from cases.case import DeadlineState
from cases.costs import CostKind
from cases.events import Outcome


@dataclass(frozen=True)
class DutyRecord:
    """One stored deadline (a statutory duty): its rule, agency, dates and state."""

    rule: str
    agency: str | None
    due: date
    act_by: date
    state: DeadlineState
    met_on: date | None = None


@dataclass(frozen=True)
class ExtensionRecord:
    """A review's completion date moved (003 §4.1), with the reason from the board's list."""

    extended_on: date
    new_due: date | None
    reason: str


@dataclass(frozen=True)
class CostRecord:
    kind: CostKind
    incurred_on: date
    amount_pence: int
    hours: Decimal | None = None


@dataclass(frozen=True)
class CaseHistory:
    """Every date is optional: a case whose date is missing is counted as open, never dropped or guessed."""

    reference: str
    referral_received: date | None = None
    decided_on: date | None = None
    outcome: Outcome | None = None
    published_on: date | None = None
    duties: tuple[DutyRecord, ...] = ()
    extensions: tuple[ExtensionRecord, ...] = ()
    costs: tuple[CostRecord, ...] = ()
