"""Append-only, hash-chained audit log (DESIGN.md §5).

Each row's hash is an HMAC (under the board's audit key) of the previous row's hash and the row's own
fields, so a row cannot be edited, inserted, deleted or moved without `verify` noticing, and someone who
can write to the database but does not hold the key cannot forge a consistent chain. The anchor row holds
the head, signed with the same key (over board id, seq and head hash), so deleting rows from the end is
noticed too: the anchor cannot be moved back to an earlier entry without the key.

A missing anchor on a database that holds data (cases, messages or audit entries) means the log was cut:
`verify` says so, and the next append starts again from what is left behind an `audit.anchor_restored`
entry, which `verify` reports for ever after. An anchor from a version before signing stays unsigned (and is
reported) until `scrbot audit sign-anchor` signs it, once, after checking the chain; appends never sign an
anchor whose signature they cannot check, so a rewritten anchor is never laundered by the next append.

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

from sqlalchemy import bindparam, case, exists, func, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

from errors import Conflict
from storage.driver_sql import DriverStatement, driver_of
from storage.tables import CaseRow, InboundMessageRow, OutboxRow
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
    .returning(_ANCHOR.c.seq, _ANCHOR.c.head_hash, _ANCHOR.c.signature)
)
_INSERT = insert(_LOG)
_HEAD = (
    update(_ANCHOR)
    .where(_ANCHOR.c.board_id == bindparam("anchor_board"))
    .values(head_hash=bindparam("head"), signature=bindparam("signature"))
)
_ROW_KEYS = ("board_id", "seq", "at", "actor", "action", "case_ref", "detail", "prev_hash", "hash")
RESTORED = "audit.anchor_restored"
SIGNED = "audit.anchor_signed"


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


def anchor_signature(key: bytes, board_id: str, seq: int, head_hash: str) -> str:
    body = json.dumps(["anchor/v1", board_id, seq, head_hash], separators=(",", ":"), ensure_ascii=True)
    return hmac.new(key, body.encode("ascii"), hashlib.sha256).hexdigest()


def holds_data(session: Session, board_id: str) -> bool:
    """Whether the board has anything an audit chain should cover: a case, a message or an audit entry."""
    tables: list[Any] = [CaseRow, AuditRow, InboundMessageRow, OutboxRow]
    return bool(session.scalar(select(or_(*(exists().where(t.board_id == board_id) for t in tables)))))


def _insert_anchor(session: Session, values: dict[str, Any]) -> bool:
    """Insert the anchor unless one exists (safe when several processes do it at once); True if inserted."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        result = session.execute(pg_insert(AuditAnchorRow).values(values).on_conflict_do_nothing())
    elif dialect == "sqlite":
        result = session.execute(sqlite_insert(AuditAnchorRow).values(values).on_conflict_do_nothing())
    elif session.get(AuditAnchorRow, values["board_id"]) is None:
        result = session.execute(insert(AuditAnchorRow).values(values))
    else:
        return False
    return bool(getattr(result, "rowcount", 0))


def ensure_anchor(session: Session, board_id: str, key: bytes) -> bool:
    """Create a fresh board's signed anchor; True if created. On a database that already holds the board's
    data a missing anchor means the log was cut: nothing is created here, so `verify` reports it."""
    if session.get(AuditAnchorRow, board_id) is not None or holds_data(session, board_id):
        return False
    values = {"board_id": board_id, "seq": 0, "head_hash": GENESIS}
    return _insert_anchor(session, {**values, "signature": anchor_signature(key, board_id, 0, GENESIS)})


