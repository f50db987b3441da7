"""Rules packs: the statutory time limits as data (DESIGN.md §3).

A pack is a TOML document. Each rule names the event that starts its clock, what must be done, the limit,
and the seed paragraph it comes from. Packs are parsed here from text; `cases.packs` finds bundled ones.
"""

from __future__ import annotations

import tomllib
from collections.abc import Collection
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from cases.events import CaseEvent, Outcome
from cases.figures.declared import PackFigures
from cases.notifications import Notification, Via
from errors import BadInput, NotFound


class UnknownRule(NotFound, KeyError):
    def __str__(self) -> str:
        return f"no rule {self.args[0]!r} in the rules pack"


class RulesPackError(BadInput):
    """A rules pack that cannot be used, with the reason."""


class Fact(StrEnum):
    """Facts about the referral that switch a rule on (e.g. LeDeR alerts, 004 §2.10-2.12)."""

    LEARNING_DISABILITY = "learning_disability"
    CHILD_DIED = "child_died"
    # Triage (cases/triage.py): any 004 §2.2 branch; the s.16C(1) branches (to the Panel); looked after.
    NOTIFIABLE_INCIDENT = "notifiable_incident"
    NOTIFIABLE_TO_PANEL = "notifiable_to_panel"
    LOOKED_AFTER = "looked_after"


class MetBy(StrEnum):
    """What, besides a person marking it, meets a rule's deadline (`met_by` in a pack). The case rules
    (cases/apply.py) apply these; a pack says which rule each one meets."""

    # The board's decision is recorded: met on the date of the decision (004 §3.8).
    DECISION_RECORDED = "decision_recorded"
    # A sub-group meeting dated on or before today (or before the decision): met on the meeting date (004 §3.9).
    SUBGROUP_MEETING_HELD = "subgroup_meeting_held"
    # Per agency: the agency confirms its records are secured, or that it holds none (004 §5.6).
    AGENCY_RECORDS_SECURED = "agency_records_secured"
    # Per agency: the agency says whether the child and family are known to it (004 §3.7).
    AGENCY_INVOLVEMENT_ANSWERED = "agency_involvement_answered"
    # The review (cases/review/): per agency, its report (IMR, agency information) signed off and accepted by
    # quality assurance (004 §7.6-7.7); every agency's report author briefed (004 §7.3); a version of the
    # overview or final report approved (004 §5.2); per agency, one of its actions evidenced complete
    # (003 §7.3; the action's own deadline, its `occurrence` the action's number in the plan).
    AGENCY_REPORT_ACCEPTED = "agency_report_accepted"
    AUTHORS_BRIEFED = "authors_briefed"
    REPORT_APPROVED = "report_approved"
    ACTION_COMPLETED = "action_completed"

    @property
    def per_agency(self) -> bool:
        return self in (
            MetBy.AGENCY_RECORDS_SECURED,
            MetBy.AGENCY_INVOLVEMENT_ANSWERED,
            MetBy.AGENCY_REPORT_ACCEPTED,
            MetBy.ACTION_COMPLETED,
        )


# Events that come before any decision: a rule they start cannot depend on the decision's outcome.
_BEFORE_DECISION = (CaseEvent.INCIDENT_AWARE, CaseEvent.REFERRAL_RECEIVED, CaseEvent.SUBGROUP_MEETING_SCHEDULED)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class WorkingDaysAfter(_Strict):
    """The Nth working day after the trigger (the trigger date is day 0)."""

    kind: Literal["working_days"] = "working_days"
    working_days: int = Field(ge=0)

    def describe(self) -> str:
        return f"{self.working_days} working day{'s' if self.working_days != 1 else ''}"


class WorkingDaysBefore(_Strict):
    """The Nth working day before the trigger date (e.g. copies before publication, 004 §10.5)."""

    kind: Literal["working_days_before"] = "working_days_before"
    working_days_before: int = Field(ge=1)

    def describe(self) -> str:
        return f"{self.working_days_before} working days before"


class WeeksAfter(_Strict):
    kind: Literal["weeks"] = "weeks"
    weeks: int = Field(ge=1)

    def describe(self) -> str:
        return f"{self.weeks} week{'s' if self.weeks != 1 else ''}"


class MonthsAfter(_Strict):
    kind: Literal["months"] = "months"
    months: int = Field(ge=1)

    def describe(self) -> str:
        return f"{self.months} month{'s' if self.months != 1 else ''}"


