"""Deadlines from events: the statutory timeline (DESIGN.md §3 "Counting, exactly").

`compute_deadlines` turns the events a case has had into every deadline they start. `reconcile` compares
those with the deadlines already stored for a case, so that changing a trigger date recomputes exactly the
deadlines that depend on it, keeps what has been met, and cancels what no longer applies.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from cases.answers import Answer
from cases.calendar import WorkingCalendar, add_months
from cases.computed_deadline import ComputedDeadline as ComputedDeadline  # re-exported: defined there
from cases.computed_deadline import DeadlineKey as DeadlineKey
from cases.computed_deadline import EventRecord as EventRecord
from cases.events import CaseEvent
from cases.rules import (
    BeforeRule,
    EveryMonths,
    Fact,
    GivenDate,
    MonthsAfter,
    Rule,
    RulesPack,
    WeeksAfter,
    WorkingDaysAfter,
    WorkingDaysBefore,
)


@dataclass(frozen=True)
class AgencyScope:
    """Which agencies per-agency rules apply to. Empty scopes give one board-level row per rule."""

    subgroup: tuple[str, ...] = ()
    involved: tuple[str, ...] = ()

    def for_rule(self, rule: Rule) -> tuple[str, ...]:
        return self.subgroup if rule.agencies == "subgroup" else self.involved


@dataclass(frozen=True)
class _Dates:
    due: date
    act_by: date


def _rule_applies(rule: Rule, decision: EventRecord | None, facts: Mapping[Fact, Answer]) -> bool:
    # A rule for some outcomes only: the case's decision says (a rule started by decision_made always has it;
    # a later one, e.g. the copies before publication, follows the decision the case already has).
    if rule.outcomes and decision is not None and decision.outcome not in rule.outcomes:
        return False
    # A fact that is unknown does not switch the rule off: an unneeded reminder can be marked "not
    # applicable", a missed statutory alert cannot be undone.
    return all(facts.get(fact, Answer.UNKNOWN) is not Answer.NO for fact in rule.requires)


def _calendar_dates(calendar: WorkingCalendar, due: date) -> _Dates:
    # Weeks and months are not moved: `due` is reported as it falls, `act_by` is the last working day
    # on or before it (DESIGN.md §3).
    return _Dates(due=due, act_by=calendar.last_working_day_on_or_before(due))


def _simple_dates(rule: Rule, start: date, calendar: WorkingCalendar, count: int | None = None) -> list[_Dates]:
    limit = rule.limit
    if isinstance(limit, WorkingDaysAfter):
        due = calendar.add_working_days(start, limit.working_days)
        return [_Dates(due=due, act_by=due)]
    if isinstance(limit, WorkingDaysBefore):
        due = calendar.subtract_working_days(start, limit.working_days_before)
        return [_Dates(due=due, act_by=due)]
    if isinstance(limit, WeeksAfter):
        return [_calendar_dates(calendar, start + timedelta(weeks=limit.weeks))]
    if isinstance(limit, MonthsAfter):
        return [_calendar_dates(calendar, add_months(start, limit.months))]
    if isinstance(limit, EveryMonths):
        if count is None:
            count = 1 if limit.until is not None else limit.for_months // limit.every_months
        return [_calendar_dates(calendar, add_months(start, limit.every_months * k)) for k in range(1, count + 1)]
    raise TypeError(f"rule {rule.id}: limit {limit.kind} needs another rule's date")


def compute_deadlines(
    pack: RulesPack,
    events: Mapping[CaseEvent, EventRecord],
    calendar: WorkingCalendar,
    *,
    facts: Mapping[Fact, Answer] | None = None,
    agencies: AgencyScope | None = None,
    given: Mapping[DeadlineKey, date] | None = None,
    done: Mapping[str, int] | None = None,
) -> list[ComputedDeadline]:
    """Every deadline that the given events start, in rule order then agency order.

    `given`: due dates a person gave (they replace the computed ones; a rule whose limit is `given` has a
    deadline only for each date given). `done`: for an open-ended recurring rule, how many of its occurrences
    are met so far (the next one then appears)."""
    facts = facts or {}
    agencies = agencies or AgencyScope()
    given = given or {}
    done = done or {}
    simple: dict[str, _Dates] = {}
    result: list[ComputedDeadline] = []
    decision = events.get(CaseEvent.DECISION_MADE)

    def emit(
        rule: Rule,
        trigger: CaseEvent,
        trigger_date: date,
        dates: _Dates,
        occurrence: int,
        only: Sequence[str | None] | None = None,
    ) -> None:
        agency_ids: Sequence[str | None] = agencies.for_rule(rule) if rule.per_agency else ()
        if only is not None:
            agency_ids = only
        if not agency_ids:
            agency_ids = [None]
        limit_text, text = rule.limit_text, rule.text  # worded once per rule, not once per agency
        for agency in agency_ids:
            key = DeadlineKey(rule.id, agency, occurrence)
            set_by_person = given.get(key)
            own = _calendar_dates(calendar, set_by_person) if set_by_person is not None else dates
            result.append(
                ComputedDeadline(
                    rule=rule.id,
                    trigger_event=trigger,
                    trigger_date=trigger_date,
                    due=own.due,
                    act_by=own.act_by,
                    limit=limit_text,
                    action=rule.action,
                    who=rule.who,
                    text=text,
                    source=rule.source,
                    agency=agency,
                    occurrence=occurrence,
                    per_agency=rule.per_agency,
                    minimum_period=rule.minimum_period,
                    given=set_by_person is not None,
                )
            )

    # Two passes: rules due "before" another rule need that rule's date first.
    for rule in pack.rules:
        event = events.get(rule.starts_on)
        if event is None or isinstance(rule.limit, BeforeRule) or not _rule_applies(rule, decision, facts):
            continue
        if isinstance(rule.limit, GivenDate):
            for key in sorted((k for k in given if k.rule == rule.id), key=lambda k: (k.agency or "", k.occurrence)):
                dates = _calendar_dates(calendar, given[key])
                emit(rule, rule.starts_on, event.on, dates, key.occurrence, only=[key.agency] if key.agency else [])
            continue
        if isinstance(rule.limit, EveryMonths) and rule.limit.until is not None:
            met = done.get(rule.id, 0)
            until = events.get(rule.limit.until)
            for occurrence, dates in enumerate(_simple_dates(rule, event.on, calendar, met + 1), start=1):
                if until is None or occurrence <= met or dates.due <= until.on:
                    simple.setdefault(rule.id, dates)
                    emit(rule, rule.starts_on, event.on, dates, occurrence)
            continue
        extension = events.get(rule.extended_by) if rule.extended_by else None
        if extension is not None and extension.new_due is not None and rule.extended_by is not None:
            dates = _calendar_dates(calendar, extension.new_due)
            simple[rule.id] = dates
            emit(rule, rule.extended_by, extension.on, dates, 1)
            continue
        for occurrence, dates in enumerate(_simple_dates(rule, event.on, calendar), start=1):
            simple.setdefault(rule.id, dates)
            emit(rule, rule.starts_on, event.on, dates, occurrence)

    for rule in pack.rules:
        event = events.get(rule.starts_on)
        if event is None or not isinstance(rule.limit, BeforeRule) or not _rule_applies(rule, decision, facts):
            continue
        scheduled = events.get(rule.limit.scheduled_by) if rule.limit.scheduled_by else None
        if scheduled is not None and rule.limit.scheduled_by is not None:
            trigger, trigger_date, limit_date = rule.limit.scheduled_by, scheduled.on, scheduled.on
        elif rule.limit.before_rule in simple:
            trigger, trigger_date = rule.starts_on, event.on
            limit_date = simple[rule.limit.before_rule].due
        else:
            continue
        # "Before the meeting": the last working day strictly before the meeting date.
        act_by = calendar.last_working_day_on_or_before(limit_date - timedelta(days=1))
        emit(rule, trigger, trigger_date, _Dates(due=limit_date, act_by=act_by), 1)

    order = {rule.id: index for index, rule in enumerate(pack.rules)}
    result.sort(key=lambda d: (order[d.rule], d.occurrence, d.agency or ""))
    return result


@dataclass(frozen=True)
class Reconciliation:
    """What to change in the stored deadlines of a case."""

    added: list[ComputedDeadline] = field(default_factory=list)
    changed: list[ComputedDeadline] = field(default_factory=list)
    unchanged: list[DeadlineKey] = field(default_factory=list)
    cancelled: list[DeadlineKey] = field(default_factory=list)


def reconcile(
    stored: Mapping[DeadlineKey, tuple[date, date, date] | tuple[date, date, date, bool]],
    computed: Sequence[ComputedDeadline],
) -> Reconciliation:
    """Compare stored deadlines (key -> (trigger_date, due, act_by[, given])) with freshly computed ones."""
    result = Reconciliation()
    seen: set[DeadlineKey] = set()
    for deadline in computed:
        seen.add(deadline.key)
        before = stored.get(deadline.key)
        if before is None:
            result.added.append(deadline)
        elif before != (deadline.trigger_date, deadline.due, deadline.act_by, deadline.given)[: len(before)]:
            result.changed.append(deadline)
        else:
            result.unchanged.append(deadline.key)
    result.cancelled.extend(key for key in stored if key not in seen)
    return result


def due_without_extension(
    rule: Rule, events: Mapping[CaseEvent, EventRecord], calendar: WorkingCalendar
) -> date | None:
    """The due date a rule's deadline has (or had) from its own trigger, before any extension moved it
    (e.g. the original completion date an extension notice names, 003 §4.1). None if not started."""
    event = events.get(rule.starts_on)
    if event is None or isinstance(rule.limit, BeforeRule):
        return None
    return _simple_dates(rule, event.on, calendar)[0].due
