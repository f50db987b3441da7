"""What purge removes from the outbox: the rendered content and addresses of a purged case's messages.

The row stays (kind, template id and version, status, dates, who approved it), so the board can still
show that the decision was notified and when; only what may identify anyone goes. A message not yet sent
is cancelled first: nothing is sent about a case whose personal data has been purged. Messages are found by
the case's id or its reference; the Message-ID of each email is handed to `collect`, so that the copies the
mailbox keeps (local mode: the outbox's .eml files) can be deleted too.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from notify.outbox import OutboxStatus
from notify.senders import message_id_for
from storage.db import rowcount
from storage.purge import CaseToPurge
from storage.tables import OutboxRow

_UNSENT = [OutboxStatus.DRAFT.value, OutboxStatus.APPROVED.value, OutboxStatus.FAILED.value]


def purge_outbox(s: Session, case: CaseToPurge) -> int:
    """A `storage.purge.PurgeHook`: returns how many messages lost their content."""
    return OutboxPurge()(s, case)


class OutboxPurge:
    """The hook, telling `collect` the Message-ID of every email of the case (sent, or possibly sent)."""

    def __init__(self, *, mail_from: str = "", collect: Callable[[str], None] | None = None) -> None:
        self.mail_from = mail_from
        self.collect = collect

    def __call__(self, s: Session, case: CaseToPurge) -> int:
        mine = or_(
            OutboxRow.case_id == case.id,
            and_(OutboxRow.board_id == case.board_id, OutboxRow.case_ref == case.reference),
        )
        if self.collect is not None:
            for row_id, provider_id in s.execute(
                select(OutboxRow.id, OutboxRow.provider_message_id).where(mine, OutboxRow.channel == "email")
            ):
                self.collect(provider_id if provider_id.startswith("<") else message_id_for(row_id, self.mail_from))
        s.execute(
            update(OutboxRow).where(mine, OutboxRow.status.in_(_UNSENT)).values(status=OutboxStatus.CANCELLED.value)
        )
        return rowcount(
            s.execute(
                update(OutboxRow)
                .where(mine, OutboxRow.body_enc.is_not(None))
                .values(recipients_enc=None, subject_enc=None, body_enc=None, html_enc=None)
            )
        )
