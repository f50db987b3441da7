"""The one small interface every mailbox backend implements (DESIGN.md §4).

Backends: Exchange on-premises via EWS (exchangelib), Exchange Online via Microsoft Graph (msal + httpx),
and a local Maildir. The core never imports a backend's library; it talks to this protocol.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol

from errors import Unavailable

# Folder names a backend maps onto its own (Maildir subfolders, Exchange folders).
PROCESSED = "processed"
QUARANTINE = "quarantine"


class MailboxError(Unavailable):
    """A backend failed (network, auth, server). The message carries no message content."""


@dataclass(frozen=True)
class StoredCopy:
    """What identifies a message the mailbox may keep a copy of: its Message-ID, and (when known) the SHA-256
    of its bytes exactly as they were read, for a message that has no Message-ID."""

    message_id: str
    sha256: str = ""


class Mailbox(Protocol):
    def list_new(self) -> list[str]:
        """Keys of messages not yet processed, oldest first. A key is the backend's own handle."""
        ...

    def fetch_raw(self, key: str) -> bytes:
        """The message's full MIME bytes, exactly as received."""
        ...

    def size(self, key: str) -> int | None:
        """The message's size in bytes as the mailbox reports it, learnt without downloading the message
        (a Maildir file's size, EWS's item size, Graph's PR_MESSAGE_SIZE); None if the mailbox cannot say.
        A message over the intake's limit is then quarantined without its body ever being fetched."""
        ...

    def move(self, key: str, folder: str) -> None:
        """Move a message out of the inbox into `folder` (PROCESSED, QUARANTINE). Idempotent."""
        ...

    def send(self, message: EmailMessage) -> str:
        """Send a message; returns the provider's id for it (or its Message-ID)."""
        ...

    def find_sent(self, message_id: str) -> str | None:
        """The provider's id of a message with this Message-ID already sent from this mailbox (its sent items;
        local mode: the outbox folder), or None. Asked before sending again a message whose first send may
        have gone (the process died, or the server timed out), so that it never goes twice."""
        ...

    def delete_copies(self, copies: Collection[StoredCopy]) -> int:
        """Delete every copy of these messages the mailbox keeps outside its inbox - the processed and
        quarantine folders and the sent items (local mode: the outbox folder, with any temporary file a crash
        left there) - and return how many were deleted. For `scrbot purge`."""
        ...
