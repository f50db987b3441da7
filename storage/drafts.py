"""Drafts: half-finished conversations, sealed, one per person and flow, so nothing is lost on a restart.

The state is opaque JSON to this module (the conversation engine owns its shape). Stale drafts are warned
about, then deleted: `drafts_to_warn` and `expire_stale_drafts` take the time from the caller (the scheduler,
or `scrbot drafts expire`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from storage.audit import AuditLog
from storage.crypto import FieldCipher, open_json, seal_json
from storage.db import rowcount
from storage.tables import DraftRow
from storage.tables.base import new_id

_TABLE, _COLUMN = "conversation_drafts", "state_enc"


@dataclass(frozen=True)
class DraftPolicy:
    """How long an untouched draft is kept, and how long before that its owner is warned."""

    keep_for: timedelta = timedelta(days=30)
    warn_before: timedelta = timedelta(days=3)


@dataclass(frozen=True)
class Draft:
    id: str
    owner: str
    flow: str
    channel: str
    address: str
    state: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    warned_at: datetime | None

    def __repr__(self) -> str:  # the state holds personal data
        return f"Draft(owner={self.owner!r}, flow={self.flow!r}, updated_at={self.updated_at.isoformat()})"

    def expires_at(self, policy: DraftPolicy) -> datetime:
        return self.updated_at + policy.keep_for


@dataclass(frozen=True)
class DraftNotice:
    """Who to tell about a draft, without opening it (no personal data)."""

    id: str
    owner: str
    flow: str
    channel: str
    address: str
    expires_at: datetime


class DraftStore:
    def __init__(
        self, sessions: sessionmaker[Session], cipher: FieldCipher, board_id: str, audit: AuditLog, policy: DraftPolicy
    ) -> None:
        self.sessions = sessions
        self.cipher = cipher
        self.board_id = board_id
        self.audit = audit
        self.policy = policy

    def _row(self, s: Session, owner: str, flow: str, *, lock: bool) -> DraftRow | None:
        query = select(DraftRow).where(
            DraftRow.board_id == self.board_id, DraftRow.owner == owner, DraftRow.flow == flow
        )
        if lock:
            query = query.with_for_update()
        return s.scalars(query).one_or_none()

    def load(self, s: Session, owner: str, flow: str, *, lock: bool = True) -> Draft | None:
        """The owner's draft, locked for the rest of the caller's transaction (PostgreSQL; SQLite already holds
        the write lock), so two messages from one person are taken one after the other."""
        # Core, not the ORM: this runs on every step of every conversation.
        t = DraftRow.__table__.c
        query = select(DraftRow.__table__).where(t.board_id == self.board_id, t.owner == owner, t.flow == flow)
        if lock:
            query = query.with_for_update()
        row = s.execute(query).one_or_none()
        if row is None:
            return None
        state = (
            open_json(self.cipher, row.state_enc, table=_TABLE, column=_COLUMN, row_id=row.id) if row.state_enc else {}
        )
        return Draft(
            row.id, row.owner, row.flow, row.channel, row.address, state, row.created_at, row.updated_at, row.warned_at
        )

    def save(
        self,
        s: Session,
        owner: str,
        flow: str,
        state: dict[str, Any],
        *,
        now: datetime,
        channel: str,
        address: str = "",
        draft_id: str | None = None,
    ) -> None:
        """Create or update the owner's draft; `draft_id` (from `load` in the same transaction) saves a query."""
        if draft_id is not None:
            sealed = seal_json(self.cipher, state, table=_TABLE, column=_COLUMN, row_id=draft_id)
            values: dict[str, Any] = {"channel": channel, "state_enc": sealed, "updated_at": now, "warned_at": None}
            if address:
                values["address"] = address
            s.execute(update(DraftRow).where(DraftRow.id == draft_id).values(**values))
            return
        row = self._row(s, owner, flow, lock=True)
        if row is None:
            row = DraftRow(id=new_id(), board_id=self.board_id, owner=owner, flow=flow, channel=channel, created_at=now)
            try:
                with s.begin_nested():
                    row.address = address
                    row.updated_at = now
                    row.state_enc = seal_json(self.cipher, state, table=_TABLE, column=_COLUMN, row_id=row.id)
                    s.add(row)
                return
            except IntegrityError:  # another process created it first: update theirs
                row = self._row(s, owner, flow, lock=True)
                assert row is not None
        row.channel = channel
        row.address = address or row.address
        row.state_enc = seal_json(self.cipher, state, table=_TABLE, column=_COLUMN, row_id=row.id)
        row.updated_at = now
        row.warned_at = None

    def delete(self, s: Session, owner: str, flow: str) -> bool:
        result = s.execute(
            delete(DraftRow).where(DraftRow.board_id == self.board_id, DraftRow.owner == owner, DraftRow.flow == flow)
        )
        return rowcount(result) > 0

    def _notice(self, row: DraftRow) -> DraftNotice:
        return DraftNotice(row.id, row.owner, row.flow, row.channel, row.address, row.updated_at + self.policy.keep_for)

    def drafts_to_warn(self, now: datetime) -> list[DraftNotice]:
        """Drafts that will expire within `warn_before` and whose owner has not been warned since the last
        change. The caller sends the warning, then calls `mark_warned`."""
        cutoff = now - (self.policy.keep_for - self.policy.warn_before)
        with self.sessions() as s:
            rows = s.scalars(
                select(DraftRow)
                .where(DraftRow.board_id == self.board_id, DraftRow.updated_at <= cutoff, DraftRow.warned_at.is_(None))
                .order_by(DraftRow.updated_at)
            )
            return [self._notice(r) for r in rows if r.updated_at + self.policy.keep_for > now]

    def mark_warned(self, draft_id: str, now: datetime) -> None:
        with self.sessions.begin() as s:
            row = s.get(DraftRow, draft_id)
            if row is not None:
                row.warned_at = now

    def expire_stale_drafts(self, now: datetime) -> list[DraftNotice]:
        """Delete drafts untouched for `keep_for`; returns who owned them (to tell them, if wanted)."""
        cutoff = now - self.policy.keep_for
        with self.sessions.begin() as s:
            rows = list(
                s.scalars(
                    select(DraftRow)
                    .where(DraftRow.board_id == self.board_id, DraftRow.updated_at <= cutoff)
                    .with_for_update()
                )
            )
            notices = [self._notice(r) for r in rows]
            for row in rows:
                s.delete(row)
            if rows:
                self.audit.append(
                    s, at=now, actor="system:scrbot", action="drafts.expired", detail={"count": len(rows)}
                )
            return notices

    def list_notices(self) -> list[DraftNotice]:
        with self.sessions() as s:
            rows = s.scalars(select(DraftRow).where(DraftRow.board_id == self.board_id).order_by(DraftRow.updated_at))
            return [self._notice(r) for r in rows]

    def count(self) -> int:
        with self.sessions() as s:
            return len(list(s.scalars(select(DraftRow.id).where(DraftRow.board_id == self.board_id))))
