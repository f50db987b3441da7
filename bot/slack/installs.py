"""Install mode: one Slack app installed in many boards' workspaces through bolt's OAuth flow.

With `SCRBOT_SLACK_CLIENT_ID` set, `GET /slack/install` starts an install (a state value kept in the database
and a cookie in the installer's browser), Slack sends the installer back to `GET /slack/oauth_redirect` with a
one-time code, bolt exchanges it (`oauth.v2.access`) for the workspace's tokens, and the installation store
(storage/slack_installs.py) keeps them sealed under the board whose `[slack] team_id` is that workspace. An
install from a workspace no board names is refused with a page saying what to configure, its fresh token
revoked, and nothing kept.

Every request is then authorized from the store: the workspace's installation gives the token its listeners'
`client` uses (bolt's `InstallationStoreAuthorize`, its auth.test answer cached per token so a request costs
one indexed read, not a Slack call). The store only sees the boards it is built over, so an App built for one
board (`app_options(..., installations=...)` over that board) can only ever act with that board's token, and
an App over every board answers each workspace with its own. Work outside a request (the outbox's messages,
referral steps after the ack) uses `installed_client`, whose token is the board's installation's, read at
each call (a reinstall's new token is used from the next call).

Token rotation (the app's *Advanced token security via token rotation*): an install then gives a token that
expires after 12 hours and a refresh token. Whenever a token is read (each request's authorize step, and
`installed_client` before each call) and it expires within `REFRESH_BEFORE_MINUTES`, it is first exchanged
(`oauth.v2.access`, `grant_type=refresh_token`, slack_sdk's `TokenRotator`, against the same Slack API URL as
every other call) while the installation's row is locked, so two processes never spend one refresh token, and
the new token and refresh token are kept sealed in place of the old (audited `slack.token_refreshed`). A refresh
that fails is logged as an error naming the workspace and Slack's error code (never a token), and the request is
refused with `NOT_INSTALLED`, never served with the expired token.
"""

from __future__ import annotations

import html
import json
import logging
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from slack_bolt.authorization.authorize import InstallationStoreAuthorize
from slack_bolt.error import BoltError
from slack_bolt.oauth import OAuthFlow
from slack_bolt.oauth.callback_options import CallbackOptions, FailureArgs, SuccessArgs
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_bolt.request import BoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackTokenRotationError
from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.token_rotation import TokenRotator

from bot.clock import Clock
from bot.settings import Settings
from bot.slack.installation_store import DatabaseInstallationStore, DatabaseStateStore
from storage.slack_installs import InstallBoard, InstallBoards, SlackInstallations, UnknownWorkspace
from storage.slack_oauth_states import SlackOAuthStates

if TYPE_CHECKING:
    from storage.store import Store

log = logging.getLogger("scrbot.slack.installs")

MANIFEST = Path(__file__).resolve().parent / "manifest.json"
NOT_INSTALLED = (
    "SCR Bot is not installed for this workspace's board, or its Slack token could not be renewed. Ask the "
    "service's administrator to install it (its /slack/install page)."
)
REFRESH_BEFORE_MINUTES = 120  # bolt's default: a rotating token is refreshed when it has under 2 hours left


@cache
def manifest_scopes() -> tuple[str, ...]:
    """The bot scopes an install asks for: the manifest's, so the app and the install never disagree."""
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    return tuple(manifest["oauth_config"]["scopes"]["bot"])


def installations_over(stores: Iterable[Store], clock: Clock) -> SlackInstallations:
    """The installation store over these boards (one store: that board's App; every store: the deployment's
    install flow). The boards share one database, so the first store's sessions serve them all."""
    stores = list(stores)
    boards = InstallBoards(InstallBoard(s.board.id, s.board.slack.team_id, s.cipher, s.audit) for s in stores)
    return SlackInstallations(stores[0].sessions, boards, clock.now)


class RefusedInstall(BoltError):
    """The install came from a workspace no board names: shown to the installer, nothing stored."""


class BoardsOAuthFlow(OAuthFlow):
    def store_installation(self, request: BoltRequest, installation: Installation) -> None:
        try:
            super().store_installation(request, installation)
        except UnknownWorkspace as refused:
            self._revoke(installation)
            raise RefusedInstall(str(refused)) from None

    def _revoke(self, installation: Installation) -> None:
        """Slack has issued tokens for the refused workspace: revoke them so none is left working."""
        for token in (installation.bot_token, installation.user_token):
            if token:
                try:
                    self.client.auth_revoke(token=token)
                except (SlackApiError, OSError) as exc:
                    log.warning("slack install refused; revoking its token failed (%s)", type(exc).__name__)


def _page(title: str, text: str) -> str:
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>SCR Bot</title></head><body>"
        f"<h1>{html.escape(title)}</h1><p>{html.escape(text)}</p></body></html>"
    )


def _succeeded(args: SuccessArgs) -> BoltResponse:
    return BoltResponse(
        status=200,
        body=_page("SCR Bot is installed", "The app is installed for your board. You can close this page."),
        headers={"Content-Type": "text/html; charset=utf-8"},
    )


def _failed(args: FailureArgs) -> BoltResponse:
    if isinstance(args.error, RefusedInstall):
        text = f"{args.error} Nothing was kept from this install."
        return BoltResponse(
            status=403,
            body=_page("This workspace is not set up here", text),
            headers={"Content-Type": "text/html; charset=utf-8"},
        )
    log.warning("slack install failed: %s", args.reason)  # bolt's reason words, e.g. invalid_state
    return BoltResponse(
        status=args.suggested_status_code,
        body=_page("The install did not finish", f"Slack's install did not complete ({args.reason}). Try again."),
        headers={"Content-Type": "text/html; charset=utf-8"},
    )


