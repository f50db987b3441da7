"""What purge removes from the outbox: the rendered content and addresses of a purged case's messages.

The row stays (kind, template id and version, status, dates, who approved it), so the board can still
show that the decision was notified and when; only what may identify anyone goes. A message not yet sent
is cancelled first: nothing is sent about a case whose personal data has been purged.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from storage.outbox import purge_case_messages


def purge_outbox(s: Session, case_id: str) -> int:
    """A `storage.purge.PurgeHook`: returns how many messages lost their content."""
    return purge_case_messages(s, case_id)
