"""Local mode's mailbox: a Maildir inbox (`new/`, `cur/`, with `.processed` and `.quarantine` folders) and
an outbox folder where each sent message is written as an `.eml` file. Real files, no server."""

from __future__ import annotations

import mailbox
import os
import re
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path

from mail.base import MailboxError

_SAFE = re.compile(r"[^A-Za-z0-9._@-]+")


class MaildirMailbox:
    def __init__(self, inbox: Path, outbox: Path) -> None:
        self.inbox_path = inbox
        self.outbox_path = outbox
        # Maildir(create=True) only makes tmp/new/cur when the root is new; make sure of all three.
        for sub in ("tmp", "new", "cur"):
            (inbox / sub).mkdir(parents=True, exist_ok=True, mode=0o700)
        outbox.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._maildir = mailbox.Maildir(inbox, factory=None, create=True)

    def _folder(self, name: str) -> mailbox.Maildir:
        if name not in self._maildir.list_folders():
            return self._maildir.add_folder(name)
        return self._maildir.get_folder(name)

    def list_new(self) -> list[str]:
        # Oldest first: Maildir keys begin with the delivery time in seconds.
        return sorted(self._maildir.iterkeys())

    def fetch_raw(self, key: str) -> bytes:
        try:
            return self._maildir.get_bytes(key)
        except KeyError:
            raise MailboxError(f"no message {key} in the inbox") from None

    def move(self, key: str, folder: str) -> None:
        try:
            raw = self._maildir.get_bytes(key)
        except KeyError:
            return  # already moved: moving is idempotent
        target = self._folder(folder)
        # Copy first, then remove: a crash in between leaves a copy in both, never in neither.
        target.add(raw)
        self._maildir.discard(key)

    def folder_keys(self, folder: str) -> list[str]:
        return sorted(self._folder(folder).iterkeys())

    def folder_raw(self, folder: str, key: str) -> bytes:
        return self._folder(folder).get_bytes(key)

    def deliver(self, raw: bytes) -> str:
        """Drop a message into the inbox (what a mail server would do); returns its key."""
        return self._maildir.add(raw)

    def send(self, message: EmailMessage) -> str:
        message_id = message.get("Message-ID")
        if not message_id:
            raise MailboxError("outbound message has no Message-ID")
        name = _SAFE.sub("_", message_id.strip("<>")) + ".eml"
        final = self.outbox_path / name
        tmp = self.outbox_path / f".{name}.tmp{os.getpid()}"
        data = message.as_bytes(policy=SMTP)
        with open(tmp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, final)  # the same Message-ID sent twice overwrites, never duplicates
        return str(message_id)
