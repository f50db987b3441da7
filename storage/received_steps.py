"""Conversation steps as received, kept from acknowledgement until worked on (issue 15 §3).

Before a chat front end acknowledges a step (Slack does not resend one it saw acknowledged) it appends the
request body here, sealed, in one short INSERT; the ordering, de-duplication and draft update happen later on
a worker, which deletes the row once the step is done. A process that dies in between leaves its rows; any
process takes over rows whose owner has not finished them within `stale_after` (a live process works on its
steps within seconds), so a step is never lost, and at worst worked on again after a crash mid-step.

On SQLite the steps are kept in a file of their own beside the database (`<database>.steps`): an append must
not queue for the database's single write lock behind a step being worked on, and appends in this process
take turns on a lock of ours rather than SQLite's sleeping busy handler. On PostgreSQL they are a table of the
store like any other (inserts do not wait for each other there).
"""

from __future__ import annotations

import itertools
import json
import threading
import uuid
from contextlib import AbstractContextManager, nullcontext
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
    ) -> None:
        self.sessions = sessions
        self._engine: Engine = sessions.kw["bind"]
        self.cipher = cipher
        self.board_id = board_id
        self.stale_after = stale_after
        self.owner = uuid.uuid4().hex  # this process's steps
        self._seq = itertools.count()
        self._queueing = threading.Lock()
        self._committing = threading.Lock()
        self._queue: list[_Waiting] = []
        self._writing = threading.Lock()
        self._serialise = serialise_writes
        self.own_engine: Engine | None = None  # the file of its own, on SQLite

    def fold(self) -> None:
        """Copy the log of the file of its own into it, off the acknowledgement's path (a no-op elsewhere)."""
        if self.own_engine is not None:
            with self.own_engine.connect() as connection:
                driver = connection.connection.driver_connection
                if driver is not None:
                    driver.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()

    def close(self) -> None:
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
        step_id = new_id()
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
        with self._committing:
            if mine.outcome is None:
                with self._queueing:
                    batch, self._queue = self._queue, []
                try:
                    with self._write(), self._engine.begin() as connection:  # Core: no unit of work to run
                        connection.execute(_INSERT, [w.row for w in batch])
                except BaseException as exc:
                    for waiting in batch:
                        waiting.outcome = exc
                    raise
                for waiting in batch:
                    waiting.outcome = True
        if isinstance(mine.outcome, BaseException):
            raise mine.outcome
        return seq

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

    def done(self, step_id: str) -> None:
        with self._write(), self.sessions.begin() as s:
            s.execute(delete(_STEPS).where(_STEPS.c.id == step_id, _STEPS.c.owner == self.owner))

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


def open_received_steps(
    engine: Engine, sessions: sessionmaker[Session], cipher: FieldCipher, board_id: str
) -> ReceivedSteps:
    """The store's received steps: in the database's own table, or on SQLite in a file beside it."""
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:":
        return ReceivedSteps(sessions, cipher, board_id, serialise_writes=engine.dialect.name == "sqlite")
    # As durable as the database: the step is acknowledged to Slack once its append has committed.
    own = make_engine(sqlite_url(Path(database + ".steps")), synchronous_of(engine))

    @event.listens_for(own, "connect")
    def _no_checkpoint_on_commit(dbapi_connection: Any, _record: Any) -> None:
        # A commit that crosses the log's threshold copies it into the file (and syncs it): tens of
        # milliseconds an acknowledgement must not wait for. The worker does it instead (`fold`).
        dbapi_connection.execute("PRAGMA wal_autocheckpoint=0")

    _STEPS.create(own, checkfirst=True)  # with its index
    steps = ReceivedSteps(make_sessions(own), cipher, board_id, serialise_writes=True)
    steps.own_engine = own
    return steps


def _body(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {"value": json.dumps(value)}
