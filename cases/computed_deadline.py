"""A deadline as the timeline computed it, and the event that started its clock: plain values, apart from the
rules that compute them (cases/timeline.py), so that what reads stored deadlines (a case listing) loads no
rules pack models (bench/cli_start.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from cases.events import CaseEvent, Outcome


@dataclass(frozen=True)
class EventRecord:
    """One clock-starting event of a case."""

    on: date
    outcome: Outcome | None = None
    # For review_extended: the new completion date (003 §4.1).
    new_due: date | None = None


@dataclass(frozen=True)
class DeadlineKey:
    rule: str
    agency: str | None = None
    occurrence: int = 1


@dataclass(frozen=True)
class ComputedDeadline:
    """A deadline with everything a reviewer needs to see why its date is what it is."""

    rule: str
    trigger_event: CaseEvent
    trigger_date: date
    due: date
    act_by: date
    limit: str
    action: str
    who: str
    text: str
    source: str
    agency: str | None = None
    occurrence: int = 1
    per_agency: bool = False
    minimum_period: bool = False
    # The due date was given by a person (a report's new due date, an action's), not computed from the limit.
    given: bool = False

    @property
    def key(self) -> DeadlineKey:
        return DeadlineKey(self.rule, self.agency, self.occurrence)
