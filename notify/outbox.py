"""Every outbound message is a row first, then sent (DESIGN.md §4).

`Outbox.enqueue` renders the template (refusing missing fields before anything is stored), checks that
personal data only goes to secure addresses (004 §3.6), and stores the rendered message encrypted with an
idempotency key: queueing the same message twice stores it once. Messages that need approval wait as
drafts until an authorised business unit member approves them (or rejects them: then they are never sent).
Sending is the dispatcher's job (notify/dispatch.py).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session, sessionmaker

from cases.actor import Actor, PermissionDenied
from cases.board import BoardConfig
from errors import Conflict, NotFound
from notify.secure_send import InsecureRecipient, check_edit
from notify.templates import Rendered, Template, get_template
from storage.audit import AuditLog, AuditRecord
from storage.case_codec import Codec
from storage.db import transaction
from storage.tables import OutboxRow
from storage.tables.base import new_id, table_of

__all__ = ["InsecureRecipient", "OutboundMessage", "Outbox", "OutboxError", "OutboxItem", "OutboxStatus"]

TABLE = "outbox"
_TABLE = table_of(OutboxRow)
_LOOKUP_CHUNK = 500  # idempotency keys per IN (...) lookup


class OutboxStatus(StrEnum):
    DRAFT = "draft"  # waiting for approval
    APPROVED = "approved"  # ready to send
    SENDING = "sending"  # claimed by a dispatcher
    SENT = "sent"
    FAILED = "failed"  # last attempt failed; retried at next_attempt_at
    REJECTED = "rejected"  # a person said no: never sent
    CANCELLED = "cancelled"  # no longer needed (e.g. the deadline was met another way)


class OutboxError(Conflict):
    pass


@dataclass(frozen=True)
class OutboundMessage:
    """What a feature asks to send."""

    kind: str
    template_id: str
    values: Mapping[str, Any]
    recipients: Sequence[str]  # email addresses, or Slack channel / user ids
    recipient_summary: str  # who, without addresses: "agency:police", "statutory:ofsted,dfe", "channel:bu"
    idempotency_key: str
    case_id: str | None = None
    case_ref: str = ""
    requires_approval: bool = False
    meets_rule: str = ""
    meets_agency: str = ""
    send_after: datetime | None = None


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


class Outbox:
    def __init__(self, sessions: sessionmaker[Session], *, board: BoardConfig, codec: Codec, audit: AuditLog) -> None:
        self.sessions = sessions
        self.board = board
        self.codec = codec
        self.audit = audit

    def _tx(self, session: Session | None) -> AbstractContextManager[Session]:
        return transaction(self.sessions, session)

    # --- queueing ------------------------------------------------------------------------------------

    def enqueue(self, message: OutboundMessage, *, now: datetime, actor: Actor, session: Session | None = None) -> str:
        """Store a rendered message; returns its id. The same idempotency key returns the existing row."""
        return self.enqueue_many([message], now=now, actor=actor, session=session)[0]

    def enqueue_many(
        self, messages: Sequence[OutboundMessage], *, now: datetime, actor: Actor, session: Session | None = None
    ) -> list[str]:
        """`enqueue` for several messages in one transaction; returns their ids, in order.

        Every message is rendered and checked before anything is stored, so one refused message stores none
        of them. Then one idempotency lookup, one insert and one batch of audit entries for all: a reminder
        sweep queues dozens of messages at once. A key seen earlier in the same batch gets the same row."""
        prepared = [(message, *self._render(message)) for message in messages]
        if not prepared:
            return []
        with self._tx(session) as s:
            keys = sorted({message.idempotency_key for message in messages})
            ids: dict[str, str] = {}
            for start in range(0, len(keys), _LOOKUP_CHUNK):
                found = s.execute(
                    select(OutboxRow.idempotency_key, OutboxRow.id).where(
                        OutboxRow.board_id == self.board.id,
                        OutboxRow.idempotency_key.in_(keys[start : start + _LOOKUP_CHUNK]),
                    )
                )
                ids.update((key, row_id) for key, row_id in found)
            s.flush()  # rows the caller added through the ORM (a case, say) go in before ours refer to them
            rows: list[dict[str, Any]] = []
            records: list[AuditRecord] = []
            for message, template, rendered in prepared:
                if message.idempotency_key in ids:
                    continue
                row_id = new_id()
                ids[message.idempotency_key] = row_id
                rows.append(self._row_values(row_id, message, template, rendered, now))
                records.append(
                    AuditRecord(
                        at=now,
                        actor=actor.id,
                        action="outbox.queued",
                        case_ref=message.case_ref,
                        detail={
                            "id": row_id,
                            "kind": message.kind,
                            "template": template.id,
                            "to": message.recipient_summary,
                            "requires_approval": message.requires_approval,
                        },
                    )
                )
            if rows:
                s.execute(insert(_TABLE), rows)
                self.audit.append_many(s, records)
            return [ids[message.idempotency_key] for message in messages]

    def _render(self, message: OutboundMessage) -> tuple[Template, Rendered]:
        template = get_template(message.template_id)
        rendered = template.render(message.values)  # MissingData: refused before anything is stored
        if not message.recipients:
            raise OutboxError(f"{message.kind}: no recipients")
        if template.channel == "email" and template.personal_data:
            insecure = [r for r in message.recipients if not self.board.is_secure_address(r)]
            if insecure:
                raise InsecureRecipient(
                    f"{message.kind} ({template.id}) carries personal data and {len(insecure)} recipient(s) of "
                    f"{message.recipient_summary} are not on a secure domain; send the minimal notice instead"
                )
        return template, rendered

    def _row_values(
        self, row_id: str, message: OutboundMessage, template: Template, rendered: Rendered, now: datetime
    ) -> dict[str, Any]:
        seal = self.codec.seal_text
        return {
            "id": row_id,
            "board_id": self.board.id,
            "case_id": message.case_id,
            "case_ref": message.case_ref,
            "kind": message.kind,
            "channel": template.channel,
            "template_id": template.id,
            "template_version": template.version,
            "recipients_enc": seal(TABLE, "recipients_enc", row_id, json.dumps(list(message.recipients))),
            "recipient_summary": message.recipient_summary,
            "subject_enc": seal(TABLE, "subject_enc", row_id, rendered.subject),
            "body_enc": seal(TABLE, "body_enc", row_id, rendered.text),
            "html_enc": seal(TABLE, "html_enc", row_id, rendered.html or ""),
            "personal_data": template.personal_data,
            "status": (OutboxStatus.DRAFT if message.requires_approval else OutboxStatus.APPROVED).value,
            "requires_approval": message.requires_approval,
            "idempotency_key": message.idempotency_key,
            "approver": "",
            "approved_at": None,
            "rejected_by": "",
            "rejected_at": None,
            "attempts": 0,
            "next_attempt_at": message.send_after or now,
            "claimed_until": None,
            "last_error": "",
            "provider_message_id": "",
            "meets_rule": message.meets_rule,
            "meets_agency": message.meets_agency,
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
        )

    def _row(self, s: Session, item_id: str, *, lock: bool = False) -> OutboxRow:
        query = select(OutboxRow).where(OutboxRow.board_id == self.board.id, OutboxRow.id == item_id)
        if lock:
            query = query.with_for_update()
        row = s.scalars(query).one_or_none()
        if row is None:
            raise NotFound(f"no outbox message {item_id}")
        return row

    def get(self, item_id: str, *, actor: Actor, now: datetime, session: Session | None = None) -> OutboxItem:
        """A message with its content (which may hold personal data): staff only, audited."""
        if not actor.is_staff:
            raise PermissionDenied("only the business unit can read queued messages")
        with self._tx(session) as s:
            row = self._row(s, item_id)
            self.audit.append(
                s, at=now, actor=actor.id, action="outbox.viewed", case_ref=row.case_ref, detail={"id": row.id}
            )
            return self.item(row)

    def list(
        self,
        *,
        statuses: Sequence[OutboxStatus] | None = None,
        case_ref: str | None = None,
        limit: int = 500,
        session: Session | None = None,
    ) -> list[OutboxSummary]:
        with self._tx(session) as s:
            query = select(OutboxRow).where(OutboxRow.board_id == self.board.id)
            if statuses:
                query = query.where(OutboxRow.status.in_([st.value for st in statuses]))
            if case_ref:
                query = query.where(OutboxRow.case_ref == case_ref.upper())
            rows = s.scalars(query.order_by(OutboxRow.created_at, OutboxRow.id).limit(limit))
            return [
                OutboxSummary(
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
                for r in rows
            ]

    # --- approval ------------------------------------------------------------------------------------

    def _require_draft(self, row: OutboxRow, verb: str) -> None:
        if row.status != OutboxStatus.DRAFT.value:
            raise OutboxError(f"message {row.id} is {row.status}; only a draft can be {verb}")

    def approve(self, item_id: str, *, actor: Actor, now: datetime, session: Session | None = None) -> None:
        if not actor.is_staff:
            raise PermissionDenied("only an authorised business unit member can approve a notification")
        with self._tx(session) as s:
            row = self._row(s, item_id, lock=True)
            self._require_draft(row, "approved")
            row.status = OutboxStatus.APPROVED.value
            row.approver = actor.id
            row.approved_at = now
            row.next_attempt_at = max(row.next_attempt_at or now, now)
            row.updated_at = now
            self.audit.append(
                s,
                at=now,
                actor=actor.id,
                action="outbox.approved",
                case_ref=row.case_ref,
                detail={"id": row.id, "kind": row.kind},
            )

    def reject(self, item_id: str, *, actor: Actor, now: datetime, session: Session | None = None) -> None:
        if not actor.is_staff:
            raise PermissionDenied("only an authorised business unit member can reject a notification")
        with self._tx(session) as s:
            row = self._row(s, item_id, lock=True)
            self._require_draft(row, "rejected")
            row.status = OutboxStatus.REJECTED.value
            row.rejected_by = actor.id
            row.rejected_at = now
            row.updated_at = now
            self.audit.append(
                s,
                at=now,
                actor=actor.id,
                action="outbox.rejected",
                case_ref=row.case_ref,
                detail={"id": row.id, "kind": row.kind},
            )

    def edit(
        self,
        item_id: str,
        *,
        actor: Actor,
        now: datetime,
        subject: str | None = None,
        text: str | None = None,
        session: Session | None = None,
    ) -> None:
        """Change a draft's wording before approval (the template version stays recorded)."""
        if not actor.is_staff:
            raise PermissionDenied("only an authorised business unit member can edit a notification")
        with self._tx(session) as s:
            row = self._row(s, item_id, lock=True)
            self._require_draft(row, "edited")
            if check_edit(s, row, self.board, self.codec, subject=subject, text=text):
                row.personal_data = True  # held from now on to the rule for messages with personal data
            if subject is not None:
                row.subject_enc = self.codec.seal_text(TABLE, "subject_enc", row.id, " ".join(subject.split()))
            if text is not None:
                row.body_enc = self.codec.seal_text(TABLE, "body_enc", row.id, text)
                row.html_enc = None  # an edited text replaces the HTML version
            row.updated_at = now
            self.audit.append(
                s,
                at=now,
                actor=actor.id,
                action="outbox.edited",
                case_ref=row.case_ref,
                detail={"id": row.id, "subject": subject is not None, "text": text is not None},
            )

    def cancel(self, item_id: str, *, actor: Actor, now: datetime, session: Session | None = None) -> None:
        with self._tx(session) as s:
            row = self._row(s, item_id, lock=True)
            if row.status in {OutboxStatus.SENT.value, OutboxStatus.SENDING.value}:
                raise OutboxError(f"message {row.id} is {row.status}; it cannot be cancelled")
            row.status = OutboxStatus.CANCELLED.value
            row.updated_at = now
            self.audit.append(
                s,
                at=now,
                actor=actor.id,
                action="outbox.cancelled",
                case_ref=row.case_ref,
                detail={"id": row.id, "kind": row.kind},
            )
