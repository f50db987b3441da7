"""Where the app's installations live: the `slack_installations` table, for bolt's OAuth flow (which saves)
and its authorize step (which finds the token for each request) through slack_sdk's `InstallationStore`
interface (bot/slack/installation_store.py adapts: the core does not import Slack's libraries).

Which board an installation belongs to comes from the boards' `[slack] team_id`: an install from a workspace
no board names is refused (`UnknownWorkspace`) and nothing is stored. Tokens are sealed with that board's
keys (its cipher binds board, table, column and row), so one board's keys cannot open another's token and the
database never holds one in the clear. The store sees only the boards it is given: a store built for one
board finds that board's installation and no other, so a per-board bolt App can only ever act with its own
board's token; a store over every board serves the deployment-wide install flow.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from errors import Refused
from storage.audit import AuditLog
from storage.crypto import FieldCipher, open_text, seal_text
from storage.tables import SlackInstallationRow
from storage.tables.base import new_id

log = logging.getLogger("scrbot.slack.installs")

TABLE = "slack_installations"
_SEALED = ("bot_token", "bot_refresh_token", "user_token", "user_refresh_token")
_PLAIN = ("app_id", "bot_id", "bot_user_id", "bot_scopes", "installed_by", "user_scopes")


class UnknownWorkspace(Refused):
    """An install from a Slack workspace that no configured board names in `[slack] team_id`."""


@dataclass(frozen=True)
class InstallBoard:
    """What the store needs of one board: its id, its workspace (`[slack] team_id`), cipher and audit chain."""

    board_id: str
    team_id: str
    cipher: FieldCipher
    audit: AuditLog


class InstallBoards:
    """The boards a store serves, found by workspace (team or, for org-wide installs, enterprise id)."""

    def __init__(self, boards: Iterable[InstallBoard]) -> None:
        self._by_id = {b.board_id: b for b in boards}
        self._by_team = {b.team_id: b for b in self._by_id.values() if b.team_id}

    def for_workspace(self, team_id: str | None) -> InstallBoard | None:
        return self._by_team.get(team_id or "")

    def by_id(self, board_id: str) -> InstallBoard | None:
        return self._by_id.get(board_id)

    @property
    def board_ids(self) -> list[str]:
        return sorted(self._by_id)


def _workspace(enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None) -> tuple[str, str]:
    """The row's key: (enterprise id or "", team id or ""); an org-wide install is the enterprise's alone."""
    return (enterprise_id or "", "" if is_enterprise_install else (team_id or ""))


@dataclass(frozen=True)
class WorkspaceInstall:
    """One installation of the app, as the install flow gives it and the store gives it back. `team_id` is
    the workspace ("" for an org-wide install, which is the enterprise's); `installed_by` the installing
    person's Slack user id, whose user token (if the app asked for one) is the one kept."""

    team_id: str
    enterprise_id: str = ""
    is_enterprise_install: bool = False
    app_id: str = ""
    bot_id: str = ""
    bot_user_id: str = ""
    bot_scopes: str = ""  # comma-separated, as Slack gives them
    installed_by: str = ""
    user_scopes: str = ""
    bot_token: str | None = None
    bot_refresh_token: str | None = None
    bot_token_expires_at: datetime | None = None
    user_token: str | None = None
    user_refresh_token: str | None = None
    user_token_expires_at: datetime | None = None
    installed_at: datetime | None = None  # set by the store

    @property
    def workspace(self) -> str:
        """What a board names in `[slack] team_id`: the team, or the enterprise for an org-wide install."""
        return self.enterprise_id if self.is_enterprise_install else self.team_id


class SlackInstallations:
    """The installations of the boards this store serves."""

    def __init__(self, sessions: sessionmaker[Session], boards: InstallBoards, clock: Callable[[], datetime]) -> None:
        self.sessions = sessions
        self.boards = boards
        self.clock = clock

    # --- saving --------------------------------------------------------------------------------------

    def save(self, install: WorkspaceInstall) -> None:
        """Keep the installation under its workspace's board (a reinstall replaces the tokens); refused,
        with nothing stored, for a workspace no board names."""
        lookup = install.workspace
        board = self.boards.for_workspace(lookup)
        if board is None:
            log.warning("slack install refused: workspace %s is not any board's [slack] team_id", lookup)
            raise UnknownWorkspace(
                f"Slack workspace {lookup} is not set up for any board here: its board's config needs "
                f'[slack] team_id = "{lookup}"'
            )
        enterprise, team = _workspace(install.enterprise_id, install.team_id, install.is_enterprise_install)
        now = self.clock()
        with self.sessions.begin() as s:
            row = s.scalars(
                select(SlackInstallationRow)
                .where(SlackInstallationRow.enterprise_id == enterprise, SlackInstallationRow.team_id == team)
                .with_for_update()
            ).one_or_none()
            action = "slack.reinstalled" if row is not None else "slack.installed"
            if row is None:  # its id, bound into each token's associated data, is known before the insert
                row = SlackInstallationRow(id=new_id(), enterprise_id=enterprise, team_id=team)
                s.add(row)
            row.board_id = board.board_id
            row.is_enterprise_install = install.is_enterprise_install
            for name in _PLAIN:
                setattr(row, name, getattr(install, name))
            row.installed_at = now
            row.bot_token_expires_at = install.bot_token_expires_at
            row.user_token_expires_at = install.user_token_expires_at
            for name in _SEALED:
                self._seal(board, row, name, getattr(install, name))
            board.audit.append(
                s,
                at=now,
                actor=f"slack:{row.installed_by}" if row.installed_by else "slack",
                action=action,
                detail={"team_id": lookup, "app_id": row.app_id, "bot_scopes": row.bot_scopes},
            )

    def save_bot_token(
        self, install: WorkspaceInstall, token: str, refresh_token: str | None, expires_at: datetime | None
    ) -> None:
        """A bot token refreshed by token rotation: the workspace's row takes the new token (audited, without
        it)."""
        enterprise, team = _workspace(install.enterprise_id, install.team_id, install.is_enterprise_install)
        with self.sessions.begin() as s:
            row = self._row(s, enterprise, team, for_update=True)
            board = self.boards.by_id(row.board_id) if row is not None else None
            if row is None or board is None:
                return
            self._seal(board, row, "bot_token", token)
            self._seal(board, row, "bot_refresh_token", refresh_token)
            row.bot_token_expires_at = expires_at
            self._audit(s, row, "slack.token_refreshed", "token rotation")

    def renew_bot_token(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None,
        renew: Callable[[WorkspaceInstall], WorkspaceInstall | None],
    ) -> WorkspaceInstall | None:
        """The workspace's installation, its bot token first renewed by `renew` (None: no need, as it stands)
        while the row is locked: two processes never spend one refresh token, the second one in finds the
        first's new token. A failure in `renew` leaves the row as it was and is raised."""
        enterprise, team = _workspace(enterprise_id, team_id, is_enterprise_install)
        with self.sessions.begin() as s:
            row = self._row(s, enterprise, team, for_update=True)
            if row is None:
                return None
            renewed = renew(self._install(row))
            if renewed is None:
                return self._install(row)
            board = self.boards.by_id(row.board_id)
            assert board is not None  # _row checked it
            self._seal(board, row, "bot_token", renewed.bot_token)
            self._seal(board, row, "bot_refresh_token", renewed.bot_refresh_token)
            row.bot_token_expires_at = renewed.bot_token_expires_at
            self._audit(s, row, "slack.token_refreshed", "token rotation")
            return renewed

    @staticmethod
    def _seal(board: InstallBoard, row: SlackInstallationRow, name: str, value: str | None) -> None:
        column = f"{name}_enc"
        sealed = None if not value else seal_text(board.cipher, value, table=TABLE, column=column, row_id=row.id)
        setattr(row, column, sealed)

    # --- finding -------------------------------------------------------------------------------------

    def _row(self, s: Session, enterprise: str, team: str, *, for_update: bool = False) -> SlackInstallationRow | None:
        query = select(SlackInstallationRow).where(
            SlackInstallationRow.enterprise_id == enterprise, SlackInstallationRow.team_id == team
        )
        row = s.scalars(query.with_for_update() if for_update else query).one_or_none()
        # Another board's installation is not this store's to use.
        return row if row is not None and self.boards.by_id(row.board_id) is not None else None

    def find(
        self, *, enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None = False
    ) -> WorkspaceInstall | None:
        """The workspace's installation, tokens opened; None when there is none among this store's boards."""
        enterprise, team = _workspace(enterprise_id, team_id, is_enterprise_install)
        with self.sessions() as s:
            row = self._row(s, enterprise, team)
            if row is None:
                return None
            return self._install(row)

    def _install(self, row: SlackInstallationRow) -> WorkspaceInstall:
        board = self.boards.by_id(row.board_id)
        assert board is not None  # only rows of this store's boards are read
        values: dict[str, Any] = {name: getattr(row, name) for name in _PLAIN}
        for name in _SEALED:
            token = getattr(row, f"{name}_enc")
            values[name] = None if token is None else self._open(board, row, name, token)
        return WorkspaceInstall(
            team_id=row.team_id,
            enterprise_id=row.enterprise_id,
            is_enterprise_install=row.is_enterprise_install,
            bot_token_expires_at=row.bot_token_expires_at,
            user_token_expires_at=row.user_token_expires_at,
            installed_at=row.installed_at,
            **values,
        )

    @staticmethod
    def _open(board: InstallBoard, row: SlackInstallationRow, name: str, token: bytes) -> str:
        return open_text(board.cipher, token, table=TABLE, column=f"{name}_enc", row_id=row.id)

    def installation_of(self, board_id: str) -> WorkspaceInstall | None:
        """The board's installation (a board has one workspace), tokens opened, for work outside a request."""
        if self.boards.by_id(board_id) is None:
            return None
        with self.sessions() as s:
            row = s.scalars(
                select(SlackInstallationRow)
                .where(SlackInstallationRow.board_id == board_id)
                .order_by(SlackInstallationRow.installed_at.desc())
                .limit(1)
            ).one_or_none()
            return None if row is None else self._install(row)

    def bot_token_of(self, board_id: str) -> str | None:
        """The bot token of the board's installation, as stored (bot/slack/installs.py refreshes it)."""
        install = self.installation_of(board_id)
        return None if install is None else install.bot_token

    def installed_boards(self) -> set[str]:
        """The boards (of those this store serves) that have an installation."""
        with self.sessions() as s:
            ids = s.scalars(
                select(SlackInstallationRow.board_id).where(SlackInstallationRow.board_id.in_(self.boards.board_ids))
            )
            return set(ids)

    # --- deleting ------------------------------------------------------------------------------------

    def delete(self, *, enterprise_id: str | None, team_id: str | None, reason: str) -> None:
        """The workspace's installation, gone (app uninstalled, bot token revoked), audited with `reason`."""
        # An org-wide install's events carry the enterprise id and a team: try the workspace, then the org.
        for enterprise, team in {_workspace(enterprise_id, team_id, False), _workspace(enterprise_id, team_id, True)}:
            with self.sessions.begin() as s:
                row = self._row(s, enterprise, team)
                if row is None:
                    continue
                self._audit(s, row, "slack.uninstalled", reason)
                s.execute(delete(SlackInstallationRow).where(SlackInstallationRow.id == row.id))

    def revoke_user_token(self, *, enterprise_id: str | None, team_id: str | None, user_id: str) -> None:
        """That person's user token, if it is the one kept; the bot stays installed."""
        enterprise, team = _workspace(enterprise_id, team_id, False)
        with self.sessions.begin() as s:
            row = self._row(s, enterprise, team)
            if row is None or row.installed_by != user_id or row.user_token_enc is None:
                return
            row.user_token_enc = row.user_refresh_token_enc = None
            row.user_token_expires_at = None
            self._audit(s, row, "slack.user_token_revoked", "user token revoked")

    def _audit(self, s: Session, row: SlackInstallationRow, action: str, reason: str) -> None:
        board = self.boards.by_id(row.board_id)
        assert board is not None  # _row only returns rows of boards this store serves
        board.audit.append(
            s,
            at=self.clock(),
            actor="slack",
            action=action,
            detail={"team_id": row.team_id or row.enterprise_id, "app_id": row.app_id, "reason": reason},
        )
