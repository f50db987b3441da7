"""A case as the rules see it when they decide a command: no personal data, only what the decision needs.

A store loads a snapshot in parts. `cases.apply.needs` says which parts a command still needs (an agency's
confirmation touches only that agency's deadlines; recording an event needs the whole case), so the common
commands read no more than they use; `apply` refuses to decide on a snapshot that lacks a part it needs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date

from cases.answers import Answer
from cases.case import DeadlineState, Involvement, RecordsState, counts_as_involved
from cases.events import CaseEvent, CaseStatus
from cases.personal_data import CaseFacts
from cases.referral import Referral
from cases.rules import Fact, RulesPack
from cases.timeline import DeadlineKey, EventRecord
from cases.triage import triage


@dataclass(frozen=True)
class Part:
    """One part of a case a store can load. `agency`/`rule` narrow it (see the constants below)."""

    name: str
    agency: str | None = None
    rule: str | None = None


EVENTS = Part("events")  # every clock-starting event of the case
DEADLINES = Part("deadlines")  # every stored deadline
AGENCIES = Part("agencies")  # every agency asked about the case, with its answers so far
FACTS = Part("facts")  # facts from the referral that switch rules on (Fact)
DECISION = Part("decision")  # whether a decision has been recorded before
# The case's own personal data, only to check free text against (cases/personal_data.py): loaded for a command
# whose free text must hold none (a cost's note), never shown, logged or written.
PERSONAL_DATA = Part("personal_data")
WHOLE_CASE = (EVENTS, DEADLINES, AGENCIES, FACTS, DECISION)


def agency_part(agency_id: str) -> Part:
    """One agency's answers so far and its own deadlines."""
    return Part("agency", agency=agency_id)


def rule_part(rule_id: str, agency_id: str | None) -> Part:
    """The deadlines of one rule (of one agency, when given)."""
    return Part("rule", agency=agency_id, rule=rule_id)


@dataclass(frozen=True)
class StoredDeadline:
    key: DeadlineKey
    trigger_date: date
    due: date
    act_by: date
    state: DeadlineState
    met_on: date | None = None
    given: bool = False  # its due date was given by a person (cases/timeline.py `given`)


@dataclass(frozen=True)
class AgencyRecord:
    """An agency's answers so far, as the rules need them (its free text stays in storage)."""

    agency_id: str
    involvement: Involvement = Involvement.UNKNOWN
    records: RecordsState = RecordsState.NOT_YET

    @property
    def involved(self) -> bool:
        return counts_as_involved(self.involvement, self.records)


def facts_of(referral: Referral | None) -> dict[Fact, Answer]:
    """The referral's answers that switch rules on (LeDeR, 004 §2.10-2.12; the triage of a notifiable
    incident, cases/triage.py); none once it is purged."""
    if referral is None:
        return {}
    found = triage(referral.criteria, referral.incident)
    return {
        Fact.LEARNING_DISABILITY: referral.learning_disability,
        Fact.CHILD_DIED: referral.criteria.child_died,
        Fact.NOTIFIABLE_INCIDENT: found.notifiable,
        Fact.NOTIFIABLE_TO_PANEL: found.to_panel,
        Fact.LOOKED_AFTER: referral.incident.looked_after,
    }


@dataclass(frozen=True)
class CaseSnapshot:
    case_id: str
    board_id: str
    reference: str
    status: CaseStatus
    pack: RulesPack
    loaded: frozenset[Part] = frozenset()
    events: Mapping[CaseEvent, EventRecord] = field(default_factory=dict)
    deadlines: tuple[StoredDeadline, ...] = ()
    agencies: Mapping[str, AgencyRecord] = field(default_factory=dict)
    facts: Mapping[Fact, Answer] = field(default_factory=dict)
    decided: bool = False
    personal: CaseFacts | None = None  # PERSONAL_DATA; None when not loaded or purged

    @classmethod
    def new(cls, *, case_id: str, board_id: str, reference: str, pack: RulesPack) -> CaseSnapshot:
        """A case being created: nothing stored yet, so every part is known (and empty)."""
        return cls(case_id, board_id, reference, CaseStatus.REFERRED, pack, loaded=frozenset(WHOLE_CASE))

    def has(self, part: Part) -> bool:
        if part in self.loaded:
            return True
        if part.name == "agency":
            return AGENCIES in self.loaded and DEADLINES in self.loaded
        if part.name == "rule":
            return DEADLINES in self.loaded
        return False

    def missing(self, *parts: Part) -> tuple[Part, ...]:
        return tuple(p for p in parts if not self.has(p))

    def with_part(self, part: Part, **values: object) -> CaseSnapshot:
        """This snapshot with one more part loaded (`values`: the fields that part fills)."""
        return replace(self, loaded=self.loaded | {part}, **values)  # type: ignore[arg-type]

    @property
    def closed(self) -> bool:
        return self.status is CaseStatus.CLOSED
