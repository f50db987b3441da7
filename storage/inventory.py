"""What a database holds, counted without opening anything: for `scrbot doctor` and `scrbot backup`.

Read-only and key-free: it tells whether a database holds sealed data for a board (so that a missing key
ring is a loss, not a first run) and how many rows each table has (so that a backup and its restore can
be compared), without needing the keys or the rules pack.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, func, inspect, select
from sqlalchemy.orm import sessionmaker

from storage.tables import Base

if TYPE_CHECKING:
    from storage.keyring import KeyRing

# Tables whose rows carry a board's encrypted personal data.
SEALED_TABLES = ("cases", "conversation_drafts", "inbound_messages", "outbox")


def sealed_rows(engine: Engine, board_id: str) -> int:
    """Rows of `board_id` sealed under its keys; 0 for an empty or not yet migrated database."""
    existing = set(inspect(engine).get_table_names())
    tables = Base.metadata.tables
    total = 0
    with engine.connect() as connection:
        for name in SEALED_TABLES:
            if name in existing:
                table = tables[name]
                query = select(func.count()).select_from(table).where(table.c.board_id == board_id)
                total += int(connection.execute(query).scalar_one())
    return total


def row_counts(bind: Engine | Connection) -> dict[str, int]:
    """Rows in every table of the schema that exists in the database (alembic's own table left out). Given a
    connection, counted inside its transaction (a backup's snapshot)."""
    with _connected(bind) as connection:
        existing = set(inspect(connection).get_table_names())
        counts: dict[str, int] = {}
        for table in Base.metadata.sorted_tables:
            if table.name in existing:
                counts[table.name] = int(connection.execute(select(func.count()).select_from(table)).scalar_one())
        return counts


def revision_of(bind: Engine | Connection) -> str | None:
    """The schema revision alembic recorded (None for an empty database)."""
    from alembic.runtime.migration import MigrationContext

    with _connected(bind) as connection:
        return MigrationContext.configure(connection).get_current_revision()


@contextmanager
def _connected(bind: Engine | Connection) -> Iterator[Connection]:
    if isinstance(bind, Connection):
        yield bind
        return
    with bind.connect() as connection:
        yield connection


def boards_in(engine: Engine) -> list[str]:
    """The boards that have rows in the database."""
    existing = set(inspect(engine).get_table_names())
    tables = Base.metadata.tables
    boards: set[str] = set()
    with engine.connect() as connection:
        for name in (*SEALED_TABLES, "audit_log"):
            if name in existing:
                boards.update(str(b) for b in connection.execute(select(tables[name].c.board_id).distinct()).scalars())
    return sorted(boards)


@dataclass
class ReadBack:
    """What opening every sealed value of a board gave: counts, and where it failed (table.column, row id)."""

    board_id: str
    opened: int = 0
    cases: int = 0
    failures: list[str] = field(default_factory=list)
    audit_problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures and not self.audit_problems


def read_back(engine: Engine, ring: KeyRing, board_id: str, *, limit_failures: int = 20) -> ReadBack:
    """Open every sealed value of `board_id` with its keys (authenticated: a value moved, altered or sealed
    under a missing key fails) and verify its audit chain. Nothing is written, nothing audited, nothing
    decrypted is kept."""
    from storage.audit import AuditLog
    from storage.crypto import AesGcmCipher, DecryptionError
    from storage.tables.base import encrypted_columns

    result = ReadBack(board_id)
    cipher = AesGcmCipher(ring, board_id)
    existing = set(inspect(engine).get_table_names())
    sessions = sessionmaker(engine)
    with sessions() as s:
        for table in Base.metadata.sorted_tables:
            columns = encrypted_columns(table)
            if not columns or table.name not in existing:
                continue
            query = select(table.c.id, *(table.c[c] for c in columns)).where(table.c.board_id == board_id)
            for row in s.execute(query):
                for column, token in zip(columns, row[1:], strict=True):
                    if token is None:
                        continue
                    try:
                        cipher.open(token, table=table.name, column=column, row_id=row[0])
                        result.opened += 1
                    except DecryptionError:
                        if len(result.failures) < limit_failures:
                            result.failures.append(f"{table.name}.{column} of row {row[0]}")
            if table.name == "cases":
                result.cases = int(
                    s.execute(select(func.count()).select_from(table).where(table.c.board_id == board_id)).scalar_one()
                )
        if "audit_log" in existing:
            result.audit_problems = AuditLog(board_id, ring.board(board_id).audit_key).verify(s)
    return result
