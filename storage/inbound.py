"""Inbound messages: stored encrypted first, then acted on, then moved out of the mailbox's inbox.

`store` writes the raw bytes (sealed) with a keyed hash of the Message-ID and body, in its own transaction:
a message delivered twice, or fetched again after a crash, finds its existing row and is never acted on
twice. `claim` locks a row still `received` inside the caller's transaction, and `finish` records what was
done with it in that same transaction, so the outcome and the status commit together.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, cast

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from cases.actor import Actor, PermissionDenied
from errors import NotFound
from storage.audit import AuditLog
from storage.crypto import FieldCipher
from storage.db import transaction
from storage.inbound_statements import (
    BY_DEDUPE_KEY,
    FINISH,
    INSERT,
    INSERT_NEW,
    PENDING_NOTICES,
    SELECT_REF,
    SELECT_REF_LOCKED,
    TOLD,
    T,
)
from storage.tables import InboundMessageRow
from storage.tables.base import new_id

TABLE = "inbound_messages"


class InboundStatus(StrEnum):
    RECEIVED = "received"  # stored, not yet acted on
    PROCESSED = "processed"  # acted on (or nothing to do, e.g. an out-of-office reply)
    QUARANTINED = "quarantined"  # not trusted or not understood: a person looks at it
    NEEDS_PERSON = "needs_person"  # trusted but unclear, or waiting for a password
    RELEASED = "released"  # a person has dealt with it


DONE = frozenset(
    {InboundStatus.PROCESSED, InboundStatus.QUARANTINED, InboundStatus.NEEDS_PERSON, InboundStatus.RELEASED}
)
OPEN_FOR_PERSON = (InboundStatus.QUARANTINED, InboundStatus.NEEDS_PERSON)


class InboundNotFound(NotFound):
    def __init__(self, message_id: str) -> None:
        super().__init__(f"no inbound message {message_id}")


@dataclass(frozen=True)
class InboundSummary:
    """A stored message without its content: safe for lists, channels and logs."""

    id: str
    status: InboundStatus
    kind: str
    reason: str
    case_ref: str
    agency_id: str
    source: str
    size: int
    truncated: bool
    received_at: datetime
    updated_at: datetime
    handled_by: str


@dataclass(frozen=True)
class Stored:
    id: str
    status: InboundStatus
    new: bool  # False: the same message was stored before
    attempts: int = 1
    summary: InboundSummary | None = None  # of the row found, when not new


@dataclass(frozen=True)
class InboundDetail:
    summary: InboundSummary
    raw: bytes
    message_id: str
    detail: dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:  # raw and detail hold personal data
        return f"InboundDetail(id={self.summary.id!r}, status={self.summary.status.value})"


@dataclass
class InboundRef:
    """A stored message's row as intake works with it (read and written with Core statements: intake
    touches every inbound message, and the ORM's unit of work would cost more than the work itself)."""

    id: str
    status: str
    kind: str
    reason: str
    case_ref: str
    agency_id: str
    truncated: bool
    raw_enc: bytes | None
    detail_enc: bytes | None
    case_id: str | None
    handled_by: str

    def __repr__(self) -> str:
        return f"InboundRef(id={self.id!r}, status={self.status!r})"


def summary_of(row: Any) -> InboundSummary:
    return InboundSummary(
        id=row.id,
        status=InboundStatus(row.status),
        kind=row.kind,
        reason=row.reason,
        case_ref=row.case_ref,
        agency_id=row.agency_id,
        source=row.source,
        size=row.size,
        truncated=row.truncated,
        received_at=row.received_at,
        updated_at=row.updated_at,
        handled_by=row.handled_by,
    )


