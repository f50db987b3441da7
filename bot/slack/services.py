"""What the Slack feature modules share: the store, the referral conversation, access checks, the sender
for notifications, the clock. Built once per app by `bot.slack.app`."""

from __future__ import annotations

from dataclasses import dataclass

from slack_sdk import WebClient

from bot.clock import Clock
from bot.slack.access import SlackAccess
from bot.slack.sender import ChatSender, WebClientSender
from intake.referrals import ReferralConversations
from storage.deliveries import DeliveryLog
from storage.drafts import DraftStore
from storage.store import Store


@dataclass
class SlackServices:
    store: Store
    referrals: ReferralConversations
    drafts: DraftStore
    deliveries: DeliveryLog
    access: SlackAccess
    sender: ChatSender
    clock: Clock

    @classmethod
    def build(
        cls,
        *,
        store: Store,
        drafts: DraftStore,
        deliveries: DeliveryLog,
        client: WebClient,
        clock: Clock,
        sender: ChatSender | None = None,
    ) -> SlackServices:
        return cls(
            store=store,
            referrals=ReferralConversations(store, drafts, channel="slack"),
            drafts=drafts,
            deliveries=deliveries,
            access=SlackAccess(store, client, clock),
            sender=sender or WebClientSender(client),
            clock=clock,
        )
