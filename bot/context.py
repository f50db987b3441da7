"""The one place that wires settings and config to the store (and, later, Slack, mail and the scheduler)."""

from __future__ import annotations

import getpass
import logging
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from sqlalchemy import Engine

from bot.clock import Clock, FixedClock, SystemClock, parse_moment
from bot.config import find_board_config, load_board, load_pack
from bot.console_chat import ConsoleChat
from bot.settings import Settings
from cases.actor import Actor, Role
from cases.board import BoardConfig
from cases.packs import bundled_pack, bundled_pack_names
from cases.rules import RulesPack, RulesPackError
from intake.inbound.limits import MIB, Limits
from intake.inbound.processor import MailIntake
from mail.base import Mailbox
from mail.ews import EwsConfig, EwsMailbox
from mail.graph import GraphConfig, GraphMailbox
from mail.maildir import MaildirMailbox
from notify.agency_requests import AgencyRequests
from notify.dispatch import Dispatcher, Sender
from notify.mail_notices import OutboxMailNotices
from notify.outbox import Outbox
from notify.senders import ChatMessageSender, ChatSender, EmailSender
from storage.db import make_engine, needs_upgrade, upgrade
from storage.inbound import InboundStore
from storage.keyring import KeyRing
from storage.purge import PurgeHook
from storage.store import Store, open_store

log = logging.getLogger("scrbot")


def clock_from(settings: Settings) -> Clock:
    if settings.clock:
        log.warning("SCRBOT_CLOCK is set: the clock is pinned to %s (testing only)", settings.clock)
        return FixedClock(parse_moment(settings.clock))
    return SystemClock()


