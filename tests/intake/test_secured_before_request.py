"""A reply whose stated "secured on" date is before our request went out is held for a person, never recorded
(issue 9 §5): recorded as it is, it would meet the records deadline before the deadline started. Each answer
is its own synthetic .eml (tests/intake/secured_dates/); our request to the police went on 20 Nov 2026."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from cases.actor import SYSTEM
from storage.inbound import InboundStatus
from storage.store import Store
from tests.factories import REFERRER, STAFF, make_referral
from tests.support.intake import make_intake

ANSWERS = Path(__file__).parent / "secured_dates"
REQUEST_SENT = datetime(2026, 11, 20, 16, 30, tzinfo=UTC)
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)

# file -> (status, the reason holds, records as recorded, secured_on as recorded)
TABLE = {
    "01_secured_before_the_request.eml": (
        InboundStatus.NEEDS_PERSON,
        "secured on 2026-11-02, before our request went out on 2026-11-20",
        "not_yet",
        None,
    ),
    "02_secured_the_day_it_went.eml": (
        InboundStatus.PROCESSED,
        "records secured on 2026-11-20",
        "secured",
        "2026-11-20",
    ),
    "03_secured_after_the_request.eml": (
        InboundStatus.PROCESSED,
        "records secured on 2026-11-21",
        "secured",
        "2026-11-21",
    ),
    "04_secured_no_date_given.eml": (InboundStatus.PROCESSED, "(the email's date)", "secured", "2026-11-23"),
    "05_no_records_held.eml": (InboundStatus.PROCESSED, "no records held", "no_records_held", None),
}


def test_every_answer_file_is_in_the_table() -> None:
    assert {p.name for p in ANSWERS.glob("*.eml")} == set(TABLE)


@pytest.mark.parametrize("name", sorted(TABLE))
def test_a_secured_date_before_our_request_is_held_for_a_person(name: str, store: Store) -> None:
    status, reason, records, secured_on = TABLE[name]
    filed = store.cases.file_referral(make_referral(), actor=REFERRER, now=REQUEST_SENT)
    store.cases.mark_request_sent(filed.reference, "police", at=REQUEST_SENT, actor=SYSTEM)
    intake = make_intake(store, subscribe_requests=False)

    outcome = intake.ingest((ANSWERS / name).read_bytes(), now=NOW)

    assert (outcome.status, outcome.kind, outcome.agency_id) == (status, "agency_reply", "police"), outcome.reason
    assert reason in outcome.reason
    police = {c.agency_id: c for c in store.cases.get_case(filed.reference, actor=STAFF, now=NOW).confirmations}[
        "police"
    ]
    assert (police.records.value, police.secured_on.isoformat() if police.secured_on else None) == (
        records,
        secured_on,
    )


def test_a_person_who_has_checked_the_date_records_it(store: Store) -> None:
    filed = store.cases.file_referral(make_referral(), actor=REFERRER, now=REQUEST_SENT)
    store.cases.mark_request_sent(filed.reference, "police", at=REQUEST_SENT, actor=SYSTEM)
    intake = make_intake(store, subscribe_requests=False)
    held = intake.ingest((ANSWERS / "01_secured_before_the_request.eml").read_bytes(), now=NOW)
    assert held.status is InboundStatus.NEEDS_PERSON and "scrbot case confirm" in held.reason

    released = intake.release(held.inbound_id, actor=STAFF, now=NOW, as_agency="police", note="date checked")
    assert released.status is InboundStatus.RELEASED
    police = {c.agency_id: c for c in store.cases.get_case(filed.reference, actor=STAFF, now=NOW).confirmations}[
        "police"
    ]
    assert (police.records.value, str(police.secured_on)) == ("secured", "2026-11-02")
