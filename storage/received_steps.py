"""Conversation steps as received, kept from acknowledgement until worked on (issue 15 §3).

Before a chat front end acknowledges a step (Slack does not resend one it saw acknowledged) it appends the
request body here, sealed, in one short INSERT; the ordering, de-duplication and draft update happen later on
a worker, which deletes the row once the step is done. A process that dies in between leaves its rows; any
process takes over rows whose owner has not finished them within `stale_after` (a live process works on its
steps within seconds), so a step is never lost, and at worst worked on again after a crash mid-step.

On SQLite the steps are kept in a file of their own beside the database (`<database>.steps`): an append must
not queue for the database's single write lock behind a step being worked on, and appends in this process
take turns on a lock of ours rather than SQLite's sleeping busy handler. There an append goes straight to the
driver, on one connection kept for appending (a prepared INSERT, no SQLAlchemy statement to run: about a
sixth of the cost, bench/slack_ack.py). On PostgreSQL they are a table of the store like any other (inserts
do not wait for each other there).

The process that acknowledges and the step worker's process (bot/slack/step_process.py) share an `owner`:
the acknowledging process appends under it, its worker works on it.
"""

from __future__ import annotations

import functools
import itertools
import json
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, delete, event, func, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from storage.crypto import FieldCipher, open_json, seal_json
from storage.db import make_engine, make_sessions, sqlite_url, synchronous_of
from storage.tables import ReceivedStepRow
from storage.tables.base import new_id, table_of

_TABLE = "received_steps"
_COLUMN = "body_enc"
_STEPS = table_of(ReceivedStepRow)
_INSERT = insert(_STEPS)
_COLUMNS = ("id", "board_id", "owner", "seq", "kind", "body_enc", "received_at")
# Rows in one INSERT at most (7 values each, well inside SQLite's limit on a statement's parameters).
_PER_STATEMENT = 100


@functools.cache
def _append_sql(rows: int) -> str:
    one = f"({', '.join('?' for _ in _COLUMNS)})"
    return f"INSERT INTO {_TABLE} ({', '.join(_COLUMNS)}) VALUES {', '.join([one] * rows)}"  # noqa: S608 - constant names


def _stamper(dialect: Any) -> Callable[[datetime], Any]:
    """How the column's type writes a moment for the driver (as SQLAlchemy would: aware UTC, its format)."""
    process = _STEPS.c.received_at.type.bind_processor(dialect)
    return process if process is not None else (lambda value: value)


def new_owner() -> str:
    """An id for one acknowledging process and its step worker."""
    return uuid.uuid4().hex


@dataclass
class _Waiting:
    row: dict[str, Any]
    outcome: bool | BaseException | None = None


@dataclass(frozen=True)
class ReceivedStep:
    id: str
    seq: int
    kind: str
    body: dict[str, Any]
    received_at: datetime


