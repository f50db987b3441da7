"""A reply naming two cases goes to a person (issue 10 #6), and releasing it as an agency's answer does not
pick one of them either: the person records the answer against the right case by hand."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.clock import FixedClock
from intake.inbound.processor import IntakeError
from storage.inbound import InboundStatus
from storage.store import Store
from tests.factories import REFERRER, STAFF, make_referral
from tests.support.intake import add_request_row, make_intake

CORPUS = Path(__file__).parent / "corpus"
NOW = datetime(2026, 12, 4, 16, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "name", ["31_two_references.eml", "39_subject_one_case_body_another.eml", "40_threaded_body_names_another.eml"]
)
def test_a_reply_naming_two_cases_is_not_released_against_either(name: str, store: Store, clock: FixedClock) -> None:
    filed = store.cases.file_referral(make_referral(), actor=REFERRER, now=clock.now())
    add_request_row(store, filed.case_id, filed.reference)
    intake = make_intake(store)
    held = intake.ingest((CORPUS / name).read_bytes(), now=NOW)
    assert (held.status, held.case_ref) == (InboundStatus.QUARANTINED, "")

    with pytest.raises(IntakeError, match=r"more than one case.*scrbot case confirm"):
        intake.release(held.inbound_id, actor=STAFF, now=NOW, as_agency="police")
    assert intake.inbound.summary(held.inbound_id).status is InboundStatus.QUARANTINED
    police = {c.agency_id: c for c in store.cases.get_case(filed.reference, actor=STAFF, now=NOW).confirmations}
    assert police["police"].records.value == "not_yet"