class BeforeRule(_Strict):
    """Due when another rule's deadline is, or on the date set by `scheduled_by` once that event happens."""

    kind: Literal["before_rule"] = "before_rule"
    before_rule: str
    scheduled_by: CaseEvent | None = None

    def describe(self) -> str:
        return f"before {self.before_rule}"


class EveryMonths(_Strict):
    """A recurring duty: every N months after the trigger, for `for_months` months; or, with `until`, until that
    event (e.g. the action plan's progress reports until every action is complete, 003 §7.2-7.3). An open-ended
    duty's next occurrence appears once the one before it is met, so none is planned years ahead."""

    kind: Literal["every_months"] = "every_months"
    every_months: int = Field(ge=1)
    for_months: int = Field(default=12, ge=1)
    until: CaseEvent | None = None

    def describe(self) -> str:
        return f"every {self.every_months} months" + (f" until {self.until.value}" if self.until else "")


class GivenDate(_Strict):
    """Due on the date a person gives for each agency's item (e.g. each action of the action plan, 003 §7.3):
    nothing is computed; the review records each date (cases/commands.py GiveDue)."""

    kind: Literal["given"] = "given"

    def describe(self) -> str:
        return "on the date given"


Limit = Annotated[
    WorkingDaysAfter | WorkingDaysBefore | WeeksAfter | MonthsAfter | BeforeRule | EveryMonths | GivenDate,
    Field(discriminator="kind"),
]