class InboundStore:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        board_id: str,
        cipher: FieldCipher,
        index_key: bytes,
        audit: AuditLog,
    ) -> None:
        self.sessions = sessions
        self._engine: Engine = cast(Engine, sessions.kw["bind"])
        self.insert_new = INSERT_NEW.get(self._engine.dialect.name, INSERT)
        self.board_id = board_id
        self.cipher = cipher
        self.audit = audit
        self._index_key = index_key

    def _tx(self, session: Session | None) -> AbstractContextManager[Session]:
        return transaction(self.sessions, session)

    # --- sealing -------------------------------------------------------------------------------------

    def _seal(self, row_id: str, column: str, data: bytes) -> bytes:
        return self.cipher.seal(data, table=TABLE, column=column, row_id=row_id)

    def sealed_detail(self, row_id: str, detail: dict[str, Any]) -> bytes:
        """An outcome's detail as `finish` and `settle` keep it: canonical JSON, sealed to its row."""
        data = json.dumps(detail, separators=(",", ":"), sort_keys=True, default=str).encode("utf-8")
        return self._seal(row_id, "detail_enc", data)

    def _open(self, row_id: str, column: str, token: bytes | None) -> bytes:
        if token is None:
            return b""
        return self.cipher.open(token, table=TABLE, column=column, row_id=row_id)

    def raw_of(self, row: InboundRef | InboundMessageRow) -> bytes:
        return self._open(row.id, "raw_enc", row.raw_enc)

    def message_id_of(self, row: InboundMessageRow) -> str:
        return self._open(row.id, "message_id_enc", row.message_id_enc).decode("utf-8", "replace")

    def detail_of(self, row: InboundRef | InboundMessageRow) -> dict[str, Any]:
        data = self._open(row.id, "detail_enc", row.detail_enc)
        return json.loads(data) if data else {}

    def dedupe_key(self, message_id: str, content: bytes) -> str:
        """Same Message-ID and same content (sender and body): the same message, however many times it is
        delivered.

        The content is part of the key so that a message reusing another's Message-ID (forged, or a broken
        client) is stored and judged on its own instead of being dropped as a repeat.
        """
        digest = hashlib.sha256(content).digest()
        material = b"inbound/v1\x00" + message_id.strip().encode("utf-8", "replace") + b"\x00" + digest
        return hmac.new(self._index_key, material, hashlib.sha256).hexdigest()

    # --- storing -------------------------------------------------------------------------------------

    def new_row(
        self,
        raw: bytes,
        *,
        dedupe_key: str,
        message_id: str,
        now: datetime,
        source: str,
        size: int | None = None,
        truncated: bool = False,
    ) -> dict[str, Any]:
        """A new row's values for a message, its raw bytes and Message-ID sealed to the row."""
        row_id = new_id()
        return {
            "id": row_id,
            "board_id": self.board_id,
            "dedupe_key": dedupe_key,
            "source": source[:16],
            "size": len(raw) if size is None else size,
            "truncated": truncated,
            "status": InboundStatus.RECEIVED.value,
            "attempts": 1,  # the first attempt to act begins as soon as this commits
            "kind": "",
            "reason": "",
            "case_ref": "",
            "agency_id": "",
            "handled_by": "",
            "notice_pending": False,
            "received_at": now,
            "updated_at": now,
            "raw_enc": self._seal(row_id, "raw_enc", raw),
            "message_id_enc": self._seal(row_id, "message_id_enc", message_id.encode("utf-8", "replace")),
        }

    def store(
        self,
        raw: bytes,
        *,
        dedupe_key: str,
        message_id: str,
        now: datetime,
        source: str,
        size: int | None = None,
        truncated: bool = False,
    ) -> Stored:
        """Store a message (its own transaction, committed on return), or find it stored already."""
        values = self.new_row(
            raw, dedupe_key=dedupe_key, message_id=message_id, now=now, source=source, size=size, truncated=truncated
        )
        try:
            # A connection-level transaction: one statement needs no unit of work.
            with self._engine.begin() as connection:
                inserted = connection.execute(self.insert_new, values).first() is not None
        except IntegrityError:
            inserted = False
        if not inserted:
            # Stored before: delivered twice, fetched again after a crash, or by another process just now.
            found = self._find(dedupe_key)
            if found is None:
                raise RuntimeError("an inbound message was neither stored nor found")
            return found
        return Stored(values["id"], InboundStatus.RECEIVED, True)

    def _find(self, dedupe_key: str) -> Stored | None:
        with self._engine.connect() as connection:
            hit = connection.execute(BY_DEDUPE_KEY, {"ref_board": self.board_id, "key": dedupe_key}).one_or_none()
        if hit is None:
            return None
        return Stored(hit.id, InboundStatus(hit.status), False, hit.attempts, summary_of(hit))

    def retry(self, row_id: str, now: datetime) -> int:
        """Count one more attempt at a row a previous run left `received`; returns the new count."""
        with self.sessions.begin() as s:
            s.execute(
                update(T)
                .where(T.c.id == row_id, T.c.status == InboundStatus.RECEIVED.value)
                .values(attempts=T.c.attempts + 1, updated_at=now)
            )
            return int(s.scalar(select(T.c.attempts).where(T.c.id == row_id)) or 0)

    # --- acting --------------------------------------------------------------------------------------

    def claim(self, s: Session, row_id: str) -> InboundRef | None:
        """Lock the row if it still waits to be acted on; None if another process (or a run before a
        crash) has finished it."""
        ref = self._select(s, row_id, lock=True)
        if ref is None or ref.status != InboundStatus.RECEIVED.value:
            return None
        return ref

    def row(self, s: Session, row_id: str, *, lock: bool = False) -> InboundRef:
        ref = self._select(s, row_id, lock=lock)
        if ref is None:
            raise InboundNotFound(row_id)
        return ref

    def _select(self, s: Session, row_id: str, *, lock: bool) -> InboundRef | None:
        query = SELECT_REF_LOCKED if lock else SELECT_REF
        hit = s.execute(query, {"ref_id": row_id, "ref_board": self.board_id}).one_or_none()
        return InboundRef(*hit) if hit is not None else None

    def finish(
        self,
        s: Session,
        row: InboundRef,
        *,
        status: InboundStatus,
        kind: str,
        reason: str,
        now: datetime,
        actor: Actor,
        case_id: str | None = None,
        case_ref: str = "",
        agency_id: str = "",
        detail: dict[str, Any] | None = None,
        handled_by: str = "",
        tell: bool = False,
    ) -> None:
        """Record the outcome (in the caller's transaction, with whatever the message caused). `tell`: the
        business unit is to be told about it (see `take_pending_notices`)."""
        row.status = status.value
        row.kind = kind[:32]
        row.reason = reason[:500]
        row.case_ref = case_ref or row.case_ref
        row.agency_id = agency_id or row.agency_id
        if detail is not None:
            row.detail_enc = self.sealed_detail(row.id, detail)
        s.execute(
            FINISH,
            {
                "ref_id": row.id,
                "status": row.status,
                "kind": row.kind,
                "reason": row.reason,
                "case_id": case_id if case_id is not None else row.case_id,
                "case_ref": row.case_ref,
                "agency_id": row.agency_id,
                "detail_enc": row.detail_enc,
                "handled_by": handled_by[:200] if handled_by else row.handled_by,
                "notice_pending": tell,
                "updated_at": now,
            },
        )
        # A person's decision is audited. The bot's own outcome is this row (status, reason, time); what
        # it changed in a case is audited by the case store (agency.confirmation, referral.filed).
        if actor.is_staff:
            self.audit.append(
                s,
                at=now,
                actor=actor.id,
                action=f"mail.{status.value}",
                case_ref=row.case_ref,
                detail={"message": row.id, "kind": row.kind, "agency": row.agency_id or None},
            )

    def take_pending_notices(self, s: Session, *, limit: int = 50) -> list[InboundSummary]:
        """Messages the business unit has not been told about yet, marked told in the caller's transaction
        (which also queues the notice: both commit together, so each is told exactly once)."""
        rows = s.execute(PENDING_NOTICES, {"ref_board": self.board_id, "limit": limit}).all()
        if rows:
            s.execute(TOLD, {"ids": [r.id for r in rows]})
        return [summary_of(r) for r in rows]

    # --- reading -------------------------------------------------------------------------------------

    def list(
        self,
        *,
        statuses: Sequence[InboundStatus] | None = None,
        case_ref: str | None = None,
        limit: int = 500,
        session: Session | None = None,
    ) -> list[InboundSummary]:
        with self._tx(session) as s:
            query = select(InboundMessageRow).where(InboundMessageRow.board_id == self.board_id)
            if statuses:
                query = query.where(InboundMessageRow.status.in_([st.value for st in statuses]))
            if case_ref:
                query = query.where(InboundMessageRow.case_ref == case_ref.upper())
            rows = s.scalars(query.order_by(InboundMessageRow.received_at, InboundMessageRow.id).limit(limit))
            return [summary_of(r) for r in rows]

    def summary(self, row_id: str) -> InboundSummary:
        with self.sessions() as s:
            hit = s.execute(select(T).where(T.c.id == row_id, T.c.board_id == self.board_id)).one_or_none()
            if hit is None:
                raise InboundNotFound(row_id)
            return summary_of(hit)

    def get(self, row_id: str, *, actor: Actor, now: datetime, session: Session | None = None) -> InboundDetail:
        """A message with its content (personal data): staff only, audited."""
        if not actor.is_staff:
            raise PermissionDenied("only the business unit can read inbound messages")
        with self._tx(session) as s:
            full = s.scalars(
                select(InboundMessageRow).where(
                    InboundMessageRow.id == row_id, InboundMessageRow.board_id == self.board_id
                )
            ).one_or_none()
            if full is None:
                raise InboundNotFound(row_id)
            self.audit.append(
                s, at=now, actor=actor.id, action="mail.viewed", case_ref=full.case_ref, detail={"message": full.id}
            )
            return InboundDetail(summary_of(full), self.raw_of(full), self.message_id_of(full), self.detail_of(full))
