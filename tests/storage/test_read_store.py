"""The read-only store (storage/read_store.py): the schema revision it knows is Alembic's head, it refuses a
database at any other revision or holding another board's cases, and it lists cases exactly as the full
store does, from columns that are the real tables' columns."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from bot.clock import FixedClock
from cases.case import DeadlineState
from storage.board_check import UnknownBoardData
from storage.case_listing import TABLES
from storage.db import head_revision, make_engine, upgrade
from storage.read_store import open_read_store
from storage.schema_version import HEAD_REVISION, SchemaNotCurrent, schema_revision
from storage.store import Store
from storage.tables import Base
from tests.factories import REFERRER, STAFF, make_board, make_referral


def test_the_revision_read_commands_expect_is_alembics_head() -> None:
    """A new migration must bump HEAD_REVISION (storage/schema_version.py), or read commands would refuse
    every upgraded database."""
    assert head_revision() == HEAD_REVISION


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.name)
def test_every_column_the_listing_reads_is_the_real_tables(table: object) -> None:
    from sqlalchemy.sql.expression import TableClause

    assert isinstance(table, TableClause)
    real = Base.metadata.tables[table.name]
    for column in table.columns:
        assert column.name in real.c, f"{table.name}.{column.name} is not a column of storage.tables"
        assert column.type._type_affinity is real.c[column.name].type._type_affinity, column.name


def test_it_lists_what_the_full_store_lists(store: Store, clock: FixedClock) -> None:
    first = store.cases.file_referral(make_referral(), actor=REFERRER, now=clock.now())
    store.cases.file_referral(make_referral(), actor=REFERRER, now=clock.now())
    store.cases.mark_deadline(
        first.reference, first.deadlines[0].computed.rule, actor=STAFF, now=clock.now(), on=date(2026, 11, 23)
    )
    reader = open_read_store(store.engine, store.board)
    for today in (date(2026, 11, 22), date(2026, 12, 30)):
        for include_closed in (False, True):
            listed = reader.list_cases(today=today, include_closed=include_closed)
            assert listed == store.cases.list_cases(today=today, include_closed=include_closed)
    listed = reader.list_cases(today=date(2026, 11, 22))
    assert [s.reference for s in listed] == [first.reference, "SCR-2026-0002"]
    assert all(s.created_at.tzinfo is not None and s.created_at == clock.now() for s in listed)
    assert listed[0].next_deadline is not None and listed[0].next_deadline.state is DeadlineState.OPEN


def _at(engine: Engine, revision: str | None) -> None:
    with engine.begin() as c:
        if revision is None:
            c.execute(text("DROP TABLE alembic_version"))
        else:
            c.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": revision})


@pytest.mark.parametrize(
    ("revision", "says", "behind"),
    [
        ("0014", "schema is at revision 0014, this version of scrbot reads " + HEAD_REVISION, True),
        ("9999", "schema is at revision 9999, which this version of scrbot .* does not know", False),
        (None, "has no tables yet", True),
    ],
)
def test_a_schema_other_than_the_codes_is_refused(
    tmp_path: Path, revision: str | None, says: str, behind: bool
) -> None:
    engine = make_engine(f"sqlite+pysqlite:///{tmp_path / 'scrbot.db'}")
    upgrade(engine)
    board = make_board()
    assert schema_revision(engine) == HEAD_REVISION
    open_read_store(engine, board)
    _at(engine, revision)
    with pytest.raises(SchemaNotCurrent, match=says) as refused:
        open_read_store(engine, board)
    assert refused.value.behind is behind
    assert ("scrbot db upgrade" in str(refused.value)) is behind
    engine.dispose()


def test_an_empty_database_is_refused_too(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite+pysqlite:///{tmp_path / 'empty.db'}")
    with pytest.raises(SchemaNotCurrent, match="no tables yet"):
        open_read_store(engine, make_board())
    engine.dispose()


def test_cases_of_a_board_the_config_does_not_name_are_refused(store: Store, clock: FixedClock) -> None:
    store.cases.file_referral(make_referral(), actor=REFERRER, now=clock.now())
    with pytest.raises(UnknownBoardData, match="board 'testshire'"):
        open_read_store(store.engine, make_board(id="another-board"))
