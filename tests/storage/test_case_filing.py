"""Filing on SQLite through the driver's connection (storage/case_filing.py) writes exactly the rows the
session's path writes: the same values in the same stored form, the same audit chain; and a conversation step
that files a referral is still recorded as applied with it."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cases.board import BoardConfig
from cases.packs import bundled_pack
from storage.applied_steps import AppliedSteps
from storage.keyring import KeyRing
from storage.store import Store, open_store
from tests.factories import REFERRER, STAFF, make_referral
from tests.support.databases import sqlite_engine

NOW = datetime(2026, 11, 22, 10, 5, 7, 250, tzinfo=UTC)
# What a filing writes, each table's rows in an order that does not depend on the random ids.
TABLES = {
    "cases": "reference",
    "case_events": "case_id, event",
    "agency_confirmations": "case_id, agency_id",
    "deadlines": "case_id, rule_id, agency_id, occurrence",
    "audit_log": "board_id, seq",
    "audit_anchor": "board_id",
    "case_counters": "board_id, year",
}


def open_sqlite(tmp_path: Path, name: str, board: BoardConfig) -> Store:
    ring = KeyRing.load_or_create(tmp_path / "keys.json", board.id)  # one key ring: the same audit hashes
    return open_store(sqlite_engine(str(tmp_path / name)), board, ring, bundled_pack(board.rules_pack))


def file_some(store: Store) -> None:
    referrals = [
        make_referral(),
        make_referral(),  # the same child again: a possible duplicate
        make_referral(**{"child.date_of_birth": "2024-03-10", "la_aware_date": None}),  # one event fewer
    ]
    for n, referral in enumerate(referrals):
        store.cases.file_referral(referral, actor=REFERRER, now=NOW + timedelta(minutes=n))


def stored_rows(store: Store, path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row a filing wrote, as SQLite holds it (the driver's own values: text, integers, bytes), with each
    random id replaced by what the row is (its case's reference, its rule...) and the sealed referral opened."""
    connection = sqlite3.connect(path)
    connection.row_factory = sqlite3.Row
    names: dict[str, str] = {}
    for row in connection.execute("SELECT id, reference FROM cases"):
        names[row["id"]] = row["reference"]
    for table, natural in (
        ("case_events", ("event",)),
        ("agency_confirmations", ("agency_id",)),
        ("deadlines", ("rule_id", "agency_id", "occurrence")),
    ):
        for row in connection.execute(f"SELECT * FROM {table}"):  # noqa: S608 - the test's own table names
            names[row["id"]] = "/".join([names[row["case_id"]], table, *(str(row[n]) for n in natural)])
    result: dict[str, list[tuple[Any, ...]]] = {}
    for table, order in TABLES.items():
        rows = []
        for row in connection.execute(f"SELECT * FROM {table} ORDER BY {order}"):  # noqa: S608
            values = dict(row)
            if table == "cases":
                token = values["referral_enc"]
                values["referral_enc"] = store.codec.cipher.open(
                    token, table="cases", column="referral_enc", row_id=values["id"]
                )
            rows.append(tuple((k, names.get(v, v) if isinstance(v, str) else v) for k, v in values.items()))
        result[table] = sorted(rows, key=repr)
    connection.close()
    return result


def test_the_driver_path_writes_the_rows_the_session_path_writes(tmp_path: Path, board: BoardConfig) -> None:
    on_driver, on_session = open_sqlite(tmp_path, "driver.db", board), open_sqlite(tmp_path, "session.db", board)
    on_session.cases.filing.on_driver = False
    for store in (on_driver, on_session):
        file_some(store)
    driver_rows = stored_rows(on_driver, tmp_path / "driver.db")
    session_rows = stored_rows(on_session, tmp_path / "session.db")
    assert [len(driver_rows[t]) for t in TABLES] == [len(session_rows[t]) for t in TABLES]
    assert len(driver_rows["deadlines"]) > 15 and len(driver_rows["case_events"]) == 5
    for table in TABLES:
        assert driver_rows[table] == session_rows[table], table
    for store in (on_driver, on_session):
        with store.sessions() as s:
            assert store.audit.verify(s) == []
        case = store.cases.get_case("SCR-2026-0002", actor=STAFF, now=NOW)
        assert case.referral is not None and len(case.deadlines) > 5
        store.engine.dispose()


def test_a_step_that_files_a_referral_is_recorded_with_it(store: Store) -> None:
    applied = AppliedSteps(store.sessions, store.board.id)
    store.cases.file_referral(make_referral(), actor=REFERRER, now=NOW)  # the year's counter made outside the step
    with applied.fencing("step-file", NOW) as fence:
        store.cases.file_referral(make_referral(), actor=REFERRER, now=NOW)
    assert fence.recorded and applied.already("step-file")
