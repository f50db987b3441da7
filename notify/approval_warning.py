"""The warning an approver sees before a statutory message goes: the case's own personal data in its text
beyond what its template carries (notify/secure_send.py `approval_warning`). One function for every front end
(CLI, Slack, Teams), so none approves without asking."""

from __future__ import annotations

from errors import NotFound
from notify.outbox import Outbox, OutboxItem
from notify.secure_send import warning_for


def item_warning(outbox: Outbox, item: OutboxItem) -> str:
    return warning_for(
        outbox.sessions,
        outbox.codec,
        case_id=item.case_id,
        board_id=outbox.board.id,
        case_ref=item.case_ref,
        template_id=item.template_id,
        subject=item.subject,
        text=item.text,
    )


def draft_warning(outbox: Outbox, draft_id: str) -> str:
    """The warning for a draft approved without its preview; the text is checked, not shown, so the read is
    not audited as a view."""
    with outbox.sessions() as s:
        try:
            item = outbox.rows.get(s, draft_id)
        except NotFound:
            return ""
    return item_warning(outbox, item)
