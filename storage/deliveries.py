"""Inbound deliveries already taken, so a retried delivery (Slack resends an event it thinks was lost, with
the same event id and an `x-slack-retry-num` header) does nothing twice, across restarts and processes.

The unique key does the work: the first process to insert (board, source, id) wins; everyone else sees it
is a repeat. Rows older than `keep_for` are pruned (Slack retries within minutes).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, insert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from storage.db import rowcount
from storage.tables import SeenDeliveryRow


class DeliveryLog:
    def __init__(
        self, sessions: sessionmaker[Session], board_id: str, *, keep_for: timedelta = timedelta(days=2)
    ) -> None:
        self.sessions = sessions
        self.board_id = board_id
        self.keep_for = keep_for
        self._last_prune: datetime | None = None

    def first_time(self, source: str, delivery_id: str, now: datetime) -> bool:
        """True the first time (board, source, id) is seen; False for every repeat."""
        values = {"board_id": self.board_id, "source": source, "delivery_id": delivery_id[:200], "received_at": now}
        with self.sessions.begin() as s:
            dialect = s.get_bind().dialect.name
            # RETURNING, not rowcount: psycopg reports -1 for INSERT ... ON CONFLICT DO NOTHING through the ORM.
            if dialect in {"postgresql", "sqlite"}:
                make = pg_insert if dialect == "postgresql" else sqlite_insert
                statement = make(SeenDeliveryRow).values(values).on_conflict_do_nothing()
                taken = len(s.execute(statement.returning(SeenDeliveryRow.delivery_id)).all())
            else:  # pragma: no cover - other databases
                try:
                    with s.begin_nested():
                        s.execute(insert(SeenDeliveryRow).values(values))
                    taken = 1
                except IntegrityError:
                    taken = 0
        if self._last_prune is None or now - self._last_prune > timedelta(hours=1):
            self.prune(now)
        return taken == 1

    def prune(self, now: datetime) -> int:
        self._last_prune = now
        with self.sessions.begin() as s:
            return rowcount(
                s.execute(
                    delete(SeenDeliveryRow).where(
                        SeenDeliveryRow.board_id == self.board_id, SeenDeliveryRow.received_at < now - self.keep_for
                    )
                )
            )
