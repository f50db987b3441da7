"""Alembic environment: uses the engine handed over by `storage.db.upgrade` (no alembic.ini needed)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, Engine

import storage.tables
from storage.db import is_sqlite

target_metadata = storage.tables.Base.metadata


def _migrate(connection: Connection, engine: Engine) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=is_sqlite(str(engine.url)),  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()


def run_migrations_online() -> None:
    engine: Engine = context.config.attributes["engine"]
    connection: Connection | None = context.config.attributes.get("connection")
    if connection is not None:
        _migrate(connection, engine)
        return
    with engine.connect() as own:
        _migrate(own, engine)


run_migrations_online()
