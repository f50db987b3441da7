"""Every outbound message is a row first, then sent (DESIGN.md §4).

`Outbox.enqueue` renders the template (refusing missing fields before anything is stored), checks that
personal data only goes to secure addresses (004 §3.6), and stores the rendered message encrypted with an
idempotency key: queueing the same message twice stores it once. Messages that need approval wait as
drafts until an authorised business unit member approves them (or rejects them: then they are never sent).
Sending is the dispatcher's job (notify/dispatch.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from cases.actor import Actor
from cases.board import BoardConfig
from cases.permissions import require_outbox_staff
from errors import Conflict, NotFound
from notify.secure_send import InsecureRecipient, check_edit
from notify.templates import Rendered, Template, get_template
from storage.audit import AuditLog, AuditRecord
from storage.case_codec import Codec
from storage.db import transaction
from storage.outbox import (
    NewMessage,
    OutboxItem,
    OutboxRows,
    OutboxStatus,
    OutboxSummary,
    new_message_id,
)
from storage.outbox_pass import insert_rows

__all__ = [
    "InsecureRecipient",
    "OutboundMessage",
    "Outbox",
    "OutboxError",
    "OutboxItem",
    "OutboxStatus",
    "OutboxSummary",
]


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
    # The outbox item this message is about (an approval request's draft): data, never parsed from text.
    about_id: str = ""


@dataclass(frozen=True)
class Queued:
    """One board's messages ready to store (`Outbox.queue_rows`): their ids in order, the sealed rows of the new
    ones, and the audit entries for the board's own chain."""

    ids: list[str]
    rows: list[dict[str, Any]]
    records: list[AuditRecord]
    audit: AuditLog


