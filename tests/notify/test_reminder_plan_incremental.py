"""An agency's confirmation re-plans only what it can change (notify/reminder_plan.py `plan_agency`); the
reminder rows must still be exactly those a re-plan of the whole case (`plan_case`) would leave.

After each step that publishes a domain event, the case's reminder rows are read, the whole case is
re-planned inside a savepoint, read again and rolled back: the two readings must be equal. All steps of a
sequence happen on one day (drawn per sequence): the ladder depends on the planning day (an overdue
deadline re-planned on a later day gets that day's overdue rung, which is the sweep's rolling job, not the
event's), so comparing plans made on different days would compare days, not planners.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.board import BoardConfig
from cases.calendar import local_date
from cases.case import Decision, Involvement
from cases.events import CaseEvent, Outcome
from errors import Conflict
from notify.reminder_planner import ReminderPlanner
from storage.store import Store
from storage.tables import DeadlineRow, ReminderRow
from tests.factories import CHAIR, REFERRER, STAFF, make_board, make_referral

FIRST_DAY = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a Monday, three days after the referral date
AGENCIES = ("police", "health", "school")


@pytest.fixture
def board() -> BoardConfig:
    """The test board with the school outside the sub-group, so it can be added to a case later."""
    plain = make_board()
    agencies = [a.model_copy(update={"subgroup": a.id != "school"}) for a in plain.agencies]
    return plain.model_copy(update={"agencies": agencies})


@dataclass(frozen=True)
class Confirm:
    agency: str
    involvement: Involvement | None
    records_secured: bool | None


@dataclass(frozen=True)
class Meeting:
    days_after_referral: int


@dataclass(frozen=True)
class Decide:
    outcome: Outcome
    days_after_referral: int


@dataclass(frozen=True)
class AddAgency:
    agency: str


Step = Confirm | Meeting | Decide | AddAgency

REFERRAL_DATE = date(2026, 11, 20)

steps = st.one_of(
    st.builds(
        Confirm,
        st.sampled_from(AGENCIES),
        st.sampled_from([None, Involvement.KNOWN, Involvement.NOT_KNOWN]),
        st.sampled_from([None, True, False]),
    ),
    st.builds(Meeting, st.integers(1, 30)),
    st.builds(Decide, st.sampled_from(list(Outcome)), st.integers(1, 40)),
    st.just(AddAgency("school")),
)

_COMPARED = (
    ReminderRow.key,
    ReminderRow.state,
    ReminderRow.rule_id,
    ReminderRow.agency_id,
    ReminderRow.rung,
    ReminderRow.audience,
    ReminderRow.act_by,
    ReminderRow.remind_on,
    ReminderRow.due_at,
    ReminderRow.late,
)


def _rows(s: Session, case_id: str) -> dict[str, tuple[Any, ...]]:
    return {row[0]: tuple(row[1:]) for row in s.execute(select(*_COMPARED).where(ReminderRow.case_id == case_id))}


def _deadlines(s: Session, case_id: str) -> set[tuple[Any, ...]]:
    columns = (
        DeadlineRow.rule_id,
        DeadlineRow.agency_id,
        DeadlineRow.occurrence,
        DeadlineRow.state,
        DeadlineRow.trigger_date,
        DeadlineRow.due,
        DeadlineRow.act_by,
    )
    return {tuple(row) for row in s.execute(select(*columns).where(DeadlineRow.case_id == case_id))}


def _apply(store: Store, reference: str, step: Step, now: datetime) -> bool:
    """Do one step; whether it published a domain event (and so ran the planner)."""
    cases = store.cases
    if isinstance(step, Confirm):
        try:
            cases.confirm_agency(
                reference,
                step.agency,
                actor=STAFF,
                now=now,
                involvement=step.involvement,
                records_secured=step.records_secured,
            )
        except LookupError:  # the school is not asked about the case until it is added
            return False
    elif isinstance(step, Meeting):
        on = REFERRAL_DATE + timedelta(days=step.days_after_referral)
        cases.record_event(reference, CaseEvent.SUBGROUP_MEETING_SCHEDULED, on, actor=STAFF, now=now)
    elif isinstance(step, Decide):
        # A decision is recorded once made: never dated after today.
        on = min(REFERRAL_DATE + timedelta(days=step.days_after_referral), local_date(now))
        cases.record_decision(reference, Decision(outcome=step.outcome, decided_on=on), actor=CHAIR, now=now)
    else:
        try:
            cases.add_agency(reference, step.agency, actor=STAFF, now=now)
        except Conflict:  # added twice: refused, nothing changes
            return False
        return False  # no domain event: the reminder catch-up plans it (or the case's next event)
    return True


def _check_sequence(store: Store, planner: ReminderPlanner, day: int, sequence: list[Step]) -> None:
    start = FIRST_DAY + timedelta(days=day)
    filed = store.cases.file_referral(make_referral(), actor=REFERRER, now=start)
    for i, step in enumerate(sequence, start=1):
        now = start + timedelta(minutes=i)
        if not _apply(store, filed.reference, step, now):
            continue
        with store.sessions.begin() as s:
            incremental = _rows(s, filed.case_id)
            deadlines = _deadlines(s, filed.case_id)
            with s.begin_nested() as savepoint:
                # The store skips re-computing deadlines when an answer cannot change them: check it.
                store.cases.recompute_deadlines(filed.reference, now=now, session=s)
                s.flush()
                recomputed = _deadlines(s, filed.case_id)
                planner.plan_case(s, filed.case_id, now=now)
                full = _rows(s, filed.case_id)
                savepoint.rollback()
        assert deadlines == recomputed, f"after step {i} ({step}) the deadlines are not what the events give"
        assert incremental, "a case with open deadlines has reminders"
        assert incremental == full, f"after step {i} ({step}) incremental planning differs from a full re-plan"


@pytest.fixture
def planned(store: Store) -> tuple[Store, ReminderPlanner]:
    planner = ReminderPlanner(store.board, store.calendar)
    store.cases.subscribe(planner)
    return store, planner


# Table-driven: the sequences a board sees most, each on a day before and a day after the deadlines fall.
SEQUENCES: dict[str, list[Step]] = {
    "records secured one by one": [Confirm(a, None, True) for a in ("police", "health")],
    "involvement then records": [
        Confirm("police", Involvement.KNOWN, None),
        Confirm("health", Involvement.NOT_KNOWN, True),
        Confirm("police", None, True),
    ],
    "decision then confirmations change review deadlines": [
        Decide(Outcome.SCR, 10),
        Confirm("health", Involvement.NOT_KNOWN, None),
        Confirm("police", Involvement.KNOWN, True),
        Confirm("health", Involvement.KNOWN, None),
    ],
    "agency added, then another agency replies": [
        AddAgency("school"),
        Confirm("police", None, True),
        Confirm("school", Involvement.KNOWN, True),
    ],
    "records secured withdrawn and the meeting moved": [
        Confirm("police", None, True),
        Confirm("police", None, False),
        Meeting(12),
        Confirm("health", Involvement.KNOWN, None),
        Meeting(25),
    ],
}


@pytest.mark.parametrize("day", [0, 30])
@pytest.mark.parametrize("name", sorted(SEQUENCES))
def test_incremental_planning_equals_a_full_re_plan(
    planned: tuple[Store, ReminderPlanner], name: str, day: int
) -> None:
    store, planner = planned
    _check_sequence(store, planner, day, SEQUENCES[name])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(day=st.integers(0, 60), sequence=st.lists(steps, min_size=1, max_size=8))
@example(day=0, sequence=[AddAgency("school"), Confirm("health", None, True)])
def test_incremental_planning_equals_a_full_re_plan_for_any_sequence(
    planned: tuple[Store, ReminderPlanner], day: int, sequence: list[Step]
) -> None:
    store, planner = planned
    _check_sequence(store, planner, day, sequence)


def test_a_confirmation_rewrites_only_that_agencys_reminders(planned: tuple[Store, ReminderPlanner]) -> None:
    """The point of it: another agency's (and the board's) reminder rows are not touched."""
    store, _planner = planned
    filed = store.cases.file_referral(make_referral(), actor=REFERRER, now=FIRST_DAY)
    later = FIRST_DAY + timedelta(minutes=5)
    store.cases.confirm_agency(filed.reference, "police", actor=STAFF, now=later, records_secured=True)
    with store.sessions() as s:
        touched = {
            (rule, agency)
            for rule, agency in s.execute(
                select(ReminderRow.rule_id, ReminderRow.agency_id).where(
                    ReminderRow.case_id == filed.case_id, ReminderRow.updated_at >= later
                )
            )
        }
    assert touched == {("records_secured", "police")}