class _OnDriver:
    """The append's three statements compiled for SQLite's own connection, once per log."""

    def __init__(self, dialect: Dialect) -> None:
        self.bump = DriverStatement(_BUMP, dialect)
        self.insert = DriverStatement(_INSERT, dialect, _ROW_KEYS)
        self.head = DriverStatement(_HEAD, dialect)


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
        self._on_driver: _OnDriver | None = None

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
            if not ensure_anchor(session, self._board_id, self._key):
                self._restore_anchor(session, records[0].at)
            return self.append_many(session, records)
        last_seq, prev_hash, signature = bumped
        rows, head, new_signature = self._chain(int(last_seq), prev_hash, signature, records)
        session.execute(_INSERT, rows)
        session.execute(_HEAD, {"anchor_board": self._board_id, "head": head, "signature": new_signature})
        first_seq = int(last_seq) - len(records) + 1
        return list(range(first_seq, first_seq + len(records)))

    def append_on_driver(self, session: Session, records: Sequence[AuditRecord]) -> list[int]:
        """`append_many` on SQLite's own connection, in the caller's transaction: the same statements and rows,
        without SQLAlchemy's per-statement work (storage/driver_sql.py; filing a referral, issue 15 §3). A missing
        anchor (and any other backend) takes `append_many`'s way."""
        connection = session.connection()
        if not records or connection.dialect.name != "sqlite":
            return self.append_many(session, records)
        on_driver = self._on_driver
        if on_driver is None:
            on_driver = self._on_driver = _OnDriver(connection.dialect)
        driver = driver_of(connection)
        bumped = on_driver.bump.execute(driver, {"anchor_board": self._board_id, "count": len(records)}).fetchone()
        if bumped is None:
            return self.append_many(session, records)
        last_seq, prev_hash, signature = bumped
        rows, head, new_signature = self._chain(int(last_seq), prev_hash, signature, records)
        on_driver.insert.executemany(driver, rows)
        on_driver.head.execute(driver, {"anchor_board": self._board_id, "head": head, "signature": new_signature})
        first_seq = int(last_seq) - len(records) + 1
        return list(range(first_seq, first_seq + len(records)))

    def _chain(
        self, last_seq: int, prev_hash: str, signature: str | None, records: Sequence[AuditRecord]
    ) -> tuple[list[dict[str, Any]], str, str | None]:
        """The entries' rows once the anchor has moved to `last_seq` (from head `prev_hash`), the new head, and
        the anchor's new signature."""
        first_seq = last_seq - len(records) + 1
        # Only an anchor whose signature checks out is signed again: a rewritten or unsigned one stays
        # unverifiable, so `verify` keeps reporting it.
        valid = signature is not None and hmac.compare_digest(
            signature, anchor_signature(self._key, self._board_id, first_seq - 1, prev_hash)
        )
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
        new_signature = anchor_signature(self._key, self._board_id, last_seq, prev_hash) if valid else signature
        return rows, prev_hash, new_signature

    def _restore_anchor(self, session: Session, at: datetime) -> None:
        """The anchor of a board with data is gone: carry on from the last entry left, and say so in the chain
        itself (an entry nobody can forge without the key, which `verify` reports from then on)."""
        last = session.execute(
            select(AuditRow.seq, AuditRow.hash)
            .where(AuditRow.board_id == self._board_id)
            .order_by(AuditRow.seq.desc())
            .limit(1)
        ).one_or_none()
        seq, head = (int(last[0]), str(last[1])) if last is not None else (0, GENESIS)
        values = {"board_id": self._board_id, "seq": seq, "head_hash": head}
        if not _insert_anchor(session, {**values, "signature": anchor_signature(self._key, self._board_id, seq, head)}):
            return  # another process restored it just now (and wrote the entry)
        cases = session.scalar(select(func.count()).select_from(CaseRow).where(CaseRow.board_id == self._board_id))
        self.append(
            session,
            at=at,
            actor="system",
            action=RESTORED,
            detail={"entries_left": seq, "cases": int(cases or 0)},
        )

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
            if row.action == RESTORED:
                problems.append(
                    f"entry {row.seq}: the audit anchor was missing on {row.at:%Y-%m-%d %H:%M} UTC and was re-created "
                    "after the last entry left; entries after that may have been removed"
                )
        problems += self._check_anchor(session, expected_seq - 1, prev_hash)
        return problems

    def _check_anchor(self, session: Session, last_seq: int, last_hash: str) -> list[str]:
        anchor = session.get(AuditAnchorRow, self._board_id)
        if anchor is None:
            if last_seq or holds_data(session, self._board_id):
                return ["the audit anchor is missing although the database holds this board's data (log cut)"]
            return []
        problems: list[str] = []
        if anchor.signature is None:
            problems.append(
                "the audit anchor is not signed (written by an older version, or its signature was removed); "
                "if this database was just upgraded, run `scrbot audit sign-anchor` once"
            )
        elif not hmac.compare_digest(
            anchor.signature, anchor_signature(self._key, self._board_id, anchor.seq, anchor.head_hash)
        ):
            problems.append("the audit anchor's signature does not match it (the anchor was rewritten)")
        if anchor.seq != last_seq:
            problems.append(
                f"the log ends at entry {last_seq} but the anchor says {anchor.seq} (entries removed or added)"
            )
        elif anchor.head_hash != last_hash:
            problems.append("the last entry is not the one the anchor recorded")
        return problems

    def sign_anchor(self, session: Session, *, at: datetime, actor: str) -> int:
        """Sign an anchor written before anchors were signed, once, if the chain behind it is intact; returns
        the sequence number it covers. Refused if it is signed, if the chain has problems, or if an anchor was
        signed this way before (an unsigned anchor after that means someone changed it)."""
        anchor = session.get(AuditAnchorRow, self._board_id, with_for_update=True)
        if anchor is None:
            raise Conflict("there is no audit anchor to sign; run `scrbot audit verify`")
        if anchor.signature is not None:
            raise Conflict("the audit anchor is already signed")
        earlier = session.scalar(
            select(AuditRow.seq).where(AuditRow.board_id == self._board_id, AuditRow.action == SIGNED).limit(1)
        )
        if earlier is not None:
            raise Conflict(
                f"the audit anchor was signed before (entry {earlier}); an unsigned anchor now means it was changed: "
                "run `scrbot audit verify`"
            )
        problems = [p for p in self.verify(session) if "is not signed" not in p]
        if problems:
            raise Conflict(f"the audit chain has {len(problems)} problem(s); not signing: {problems[0]}")
        covered = anchor.seq
        anchor.signature = anchor_signature(self._key, self._board_id, anchor.seq, anchor.head_hash)
        session.flush()
        self.append(session, at=at, actor=actor, action=SIGNED, detail={"covers": covered})
        return covered

    def head(self, session: Session) -> tuple[int, str]:
        anchor = session.get(AuditAnchorRow, self._board_id)
        return (anchor.seq, anchor.head_hash) if anchor else (0, GENESIS)

    def entries(self, session: Session, *, case_ref: str | None = None, limit: int = 1000) -> list[AuditEntry]:
        query = select(AuditRow).where(AuditRow.board_id == self._board_id)
        if case_ref is not None:
            query = query.where(AuditRow.case_ref == case_ref)
        rows = session.scalars(query.order_by(AuditRow.seq.desc()).limit(limit))
        return [AuditEntry(r.seq, r.at, r.actor, r.action, r.case_ref, json.loads(r.detail)) for r in rows][::-1]


