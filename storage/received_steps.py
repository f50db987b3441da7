"""Conversation steps as received, kept from acknowledgement until worked on (issue 15 §3).

Before a chat front end acknowledges a step (Slack does not resend one it saw acknowledged) it appends the
request body here, sealed, in one short INSERT; the ordering, de-duplication and draft update happen later on
a worker, which deletes the row once the step is done. A process that dies in between leaves its rows; any
process takes over rows whose owner has not finished them within `stale_after` (a live process works on its
steps within seconds), so a step is never lost, and at worst worked on again after a crash mid-step.
"""

from __future__ import annotations

import itertools
import json
import threading
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from storage.crypto import FieldCipher, open_json, seal_json
from storage.tables import ReceivedStepRow
from storage.tables.base import new_id, table_of

_TABLE = "received_steps"
_COLUMN = "body_enc"
_STEPS = table_of(ReceivedStepRow)


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
    ) -> None:
        self.sessions = sessions
        self.cipher = cipher
        self.board_id = board_id
        self.stale_after = stale_after
        self.owner = uuid.uuid4().hex  # this process's steps
        self._seq = itertools.count()
        self._lines = [threading.Lock() for _ in range(64)]

    def append(self, kind: str, person: str, body: dict[str, Any], now: datetime) -> int:
        """Keep a step as received; its place in this process's line. One INSERT, nothing else."""
        step_id = new_id()
        sealed = seal_json(self.cipher, body, table=_TABLE, column=_COLUMN, row_id=step_id)
        # One person's steps are numbered and committed one at a time, so a worker that sees a later step of
        # theirs has already been able to see every earlier one. Other people's appends do not wait.
        with self._lines[hash(person) % len(self._lines)], self.sessions.begin() as s:
            seq = next(self._seq)
            s.execute(
                insert(_STEPS).values(
                    id=step_id,
                    board_id=self.board_id,
                    owner=self.owner,
                    seq=seq,
                    kind=kind,
                    body_enc=sealed,
                    received_at=now,
                )
            )
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
        with self.sessions.begin() as s:
            s.execute(delete(_STEPS).where(_STEPS.c.id == step_id, _STEPS.c.owner == self.owner))

    def adopt_stale(self, now: datetime) -> int:
        """Take over the steps of processes that stopped before working on them (received more than
        `stale_after` ago and still here); how many."""
        with self.sessions.begin() as s:
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


def _body(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {"value": json.dumps(value)}
