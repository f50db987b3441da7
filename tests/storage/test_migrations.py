"""Migrations: one head, upgrade from empty on both backends, and the schema matches the models exactly."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

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


def _answers_survive_the_records_state_migration(engine: Engine) -> None:
    """0009: an agency's records_secured flag becomes its records state (secured / not yet); nothing is lost."""
    upgrade(engine, "0008")
    now = "2026-11-23 10:00:00+00:00"
    with engine.begin() as c:
        c.execute(
            text(
                "INSERT INTO cases (id, board_id, reference, status, rules_pack, filed_by, created_at, updated_at) "
                "VALUES ('c1', 'testshire', 'SCR-2026-0001', 'referred', 'hackney-2017', 'cli:t', :now, :now)"
            ),
            {"now": now},
        )
        for row_id, agency, secured in (("a1", "police", True), ("a2", "health", False)):
            c.execute(
                text(
                    "INSERT INTO agency_confirmations (id, board_id, case_id, agency_id, involvement, "
                    "records_secured, secured_on, updated_at) "
                    "VALUES (:id, 'testshire', 'c1', :agency, 'unknown', :secured, :on, :now)"
                ),
                {"id": row_id, "agency": agency, "secured": secured, "on": date(2026, 11, 21) if secured else None}
                | {"now": now},
            )
    upgrade(engine)
    with engine.connect() as c:
        rows = dict(c.execute(text("SELECT agency_id, records FROM agency_confirmations")).all())
    assert rows == {"police": "secured", "health": "not_yet"}
    assert_schema_matches_models(engine)


def test_sqlite_records_state_migration(tmp_path: Path) -> None:
    _answers_survive_the_records_state_migration(make_engine(f"sqlite+pysqlite:///{tmp_path / 'old.db'}"))


@pytest.mark.postgres
def test_postgres_records_state_migration(pg_server: PostgresServer) -> None:
    engine = make_engine(pg_server.new_database())
    _answers_survive_the_records_state_migration(engine)
    engine.dispose()
