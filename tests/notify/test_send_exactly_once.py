"""Outbound exactly once: a message whose first send may have gone (the process died after the mailbox took
it, or the server timed out after sending) is looked up in the mailbox by its Message-ID before it is sent
again, and recorded as sent if it is there. Real backends: Maildir, exchangelib against the fake EWS server,
msal and httpx against the fake Graph server."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from bot.clock import FixedClock
from mail.base import Mailbox, MailboxError
from mail.ews import EwsConfig, EwsMailbox
from mail.graph import GraphConfig, GraphMailbox
from mail.maildir import MaildirMailbox
from notify.dispatch import LEASE, Dispatcher
from notify.outbox import OutboundMessage, Outbox, OutboxStatus
from notify.senders import EmailSender
from storage.store import Store
from tests.factories import STAFF
from tests.support.fake_ews import fake_ews
from tests.support.fake_graph import fake_graph

MAIL_FROM = "scr-bot@testshire.gov.uk"


@dataclass
class Backend:
    mailbox: Mailbox
    sent: list[bytes]  # what actually left, as the server recorded it


@pytest.fixture(params=["maildir", "ews", "graph"])
def mail_backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    if request.param == "maildir":
        recording = Recording(MaildirMailbox(tmp_path / "inbox", tmp_path / "outbox"))
        yield Backend(recording, recording.sent)
    elif request.param == "ews":
        with fake_ews() as (endpoint, state):
            config = EwsConfig(endpoint, state.username, state.password, "scr@testshire.gov.uk", auth_type="basic")
            yield Backend(EwsMailbox(config), state.sent)
    else:
        with fake_graph(tmp_path) as fake:
            config = GraphConfig(
                tenant_id=fake.state.tenant,
                client_id=fake.state.client_id,
                client_secret=fake.state.client_secret,
                mailbox=fake.state.mailbox,
                authority_base=fake.base,
                graph_base=fake.graph_base,
                ca_bundle=str(fake.ca_file),
            )
            box = GraphMailbox(config)
            yield Backend(box, fake.state.sent)
            box.close()


class Recording:
    """A Maildir that also keeps every message it was asked to send (its outbox overwrites a repeat by name,
    so the folder alone would hide a duplicate)."""

    def __init__(self, inner: MaildirMailbox) -> None:
        self.inner = inner
        self.sent: list[bytes] = []

    def send(self, message: EmailMessage) -> str:
        self.sent.append(bytes(message))
        return self.inner.send(message)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


class SendsThenFails:
    """A server that takes the message and then times out: the caller cannot know it went."""

    def __init__(self, inner: Mailbox) -> None:
        self.inner = inner
        self.times = 1

    def send(self, message: EmailMessage) -> str:
        sent = self.inner.send(message)
        if self.times:
            self.times -= 1
            raise MailboxError("EWS sending a message failed (ReadTimeout)")
        return sent

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def request(key: str = "r1") -> OutboundMessage:
    return OutboundMessage(
        kind="imr_request",
        template_id="imr_request",
        values={
            "board_name": "Testshire",
            "case_ref": "SCR-2026-0001",
            "contact_email": "scr.unit@testshire.gov.uk",
            "agency_name": "Testshire Police",
            "imr_due": date(2027, 2, 1),
            "decided_on": date(2026, 12, 21),
            "review_complete_by": date(2027, 6, 21),
            "briefing_by": "",
        },
        recipients=["reviews@testshire.pnn.police.uk"],
        recipient_summary="agency:police",
        idempotency_key=key,
        case_ref="SCR-2026-0001",
    )


def setup(store: Store, mailbox: Any, now: datetime) -> tuple[Outbox, Dispatcher, str]:
    outbox = Outbox(store.sessions, board=store.board, codec=store.codec, audit=store.audit)
    dispatcher = Dispatcher(store.sessions, outbox, {"email": EmailSender(mailbox, mail_from=MAIL_FROM)})
    return outbox, dispatcher, outbox.enqueue(request(), now=now, actor=STAFF)


def status(outbox: Outbox, item_id: str) -> OutboxStatus:
    return next(m.status for m in outbox.list() if m.id == item_id)


def test_a_send_that_went_before_the_process_died_is_not_sent_again(
    store: Store, clock: FixedClock, mail_backend: Backend
) -> None:
    outbox, dispatcher, item_id = setup(store, mail_backend.mailbox, clock.now())
    [claimed] = dispatcher.claim(clock.now(), 1)
    EmailSender(mail_backend.mailbox, mail_from=MAIL_FROM).send(claimed)  # it went; then the process died
    assert dispatcher.dispatch_due(clock.now() + LEASE - timedelta(seconds=1)).sent == []  # still leased
    assert dispatcher.dispatch_due(clock.now() + LEASE + timedelta(seconds=1)).sent == [item_id]
    assert len(mail_backend.sent) == 1 and status(outbox, item_id) is OutboxStatus.SENT


def test_a_send_that_timed_out_after_going_is_not_sent_again(
    store: Store, clock: FixedClock, mail_backend: Backend
) -> None:
    outbox, dispatcher, item_id = setup(store, SendsThenFails(mail_backend.mailbox), clock.now())
    assert dispatcher.dispatch_due(clock.now()).failed == [item_id]
    assert dispatcher.dispatch_due(clock.now() + timedelta(minutes=1)).sent == [item_id]
    assert len(mail_backend.sent) == 1 and status(outbox, item_id) is OutboxStatus.SENT


def test_a_send_that_never_went_goes_once_after_the_lease(
    store: Store, clock: FixedClock, mail_backend: Backend
) -> None:
    _, dispatcher, item_id = setup(store, mail_backend.mailbox, clock.now())
    dispatcher.claim(clock.now(), 1)  # the process died before sending
    assert dispatcher.dispatch_due(clock.now() + LEASE + timedelta(seconds=1)).sent == [item_id]
    assert dispatcher.dispatch_due(clock.now() + 2 * LEASE).sent == []
    assert len(mail_backend.sent) == 1


class Unsearchable:
    def __init__(self, inner: Mailbox) -> None:
        self.inner = inner

    def find_sent(self, message_id: str) -> str | None:
        raise MailboxError("Graph searching the sent items failed (HTTP 503)")

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def test_a_message_is_not_sent_again_while_the_mailbox_cannot_say_whether_it_went(
    store: Store, clock: FixedClock, tmp_path: Path
) -> None:
    box = MaildirMailbox(tmp_path / "inbox", tmp_path / "outbox")
    outbox, dispatcher, item_id = setup(store, Unsearchable(box), clock.now())
    dispatcher.claim(clock.now(), 1)
    report = dispatcher.dispatch_due(clock.now() + LEASE + timedelta(seconds=1))
    assert report.failed == [item_id] and list((tmp_path / "outbox").glob("*.eml")) == []
    [summary] = outbox.list()
    assert summary.last_error == "MailboxError: Graph searching the sent items failed (HTTP 503)"


def test_a_first_send_asks_nothing_and_the_stall_is_two_minutes(store: Store, clock: FixedClock) -> None:
    with fake_ews() as (endpoint, state):
        box = EwsMailbox(EwsConfig(endpoint, state.username, state.password, "scr@testshire.gov.uk", auth_type="basic"))
        _, dispatcher, item_id = setup(store, box, clock.now())
        assert dispatcher.dispatch_due(clock.now()).sent == [item_id]
        assert state.searches == [] and len(state.sent) == 1
    assert timedelta(minutes=2) == LEASE