def append_for_boards(session: Session, batches: Sequence[tuple[AuditLog, Sequence[AuditRecord]]]) -> None:
    """`append_many` for several boards at once (a reminder pass over a deployment): every anchor moved in one
    statement, every board's entries in one executemany and every head in another, rather than three
    statements a board. Each board's chain is exactly what its own `append_many` makes, hashed and signed
    with its own key. Anchors are locked in board id order (the UPDATE walks the anchors' primary key), as
    the sweep takes its boards. A board whose anchor is missing goes through `append_many`, which makes or
    restores it."""
    wanted = {log._board_id: (log, records) for log, records in batches if records}
    if not wanted:
        return
    counts = case({board_id: len(records) for board_id, (_, records) in wanted.items()}, value=_ANCHOR.c.board_id)
    bumped = session.execute(
        update(_ANCHOR)
        .where(_ANCHOR.c.board_id.in_(sorted(wanted)))
        .values(seq=_ANCHOR.c.seq + counts)
        .returning(_ANCHOR.c.board_id, _ANCHOR.c.seq, _ANCHOR.c.head_hash, _ANCHOR.c.signature)
    ).all()
    rows: list[dict[str, Any]] = []
    heads: list[dict[str, Any]] = []
    for board_id, last_seq, prev_hash, signature in bumped:
        log, records = wanted.pop(board_id)
        chained, head, new_signature = log._chain(int(last_seq), prev_hash, signature, records)
        rows += chained
        heads.append({"anchor_board": board_id, "head": head, "signature": new_signature})
    if rows:
        session.execute(_INSERT, rows)
        session.execute(_HEAD, heads)
    for log, records in wanted.values():
        log.append_many(session, records)