class Outbox:
    def __init__(self, sessions: sessionmaker[Session], *, board: BoardConfig, codec: Codec, audit: AuditLog) -> None:
        self.sessions = sessions
        self.board = board
        self.codec = codec
        self.audit = audit
        self.rows = OutboxRows(board_id=board.id, codec=codec)

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
        if not messages:
            return []
        with self._tx(session) as s:
            existing = self.rows.ids_for_keys(s, (message.idempotency_key for message in messages))
            queued = self.queue_rows(messages, now=now, actor=actor, existing=existing)
            if queued.rows:
                insert_rows(s, queued.rows)
                self.audit.append_many(s, queued.records)
            return queued.ids

    def queue_rows(
        self, messages: Sequence[OutboundMessage], *, now: datetime, actor: Actor, existing: Mapping[str, str]
    ) -> Queued:
        """What `enqueue_many` stores, without storing it, for a caller that stores several boards' messages at
        once (a reminder pass, notify/board_sweeps.py): every message rendered and checked (one refused
        raises), the new ones sealed with this board's keys and their audit entries for this board's chain.
        `existing`: the rows stored already under these messages' keys (key -> id)."""
        prepared = [(message, *self._render(message)) for message in messages]
        ids = dict(existing)
        new: list[NewMessage] = []
        records: list[AuditRecord] = []
        for message, template, rendered in prepared:
            if message.idempotency_key in ids:
                continue
            row_id = new_message_id()
            ids[message.idempotency_key] = row_id
            new.append(_new_message(row_id, message, template, rendered, now))
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
        rows = self.rows.values(new, now=now)
        return Queued([ids[message.idempotency_key] for message in messages], rows, records, self.audit)

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

    # --- reading -------------------------------------------------------------------------------------

    def get(self, item_id: str, *, actor: Actor, now: datetime, session: Session | None = None) -> OutboxItem:
        """A message with its content (which may hold personal data): staff only, audited."""
        require_outbox_staff(actor, "read")
        with self._tx(session) as s:
            item = self.rows.get(s, item_id)
            self.audit.append(
                s, at=now, actor=actor.id, action="outbox.viewed", case_ref=item.case_ref, detail={"id": item.id}
            )
            return item

    def about(self, item_id: str) -> OutboxSummary | None:
        """A message without its content (case reference, kind), or None if there is no such message."""
        with self.sessions() as s:
            try:
                return self.rows.summary(s, item_id)
            except NotFound:
                return None

    def resolve(self, prefix: str) -> list[str]:
        """The ids (at most two) starting with `prefix`: people type the first few characters."""
        with self.sessions() as s:
            return self.rows.ids_starting_with(s, prefix)

    def list(
        self,
        *,
        statuses: Sequence[OutboxStatus] | None = None,
        case_ref: str | None = None,
        limit: int = 500,
        session: Session | None = None,
    ) -> list[OutboxSummary]:
        with self._tx(session) as s:
            return self.rows.summaries(s, statuses=statuses, case_ref=case_ref, limit=limit)

    # --- approval ------------------------------------------------------------------------------------

    def _draft(self, s: Session, item_id: str, verb: str) -> OutboxSummary:
        summary = self.rows.summary(s, item_id, lock=True)
        if summary.status is not OutboxStatus.DRAFT:
            raise OutboxError(f"message {item_id} is {summary.status.value}; only a draft can be {verb}")
        return summary

    def _audit(self, s: Session, summary: OutboxSummary, action: str, actor: Actor, now: datetime) -> None:
        self.audit.append(
            s,
            at=now,
            actor=actor.id,
            action=action,
            case_ref=summary.case_ref,
            detail={"id": summary.id, "kind": summary.kind},
        )

    def approve(self, item_id: str, *, actor: Actor, now: datetime, session: Session | None = None) -> None:
        require_outbox_staff(actor, "approve")
        with self._tx(session) as s:
            summary = self._draft(s, item_id, "approved")
            self.rows.approve(s, item_id, approver=actor.id, now=now)
            self._audit(s, summary, "outbox.approved", actor, now)

    def reject(self, item_id: str, *, actor: Actor, now: datetime, session: Session | None = None) -> None:
        require_outbox_staff(actor, "reject")
        with self._tx(session) as s:
            summary = self._draft(s, item_id, "rejected")
            self.rows.reject(s, item_id, by=actor.id, now=now)
            self._audit(s, summary, "outbox.rejected", actor, now)

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
        require_outbox_staff(actor, "edit")
        with self._tx(session) as s:
            summary = self._draft(s, item_id, "edited")
            # The secure-domain rule again on the new wording (004 §3.6); wording that names the child holds
            # the message to the rule for messages with personal data from now on.
            holds_personal_data = check_edit(
                s, self.rows.get(s, item_id), self.board, self.codec, subject=subject, text=text
            )
            subject = " ".join(subject.split()) if subject is not None else None
            self.rows.reword(s, item_id, now=now, subject=subject, text=text, personal_data=holds_personal_data)
            self.audit.append(
                s,
                at=now,
                actor=actor.id,
                action="outbox.edited",
                case_ref=summary.case_ref,
                detail={"id": summary.id, "subject": subject is not None, "text": text is not None},
            )

    def cancel(self, item_id: str, *, actor: Actor, now: datetime, session: Session | None = None) -> None:
        """No longer needed (a revised decision replaces its draft, say): never sent. Staff only, like the
        other changes a person can make (the bot cancels as the system, an admin)."""
        require_outbox_staff(actor, "cancel")
        with self._tx(session) as s:
            summary = self.rows.summary(s, item_id, lock=True)
            if summary.status in {OutboxStatus.SENT, OutboxStatus.SENDING}:
                raise OutboxError(f"message {item_id} is {summary.status.value}; it cannot be cancelled")
            self.rows.cancel(s, item_id, now=now)
            self._audit(s, summary, "outbox.cancelled", actor, now)


def _new_message(
    row_id: str, message: OutboundMessage, template: Template, rendered: Rendered, now: datetime
) -> NewMessage:
    return NewMessage(
        id=row_id,
        kind=message.kind,
        channel=template.channel,
        template_id=template.id,
        template_version=template.version,
        case_id=message.case_id,
        case_ref=message.case_ref,
        recipients=message.recipients,
        recipient_summary=message.recipient_summary,
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        personal_data=template.personal_data,
        requires_approval=message.requires_approval,
        idempotency_key=message.idempotency_key,
        meets_rule=message.meets_rule,
        meets_agency=message.meets_agency,
        about_id=message.about_id,
        send_at=message.send_after or now,
    )
