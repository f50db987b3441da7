"""The action plan register (cases/review/action_plan.py): actions never carry the case's personal data; each
has its own deadline; the last one evidenced complete concludes the review (003 §7.2-7.3)."""

from __future__ import annotations

from datetime import date

import pytest

from cases.commands import GiveDue, MeetBy, RecordEvent
from cases.events import CaseEvent
from cases.personal_data import CaseFacts
from cases.review.action_plan import Action, add, complete, sign_up
from cases.rules import MetBy
from errors import BadInput, Conflict, NotFound
from tests.factories import make_referral

FACTS = CaseFacts.from_referral(make_referral())
TODAY = date(2027, 7, 1)
DUE = date(2027, 10, 1)


def added(actions: tuple[Action, ...] = (), **overrides: object) -> tuple[Action, ...]:
    fields: dict[str, object] = {
        "text": "Refresh multi-agency training on bruising in non-mobile babies",
        "owner_agency": "health",
        "owner_role": "Named nurse for safeguarding",
        "due": DUE,
        "measure": "90% of health visitors trained",
    } | overrides
    return add(actions, facts=FACTS, today=TODAY, **fields).actions  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("text", "Make sure Zephyrine's school is told"),  # the child's forename
        ("text", "Visit the Marchbanks-Toveys' home"),  # the family surname, possessive
        ("owner_role", "Philippa's social worker"),  # the mother's forename
        ("measure", "Checked at 17 Imaginary Crescent"),  # the address
        ("text", "   "),
    ],
)
def test_an_action_with_the_cases_personal_data_is_refused(field: str, value: str) -> None:
    with pytest.raises(BadInput) as refused:
        added(**{field: value})
    assert refused.value.field == field
    for word in ("Zephyrine", "Marchbanks", "Philippa", "Imaginary"):
        assert word not in str(refused.value)


def test_each_action_gets_its_number_and_its_own_deadline() -> None:
    first = add((), text="A", owner_agency="health", owner_role="R", due=DUE, measure="M", facts=FACTS, today=TODAY)
    assert first.deadlines == GiveDue(MetBy.ACTION_COMPLETED, DUE, "health", 1)
    second = add(
        first.actions, text="B", owner_agency="police", owner_role="R", due=DUE, measure="M", facts=FACTS, today=TODAY
    )
    assert [a.number for a in second.actions] == [1, 2] and second.deadlines.occurrence == 2  # type: ignore[union-attr]
    with pytest.raises(BadInput):
        add((), text="A", owner_agency="health", owner_role="R", due=TODAY, measure="M", facts=FACTS, today=TODAY)


def test_the_last_action_completed_concludes_the_review() -> None:
    actions = added(added())
    signed = sign_up(actions, 1, on=TODAY).actions
    assert signed[0].status(TODAY) == "signed up" and signed[1].status(TODAY) == "awaiting sign-up"
    assert signed[1].status(date(2027, 10, 2)) == "overdue"
    with pytest.raises(Conflict):
        sign_up(signed, 1, on=TODAY)
    one = complete(signed, 1, on=date(2027, 9, 1))
    assert one.deadlines == MeetBy(MetBy.ACTION_COMPLETED, date(2027, 9, 1), "health", 1)
    assert one.event is None and one.audit.detail["all_complete"] is False
    both = complete(one.actions, 2, on=date(2027, 9, 2))
    assert both.event == RecordEvent(CaseEvent.ACTIONS_COMPLETED, date(2027, 9, 2))
    with pytest.raises(Conflict):
        complete(both.actions, 2, on=TODAY)
    with pytest.raises(NotFound):
        complete(both.actions, 3, on=TODAY)
    assert "Refresh" not in repr(both.actions) + repr(both.audit)
