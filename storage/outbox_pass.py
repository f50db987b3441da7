"""Outbox rows for a reminder pass over many boards (notify/board_sweeps.py): every board's messages looked up
and stored in one statement, rather than one a board. Each row carries its own board id and was sealed with
its own board's keys (`OutboxRows.values`); each key is looked up under its own board."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import bindparam, insert, select
from sqlalchemy.orm import Session

from storage.tables import OutboxRow
from storage.tables.base import table_of

_TABLE = table_of(OutboxRow)
_LOOKUP_CHUNK = 500  # idempotency keys per IN (...) lookup
_IDS_FOR_KEYS_OF = select(OutboxRow.board_id, OutboxRow.idempotency_key, OutboxRow.id).where(
    OutboxRow.board_id.in_(bindparam("board_ids", expanding=True)),
    OutboxRow.idempotency_key.in_(bindparam("keys", expanding=True)),
)


def insert_rows(s: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Store sealed message rows (`OutboxRows.values`), of one board or, for a reminder pass, of several: each
    row carries its own board id and was sealed with that board's keys."""
    if not rows:
        return
    s.flush()  # rows the caller added through the ORM (a case, say) go in before ours refer to them
    s.execute(insert(_TABLE), list(rows))


def ids_for_keys_of(s: Session, keys: Mapping[str, Iterable[str]]) -> dict[str, dict[str, str]]:
    """`OutboxRows.ids_for_keys` for several boards at once (board id -> key -> id), each key looked up under
    its own board: one statement a chunk for a reminder pass over a deployment rather than one a board."""
    wanted = {(board_id, key) for board_id, board_keys in keys.items() for key in board_keys}
    boards = sorted(keys)
    all_keys = sorted({key for _, key in wanted})
    found: dict[str, dict[str, str]] = {}
    for start in range(0, len(all_keys), _LOOKUP_CHUNK):
        chunk = all_keys[start : start + _LOOKUP_CHUNK]
        for board_id, key, row_id in s.execute(_IDS_FOR_KEYS_OF, {"board_ids": boards, "keys": chunk}):
            if (board_id, key) in wanted:
                found.setdefault(board_id, {})[key] = row_id
    return found
