"""A recurring duty without an end date (`every_months` with `until`, e.g. the action plan's quarterly progress
reports until every action is complete, 003 §7.2-7.3): once an occurrence is marked, the next one appears and
is announced, so a pack may draft its message again. Pure."""

from __future__ import annotations

from datetime import datetime

from cases.calendar import WorkingCalendar
from cases.deadline_ledger import DeadlineLedger
from cases.domain_events import RecurringDutyDue
from cases.rules import EveryMonths
from cases.snapshot import CaseSnapshot


def recur(
    case: CaseSnapshot, deadlines: DeadlineLedger, calendar: WorkingCalendar, rule_id: str, now: datetime
) -> tuple[RecurringDutyDue, ...]:
    """After `rule_id` was marked: the next occurrences computed, each announced (none for another rule)."""
    rule = next((r for r in case.pack.rules if r.id == rule_id), None)
    if rule is None or not isinstance(rule.limit, EveryMonths) or rule.limit.until is None:
        return ()
    deadlines.recompute(case, calendar, events=case.events, agencies=case.agencies, facts=case.facts)
    return tuple(
        RecurringDutyDue(case.board_id, case.case_id, case.reference, now, key.rule, key.occurrence)
        for key in deadlines.added
        if key.rule == rule_id
    )
