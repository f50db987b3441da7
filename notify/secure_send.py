"""Personal data only goes to secure addresses (004 §3.6), checked whenever a message's wording or its
recipients could have changed: when it is queued, on every edit, and again just before it is sent (the
board's secure domains may have changed meanwhile, and a person may have typed the child's name into a
message that was drafted without personal data).

Pure functions over a message's parts and the case's facts; the outbox and the dispatcher act on what they
return. Reasons name kinds and lines, never the data.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session, sessionmaker

from cases.board import BoardConfig
from cases.personal_data import CaseFacts, Hit, describe, find
from errors import Refused
from notify.templates import TemplateError, get_template
from storage.case_codec import Codec
from storage.case_facts import case_facts
from storage.outbox import OutboxItem


class InsecureRecipient(Refused):
    """Personal data may only go to addresses on the board's secure domains (004 §3.6)."""


def insecure_recipients(board: BoardConfig, channel: str, recipients: Sequence[str]) -> list[str]:
    """Recipients that may not see personal data: email addresses outside the secure domains, and Slack
    channels (only the case reference belongs there, DESIGN.md §5). A Slack DM to a member is not one."""
    if channel == "email":
        return [r for r in recipients if not board.is_secure_address(r)]
    return [r for r in recipients if not r.startswith(("U", "W", "D"))]


def personal_data_in(subject: str, text: str, facts: CaseFacts | None) -> tuple[list[Hit], str]:
    """Hits in the subject and body together (the subject counted as line 1), and their description."""
    if facts is None:
        return [], ""
    whole = f"{subject}\n{text}"
    hits = find(whole, facts)
    return hits, describe(hits, whole)


def refusal(
    board: BoardConfig,
    *,
    channel: str,
    recipients: Sequence[str],
    recipient_summary: str,
    personal_data: bool,
    subject: str,
    text: str,
    facts: CaseFacts | None,
) -> str:
    """Why this message may not go to these recipients, or "" if it may."""
    insecure = insecure_recipients(board, channel, recipients)
    if not insecure:
        return ""
    outside = f"{len(insecure)} recipient(s) of {recipient_summary or 'the message'} are not on a secure domain"
    if channel != "email":
        outside = f"it goes to a Slack channel ({recipient_summary or 'channel'})"
    if personal_data:
        return f"it is a message that carries personal data and {outside} (004 §3.6)"
    hits, where = personal_data_in(subject, text, facts)
    if hits:
        return f"its wording holds the case's personal data ({where}) and {outside} (004 §3.6)"
    return ""


def approval_warning(subject: str, text: str, facts: CaseFacts | None, *, carries: Sequence[str]) -> str:
    """For the person approving a message: personal data of the case in its text beyond what the template puts
    there by design (`carries`, e.g. a statutory notification's date of birth). Free text - a rationale, a
    reason, an edit - is where a name slips in."""
    hits, _ = personal_data_in(subject, text, facts)
    extra = [h for h in hits if h.kind.value not in carries]
    if not extra:
        return ""
    return (
        f"the text holds the case's personal data ({describe(extra, f'{subject}{chr(10)}{text}')}); "
        "check it before approving: a statutory notification names the child by initials only"
    )


def check_edit(
    s: Session, item: OutboxItem, board: BoardConfig, codec: Codec, *, subject: str | None, text: str | None
) -> bool:
    """The rule again on a draft's new wording, before it is stored: refused (InsecureRecipient) if the new
    wording may not go to the message's recipients. Returns whether the new wording holds personal data."""
    new_subject = " ".join(subject.split()) if subject is not None else item.subject
    new_text = text if text is not None else item.text
    facts = case_facts(s, codec, item.case_id, board_id=board.id, case_ref=item.case_ref)
    reason = refusal(
        board,
        channel=item.channel,
        recipients=item.recipients,
        recipient_summary=item.recipient_summary,
        personal_data=item.personal_data,
        subject=new_subject,
        text=new_text,
        facts=facts,
    )
    if reason:
        raise InsecureRecipient(f"message {item.id} was not changed: {reason}")
    return bool(personal_data_in(new_subject, new_text, facts)[0])


def warning_for(
    sessions: sessionmaker[Session],
    codec: Codec,
    *,
    case_id: str | None,
    template_id: str,
    subject: str,
    text: str,
    board_id: str = "",
    case_ref: str = "",
) -> str:
    """`approval_warning` for a stored message (what `scrbot notify show` and the Slack preview show)."""
    try:
        carries = get_template(template_id).carries
    except TemplateError:
        carries = ()
    with sessions() as s:
        facts = case_facts(s, codec, case_id, board_id=board_id, case_ref=case_ref)
    return approval_warning(subject, text, facts, carries=carries)