class ReceivedSteps:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        cipher: FieldCipher,
        board_id: str,
        *,
        stale_after: timedelta = timedelta(minutes=1),
        serialise_writes: bool = False,
        owner: str | None = None,
    ) -> None:
        self.sessions = sessions
        self._engine: Engine = sessions.kw["bind"]
        self.cipher = cipher
        self.board_id = board_id
        self.stale_after = stale_after
        self.owner = owner or new_owner()  # this process's steps (and its step worker's)
        self._seq = itertools.count()
        # Step ids: 64 random bits of this process's, then a count (no random draw, a system call that lets go
        # of the interpreter lock, on the acknowledgement's path).
        self._id_prefix = new_id()[:16]
        self._ids = itertools.count()
        self._queueing = threading.Lock()
        self._committing = threading.Lock()
        self._queue: list[_Waiting] = []
        self._writing = threading.Lock()
        self._serialise = serialise_writes
        self.own_engine: Engine | None = None  # the file of its own, on SQLite
        self._appender: Any = None  # its driver connection for appends, opened on the first one
        self._stamp: Callable[[datetime], Any] = lambda value: value

    def fold(self) -> None:
        """Copy the log of the file of its own into it, off the acknowledgement's path (a no-op elsewhere)."""
        if self.own_engine is not None:
            with self.own_engine.connect() as connection:
                driver = connection.connection.driver_connection
                if driver is not None:
                    driver.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()

    def close(self) -> None:
        with self._committing:
            if self._appender is not None:
                self._appender.close()  # back to the pool
                self._appender = None
        if self.own_engine is not None:
            self.own_engine.dispose()

    def count(self) -> int:
        """Steps kept and not yet done, of every process (for checks and tests)."""
        with self.sessions() as s:
            return int(
                s.scalar(select(func.count()).select_from(_STEPS).where(_STEPS.c.board_id == self.board_id)) or 0
            )

    def _write(self) -> AbstractContextManager[object]:
        return self._writing if self._serialise else nullcontext()

    def append(self, kind: str, person: str, body: dict[str, Any], now: datetime) -> int:
        """Keep a step as received; its place in this process's line. Returns once it is committed.

        Group commit: steps that arrive while another append is committing wait for it and then go in one
        transaction together, so sixteen people pressing at once cost one commit, not sixteen in a row. The
        place in line is taken as the step joins the queue, and queues commit in that order, so a worker that
        sees a later step of a person has already been able to see every earlier one. `person` is kept for
        callers' readability; the order is the same for everyone."""
        del person
        step_id = f"{self._id_prefix}{next(self._ids):016x}"
        sealed = seal_json(self.cipher, body, table=_TABLE, column=_COLUMN, row_id=step_id)
        row: dict[str, Any] = {
            "id": step_id,
            "board_id": self.board_id,
            "owner": self.owner,
            "kind": kind,
            "body_enc": sealed,
            "received_at": now,
        }
        mine = _Waiting(row)
        with self._queueing:
            seq = row["seq"] = next(self._seq)
            self._queue.append(mine)
        while mine.outcome is None:
            self._commit_next()
        if isinstance(mine.outcome, BaseException):
            raise mine.outcome
        return seq

    def _commit_next(self) -> None:
        """Commit the queue's first steps (at most one statement's worth), unless another thread just did."""
        with self._committing:
            with self._queueing:
                batch, self._queue = self._queue[:_PER_STATEMENT], self._queue[_PER_STATEMENT:]
            if not batch:
                return
            try:
                with self._write():
                    self._insert([w.row for w in batch])
            except BaseException as exc:  # noqa: BLE001 - every step of the batch raises it (a 500: Slack resends)
                for waiting in batch:
                    waiting.outcome = exc
                return
            for waiting in batch:
                waiting.outcome = True

    def _insert(self, rows: list[dict[str, Any]]) -> None:
        """One transaction with every row (under `_committing`): the file of its own through the driver, the
        database's table through SQLAlchemy Core."""
        if self.own_engine is None:
            with self._engine.begin() as connection:  # Core: no unit of work to run
                connection.execute(_INSERT, rows)
            return
        if self._appender is None:
            self._appender = self.own_engine.raw_connection()  # with the engine's pragmas; the driver in autocommit
            self._stamp = _stamper(self.own_engine.dialect)
        driver, stamp = self._appender.driver_connection, self._stamp
        values = [stamp(r[c]) if c == "received_at" else r[c] for r in rows for c in _COLUMNS]
        try:
            # One statement, outside any explicit transaction (the driver connection is in autocommit mode):
            # SQLite makes it a transaction of its own, all rows or none, in one call into the driver. Each
            # call lets go of the interpreter lock, and with sixteen requests in flight getting it back is
            # what an acknowledgement waits for most.
            driver.execute(_append_sql(len(rows)), values)
        except BaseException:
            self._appender.invalidate()  # the next append reconnects
            self._appender = None
            raise

    def pending(self, limit: int = 100) -> list[ReceivedStep]:
        """This process's steps not yet done, oldest first."""
        with self.sessions() as s:
            rows = s.execute(
                select(_STEPS.c.id, _STEPS.c.seq, _STEPS.c.kind, _STEPS.c.body_enc, _STEPS.c.received_at)
                .where(_STEPS.c.board_id == self.board_id, _STEPS.c.owner == self.owner)
                .order_by(_STEPS.c.received_at, _STEPS.c.seq)
                .limit(limit)
            ).all()
        return [
            ReceivedStep(
                row.id,
                row.seq,
                row.kind,
                _body(open_json(self.cipher, row.body_enc, table=_TABLE, column=_COLUMN, row_id=row.id))
                if row.body_enc
                else {},
                row.received_at,
            )
            for row in rows
        ]

    def done(self, *step_ids: str) -> None:
        """Let go of steps worked on, in one short transaction (the worker lets go of a few at a time, so it
        holds the file's write lock, which appends wait for, as seldom as it can)."""
        if not step_ids:
            return
        with self._write(), self.sessions.begin() as s:
            s.execute(delete(_STEPS).where(_STEPS.c.id.in_(step_ids), _STEPS.c.owner == self.owner))

    def adopt_stale(self, now: datetime) -> int:
        """Take over the steps of processes that stopped before working on them (received more than
        `stale_after` ago and still here); how many."""
        with self._write(), self.sessions.begin() as s:
            result = s.execute(
                update(_STEPS)
                .where(
                    _STEPS.c.board_id == self.board_id,
                    _STEPS.c.owner != self.owner,
                    _STEPS.c.received_at < now - self.stale_after,
                )
                .values(owner=self.owner)
            )
            return int(getattr(result, "rowcount", 0) or 0)


