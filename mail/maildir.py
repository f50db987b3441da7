"""Local mode's mailbox: a Maildir inbox (`new/`, `cur/`, with `.processed` and `.quarantine` folders) and
an outbox folder where each sent message is written as an `.eml` file. Real files, no server.

A message is moved between folders with one `rename` on the same filesystem, so a crash never leaves it in
two folders or in none, and its key (the file name before any ":2,flags" suffix) stays the same.
"""

from __future__ import annotations

import hashlib
import mailbox
import os
import re
from collections.abc import Callable, Collection
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from email.policy import SMTP
from pathlib import Path
from typing import TypeVar

from mail.base import PROCESSED, QUARANTINE, MailboxError, StoredCopy

_SAFE = re.compile(r"[^A-Za-z0-9._@-]+")
_SUBDIRS = ("new", "cur")
T = TypeVar("T")
_TEMP = re.compile(r"^\.(?P<name>.+\.eml)\.tmp(?P<pid>\d+)$")


def outbox_name(message_id: str) -> str:
    """The outbox file of a message: its Message-ID made safe as a file name (the same id, the same file)."""
    return _SAFE.sub("_", message_id.strip().strip("<>")) + ".eml"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _key_of(filename: str) -> str:
    return filename.split(":", 1)[0]


class MaildirMailbox:
    def __init__(self, inbox: Path, outbox: Path) -> None:
        self.inbox_path = inbox
        self.outbox_path = outbox
        for sub in ("tmp", "new", "cur"):
            (inbox / sub).mkdir(parents=True, exist_ok=True, mode=0o700)
        outbox.mkdir(parents=True, exist_ok=True, mode=0o700)
        # Python's Maildir only for delivering: it makes unique names the way Maildir writers must.
        self._maildir = mailbox.Maildir(inbox, factory=None, create=True)
        self._made: set[str] = set()
        self._listed: dict[str, Path] = {}

    # --- folders -------------------------------------------------------------------------------------

    def _folder_path(self, name: str) -> Path:
        if not name or "/" in name or name.startswith("."):
            raise MailboxError(f"not a folder name: {name!r}")
        path = self.inbox_path / f".{name}"
        if name not in self._made:
            for sub in ("tmp", "new", "cur"):
                (path / sub).mkdir(parents=True, exist_ok=True, mode=0o700)
            self._made.add(name)
        return path

    @staticmethod
    def _files(root: Path) -> dict[str, Path]:
        found: dict[str, Path] = {}
        for sub in _SUBDIRS:
            directory = root / sub
            try:
                names = os.listdir(directory)
            except FileNotFoundError:
                continue
            for name in names:
                if not name.startswith("."):
                    found[_key_of(name)] = directory / name
        return found

    @staticmethod
    def _find(root: Path, key: str) -> Path | None:
        if not key or "/" in key or key.startswith("."):
            return None
        for sub in _SUBDIRS:
            directory = root / sub
            exact = directory / key
            if exact.is_file():
                return exact
            try:
                names = os.listdir(directory)
            except FileNotFoundError:
                continue
            for name in names:
                if _key_of(name) == key:
                    return directory / name
        return None

    # --- the Mailbox protocol ------------------------------------------------------------------------

    def list_new(self) -> list[str]:
        # Where each message was when listed: a poll's size, fetch and move go straight there (and search the
        # inbox again only if it has gone, e.g. a mail client marked it read into `cur/` meanwhile).
        self._listed = self._files(self.inbox_path)
        # Oldest first: Maildir names begin with the delivery time in seconds.
        return sorted(self._listed)

    def _in_inbox(self, key: str, use: Callable[[Path], T]) -> T | None:
        listed = self._listed.get(key)
        if listed is not None:
            try:
                return use(listed)
            except FileNotFoundError:
                pass
        path = self._find(self.inbox_path, key)
        return None if path is None else use(path)

    def fetch_raw(self, key: str) -> bytes:
        data = self._in_inbox(key, Path.read_bytes)
        if data is None:
            raise MailboxError(f"no message {key} in the inbox")
        return data

    def size(self, key: str) -> int:
        size = self._in_inbox(key, lambda path: os.stat(path).st_size)
        if size is None:
            raise MailboxError(f"no message {key} in the inbox")
        return size

    def move(self, key: str, folder: str) -> None:
        target = self._folder_path(folder) / "cur"
        # atomic on one filesystem: in one folder or the other, never both; already moved: nothing to do
        self._in_inbox(key, lambda source: os.rename(source, target / source.name))
        self._listed.pop(key, None)

    def send(self, message: EmailMessage) -> str:
        message_id = message.get("Message-ID")
        if not message_id:
            raise MailboxError("outbound message has no Message-ID")
        name = outbox_name(message_id)
        final = self.outbox_path / name
        tmp = self.outbox_path / f".{name}.tmp{os.getpid()}"
        data = message.as_bytes(policy=SMTP)
        with open(tmp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, final)  # the same Message-ID sent twice overwrites, never duplicates
        return str(message_id)

    def find_sent(self, message_id: str) -> str | None:
        return message_id if (self.outbox_path / outbox_name(message_id)).is_file() else None

    def delete_copies(self, copies: Collection[StoredCopy]) -> int:
        """Files in `.processed` and `.quarantine` whose Message-ID or bytes match, the outbox files of these
        Message-IDs, and temporary files a crash left in the outbox (of these messages, or of a process that is
        no longer running)."""
        ids = {c.message_id.strip() for c in copies if c.message_id.strip()}
        digests = {c.sha256 for c in copies if c.sha256}
        deleted = 0
        for folder in (PROCESSED, QUARANTINE):
            root = self._folder_path(folder)
            for sub in (*_SUBDIRS, "tmp"):
                for path in sorted((root / sub).glob("*")):
                    if path.is_file() and self._matches(path, ids, digests):
                        path.unlink(missing_ok=True)
                        deleted += 1
        names = {outbox_name(i) for i in ids}
        for path in sorted(self.outbox_path.iterdir()):
            temp = _TEMP.match(path.name)
            stale = temp is not None and (temp["name"] in names or not _pid_alive(int(temp["pid"])))
            if path.is_file() and (path.name in names or stale):
                path.unlink(missing_ok=True)
                deleted += 1
        return deleted

    @staticmethod
    def _matches(path: Path, ids: set[str], digests: set[str]) -> bool:
        data = path.read_bytes()
        if digests and hashlib.sha256(data).hexdigest() in digests:
            return True
        found = BytesHeaderParser().parsebytes(data).get("Message-ID")
        return bool(found) and str(found).strip() in ids

    # --- for tests, newcomers and the CLI ------------------------------------------------------------

    def folder_keys(self, folder: str) -> list[str]:
        return sorted(self._files(self._folder_path(folder)))

    def folder_raw(self, folder: str, key: str) -> bytes:
        path = self._find(self._folder_path(folder), key)
        if path is None:
            raise MailboxError(f"no message {key} in {folder}")
        return path.read_bytes()

    def deliver(self, raw: bytes) -> str:
        """Drop a message into the inbox (what a mail server would do); returns its key."""
        return self._maildir.add(raw)
