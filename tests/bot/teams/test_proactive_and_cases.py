"""Reminders and escalations reach people in Teams as proactive messages, from the address their last message
left (or a chat opened through the team); the cases card lists open cases for the business unit only; a
board in both Slack and Teams gets its channel notice in both."""

from __future__ import annotations

from pathlib import Path

from bot.chat_router import ChatFrontEnds
from bot.clock import FixedClock
from bot.slack.chat import SlackChat
from bot.teams import cards as c
from cases.board import TEAMS_CHANNEL_TARGET, TEAMS_USER_TARGET, SlackSettings
from notify.routing import Routing
from storage.store import Store
from tests.bot.teams.driver import card_text
from tests.factories import STAFF, make_referral
from tests.support.fake_slack import FakeSlack
from tests.support.fake_teams import CHANNEL_ID, FakeTeams
from tests.support.teams_bot import BU_MEMBER, CHAIR, REFERRER, TeamsHarness, teams_board


def test_escalations_go_to_members_by_their_teams_ids(store: Store) -> None:
    routing = Routing(store.board)
    assert routing.business_unit().chat == (TEAMS_CHANNEL_TARGET,)
    from notify.ladder import Audience

    assert routing.escalation(Audience.CHAIR).chat == (TEAMS_USER_TARGET + CHAIR,)


def test_a_direct_message_uses_the_persons_own_chat(store: Store, clock: FixedClock, fake: FakeTeams) -> None:
    with TeamsHarness(store, clock, fake) as bot:
        assert bot.post(bot.personal("help", user=CHAIR)) == 202  # the chair wrote to the bot once
        bot.drain()
        bot.runtime.chat.post(TEAMS_USER_TARGET + CHAIR, "Escalation: SCR-2026-0001 chair_decision is overdue")
    last = fake.state.posted()[-1]
    assert last.path == f"/v3/conversations/a:personal-{CHAIR}/activities"
    assert "chair_decision is overdue" in card_text(last)


def test_a_direct_message_opens_a_chat_through_the_team(store: Store, clock: FixedClock, fake: FakeTeams) -> None:
    with TeamsHarness(store, clock, fake) as bot:
        assert bot.post(bot.installed()) == 202
        bot.drain()
        bot.runtime.chat.post(TEAMS_USER_TARGET + BU_MEMBER, "Deadline reminders (1): SCR-2026-0001")
        bot.runtime.chat.post(TEAMS_USER_TARGET + BU_MEMBER, "Deadline reminders (2): SCR-2026-0001")
    created = [call for call in fake.state.calls if call.path == "/v3/conversations"]
    assert len(created) == 1  # the new chat is remembered
    assert created[0].body["members"] == [{"id": BU_MEMBER}]
    assert created[0].body["tenantId"] or created[0].body["channelData"]["tenant"]["id"]


def test_no_address_is_a_failed_send_kept_in_the_outbox(store: Store, clock: FixedClock, fake: FakeTeams) -> None:
    from notify.dispatch import SendError

    with TeamsHarness(store, clock, fake) as bot:
        try:
            bot.runtime.chat.post(TEAMS_CHANNEL_TARGET, "New referral SCR-2026-0001")
        except SendError as exc:
            assert "not been added" in str(exc)
        else:  # pragma: no cover
            raise AssertionError("sent without an address")


def test_the_cases_card_is_for_the_business_unit(store: Store, clock: FixedClock, fake: FakeTeams) -> None:
    store.cases.file_referral(make_referral(), actor=STAFF, now=clock.now())
    with TeamsHarness(store, clock, fake) as bot:
        bot.post(bot.personal("cases", user=BU_MEMBER))
        bot.post(bot.personal(value={"scr": c.CASES}, user=REFERRER))
        bot.drain()
    posted = fake.state.posted()
    [staff] = [card_text(p) for p in posted if BU_MEMBER in p.path]
    [referrer] = [card_text(p) for p in posted if REFERRER in p.path]
    assert "Open cases (1)" in staff and "**SCR-2026-0001**" in staff and "act by" in staff
    assert "**Figures 2026-27** (so far, to 22 Nov 2026)" in staff and "Referrals 1 · decisions 0" in staff
    assert "Figures 2026-27" not in referrer
    assert "Your referrals (0)" in referrer and "SCR-2026-0001" not in referrer


def test_a_board_in_both_front_ends_gets_the_notice_in_both(
    store: Store, clock: FixedClock, fake: FakeTeams, tmp_path: Path
) -> None:
    board = teams_board(front_ends=("slack", "teams"), slack=SlackSettings(business_unit_channel="C0BUSINESS1"))
    assert board.business_unit_chat() == ("C0BUSINESS1", TEAMS_CHANNEL_TARGET)
    from slack_sdk import WebClient

    with FakeSlack() as slack, TeamsHarness(store, clock, fake) as bot:
        bot.post(bot.installed())
        bot.drain()
        router = ChatFrontEnds(
            SlackChat(WebClient(token="xoxb-test", base_url=slack.base_url), board), bot.runtime.chat
        )
        for target in board.business_unit_chat():
            router.post(target, "New referral SCR-2026-0001")
        assert [call.channel for call in slack.channel_calls()] == ["C0BUSINESS1"]
    assert [p.path for p in fake.state.posted()] == [f"/v3/conversations/{CHANNEL_ID}/activities"]
