"""Each feature wired in one place: its objects over a store, and the listeners it puts on the case store.

`bot/context.py` builds the service from these (`wire_features`); tests and benchmarks call the same
functions for the features they exercise, so the wiring they test is the wiring that runs. Listeners react
to case changes inside the transaction that made them (cases/domain_events.py), in the order subscribed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from mail.base import Mailbox
from notify.agency_requests import AgencyRequests
from notify.case_notices import business_unit_notices
from notify.dispatch import Dispatcher, Sender
from notify.mail_notices import OutboxMailNotices
from notify.outbox import Outbox
from notify.senders import ChatMessageSender, ChatSender, EmailSender
from notify.service import NotifyService
from storage.outbox_attachments import OutboxAttachments
from storage.store import Store

# The mail intake (its parsers, forms and HTML reader) is imported only by what reads mail: a command that
# lists cases starts without it (bench/cli_start.py).
if TYPE_CHECKING:
    from intake.inbound.limits import Limits
    from intake.inbound.processor import MailIntake
    from storage.inbound import InboundStore


def outbox_for(store: Store) -> Outbox:
    return Outbox(store.sessions, board=store.board, codec=store.codec, audit=store.audit)


def case_notices(store: Store, outbox: Outbox) -> None:
    """New referrals and decisions queue their business unit channel notices (no personal data)."""
    notices = business_unit_notices(
        outbox, store.cases.reads, rules_pack=store.pack.id, pack_named=store.cases.pack_named
    )
    store.cases.subscribe(notices)


def notifications(store: Store, outbox: Outbox, *, reply_to: str, console_target: str = "") -> NotifyService:
    """Statutory drafts and reminder planning on every case change; the sweep and its jobs."""
    service = NotifyService(store, outbox, reply_to=reply_to, console_target=console_target)
    service.subscribe()
    return service


def agency_requests(store: Store, outbox: Outbox) -> AgencyRequests:
    """The agencies' requests (004 §3.7, §5.6) on every filed referral, however it was filed."""
    requests = AgencyRequests(
        store.sessions, outbox, board=store.board, codec=store.codec, calendar=store.calendar, cases=store.cases
    )
    requests.subscribe()
    return requests


def inbound_for(store: Store) -> InboundStore:
    from storage.inbound import InboundStore

    return InboundStore(
        store.sessions,
        board_id=store.board.id,
        cipher=store.cipher,
        index_key=store.ring.board(store.board.id).index_key,
        audit=store.audit,
    )


def mail_intake(
    store: Store,
    outbox: Outbox,
    *,
    inbound: InboundStore | None = None,
    mailbox: Mailbox | None = None,
    limits: Limits | None = None,
    authserv_id: str = "",
    source: str = "maildir",
) -> MailIntake:
    """Inbound mail: stored, read, acted on; the business unit told about what needs a person."""
    from intake.inbound.processor import MailIntake

    return MailIntake(
        store,
        inbound or inbound_for(store),
        mailbox=mailbox,
        notices=OutboxMailNotices(outbox),
        limits=limits,
        authserv_id=authserv_id,
        source=source,
    )


def dispatcher(
    store: Store,
    outbox: Outbox,
    *,
    mailbox: Mailbox | None = None,
    mail_from: str = "",
    chat: ChatSender | None = None,
    senders: Mapping[str, Sender] | None = None,
    clock: Callable[[], datetime] | None = None,
) -> Dispatcher:
    """Sends what the outbox holds: email through the mailbox, chat through Slack (or the console). A message
    sent that discharges a deadline marks it met."""
    channels: dict[str, Sender] = dict(senders or {})
    if mailbox is not None:
        files = OutboxAttachments(store.sessions, store.cipher, store.board.id)
        channels["email"] = EmailSender(mailbox, mail_from=mail_from, attachments=files.of)
    if chat is not None:
        channels["slack"] = ChatMessageSender(chat)
    return Dispatcher(store.sessions, outbox, channels, cases=store.cases, clock=clock)


@dataclass(frozen=True)
class Features:
    """What a running bot has on its store: every feature, its listeners subscribed once."""

    store: Store
    outbox: Outbox
    notify: NotifyService
    agency_requests: AgencyRequests


def wire_features(store: Store, *, reply_to: str, console_target: str = "") -> Features:
    """Every feature a deployment runs, in the order their listeners see a change: channel notices, then
    statutory drafts and reminder planning, then the agencies' requests."""
    outbox = outbox_for(store)
    case_notices(store, outbox)
    notify = notifications(store, outbox, reply_to=reply_to, console_target=console_target)
    return Features(store, outbox, notify, agency_requests(store, outbox))
