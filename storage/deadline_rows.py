"""A stored deadline row to the domain's Deadline: from an ORM row (storage/tables) or a Core result row
(storage/case_listing.py) alike, as both name the columns the same way."""

from __future__ import annotations

from datetime import date
from typing import Protocol

from cases.case import Deadline, DeadlineState
from cases.computed_deadline import ComputedDeadline
from cases.events import CaseEvent


class DeadlineColumns(Protocol):
    """The columns of the `deadlines` table a Deadline is read from."""

    @property
    def rule_id(self) -> str: ...
    @property
    def trigger_event(self) -> str: ...
    @property
    def trigger_date(self) -> date: ...
    @property
    def due(self) -> date: ...
    @property
    def act_by(self) -> date: ...
    @property
    def limit_text(self) -> str: ...
    @property
    def action(self) -> str: ...
    @property
    def who(self) -> str: ...
    @property
    def rule_text(self) -> str: ...
    @property
    def source(self) -> str: ...
    @property
    def agency_id(self) -> str: ...
    @property
    def occurrence(self) -> int: ...
    @property
    def per_agency(self) -> bool: ...
    @property
    def minimum_period(self) -> bool: ...
    @property
    def due_given(self) -> date | None: ...
    @property
    def state(self) -> str: ...
    @property
    def met_on(self) -> date | None: ...


def deadline(row: DeadlineColumns) -> Deadline:
    return Deadline(
        computed=ComputedDeadline(
            rule=row.rule_id,
            trigger_event=CaseEvent(row.trigger_event),
            trigger_date=row.trigger_date,
            due=row.due,
            act_by=row.act_by,
            limit=row.limit_text,
            action=row.action,
            who=row.who,
            text=row.rule_text,
            source=row.source,
            agency=row.agency_id or None,
            occurrence=row.occurrence,
            per_agency=bool(row.per_agency),
            minimum_period=bool(row.minimum_period),
            given=row.due_given is not None,
        ),
        state=DeadlineState(row.state),
        met_on=row.met_on,
    )
