"""Limits on hostile input. Every inbound message is untrusted until it has been checked, and even a
trusted sender's mail can carry a zip bomb by accident: nothing is parsed, decompressed or derived without
a cap."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from errors import BadInput

MIB = 1024 * 1024


class LimitExceeded(BadInput):
    """Input over one of the limits. The message names the limit, never the content."""


@dataclass(frozen=True)
class Limits:
    # Whole message: larger ones are kept (head only) and quarantined, never parsed.
    max_message_bytes: int = 25 * MIB
    # What is stored of a message over the limit (its headers, for a person to recognise it).
    truncated_head_bytes: int = 64 * 1024
    max_mime_parts: int = 200
    max_nesting_depth: int = 8
    max_attachments: int = 10
    max_attachment_bytes: int = 10 * MIB
    # A .docx is a zip: its members, decompressed, may not add up to more than this.
    max_docx_uncompressed_bytes: int = 40 * MIB
    max_docx_members: int = 1000
    # Password key derivation: Office's default is 100,000 hash rounds; refuse files asking for more than
    # this before deriving anything (MS-OFFCRYPTO allows up to 10,000,000: seconds of CPU per attempt).
    max_kdf_spin_count: int = 1_000_000
    # Text read for answers: an answer is at the top; the rest is not read.
    max_text_chars: int = 200_000
    max_html_bytes: int = 4 * MIB
    # The message's own header block (a real one is a few KiB; a hostile one of a million headers takes the
    # stdlib parser seconds): refused, unparsed, when it does not end within this.
    max_header_bytes: int = 1 * MIB


def too_large_to_fetch(size: int | None, limits: Limits) -> bool:
    """Whether a message the mailbox says is `size` bytes is over the limit, so its body is never fetched
    (a 300 MB message fetched whole took 980 MB). Unknown sizes are fetched and checked after."""
    return size is not None and size > limits.max_message_bytes


def not_fetched_stand_in(source: str, key: str, size: int) -> bytes:
    """What is stored for a message too large to fetch: no content at all, only which mailbox item it is
    and its size. Its Message-ID is made from the item's key, so the same item polled again (after a crash
    before it was moved) is the same stored message."""
    digest = hashlib.sha256(f"{source}\x00{key}".encode()).hexdigest()[:40]
    return (
        f"Message-ID: <not-fetched-{digest}@scrbot.invalid>\r\n"
        f"X-SCRBot-Not-Fetched: {size} bytes, over the limit; the message stays in the mailbox\r\n"
        "Subject: (not fetched: larger than the limit)\r\n\r\n"
    ).encode()