def cli_actor() -> Actor:
    """Whoever runs the CLI holds the key file, and so every power; their user name is recorded."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return Actor(f"cli:{user}", frozenset(Role))


class MailSettingsError(ValueError):
    """The configured mail backend lacks a setting it needs."""


@dataclass
class AppContext:
    settings: Settings = field(default_factory=Settings)
    clock: Clock | None = None
    _outbox: Outbox | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.clock is None:
            self.clock = clock_from(self.settings)

    @property
    def now_clock(self) -> Clock:
        assert self.clock is not None
        return self.clock

    @cached_property
    def board_path(self) -> Path:
        return find_board_config(self.settings.board_config)

    @cached_property
    def board(self) -> BoardConfig:
        return load_board(self.board_path)

    @cached_property
    def pack(self) -> RulesPack:
        return load_pack(self.board.rules_pack, self.board_path.parent)

    def pack_for(self, name: str) -> RulesPack:
        if name == self.pack.id:
            return self.pack
        if name in bundled_pack_names():
            return bundled_pack(name)
        raise RulesPackError(f"case uses rules pack {name!r}, which is not available")

    @cached_property
    def ring(self) -> KeyRing:
        if self.settings.keys:
            return KeyRing.from_environment(self.settings.keys)
        return KeyRing.load_or_create(self.settings.resolved_key_file, self.board.id)

    @cached_property
    def engine(self) -> Engine:
        return make_engine(self.settings.resolved_database_url)

    def migrate(self) -> bool:
        """Bring the schema to head; True if anything was applied."""
        if needs_upgrade(self.engine):
            upgrade(self.engine)
            return True
        return False

    @cached_property
    def store(self) -> Store:
        self.migrate()
        store = open_store(self.engine, self.board, self.ring, self.pack, pack_for=self.pack_for)
        # Listeners that queue messages inside the transaction that changed the case (cases.domain_events):
        # subscribed here, so that every way of filing a referral (CLI, Slack, email) sends the requests.
        self._outbox = Outbox(store.sessions, board=store.board, codec=store.codec, audit=store.audit)
        self._agency_requests(store, self._outbox).subscribe()
        return store

    def _agency_requests(self, store: Store, outbox: Outbox) -> AgencyRequests:
        return AgencyRequests(
            store.sessions,
            outbox,
            board=store.board,
            codec=store.codec,
            calendar=store.calendar,
            cases=store.cases,
            chase_working_days_before=self.settings.mail_chase_working_days,
        )

    def where(self) -> dict[str, str]:
        """Where this process keeps its data (never the keys themselves)."""
        return {
            "database": self.engine.url.render_as_string(hide_password=True),
            "keys": "SCRBOT_KEYS (environment)" if self.settings.keys else str(self.settings.resolved_key_file),
            "board_config": str(self.board_path),
            "rules_pack": self.pack.id,
            "data_dir": str(self.settings.data_dir),
        }

    @cached_property
    def mailbox(self) -> Mailbox:
        """The configured mailbox backend (local mode: a Maildir under DATA_DIR/mail)."""
        s = self.settings
        if s.mail_backend == "ews":
            self._require("ews", EWS_ENDPOINT=s.ews_endpoint, EWS_USERNAME=s.ews_username, EWS_MAILBOX=s.ews_mailbox)
            return EwsMailbox(
                EwsConfig(
                    endpoint=s.ews_endpoint,
                    username=s.ews_username,
                    password=s.ews_password.get_secret_value(),
                    mailbox=s.ews_mailbox,
                    auth_type=s.ews_auth_type,
                    version=s.ews_version,
                    max_wait_seconds=s.ews_max_wait_seconds,
                )
            )
        if s.mail_backend == "graph":
            self._require(
                "graph",
                GRAPH_TENANT_ID=s.graph_tenant_id,
                GRAPH_CLIENT_ID=s.graph_client_id,
                GRAPH_CLIENT_SECRET=s.graph_client_secret.get_secret_value(),
                GRAPH_MAILBOX=s.graph_mailbox,
            )
            return GraphMailbox(
                GraphConfig(
                    tenant_id=s.graph_tenant_id,
                    client_id=s.graph_client_id,
                    client_secret=s.graph_client_secret.get_secret_value(),
                    mailbox=s.graph_mailbox,
                    authority_base=s.graph_authority,
                    graph_base=s.graph_base_url,
                    ca_bundle=s.graph_ca_bundle,
                )
            )
        return MaildirMailbox(s.maildir_inbox, s.mail_outbox_dir)

    @staticmethod
    def _require(backend: str, **values: str) -> None:
        missing = [f"SCRBOT_{name}" for name, value in values.items() if not value]
        if missing:
            raise MailSettingsError(f"SCRBOT_MAIL_BACKEND={backend} needs {', '.join(missing)}")

    @cached_property
    def inbound(self) -> InboundStore:
        store = self.store
        return InboundStore(
            store.sessions,
            board_id=store.board.id,
            cipher=store.cipher,
            index_key=store.ring.board(store.board.id).index_key,
            audit=store.audit,
        )

    @cached_property
    def mail_limits(self) -> Limits:
        s = self.settings
        return Limits(
            max_message_bytes=s.mail_max_message_mb * MIB,
            max_attachments=s.mail_max_attachments,
            max_attachment_bytes=s.mail_max_attachment_mb * MIB,
        )

    @cached_property
    def intake(self) -> MailIntake:
        """Inbound mail: `intake.poll_mailbox(now)`, `intake.ingest(raw, now=...)`, unlock, release."""
        return MailIntake(
            self.store,
            self.inbound,
            mailbox=self.mailbox,
            notices=OutboxMailNotices(self.outbox),
            limits=self.mail_limits,
            authserv_id=self.settings.mail_authserv_id,
            require_authentication=self.settings.mail_require_authentication,
            source=self.settings.mail_backend,
        )

    @cached_property
    def agency_requests(self) -> AgencyRequests:
        """`send_chasers(now)` and `sync_requests_sent(now)`; requests themselves go on ReferralFiled."""
        return self._agency_requests(self.store, self.outbox)

    @cached_property
    def chat(self) -> ChatSender:
        """Where channel notices and DMs go (local mode: the console)."""
        return ConsoleChat()

    @cached_property
    def outbox(self) -> Outbox:
        self.store  # noqa: B018 - opening the store creates the outbox its listeners queue into
        assert self._outbox is not None
        return self._outbox

    @cached_property
    def dispatcher(self) -> Dispatcher:
        senders: dict[str, Sender] = {
            "email": EmailSender(self.mailbox, mail_from=self.settings.mail_from),
            "slack": ChatMessageSender(self.chat),
        }
        return Dispatcher(self.store.sessions, self.outbox, senders, cases=self.store.cases)

    def purge_hooks(self) -> list[PurgeHook]:
        """What other features hold per case that purge must also remove."""
        return [self.inbound.purge_case]

    def close(self) -> None:
        mailbox = self.__dict__.get("mailbox")
        if isinstance(mailbox, GraphMailbox):
            mailbox.close()
        if "engine" in self.__dict__:
            self.engine.dispose()
