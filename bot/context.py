"""The one place that wires settings and config to the store (and, later, Slack, mail and the scheduler)."""

from __future__ import annotations

import getpass
import logging
import sys
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.clock import Clock, FixedClock, SystemClock, parse_moment
from bot.settings_errors import load_settings

# What a command needs is imported when it first asks for it (the store, the mail intake, Slack): building
# the command line and running a command that needs none of them stays fast (bench/cli_start.py).
if TYPE_CHECKING:
    from slack_sdk import WebClient
    from sqlalchemy import Engine

    from bot import wiring
    from bot.boards import BoardEntry
    from bot.settings import Settings
    from bot.slack.services import SlackServices
    from bot.teams.wiring import TeamsRuntime
    from cases.actor import Actor
    from cases.board import BoardConfig
    from cases.rules import RulesPack
    from intake.inbound.limits import Limits
    from intake.inbound.processor import MailIntake
    from intake.referrals import ReferralConversations
    from mail.base import Mailbox, StoredCopy
    from notify.agency_requests import AgencyRequests
    from notify.dispatch import Dispatcher
    from notify.outbox import Outbox
    from notify.scheduler import JobRegistry
    from notify.senders import ChatSender
    from notify.service import NotifyService
    from storage.deliveries import DeliveryLog
    from storage.drafts import DraftStore
    from storage.inbound import InboundStore
    from storage.keyring import KeyRing
    from storage.purge import PurgeHook
    from storage.read_store import ReadStore
    from storage.store import Store

log = logging.getLogger("scrbot")

DRAFT_SWEEP_EVERY = timedelta(minutes=5)

# Local mode has no Slack: chat messages for nobody in particular are printed under this name.
CONSOLE_TARGET = "business-unit"


def clock_from(settings: Settings) -> Clock:
    if settings.clock:
        log.warning("SCRBOT_CLOCK is set: the clock is pinned to %s (testing only)", settings.clock)
        return FixedClock(parse_moment(settings.clock))
    return SystemClock()


def cli_actor() -> Actor:
    """Whoever runs the CLI holds the key file, and so every power; their user name is recorded."""
    from cases.actor import Actor, Role

    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return Actor(f"cli:{user}", frozenset(Role))


