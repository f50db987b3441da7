"""Which case a reply is about: our own request's Message-ID in In-Reply-To / References (immune to
subject rewriting), else a case reference in the subject, the new text, or the quoted request.

A message that names two different cases (subject and body, or a thread and a body) is never recorded
against the first one found: it goes to a person (issue 10 #6)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from cases.reference import find_references
from intake.inbound.parse import ParsedMessage
from intake.inbound.reply_text import ReplyText

# Which case each of our sent messages was about: outbox id -> case reference (storage/outbox.py case_refs).
ThreadLookup = Callable[[Sequence[str]], Mapping[str, str]]

# notify.senders.message_id_for: "<outbox-ID@domain>"
_OUTBOX_ID = re.compile(r"^<outbox-([0-9a-f]{32})@", re.IGNORECASE)


@dataclass(frozen=True)
class CaseReference:
    reference: str  # "" when none was found
    via: str  # "thread", "subject", "text", "quoted", ""
    conflict: str = ""  # why the candidates disagree (no personal data)


def outbox_ids(message: ParsedMessage) -> list[str]:
    ids: list[str] = []
    for value in [*message.in_reply_to, *reversed(message.references)]:
        match = _OUTBOX_ID.match(value)
        if match and match.group(1).lower() not in ids:
            ids.append(match.group(1).lower())
    return ids


def find_case_reference(message: ParsedMessage, reply: ReplyText, threads: ThreadLookup) -> CaseReference:
    """`threads` answers which case our own requests (by outbox id) were about: the only lookup this needs."""
    threaded: list[str] = []
    ids = outbox_ids(message)
    if ids:
        rows = threads(ids)
        threaded = [rows[i] for i in ids if rows.get(i)]
    in_subject = find_references(message.subject)
    in_text = find_references(reply.new)
    if threaded:
        if in_subject and threaded[0] not in in_subject:
            return CaseReference("", "", "the subject names a different case from the request it answers")
        if any(r != threaded[0] for r in [*in_subject, *in_text]):
            # An answer about two cases, or about another case than the one asked: a person decides which.
            return CaseReference("", "", "the message names more than one case (besides the one the request was about)")
        return CaseReference(threaded[0], "thread")
    if len(in_subject) > 1:
        return CaseReference("", "", "the subject names more than one case")
    if len(in_text) > 1:
        return CaseReference("", "", "the reply names more than one case")
    if in_subject and in_text and in_subject != in_text:
        return CaseReference("", "", "the subject and the reply name different cases (more than one case)")
    if in_subject:
        return CaseReference(in_subject[0], "subject")
    if in_text:
        return CaseReference(in_text[0], "text")
    quoted = find_references(message.text)
    if len(quoted) == 1:
        return CaseReference(quoted[0], "quoted")
    if len(quoted) > 1:
        return CaseReference("", "", "the message names more than one case")
    return CaseReference("", "")
