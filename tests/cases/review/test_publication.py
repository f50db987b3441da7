"""Publication control (cases/review/publication.py): held while proceedings are open unless the chair decides
otherwise, never before the copies have had 7 working days (004 §10.4-10.5)."""

from __future__ import annotations

from datetime import date

import pytest

from cases.actor import Actor
from cases.calendar import WorkingCalendar
from cases.commands import RecordEvent
from cases.events import CaseEvent
from cases.personal_data import CaseFacts
from cases.review.publication import (
    Proceeding,
    ProceedingRecord,
    Publication,
    end,
    plan,
    publish,
    publish_anyway,
    start,
    withhold,
)
from errors import BadInput, Conflict, Refused
from tests.factories import BUSINESS_UNIT, CHAIR, make_referral

ENGLAND = WorkingCalendar.england()
TODAY = date(2027, 6, 1)
CRIMINAL = ProceedingRecord(Proceeding.CRIMINAL, from_referral=True)
HELD = Publication(planned_on=date(2027, 7, 1), proceedings=(CRIMINAL,))
FACTS = CaseFacts.from_referral(make_referral())  # Zephyrine Quillon Marchbanks-Tovey, ...


@pytest.mark.parametrize(
    ("publication", "held", "state"),
    [
        (Publication(), False, "not planned"),
        (Publication(planned_on=date(2027, 7, 1)), False, "planned"),
        (HELD, True, "held: criminal proceedings open"),
        (Publication(proceedings=(ProceedingRecord(Proceeding.CORONER, ended_on=TODAY),)), False, "not planned"),
        (Publication(proceedings=(CRIMINAL,), publish_anyway_on=TODAY), False, "not planned"),
        (Publication(published_on=TODAY), False, "published"),
    ],
)
def test_when_publication_is_held(publication: Publication, held: bool, state: str) -> None:
    assert (publication.held, publication.state) == (held, state)


def test_planning_records_the_event_that_starts_the_copies_deadline() -> None:
    outcome = plan(Publication(), on=date(2027, 7, 1), today=TODAY)
    assert outcome.event == RecordEvent(CaseEvent.PUBLICATION_PLANNED, date(2027, 7, 1))
    with pytest.raises(BadInput):
        plan(Publication(), on=TODAY, today=TODAY)


@pytest.mark.parametrize(
    ("copies", "on", "allowed"),
    [
        (date(2027, 6, 1), date(2027, 6, 10), True),  # Tue 1 Jun + 7 working days = Thu 10 Jun
        (date(2027, 6, 1), date(2027, 6, 9), False),
        (None, date(2027, 6, 10), False),
    ],
)
def test_publication_waits_seven_working_days_after_the_copies(copies: date | None, on: date, allowed: bool) -> None:
    planned = Publication(planned_on=on)
    if allowed:
        outcome = publish(planned, on=on, copies_sent_on=copies, calendar=ENGLAND)
        assert outcome.event == RecordEvent(CaseEvent.REPORT_PUBLISHED, on)
        assert outcome.publication.state == "published"
    else:
        with pytest.raises(Conflict):
            publish(planned, on=on, copies_sent_on=copies, calendar=ENGLAND)


def test_a_hold_until_the_proceedings_end_or_the_chair_decides() -> None:
    with pytest.raises(Refused, match="held while criminal proceedings are open"):
        publish(HELD, on=date(2027, 7, 1), copies_sent_on=TODAY, calendar=ENGLAND)
    with pytest.raises(Refused):
        publish_anyway(HELD, actor=BUSINESS_UNIT, reason="trial adjourned", on=TODAY)
    with pytest.raises(BadInput):
        publish_anyway(HELD, actor=CHAIR, reason=" ", on=TODAY)
    released = publish_anyway(HELD, actor=CHAIR, reason="trial adjourned", on=TODAY)
    assert not released.publication.held and "trial" not in repr(released.audit)
    assert publish(released.publication, on=date(2027, 7, 1), copies_sent_on=TODAY, calendar=ENGLAND).event
    ended = end(HELD, Proceeding.CRIMINAL, on=TODAY).publication
    assert not ended.held and ended.proceedings[0].ended_on == TODAY
    with pytest.raises(Conflict):
        publish_anyway(ended, actor=CHAIR, reason="why", on=TODAY)
    with pytest.raises(Conflict):
        end(ended, Proceeding.CRIMINAL, on=TODAY)


def test_disciplinary_proceedings_recorded_as_they_start_and_end() -> None:
    started = start(Publication(), Proceeding.DISCIPLINARY, on=TODAY).publication
    assert started.held and started.open_proceedings == [Proceeding.DISCIPLINARY]
    with pytest.raises(Conflict):
        start(started, Proceeding.DISCIPLINARY, on=TODAY)
    assert not end(started, Proceeding.DISCIPLINARY, on=TODAY).publication.held


def test_the_decision_not_to_publish_carries_its_words_and_records_the_event() -> None:
    outcome, words = withhold(
        HELD, actor=CHAIR, reasons=" the trial\n is to come ", improvements="a shared protocol", facts=FACTS, on=TODAY
    )
    assert words == {"reasons": "the trial is to come", "improvements": "a shared protocol"}
    assert outcome.event == RecordEvent(CaseEvent.PUBLICATION_WITHHELD, TODAY)
    assert (outcome.audit.action, dict(outcome.audit.detail)) == ("publication.withheld", {"on": TODAY})
    assert "trial" not in str(outcome.audit.detail)


@pytest.mark.parametrize(
    ("publication", "actor", "reasons", "improvements", "refused", "says"),
    [
        (HELD, BUSINESS_UNIT, "why", "what", Refused, "only the chair"),
        (HELD, CHAIR, " ", "what", BadInput, "give the reasons"),
        (HELD, CHAIR, "why", "", BadInput, "give the improvements"),
        (HELD, CHAIR, "Zephyrine would be known", "what", BadInput, "reasons hold the case's personal data"),
        (HELD, CHAIR, "why", "the Marchbanks-Toveys' nursery", BadInput, "improvements hold"),
        (Publication(published_on=TODAY), CHAIR, "why", "what", Conflict, "was published"),
    ],
)  # fmt: skip
def test_the_decision_not_to_publish_refused(
    publication: Publication, actor: Actor, reasons: str, improvements: str, refused: type[Exception], says: str
) -> None:
    with pytest.raises(refused, match=says):
        withhold(publication, actor=actor, reasons=reasons, improvements=improvements, facts=FACTS, on=TODAY)
