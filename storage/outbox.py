"""The outbox's rows: every outbound message is a row first, then sent (DESIGN.md §4, after GOV.UK Notify).

This is the repository: it seals content and recipients, stores and reads rows, and moves them between
states. What may happen to a message (approval by staff, only drafts edited, personal data only to secure
addresses) is decided in notify/outbox.py; sending in notify/dispatch.py.

The dispatcher's claim takes rows with `FOR UPDATE SKIP LOCKED` (PostgreSQL; SQLite serialises writers)
through the (status, next_attempt_at) index, so several processes never send the same row.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import and_, bindparam, func, or_, select, update
from sqlalchemy.orm import Session

from errors import NotFound
from storage.case_codec import Codec
from storage.db import rowcount
from storage.outbox_pass import insert_rows
from storage.purge import CaseToPurge
from storage.tables import OutboxRow
from storage.tables.base import new_id, table_of

TABLE = "outbox"
_TABLE = table_of(OutboxRow)
_LOOKUP_CHUNK = 500  # idempotency keys per IN (...) lookup
# Built once: every queueing looks its keys up first, a reminder pass once per board.
_IDS_FOR_KEYS = select(OutboxRow.idempotency_key, OutboxRow.id).where(
    OutboxRow.board_id == bindparam("board_id"), OutboxRow.idempotency_key.in_(bindparam("keys", expanding=True))
)


def new_message_id() -> str:
    return new_id()


class OutboxStatus(StrEnum):
    DRAFT = "draft"  # waiting for approval
    APPROVED = "approved"  # ready to send
    SENDING = "sending"  # claimed by a dispatcher
    SENT = "sent"
    FAILED = "failed"  # last attempt failed; retried at next_attempt_at
    REJECTED = "rejected"  # a person said no: never sent
    CANCELLED = "cancelled"  # no longer needed (e.g. the deadline was met another way)


UNSENT = (OutboxStatus.DRAFT, OutboxStatus.APPROVED, OutboxStatus.FAILED)


@dataclass(frozen=True)
class NewMessage:
    """A rendered message to store (sealed here)."""

    id: str
    kind: str
    channel: str
    template_id: str
    template_version: int
    case_id: str | None
    case_ref: str
    recipients: Sequence[str]
    recipient_summary: str
    subject: str
    text: str
    html: str | None
    personal_data: bool
    requires_approval: bool
    idempotency_key: str
    meets_rule: str
    meets_agency: str
    about_id: str
    send_at: datetime


@dataclass(frozen=True)
class OutboxItem:
    """A stored message, decrypted: for the dispatcher and for an approver's preview."""

    id: str
    kind: str
    channel: str
    template_id: str
    template_version: int
    case_id: str | None
    case_ref: str
    recipients: list[str]
    recipient_summary: str
    subject: str
    text: str
    html: str | None
    personal_data: bool
    status: OutboxStatus
    requires_approval: bool
    approver: str
    attempts: int
    next_attempt_at: datetime | None
    last_error: str
    provider_message_id: str
    meets_rule: str
    meets_agency: str
    created_at: datetime
    sent_at: datetime | None
    about_id: str = ""  # the item this message is about (an approval request's draft)

    def __repr__(self) -> str:  # subject and body may hold personal data
        return f"OutboxItem(id={self.id!r}, kind={self.kind!r}, status={self.status.value}, case={self.case_ref!r})"


@dataclass(frozen=True)
class OutboxSummary:
    """A row without its content or addresses: safe for lists, channels and logs."""

    id: str
    kind: str
    channel: str
    template_id: str
    case_ref: str
    recipient_summary: str
    status: OutboxStatus
    requires_approval: bool
    attempts: int
    last_error: str
    created_at: datetime
    next_attempt_at: datetime | None
    sent_at: datetime | None
    approver: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _summary(r: OutboxRow) -> OutboxSummary:
    return OutboxSummary(
        id=r.id,
        kind=r.kind,
        channel=r.channel,
        template_id=r.template_id,
        case_ref=r.case_ref,
        recipient_summary=r.recipient_summary,
        status=OutboxStatus(r.status),
        requires_approval=r.requires_approval,
        attempts=r.attempts,
        last_error=r.last_error,
        created_at=r.created_at,
        next_attempt_at=r.next_attempt_at,
        sent_at=r.sent_at,
        approver=r.approver,
    )


