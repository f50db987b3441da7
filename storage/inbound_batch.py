"""A poll's messages stored together: one transaction for the batch instead of one a message (issue 15 §3,
mail ingest). Each message is stored (sealed) or found stored already, as `InboundStore.store` does one, and a
row a run before left `received` counts one more attempt (`InboundStore.retry`), all committed before any of
them is read: a message that stops the process while it is read is counted, as it is one at a time."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import Connection, Engine, bindparam, update

from storage.inbound import InboundStatus, InboundStore, Stored, summary_of
from storage.inbound_statements import BY_DEDUPE_KEY, T

_RETRY = (
    update(T)
    .where(T.c.id == bindparam("ref_id"), T.c.status == InboundStatus.RECEIVED.value)
    .values(attempts=T.c.attempts + 1, updated_at=bindparam("now"))
    .returning(T.c.attempts)
)


@dataclass(frozen=True)
class Arriving:
    """A message to store: `raw` is what is kept (only the head of one too large), `size` its full size."""

    raw: bytes
    dedupe_key: str
    message_id: str
    size: int
    truncated: bool

    def __repr__(self) -> str:  # the bytes and the Message-ID are personal data
        return f"Arriving(size={self.size}, truncated={self.truncated})"


def store_batch(inbound: InboundStore, messages: Sequence[Arriving], *, now: datetime, source: str) -> list[Stored]:
    """Store each message, or find it stored already, in one transaction committed on return. The keys must
    differ (the caller treats a second copy in the same batch as a repeat of the first)."""
    if len({m.dedupe_key for m in messages}) != len(messages):
        raise ValueError("the same message twice in one batch")
    rows = [
        inbound.new_row(
            m.raw,
            dedupe_key=m.dedupe_key,
            message_id=m.message_id,
            now=now,
            source=source,
            size=m.size,
            truncated=m.truncated,
        )
        for m in messages
    ]
    engine = cast(Engine, inbound.sessions.kw["bind"])
    with engine.begin() as connection:
        # One INSERT for the batch (SQLAlchemy's "insert many values"); a message stored before is skipped by
        # the conflict clause, and only the new rows' ids come back.
        inserted = {hit.id for hit in connection.execute(inbound.insert_new, rows)} if rows else set()
        return [
            Stored(row["id"], InboundStatus.RECEIVED, True)
            if row["id"] in inserted
            else _found(inbound, connection, row["dedupe_key"], now)
            for row in rows
        ]


def _found(inbound: InboundStore, connection: Connection, dedupe_key: str, now: datetime) -> Stored:
    """Stored before: delivered twice, fetched again after a crash, or by another process just now."""
    hit = connection.execute(BY_DEDUPE_KEY, {"ref_board": inbound.board_id, "key": dedupe_key}).one_or_none()
    if hit is None:
        raise RuntimeError("an inbound message was neither stored nor found")
    if hit.status == InboundStatus.RECEIVED.value:
        # Left unfinished by a run before: one more attempt (committed before it is read again).
        attempts = connection.execute(_RETRY, {"ref_id": hit.id, "now": now}).scalar_one_or_none()
        if attempts is not None:
            return Stored(hit.id, InboundStatus.RECEIVED, False, int(attempts))
        hit = connection.execute(BY_DEDUPE_KEY, {"ref_board": inbound.board_id, "key": dedupe_key}).one()
    return Stored(hit.id, InboundStatus(hit.status), False, hit.attempts, summary_of(hit))
