"""Which conversation steps have been applied, recorded in the transaction that applied them (issue 15 §3).

The step worker (bot/slack/steps.py) deletes a step once it is done; a worker killed after a step's changes
were committed but before the delete would otherwise apply the step again when it (or another) takes the
row over: a "Back" pressed once would go back twice. So while a step is being worked on (`fencing`), the
first transaction in this thread that writes also records the step's id (a seen-delivery row, source
"step"), atomically with the change: a step already recorded is not applied again (`already`), and a second
worker racing on the same step fails to commit its copy (rolled back, nothing changed twice). A step that
writes nothing (a question asked again) has nothing to protect.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import event, exists, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker

from errors import Conflict
from storage.tables import SeenDeliveryRow

SOURCE = "step"


class StepAlreadyApplied(Conflict):
    """Another worker applied this step first: this copy is rolled back."""


@dataclass
class _Armed:
    board_id: str
    step_id: str
    now: datetime
    also: tuple[tuple[str, str], ...] = ()  # deliveries recorded with the step, e.g. ("slack", event id)
    recorded: bool = False


_armed = threading.local()


class AppliedSteps:
    def __init__(self, sessions: sessionmaker[Session], board_id: str) -> None:
        self.sessions = sessions
        self.board_id = board_id
        # On this store's sessions only (every other session, e.g. a benchmark's filing, pays nothing).
        if not event.contains(sessions, "before_commit", _record):
            event.listen(sessions, "do_orm_execute", _note_write)
            event.listen(sessions, "after_flush", _note_flush)
            event.listen(sessions, "before_commit", _record)

    def already(self, step_id: str) -> bool:
        with self.sessions() as s:
            return bool(s.scalar(select(exists().where(*_key(self.board_id, step_id)))))

    def seen(self, source: str, delivery_id: str) -> bool:
        """Whether a delivery (a Slack event id) has been recorded, without recording it."""
        with self.sessions() as s:
            return bool(s.scalar(select(exists().where(*_key(self.board_id, delivery_id, source)))))

    @contextmanager
    def fencing(self, step_id: str, now: datetime, *, also: tuple[tuple[str, str], ...] = ()) -> Iterator[_Armed]:
        """Work on a step in this block: its first writing transaction records it, and the deliveries in
        `also` (a retried Slack event then finds its event id taken in the same commit as the change the first
        delivery made). Yields whether that happened (`.recorded`): a step that wrote nothing records them after."""
        armed = _armed.step = _Armed(self.board_id, step_id, now, also)
        try:
            yield armed
        finally:
            _armed.step = None


def _key(board_id: str, delivery_id: str, source: str = SOURCE) -> tuple[Any, ...]:
    return (
        SeenDeliveryRow.board_id == board_id,
        SeenDeliveryRow.source == source,
        SeenDeliveryRow.delivery_id == delivery_id[:200],
    )


def note_write(session: Session) -> None:
    """Tell the step being worked on (if any) that `session` wrote: for writes that go round the session's
    execute, on the driver's connection (storage/driver_sql.py)."""
    if getattr(_armed, "step", None) is not None:
        session.info["wrote"] = True


def _note_write(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        note_write(state.session)


def _note_flush(session: Session, _context: Any) -> None:
    if getattr(_armed, "step", None) is not None:
        session.info["wrote"] = True


def _record(session: Session) -> None:
    armed: _Armed | None = getattr(_armed, "step", None)
    if armed is None or armed.recorded:
        return
    wrote = session.info.pop("wrote", False) or bool(session.new or session.dirty or session.deleted)
    if not wrote:
        return
    armed.recorded = True  # first, so the inserts below are not themselves taken for the step's write
    make = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    for source, delivery_id in ((SOURCE, armed.step_id), *armed.also):
        values = {"board_id": armed.board_id, "source": source, "delivery_id": delivery_id[:200]}
        statement = (
            make(SeenDeliveryRow)
            .values(**values, received_at=armed.now)
            .on_conflict_do_nothing()
            .returning(SeenDeliveryRow.delivery_id)
        )
        if not session.execute(statement).all():
            raise StepAlreadyApplied("this conversation step (or its delivery) was applied by another worker")
