"""DESIGN.md §5: the database file (and its WAL) holds no plaintext personal data; nor do the logs."""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

import pytest

from bot.clock import FixedClock
from cases.case import Decision, Involvement
from cases.events import Outcome
from cases.packs import bundled_pack
from storage.keyring import KeyRing
from storage.store import open_store
from tests.factories import REFERRER, SENSITIVE_STRINGS, STAFF, make_board, make_referral
from tests.support.databases import sqlite_engine


def raw_database_bytes(directory: Path) -> bytes:
    """The database file and every file SQLite keeps beside it (-wal, -shm, -journal)."""
    return b"".join(p.read_bytes() for p in sorted(directory.glob("scrbot.db*")))


def test_filed_referral_leaves_no_plaintext_in_sqlite_file_wal_or_logs(
    tmp_path: Path, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    board = make_board()
    engine = sqlite_engine(str(tmp_path / "scrbot.db"))
    store = open_store(
        engine, board, KeyRing.load_or_create(tmp_path / "keys.json", board.id), bundled_pack("hackney-2017")
    )
    filed = store.cases.file_referral(make_referral(), actor=REFERRER, now=clock.now())
    store.cases.record_decision(
        filed.reference,
        Decision(
            outcome=Outcome.SCR,
            decided_on=date(2026, 11, 21),
            decided_by="Chair Testwhistle",
            rationale="Zephyrine was known to three agencies",
        ),
        actor=STAFF,
        now=clock.now(),
    )
    store.cases.confirm_agency(
        filed.reference,
        "health",
        actor=STAFF,
        now=clock.now(),
        involvement=Involvement.KNOWN,
        involvement_detail="Marchbanks family known to health visiting",
        records_secured=True,
        secured_by="Philippa's named nurse",
    )
    store.cases.get_case(filed.reference, actor=STAFF, now=clock.now())

    wal = tmp_path / "scrbot.db-wal"
    assert wal.exists() and wal.stat().st_size > 0, "the WAL should still hold the recent writes"
    raw = raw_database_bytes(tmp_path)
    for text in SENSITIVE_STRINGS:
        for encoding in ("utf-8", "utf-16-le"):
            assert text.encode(encoding) not in raw, f"{text!r} found in the database files"
        assert text.lower().encode() not in raw.lower()
    assert b"2024-03-09" not in raw  # the child's date of birth
    for text in SENSITIVE_STRINGS:
        assert text not in caplog.text
    assert filed.reference in raw.decode("latin-1")  # the reference is deliberately plain
    engine.dispose()
