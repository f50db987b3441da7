"""The real exchangelib against a local fake EWS endpoint over HTTP: reading, marking (moving into
folders it creates), sending, paging, and failing fast on wrong credentials."""

from __future__ import annotations

import email
from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import default

import pytest

from mail.base import PROCESSED, QUARANTINE, MailboxError
from mail.ews import EwsConfig, EwsMailbox
from tests.support.fake_ews import FakeEwsState, fake_ews


@pytest.fixture
def ews() -> Iterator[tuple[EwsMailbox, FakeEwsState]]:
    with fake_ews() as (endpoint, state):
        config = EwsConfig(
            endpoint=endpoint,
            username=state.username,
            password=state.password,
            mailbox="scr@testshire.gov.uk",
            auth_type="basic",
            version="2016",
            page_size=3,  # small pages: listing must follow IndexedPagingOffset
        )
        yield EwsMailbox(config), state


def raw(n: int) -> bytes:
    return (
        f"From: a@nhs.net\r\nSubject: reply {n}\r\nMessage-ID: <m{n}@nhs.net>\r\n\r\nRecords secured {n}\r\n".encode()
    )


def test_lists_oldest_first_across_pages_and_fetches_mime(ews: tuple[EwsMailbox, FakeEwsState]) -> None:
    box, state = ews
    ids = [state.deliver(raw(n), received=datetime(2026, 12, 1, 9, 10 - n, tzinfo=UTC)) for n in range(7)]
    keys = box.list_new()
    assert keys == list(reversed(ids))  # by DateTimeReceived, oldest first
    assert state.operations.count("FindItem") == 3  # 7 items in pages of 3
    assert box.fetch_raw(keys[0]) == raw(6)


def test_moving_creates_the_folder_once_and_is_idempotent(ews: tuple[EwsMailbox, FakeEwsState]) -> None:
    box, state = ews
    first, second = state.deliver(raw(1)), state.deliver(raw(2))
    box.move(first, PROCESSED)
    box.move(first, PROCESSED)  # the item has a new id in its new folder: nothing more to do
    box.move(second, QUARANTINE)
    assert box.list_new() == []
    processed, quarantine = state.folder_named(PROCESSED), state.folder_named(QUARANTINE)
    assert processed and quarantine
    assert [i.mime for i in state.in_folder(processed)] == [raw(1)]
    assert [i.mime for i in state.in_folder(quarantine)] == [raw(2)]
    assert state.operations.count("CreateFolder") == 2


def test_sends_the_mime_message_and_keeps_a_copy(ews: tuple[EwsMailbox, FakeEwsState]) -> None:
    box, state = ews
    message = EmailMessage()
    message["From"] = "scr@testshire.gov.uk"
    message["To"] = "reviews@testshire.pnn.police.uk"
    message["Subject"] = "[SCR-2026-0001] Please check your involvement and secure your records"
    message["Message-ID"] = "<outbox-1@testshire.gov.uk>"
    message.set_content("Records secured: yes / no")
    assert box.send(message) == "<outbox-1@testshire.gov.uk>"
    assert len(state.sent) == 1
    sent = email.message_from_bytes(state.sent[0], policy=default)
    assert sent["Subject"] == message["Subject"] and sent["Message-ID"] == "<outbox-1@testshire.gov.uk>"
    assert state.in_folder("sentitems")


def test_wrong_credentials_fail_at_once_instead_of_being_retried(ews: tuple[EwsMailbox, FakeEwsState]) -> None:
    box, state = ews
    wrong = EwsMailbox(EwsConfig(**{**box.config.__dict__, "password": "wrong", "max_wait_seconds": 3600}))
    with pytest.raises(MailboxError, match="UnauthorizedError"):
        wrong.list_new()
    # exchangelib's own fault-tolerant policy reads a 401 as throttling and retries it for up to an hour.
    assert state.unauthorized == 1


def test_a_message_that_is_gone_cannot_be_fetched(ews: tuple[EwsMailbox, FakeEwsState]) -> None:
    box, _state = ews
    with pytest.raises(MailboxError):
        box.fetch_raw("bm90LWEtcmVhbC1pZA==")


def test_bad_settings_are_named() -> None:
    box = EwsMailbox(
        EwsConfig(endpoint="http://127.0.0.1:9/EWS", username="u", password="p", mailbox="a@b.c", auth_type="kerberos")
    )
    with pytest.raises(MailboxError, match="auth type"):
        box.list_new()


def sent_message(n: int) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "scr@testshire.gov.uk"
    message["To"] = "reviews@testshire.pnn.police.uk"
    message["Subject"] = f"request {n}"
    message["Message-ID"] = f"<outbox-{n}@testshire.gov.uk>"
    message.set_content("Please secure your records.")
    return message


def test_a_sent_message_is_found_by_its_message_id_in_the_sent_items(ews: tuple[EwsMailbox, FakeEwsState]) -> None:
    box, state = ews
    assert box.find_sent("<outbox-1@testshire.gov.uk>") is None
    box.send(sent_message(1))
    box.send(sent_message(2))
    found = box.find_sent("<outbox-1@testshire.gov.uk>")
    assert found is not None and state.items[found].folder == "sentitems"
    assert b"request 1" in state.items[found].mime
    assert state.searches[-1] == ("sentitems", "<outbox-1@testshire.gov.uk>")  # searched on the server
    assert "GetItem" not in state.operations  # nothing was fetched


def test_copies_of_purged_messages_are_deleted_from_every_folder(ews: tuple[EwsMailbox, FakeEwsState]) -> None:
    from mail.base import StoredCopy

    box, state = ews
    kept, gone, quarantined = state.deliver(raw(1)), state.deliver(raw(2)), state.deliver(raw(3))
    box.move(kept, PROCESSED)
    box.move(gone, PROCESSED)
    box.move(quarantined, QUARANTINE)
    box.send(sent_message(7))
    box.send(sent_message(8))
    copies = [StoredCopy("<m2@nhs.net>"), StoredCopy("<m3@nhs.net>"), StoredCopy("<outbox-7@testshire.gov.uk>")]
    assert box.delete_copies(copies) == 3
    remaining = sorted(i.mime for i in state.items.values())
    assert remaining == sorted([raw(1), next(m for m in state.sent if b"request 8" in m)])
    assert box.delete_copies(copies) == 0


def test_an_internal_ca_is_trusted_through_the_ca_bundle(tmp_path: object) -> None:
    """An Exchange server whose certificate comes from the board's own CA: refused by default, trusted with
    `ca_bundle` (SCRBOT_EWS_CA_BUNDLE), for that server only."""
    from pathlib import Path

    folder = Path(str(tmp_path))
    with fake_ews(tls_directory=folder) as (endpoint, state):
        assert endpoint.startswith("https://")
        settings = {
            "endpoint": endpoint,
            "username": state.username,
            "password": state.password,
            "mailbox": "scr@testshire.gov.uk",
            "auth_type": "basic",
        }
        with pytest.raises(MailboxError, match="certificate is not trusted: set SCRBOT_EWS_CA_BUNDLE"):
            EwsMailbox(EwsConfig(**settings, max_wait_seconds=0)).inbox_folders()
        from exchangelib import close_connections

        close_connections()  # exchangelib keeps one connection pool per server and account in the process
        state.deliver(raw(1))
        box = EwsMailbox(EwsConfig(**settings, ca_bundle=str(folder / "ca.pem")))
        assert len(box.list_new()) == 1
        assert box.inbox_folders() == []
