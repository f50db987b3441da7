"""The case store against real SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest

from bot.clock import FixedClock
from cases.actor import PermissionDenied
from cases.case import DeadlineState, Decision, Involvement
from cases.commands import GiveDue, MeetBy
from cases.events import CaseEvent, CaseStatus, Outcome
from cases.problems import InvalidInput
from cases.rules import MetBy
from storage.store import Store
from tests.factories import OTHER_REFERRER, REFERRER, STAFF, at, make_referral


def test_filing_creates_case_deadlines_and_confirmations(store: Store, clock: FixedClock) -> None:
    filed = store.cases.file_referral(make_referral(), actor=REFERRER, now=clock.now())
    assert filed.reference == "SCR-2026-0001"
    case = store.cases.get_case(filed.reference, actor=STAFF, now=clock.now())
    assert case.status is CaseStatus.REFERRED
    assert case.referral is not None and case.referral.child.forenames == "Zephyrine Quillon"
    assert [c.agency_id for c in case.confirmations] == ["health", "police", "school"]
    rules = {(d.computed.rule, d.computed.agency) for d in case.deadlines}
    assert ("records_secured", "police") in rules
    assert ("chair_decision", None) in rules
    assert ("ofsted_incident_notification", None) in rules  # the LA became aware: la_aware_date given


def test_second_referral_for_same_child_is_flagged(store: Store, clock: FixedClock) -> None:
    first = store.cases.file_referral(make_referral(), actor=REFERRER, now=clock.now())
    renamed = make_referral(**{"child.forenames": "  zephyrine   QUILLON ", "child.last_name": "marchbanks tovey"})
    second = store.cases.file_referral(renamed, actor=REFERRER, now=clock.now())
    assert second.possible_duplicates == [first.reference]
    other_child = store.cases.file_referral(
        make_referral(**{"child.date_of_birth": "2024-03-10"}), actor=REFERRER, now=clock.now()
    )
    assert other_child.possible_duplicates == []


def test_referrer_sees_only_own_referrals_and_refusals_are_audited(store: Store, clock: FixedClock) -> None:
    filed = store.cases.file_referral(make_referral(), actor=REFERRER, now=clock.now())
    assert store.cases.get_case(filed.reference, actor=REFERRER, now=clock.now()).reference == filed.reference
    with pytest.raises(PermissionDenied):
        store.cases.get_case(filed.reference, actor=OTHER_REFERRER, now=clock.now())
    with store.sessions() as s:
        actions = [e.action for e in store.audit.entries(s, case_ref=filed.reference)]
    assert actions == ["referral.filed", "case.viewed", "case.access_refused"]
    assert [c.reference for c in store.cases.list_cases(today=date(2026, 11, 22), actor=OTHER_REFERRER)] == []


def test_decision_starts_its_clocks_and_meets_chair_decision(store: Store, clock: FixedClock) -> None:
    filed = store.cases.file_referral(make_referral(), actor=REFERRER, now=clock.now())
    deadlines = store.cases.record_decision(
        filed.reference,
        Decision(outcome=Outcome.SCR, decided_on=date(2026, 12, 22)),
        actor=STAFF,
        now=at(date(2026, 12, 22)),
    )
    by_rule = {d.computed.rule: d for d in deadlines if d.computed.agency is None}
    assert by_rule["statutory_decision_notification"].computed.due == date(2026, 12, 31)
    assert by_rule["chair_decision"].state is DeadlineState.MET
    assert by_rule["chair_decision"].met_on == date(2026, 12, 22)


def test_changing_the_outcome_cancels_and_reopens_scr_deadlines(store: Store, clock: FixedClock) -> None:
    filed = store.cases.file_referral(make_referral(), actor=REFERRER, now=clock.now())
    decide = store.cases.record_decision
    decided = at(date(2026, 12, 1))
    decide(filed.reference, Decision(outcome=Outcome.SCR, decided_on=date(2026, 12, 1)), actor=STAFF, now=decided)
    after = decide(
        filed.reference, Decision(outcome=Outcome.NO_REVIEW, decided_on=date(2026, 12, 1)), actor=STAFF, now=decided
    )
    assert {d.state for d in after if d.computed.rule == "scoping_meeting"} == {DeadlineState.CANCELLED}
    again = decide(
        filed.reference, Decision(outcome=Outcome.SCR, decided_on=date(2026, 12, 1)), actor=STAFF, now=decided
    )
    assert {d.state for d in again if d.computed.rule == "scoping_meeting"} == {DeadlineState.OPEN}


def test_correcting_a_trigger_date_moves_its_deadlines_and_keeps_met_ones(store: Store, clock: FixedClock) -> None:
    filed = store.cases.file_referral(make_referral(), actor=REFERRER, now=clock.now())
    store.cases.confirm_agency(
        filed.reference, "police", actor=STAFF, now=clock.now(), records_secured=True, secured_on=date(2026, 11, 21)
    )
    deadlines = store.cases.record_event(
        filed.reference, CaseEvent.INCIDENT_AWARE, date(2026, 11, 18), actor=STAFF, now=clock.now()
    )
    ofsted = next(d for d in deadlines if d.computed.rule == "ofsted_incident_notification")
    assert (ofsted.computed.trigger_date, ofsted.computed.due) == (date(2026, 11, 18), date(2026, 11, 25))
    police = next(d for d in deadlines if d.computed.rule == "records_secured" and d.computed.agency == "police")
    assert police.state is DeadlineState.MET


def test_agency_confirmation_meets_its_deadlines(store: Store, clock: FixedClock) -> None:
    filed = store.cases.file_referral(make_referral(), actor=REFERRER, now=clock.now())
    store.cases.confirm_agency(
        filed.reference,
        "health",
        actor=STAFF,
        now=clock.now(),
        involvement=Involvement.NOT_KNOWN,
        records_secured=True,
        secured_on=date(2026, 11, 22),
        secured_by="Named Nurse",
    )
    case = store.cases.get_case(filed.reference, actor=STAFF, now=clock.now())
    health = next(c for c in case.confirmations if c.agency_id == "health")
    assert (health.records_secured, health.secured_by, health.involvement) == (
        True,
        "Named Nurse",
        Involvement.NOT_KNOWN,
    )
    states = {(d.computed.rule, d.computed.agency): d.state for d in case.deadlines}
    assert states[("records_secured", "health")] is DeadlineState.MET
    assert states[("agency_involvement_check", "health")] is DeadlineState.MET
    assert states[("records_secured", "police")] is DeadlineState.OPEN
    summary = store.cases.list_cases(today=date(2026, 11, 22))[0]
    assert summary.agencies_not_confirmed == ["police", "school"]


def test_a_decision_dated_in_the_future_is_refused_and_changes_nothing(store: Store, clock: FixedClock) -> None:
    filed = store.cases.file_referral(make_referral(), actor=REFERRER, now=clock.now())
    with pytest.raises(InvalidInput, match="Date of the decision"):
        store.cases.record_decision(
            filed.reference, Decision(outcome=Outcome.SCR, decided_on=date(2026, 11, 23)), actor=STAFF, now=clock.now()
        )
    case = store.cases.get_case(filed.reference, actor=STAFF, now=clock.now())
    assert case.decision is None and case.status is CaseStatus.REFERRED


def test_a_given_due_date_is_stored_and_kept_when_the_deadlines_are_recomputed(store: Store, clock: FixedClock) -> None:
    filed = store.cases.file_referral(make_referral(), actor=REFERRER, now=clock.now())
    decided_on = date(2026, 12, 22)
    store.cases.record_decision(
        filed.reference, Decision(outcome=Outcome.SCR, decided_on=decided_on), actor=STAFF, now=at(decided_on)
    )
    agency = next(
        d.computed.agency
        for d in store.cases.get_case(filed.reference, actor=STAFF, now=at(decided_on)).deadlines
        if d.computed.rule == "imr_submitted"
    )
    assert agency is not None
    store.cases.run(
        filed.reference,
        GiveDue(MetBy.AGENCY_REPORT_ACCEPTED, date(2027, 3, 1), agency),
        actor=STAFF,
        now=at(decided_on),
    )
    store.cases.recompute_deadlines(filed.reference, now=at(decided_on))
    imr = next(
        d
        for d in store.cases.get_case(filed.reference, actor=STAFF, now=at(decided_on)).deadlines
        if d.computed.rule == "imr_submitted" and d.computed.agency == agency
    )
    assert (imr.computed.due, imr.computed.given, imr.state) == (date(2027, 3, 1), True, DeadlineState.OPEN)
    store.cases.run(
        filed.reference,
        MeetBy(MetBy.AGENCY_REPORT_ACCEPTED, date(2027, 2, 20), agency),
        actor=STAFF,
        now=at(decided_on),
    )
    imr = next(
        d
        for d in store.cases.get_case(filed.reference, actor=STAFF, now=at(decided_on)).deadlines
        if d.computed.rule == "imr_submitted" and d.computed.agency == agency
    )
    assert (imr.state, imr.met_on) == (DeadlineState.MET, date(2027, 2, 20))
