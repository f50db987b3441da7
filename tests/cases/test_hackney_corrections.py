"""hackney-2017 checked against its seeds, clause by clause (issue: the pack corrected): each rule's actor,
reach and source, and the board's choices stated in its note (shown by `scrbot deadlines` and the README)."""

from __future__ import annotations

from datetime import date

import pytest

from cases.calendar import WorkingCalendar
from cases.events import CaseEvent, Outcome
from cases.packs import bundled_pack
from cases.timeline import AgencyScope, EventRecord, compute_deadlines

HACKNEY = bundled_pack("hackney-2017")


@pytest.mark.parametrize(
    ("rule", "who", "per_agency", "source", "note"),
    [
        ("records_secured", "Each agency", True, "004 §5.6, 003 §5.1", "stricter start"),
        ("chief_officer_letters", "Chair of the board", False, "004 §7.1", "board's default"),
        ("extension_notice", "Chair of the board", False, "003 §4.1", "board's default"),
        ("cqc_notification", "CCG (now the Integrated Care Board)", False, "002 §3.3", ""),
        ("hmicfrs_notification", "Police", False, "004 §5.7", "one month"),
        ("imr_briefing", "Each agency's lead officer", True, "004 §7.3", ""),
        ("imr_submitted", "Each agency", True, "004 §7.3", "002 §3.7 and 003 §5.2"),
        ("chair_decision", "Chair of the board", False, "003 §3.3", "decision_maker"),
        ("action_plan_update", "Business unit", False, "003 §7.2", "not for a fixed 12 months"),
        ("publication_copies", "Board", False, "001", "lessons learned review"),
        ("leder_alert", "Business unit", False, "004 §2.10-2.12", "not known"),
    ],
)
def test_each_corrected_rule(rule: str, who: str, per_agency: bool, source: str, note: str) -> None:
    found = HACKNEY.rule(rule)
    assert (found.who, found.per_agency) == (who, per_agency)
    assert source in found.source
    assert note in found.note


@pytest.mark.parametrize(
    ("outcome", "copies"),
    [(Outcome.SCR, True), (Outcome.MULTI_AGENCY_REVIEW, False), (Outcome.SINGLE_AGENCY_REVIEW, False)],
)
def test_a_lessons_learned_review_is_not_sent_to_ofsted(outcome: Outcome, copies: bool) -> None:
    events = {
        CaseEvent.DECISION_MADE: EventRecord(date(2027, 1, 11), outcome),
        CaseEvent.PUBLICATION_PLANNED: EventRecord(date(2027, 9, 30)),
    }
    rules = {d.rule for d in compute_deadlines(HACKNEY, events, WorkingCalendar.england())}
    assert ("publication_copies" in rules) is copies


def test_each_involved_agency_briefs_its_imr_author() -> None:
    events = {CaseEvent.DECISION_MADE: EventRecord(date(2027, 1, 11), Outcome.SCR)}
    scope = AgencyScope(subgroup=("police", "health", "school"), involved=("police", "health"))
    found = compute_deadlines(HACKNEY, events, WorkingCalendar.england(), agencies=scope)
    assert sorted((d.agency, d.due) for d in found if d.rule == "imr_briefing") == [
        ("health", date(2027, 1, 25)),  # two weeks from Mon 11 Jan
        ("police", date(2027, 1, 25)),
    ]
