"""The case store writes each kind of change the case rules decide, on SQLite and on PostgreSQL: a case closed
(its open deadlines cancelled), a deadline marked, an agency added (and refused the second time), an agency's
"no records held" (its own state, no date), a request recorded as sent, deadlines recomputed; and what it
publishes reaches listeners inside the same transaction, with the audit entry."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.clock import FixedClock
from cases.case import DeadlineState, Involvement, RecordsState
from cases.domain_events import AgencyConfirmed, DomainEvent, StatusChanged
from cases.events import CaseStatus
from errors import Conflict
from storage.store import Store
from storage.tables import AgencyConfirmationRow, AuditRow, DeadlineRow
from tests.factories import REFERRER, STAFF, make_referral

NOW = FixedClock(datetime(2026, 11, 22, 10, 0, tzinfo=UTC)).now()


def states(store: Store, reference: str) -> dict[tuple[str, str | None], tuple[DeadlineState, date | None]]:
    case = store.cases.get_case(reference, actor=STAFF, now=NOW)
    return {
        (d.computed.rule, d.computed.agency): (d.state, d.met_on) for d in case.deadlines if d.computed.occurrence == 1
    }


def test_closing_a_case_cancels_its_open_deadlines_and_keeps_met_ones(store: Store, clock: FixedClock) -> None:
    filed = store.cases.file_referral(make_referral(), actor=REFERRER, now=clock.now())
    store.cases.confirm_agency(filed.reference, "police", actor=STAFF, now=clock.now(), records=RecordsState.SECURED)
    store.cases.move_status(filed.reference, CaseStatus.CLOSED, actor=STAFF, now=clock.now())
    after = states(store, filed.reference)
    assert after[("records_secured", "police")][0] is DeadlineState.MET
    assert {state for key, (state, _) in after.items() if key != ("records_secured", "police")} == {
        DeadlineState.CANCELLED
    }
    case = store.cases.get_case(filed.reference, actor=STAFF, now=clock.now())
    assert case.status is CaseStatus.CLOSED and case.closed_at == clock.now()


def test_marking_a_deadline_writes_its_state_and_date(store: Store, clock: FixedClock) -> None:
    filed = store.cases.file_referral(make_referral(), actor=REFERRER, now=clock.now())
    marked = store.cases.mark_deadline(
        filed.reference, "subgroup_meeting", actor=STAFF, now=clock.now(), on=date(2026, 11, 21)
    )
    assert (marked.state, marked.met_on) == (DeadlineState.MET, date(2026, 11, 21))
    reopen = DeadlineState.OPEN
    store.cases.mark_deadline(
        filed.reference, "subgroup_meeting", actor=STAFF, now=clock.now(), on=date(2026, 11, 21), state=reopen
    )
    assert states(store, filed.reference)[("subgroup_meeting", None)] == (DeadlineState.OPEN, None)


def test_an_agency_added_gets_its_deadlines_and_cannot_be_added_twice(store: Store, clock: FixedClock) -> None:
    agencies = tuple(a.model_copy(update={"subgroup": a.id != "school"}) for a in store.board.agencies)
    store.cases.board = store.board.model_copy(update={"agencies": agencies})  # the school is asked later
    filed = store.cases.file_referral(make_referral(), actor=REFERRER, now=clock.now())
    assert ("records_secured", "school") not in states(store, filed.reference)
    store.cases.add_agency(filed.reference, "school", actor=STAFF, now=clock.now())
    assert states(store, filed.reference)[("records_secured", "school")] == (DeadlineState.OPEN, None)
    with pytest.raises(Conflict, match="already asked"):
        store.cases.add_agency(filed.reference, "school", actor=STAFF, now=clock.now())
    with store.sessions() as s:
        school = AgencyConfirmationRow.agency_id == "school"
        count = s.scalar(select(func.count()).select_from(AgencyConfirmationRow).where(school))
    assert count == 1


def test_no_records_held_is_stored_as_its_own_state_without_a_date(store: Store, clock: FixedClock) -> None:
    filed = store.cases.file_referral(make_referral(), actor=REFERRER, now=clock.now())
    answered = store.cases.confirm_agency(
        filed.reference,
        "health",
        actor=STAFF,
        now=clock.now(),
        records=RecordsState.NO_RECORDS_HELD,
        secured_on=date(2026, 11, 21),  # the date of the answer, not of any securing
    )
    assert (answered.records, answered.secured_on, answered.involvement) == (
        RecordsState.NO_RECORDS_HELD,
        None,
        Involvement.NOT_KNOWN,  # counts as not involved unless it says otherwise
    )
    with store.sessions() as s:
        row = s.scalars(select(AgencyConfirmationRow).where(AgencyConfirmationRow.agency_id == "health")).one()
        assert (row.records, row.secured_on) == ("no_records_held", None)
    after = states(store, filed.reference)
    assert after[("records_secured", "health")] == (DeadlineState.MET, date(2026, 11, 21))
    assert after[("agency_involvement_check", "health")] == (DeadlineState.MET, clock.now().date())
    summary = store.cases.list_cases(today=clock.now().date())[0]
    assert "health" not in summary.agencies_not_confirmed and summary.agencies_no_records == ["health"]


def test_a_request_recorded_as_sent(store: Store, clock: FixedClock) -> None:
    filed = store.cases.file_referral(make_referral(), actor=REFERRER, now=clock.now())
    store.cases.mark_request_sent(filed.reference, "police", at=clock.now(), actor=STAFF)
    case = store.cases.get_case(filed.reference, actor=STAFF, now=clock.now())
    assert {c.agency_id: c.request_sent_at for c in case.confirmations}["police"] == clock.now()


def test_recomputing_deadlines_changes_nothing_when_they_are_in_step(store: Store, clock: FixedClock) -> None:
    filed = store.cases.file_referral(make_referral(), actor=REFERRER, now=clock.now())
    with store.sessions() as s:
        before = s.scalars(select(DeadlineRow.updated_at)).all()
    store.cases.recompute_deadlines(filed.reference, now=clock.now())
    with store.sessions() as s:
        assert s.scalars(select(DeadlineRow.updated_at)).all() == before


def test_what_is_published_reaches_listeners_in_the_same_transaction_as_the_audit_entry(
    store: Store, clock: FixedClock
) -> None:
    seen: list[tuple[str, int]] = []

    def listener(s: Session, event: DomainEvent) -> None:
        audited = s.scalar(select(func.count()).select_from(AuditRow)) or 0
        seen.append((type(event).__name__, audited))

    store.cases.subscribe(listener)
    filed = store.cases.file_referral(make_referral(), actor=REFERRER, now=clock.now())
    store.cases.confirm_agency(filed.reference, "police", actor=STAFF, now=clock.now(), records=RecordsState.SECURED)
    store.cases.move_status(filed.reference, CaseStatus.UNDER_CONSIDERATION, actor=STAFF, now=clock.now())
    assert [name for name, _ in seen] == ["ReferralFiled", "AgencyConfirmed", StatusChanged.__name__]
    # Each listener ran after its change's audit entry was written, in the same transaction.
    assert all(audited > 0 for _, audited in seen) and seen[0][1] < seen[1][1] < seen[2][1]
    assert AgencyConfirmed.__name__ in {name for name, _ in seen}
