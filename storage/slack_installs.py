"""Where the app's installations live: slack_sdk's `InstallationStore` over the `slack_installations` table,
for bolt's OAuth flow (which saves) and its authorize step (which finds the token for each request).

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
from datetime import UTC, datetime
from typing import Any

from slack_sdk.oauth.installation_store import Bot, Installation, InstallationStore
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


def _moment(epoch: int | None) -> datetime | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, UTC)


def _epoch(moment: datetime | None) -> int | None:
    return None if moment is None else int(moment.timestamp())


class SlackInstallations(InstallationStore):
    """The installation store bolt uses (save, find_installation, find_bot, delete_*)."""

    def __init__(self, sessions: sessionmaker[Session], boards: InstallBoards, clock: Callable[[], datetime]) -> None:
        self.sessions = sessions
        self.boards = boards
        self.clock = clock

    @property
    def logger(self) -> logging.Logger:
        return log

    # --- saving --------------------------------------------------------------------------------------

    def save(self, installation: Installation) -> None:
        """Keep the installation under its workspace's board (a reinstall replaces the tokens); refused,
        with nothing stored, for a workspace no board names."""
        lookup = installation.enterprise_id if installation.is_enterprise_install else installation.team_id
        board = self.boards.for_workspace(lookup)
        if board is None:
            log.warning("slack install refused: workspace %s is not any board's [slack] team_id", lookup)
            raise UnknownWorkspace(
                f"Slack workspace {lookup} is not set up for any board here: its board's config needs "
                f'[slack] team_id = "{lookup}"'
            )
        enterprise, team = _workspace(
            installation.enterprise_id, installation.team_id, installation.is_enterprise_install
        )
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
            row.is_enterprise_install = bool(installation.is_enterprise_install)
            row.app_id = installation.app_id or ""
            row.bot_id = installation.bot_id or ""
            row.bot_user_id = installation.bot_user_id or ""
            row.bot_scopes = ",".join(installation.bot_scopes or [])
            row.installed_by = installation.user_id or ""
            row.user_scopes = ",".join(installation.user_scopes or [])
            row.installed_at = now
            row.bot_token_expires_at = _moment(installation.bot_token_expires_at)
            row.user_token_expires_at = _moment(installation.user_token_expires_at)
            for name in _SEALED:
                self._seal(board, row, name, getattr(installation, name))
            board.audit.append(
                s,
                at=now,
                actor=f"slack:{row.installed_by}" if row.installed_by else "slack",
                action=action,
                detail={"team_id": lookup, "app_id": row.app_id, "bot_scopes": row.bot_scopes},
            )

    def save_bot(self, bot: Bot) -> None:
        """A bot token refreshed by token rotation: the workspace's row takes the new token."""
        enterprise, team = _workspace(bot.enterprise_id, bot.team_id, bot.is_enterprise_install)
        with self.sessions.begin() as s:
            row = self._row(s, enterprise, team)
            board = self.boards.by_id(row.board_id) if row is not None else None
            if row is None or board is None:
                return
            self._seal(board, row, "bot_token", bot.bot_token)
            self._seal(board, row, "bot_refresh_token", bot.bot_refresh_token)
            row.bot_token_expires_at = _moment(bot.bot_token_expires_at)

    @staticmethod
    def _seal(board: InstallBoard, row: SlackInstallationRow, name: str, value: str | None) -> None:
        column = f"{name}_enc"
        sealed = None if not value else seal_text(board.cipher, value, table=TABLE, column=column, row_id=row.id)
        setattr(row, column, sealed)

    # --- finding -------------------------------------------------------------------------------------

    def _row(self, s: Session, enterprise: str, team: str) -> SlackInstallationRow | None:
        row = s.scalars(
            select(SlackInstallationRow).where(
                SlackInstallationRow.enterprise_id == enterprise, SlackInstallationRow.team_id == team
            )
        ).one_or_none()
        # Another board's installation is not this store's to use.
        return row if row is not None and self.boards.by_id(row.board_id) is not None else None

    def _opened(
        self, enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None
    ) -> dict[str, Any] | None:
        enterprise, team = _workspace(enterprise_id, team_id, is_enterprise_install)
        with self.sessions() as s:
            row = self._row(s, enterprise, team)
            if row is None:
                return None
            board = self.boards.by_id(row.board_id)
            assert board is not None  # _row checked it
            values: dict[str, Any] = {
                "app_id": row.app_id or None,
                "enterprise_id": row.enterprise_id or None,
                "team_id": row.team_id or None,
                "bot_id": row.bot_id or None,
                "bot_user_id": row.bot_user_id or None,
                "bot_scopes": row.bot_scopes,
                "bot_token_expires_at": _epoch(row.bot_token_expires_at),
                "is_enterprise_install": row.is_enterprise_install,
                "installed_at": row.installed_at.timestamp(),
                "user_id": row.installed_by,
                "user_scopes": row.user_scopes,
                "user_token_expires_at": _epoch(row.user_token_expires_at),
            }
            for name in _SEALED:
                column = f"{name}_enc"
                token = getattr(row, column)
                values[name] = (
                    None if token is None else open_text(board.cipher, token, table=TABLE, column=column, row_id=row.id)
                )
        return values

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
        values = self._opened(enterprise_id, team_id, is_enterprise_install)
        if values is None or (user_id is not None and values["user_id"] != user_id):
            return None
        return Installation(**values)

    def find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        values = self._opened(enterprise_id, team_id, is_enterprise_install)
        if values is None or not values["bot_token"]:
            return None
        keep = ("app_id", "enterprise_id", "team_id", "bot_token", "bot_id", "bot_user_id", "bot_scopes")
        return Bot(
            **{k: values[k] for k in keep},
            bot_refresh_token=values["bot_refresh_token"],
            bot_token_expires_at=values["bot_token_expires_at"],
            is_enterprise_install=values["is_enterprise_install"],
            installed_at=values["installed_at"],
        )

    def bot_token_of(self, board_id: str) -> str | None:
        """The bot token of the board's installation (a board has one workspace), for work outside a request."""
        board = self.boards.by_id(board_id)
        if board is None:
            return None
        with self.sessions() as s:
            row = s.scalars(
                select(SlackInstallationRow)
                .where(SlackInstallationRow.board_id == board_id)
                .order_by(SlackInstallationRow.installed_at.desc())
                .limit(1)
            ).one_or_none()
            if row is None or row.bot_token_enc is None:
                return None
            return open_text(board.cipher, row.bot_token_enc, table=TABLE, column="bot_token_enc", row_id=row.id)

    def installed_boards(self) -> set[str]:
        """The boards (of those this store serves) that have an installation."""
        with self.sessions() as s:
            ids = s.scalars(
                select(SlackInstallationRow.board_id).where(SlackInstallationRow.board_id.in_(self.boards.board_ids))
            )
            return set(ids)

    # --- deleting ------------------------------------------------------------------------------------

    def delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        """The bot token was revoked: the installation is no use any more."""
        self._delete(enterprise_id, team_id, "bot token revoked")

    def delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        """Without `user_id`: the whole installation. With one: that person's user token, if it is kept."""
        if user_id is None:
            self._delete(enterprise_id, team_id, "installation deleted")
            return
        enterprise, team = _workspace(enterprise_id, team_id, False)
        with self.sessions.begin() as s:
            row = self._row(s, enterprise, team)
            if row is None or row.installed_by != user_id or row.user_token_enc is None:
                return
            row.user_token_enc = row.user_refresh_token_enc = None
            row.user_token_expires_at = None
            self._audit(s, row, "slack.user_token_revoked", "user token revoked")

    def delete_all(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        self._delete(enterprise_id, team_id, "app uninstalled")

    def _delete(self, enterprise_id: str | None, team_id: str | None, reason: str) -> None:
        # An org-wide install's events carry the enterprise id and a team: try the workspace, then the org.
        for enterprise, team in {_workspace(enterprise_id, team_id, False), _workspace(enterprise_id, team_id, True)}:
            with self.sessions.begin() as s:
                row = self._row(s, enterprise, team)
                if row is None:
                    continue
                self._audit(s, row, "slack.uninstalled", reason)
                s.execute(delete(SlackInstallationRow).where(SlackInstallationRow.id == row.id))

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
