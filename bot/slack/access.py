"""Who may do what from Slack: configured members (board config) and, if configured, everyone in the business
unit's user group. Refusals are polite, name no personal data, and are audited."""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import chat_texts
from bot.clock import Clock
from cases.actor import Actor, Role
from storage.store import Store

log = logging.getLogger("scrbot.slack")

REFUSAL = chat_texts.REFUSAL


class SlackAccess:
    def __init__(self, store: Store, client: WebClient, clock: Clock, *, cache_for: timedelta = timedelta(minutes=5)):
        self.store = store
        self.client = client
        self.clock = clock
        self.cache_for = cache_for
        self._members: frozenset[str] = frozenset()
        self._fetched_at: datetime | None = None
        self._lock = threading.Lock()

    def _usergroup_members(self) -> frozenset[str]:
        usergroup = self.store.board.slack.business_unit_usergroup
        if not usergroup:
            return frozenset()
        now = self.clock.now()
        with self._lock:
            if self._fetched_at is not None and now - self._fetched_at < self.cache_for:
                return self._members
            try:
                users = self.client.usergroups_users_list(usergroup=usergroup).get("users") or []
                self._members = frozenset(str(u) for u in users)
            except SlackApiError as exc:  # keep the last known members rather than lock everyone out
                log.warning("could not read the business unit user group: %s", exc.response.get("error"))
            self._fetched_at = now
            return self._members

    def actor(self, user_id: str) -> Actor:
        actor = self.store.board.slack_actor(user_id)
        if Role.BUSINESS_UNIT not in actor.roles and user_id in self._usergroup_members():
            return Actor(actor.id, actor.roles | {Role.BUSINESS_UNIT})
        return actor

    def record_refusal(self, actor: Actor, action: str, reference: str = "") -> None:
        """Audit an unauthorised press (what was tried, never personal data)."""
        self.store.cases.record_refusal(reference, actor=actor, now=self.clock.now(), attempted=f"slack.{action}")
        log.info("refused %s to %s on %s", action, actor.id, reference or "-")
