"""The real msal and httpx against a local fake Microsoft identity platform and Graph over HTTPS (msal only
accepts https authorities; the fake has its own throwaway CA)."""

from __future__ import annotations

import email
from collections.abc import Iterator
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

import pytest

from mail.base import PROCESSED, QUARANTINE, MailboxError
from mail.graph import GraphConfig, GraphMailbox
from tests.support.fake_graph import FakeGraph, fake_graph


@pytest.fixture
def graph(tmp_path: Path) -> Iterator[FakeGraph]:
    with fake_graph(tmp_path) as fake:
        yield fake


def config(fake: FakeGraph, **overrides: object) -> GraphConfig:
    values: dict[str, object] = {
        "tenant_id": fake.state.tenant,
        "client_id": fake.state.client_id,
        "client_secret": fake.state.client_secret,
        "mailbox": fake.state.mailbox,
        "authority_base": fake.base,
        "graph_base": fake.graph_base,
        "ca_bundle": str(fake.ca_file),
        "page_size": 2,
    }
    values.update(overrides)
    return GraphConfig(**values)  # type: ignore[arg-type]


def raw(n: int) -> bytes:
    return (
        f"From: a@nhs.net\r\nSubject: reply {n}\r\nMessage-ID: <m{n}@nhs.net>\r\n\r\nRecords secured {n}\r\n".encode()
    )


def test_lists_pages_fetches_moves_and_signs_in_once(graph: FakeGraph) -> None:
    slept: list[float] = []
    box = GraphMailbox(config(graph), sleep=slept.append)
    ids = [graph.state.deliver(raw(n)) for n in range(5)]
    keys = box.list_new()
    assert keys == ids  # oldest first, across three pages (@odata.nextLink)
    assert box.fetch_raw(keys[1]) == raw(1)
    box.move(keys[0], PROCESSED)
    box.move(keys[0], PROCESSED)  # gone from the inbox (new id in its new folder): done already
    box.move(keys[1], QUARANTINE)
    assert box.list_new() == ids[2:]
    processed = graph.state.folder_named(PROCESSED)
    assert processed is not None and [m.mime for m in graph.state.in_folder(processed)] == [raw(0)]
    assert graph.state.token_requests == 1  # msal caches the app token
    assert slept == []
    box.close()


def test_throttling_is_waited_out_within_a_bound(graph: FakeGraph) -> None:
    slept: list[float] = []
    box = GraphMailbox(config(graph), sleep=slept.append)
    graph.state.deliver(raw(1))
    graph.state.throttle_next = 2
    assert len(box.list_new()) == 1
    assert slept == [0.0, 0.0]  # the server's Retry-After
    graph.state.throttle_next = 100
    with pytest.raises(MailboxError, match="429"):
        GraphMailbox(config(graph, max_wait_seconds=0), sleep=slept.append).list_new()


def test_sends_mime_through_send_mail(graph: FakeGraph) -> None:
    box = GraphMailbox(config(graph))
    message = EmailMessage()
    message["From"] = "scr@testshire.gov.uk"
    message["To"] = "safeguarding.testshire@nhs.net"
    message["Subject"] = "[SCR-2026-0001] Reminder"
    message["Message-ID"] = "<outbox-2@testshire.gov.uk>"
    message.set_content("Please confirm.")
    assert box.send(message) == "<outbox-2@testshire.gov.uk>"
    sent = email.message_from_bytes(graph.state.sent[0], policy=default)
    assert sent["Message-ID"] == "<outbox-2@testshire.gov.uk>" and sent["To"] == "safeguarding.testshire@nhs.net"


def test_a_wrong_secret_fails_at_once_with_a_clear_error(graph: FakeGraph) -> None:
    box = GraphMailbox(config(graph, client_secret="not-the-secret"))
    with pytest.raises(MailboxError, match="invalid_client"):
        box.list_new()
    assert graph.state.token_requests == 1
    assert not any(r.startswith("GET /v1.0") for r in graph.state.requests)


def test_an_untrusted_certificate_is_refused(graph: FakeGraph) -> None:
    box = GraphMailbox(config(graph, ca_bundle=""))  # system CAs do not know the test CA
    with pytest.raises(MailboxError, match="sign-in failed"):
        box.list_new()


def sent_message(n: int) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "scr@testshire.gov.uk"
    message["To"] = "reviews@testshire.pnn.police.uk"
    message["Subject"] = f"request {n}"
    message["Message-ID"] = f"<outbox-{n}@testshire.gov.uk>"
    message.set_content("Please secure your records.")
    return message


