"""What purge removes from the outbox: the rendered content and addresses of a purged case's messages.

The row stays (kind, template id and version, status, dates, who approved it), so the board can still
show that the decision was notified and when; only what may identify anyone goes. A message not yet sent
is cancelled first: nothing is sent about a case whose personal data has been purged.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from notify.outbox import OutboxStatus
from storage.db import rowcount
from storage.tables import OutboxRow

_UNSENT = [OutboxStatus.DRAFT.value, OutboxStatus.APPROVED.value, OutboxStatus.FAILED.value]


def purge_outbox(s: Session, case_id: str) -> int:
    """A `storage.purge.PurgeHook`: returns how many messages lost their content."""
    s.execute(
        update(OutboxRow)
        .where(OutboxRow.case_id == case_id, OutboxRow.status.in_(_UNSENT))
        .values(status=OutboxStatus.CANCELLED.value)
    )
    return rowcount(
        s.execute(
            update(OutboxRow)
            .where(OutboxRow.case_id == case_id, OutboxRow.body_enc.is_not(None))
            .values(recipients_enc=None, subject_enc=None, body_enc=None, html_enc=None)
        )
    )
