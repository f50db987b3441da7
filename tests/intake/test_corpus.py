"""A corpus of realistic agency replies (Outlook, Gmail, Apple Mail, Thunderbird, HTML-only, forwarded,
long quoted history, out-of-office, unregistered colleagues, forged senders), each ending in the right
state. Out-of-office replies never count as a confirmation."""

from __future__ import annotations

import tomllib
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.clock import FixedClock
from cases.case import Involvement
from storage.inbound import InboundStatus
from storage.store import Store
from storage.tables import AuditRow, OutboxRow
from tests.factories import REFERRER, STAFF, make_referral
from tests.support.intake import add_request_row, make_intake

CORPUS = Path(__file__).parent / "corpus"
EXPECTED: dict[str, dict[str, Any]] = tomllib.loads((CORPUS / "expected.toml").read_text(encoding="utf-8"))
NOW = datetime(2026, 12, 4, 16, 0, tzinfo=UTC)


def test_the_corpus_is_complete() -> None:
    files = {p.name for p in CORPUS.glob("*.eml")}
    assert len(files) >= 30
    assert files == set(EXPECTED)


def _audit_count(store: Store, action: str) -> int:
    with store.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(AuditRow).where(AuditRow.action == action)) or 0)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_reply_ends_in_the_right_state(name: str, store: Store, clock: FixedClock) -> None:
    expected = EXPECTED[name]
    filed = store.cases.file_referral(make_referral(), actor=REFERRER, now=clock.now())
    assert filed.reference == "SCR-2026-0001"
    add_request_row(store, filed.case_id, filed.reference)
    intake = make_intake(store)
    raw = (CORPUS / name).read_bytes()

    outcome = intake.ingest(raw, now=NOW)

    assert (outcome.status.value, outcome.kind) == (expected["status"], expected["kind"]), outcome.reason
    assert expected.get("reason", "") in outcome.reason
    if "agency" in expected:
        assert outcome.agency_id == expected["agency"]
    case = store.cases.get_case(filed.reference, actor=STAFF, now=NOW)
    confirmations = {c.agency_id: c for c in case.confirmations}
    if "records_secured" in expected or "records" in expected:
        answered = confirmations[expected["agency"]]
        if "records" in expected:
            assert answered.records.value == expected["records"]
            assert answered.records_secured is False and answered.secured_on is None
        else:
            assert answered.records_secured is expected["records_secured"]
        if "secured_on" in expected:
            assert answered.secured_on == date.fromisoformat(expected["secured_on"])
        if "secured_by" in expected:
            assert answered.secured_by == expected["secured_by"]
        assert answered.involvement is Involvement(expected.get("involvement", "unknown"))
        assert expected.get("detail", "") in answered.involvement_detail
        others = [c for a, c in confirmations.items() if a != expected["agency"]]
    else:
        others = list(confirmations.values())
    # Nothing else was recorded: in particular, an out-of-office reply never confirms anything.
    assert all(not c.records.answered and c.involvement is Involvement.UNKNOWN for c in others)

    # A person is told (through the outbox, without content) about anything that needs one.
    intake.tell_business_unit(NOW)
    with store.sessions() as s:
        notices = s.scalar(select(func.count()).select_from(OutboxRow).where(OutboxRow.kind == "inbound_mail_notice"))
    assert notices == (1 if outcome.status in {InboundStatus.QUARANTINED, InboundStatus.NEEDS_PERSON} else 0)

    # The same message again changes nothing.
    before = _audit_count(store, "agency.confirmation")
    again = intake.ingest(raw, now=NOW)
    assert again.duplicate and again.inbound_id == outcome.inbound_id and again.status is outcome.status
    assert _audit_count(store, "agency.confirmation") == before