def test_a_sent_message_is_found_by_its_message_id_in_the_sent_items(graph: FakeGraph) -> None:
    box = GraphMailbox(config(graph))
    assert box.find_sent("<outbox-1@testshire.gov.uk>") is None
    box.send(sent_message(1))
    box.send(sent_message(2))
    found = box.find_sent("<outbox-1@testshire.gov.uk>")
    assert found is not None and graph.state.messages[found].folder == "sentitems"
    assert b"request 1" in graph.state.messages[found].mime
    assert graph.state.searches[-1] == ("sentitems", "<outbox-1@testshire.gov.uk>")
    assert not [r for r in graph.state.requests if r.endswith("/$value")]  # nothing was downloaded
    box.close()


def test_copies_of_purged_messages_are_deleted_from_every_folder(graph: FakeGraph) -> None:
    from mail.base import StoredCopy

    box = GraphMailbox(config(graph))
    kept, gone, quarantined = (graph.state.deliver(raw(n)) for n in (1, 2, 3))
    box.move(kept, PROCESSED)
    box.move(gone, PROCESSED)
    box.move(quarantined, QUARANTINE)
    box.send(sent_message(7))
    box.send(sent_message(8))
    copies = [StoredCopy("<m2@nhs.net>"), StoredCopy("<m3@nhs.net>"), StoredCopy("<outbox-7@testshire.gov.uk>")]
    assert box.delete_copies(copies) == 3
    remaining = sorted(m.mime for m in graph.state.messages.values())
    assert remaining == sorted([raw(1), next(m for m in graph.state.sent if b"request 8" in m)])
    assert box.delete_copies(copies) == 0
    box.close()


# --- certificate credentials (the app signs a client assertion; no secret travels) -----------------------


def test_signs_in_with_a_certificate(graph: FakeGraph, tmp_path: Path) -> None:
    from tests.support.fake_graph import make_app_certificate

    pem, certificate = make_app_certificate(tmp_path)
    graph.state.certificate = certificate
    box = GraphMailbox(config(graph, client_secret="", client_certificate=str(pem)))
    graph.state.deliver(raw(1))
    assert len(box.list_new()) == 1
    assert box.granted_roles() == {"Mail.ReadWrite", "Mail.Send"}
    box.close()


def test_an_encrypted_key_needs_its_password(graph: FakeGraph, tmp_path: Path) -> None:
    from tests.support.fake_graph import make_app_certificate

    pem, certificate = make_app_certificate(tmp_path, password="synthetic-pass")
    graph.state.certificate = certificate
    with pytest.raises(MailboxError, match="private key wrong or missing password"):
        GraphMailbox(config(graph, client_secret="", client_certificate=str(pem))).list_new()
    box = GraphMailbox(
        config(graph, client_secret="", client_certificate=str(pem), client_certificate_password="synthetic-pass")
    )
    assert box.list_new() == []
    box.close()


def test_a_certificate_the_tenant_does_not_know_is_refused(graph: FakeGraph, tmp_path: Path) -> None:
    from tests.support.fake_graph import make_app_certificate

    registered = make_app_certificate(tmp_path, name="registered.pem")[1]
    other, _ = make_app_certificate(tmp_path, name="other.pem")
    graph.state.certificate = registered
    box = GraphMailbox(config(graph, client_secret="", client_certificate=str(other)))
    with pytest.raises(MailboxError, match="invalid_client"):
        box.list_new()
    box.close()


def test_a_key_from_another_certificate_is_caught_before_sign_in(tmp_path: Path) -> None:
    from mail.graph import load_certificate
    from tests.support.fake_graph import make_app_certificate

    one, _ = make_app_certificate(tmp_path, name="one.pem")
    two, _ = make_app_certificate(tmp_path, name="two.pem")
    certificate_of_one = one.read_text().split("-----BEGIN PRIVATE KEY-----")[0]
    key_of_two = "-----BEGIN PRIVATE KEY-----" + two.read_text().split("-----BEGIN PRIVATE KEY-----")[1]
    mixed = tmp_path / "mixed.pem"
    mixed.write_text(certificate_of_one + key_of_two)
    with pytest.raises(MailboxError, match="does not belong to the certificate"):
        load_certificate(str(mixed))
    (tmp_path / "cert-only.pem").write_text(certificate_of_one)
    with pytest.raises(MailboxError, match="holds no private key"):
        load_certificate(str(tmp_path / "cert-only.pem"))
