"""Filing a referral: the case row, its events, agency confirmations and deadlines, and the audit entry, in the
caller's transaction (CaseStore.file_referral).

Two ways to the same rows. Through the session and Core (`portable`): PostgreSQL, and the reference. On
SQLite through the driver's own connection (`on_driver`), with the statements SQLAlchemy compiled for them
once (storage/driver_sql.py) and the row values built by the same functions (storage/case_snapshots.py): a
profile of 500 filings (issue 15 §3) spent about a third of a filing's CPU time in SQLAlchemy's per-statement
work (cache keys, parameters, results, the unit of work around the case row), against the rules, the sealing
and the audit chain together under a fifth. tests/storage/test_case_filing.py compares both ways' rows.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Connection, Table, bindparam, insert, select, update
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, make_transient_to_detached

from cases.actor import Actor
from cases.apply import apply, needs
from cases.board import BoardConfig
from cases.calendar import WorkingCalendar, local_date
from cases.case import Deadline
from cases.changes import Changes
from cases.commands import Command, FileReferral
from cases.domain_events import DomainEvent
from cases.events import CaseStatus
from cases.reference import format_reference
from cases.referral import Referral
from cases.rules import RulesPack
from cases.snapshot import CaseSnapshot
from errors import Unavailable
from storage.applied_steps import note_write
from storage.audit import AuditLog, AuditRecord
from storage.blind_index import child_index
from storage.case_codec import Codec
from storage.case_snapshots import CaseRows, LoadedCase, new_confirmation_values, new_deadline_values, new_event_values
from storage.driver_sql import DriverStatement, driver_of
from storage.tables import AgencyConfirmationRow, CaseCounterRow, CaseEventRow, CaseRow, DeadlineRow
from storage.tables.base import ordered_id, table_of


class FilingStore(Protocol):
    """What filing uses of the case store (storage/case_store.py, which makes one CaseFiling)."""

    board: BoardConfig
    pack: RulesPack
    codec: Codec
    index_key: bytes
    audit: AuditLog
    calendar: WorkingCalendar
    rows: CaseRows

    def decide(self, s: Session, case: LoadedCase, command: Command, *, actor: Actor, now: datetime) -> Changes: ...

    def publish(self, s: Session, event: DomainEvent) -> None: ...


_CASES = table_of(CaseRow)
_INSERT_CASE = insert(_CASES)
_COUNTERS = table_of(CaseCounterRow)
_NEXT_NUMBER = (
    update(_COUNTERS)
    .where(_COUNTERS.c.board_id == bindparam("counter_board"), _COUNTERS.c.year == bindparam("counter_year"))
    .values(last_number=_COUNTERS.c.last_number + 1)
    .returning(_COUNTERS.c.last_number)
)
_SAME_CHILD = (
    select(_CASES.c.reference)
    .where(_CASES.c.board_id == bindparam("board_id"), _CASES.c.child_index == bindparam("child_index"))
    .order_by(_CASES.c.reference)
)


@dataclass(frozen=True)
class FiledReferral:
    case_id: str
    reference: str
    possible_duplicates: list[str]
    deadlines: list[Deadline]


class _Statements:
    """The filing's statements compiled for SQLite's own connection, once per store (an insert once per set of
    columns given, which is always the same: the values come from storage/case_snapshots.py)."""

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        self.next_number = DriverStatement(_NEXT_NUMBER, dialect)
        self.same_child = DriverStatement(_SAME_CHILD, dialect)
        self._inserts: dict[tuple[str, tuple[str, ...]], DriverStatement] = {}

    def insert(self, driver: sqlite3.Connection, table: Table, rows: list[dict[str, Any]]) -> None:
        keys = tuple(rows[0])
        statement = self._inserts.get((table.name, keys))
        if statement is None:
            statement = self._inserts[(table.name, keys)] = DriverStatement(insert(table), self.dialect, keys)
        statement.executemany(driver, rows)


_EVENTS = table_of(CaseEventRow)
_CONFIRMATIONS = table_of(AgencyConfirmationRow)
_DEADLINES = table_of(DeadlineRow)


def _inserts_only(changes: Changes) -> bool:
    """Whether a filing's changes are only new rows (what the driver's path writes); anything else (never made
    by the rules today) takes the session's path."""
    return (
        changes.status in (None, CaseStatus.REFERRED)
        and not changes.closed
        and changes.decision is None
        and changes.confirmation is None
        and changes.request_sent is None
        and changes.extension is None
        and changes.cost is None
        and not (changes.redated or changes.reopened or changes.cancelled or changes.marked)
    )


