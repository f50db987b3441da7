"""What purge removes from stored inbound mail: the raw message, its Message-ID and what was read from it,
for every message linked to the purged case by any key. The row stays (status, kind, reason, dates, size),
so the board can still show that a message came and what became of it.

A message is the case's when it was recorded against the case (its id), when it named the case's reference
(a quarantined reply from a colleague has the reference but no case), or - for mail linked to no case at all,
such as an unauthenticated reply quarantined before it was matched, or an emailed referral a person filed by
hand with `scrbot refer --file` and then dismissed - when its text names the case's reference or the child
or family (cases/personal_data.py `identifies`). Each purged message's Message-ID and
the SHA-256 of its bytes go to `collect`, so that the mailbox's own copies can be deleted too.
"""

from __future__ import annotations

import email
import hashlib
import json
from collections.abc import Callable
from email import policy
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from cases.personal_data import CaseFacts, identifies
from cases.reference import find_references
from storage.db import rowcount
from storage.inbound import TABLE, InboundStore
from storage.purge import CaseToPurge
from storage.tables import InboundMessageRow
from storage.tables.base import table_of

T = table_of(InboundMessageRow)
_TEXT_LIMIT = 1 << 20  # enough to find a name; a purge reads each unlinked message once


class InboundPurge:
    """A `storage.purge.PurgeHook` for inbound mail."""

    def __init__(self, inbound: InboundStore, *, collect: Callable[[str, str], None] | None = None) -> None:
        self.inbound = inbound
        self.collect = collect

    def __call__(self, s: Session, case: CaseToPurge) -> int:
        m = InboundMessageRow
        held = or_(m.raw_enc.is_not(None), m.detail_enc.is_not(None), m.message_id_enc.is_not(None))
        linked = or_(m.case_id == case.id, and_(m.board_id == case.board_id, m.case_ref == case.reference))
        unlinked = and_(m.board_id == case.board_id, m.case_id.is_(None), m.case_ref == "")
        facts = CaseFacts.from_referral(case.referral) if case.referral is not None else None
        ids: list[str] = []
        for row in s.scalars(select(m).where(held, or_(linked, unlinked))):
            raw = self.inbound.raw_of(row)
            named = row.case_id == case.id or row.case_ref == case.reference
            if not named and not _about(case, facts, _text_of(raw, self.inbound.detail_of(row))):
                continue
            ids.append(row.id)
            if self.collect is not None:
                self.collect(self.inbound.message_id_of(row), hashlib.sha256(raw).hexdigest() if raw else "")
        if not ids:
            return 0
        return rowcount(
            s.execute(update(T).where(T.c.id.in_(ids)).values(raw_enc=None, message_id_enc=None, detail_enc=None))
        )


def _about(case: CaseToPurge, facts: CaseFacts | None, text: str) -> bool:
    """Whether a message linked to no case is about this one: it names the reference, or the child or family."""
    if case.reference in find_references(text):
        return True
    return facts is not None and identifies(text, facts)


def _text_of(raw: bytes, detail: dict[str, Any]) -> str:
    """The words of a stored message: its subject and sender's name, its text parts, and what was read from it
    (an extracted referral form), for matching against the child's details."""
    parts: list[str] = [json.dumps(detail, ensure_ascii=False, default=str)]
    try:
        message = email.message_from_bytes(raw[:_TEXT_LIMIT], policy=policy.default)
        parts += [str(message.get("Subject", "")), str(message.get("From", ""))]
        for part in message.walk():
            if part.get_content_maintype() == "text":
                payload = part.get_payload(decode=True)
                if isinstance(payload, bytes):
                    parts.append(payload.decode(part.get_content_charset() or "utf-8", errors="replace"))
    except (ValueError, LookupError, TypeError):  # a broken message: its bytes as they are
        parts.append(raw[:_TEXT_LIMIT].decode("utf-8", errors="replace"))
    return "\n".join(parts)[: 2 * _TEXT_LIMIT]


__all__ = ["TABLE", "InboundPurge"]