def api_client(settings: Settings, token: str | None = None) -> WebClient:
    kwargs: dict[str, Any] = {"token": token}
    if settings.slack_api_url:
        kwargs["base_url"] = settings.slack_api_url
    return WebClient(**kwargs)


def oauth_flow(settings: Settings, installations: SlackInstallations, clock: Clock) -> BoardsOAuthFlow:
    """The install flow (GET /slack/install, /slack/oauth_redirect), over whatever boards `installations` is."""
    return _flow(settings, DatabaseInstallationStore(installations), clock)


def deployment_flow(settings: Settings, stores: Iterable[Store], clock: Clock) -> BoardsOAuthFlow | None:
    """The install flow over every board of a deployment, for the HTTP server (`serve_http(...,
    oauth_flow=...)`) when each board has its own App; None outside install mode."""
    if not settings.slack_install_mode:
        return None
    return oauth_flow(settings, installations_over(stores, clock), clock)


def _flow(settings: Settings, store: DatabaseInstallationStore, clock: Clock) -> BoardsOAuthFlow:
    states = SlackOAuthStates(store.installations.sessions, clock.now)
    oauth = OAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret.get_secret_value(),
        scopes=list(manifest_scopes()),
        user_scopes=[],
        redirect_uri=settings.slack_redirect_url or None,
        installation_store=store,
        state_store=DatabaseStateStore(states),
        state_expiration_seconds=int(states.lifetime.total_seconds()),
        callback_options=CallbackOptions(success=_succeeded, failure=_failed),
        logger=log,
    )
    return BoardsOAuthFlow(client=api_client(settings), logger=log, settings=oauth)


class BoardTokenRotator(TokenRotator):
    """slack_sdk's token rotation, whose failure is logged clearly: the workspace and Slack's error code
    (slack_sdk's own error has no message), never a token."""

    def perform_bot_token_rotation(self, *, bot: Bot, minutes_before_expiration: int = 120) -> Bot | None:
        try:
            return super().perform_bot_token_rotation(bot=bot, minutes_before_expiration=minutes_before_expiration)
        except SlackTokenRotationError as failed:
            error = failed.api_error.response.get("error") if failed.api_error.response is not None else None
            workspace = bot.team_id if bot.team_id and not bot.is_enterprise_install else bot.enterprise_id
            log.error(
                "slack token refresh failed for workspace %s (%s): its requests are refused until it is "
                "refreshed or reinstalled",
                workspace,
                error or "no answer",
            )
            raise


def _rotator(settings: Settings) -> BoardTokenRotator:
    """Against the same Slack API URL as every other call (slack_sdk's default client would go to slack.com)."""
    return BoardTokenRotator(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret.get_secret_value(),
        client=api_client(settings),
    )


def _authorize(settings: Settings, store: DatabaseInstallationStore) -> InstallationStoreAuthorize:
    """Each request's token from its workspace's installation, refreshed first when it is about to expire;
    auth.test answers cached per token."""
    authorize = InstallationStoreAuthorize(
        logger=log,
        installation_store=store,
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret.get_secret_value(),
        token_rotation_expiration_minutes=REFRESH_BEFORE_MINUTES,
        cache_enabled=True,
    )
    authorize.token_rotator = _rotator(settings)
    return authorize


def app_options(
    settings: Settings, store: Store, clock: Clock, *, installations: SlackInstallations | None = None
) -> dict[str, Any]:
    """bolt `App(...)` arguments for install mode ({} otherwise: one bot token, as before). `installations`:
    the boards this App serves (default: `store`'s board alone)."""
    if not settings.slack_install_mode:
        return {}
    installed = DatabaseInstallationStore(
        installations or installations_over([store], clock), _rotator(settings), REFRESH_BEFORE_MINUTES
    )
    return {
        "installation_store": installed,
        "authorize": _authorize(settings, installed),
        "oauth_flow": _flow(settings, installed, clock),
        "user_facing_authorize_error_message": NOT_INSTALLED,
    }


class InstalledClient(WebClient):
    """A board's client for work outside a request: its token is the board's installation's bot token, read
    at each call (None, so Slack answers not_authed, while the board has no installation)."""

    def __init__(self, token_of: Callable[[], str | None], **kwargs: Any) -> None:
        self._token_of = token_of
        super().__init__(**kwargs)

    @property
    def token(self) -> str | None:
        return self._token_of()

    @token.setter
    def token(self, value: str | None) -> None:
        pass  # set by WebClient's constructor; the installation decides


class BoardBotToken:
    """The board's installation's bot token, renewed first when it is about to expire (token rotation); None
    while the board has no installation or its renewal failed (logged): never an expired token."""

    def __init__(self, settings: Settings, installations: SlackInstallations, board_id: str) -> None:
        self.store = DatabaseInstallationStore(installations, _rotator(settings), REFRESH_BEFORE_MINUTES)
        self.board_id = board_id

    def __call__(self) -> str | None:
        install = self.store.installations.installation_of(self.board_id)
        if install is None:
            return None
        try:
            bot = self.store.find_bot(
                enterprise_id=install.enterprise_id or None,
                team_id=install.team_id or None,
                is_enterprise_install=install.is_enterprise_install,
            )
        except SlackTokenRotationError:
            return None  # logged by the rotator
        return None if bot is None else bot.bot_token


def installed_client(settings: Settings, store: Store, clock: Clock) -> WebClient:
    """The board's client: its installation's token in install mode, else the one bot token."""
    if not settings.slack_install_mode:
        return api_client(settings, settings.slack_bot_token or None)
    installations = installations_over([store], clock)
    kwargs: dict[str, Any] = {"base_url": settings.slack_api_url} if settings.slack_api_url else {}
    return InstalledClient(BoardBotToken(settings, installations, store.board.id), **kwargs)
