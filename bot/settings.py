"""Process settings from environment variables (prefix SCRBOT_) and an optional .env file.

Secrets (database password, Slack tokens, mail credentials, keys) belong here, not in the board config.
Every setting is documented in README.md ("Configuration").
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from bot.setting_types import (
    AuthservId,
    DatabaseUrl,
    EmailAddress,
    EwsAuthType,
    EwsVersion,
    FileIfPresent,
    Folder,
    Guid,
    HostName,
    HttpsUrl,
    KeyRingJson,
    LogLevel,
    Moment,
    ReadableFile,
    ReadableFolder,
    SecretText,
    SecretValue,
    SlackAppToken,
    SlackBotToken,
    SlackClientId,
    Tenant,
    Text,
    Url,
)
from bot.settings_files import env_name


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SCRBOT_", env_file=".env", extra="ignore")

    data_dir: Folder = Field(default=Path("var"), description="Where local mode keeps its database, keys and mail")
    database_url: DatabaseUrl = Field(
        default="", description="SQLAlchemy URL; empty means SQLite at DATA_DIR/scrbot.db"
    )
    # Durable by default (storage/db.py DEFAULT_SYNCHRONOUS): every SQLite commit is on disk before it returns.
    sqlite_synchronous: Literal["full", "normal"] = Field(
        default="full",
        description="SQLite commits: full (each synced to disk) or normal: faster, may lose the last "
        "transactions on a power cut",
    )
    database_password: SecretValue = Field(
        default=SecretStr(""),
        description="Password for SCRBOT_DATABASE_URL when the URL leaves it out (e.g. from a secret file)",
    )
    key_file: FileIfPresent = Field(
        default=None, description="Key ring file (mode 0600); default DATA_DIR/keys.json, created on first run"
    )
    keys: KeyRingJson = Field(default="", description="The key ring as JSON, instead of a key file (containers)")
    board_config: ReadableFile = Field(
        default=None, description="Board config TOML; default ./board.toml, else the example"
    )
    # Many boards on one deployment (README "Many boards"): one TOML file per board in this folder.
    board_dir: ReadableFolder = Field(
        default=None, description="Folder of board config TOML files, one per board (instead of BOARD_CONFIG)"
    )
    log_level: LogLevel = Field(default="INFO", description="Least severe log messages written")
    log_format: Literal["text", "json"] = Field(
        default="text", description="Log lines as text, or one JSON object per line (for a log collector)"
    )
    debug: bool = Field(
        default=False, description="Show tracebacks of unexpected errors (may show input values; never in service)"
    )
    # Slack (bot/slack/). HTTP mode needs the bot token and signing secret; Socket Mode the bot token and an
    # app-level token (xapp-...), for boards without a public URL.
    slack_bot_token: SlackBotToken = Field(default="", description="Bot token (xoxb-...)")
    slack_signing_secret: SecretText = Field(
        default="", description="HTTP mode: signing secret that verifies requests come from Slack"
    )
    slack_app_token: SlackAppToken = Field(default="", description="App-level token (xapp-...): use Socket Mode")
    slack_host: HostName = Field(default="127.0.0.1", description="Interface the HTTP endpoint listens on")
    slack_port: int = Field(
        default=3000, ge=0, le=65535, description="Port of the HTTP endpoint (POST /slack/events); 0: any free port"
    )
    slack_api_url: Url = Field(default="", description="Slack Web API base URL override (tests: a local fake)")
    # One app installed in many boards' workspaces (README "Installing the Slack app in many workspaces"):
    # with the client id set, bolt's OAuth flow serves GET /slack/install and /slack/oauth_redirect, and each
    # request is answered with the token of its workspace's installation (kept sealed in the database)
    # instead of one SCRBOT_SLACK_BOT_TOKEN. The scopes asked for are bot/slack/manifest.json's.
    slack_client_id: SlackClientId = Field(
        default="", description="Install mode: the app's client id (Basic Information > App Credentials)"
    )
    slack_client_secret: SecretValue = Field(default=SecretStr(""), description="Install mode: the app's client secret")
    slack_redirect_url: HttpsUrl = Field(
        default="",
        description="Install mode: the public URL of /slack/oauth_redirect, as in the app's Redirect URLs",
    )
    # Threads doing conversation steps after the ack. The work is CPU-bound Python, so more threads only
    # compete with request threads for the interpreter and slow acknowledgements (bench/slack_ack.py).
    slack_workers: int = Field(
        default=2, ge=1, le=32, description="Threads for Slack work after the ack (referral steps: the step worker)"
    )
    # Half-finished referrals: kept this long after their last change, owner warned this long before.
    draft_keep_days: int = Field(default=30, ge=1, description="Days an untouched referral draft is kept")
    draft_warn_days: int = Field(default=3, ge=0, description="Days before a draft expires that its owner is warned")
    # Outbound mail: the address the bot sends from. Local mode writes .eml files to DATA_DIR/mail/outbox.
    mail_from: EmailAddress = Field(default="scr-bot@board.invalid", description="From address of outbound mail")
    # Testing and simulation only: pin the clock to this ISO datetime. A warning is logged when set.
    clock: Moment = Field(default="", description="Testing only: pin the clock to this ISO date and time")

    # --- the board's mailbox (issue #4) ---------------------------------------------------------------
    mail_backend: Literal["maildir", "ews", "graph"] = Field(
        default="maildir", description="maildir (local mode), ews (Exchange on-premises) or graph (Microsoft 365)"
    )
    mail_poll_seconds: int = Field(default=60, ge=5, description="How often `scrbot run` polls the mailbox")
    mail_authserv_id: AuthservId = Field(
        default="",
        description="The authserv-id the board's own mail server writes in Authentication-Results (e.g. "
        "mx.board.gov.uk). Only mail whose DMARC (or aligned DKIM) passed under it is trusted; EWS and Graph "
        "refuse to start without it; local mode's Maildir uses scrbot.local",
    )
    mail_max_message_mb: int = Field(default=25, ge=1, description="Larger messages are quarantined unread")
    mail_max_attachments: int = Field(default=10, ge=0, description="More attachments than this: quarantined")
    mail_max_attachment_mb: int = Field(default=10, ge=1, description="A larger attachment: quarantined")
    # Exchange on-premises (EWS)
    ews_endpoint: Url = Field(default="", description="e.g. https://mail.board.gov.uk/EWS/Exchange.asmx")
    ews_username: Text = Field(default="", description="The service account: DOMAIN\\user or user@board.gov.uk")
    ews_password: SecretValue = Field(default=SecretStr(""), description="The service account's password")
    ews_mailbox: EmailAddress = Field(default="", description="The shared mailbox's primary SMTP address")
    ews_auth_type: EwsAuthType = Field(default="NTLM", description="NTLM, basic or digest")
    ews_version: EwsVersion = Field(default="2016", description="2010, 2013, 2016, 2019 or a build number")
    ews_max_wait_seconds: int = Field(default=60, ge=0, description="Longest wait for a busy server")
    ews_ca_bundle: ReadableFile = Field(
        default=None, description="CA file to trust for the Exchange server (an internal CA; default: system CAs)"
    )
    # Exchange Online (Microsoft Graph, client credentials: a client secret or a certificate)
    graph_tenant_id: Tenant = Field(default="", description="The Microsoft 365 tenant (directory) id")
    graph_client_id: Guid = Field(default="", description="The app registration's application (client) id")
    graph_client_secret: SecretValue = Field(
        default=SecretStr(""), description="The app registration's client secret (or use a certificate)"
    )
    graph_client_certificate: ReadableFile = Field(
        default=None,
        description="PEM file with the app registration's certificate and its private key (instead of a secret)",
    )
    graph_client_certificate_password: SecretValue = Field(
        default=SecretStr(""), description="Password of that private key, if it has one"
    )
    graph_mailbox: EmailAddress = Field(default="", description="The shared mailbox's address")
    graph_authority: HttpsUrl = Field(
        default="https://login.microsoftonline.com", description="Sign-in authority (sovereign clouds, tests)"
    )
    graph_base_url: HttpsUrl = Field(default="https://graph.microsoft.com/v1.0", description="Graph endpoint")
    graph_ca_bundle: ReadableFile = Field(
        default=None, description="CA file to trust for Graph and sign-in (default: system CAs)"
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        from bot.settings_files import SecretFiles

        # A secret from SCRBOT_<NAME>_FILE (a container's secret file) ranks with the environment.
        return init_settings, env_settings, SecretFiles(settings_cls), dotenv_settings, file_secret_settings

    @model_validator(mode="after")
    def _complete(self) -> Settings:
        """Settings that only work together: half a configuration is an error, never a silent fallback."""
        problem = incomplete(self)
        if problem:
            raise ValueError(problem)
        return self

    # --- Microsoft Teams (bot/teams/) ------------------------------------------------------------------
    # The Entra app registration behind the bot (its "Microsoft App ID") and a client secret of it.
    teams_app_id: Guid = Field(default="", description="The bot's Entra application (client) id")
    teams_app_password: SecretValue = Field(default=SecretStr(""), description="A client secret of that app")
    # single_tenant: the board's own registration, in the board's tenant (the default). multi_tenant: one
    # registration for a hosted service; each tenant is mapped to its board by `[teams] tenant_id`.
    teams_app_type: Literal["single_tenant", "multi_tenant"] = Field(
        default="single_tenant", description="single_tenant (the board's own registration) or multi_tenant"
    )
    teams_tenant_id: Tenant = Field(default="", description="The registration's own tenant (single tenant)")
    teams_host: HostName = Field(default="127.0.0.1", description="Interface the messaging endpoint listens on")
    teams_port: int = Field(
        default=3978, ge=0, le=65535, description="Port of POST /api/messages (and GET /healthz); 0: any free port"
    )
    teams_workers: int = Field(default=2, ge=1, le=32, description="Threads doing conversation steps after the ack")
    # Where the keys that sign the Bot Framework's requests are published, and whose tokens are accepted.
    teams_openid_metadata_url: Url = Field(
        default="https://login.botframework.com/v1/.well-known/openidconfiguration",
        description="OpenID metadata naming the keys that sign the Bot Framework's requests",
    )
    teams_token_issuer: Url = Field(
        default="https://api.botframework.com", description="The issuer whose tokens the endpoint accepts"
    )
    # The bot's own sign-in (client credentials) for its replies and proactive messages.
    teams_authority: Url = Field(
        default="https://login.microsoftonline.com", description="Sign-in authority for the bot's own token"
    )
    teams_ca_bundle: ReadableFile = Field(
        default=None, description="CA file to trust for sign-in and keys (default: system CAs)"
    )
    # Where the messaging endpoint is reachable from Teams (the app package's validDomains).
    teams_public_url: Url = Field(
        default="", description="Where Teams reaches the bot, e.g. https://scrbot.board.gov.uk"
    )

    @property
    def teams_configured(self) -> bool:
        return bool(self.teams_app_id and self.teams_app_password.get_secret_value())

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "scrbot.db"

    @property
    def resolved_database_url(self) -> str:
        if not self.database_url:
            return f"sqlite+pysqlite:///{self.sqlite_path}"
        password = self.database_password.get_secret_value()
        if not password:
            return self.database_url
        from sqlalchemy.engine import make_url

        return make_url(self.database_url).set(password=password).render_as_string(hide_password=False)

    @property
    def resolved_key_file(self) -> Path:
        return self.key_file or self.data_dir / "keys.json"

    @property
    def slack_configured(self) -> bool:
        if self.slack_install_mode:
            return bool(self.slack_signing_secret)
        return bool(self.slack_bot_token and (self.slack_signing_secret or self.slack_app_token))

    @property
    def slack_install_mode(self) -> bool:
        """Tokens come from the installations in the database (one per board's workspace), not the setting."""
        return bool(self.slack_client_id)

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
        # Imported here: the mail authentication module brings the mail parsing libraries with it.
        from intake.inbound.authentication import LOCAL_AUTHSERV_ID

        return LOCAL_AUTHSERV_ID if self.mail_backend == "maildir" else ""

    @property
    def local_mode(self) -> bool:
        """No Slack, no mail server: SQLite, key file, Maildir and .eml outbox under DATA_DIR."""
        return not self.slack_configured and not self.teams_configured and self.mail_backend == "maildir"


def incomplete(settings: Settings) -> str:
    """Settings that only work together, and are set in part: the problem as one line, or ''."""
    s = settings
    if s.slack_bot_token and not (s.slack_signing_secret or s.slack_app_token):
        return (
            "SCRBOT_SLACK_BOT_TOKEN is set but neither SCRBOT_SLACK_SIGNING_SECRET (HTTP mode) nor "
            "SCRBOT_SLACK_APP_TOKEN (Socket Mode) is; allowed: the bot token with one of them, or none of the three"
        )
    problem = _incomplete_install_mode(s)
    if problem:
        return problem
    if (s.slack_signing_secret or s.slack_app_token) and not s.slack_bot_token and not s.slack_install_mode:
        which = "SCRBOT_SLACK_SIGNING_SECRET" if s.slack_signing_secret else "SCRBOT_SLACK_APP_TOKEN"
        return f"{which} is set but SCRBOT_SLACK_BOT_TOKEN is not; allowed: both, or neither (local mode)"
    if s.board_config is not None and s.board_dir is not None:
        return "SCRBOT_BOARD_CONFIG and SCRBOT_BOARD_DIR are both set; allowed: one board file, or a folder of them"
    # The app id alone is enough to build the Teams package (`scrbot teams package`); a secret alone is not.
    if s.teams_app_password.get_secret_value() and not s.teams_app_id:
        return "SCRBOT_TEAMS_APP_PASSWORD is set but SCRBOT_TEAMS_APP_ID is not; allowed: both, or the id alone"
    if s.draft_warn_days >= s.draft_keep_days:
        return (
            f"SCRBOT_DRAFT_WARN_DAYS ({s.draft_warn_days}) is not less than SCRBOT_DRAFT_KEEP_DAYS "
            f"({s.draft_keep_days}); allowed: a warning some days before the draft expires"
        )
    if s.mail_backend == "ews":
        missing = [n for n in ("ews_endpoint", "ews_username", "ews_mailbox") if not getattr(s, n)]
        if missing:
            return f"SCRBOT_MAIL_BACKEND=ews needs {', '.join(env_name(n) for n in missing)}"
    if s.mail_backend == "graph":
        missing = [n for n in ("graph_tenant_id", "graph_client_id", "graph_mailbox") if not getattr(s, n)]
        has_secret = bool(s.graph_client_secret.get_secret_value())
        has_certificate = s.graph_client_certificate is not None
        if not has_secret and not has_certificate:
            missing.append("graph_client_secret")
        if missing:
            names = ", ".join(env_name(n) for n in missing)
            more = " (or SCRBOT_GRAPH_CLIENT_CERTIFICATE)" if "graph_client_secret" in missing else ""
            return f"SCRBOT_MAIL_BACKEND=graph needs {names}{more}"
        if has_secret and has_certificate:
            return "SCRBOT_GRAPH_CLIENT_SECRET and SCRBOT_GRAPH_CLIENT_CERTIFICATE are both set; allowed: one of them"
    return ""


def _incomplete_install_mode(s: Settings) -> str:
    """Install mode (the client id set) needs its secret and HTTP; the one-workspace token is then not used."""
    secret = bool(s.slack_client_secret.get_secret_value())
    if secret and not s.slack_client_id:
        return "SCRBOT_SLACK_CLIENT_SECRET is set but SCRBOT_SLACK_CLIENT_ID is not; allowed: both, or neither"
    if s.slack_redirect_url and not s.slack_client_id:
        return "SCRBOT_SLACK_REDIRECT_URL is set but SCRBOT_SLACK_CLIENT_ID is not; allowed: it with the client id"
    if not s.slack_client_id:
        return ""
    if not secret:
        return "SCRBOT_SLACK_CLIENT_ID is set but SCRBOT_SLACK_CLIENT_SECRET is not; allowed: both, or neither"
    if not s.slack_signing_secret:
        return (
            "SCRBOT_SLACK_CLIENT_ID is set but SCRBOT_SLACK_SIGNING_SECRET is not; allowed: install mode with the "
            "signing secret (the install flow and requests are served over HTTP)"
        )
    if s.slack_bot_token or s.slack_app_token:
        which = "SCRBOT_SLACK_BOT_TOKEN" if s.slack_bot_token else "SCRBOT_SLACK_APP_TOKEN"
        return (
            f"SCRBOT_SLACK_CLIENT_ID and {which} are both set; allowed: install mode (tokens from each "
            "workspace's installation) or one workspace's bot token, not both"
        )
    return ""
