"""The local Maildir mailbox with real files."""

from __future__ import annotations

import email
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

from mail.base import PROCESSED, QUARANTINE
from mail.maildir import MaildirMailbox


def raw_message(subject: str) -> bytes:
    message = EmailMessage()
    message["From"] = "reviews@testshire.pnn.police.uk"
    message["To"] = "scr@testshire.gov.uk"
    message["Subject"] = subject
    message["Message-ID"] = f"<{subject.replace(' ', '-')}@testshire.pnn.police.uk>"
    message.set_content("Records secured: yes")
    return bytes(message)


def test_deliver_list_fetch_and_move(tmp_path: Path) -> None:
    box = MaildirMailbox(tmp_path / "inbox", tmp_path / "outbox")
    first = box.deliver(raw_message("first"))
    second = box.deliver(raw_message("second"))
    assert set(box.list_new()) == {first, second}
    assert b"Subject: first" in box.fetch_raw(first)
    box.move(first, PROCESSED)
    box.move(first, PROCESSED)  # idempotent
    box.move(second, QUARANTINE)
    assert box.list_new() == []
    assert len(box.folder_keys(PROCESSED)) == 1
    assert b"Subject: second" in box.folder_raw(QUARANTINE, box.folder_keys(QUARANTINE)[0])
    # Real Maildir layout on disk: a message moved is in the folder's cur/ (seen), none left in the inbox.
    inbox = tmp_path / "inbox"
    for folder in (inbox, inbox / ".processed", inbox / ".quarantine"):
        assert sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) == ["cur", "new", "tmp"]
    assert [len(list((inbox / sub).iterdir())) for sub in ("new", "cur")] == [0, 0]
    assert [len(list((inbox / ".processed" / sub).iterdir())) for sub in ("new", "cur")] == [0, 1]
    assert [len(list((inbox / ".quarantine" / sub).iterdir())) for sub in ("new", "cur")] == [0, 1]


def test_a_message_a_mail_client_moved_after_the_listing_is_still_found_and_moved_once(tmp_path: Path) -> None:
    """Size, fetch and move go to where the listing saw a message; one moved meanwhile (a mail client marking it
    read into cur/ with flags) is searched for, and one gone is not an error for the move."""
    box = MaildirMailbox(tmp_path / "inbox", tmp_path / "outbox")
    key = box.deliver(raw_message("read meanwhile"))
    gone = box.deliver(raw_message("gone meanwhile"))
    assert set(box.list_new()) == {key, gone}
    inbox = tmp_path / "inbox"
    (inbox / "new" / key).rename(inbox / "cur" / f"{key}:2,S")
    assert box.size(key) == len(raw_message("read meanwhile"))
    assert b"Subject: read meanwhile" in box.fetch_raw(key)
    box.move(key, PROCESSED)
    assert [p.name for p in (inbox / ".processed" / "cur").iterdir()] == [f"{key}:2,S"]
    box.move(gone, QUARANTINE)
    box.move(gone, QUARANTINE)  # idempotent
    assert box.list_new() == [] and box.folder_keys(QUARANTINE) == [gone]


def test_send_writes_one_eml_per_message_id(tmp_path: Path) -> None:
    box = MaildirMailbox(tmp_path / "inbox", tmp_path / "outbox")
    message = EmailMessage()
    message["From"] = "scr@testshire.gov.uk"
    message["To"] = "reviews@testshire.pnn.police.uk"
    message["Subject"] = "SCR-2026-0001"
    message["Message-ID"] = "<outbox-abc@testshire.gov.uk>"
    message.set_content("Please secure your records.")
    assert box.send(message) == "<outbox-abc@testshire.gov.uk>"
    box.send(message)  # a resend after a crash overwrites the same file
    files = list((tmp_path / "outbox").glob("*.eml"))
    assert len(files) == 1
    parsed = email.message_from_bytes(files[0].read_bytes(), policy=default)
    assert parsed["Subject"] == "SCR-2026-0001"


def _sent(n: int) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "scr@testshire.gov.uk"
    message["To"] = "reviews@testshire.pnn.police.uk"
    message["Subject"] = f"request {n}"
    message["Message-ID"] = f"<outbox-{n}@testshire.gov.uk>"
    message.set_content("Please secure your records.")
    return message


def test_a_sent_message_is_found_in_the_outbox_folder(tmp_path: Path) -> None:
    box = MaildirMailbox(tmp_path / "inbox", tmp_path / "outbox")
    assert box.find_sent("<outbox-1@testshire.gov.uk>") is None
    box.send(_sent(1))
    assert box.find_sent("<outbox-1@testshire.gov.uk>") == "<outbox-1@testshire.gov.uk>"
    assert box.find_sent("<outbox-2@testshire.gov.uk>") is None


def test_copies_are_deleted_by_message_id_or_content_with_the_temp_files_a_crash_left(tmp_path: Path) -> None:
    import hashlib
    import os
    import subprocess
    import sys

    from mail.base import PROCESSED, QUARANTINE, StoredCopy

    box = MaildirMailbox(tmp_path / "inbox", tmp_path / "outbox")
    with_id = b"From: a@nhs.net\nMessage-ID: <gone@nhs.net>\n\nRecords secured\n"
    without_id = b"From: b@nhs.net\n\nNo Message-ID here\n"
    kept = b"From: c@nhs.net\nMessage-ID: <kept@nhs.net>\n\nKeep me\n"
    for raw, folder in ((with_id, PROCESSED), (without_id, QUARANTINE), (kept, PROCESSED)):
        box.move(box.deliver(raw), folder)
    box.send(_sent(1))
    box.send(_sent(2))
    # A send killed between writing its temporary file and renaming it, and one from a process now gone.
    (tmp_path / "outbox" / ".outbox-1@testshire.gov.uk.eml.tmp424242").write_bytes(b"half a message")
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, check=True)
    stale = tmp_path / "outbox" / f".outbox-9@testshire.gov.uk.eml.tmp{int(dead.stdout)}"
    stale.write_bytes(b"half of another")
    live = tmp_path / "outbox" / f".outbox-3@testshire.gov.uk.eml.tmp{os.getpid()}"
    live.write_bytes(b"being written now")

    copies = [
        StoredCopy("<gone@nhs.net>"),
        StoredCopy("", hashlib.sha256(without_id).hexdigest()),
        StoredCopy("<outbox-1@testshire.gov.uk>"),
    ]
    assert box.delete_copies(copies) == 5
    assert [box.folder_raw(PROCESSED, k) for k in box.folder_keys(PROCESSED)] == [kept]
    assert box.folder_keys(QUARANTINE) == []
    assert sorted(p.name for p in (tmp_path / "outbox").iterdir()) == [live.name, "outbox-2@testshire.gov.uk.eml"]
