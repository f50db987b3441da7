"""What a database holds, counted without opening anything: for `scrbot doctor` and `scrbot backup`.

Read-only and key-free: it tells whether a database holds sealed data for a board (so that a missing key
ring is a loss, not a first run) and how many rows each table has (so that a backup and its restore can
be compared), without needing the keys or the rules pack.
"""

from __future__ import annotations

from sqlalchemy import Engine, func, inspect, select

from storage.tables import Base

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


def row_counts(engine: Engine) -> dict[str, int]:
    """Rows in every table of the schema that exists in the database (alembic's own table left out)."""
    existing = set(inspect(engine).get_table_names())
    counts: dict[str, int] = {}
    with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            if table.name in existing:
                counts[table.name] = int(connection.execute(select(func.count()).select_from(table)).scalar_one())
    return counts