@dataclass
class AppContext:
    settings: Settings = field(default_factory=load_settings)
    clock: Clock | None = None
    # The command prints JSON on stdout: local mode's console chat then writes to stderr instead.
    json_output: bool = False
    # Which of the configured boards this context works on (`--board`); None: the only one (bot/boards.py).
    board_id: str | None = None
    # Where the board files' addresses found valid are kept (bot/board_addresses.py); None: all checked.
    address_cache: Path | None = None
    # Set by a deployment serving many boards (bot/deployment.py): the boards found, and one engine for all.
    known_boards: dict[str, BoardEntry] | None = None
    shared_engine: Engine | None = None
    # Another board's context whose Teams endpoint and sign-in this board shares (bot/deployment.py).
    teams_host: AppContext | None = None

    def __post_init__(self) -> None:
        if self.clock is None:
            self.clock = clock_from(self.settings)

    @property
    def now_clock(self) -> Clock:
        assert self.clock is not None
        return self.clock

    @cached_property
    def boards(self) -> dict[str, BoardEntry]:
        """Every board this deployment serves, by id: the one board file, or SCRBOT_BOARD_DIR's files."""
        if self.known_boards is not None:
            return self.known_boards
        from bot.boards import configured_boards

        return configured_boards(self.settings.board_config, self.settings.board_dir, address_cache=self.address_cache)

    @property
    def shares_deployment(self) -> bool:
        """The deployment serves more than one board: per-board folders, and no fallback to shared ones."""
        return len(self.boards) > 1

    @cached_property
    def board_entry(self) -> BoardEntry:
        from bot.boards import choose_board

        return choose_board(self.boards, self.board_id)

    @property
    def board_path(self) -> Path:
        return self.board_entry.path

    @property
    def board(self) -> BoardConfig:
        return self.board_entry.config

    @property
    def calendar_file(self) -> Path:
        from bot.mailboxes import board_folder

        return board_folder(self.settings.calendar_file, self.board.id, shared=self.shares_deployment)

    @cached_property
    def pack(self) -> RulesPack:
        from bot.config import load_pack

        pack = load_pack(self.board.rules_pack, self.board_path.parent)
        # A pack sending to a role the board has no address for is refused at start, naming the key.
        pack.check_recipients(self.board.addressed_roles(), origin=f"rules pack {pack.id}")
        return pack

    def pack_for(self, name: str) -> RulesPack:
        from cases.packs import bundled_pack, bundled_pack_names
        from cases.rules import RulesPackError

        if name == self.pack.id:
            return self.pack
        if name in bundled_pack_names():
            return bundled_pack(name)
        raise RulesPackError(f"case uses rules pack {name!r}, which is not available")

    @cached_property
    def ring(self) -> KeyRing:
        from storage.keyring import KeyRing
        from storage.preflight import open_key_ring

        if self.settings.keys:
            return KeyRing.from_environment(self.settings.keys)
        # New keys only for a board with no data yet (storage/preflight.py).
        return open_key_ring(self.settings.resolved_key_file, self.engine, self.board.id)

    @cached_property
    def engine(self) -> Engine:
        if self.shared_engine is not None:
            return self.shared_engine
        from storage.db import check_connection, make_engine

        engine = make_engine(self.settings.resolved_database_url, self.settings.sqlite_synchronous)
        check_connection(engine)  # one clear line if the database cannot be reached or read
        return engine

    def migrate(self) -> bool:
        """Bring the schema to head; True if anything was applied."""
        from storage.db import needs_upgrade, upgrade

        if needs_upgrade(self.engine):
            upgrade(self.engine)
            return True
        return False

    @cached_property
    def features(self) -> wiring.Features:
        """The store with every feature's listeners on it, built together: no path gets a store without
        them (a referral filed from the CLI still queues its agencies' requests)."""
        from bot import wiring
        from storage.preflight import check_boards, check_keys
        from storage.store import open_store

        self.migrate()
        # Refuse to start on data the config does not name, or that the key ring cannot open.
        check_boards(self.engine, list(self.boards), config_path=self.settings.board_dir or self.board_path)
        check_keys(self.engine, self.board.id, self.ring)
        store = open_store(self.engine, self.board, self.ring, self.pack, pack_for=self.pack_for)
        console = CONSOLE_TARGET if self.settings.local_mode else ""
        return wiring.wire_features(store, reply_to=self.settings.mail_from, console_target=console)

    @cached_property
    def reader(self) -> ReadStore:
        """The board's cases for reading only: no features, listeners, key ring or Alembic (bench/cli_start.py)."""
        from storage.read_store import open_read_store
        from storage.schema_version import SchemaNotCurrent

        try:
            return open_read_store(self.engine, self.board, config_path=self.board_path, configured=list(self.boards))
        except SchemaNotCurrent as schema:
            if not schema.behind:
                raise  # newer than this code: refused, one line
            _ = self.features  # behind the code, or new: upgraded as every command does
            return open_read_store(self.engine, self.board, config_path=self.board_path, configured=list(self.boards))

    @property
    def store(self) -> Store:
        return self.features.store

    @property
    def agency_requests(self) -> AgencyRequests:
        """Requests go on ReferralFiled; `sync_requests_sent(now)` and `tell_missing_on_the_day(now)` here."""
        return self.features.agency_requests

    @property
    def notify(self) -> NotifyService:
        """Statutory drafts, reminder planning and the sweep (notify/service.py)."""
        return self.features.notify

    @property
    def outbox(self) -> Outbox:
        return self.features.outbox

    @cached_property
    def drafts(self) -> DraftStore:
        from storage.drafts import DraftPolicy, DraftStore

        store = self.store
        policy = DraftPolicy(
            keep_for=timedelta(days=self.settings.draft_keep_days),
            warn_before=timedelta(days=self.settings.draft_warn_days),
        )
        return DraftStore(store.sessions, store.cipher, store.board.id, store.audit, policy)

    @cached_property
    def deliveries(self) -> DeliveryLog:
        from storage.deliveries import DeliveryLog

        return DeliveryLog(self.store.sessions, self.store.board.id)

    def referrals(self, channel: str) -> ReferralConversations:
        """The referral conversation, for the terminal or Slack."""
        from intake.referrals import ReferralConversations

        return ReferralConversations(self.store, self.drafts, channel=channel)

    def where(self) -> dict[str, str]:
        """Where this process keeps its data (never the keys themselves)."""
        return {
            "database": self.engine.url.render_as_string(hide_password=True),
            "keys": "SCRBOT_KEYS (environment)" if self.settings.keys else str(self.settings.resolved_key_file),
            "board_config": str(self.board_path),
            **({"board_dir": str(self.settings.board_dir)} if self.settings.board_dir else {}),
            "rules_pack": self.pack.id,
            "data_dir": str(self.settings.data_dir),
        }

    @cached_property
    def mailbox(self) -> Mailbox:
        """The board's mailbox backend (bot/mailboxes.py; local mode: a Maildir under DATA_DIR/mail)."""
        from bot.mailboxes import open_mailbox

        return open_mailbox(self.settings, self.board, shared=self.shares_deployment)

    @cached_property
    def inbound(self) -> InboundStore:
        from bot import wiring

        return wiring.inbound_for(self.store)

    @cached_property
    def mail_limits(self) -> Limits:
        from intake.inbound.limits import MIB, Limits

        s = self.settings
        return Limits(
            max_message_bytes=s.mail_max_message_mb * MIB,
            max_attachments=s.mail_max_attachments,
            max_attachment_bytes=s.mail_max_attachment_mb * MIB,
        )

    @cached_property
    def intake(self) -> MailIntake:
        """Inbound mail: `intake.poll_mailbox(now)`, `intake.ingest(raw, now=...)`, unlock, release."""
        from bot import wiring

        return wiring.mail_intake(
            self.store,
            self.outbox,
            inbound=self.inbound,
            mailbox=self.mailbox,
            limits=self.mail_limits,
            authserv_id=self.settings.trusted_authserv_id,
            source=self.settings.mail_backend,
        )

    @cached_property
    def chat(self) -> ChatSender:
        """Where channel notices and DMs go: Slack when configured, else (local mode) the console; `teams:`
        targets to Teams when configured (bot/chat_router.py). In Slack, approval requests get Approve / Edit /
        Reject buttons and case notices get case buttons; in Teams, approval cards."""
        from bot.console_chat import ConsoleChat

        other: ChatSender
        if self.settings.slack_configured:
            from bot.slack.chat import SlackChat
            from bot.slack.notifications import ApprovalButtons

            other = ApprovalButtons(SlackChat(self.slack_client, self.board))
        else:
            other = ConsoleChat(sys.stderr if self.json_output else None)
        if not self.teams_on:
            return other
        from bot.chat_router import ChatFrontEnds

        return ChatFrontEnds(other, self.teams.chat)

    @property
    def teams_on(self) -> bool:
        """Teams is configured for this process and the board works in it."""
        return self.settings.teams_configured and "teams" in self.board.front_ends

    @cached_property
    def teams(self) -> TeamsRuntime:
        """The Teams bot (bot/teams/wiring.py): its endpoint is served by `scrbot run`."""
        from bot.teams.wiring import build_teams

        host = self.teams_host.teams if self.teams_host is not None else None
        return build_teams(
            boards=[entry.config for entry in self.boards.values()],  # the tenant directory: every board's
            host=host,
            settings=self.settings,
            store=self.store,
            drafts=self.drafts,
            deliveries=self.deliveries,
            outbox=self.outbox,
            clock=self.now_clock,
            # Late-bound: the dispatcher's chat sender is built from this runtime.
            dispatch=lambda now: self.dispatcher.dispatch_due(now),
        )

    @cached_property
    def slack_client(self) -> WebClient:
        from bot.slack.installs import installed_client

        return installed_client(self.settings, self.store, self.now_clock)

    def slack_services(self, **steps: Any) -> SlackServices:
        """`steps`: where the step worker runs (SlackServices.build's steps_owner, steps_elsewhere)."""
        from bot.slack.services import SlackServices

        return SlackServices.build(
            store=self.store,
            drafts=self.drafts,
            deliveries=self.deliveries,
            client=self.slack_client,
            clock=self.now_clock,
            outbox=self.outbox,
            dispatch=self.dispatcher.dispatch_due,
            **steps,
        )

    @cached_property
    def dispatcher(self) -> Dispatcher:
        from bot import wiring

        return wiring.dispatcher(
            self.store,
            self.outbox,
            mailbox=self.mailbox,
            mail_from=self.settings.mail_from,
            chat=self.chat,
            clock=self.now_clock.now,
        )

    @cached_property
    def jobs(self) -> JobRegistry:
        """What `scrbot run` ticks. Other features add theirs: `ctx.jobs.add(name, interval, callable(now))`."""
        from bot.mail_service import mail_tick
        from notify.draft_notices import sweep_drafts
        from notify.scheduler import JobRegistry

        registry = JobRegistry()
        self.notify.register_jobs(registry, dispatcher=self.dispatcher, calendar_path=self.calendar_file)
        # Unfinished referral conversations: warn, then expire (storage/drafts.py).
        registry.add("drafts", DRAFT_SWEEP_EVERY, lambda now: sweep_drafts(self.drafts, self.outbox, now))
        # The board's mailbox: poll, record which requests went, tell the business unit (bot/mail_service.py).
        registry.add(
            "mailbox",
            timedelta(seconds=self.settings.mail_poll_seconds),
            lambda now: mail_tick(self.intake, self.agency_requests, now, board=self.board.id),
        )
        return registry

    def purge_hooks(self, copies: list[StoredCopy] | None = None) -> list[PurgeHook]:
        """What other features hold per case that purge must also remove; the Message-IDs (and digests) of its
        mail go to `copies`, for the mailbox's `delete_copies`."""
        from mail.base import StoredCopy
        from notify.purge import OutboxPurge
        from storage.inbound_purge import InboundPurge
        from storage.review_purge import purge_review

        found = copies if copies is not None else []
        return [
            OutboxPurge(mail_from=self.settings.mail_from, collect=lambda mid: found.append(StoredCopy(mid))),
            InboundPurge(self.inbound, collect=lambda mid, digest: found.append(StoredCopy(mid, digest))),
            purge_review,
        ]

    def close(self) -> None:
        if "teams" in self.__dict__:
            self.teams.close()
        mailbox = self.__dict__.get("mailbox")
        if mailbox is not None:
            from mail.graph import GraphMailbox  # only once a mailbox was opened

            if isinstance(mailbox, GraphMailbox):
                mailbox.close()
        if "engine" in self.__dict__ and self.shared_engine is None:  # a shared one is the deployment's
            self.engine.dispose()
