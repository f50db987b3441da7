"""Red / amber / green as the business unit reads them, the lifecycle's moves, roles, three-valued answers."""

from __future__ import annotations

from datetime import date

import pytest

from cases.actor import SYSTEM, Actor, Role
from cases.answers import Answer
from cases.calendar import WorkingCalendar
from cases.case import Deadline, DeadlineState
from cases.events import CaseEvent, CaseStatus, allowed_moves, can_move
from cases.status import Rag, rag, worst
from cases.timeline import ComputedDeadline

CAL = WorkingCalendar.england()
ACT_BY = date(2026, 12, 11)  # a Friday


def deadline(state: DeadlineState = DeadlineState.OPEN, *, minimum_period: bool = False) -> Deadline:
    computed = ComputedDeadline(
        rule="r",
        trigger_event=CaseEvent.REFERRAL_RECEIVED,
        trigger_date=date(2026, 12, 4),
        due=ACT_BY,
        act_by=ACT_BY,
        limit="5 working days",
        action="a",
        who="w",
        text="t",
        source="s",
        minimum_period=minimum_period,
    )
    return Deadline(computed, state)


@pytest.mark.parametrize(
    ("today", "state", "minimum_period", "amber", "expected"),
    [
        (date(2026, 12, 14), DeadlineState.OPEN, False, 3, Rag.RED),  # past act_by
        (date(2026, 12, 12), DeadlineState.OPEN, False, 3, Rag.RED),  # the day after
        (ACT_BY, DeadlineState.OPEN, False, 3, Rag.AMBER),  # on the day: not late yet
        (date(2026, 12, 8), DeadlineState.OPEN, False, 3, Rag.AMBER),  # 3 working days before
        (date(2026, 12, 7), DeadlineState.OPEN, False, 3, Rag.GREEN),  # 4 working days before
        (date(2026, 12, 7), DeadlineState.OPEN, False, 4, Rag.AMBER),  # the board's wider window
        (date(2026, 12, 5), DeadlineState.OPEN, False, 5, Rag.AMBER),  # Saturday: Mon to Fri to go
        (date(2026, 12, 5), DeadlineState.OPEN, False, 4, Rag.GREEN),
        (date(2026, 12, 8), DeadlineState.OPEN, True, 3, Rag.GREEN),  # a minimum period is not chased
        (date(2026, 12, 14), DeadlineState.OPEN, True, 3, Rag.RED),
        (date(2026, 12, 14), DeadlineState.MET, False, 3, Rag.DONE),
        (date(2026, 12, 14), DeadlineState.CANCELLED, False, 3, Rag.DONE),
        (date(2026, 12, 14), DeadlineState.NOT_APPLICABLE, False, 3, Rag.DONE),
    ],
)
def test_rag(today: date, state: DeadlineState, minimum_period: bool, amber: int, expected: Rag) -> None:
    assert rag(deadline(state, minimum_period=minimum_period), today, CAL, amber_working_days=amber) is expected


def test_rag_warns_three_working_days_ahead_by_default() -> None:
    assert rag(deadline(), date(2026, 12, 8), CAL) is Rag.AMBER
    assert rag(deadline(), date(2026, 12, 7), CAL) is Rag.GREEN


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ([Rag.GREEN, Rag.RED, Rag.AMBER], Rag.RED),
        ([Rag.DONE, Rag.AMBER, Rag.GREEN], Rag.AMBER),
        ([Rag.DONE, Rag.GREEN], Rag.GREEN),
        ([Rag.DONE], Rag.DONE),
        ([], Rag.DONE),
    ],
)
def test_worst(statuses: list[Rag], expected: Rag) -> None:
    assert worst(statuses) is expected


S = CaseStatus


@pytest.mark.parametrize(
    ("current", "moves"),
    [
        (S.REFERRED, [S.UNDER_CONSIDERATION, S.DECIDED, S.CLOSED]),
        (S.UNDER_CONSIDERATION, [S.DECIDED, S.CLOSED]),
        (S.DECIDED, [S.IN_REVIEW, S.MONITORING, S.CLOSED]),
        (S.IN_REVIEW, [S.REPORT_APPROVED, S.CLOSED]),
        (S.REPORT_APPROVED, [S.PUBLISHED, S.CLOSED]),
        (S.PUBLISHED, [S.MONITORING, S.CLOSED]),
        (S.MONITORING, [S.CLOSED]),
        (S.CLOSED, []),
    ],
)
def test_the_lifecycle_moves(current: CaseStatus, moves: list[CaseStatus]) -> None:
    assert allowed_moves(current) == moves
    assert [target for target in CaseStatus if can_move(current, target)] == sorted(moves, key=list(CaseStatus).index)


@pytest.mark.parametrize(
    ("roles", "staff", "chair_decides", "subgroup_decides"),
    [
        ({Role.REFERRER}, False, False, False),
        ({Role.BUSINESS_UNIT}, True, False, True),
        ({Role.CHAIR}, True, True, True),
        ({Role.ADMIN}, True, True, True),
        ({Role.REFERRER, Role.CHAIR}, True, True, True),
    ],
)
def test_what_each_role_may_do(roles: set[Role], staff: bool, chair_decides: bool, subgroup_decides: bool) -> None:
    actor = Actor("slack:U1", frozenset(roles))
    assert actor.is_staff is staff
    assert actor.can_record_decision("chair") is chair_decides
    assert actor.can_record_decision("subgroup") is subgroup_decides
    assert actor.can_view_case("slack:U1") is True  # their own referral
    assert actor.can_view_case("slack:U2") is staff  # anyone else's: staff only


def test_an_actor_is_a_referrer_unless_told_otherwise() -> None:
    assert Actor("cli:x").roles == frozenset({Role.REFERRER})
    assert (SYSTEM.id, SYSTEM.has(Role.ADMIN), SYSTEM.has(Role.CHAIR)) == ("system:scrbot", True, False)


Y, N, U = Answer.YES, Answer.NO, Answer.UNKNOWN


@pytest.mark.parametrize(
    ("answers", "all_of", "any_of"),
    [
        ([Y, Y], Y, Y),
        ([Y, N], N, Y),
        ([N, N], N, N),
        ([Y, U], U, Y),
        ([N, U], N, U),
        ([U, U], U, U),
        ([], Y, N),  # the empty AND is true, the empty OR false
    ],
)
def test_kleene_and_or(answers: list[Answer], all_of: Answer, any_of: Answer) -> None:
    assert Answer.all_of(iter(answers)) is all_of
    assert Answer.any_of(iter(answers)) is any_of
