"""The whole path over each real backend: a referral's requests go out through the mailbox, agencies'
replies come back in, are recorded once, and end in the processed or quarantine folder."""

from __future__ import annotations

import email
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from email.policy import default
from pathlib import Path
from typing import Any

import pytest

from intake.inbound.limits import Limits
from mail.base import PROCESSED, QUARANTINE, Mailbox
from mail.ews import EwsConfig, EwsMailbox
from mail.graph import GraphConfig, GraphMailbox
from mail.maildir import MaildirMailbox
from notify.dispatch import Dispatcher
from notify.senders import EmailSender
from storage.inbound import InboundStatus
from storage.store import Store
from tests.factories import REFERRER, STAFF, make_referral
from tests.support.fake_ews import fake_ews
from tests.support.fake_graph import fake_graph
from tests.support.intake import (
    agency_reply,
    agency_requests_for,
    authentication_results,
    make_intake,
    outbox_for,
)

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


class Backend:
    """A mailbox plus the server-side view the test needs: deliver, sent, folder contents."""

    def __init__(
        self,
        mailbox: Mailbox,
        deliver: Callable[[bytes], Any],
        sent: Callable[[], list[bytes]],
        folder: Callable[[str], list[bytes]],
        bodies_fetched: Callable[[], list[str]] | None = None,
    ) -> None:
        self.mailbox, self.deliver, self.sent, self.folder = mailbox, deliver, sent, folder
        self.bodies_fetched = bodies_fetched  # what the server recorded as downloaded (EWS, Graph)


@contextmanager
def backend(name: str, tmp_path: Path) -> Iterator[Backend]:
    if name == "maildir":
        box = MaildirMailbox(tmp_path / "inbox", tmp_path / "outbox")
        yield Backend(
            box,
            box.deliver,
            lambda: [p.read_bytes() for p in sorted((tmp_path / "outbox").glob("*.eml"))],
            lambda f: [box.folder_raw(f, k) for k in box.folder_keys(f)],
        )
    elif name == "ews":
        with fake_ews() as (endpoint, state):
            config = EwsConfig(endpoint, state.username, state.password, "scr@testshire.gov.uk", auth_type="basic")
            yield Backend(
                EwsMailbox(config),
                state.deliver,
                lambda: state.sent,
                lambda f: [i.mime for i in state.in_folder(state.folder_named(f) or "")],
                lambda: state.bodies_fetched,
            )
    else:
        with fake_graph(tmp_path) as fake:
            config = GraphConfig(
                fake.state.tenant,
                fake.state.client_id,
                fake.state.client_secret,
                fake.state.mailbox,
                authority_base=fake.base,
                graph_base=fake.graph_base,
                ca_bundle=str(fake.ca_file),
            )
            box = GraphMailbox(config)
            yield Backend(
                box,
                fake.state.deliver,
                lambda: fake.state.sent,
                lambda f: [m.mime for m in fake.state.in_folder(fake.state.folder_named(f) or "")],
                lambda: fake.state.bodies_fetched,
            )
            box.close()


def reply_to(request: bytes, body: str, sender: str) -> bytes:
    original = email.message_from_bytes(request, policy=default)
    return (
        f"Authentication-Results: {authentication_results(sender)}\r\n"
        f"From: Agency <{sender}>\r\nTo: scr@testshire.gov.uk\r\nSubject: RE: {original['Subject']}\r\n"
        f"Date: Tue, 24 Nov 2026 10:00:00 +0000\r\nMessage-ID: <reply-{sender}@agency.example>\r\n"
        f"In-Reply-To: {original['Message-ID']}\r\nReferences: {original['Message-ID']}\r\n\r\n{body}\r\n"
    ).encode()


@pytest.mark.parametrize("name", ["maildir", "ews", "graph"])
def test_requests_out_replies_in_recorded_once_and_filed_away(name: str, store: Store, tmp_path: Path) -> None:
    with backend(name, tmp_path) as mail:
        outbox = outbox_for(store)
        agency_requests_for(store, outbox).subscribe()
        filed = store.cases.file_referral(make_referral(), actor=REFERRER, now=NOW)
        dispatcher = Dispatcher(
            store.sessions, outbox, {"email": EmailSender(mail.mailbox, mail_from="scr@testshire.gov.uk")}
        )
        assert len(dispatcher.dispatch_due(NOW).sent) == 3
        requests = {email.message_from_bytes(r, policy=default)["To"]: r for r in mail.sent()}
        assert set(requests) == {
            "reviews@testshire.pnn.police.uk",
            "safeguarding.testshire@nhs.net",
            "dsl@testshire-schools.example.org",
        }

        mail.deliver(
            reply_to(
                requests["reviews@testshire.pnn.police.uk"], "Records secured: yes", "reviews@testshire.pnn.police.uk"
            )
        )
        mail.deliver(
            reply_to(requests["safeguarding.testshire@nhs.net"], "Records secured: yes", "someone.else@nhs.net")
        )
        intake = make_intake(store, mailbox=mail.mailbox, subscribe_requests=False)
        report = intake.poll_mailbox(NOW)

        assert sorted(o.status for o in report.outcomes) == [InboundStatus.PROCESSED, InboundStatus.QUARANTINED]
        assert intake.poll_mailbox(NOW).outcomes == []  # nothing left in the inbox
        assert len(mail.folder(PROCESSED)) == 1 and len(mail.folder(QUARANTINE)) == 1
        case = store.cases.get_case(filed.reference, actor=STAFF, now=NOW)
        assert [c.agency_id for c in case.confirmations if c.records_secured] == ["police"]


@pytest.mark.parametrize("name", ["maildir", "ews", "graph"])
def test_a_message_over_the_limit_is_quarantined_without_its_body_being_fetched(
    name: str, store: Store, tmp_path: Path
) -> None:
    limits = Limits(max_message_bytes=1024 * 1024)
    police = "reviews@testshire.pnn.police.uk"
    huge = agency_reply("SCR-2026-0001", police, "Records secured: yes\n" + "padding " * 300_000, "<huge@pnn>")
    small = agency_reply("SCR-2026-0001", police, "Records secured: yes", "<small@pnn>")
    assert len(huge) > 2 * limits.max_message_bytes
    store.cases.file_referral(make_referral(), actor=REFERRER, now=NOW)
    with backend(name, tmp_path) as mail:
        mail.deliver(huge)
        mail.deliver(small)
        assert sorted(mail.mailbox.size(k) or 0 for k in mail.mailbox.list_new()) == sorted([len(small), len(huge)])
        intake = make_intake(store, mailbox=mail.mailbox, limits=limits)

        report = intake.poll_mailbox(NOW)

        too_large = [o for o in report.outcomes if o.kind == "too_large"]
        assert len(report.outcomes) == 2 and len(too_large) == 1
        assert too_large[0].status is InboundStatus.QUARANTINED
        assert mail.folder(QUARANTINE) == [huge]  # untouched, whole, in the mailbox's quarantine folder
        stored = intake.inbound.get(too_large[0].inbound_id, actor=STAFF, now=NOW)
        assert b"padding" not in stored.raw and len(stored.raw) < 1024  # nothing of the body was stored
        if mail.bodies_fetched is not None:
            assert len(mail.bodies_fetched()) == 1  # only the small message's body was downloaded
        # Polled again (say the move had failed): the same item is the same stored message.
        again = intake.ingest(stored.raw, now=NOW, size=len(huge))
        assert again.duplicate and again.inbound_id == too_large[0].inbound_id