def steps_file(engine: Engine) -> Path | None:
    """On SQLite, the file of its own the steps are kept in beside the database (whether or not it exists yet);
    None where they are a table of the database."""
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:":
        return None
    return Path(database + ".steps")


@contextmanager
def steps_file_sessions(engine: Engine) -> Iterator[sessionmaker[Session] | None]:
    """Sessions on the steps' file of its own, if there is one (for key rotation and backups; closed after)."""
    path = steps_file(engine)
    if path is None or not path.exists():
        yield None
        return
    own = make_engine(sqlite_url(path), synchronous_of(engine))  # rotation rewrites its rows: as durable
    try:
        _STEPS.create(own, checkfirst=True)
        yield make_sessions(own)
    finally:
        own.dispose()


STEPS_TABLE = _STEPS


def open_received_steps(
    engine: Engine, sessions: sessionmaker[Session], cipher: FieldCipher, board_id: str, *, owner: str | None = None
) -> ReceivedSteps:
    """The store's received steps: in the database's own table, or on SQLite in a file beside it."""
    path = steps_file(engine)
    if path is None:
        return ReceivedSteps(sessions, cipher, board_id, serialise_writes=engine.dialect.name == "sqlite", owner=owner)
    # As durable as the database (its connect hook sets synchronous; the appender is one of its connections):
    # the step is acknowledged to Slack once its append has committed, and Slack does not resend it.
    own = make_engine(sqlite_url(path), synchronous_of(engine))

    @event.listens_for(own, "connect")
    def _no_checkpoint_on_commit(dbapi_connection: Any, _record: Any) -> None:
        # A commit that crosses the log's threshold copies it into the file (and syncs it): tens of
        # milliseconds an acknowledgement must not wait for. The worker does it instead (`fold`).
        dbapi_connection.execute("PRAGMA wal_autocheckpoint=0")

    _STEPS.create(own, checkfirst=True)  # with its index
    steps = ReceivedSteps(make_sessions(own), cipher, board_id, serialise_writes=True, owner=owner)
    steps.own_engine = own
    return steps


def _body(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {"value": json.dumps(value)}