class CaseFiling:
    def __init__(self, store: FilingStore) -> None:
        self.store = store
        # SQLite: write through the driver's connection. The session's path stays for PostgreSQL, and for
        # tests/storage/test_case_filing.py to compare the two.
        self.on_driver = True
        self._statements: _Statements | None = None

    def file(self, s: Session, referral: Referral, *, actor: Actor, now: datetime) -> FiledReferral:
        connection = s.connection()
        if self.on_driver and connection.dialect.name == "sqlite":
            return self._file_on_driver(s, connection, referral, actor=actor, now=now)
        return self._file_portable(s, referral, actor=actor, now=now)

    # --- shared --------------------------------------------------------------------------------------

    def _case_values(self, reference: str, referral: Referral, *, actor: Actor, now: datetime) -> dict[str, Any]:
        store, case_id = self.store, ordered_id()
        return {
            "id": case_id,
            "board_id": store.board.id,
            "reference": reference,
            "status": CaseStatus.REFERRED.value,
            "rules_pack": store.pack.id,
            "rules_pack_version": store.pack.version,
            "filed_by": actor.id,
            "referral_enc": store.codec.seal_referral(case_id, referral),
            "child_index": child_index(
                store.index_key,
                last_name=referral.child.last_name,
                forenames=referral.child.forenames,
                date_of_birth=referral.child.date_of_birth,
            ),
            "created_at": now,
            "updated_at": now,
            "closed_at": None,
            "purged_at": None,
        }

    @staticmethod
    def _filed(case_id: str, reference: str, duplicates: list[str], changes: Changes) -> FiledReferral:
        deadlines = [Deadline(d.computed, d.state, d.met_on) for d in changes.added]
        deadlines.sort(key=lambda d: (d.computed.act_by, d.computed.rule, d.computed.agency or ""))
        return FiledReferral(case_id, reference, duplicates, deadlines)

    def _next_reference(self, s: Session, year: int) -> str:
        board_id = self.store.board.id
        for _ in range(5):
            number = s.execute(_NEXT_NUMBER, {"counter_board": board_id, "counter_year": year}).scalar_one_or_none()
            if number is not None:
                return format_reference(year, number)
            try:
                with s.begin_nested():
                    s.execute(insert(_COUNTERS).values(board_id=board_id, year=year, last_number=1))
                return format_reference(year, 1)
            except IntegrityError:
                continue  # another process created the counter first: bump it instead
        raise Unavailable("could not allocate a case reference (the database is busy); try again")

    # --- the session's path --------------------------------------------------------------------------

    def _file_portable(self, s: Session, referral: Referral, *, actor: Actor, now: datetime) -> FiledReferral:
        store = self.store
        reference = self._next_reference(s, local_date(now).year)
        values = self._case_values(reference, referral, actor=actor, now=now)
        duplicates: list[str] = []
        if values["child_index"] is not None:
            same = {"board_id": store.board.id, "child_index": values["child_index"]}
            duplicates = list(s.scalars(_SAME_CHILD, same))
        # The case row goes in first (its children reference it) as one Core INSERT, then joins the session
        # as a loaded row: no unit of work to flush for it (issue 15 §3, filing time).
        s.execute(_INSERT_CASE, values)
        row = CaseRow(**values)
        make_transient_to_detached(row)
        s.add(row)
        snapshot = CaseSnapshot.new(case_id=row.id, board_id=store.board.id, reference=reference, pack=store.pack)
        command = FileReferral(referral, tuple(duplicates))
        changes = store.decide(s, LoadedCase(row, snapshot), command, actor=actor, now=now)
        return self._filed(row.id, reference, duplicates, changes)

    # --- SQLite: the driver's connection -------------------------------------------------------------

    def _statements_for(self, dialect: Dialect) -> _Statements:
        statements = self._statements
        if statements is None:
            statements = self._statements = _Statements(dialect)
        return statements

    def _file_on_driver(
        self, s: Session, connection: Connection, referral: Referral, *, actor: Actor, now: datetime
    ) -> FiledReferral:
        store, board_id = self.store, self.store.board.id
        driver = driver_of(connection)
        s.flush()  # the caller's pending rows first, as the session's own statements would flush them
        # Marked first: the step being worked on (if any) records itself at commit (storage/applied_steps.py).
        note_write(s)
        statements = self._statements_for(connection.dialect)
        year = local_date(now).year
        bumped = statements.next_number.execute(driver, {"counter_board": board_id, "counter_year": year}).fetchone()
        reference = format_reference(year, bumped[0]) if bumped is not None else self._next_reference(s, year)
        values = self._case_values(reference, referral, actor=actor, now=now)
        duplicates: list[str] = []
        if values["child_index"] is not None:
            found = statements.same_child.execute(driver, {"board_id": board_id, "child_index": values["child_index"]})
            duplicates = [r[0] for r in found]
        statements.insert(driver, _CASES, [values])
        case_id = values["id"]
        snapshot = CaseSnapshot.new(case_id=case_id, board_id=board_id, reference=reference, pack=store.pack)
        command = FileReferral(referral, tuple(duplicates))
        if needs(snapshot, command):  # pragma: no cover - a new case holds every part (cases/snapshot.py)
            raise AssertionError("a new case needs nothing loaded")
        changes = apply(snapshot, command, actor=actor, board=store.board, calendar=store.calendar, now=now)
        if not _inserts_only(changes):  # pragma: no cover - the rules file a case with new rows only
            row = CaseRow(**values)
            make_transient_to_detached(row)
            s.add(row)
            store.rows.write(s, LoadedCase(row, snapshot), changes, actor=actor, now=now)
        else:
            self._insert_rows(driver, statements, case_id, changes, actor=actor, now=now)
        record = AuditRecord(now, actor.id, changes.audit.action, reference, dict(changes.audit.detail))
        store.audit.append_on_driver(s, [record])
        for event in changes.published:
            store.publish(s, event)
        return self._filed(case_id, reference, duplicates, changes)

    def _insert_rows(
        self,
        driver: sqlite3.Connection,
        statements: _Statements,
        case_id: str,
        changes: Changes,
        *,
        actor: Actor,
        now: datetime,
    ) -> None:
        board_id = self.store.board.id
        if changes.events:
            rows = [new_event_values(board_id, case_id, e, r, actor=actor, now=now) for e, r in changes.events]
            statements.insert(driver, _EVENTS, rows)
        if changes.agencies_added:
            rows = [new_confirmation_values(board_id, case_id, a, now) for a in changes.agencies_added]
            statements.insert(driver, _CONFIRMATIONS, rows)
        if changes.added:
            rows = [new_deadline_values(board_id, case_id, d, now) for d in changes.added]
            statements.insert(driver, _DEADLINES, rows)
