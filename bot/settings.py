"""Process settings from environment variables (prefix SCRBOT_) and an optional .env file.

Secrets (database password, Slack tokens, mail credentials, keys) belong here, not in the board config.
Every setting is documented in README.md ("Configuration").
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from intake.inbound.authentication import LOCAL_AUTHSERV_ID


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SCRBOT_", env_file=".env", extra="ignore")

    data_dir: Path = Field(default=Path("var"), description="Where local mode keeps its database, keys and mail")
    database_url: str = Field(default="", description="SQLAlchemy URL; empty means SQLite at DATA_DIR/scrbot.db")
    key_file: Path | None = Field(default=None, description="Key ring file (mode 0600); default DATA_DIR/keys.json")
    keys: str = Field(default="", description="The key ring as JSON, instead of a key file (containers)")
    board_config: Path | None = Field(
        default=None, description="Board config TOML; default ./board.toml, else the example"
    )
    log_level: str = Field(default="INFO")
    # Slack (bot/slack/). HTTP mode needs the bot token and signing secret; Socket Mode the bot token and an
    # app-level token (xapp-...), for boards without a public URL.
    slack_bot_token: str = Field(default="", description="Bot token (xoxb-...)")
    slack_signing_secret: str = Field(default="", description="Signing secret: verifies requests come from Slack")
    slack_app_token: str = Field(default="", description="App-level token (xapp-...): use Socket Mode")
    slack_host: str = Field(default="127.0.0.1", description="Interface the HTTP endpoint listens on")
    slack_port: int = Field(default=3000, description="Port of the HTTP endpoint (POST /slack/events)")
    slack_api_url: str = Field(default="", description="Slack Web API base URL override (tests: a local fake)")
    # Threads doing conversation steps after the ack. The work is CPU-bound Python, so more threads only
    # compete with request threads for the interpreter and slow acknowledgements (bench/slack_ack.py).
    slack_workers: int = Field(default=2, ge=1, le=32)
    # Half-finished referrals: kept this long after their last change, owner warned this long before.
    draft_keep_days: int = Field(default=30, ge=1)
    draft_warn_days: int = Field(default=3, ge=0)
    # Outbound mail: the address the bot sends from. Local mode writes .eml files to DATA_DIR/mail/outbox.
    mail_from: str = Field(default="scr-bot@board.invalid", description="From address of outbound mail")
    # Testing and simulation only: pin the clock to this ISO datetime. A warning is logged when set.
    clock: str = Field(default="")

    # --- the board's mailbox (issue #4) ---------------------------------------------------------------
    mail_backend: Literal["maildir", "ews", "graph"] = Field(
        default="maildir", description="maildir (local mode), ews (Exchange on-premises) or graph (Microsoft 365)"
    )
    mail_poll_seconds: int = Field(default=60, ge=5, description="How often `scrbot run` polls the mailbox")
    mail_authserv_id: str = Field(
        default="",
        description="The authserv-id the board's own mail server writes in Authentication-Results (e.g. "
        "mx.board.gov.uk). Only mail whose DMARC (or aligned DKIM) passed under it is trusted; EWS and Graph "
        "refuse to start without it; local mode's Maildir uses scrbot.local",
    )
    mail_max_message_mb: int = Field(default=25, ge=1, description="Larger messages are quarantined unread")
    mail_max_attachments: int = Field(default=10, ge=0)
    mail_max_attachment_mb: int = Field(default=10, ge=1)
    # Exchange on-premises (EWS)
    ews_endpoint: str = Field(default="", description="e.g. https://mail.board.gov.uk/EWS/Exchange.asmx")
    ews_username: str = Field(default="", description="DOMAIN\\user or user@board.gov.uk")
    ews_password: SecretStr = Field(default=SecretStr(""))
    ews_mailbox: str = Field(default="", description="The shared mailbox's primary SMTP address")
    ews_auth_type: str = Field(default="NTLM", description="NTLM, basic or digest")
    ews_version: str = Field(default="2016", description="2010, 2013, 2016, 2019 or a build number")
    ews_max_wait_seconds: int = Field(default=60, ge=0, description="Longest wait for a busy server")
    # Exchange Online (Microsoft Graph, client credentials)
    graph_tenant_id: str = Field(default="")
    graph_client_id: str = Field(default="")
    graph_client_secret: SecretStr = Field(default=SecretStr(""))
    graph_mailbox: str = Field(default="", description="The shared mailbox's address")
    graph_authority: str = Field(default="https://login.microsoftonline.com")
    graph_base_url: str = Field(default="https://graph.microsoft.com/v1.0")
    graph_ca_bundle: str = Field(default="", description="CA file to trust for Graph and sign-in (default: system)")

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "scrbot.db"

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite+pysqlite:///{self.sqlite_path}"

    @property
    def resolved_key_file(self) -> Path:
        return self.key_file or self.data_dir / "keys.json"

    @property
    def slack_configured(self) -> bool:
        return bool(self.slack_bot_token and (self.slack_signing_secret or self.slack_app_token))

    @property
    def slack_socket_mode(self) -> bool:
        return bool(self.slack_app_token)

    @property
    def maildir_inbox(self) -> Path:
        return self.data_dir / "mail" / "inbox"

    @property
    def mail_outbox_dir(self) -> Path:
        return self.data_dir / "mail" / "outbox"

    @property
    def calendar_file(self) -> Path:
        """The deadlines calendar the scheduler keeps up to date, for the business unit to subscribe to."""
        return self.data_dir / "calendar" / "deadlines.ics"

    @property
    def trusted_authserv_id(self) -> str:
        """Whose Authentication-Results are believed: the setting, else local mode's own id for the Maildir
        (`scrbot mail deliver`); "" (nothing trusted) for EWS and Graph, which refuse to start without it."""
        if self.mail_authserv_id:
            return self.mail_authserv_id
        return LOCAL_AUTHSERV_ID if self.mail_backend == "maildir" else ""

    @property
    def local_mode(self) -> bool:
        """No Slack, no mail server: SQLite, key file, Maildir and .eml outbox under DATA_DIR."""
        return not self.slack_configured and self.mail_backend == "maildir"
