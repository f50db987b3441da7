"""What purge removes from the outbox: the rendered content and addresses of a purged case's messages.

The row stays (kind, template id and version, status, dates, who approved it), so the board can still
show that the decision was notified and when; only what may identify anyone goes. A message not yet sent
is cancelled first: nothing is sent about a case whose personal data has been purged. Messages are found by
the case's id or its reference; the Message-ID of each email is handed to `collect`, so that the copies the
mailbox keeps (local mode: the outbox's .eml files) can be deleted too.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from notify.senders import message_id_for
from storage.outbox import purge_case_messages
from storage.purge import CaseToPurge


def purge_outbox(s: Session, case: CaseToPurge) -> int:
    """A `storage.purge.PurgeHook`: returns how many messages lost their content."""
    return OutboxPurge()(s, case)


class OutboxPurge:
    """The hook, telling `collect` the Message-ID of every email of the case (sent, or possibly sent)."""

    def __init__(self, *, mail_from: str = "", collect: Callable[[str], None] | None = None) -> None:
        self.mail_from = mail_from
        self.collect = collect

    def _email(self, row_id: str, provider_id: str) -> None:
        if self.collect is not None:
            self.collect(provider_id if provider_id.startswith("<") else message_id_for(row_id, self.mail_from))

    def __call__(self, s: Session, case: CaseToPurge) -> int:
        return purge_case_messages(s, case, emails=self._email if self.collect is not None else None)
