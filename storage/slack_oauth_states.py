"""The install flow's state values (for slack_sdk's `OAuthStateStore`, adapted in
bot/slack/installation_store.py), in the database so that any of the service's processes can take back a state
another one issued.

A state is a random nonce with an expiry, taken back at most once: not personal data, and useless on its
own (bolt also checks it against the browser's cookie), so it is kept in the clear."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session, sessionmaker

from storage.db import rowcount
from storage.tables import SlackOAuthStateRow

STATE_LIFETIME = timedelta(minutes=10)  # from the install page to Slack's redirect back


class SlackOAuthStates:
    def __init__(
        self, sessions: sessionmaker[Session], clock: Callable[[], datetime], lifetime: timedelta = STATE_LIFETIME
    ) -> None:
        self.sessions = sessions
        self.clock = clock
        self.lifetime = lifetime

    def issue(self) -> str:
        state = secrets.token_urlsafe(32)
        now = self.clock()
        with self.sessions.begin() as s:
            s.execute(delete(SlackOAuthStateRow).where(SlackOAuthStateRow.expires_at <= now))
            s.add(SlackOAuthStateRow(state=state, expires_at=now + self.lifetime))
        return state

    def consume(self, state: str) -> bool:
        """True once for a state this service issued and that has not expired; False ever after."""
        if not state:
            return False
        with self.sessions.begin() as s:
            taken = s.execute(
                delete(SlackOAuthStateRow).where(
                    SlackOAuthStateRow.state == state, SlackOAuthStateRow.expires_at > self.clock()
                )
            )
            return rowcount(taken) == 1