class Rule(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    starts_on: CaseEvent
    action: str = Field(min_length=1)
    who: str = Field(min_length=1)
    limit: Limit
    source: str = Field(min_length=1)
    # Only for cases decided with these outcomes (rules started by decision_made or a later event; while the
    # case has no decision the rule applies); empty means any outcome.
    outcomes: tuple[Outcome, ...] = ()
    # Only when all these facts are known to be true for the case.
    requires: tuple[Fact, ...] = ()
    # One deadline per agency (e.g. each agency secures its records) rather than one for the board.
    per_agency: bool = False
    # Which agencies: "subgroup" (every sub-group member agency) or "involved" (agencies that know the
    # child or family, or have not said they do not).
    agencies: Literal["subgroup", "involved"] = "subgroup"
    # A minimum period (e.g. keep the report online for 12 months, 004 §10.1) rather than a duty to chase.
    minimum_period: bool = False
    # An event that replaces this rule's due date with the date it carries (e.g. an extension, 003 §4.1).
    extended_by: CaseEvent | None = None
    # What meets this deadline besides a person marking it (see MetBy).
    met_by: MetBy | None = None
    note: str = ""

    @property
    def limit_text(self) -> str:
        return self.limit.describe()

    @property
    def text(self) -> str:
        """The rule in one sentence, as stored beside each computed deadline."""
        condition = ""
        if self.outcomes:
            condition = f" (outcome {', '.join(o.value for o in self.outcomes)})"
        if self.requires:
            condition += f" (only if {' and '.join(f.value.replace('_', ' ') for f in self.requires)})"
        if isinstance(self.limit, WorkingDaysBefore):
            timing = f"at least {self.limit.describe()} {self.starts_on.value}"
        elif isinstance(self.limit, BeforeRule):
            timing = f"{self.limit.describe()}, from {self.starts_on.value}"
        elif isinstance(self.limit, EveryMonths):
            timing = f"{self.limit.describe()} from {self.starts_on.value}"
        elif isinstance(self.limit, GivenDate):
            timing = f"{self.limit.describe()}, from {self.starts_on.value}"
        elif self.minimum_period:
            timing = f"for at least {self.limit.describe()} from {self.starts_on.value}"
        else:
            timing = f"within {self.limit.describe()} of {self.starts_on.value}"
        return f"{self.who}: {self.action}, {timing}{condition}. Source: {self.source}."


class PackInfo(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    title: str
    source: str = ""
    # Bumped when a rule's meaning changes: a case keeps the id and version it was opened under.
    version: str = Field(default="1", pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    # What the law calls a review (the business unit's views and `case show` speak the case's pack).
    review_name: str = "serious case review"
    review_short: str = "SCR"


class RulesPack(_Strict):
    pack: PackInfo
    rules: tuple[Rule, ...]
    notifications: tuple[Notification, ...] = ()
    # The words a decision's outcome is told in, in the law's own terms (e.g. "to carry out a local child
    # safeguarding practice review"); outcomes not given use the words of the seeds (004 Appendix 1).
    outcomes: dict[Outcome, str] = Field(default_factory=dict)
    # What the board's figures count (cases/figures/declared.py).
    figures: PackFigures = PackFigures()

    @property
    def id(self) -> str:
        return self.pack.id

    @property
    def version(self) -> str:
        return self.pack.version

    @model_validator(mode="after")
    def _check_references(self) -> RulesPack:
        ids = [r.id for r in self.rules]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"rule ids appear twice: {', '.join(duplicates)}")
        known = set(ids)
        for rule in self.rules:
            if isinstance(rule.limit, BeforeRule):
                if rule.limit.before_rule not in known:
                    raise ValueError(f"rule {rule.id} is due before unknown rule {rule.limit.before_rule}")
                target = self.rule(rule.limit.before_rule)
                if isinstance(target.limit, BeforeRule):
                    raise ValueError(f"rule {rule.id}: 'before_rule' may not point at another 'before_rule' rule")
            if rule.outcomes and rule.starts_on in _BEFORE_DECISION:
                raise ValueError(f"rule {rule.id}: outcomes only apply to rules started by or after decision_made")
            if rule.met_by is not None and rule.met_by.per_agency != rule.per_agency:
                kind = "per-agency" if rule.met_by.per_agency else "board-level"
                raise ValueError(f"rule {rule.id}: met_by {rule.met_by.value} is for {kind} rules")
        templates = [n.template for n in self.notifications]
        repeated = sorted({t for t in templates if templates.count(t) > 1})
        if repeated:
            raise ValueError(f"notification templates appear twice: {', '.join(repeated)}")
        for index, notification in enumerate(self.notifications):
            for key, rule_id in notification.rules_named().items():
                if rule_id not in known:
                    raise ValueError(f"notifications.{index}.{key}: unknown rule {rule_id!r}")
        for key, rule_id in self.figures.rules_named().items():
            if rule_id not in known:
                raise ValueError(f"{key}: unknown rule {rule_id!r}")
        return self

    def rule(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise UnknownRule(rule_id)

    def rules_started_by(self, event: CaseEvent) -> list[Rule]:
        return [r for r in self.rules if r.starts_on is event]

    def rules_met_by(self, effect: MetBy) -> list[Rule]:
        return [r for r in self.rules if r.met_by is effect]

    def rule_ids_met_by(self, effect: MetBy) -> tuple[str, ...]:
        return tuple(r.id for r in self.rules if r.met_by is effect)

    def check_templates(self, known: Collection[str], *, origin: str = "") -> None:
        """Refuse a pack whose notifications name a template the catalogue does not have (the catalogue
        lives outside the domain, so whoever loads a pack for sending passes its template ids here)."""
        for index, notification in enumerate(self.notifications):
            if notification.template not in known:
                where = f"{origin or f'rules pack {self.id}'}: notifications.{index}.template"
                raise RulesPackError(f"{where}: unknown template {notification.template!r}")

    def check_recipients(self, addressed: Collection[str], *, origin: str = "") -> None:
        """Refuse a pack whose notifications go to a role the board has no address for (`addressed`: the
        keys of the board's [statutory_recipients]), naming the key, before any case needs it."""
        for index, notification in enumerate(self.notifications):
            for place, role in enumerate(notification.to):
                if role.statutory and role.value not in addressed:
                    where = f"{origin or f'rules pack {self.id}'}: notifications.{index}.to.{place}"
                    raise RulesPackError(
                        f"{where}: the board config has no address for {role.value!r} "
                        f"(add [statutory_recipients.{role.value}] with name and email)"
                    )

    def made_outside(self) -> list[Notification]:
        """Notifications a person makes outside the bot (a national online form, a document sent by hand)
        and records: recording one meets the rule it discharges."""
        return [n for n in self.notifications if n.via is not Via.OUTBOX]

    def made_outside_named(self, template: str) -> Notification:
        """The notification of that template made outside the bot ("": the pack's first such)."""
        for notification in self.made_outside():
            if notification.template == template or not template:
                return notification
        known = ", ".join(n.template for n in self.made_outside()) or "none"
        raise NotFound(f"rules pack {self.id} has no notification {template!r} made outside the bot (it has: {known})")

    def outcome_words(self, outcome: Outcome) -> str | None:
        return self.outcomes.get(outcome)

    @classmethod
    def from_toml(cls, text: str, *, origin: str = "rules pack") -> RulesPack:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise RulesPackError(f"{origin}: not valid TOML: {exc}") from exc
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])  # empty for a problem of the whole pack
            reason = first["msg"].removeprefix("Value error, ")
            raise RulesPackError(f"{origin}: {where}: {reason}" if where else f"{origin}: {reason}") from exc
