"""Core statements run on SQLite's own connection, for the few paths where SQLAlchemy's per-statement work is
most of the cost (issue 15 §3: filing a referral ran nine statements, and compiling their cache keys, building
their parameters and results took about a third of its CPU time).

Each statement is compiled once by SQLAlchemy for the SQLite dialect, and each value goes through the bind
processing SQLAlchemy itself would apply (the column's type for that dialect: dates and times as the same text,
booleans as integers), so a row written here is the row Core would write; only the per-call machinery is
skipped. SQLite only: PostgreSQL keeps Core (and its driver's own parameter handling).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

Processor = Callable[[Any], Any] | None
_GIVEN: Any = object()  # a parameter the caller gives (not one fixed in the statement)


class DriverStatement:
    """One statement, compiled for `dialect`, taking its parameters by name as Core does."""

    def __init__(self, statement: ClauseElement, dialect: Dialect, keys: Sequence[str] | None = None) -> None:
        compiled = statement.compile(dialect=dialect, column_keys=list(keys) if keys is not None else None)
        if not isinstance(compiled, SQLCompiler):
            raise TypeError("not a SQL statement")
        if dialect.paramstyle != "qmark" or compiled.positiontup is None:
            raise ValueError(f"driver statements are for SQLite's qmark parameters, not {dialect.paramstyle}")
        self.sql = compiled.string
        # (name, the value fixed in the statement or _GIVEN, the bind processor) for each "?" in order.
        self._plan: list[tuple[str, Any, Processor]] = []
        for name in compiled.positiontup:
            bind = compiled.binds[name]
            process: Processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
            fixed: Any = _GIVEN
            if (keys is not None and name not in keys) or (keys is None and not bind.required):
                # A value set in the statement itself (`last_number + 1`); a column default Core would
                # compute at run time is not supported here, so a caller must give every such column.
                if bind.callable is not None or bind.value is None:
                    raise ValueError(f"{name}: give it a value (defaults are not computed on the driver path)")
                fixed = bind.value if process is None else process(bind.value)
                process = None
            self._plan.append((name, fixed, process))

    def _rows(self, rows: Iterable[Mapping[str, Any]]) -> list[tuple[Any, ...]]:
        plan = self._plan
        # Rows of one statement share many values (the time of the change, the case's dates): each position
        # remembers the last value it converted, by identity.
        seen: list[Any] = [_GIVEN] * len(plan)
        converted: list[Any] = [None] * len(plan)
        result = []
        for values in rows:
            out = []
            for i, (name, fixed, process) in enumerate(plan):
                value = values[name] if fixed is _GIVEN else fixed
                if process is not None and value is not None:
                    if value is seen[i]:
                        value = converted[i]
                    else:
                        seen[i] = value
                        value = converted[i] = process(value)
                out.append(value)
            result.append(tuple(out))
        return result

    def execute(self, driver: sqlite3.Connection, values: Mapping[str, Any]) -> sqlite3.Cursor:
        return driver.execute(self.sql, self._rows([values])[0])

    def executemany(self, driver: sqlite3.Connection, rows: Iterable[Mapping[str, Any]]) -> None:
        driver.executemany(self.sql, self._rows(rows))


def driver_of(connection: Connection) -> sqlite3.Connection:
    """The sqlite3 connection under a SQLAlchemy connection (in its transaction, which is already begun)."""
    driver = connection.connection.driver_connection
    if not isinstance(driver, sqlite3.Connection):
        raise TypeError("not a SQLite connection")
    return driver
