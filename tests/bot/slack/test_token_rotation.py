# ruff: noqa: F811  (the install tests' fixtures, imported, are the tests' arguments)
"""Token rotation (issue 15 §1): an install with a rotating token (a refresh token and `expires_in`) is
refreshed before use when it is about to expire, through the real bolt authorize step (and the board's client
for work outside a request) against the fake Slack's `oauth.v2.access` (`grant_type=refresh_token`). The new
token is kept sealed and used from then on, never the old; a refresh that fails is logged clearly, without
tokens, and the request is refused rather than served with the expired token.

slack_sdk's TokenRotator reads the real time to judge expiry, so lifetimes are given relative to now
(`expires_in`) rather than by moving a clock."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import Connection, select, text

from bot.slack.installs import NOT_INSTALLED, REFRESH_BEFORE_MINUTES
from storage.store import Store
from storage.tables import SlackInstallationRow
from tests.bot.slack.conftest import BU_CHANNEL
from tests.bot.slack.test_installs import (  # noqa: F401  (fixtures: board, bot, other, settings)
    TEAM_A,
    audit_actions,
    board,
    bot,
    home_opened,
    install,
    other,
    raw_bytes,
    settings,
)
from tests.support.fake_slack import REFRESHED_LIFETIME, FakeSlack
from tests.support.slack_bot import SlackBot

SOON = 60  # seconds left: inside the refresh margin
LATER = REFRESH_BEFORE_MINUTES * 60 + 3_600  # an hour past the margin


def refresh_tokens(store: Store) -> list[bytes | None]:
    with store.sessions() as s:
        return list(s.scalars(select(SlackInstallationRow.bot_refresh_token_enc)).all())


def test_a_token_with_time_left_is_used_as_it_is(bot: SlackBot, fake: FakeSlack) -> None:
    install(bot, fake, TEAM_A, expires_in=LATER)
    [token] = fake.issued_tokens(TEAM_A)
    bot.requests.post(home_opened(bot.requests))
    [publish] = fake.wait_count("views.publish", 1)
    assert publish.token == token and fake.refreshes() == []


def test_a_token_about_to_expire_is_refreshed_kept_sealed_and_the_old_one_never_used_again(
    bot: SlackBot, fake: FakeSlack, store: Store, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)  # (slack_sdk's own DEBUG lines print whole answers: never on in service)
    install(bot, fake, TEAM_A, expires_in=SOON)
    [old] = fake.issued_tokens(TEAM_A)
    assert refresh_tokens(store) != [None]  # the refresh token is kept (sealed)
    fake.clear()
    assert bot.requests.post(home_opened(bot.requests))[0] == 200
    [publish] = fake.wait_count("views.publish", 1)
    [refresh] = fake.refreshes()
    assert refresh.params["refresh_token"].startswith("xoxe-")  # the install's refresh token, spent
    old_, new = fake.issued_tokens(TEAM_A)
    assert old_ == old and publish.token == new
    bot.requests.post(home_opened(bot.requests))  # the refreshed token lasts: no second refresh
    assert [p.token for p in fake.wait_count("views.publish", 2)] == [new, new]
    assert len(fake.refreshes()) == 1
    assert all(c.token != old for c in fake.calls() if c.method != "oauth.v2.access")
    bot.client.chat_postMessage(channel=BU_CHANNEL, text="A notice")  # outside a request: the new one too
    assert fake.calls("chat.postMessage")[-1].token == new
    raw = raw_bytes(store, tmp_path)
    assert old.encode() not in raw and new.encode() not in raw
    assert refresh.params["refresh_token"].encode() not in raw and b"xoxe-" not in raw
    assert audit_actions(store) == ["slack.installed", "slack.token_refreshed"]
    with store.sessions() as s:
        [row] = s.scalars(select(SlackInstallationRow)).all()
    assert row.bot_token_expires_at is not None
    assert old not in caplog.text and new not in caplog.text and "xoxe-" not in caplog.text


def test_work_outside_a_request_refreshes_the_token_first(bot: SlackBot, fake: FakeSlack, store: Store) -> None:
    install(bot, fake, TEAM_A, expires_in=SOON)
    bot.client.chat_postMessage(channel=BU_CHANNEL, text="A notice")  # as the dispatcher sends one
    bot.client.chat_postMessage(channel=BU_CHANNEL, text="Another")
    old, new = fake.issued_tokens(TEAM_A)
    assert [c.token for c in fake.calls("chat.postMessage")] == [new, new] and old != new
    assert len(fake.refreshes()) == 1
    assert audit_actions(store) == ["slack.installed", "slack.token_refreshed"]
    assert REFRESHED_LIFETIME > REFRESH_BEFORE_MINUTES * 60


def test_a_failed_refresh_is_logged_and_the_request_refused_not_served_with_the_expired_token(
    bot: SlackBot, fake: FakeSlack, store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    install(bot, fake, TEAM_A, expires_in=SOON)
    [old] = fake.issued_tokens(TEAM_A)
    fake.clear()
    fake.fail_next("oauth.v2.access", "invalid_refresh_token")
    status, body = bot.requests.post(home_opened(bot.requests))
    assert (status, body) == (200, NOT_INSTALLED)
    assert [c.method for c in fake.calls()] == ["oauth.v2.access"]  # nothing else, with no token
    assert f"slack token refresh failed for workspace {TEAM_A} (invalid_refresh_token)" in caplog.text
    for _ in range(4):  # the refresh token stays refused (the client reads its token more than once a call)
        fake.fail_next("oauth.v2.access", "invalid_refresh_token")
    bot.client.chat_postMessage(channel=BU_CHANNEL, text="A notice")  # outside a request: not the old token
    assert fake.calls("chat.postMessage")[-1].token == ""  # none, so Slack would answer not_authed
    assert caplog.text.count("slack token refresh failed") >= 2
    assert old not in caplog.text and "xoxe-" not in caplog.text and "SYNTHETIC-CLIENT-SECRET" not in caplog.text
    assert audit_actions(store) == ["slack.installed"]


# PostgreSQL only, where the row lock's wait is seen in pg_stat_activity (SQLite lets one writer in at a time
# by design): parametrized to that backend alone rather than skipped on the other, as CI fails on any skip.
@pytest.mark.parametrize("backend", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)
def test_two_processes_renewing_at_once_spend_the_refresh_token_once(
    bot: SlackBot, fake: FakeSlack, store: Store
) -> None:
    """The second one in waits on the installation's row while the first is at Slack, then finds the new
    token."""
    install(bot, fake, TEAM_A, expires_in=SOON)
    fake.hold("oauth.v2.access")
    tokens: list[str | None] = []
    threads = [threading.Thread(target=lambda: tokens.append(bot.client.token)) for _ in range(2)]
    for thread in threads:
        thread.start()
    fake.wait_held(1)  # the first is at Slack, its row locked
    deadline = time.monotonic() + 20
    with store.engine.connect() as c:  # the second waits for that lock (or, unlocked, is at Slack too)
        while time.monotonic() < deadline and not (fake.calls_held() == 2 or lock_waits(c) >= 1):
            pass
    fake.release()
    for thread in threads:
        thread.join(timeout=30)
    _, new = fake.issued_tokens(TEAM_A)
    assert tokens == [new, new]
    assert len(fake.refreshes()) == 1
    assert audit_actions(store) == ["slack.installed", "slack.token_refreshed"]


def lock_waits(c: Connection) -> int:
    query = "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
    return int(c.execute(text(query)).scalar_one())
