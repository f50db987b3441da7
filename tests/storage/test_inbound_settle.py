"""A message that changes no case is settled in one conditional UPDATE (storage/inbound_settle.py): what the
claim and the finish guaranteed still holds. A row another process finished meanwhile is left alone (and told
about once), and a stop before the commit leaves the message to be acted on again, once."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from intake.inbound.processor import MailIntake
from storage.inbound import InboundStatus
from storage.store import Store
from storage.tables import InboundMessageRow
from tests.factories import REFERRER, make_referral
from tests.support.intake import agency_reply, make_intake

NOW = datetime(2026, 12, 4, 16, 0, tzinfo=UTC)
POLICE = "reviews@testshire.pnn.police.uk"


def _messages(reference: str) -> dict[str, tuple[bytes, InboundStatus]]:
    """One message of each kind that changes no case, with the status it ends in."""
    return {
        "out_of_office": (
            agency_reply(reference, POLICE, "I am out of the office.", "<ooo@x>", Auto_Submitted="auto-replied"),
            InboundStatus.PROCESSED,
        ),
        "unknown_sender": (
            agency_reply(reference, "someone@example.org", "Records secured.", "<stranger@x>"),
            InboundStatus.QUARANTINED,
        ),
    }


def _rows(store: Store) -> list[tuple[str, bool]]:
    with store.sessions() as s:
        return [(r.status, r.notice_pending) for r in s.scalars(select(InboundMessageRow))]


@pytest.mark.parametrize("kind", ["out_of_office", "unknown_sender"])
def test_a_row_finished_by_another_process_meanwhile_is_left_alone(store: Store, kind: str) -> None:
    filed = store.cases.file_referral(make_referral(), actor=REFERRER, now=NOW)
    raw, status = _messages(filed.reference)[kind]
    first, second = make_intake(store), make_intake(store)
    finished_by_other: list[InboundStatus] = []

    def other_process_finishes_it(step: str) -> None:
        if step == "stored" and not finished_by_other:
            finished_by_other.append(second.ingest(raw, now=NOW).status)  # found stored, acted on there

    first.checkpoint = other_process_finishes_it
    outcome = first.ingest(raw, now=NOW)
    assert finished_by_other == [status]
    assert outcome.duplicate and outcome.status is status
    assert [s for s, _ in _rows(store)] == [status.value]
    told = first.tell_business_unit(NOW)
    assert told == (1 if status is InboundStatus.QUARANTINED else 0)


@pytest.mark.parametrize("kind", ["out_of_office", "unknown_sender"])
def test_a_stop_before_the_outcome_commits_leaves_it_to_act_on_once(store: Store, kind: str) -> None:
    filed = store.cases.file_referral(make_referral(), actor=REFERRER, now=NOW)
    raw, status = _messages(filed.reference)[kind]
    intake: MailIntake = make_intake(store)

    def stop(step: str) -> None:
        if step == "acted":
            raise KeyboardInterrupt  # the process is killed with the outcome written but not committed

    intake.checkpoint = stop
    with pytest.raises(KeyboardInterrupt):
        intake.ingest(raw, now=NOW)
    assert _rows(store) == [(InboundStatus.RECEIVED.value, False)]

    intake.checkpoint = lambda _step: None
    again = intake.ingest(raw, now=NOW)
    assert not again.duplicate and again.status is status
    with store.sessions() as s:
        assert s.scalar(select(func.count()).select_from(InboundMessageRow)) == 1
    assert [s for s, _ in _rows(store)] == [status.value]
    assert intake.ingest(raw, now=NOW).duplicate
