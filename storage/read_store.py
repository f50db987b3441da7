"""A board's cases opened for reading only (issue 11 §6): what `scrbot case list` needs, with none of what
changing a case needs. No key ring (a listing holds no personal data), no listeners, no ORM and no Alembic:
the schema is checked against a constant (storage/schema_version.py) and a database at another revision is
refused with one clear line. Changing a case goes through the full store (bot/context.py `features`), which
upgrades the schema first."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import Engine

from cases.actor import Actor
from cases.board import BoardConfig
from cases.calendar import WorkingCalendar
from storage.board_check import refuse_unknown_boards
from storage.case_listing import CaseSummary, board_ids_with_cases, summaries
from storage.schema_version import check_schema


@dataclass(frozen=True)
class ReadStore:
    """Summaries without personal data; nothing here writes."""

    engine: Engine
    board: BoardConfig
    calendar: WorkingCalendar

    def list_cases(self, *, today: date, actor: Actor | None = None, include_closed: bool = False) -> list[CaseSummary]:
        """Cases with status and next deadline, as `CaseStore.list_cases` gives them."""
        with self.engine.connect() as c:
            return summaries(c, self.board, self.calendar, today=today, actor=actor, include_closed=include_closed)


def open_read_store(
    engine: Engine,
    board: BoardConfig,
    *,
    config_path: Path | str = "the board config",
    configured: Collection[str] | None = None,
) -> ReadStore:
    """The board's cases for reading. Refuses a schema other than this code's (SchemaNotCurrent), and cases of a
    board the config does not name (UnknownBoardData, as the full store refuses them at start). `configured`:
    every board the deployment serves (default: this one)."""
    check_schema(engine)
    with engine.connect() as c:
        refuse_unknown_boards(board_ids_with_cases(c), configured or [board.id], config_path=config_path)
    return ReadStore(engine, board, WorkingCalendar.england(board.closure_days))
