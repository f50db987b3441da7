"""Retention: personal data of closed cases is removed after the retention period; the timeline stays."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from bot.clock import FixedClock
from cases.actor import SYSTEM
from cases.case import Decision, Involvement
from cases.costs import CostKind
from cases.events import CaseStatus, Outcome
from storage.purge import purge
from storage.store import Store
from storage.tables import AgencyConfirmationRow, CaseRow, DecisionRow, ReviewCostRow
from tests.factories import REFERRER, STAFF, make_referral


def test_purge_after_retention_keeps_the_timeline(store: Store, clock: FixedClock) -> None:
    kept = store.cases.file_referral(make_referral(), actor=REFERRER, now=clock.now())
    closed = store.cases.file_referral(make_referral(), actor=REFERRER, now=clock.now())
    store.cases.record_decision(
        closed.reference,
        Decision(outcome=Outcome.NO_REVIEW, decided_on=date(2026, 11, 21), rationale="reasons"),
        actor=STAFF,
        now=clock.now(),
    )
    store.cases.confirm_agency(
        closed.reference,
        "police",
        actor=STAFF,
        now=clock.now(),
        involvement=Involvement.KNOWN,
        involvement_detail="known",
        records_secured=True,
        secured_by="DS Example",
    )
    store.cases.record_cost(
        closed.reference, CostKind.OTHER, on=date(2026, 11, 21), actor=STAFF, now=clock.now(),
        amount=Decimal("40"), note="room hire for the panel",
    )  # fmt: skip
    store.cases.move_status(closed.reference, CaseStatus.CLOSED, actor=STAFF, now=clock.now())
    retention = 30

    def run(at_days: int) -> list[str]:
        report = purge(
            store.sessions,
            store.audit,
            board_id=store.board.id,
            retention_days=retention,
            now=clock.now() + timedelta(days=at_days),
            actor=SYSTEM,
        )
        return report.purged

    assert run(29) == []
    assert run(30) == [closed.reference]
    assert run(31) == []  # already purged

    case = store.cases.get_case(closed.reference, actor=STAFF, now=clock.now())
    assert case.referral is None and case.purged_at is not None
    assert case.decision is not None and (case.decision.outcome, case.decision.rationale) == (Outcome.NO_REVIEW, "")
    assert case.deadlines, "the de-identified timeline stays"
    assert case.possible_duplicates == []
    with store.sessions() as s:
        row = s.scalars(select(CaseRow).where(CaseRow.reference == closed.reference)).one()
        assert (row.referral_enc, row.child_index) == (None, None)
        assert s.scalars(select(DecisionRow.rationale_enc)).all() == [None]
        assert set(s.scalars(select(AgencyConfirmationRow.secured_by_enc))) == {None}
        # A cost's note goes; what was spent, and when, stays for the board's figures.
        assert [(c.note_enc, c.amount_pence) for c in s.scalars(select(ReviewCostRow))] == [(None, 4000)]
        assert [e.action for e in store.audit.entries(s, case_ref=closed.reference)][-2:] == [
            "case.purged",
            "case.viewed",
        ]
    assert store.cases.get_case(kept.reference, actor=STAFF, now=clock.now()).referral is not None
