"""Migrations: one head, upgrade from empty on both backends, and the schema matches the models exactly."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from storage.db import MIGRATIONS, current_revision, head_revision, make_engine, needs_upgrade, upgrade
from storage.tables import Base
from tests.support.databases import PostgresServer


def test_one_linear_history() -> None:
    script = ScriptDirectory(str(MIGRATIONS))
    assert len(script.get_heads()) == 1, "several migration heads: relink the chain"
    revisions = list(script.walk_revisions())
    assert revisions[-1].down_revision is None


def assert_schema_matches_models(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_sqlite_upgrade_from_empty(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite+pysqlite:///{tmp_path / 'fresh.db'}")
    assert needs_upgrade(engine)
    upgrade(engine)
    upgrade(engine)  # idempotent
    assert current_revision(engine) == head_revision()
    assert_schema_matches_models(engine)


@pytest.mark.postgres
def test_postgres_upgrade_from_empty(pg_server: PostgresServer) -> None:
    engine = make_engine(pg_server.new_database())
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    assert_schema_matches_models(engine)
    engine.dispose()
