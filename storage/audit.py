"""Append-only, hash-chained audit log (DESIGN.md §5).

Each row's hash is an HMAC (under the board's audit key) of the previous row's hash and the row's own
fields, so a row cannot be edited, inserted, deleted or moved without `verify` noticing, and someone who
can write to the database but does not hold the key cannot forge a consistent chain. The anchor row holds
the head, so deleting rows from the end is noticed too.

Detail must never hold personal data: ids, field names, states and counts only.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from storage.tables.audit import AuditAnchorRow, AuditRow
from storage.tables.base import table_of

GENESIS = "0" * 64
_ANCHOR = table_of(AuditAnchorRow)
_LOG = table_of(AuditRow)
# Built once, executed with parameters: building and hashing a statement costs several times more than
# running it, and every change and every read of personal data appends here.
# Reserves `count` sequence numbers at once and returns the last of them with the head before the batch.
_BUMP = (
    update(_ANCHOR)
    .where(_ANCHOR.c.board_id == bindparam("anchor_board"))
    .values(seq=_ANCHOR.c.seq + bindparam("count"))
    .returning(_ANCHOR.c.seq, _ANCHOR.c.head_hash)
)
_INSERT = insert(_LOG)
_HEAD = update(_ANCHOR).where(_ANCHOR.c.board_id == bindparam("anchor_board")).values(head_hash=bindparam("head"))


def _row_hash(
    key: bytes,
    prev_hash: str,
    *,
    seq: int,
    at: datetime,
    board_id: str,
    actor: str,
    action: str,
    case_ref: str,
    detail: str,
) -> str:
    body = json.dumps(
        [prev_hash, seq, at.isoformat(), board_id, actor, action, case_ref, detail],
        separators=(",", ":"),
        ensure_ascii=True,
    )
    return hmac.new(key, body.encode("ascii"), hashlib.sha256).hexdigest()


def ensure_anchor(session: Session, board_id: str) -> None:
    """Create the board's anchor row if missing, safely when several processes do it at once."""
    values = {"board_id": board_id, "seq": 0, "head_hash": GENESIS}
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(pg_insert(AuditAnchorRow).values(values).on_conflict_do_nothing())
    elif dialect == "sqlite":
        session.execute(sqlite_insert(AuditAnchorRow).values(values).on_conflict_do_nothing())
    elif session.get(AuditAnchorRow, board_id) is None:
        session.execute(insert(AuditAnchorRow).values(values))


@dataclass(frozen=True)
class AuditRecord:
    """One entry to append (see `AuditLog.append_many`)."""

    at: datetime
    actor: str
    action: str
    case_ref: str = ""
    detail: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    at: datetime
    actor: str
    action: str
    case_ref: str
    detail: dict[str, Any]


class AuditLog:
    def __init__(self, board_id: str, key: bytes) -> None:
        self._board_id = board_id
        self._key = key

    def append(
        self,
        session: Session,
        *,
        at: datetime,
        actor: str,
        action: str,
        case_ref: str = "",
        detail: Mapping[str, Any] | None = None,
    ) -> int:
        """Append one entry inside the caller's transaction; returns its sequence number."""
        record = AuditRecord(at=at, actor=actor, action=action, case_ref=case_ref, detail=detail or {})
        return self.append_many(session, [record])[0]

    def append_many(self, session: Session, records: Sequence[AuditRecord]) -> list[int]:
        """Append entries in order inside the caller's transaction; returns their sequence numbers.

        The chain is exactly what as many `append` calls would make (each entry's hash covers the one
        before), but the anchor is locked and moved once for the batch and the rows go in one executemany:
        a reminder sweep queues dozens of messages in one transaction."""
        if not records:
            return []
        # Bumping the anchor first takes its row lock (PostgreSQL) or the write lock (SQLite), so
        # concurrent appends queue here and the chain stays linear.
        bumped = session.execute(_BUMP, {"anchor_board": self._board_id, "count": len(records)}).one_or_none()
        if bumped is None:
            ensure_anchor(session, self._board_id)
            return self.append_many(session, records)
        last_seq, prev_hash = bumped
        first_seq = int(last_seq) - len(records) + 1
        rows: list[dict[str, Any]] = []
        for seq, record in enumerate(records, start=first_seq):
            detail_json = json.dumps(dict(record.detail), sort_keys=True, separators=(",", ":"), default=str)
            digest = _row_hash(
                self._key,
                prev_hash,
                seq=seq,
                at=record.at,
                board_id=self._board_id,
                actor=record.actor,
                action=record.action,
                case_ref=record.case_ref,
                detail=detail_json,
            )
            rows.append(
                {
                    "board_id": self._board_id,
                    "seq": seq,
                    "at": record.at,
                    "actor": record.actor,
                    "action": record.action,
                    "case_ref": record.case_ref,
                    "detail": detail_json,
                    "prev_hash": prev_hash,
                    "hash": digest,
                }
            )
            prev_hash = digest
        session.execute(_INSERT, rows)
        session.execute(_HEAD, {"anchor_board": self._board_id, "head": prev_hash})
        return list(range(first_seq, first_seq + len(records)))

    def verify(self, session: Session) -> list[str]:
        """Every inconsistency found, in order; an empty list means the chain is intact."""
        problems: list[str] = []
        expected_seq = 1
        prev_hash = GENESIS
        rows = session.scalars(select(AuditRow).where(AuditRow.board_id == self._board_id).order_by(AuditRow.seq))
        for row in rows:
            if row.seq != expected_seq:
                problems.append(f"entry {expected_seq} is missing (next entry found is {row.seq})")
            if row.prev_hash != prev_hash:
                problems.append(f"entry {row.seq} does not follow the entry before it (deleted, inserted or moved)")
            digest = _row_hash(
                self._key,
                row.prev_hash,
                seq=row.seq,
                at=row.at,
                board_id=row.board_id,
                actor=row.actor,
                action=row.action,
                case_ref=row.case_ref,
                detail=row.detail,
            )
            if not hmac.compare_digest(digest, row.hash):
                problems.append(f"entry {row.seq} has been altered (its hash does not match its content)")
            prev_hash = row.hash
            expected_seq = row.seq + 1
        anchor = session.get(AuditAnchorRow, self._board_id)
        last_seq = expected_seq - 1
        if anchor is None:
            if last_seq:
                problems.append("the audit anchor is missing")
        else:
            if anchor.seq != last_seq:
                problems.append(
                    f"the log ends at entry {last_seq} but the anchor says {anchor.seq} (entries removed or added)"
                )
            elif anchor.head_hash != prev_hash:
                problems.append("the last entry is not the one the anchor recorded")
        return problems

    def head(self, session: Session) -> tuple[int, str]:
        anchor = session.get(AuditAnchorRow, self._board_id)
        return (anchor.seq, anchor.head_hash) if anchor else (0, GENESIS)

    def entries(self, session: Session, *, case_ref: str | None = None, limit: int = 1000) -> list[AuditEntry]:
        query = select(AuditRow).where(AuditRow.board_id == self._board_id)
        if case_ref is not None:
            query = query.where(AuditRow.case_ref == case_ref)
        rows = session.scalars(query.order_by(AuditRow.seq.desc()).limit(limit))
        return [AuditEntry(r.seq, r.at, r.actor, r.action, r.case_ref, json.loads(r.detail)) for r in rows][::-1]
