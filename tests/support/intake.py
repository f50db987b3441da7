"""Wiring intake for tests the way bot/context.py does it, on a test store."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage

from intake.inbound.limits import Limits
from intake.inbound.processor import MailIntake
from mail.base import Mailbox
from notify.agency_requests import AgencyRequests
from notify.mail_notices import OutboxMailNotices
from notify.outbox import Outbox
from storage.inbound import InboundStore
from storage.store import Store
from storage.tables import OutboxRow

AUTHSERV_ID = "mx.testshire.gov.uk"
# The Message-ID of "our request to the police" that the corpus replies answer (In-Reply-To).
REQUEST_ID = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"


def outbox_for(store: Store) -> Outbox:
    return Outbox(store.sessions, board=store.board, codec=store.codec, audit=store.audit)


def inbound_for(store: Store) -> InboundStore:
    return InboundStore(
        store.sessions,
        board_id=store.board.id,
        cipher=store.cipher,
        index_key=store.ring.board(store.board.id).index_key,
        audit=store.audit,
    )


def agency_requests_for(store: Store, outbox: Outbox | None = None) -> AgencyRequests:
    return AgencyRequests(
        store.sessions,
        outbox or outbox_for(store),
        board=store.board,
        codec=store.codec,
        calendar=store.calendar,
        cases=store.cases,
    )


def make_intake(
    store: Store,
    *,
    mailbox: Mailbox | None = None,
    limits: Limits | None = None,
    authserv_id: str = AUTHSERV_ID,
    subscribe_requests: bool = True,
) -> MailIntake:
    outbox = outbox_for(store)
    if subscribe_requests:
        agency_requests_for(store, outbox).subscribe()
    return MailIntake(
        store,
        inbound_for(store),
        mailbox=mailbox,
        notices=OutboxMailNotices(outbox),
        limits=limits,
        authserv_id=authserv_id,
    )


def add_request_row(store: Store, case_id: str, reference: str, *, row_id: str = REQUEST_ID) -> None:
    """A sent request as the outbox keeps it (content left out: only its id and case matter here)."""
    now = datetime(2026, 12, 1, 9, tzinfo=UTC)
    with store.sessions.begin() as s:
        s.add(
            OutboxRow(
                id=row_id,
                board_id=store.board.id,
                case_id=case_id,
                case_ref=reference,
                kind="agency_request",
                channel="email",
                template_id="agency_request",
                template_version=1,
                recipient_summary="agency:police",
                personal_data=True,
                status="sent",
                requires_approval=False,
                idempotency_key=f"test-request-{row_id}",
                approver="",
                rejected_by="",
                attempts=1,
                last_error="",
                provider_message_id="",
                meets_rule="",
                meets_agency="",
                created_at=now,
                updated_at=now,
                sent_at=now,
            )
        )


def authentication_results(sender: str, *, authserv_id: str = AUTHSERV_ID, dmarc: str = "pass") -> str:
    """The Authentication-Results header the board's mail server stamps on a message from `sender`'s domain."""
    domain = sender.rpartition("@")[2].lower()
    return (
        f"{authserv_id}; dkim={dmarc} header.d={domain}; spf={dmarc} smtp.mailfrom={domain}; "
        f"dmarc={dmarc} header.from={domain}"
    )


def agency_reply(reference: str, sender: str, body: str, message_id: str, **headers: str) -> bytes:
    """An agency's answer to the records request for `reference`, as real .eml bytes, as the board's mail server
    hands it on: stamped with a DMARC pass under AUTHSERV_ID (give `Authentication_Results=""` for none).
    (Headers: `Auto_Submitted` becomes `Auto-Submitted`.)"""
    message = EmailMessage()
    stamp = headers.pop("Authentication_Results", authentication_results(sender))
    if stamp:
        message["Authentication-Results"] = stamp
    message["From"] = f"Agency <{sender}>"
    message["To"] = "scr@testshire.gov.uk"
    message["Subject"] = f"RE: [{reference}] Please check your involvement and secure your records"
    message["Date"] = "Thu, 03 Dec 2026 10:00:00 +0000"
    message["Message-ID"] = message_id
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return bytes(message)
