"""Slack installations (one per board's workspace, from the OAuth install flow) and the install flow's
one-time state values.

An installation's tokens are sealed with the board's keys like personal data (a bot token reads and writes
everything the bot can in the workspace); the ids beside them (team, app, bot user, scopes) are not secret
and stay readable so requests can be matched to their installation without opening anything."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.tables.base import Base, encrypted, new_id
from storage.tables.cases import ID


class SlackInstallationRow(Base):
    """The latest installation of the app in one workspace (a reinstall replaces it). `enterprise_id` is ""
    outside Enterprise Grid; an org-wide install has `team_id` "" and `is_enterprise_install`."""

    __tablename__ = "slack_installations"
    __table_args__ = (UniqueConstraint("enterprise_id", "team_id"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    board_id: Mapped[str] = mapped_column(String(64), index=True)
    team_id: Mapped[str] = mapped_column(String(32))
    enterprise_id: Mapped[str] = mapped_column(String(32))
    is_enterprise_install: Mapped[bool]
    app_id: Mapped[str] = mapped_column(String(32))
    bot_id: Mapped[str] = mapped_column(String(32))
    bot_user_id: Mapped[str] = mapped_column(String(32))
    bot_scopes: Mapped[str] = mapped_column(String(2000))
    installed_by: Mapped[str] = mapped_column(String(32))  # the installing person's Slack user id
    user_scopes: Mapped[str] = mapped_column(String(2000))
    installed_at: Mapped[datetime]
    bot_token_enc: Mapped[bytes | None] = encrypted()
    bot_refresh_token_enc: Mapped[bytes | None] = encrypted()
    bot_token_expires_at: Mapped[datetime | None]
    user_token_enc: Mapped[bytes | None] = encrypted()
    user_refresh_token_enc: Mapped[bytes | None] = encrypted()
    user_token_expires_at: Mapped[datetime | None]


class SlackOAuthStateRow(Base):
    """A state value handed to a browser starting an install, taken back once at the redirect. A random
    nonce with an expiry: not personal data and not a credential on its own (bolt also checks it against
    the browser's cookie), so it is kept in the clear."""

    __tablename__ = "slack_oauth_states"

    state: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(index=True)
