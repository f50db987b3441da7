"""A lessons learned review (a multi-agency or single agency review) is not sent to Ofsted (001): the
publication copies are drafted for a serious case review only, unless the board adds those outcomes to its
copy of the pack (hackney-2017 `publication_copies`)."""

from __future__ import annotations

from datetime import date

import pytest

from cases.case import Decision
from cases.events import CaseEvent, Outcome
from notify.outbox import OutboxStatus
from tests.factories import CHAIR, REFERRER, STAFF, at, make_referral
from tests.notify.conftest import NotifyEnv

D = date


def copies(env: NotifyEnv) -> int:
    return len([m for m in env.outbox.list(statuses=[OutboxStatus.DRAFT]) if m.kind == "publication_copies"])


@pytest.mark.parametrize(("outcome", "drafted"), [(Outcome.SCR, 1), (Outcome.MULTI_AGENCY_REVIEW, 0)])
def test_publication_copies_only_for_a_serious_case_review(env: NotifyEnv, outcome: Outcome, drafted: int) -> None:
    cases = env.store.cases
    ref = cases.file_referral(make_referral(D(2026, 12, 14)), actor=REFERRER, now=at(D(2026, 12, 14))).reference
    cases.record_decision(
        ref, Decision(outcome=outcome, decided_on=D(2026, 12, 22)), actor=CHAIR, now=at(D(2026, 12, 22))
    )
    cases.record_event(ref, CaseEvent.PUBLICATION_PLANNED, D(2027, 9, 30), actor=STAFF, now=at(D(2027, 9, 1)))
    assert copies(env) == drafted


def test_a_revised_outcome_stops_the_copies_being_drafted_again(env: NotifyEnv) -> None:
    cases = env.store.cases
    ref = cases.file_referral(make_referral(D(2026, 12, 14)), actor=REFERRER, now=at(D(2026, 12, 14))).reference
    cases.record_decision(
        ref, Decision(outcome=Outcome.SCR, decided_on=D(2026, 12, 22)), actor=CHAIR, now=at(D(2026, 12, 22))
    )
    cases.record_event(ref, CaseEvent.PUBLICATION_PLANNED, D(2027, 9, 30), actor=STAFF, now=at(D(2026, 12, 23)))
    assert copies(env) == 1
    revised = Decision(outcome=Outcome.MULTI_AGENCY_REVIEW, decided_on=D(2026, 12, 22))
    cases.record_decision(ref, revised, actor=CHAIR, now=at(D(2026, 12, 23), 14))
    # The date moves: the copies' deadline no longer applies (cancelled), so nothing is drafted anew.
    cases.record_event(ref, CaseEvent.PUBLICATION_PLANNED, D(2027, 10, 14), actor=STAFF, now=at(D(2026, 12, 24)))
    drafted = [m for m in env.outbox.list(statuses=[OutboxStatus.DRAFT]) if m.kind == "publication_copies"]
    assert drafted == []
