"""Inbound messages in the store: sealed at rest, re-sealed by key rotation, removed by purge, and the
migration matches the models."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import select

from storage.crypto import AesGcmCipher
from storage.inbound import InboundStatus
from storage.inbound_purge import InboundPurge
from storage.purge import purge
from storage.rotation import rotate_data_key
from storage.store import Store
from storage.tables import Base, InboundMessageRow
from tests.factories import REFERRER, STAFF, make_referral
from tests.support.intake import inbound_for, make_intake

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
RAW = (
    b"Authentication-Results: mx.testshire.gov.uk; dmarc=pass header.from=testshire.pnn.police.uk\r\n"
    b"From: <reviews@testshire.pnn.police.uk>\r\nSubject: RE: [SCR-2026-0001]\r\nMessage-ID: <r1@x>\r\n\r\n"
    b"Records secured: yes\r\n"
)


def test_the_migration_matches_the_models(store: Store) -> None:
    with store.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_messages_are_sealed_and_survive_key_rotation(store: Store) -> None:
    store.cases.file_referral(make_referral(), actor=REFERRER, now=NOW)
    intake = make_intake(store)
    outcome = intake.ingest(RAW, now=NOW)
    with store.sessions() as s:
        row = s.scalars(select(InboundMessageRow)).one()
    assert row.raw_enc is not None and b"Records secured" not in row.raw_enc
    assert row.message_id_enc is not None and b"r1@x" not in row.message_id_enc
    report = rotate_data_key(store.ring, store.board.id, store.sessions, AesGcmCipher(store.ring, store.board.id))
    assert report.by_table["inbound_messages"] >= 2
    detail = inbound_for(store).get(outcome.inbound_id, actor=STAFF, now=NOW)
    assert detail.raw == RAW and detail.message_id == "<r1@x>"


def test_purge_removes_a_closed_cases_messages_but_keeps_what_happened(store: Store) -> None:
    from cases.events import CaseStatus

    filed = store.cases.file_referral(make_referral(), actor=REFERRER, now=NOW)
    intake = make_intake(store)
    outcome = intake.ingest(RAW, now=NOW)
    store.cases.move_status(filed.reference, CaseStatus.CLOSED, actor=STAFF, now=NOW)
    inbound = inbound_for(store)
    report = purge(
        store.sessions,
        store.audit,
        board_id=store.board.id,
        retention_days=0,
        now=NOW + timedelta(days=1),
        actor=STAFF,
        hooks=[InboundPurge(inbound)],  # storage/inbound_purge.py
    )
    assert report.purged == [filed.reference]
    detail = inbound.get(outcome.inbound_id, actor=STAFF, now=NOW)
    assert detail.raw == b"" and detail.message_id == "" and detail.detail == {}
    assert detail.summary.status is InboundStatus.PROCESSED and detail.summary.case_ref == filed.reference