class OutboxRows:
    def __init__(self, *, board_id: str, codec: Codec) -> None:
        self.board_id = board_id
        self.codec = codec

    # --- storing -------------------------------------------------------------------------------------

    def ids_for_keys(self, s: Session, keys: Iterable[str]) -> dict[str, str]:
        """The rows already stored under these idempotency keys: key -> id."""
        wanted = sorted(set(keys))
        found: dict[str, str] = {}
        for start in range(0, len(wanted), _LOOKUP_CHUNK):
            rows = s.execute(_IDS_FOR_KEYS, {"board_id": self.board_id, "keys": wanted[start : start + _LOOKUP_CHUNK]})
            found.update((key, row_id) for key, row_id in rows)
        return found

    def is_queued(self, s: Session, idempotency_key: str) -> bool:
        return bool(self.ids_for_keys(s, [idempotency_key]))

    def add(self, s: Session, messages: Sequence[NewMessage], *, now: datetime) -> None:
        """Store rendered messages in one insert (sealed: content and recipients are personal data)."""
        if not messages:
            return
        insert_rows(s, self.values(messages, now=now))

    def values(self, messages: Sequence[NewMessage], *, now: datetime) -> list[dict[str, Any]]:
        """The rows to insert for these messages, sealed with this board's keys (see `insert_rows`)."""
        return [self._values(m, now) for m in messages]

    def _values(self, m: NewMessage, now: datetime) -> dict[str, Any]:
        seal = self.codec.seal_text
        return {
            "id": m.id,
            "board_id": self.board_id,
            "case_id": m.case_id,
            "case_ref": m.case_ref,
            "kind": m.kind,
            "channel": m.channel,
            "template_id": m.template_id,
            "template_version": m.template_version,
            "recipients_enc": seal(TABLE, "recipients_enc", m.id, json.dumps(list(m.recipients))),
            "recipient_summary": m.recipient_summary,
            "subject_enc": seal(TABLE, "subject_enc", m.id, m.subject),
            "body_enc": seal(TABLE, "body_enc", m.id, m.text),
            "html_enc": seal(TABLE, "html_enc", m.id, m.html or ""),
            "personal_data": m.personal_data,
            "status": (OutboxStatus.DRAFT if m.requires_approval else OutboxStatus.APPROVED).value,
            "requires_approval": m.requires_approval,
            "idempotency_key": m.idempotency_key,
            "approver": "",
            "approved_at": None,
            "rejected_by": "",
            "rejected_at": None,
            "attempts": 0,
            "next_attempt_at": m.send_at,
            "claimed_until": None,
            "last_error": "",
            "provider_message_id": "",
            "meets_rule": m.meets_rule,
            "meets_agency": m.meets_agency,
            "about_id": m.about_id,
            "created_at": now,
            "updated_at": now,
            "sent_at": None,
        }

    # --- reading -------------------------------------------------------------------------------------

    def item(self, row: OutboxRow) -> OutboxItem:
        open_ = self.codec.open_text
        return OutboxItem(
            id=row.id,
            kind=row.kind,
            channel=row.channel,
            template_id=row.template_id,
            template_version=row.template_version,
            case_id=row.case_id,
            case_ref=row.case_ref,
            recipients=json.loads(open_(TABLE, "recipients_enc", row.id, row.recipients_enc) or "[]"),
            recipient_summary=row.recipient_summary,
            subject=open_(TABLE, "subject_enc", row.id, row.subject_enc),
            text=open_(TABLE, "body_enc", row.id, row.body_enc),
            html=open_(TABLE, "html_enc", row.id, row.html_enc) or None,
            personal_data=row.personal_data,
            status=OutboxStatus(row.status),
            requires_approval=row.requires_approval,
            approver=row.approver,
            attempts=row.attempts,
            next_attempt_at=row.next_attempt_at,
            last_error=row.last_error,
            provider_message_id=row.provider_message_id,
            meets_rule=row.meets_rule,
            meets_agency=row.meets_agency,
            created_at=row.created_at,
            sent_at=row.sent_at,
            about_id=row.about_id,
        )

    def _row(self, s: Session, item_id: str, *, lock: bool = False) -> OutboxRow:
        query = select(OutboxRow).where(OutboxRow.board_id == self.board_id, OutboxRow.id == item_id)
        if lock:
            query = query.with_for_update()
        row = s.scalars(query).one_or_none()
        if row is None:
            raise NotFound(f"no outbox message {item_id}")
        return row

    def get(self, s: Session, item_id: str, *, lock: bool = False) -> OutboxItem:
        return self.item(self._row(s, item_id, lock=lock))

    def summary(self, s: Session, item_id: str, *, lock: bool = False) -> OutboxSummary:
        """A message's row without its content (locked for a change of state, when asked)."""
        return _summary(self._row(s, item_id, lock=lock))

    def summaries(
        self, s: Session, *, statuses: Sequence[OutboxStatus] | None, case_ref: str | None, limit: int
    ) -> list[OutboxSummary]:
        query = select(OutboxRow).where(OutboxRow.board_id == self.board_id)
        if statuses:
            query = query.where(OutboxRow.status.in_([st.value for st in statuses]))
        if case_ref:
            query = query.where(OutboxRow.case_ref == case_ref.upper())
        return [_summary(r) for r in s.scalars(query.order_by(OutboxRow.created_at, OutboxRow.id).limit(limit))]

    def ids_starting_with(self, s: Session, prefix: str, *, limit: int = 2) -> list[str]:
        return list(
            s.scalars(
                select(OutboxRow.id)
                .where(OutboxRow.board_id == self.board_id, OutboxRow.id.startswith(prefix, autoescape=True))
                .limit(limit)
            )
        )

    def case_refs(self, s: Session, ids: Sequence[str]) -> dict[str, str]:
        """The case each of these messages was about (e.g. the request a reply threads to): id -> reference."""
        if not ids:
            return {}
        rows = s.execute(
            select(OutboxRow.id, OutboxRow.case_ref).where(OutboxRow.board_id == self.board_id, OutboxRow.id.in_(ids))
        )
        return {row_id: case_ref for row_id, case_ref in rows}

    def count(self, s: Session, status: OutboxStatus) -> int:
        query = select(func.count()).select_from(OutboxRow)
        return int(s.scalar(query.where(OutboxRow.board_id == self.board_id, OutboxRow.status == status.value)) or 0)

    def unsent_of_kinds(self, s: Session, case_id: str, kinds: Sequence[str], *, besides: Iterable[str]) -> list[str]:
        """A case's messages of these kinds not sent yet, other than those with the `besides` keys."""
        return list(
            s.scalars(
                select(OutboxRow.id).where(
                    OutboxRow.board_id == self.board_id,
                    OutboxRow.case_id == case_id,
                    OutboxRow.kind.in_(list(kinds)),
                    OutboxRow.status.in_([st.value for st in UNSENT]),
                    OutboxRow.idempotency_key.not_in(list(besides) or [""]),
                )
            )
        )

    # --- changing state ------------------------------------------------------------------------------

    def approve(self, s: Session, item_id: str, *, approver: str, now: datetime) -> None:
        row = self._row(s, item_id, lock=True)
        row.status = OutboxStatus.APPROVED.value
        row.approver = approver
        row.approved_at = now
        row.next_attempt_at = max(row.next_attempt_at or now, now)
        row.updated_at = now

    def reject(self, s: Session, item_id: str, *, by: str, now: datetime) -> None:
        row = self._row(s, item_id, lock=True)
        row.status = OutboxStatus.REJECTED.value
        row.rejected_by = by
        row.rejected_at = now
        row.updated_at = now

    def cancel(self, s: Session, item_id: str, *, now: datetime) -> None:
        row = self._row(s, item_id, lock=True)
        row.status = OutboxStatus.CANCELLED.value
        row.updated_at = now

    def reword(
        self, s: Session, item_id: str, *, now: datetime, subject: str | None, text: str | None, personal_data: bool
    ) -> None:
        """New wording for a draft; `personal_data`: it now holds some (never unset once set)."""
        row = self._row(s, item_id, lock=True)
        if personal_data:
            row.personal_data = True
        if subject is not None:
            row.subject_enc = self.codec.seal_text(TABLE, "subject_enc", row.id, subject)
        if text is not None:
            row.body_enc = self.codec.seal_text(TABLE, "body_enc", row.id, text)
            row.html_enc = None  # an edited text replaces the HTML version
        row.updated_at = now

    # --- dispatching ---------------------------------------------------------------------------------

    def claim(
        self, s: Session, now: datetime, *, channels: Sequence[str], lease: timedelta, limit: int
    ) -> list[OutboxItem]:
        """Take the messages ready to go (and those whose sender's lease ran out), marked `sending`."""
        ready = and_(
            OutboxRow.status.in_([OutboxStatus.APPROVED.value, OutboxStatus.FAILED.value]),
            OutboxRow.next_attempt_at <= now,
        )
        abandoned = and_(OutboxRow.status == OutboxStatus.SENDING.value, OutboxRow.claimed_until < now)
        rows = list(
            s.scalars(
                select(OutboxRow)
                .where(OutboxRow.board_id == self.board_id, or_(ready, abandoned))
                .where(OutboxRow.channel.in_(list(channels)))
                .order_by(OutboxRow.next_attempt_at, OutboxRow.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        )
        for row in rows:
            row.status = OutboxStatus.SENDING.value
            row.claimed_until = now + lease
            row.attempts += 1
            row.updated_at = now
        return [self.item(r) for r in rows]

    def mark_sent(self, s: Session, item_id: str, *, provider_id: str, now: datetime) -> int:
        """Returns the attempts it took."""
        row = self._row(s, item_id, lock=True)
        row.status = OutboxStatus.SENT.value
        row.provider_message_id = provider_id[:500]
        row.sent_at = now
        row.claimed_until = None
        row.last_error = ""
        row.updated_at = now
        return row.attempts

    def hold(self, s: Session, item_id: str, *, reason: str, now: datetime) -> None:
        """Not sent: back to a draft that a person must edit (or reject) and approve, with the reason."""
        row = self._row(s, item_id, lock=True)
        row.status = OutboxStatus.DRAFT.value
        row.requires_approval = True
        row.approver = ""
        row.claimed_until = None
        row.last_error = reason[:500]
        row.updated_at = now

    def mark_failed(
        self, s: Session, item_id: str, *, error: str, retry_after: Callable[[int], timedelta], now: datetime
    ) -> int:
        """`retry_after(attempts) -> timedelta`: the backoff. Returns the attempts so far."""
        row = self._row(s, item_id, lock=True)
        row.status = OutboxStatus.FAILED.value
        row.last_error = error[:500]
        row.next_attempt_at = now + retry_after(row.attempts)
        row.claimed_until = None
        row.updated_at = now
        return row.attempts

    # --- purge ---------------------------------------------------------------------------------------

    def purge_case(self, s: Session, case: CaseToPurge) -> int:
        return purge_case_messages(s, case)


def purge_case_messages(s: Session, case: CaseToPurge, *, emails: Callable[[str, str], None] | None = None) -> int:
    """Cancel a purged case's unsent messages and remove every message's content and addresses; the rows
    stay (kind, template, status, dates, approver). Messages are found by the case's id or its reference (a
    row whose case was never linked by id still names it). `emails(row id, provider id)` is told of each email,
    so that the copies a mailbox keeps can be deleted too. Returns how many lost their content."""
    mine = or_(
        OutboxRow.case_id == case.id,
        and_(OutboxRow.board_id == case.board_id, OutboxRow.case_ref == case.reference),
    )
    if emails is not None:
        for row_id, provider_id in s.execute(
            select(OutboxRow.id, OutboxRow.provider_message_id).where(mine, OutboxRow.channel == "email")
        ):
            emails(row_id, provider_id)
    s.execute(
        update(OutboxRow)
        .where(mine, OutboxRow.status.in_([st.value for st in UNSENT]))
        .values(status=OutboxStatus.CANCELLED.value)
    )
    return rowcount(
        s.execute(
            update(OutboxRow)
            .where(mine, OutboxRow.body_enc.is_not(None))
            .values(recipients_enc=None, subject_enc=None, body_enc=None, html_enc=None)
        )
    )
