"""The case row's own times and status (storage/case_snapshots.py writes them only when they change, so that a
case just filed leaves nothing to flush): filing sets them, a later change moves them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from cases.events import CaseStatus
from storage.store import Store
from storage.tables import CaseRow
from tests.factories import REFERRER, STAFF, make_referral

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


def _row(store: Store, reference: str) -> tuple[datetime, datetime, str]:
    with store.sessions() as s:
        row = s.scalars(select(CaseRow).where(CaseRow.reference == reference)).one()
        return row.created_at, row.updated_at, row.status


def test_filing_sets_the_case_times_and_a_later_change_moves_them(store: Store) -> None:
    filed = store.cases.file_referral(make_referral(), actor=REFERRER, now=NOW)
    assert _row(store, filed.reference) == (NOW, NOW, CaseStatus.REFERRED.value)
    later = NOW + timedelta(days=3)
    store.cases.move_status(filed.reference, CaseStatus.CLOSED, actor=STAFF, now=later)
    assert _row(store, filed.reference) == (NOW, later, CaseStatus.CLOSED.value)
