"""The decision record: dated once made, never before the referral it decides on."""

from __future__ import annotations

from datetime import date

import pytest

from cases.case import Decision
from cases.events import Outcome

RECEIVED = date(2026, 11, 20)
TODAY = date(2026, 11, 22)


@pytest.mark.parametrize(
    ("decided_on", "problem"),
    [
        (date(2026, 11, 22), None),  # today
        (date(2026, 11, 20), None),  # the day the referral arrived
        (date(2026, 11, 23), "2026-11-23 is in the future"),
        (date(2027, 1, 4), "2027-01-04 is in the future"),
        (date(2026, 11, 19), "before the referral was received (2026-11-20)"),
    ],
)
def test_decision_date_problems_name_the_field(decided_on: date, problem: str | None) -> None:
    problems = Decision(outcome=Outcome.SCR, decided_on=decided_on).date_problems(
        referral_received=RECEIVED, today=TODAY
    )
    if problem is None:
        assert problems == []
    else:
        [found] = problems
        assert found.field == "decided_on" and found.label == "Date of the decision"
        assert problem in found.message
