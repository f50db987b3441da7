"""slack_sdk's `InstallationStore` and `OAuthStateStore` over the database (storage/slack_installs.py,
storage/slack_oauth_states.py), for bolt's OAuth flow and its authorize step. Only translation: which board an
installation belongs to, the sealing and the auditing are the storage layer's.

Token rotation: an installation found with a rotating bot token that expires within the margin is renewed
first (`rotator`, slack_sdk's TokenRotator) while its row is locked (`SlackInstallations.renew_bot_token`), so
bolt's authorize step and the board's client outside requests both get a live token, and two processes never
spend one refresh token. Expiry is Slack's real time, as slack_sdk's rotation reads it, not the service's
injected clock."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from slack_sdk.oauth.installation_store import Bot, Installation, InstallationStore
from slack_sdk.oauth.state_store import OAuthStateStore
from slack_sdk.oauth.token_rotation import TokenRotator

from bot.clock import SystemClock
from storage.slack_installs import SlackInstallations, WorkspaceInstall
from storage.slack_oauth_states import SlackOAuthStates

log = logging.getLogger("scrbot.slack.installs")


def _moment(epoch: int | None) -> datetime | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, UTC)


def _epoch(moment: datetime | None) -> int | None:
    return None if moment is None else int(moment.timestamp())


def _epoch_of(moment: datetime | None) -> float | None:
    """As slack_sdk reads a stored `installed_at` (a time without a zone is UTC)."""
    if moment is None:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def workspace_install(installation: Installation) -> WorkspaceInstall:
    return WorkspaceInstall(
        team_id=installation.team_id or "",
        enterprise_id=installation.enterprise_id or "",
        is_enterprise_install=bool(installation.is_enterprise_install),
        app_id=installation.app_id or "",
        bot_id=installation.bot_id or "",
        bot_user_id=installation.bot_user_id or "",
        bot_scopes=",".join(installation.bot_scopes or []),
        installed_by=installation.user_id or "",
        user_scopes=",".join(installation.user_scopes or []),
        bot_token=installation.bot_token,
        bot_refresh_token=installation.bot_refresh_token,
        bot_token_expires_at=_moment(installation.bot_token_expires_at),
        user_token=installation.user_token,
        user_refresh_token=installation.user_refresh_token,
        user_token_expires_at=_moment(installation.user_token_expires_at),
    )


def _installation(install: WorkspaceInstall) -> Installation:
    return Installation(
        app_id=install.app_id or None,
        enterprise_id=install.enterprise_id or None,
        team_id=install.team_id or None,
        bot_token=install.bot_token,
        bot_id=install.bot_id or None,
        bot_user_id=install.bot_user_id or None,
        bot_scopes=install.bot_scopes,
        bot_refresh_token=install.bot_refresh_token,
        bot_token_expires_at=_epoch(install.bot_token_expires_at),
        user_id=install.installed_by,
        user_token=install.user_token,
        user_scopes=install.user_scopes,
        user_refresh_token=install.user_refresh_token,
        user_token_expires_at=_epoch(install.user_token_expires_at),
        is_enterprise_install=install.is_enterprise_install,
        installed_at=install.installed_at,
    )


def _bot(found: WorkspaceInstall) -> Bot:
    return Bot(
        app_id=found.app_id or None,
        enterprise_id=found.enterprise_id or None,
        team_id=found.team_id or None,
        bot_token=found.bot_token or "",
        bot_id=found.bot_id,
        bot_user_id=found.bot_user_id,
        bot_scopes=found.bot_scopes,
        bot_refresh_token=found.bot_refresh_token,
        bot_token_expires_at=_epoch(found.bot_token_expires_at),
        is_enterprise_install=found.is_enterprise_install,
        installed_at=found.installed_at or 0.0,  # always set on a stored installation
    )


class DatabaseInstallationStore(InstallationStore):
    """bolt's view of the installations: save, find_installation / find_bot, delete_* (uninstall events).
    With a `rotator`, a rotating token about to expire (within `refresh_minutes`) is renewed when found."""

    def __init__(
        self, installations: SlackInstallations, rotator: TokenRotator | None = None, refresh_minutes: int = 120
    ) -> None:
        self.installations = installations
        self.rotator = rotator
        self.refresh_minutes = refresh_minutes

    @property
    def logger(self) -> logging.Logger:
        return log

    def save(self, installation: Installation) -> None:
        """A new install or a reinstall; or, from bolt's token rotation, the stored installation with its
        tokens refreshed (slack_sdk's TokenRotator copies it, `installed_at` and all): only the tokens change."""
        stored = self.installations.find(
            enterprise_id=installation.enterprise_id,
            team_id=installation.team_id,
            is_enterprise_install=installation.is_enterprise_install,
        )
        if stored is not None and _epoch_of(stored.installed_at) == installation.installed_at:
            self.save_bot(installation.to_bot())
            return
        self.installations.save(workspace_install(installation))

    def save_bot(self, bot: Bot) -> None:
        """A bot token refreshed by token rotation."""
        where = WorkspaceInstall(
            team_id=bot.team_id or "",
            enterprise_id=bot.enterprise_id or "",
            is_enterprise_install=bool(bot.is_enterprise_install),
        )
        expires = _moment(bot.bot_token_expires_at)
        self.installations.save_bot_token(where, bot.bot_token, bot.bot_refresh_token, expires)

    def find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        """The workspace's installation; with `user_id`, only if that person installed it (the user token
        kept is the latest installer's)."""
        found = self._found(enterprise_id, team_id, is_enterprise_install)
        if found is None or (user_id is not None and found.installed_by != user_id):
            return None
        return _installation(found)

    def find_bot(
        self, *, enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None = False
    ) -> Bot | None:
        found = self._found(enterprise_id, team_id, is_enterprise_install)
        if found is None or not found.bot_token:
            return None
        return _bot(found)

    def _found(
        self, enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None
    ) -> WorkspaceInstall | None:
        """The installation, its rotating token renewed first if it is about to expire (raises slack_sdk's
        SlackTokenRotationError if Slack refuses: bolt's authorize step then refuses the request)."""
        where: dict[str, Any] = {
            "enterprise_id": enterprise_id,
            "team_id": team_id,
            "is_enterprise_install": is_enterprise_install,
        }
        found = self.installations.find(**where)
        if found is None or not self._expiring(found):
            return found
        return self.installations.renew_bot_token(**where, renew=self._renew)

    def _expiring(self, found: WorkspaceInstall) -> bool:
        expires = _epoch_of(found.bot_token_expires_at)
        if self.rotator is None or not found.bot_refresh_token or expires is None:
            return False
        return expires <= SystemClock().now().timestamp() + self.refresh_minutes * 60

    def _renew(self, found: WorkspaceInstall) -> WorkspaceInstall | None:
        """Under the row's lock: None when another process has renewed it meanwhile."""
        assert self.rotator is not None  # only asked when there is one
        if not self._expiring(found):
            return None
        bot = self.rotator.perform_bot_token_rotation(bot=_bot(found), minutes_before_expiration=self.refresh_minutes)
        if bot is None:
            return None
        return replace(
            found,
            bot_token=bot.bot_token,
            bot_refresh_token=bot.bot_refresh_token,
            bot_token_expires_at=_moment(bot.bot_token_expires_at),
        )

    def delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        """The bot token was revoked: the installation is no use any more."""
        self.installations.delete(enterprise_id=enterprise_id, team_id=team_id, reason="bot token revoked")

    def delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        """Without `user_id`: the whole installation. With one: that person's user token, if it is kept."""
        if user_id is None:
            self.installations.delete(enterprise_id=enterprise_id, team_id=team_id, reason="installation deleted")
        else:
            self.installations.revoke_user_token(enterprise_id=enterprise_id, team_id=team_id, user_id=user_id)

    def delete_all(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        self.installations.delete(enterprise_id=enterprise_id, team_id=team_id, reason="app uninstalled")


class DatabaseStateStore(OAuthStateStore):
    def __init__(self, states: SlackOAuthStates) -> None:
        self.states = states

    @property
    def logger(self) -> logging.Logger:
        return log

    def issue(self, *args: object, **kwargs: object) -> str:
        return self.states.issue()

    def consume(self, state: str) -> bool:
        return self.states.consume(state)
