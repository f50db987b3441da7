"""Install mode end to end (issue 15 §1): the real bolt OAuth flow over HTTP on 127.0.0.1 against the fake
Slack. A browser starts at /slack/install, Slack sends it back to /slack/oauth_redirect with a code, the
install lands under the board whose `[slack] team_id` is the workspace, sealed; that workspace's requests are
then answered with its own token; an unknown workspace is refused with nothing kept; a reinstall rotates the
token; an uninstall deletes it. Board A's App never acts with board B's token."""

from __future__ import annotations

import http.client
import logging
import re
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from pydantic import SecretStr
from sqlalchemy import select

from bot.clock import FixedClock
from bot.settings import Settings
from bot.slack.installs import NOT_INSTALLED, deployment_flow, manifest_scopes
from cases.board import BoardConfig, SlackSettings
from cases.packs import bundled_pack
from storage.keyring import BoardKeys
from storage.store import Store, open_store
from storage.tables import SlackInstallationRow
from tests.bot.slack.conftest import BU_CHANNEL, REFERRER_USER, USERGROUP
from tests.factories import make_board
from tests.support.fake_slack import BOT_USER, FakeSlack
from tests.support.slack_bot import SIGNING_SECRET, SlackBot
from tests.support.slack_requests import SlackRequests

TEAM_A, TEAM_B, TEAM_UNKNOWN = "T0BOARDA01", "T0BOARDB01", "T0NOBODY01"
REDIRECT = "https://scrbot.board.invalid/slack/oauth_redirect"


@pytest.fixture
def board() -> BoardConfig:
    slack = SlackSettings(business_unit_channel=BU_CHANNEL, business_unit_usergroup=USERGROUP, team_id=TEAM_A)
    return make_board(slack=slack)


@pytest.fixture
def other(store: Store) -> Store:
    board_b = make_board(id="otherton", slack=SlackSettings(team_id=TEAM_B))
    store.ring.boards[board_b.id] = BoardKeys.generate()
    return open_store(store.engine, board_b, store.ring, bundled_pack(board_b.rules_pack))


def install_settings(fake: FakeSlack, **more: Any) -> Settings:
    """Settings for the install flow (HTTP mode, the app's OAuth client) against the fake Slack."""
    return Settings(
        slack_client_id="1234.5678",
        slack_client_secret=SecretStr("SYNTHETIC-CLIENT-SECRET"),
        slack_signing_secret=SIGNING_SECRET,
        slack_redirect_url=REDIRECT,
        slack_api_url=fake.base_url,
        **more,
    )


@pytest.fixture
def settings(fake: FakeSlack) -> Settings:
    return install_settings(fake)


@pytest.fixture
def bot(store: Store, other: Store, clock: FixedClock, fake: FakeSlack, settings: Settings) -> Iterator[SlackBot]:
    """Board A's App (authorized from board A's installation only), behind a server whose install flow serves
    the whole deployment (boards A and B), as a deployment with one App per board runs."""
    flow = deployment_flow(settings, [store, other], clock)
    with SlackBot(store, clock, fake, settings=settings, oauth_flow=flow, team=TEAM_A) as running:
        yield running


def get(bot: SlackBot, path: str, cookie: str = "") -> tuple[int, http.client.HTTPMessage, str]:
    host, port = bot.server.server_address[:2]
    connection = http.client.HTTPConnection(str(host), port, timeout=20)
    try:
        connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = connection.getresponse()
        return response.status, response.headers, response.read().decode()
    finally:
        connection.close()


def asked_of(page: str) -> dict[str, list[str]]:
    """What the install page's "Add to Slack" link asks Slack for."""
    found = re.search(r'href="(https://slack\.com/oauth/v2/authorize[^"]*)"', page)
    assert found, page
    return parse_qs(urlsplit(unescape(found.group(1))).query)


def install(bot: SlackBot, fake: FakeSlack, team: str, user: str = "UINSTALL01", **grant: Any) -> tuple[int, str]:
    """A person installs the app into `team`: the install page, Slack's consent (the fake's code), the redirect.
    `grant`: FakeSlack.install_code's (an Enterprise Grid org, a rotating token's lifetime)."""
    status, headers, page = get(bot, "/slack/install")
    assert status == 200
    asked = asked_of(page)
    assert asked["client_id"] == ["1234.5678"] and asked["redirect_uri"] == [REDIRECT]
    assert asked["scope"] == [",".join(manifest_scopes())]
    cookie = headers["set-cookie"].split(";")[0]
    code = fake.install_code(team, user, **grant)
    status, _, page = get(bot, f"/slack/oauth_redirect?code={code}&state={asked['state'][0]}", cookie)
    return status, page


def stored(store: Store) -> list[SlackInstallationRow]:
    with store.sessions() as s:
        return list(s.scalars(select(SlackInstallationRow)).all())


def raw_bytes(store: Store, tmp_path: Path) -> bytes:
    """What the database holds: the SQLite files byte for byte, or every installation column on PostgreSQL."""
    if store.engine.dialect.name == "sqlite":
        return b"".join(p.read_bytes() for p in tmp_path.glob("scrbot.db*"))
    with store.engine.connect() as c:
        rows = c.execute(select(SlackInstallationRow.__table__)).all()
    return repr([tuple(row) for row in rows]).encode()


def home_opened(requests: SlackRequests) -> Any:
    event = {"type": "app_home_opened", "user": REFERRER_USER, "channel": "DREF000001", "tab": "home"}
    return requests.event(event)


def audit_actions(store: Store) -> list[str]:
    with store.sessions() as s:
        return [e.action for e in store.audit.entries(s) if e.action.startswith("slack.")]


def test_an_install_lands_under_its_board_sealed_and_its_requests_use_its_token(
    bot: SlackBot, fake: FakeSlack, store: Store, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    status, page = install(bot, fake, TEAM_A)
    assert status == 200 and "SCR Bot is installed" in page
    [token] = fake.issued_tokens(TEAM_A)
    [row] = stored(store)
    assert (row.board_id, row.team_id, row.installed_by) == (store.board.id, TEAM_A, "UINSTALL01")
    assert row.bot_user_id == BOT_USER and row.bot_scopes == ",".join(manifest_scopes())
    assert token.encode() not in raw_bytes(store, tmp_path)
    assert audit_actions(store) == ["slack.installed"]

    status, _ = bot.requests.post(home_opened(bot.requests))
    assert status == 200
    [publish] = fake.wait_count("views.publish", 1)
    assert publish.token == token
    assert all(c.token == token for c in fake.calls("auth.test"))
    assert token not in caplog.text and "SYNTHETIC-CLIENT-SECRET" not in caplog.text


def test_work_outside_a_request_uses_the_boards_installation(bot: SlackBot, fake: FakeSlack) -> None:
    install(bot, fake, TEAM_A)
    [token] = fake.issued_tokens(TEAM_A)
    bot.client.chat_postMessage(channel=BU_CHANNEL, text="A notice")  # as the dispatcher sends one
    assert fake.calls("chat.postMessage")[-1].token == token


def test_an_install_from_a_workspace_no_board_names_is_refused(
    bot: SlackBot, fake: FakeSlack, store: Store, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    status, page = install(bot, fake, TEAM_UNKNOWN)
    assert status == 403
    assert "This workspace is not set up here" in page and f"team_id = &quot;{TEAM_UNKNOWN}&quot;" in page
    assert stored(store) == []
    [token] = fake.issued_tokens(TEAM_UNKNOWN)
    assert [c.token for c in fake.calls("auth.revoke")] == [token]  # nothing left working in that workspace
    assert token.encode() not in raw_bytes(store, tmp_path) and token not in caplog.text
    assert f"workspace {TEAM_UNKNOWN} is not any board's" in caplog.text


def test_a_forged_or_replayed_state_is_refused(bot: SlackBot, fake: FakeSlack, store: Store) -> None:
    _status, headers, page = get(bot, "/slack/install")
    state = asked_of(page)["state"][0]
    cookie = headers["set-cookie"].split(";")[0]
    forged, _, _ = get(bot, f"/slack/oauth_redirect?code={fake.install_code(TEAM_A)}&state=forged", "x=y")
    assert forged == 400
    ok, _, _ = get(bot, f"/slack/oauth_redirect?code={fake.install_code(TEAM_A)}&state={state}", cookie)
    again, _, _ = get(bot, f"/slack/oauth_redirect?code={fake.install_code(TEAM_A)}&state={state}", cookie)
    assert (ok, again) == (200, 401)
    assert len(stored(store)) == 1 and len(fake.issued_tokens(TEAM_A)) == 1


def test_another_boards_workspace_is_not_answered_by_this_boards_app(
    bot: SlackBot, fake: FakeSlack, store: Store, other: Store
) -> None:
    install(bot, fake, TEAM_B)  # the deployment's flow keeps it, under board B
    assert [r.board_id for r in stored(store)] == [other.board.id]
    fake.clear()  # the install's own calls (its token's auth.test) are not what is looked at
    from_b = SlackRequests(SIGNING_SECRET, bot.server.url, team=TEAM_B)
    status, body = from_b.post(home_opened(from_b))
    from_b.close()
    assert (status, body) == (200, NOT_INSTALLED)
    assert fake.calls() == []  # B's token was not used, nor any other


def test_a_reinstall_rotates_the_token(bot: SlackBot, fake: FakeSlack, store: Store) -> None:
    install(bot, fake, TEAM_A)
    bot.requests.post(home_opened(bot.requests))
    fake.wait_count("views.publish", 1)
    install(bot, fake, TEAM_A, user="UINSTALL02")
    first, second = fake.issued_tokens(TEAM_A)
    [row] = stored(store)
    assert row.installed_by == "UINSTALL02"
    bot.requests.post(home_opened(bot.requests))
    assert [c.token for c in fake.wait_count("views.publish", 2)] == [first, second]
    assert audit_actions(store) == ["slack.installed", "slack.reinstalled"]


@pytest.mark.parametrize(
    "event",
    [
        {"type": "app_uninstalled"},
        {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": [BOT_USER]}},
    ],
)
def test_an_uninstall_deletes_the_installation(
    event: dict[str, Any], bot: SlackBot, fake: FakeSlack, store: Store
) -> None:
    install(bot, fake, TEAM_A)
    status, _ = bot.requests.post(bot.requests.event(event))
    assert status == 200
    assert stored(store) == []
    assert audit_actions(store) == ["slack.installed", "slack.uninstalled"]
    status, body = bot.requests.post(home_opened(bot.requests))
    assert (status, body) == (200, NOT_INSTALLED)
    assert fake.calls("views.publish") == []


def test_with_one_bot_token_there_are_no_install_pages(store: Store, clock: FixedClock, fake: FakeSlack) -> None:
    with SlackBot(store, clock, fake) as one_workspace:
        assert get(one_workspace, "/slack/install")[0] == 404
        assert get(one_workspace, "/slack/oauth_redirect?code=x&state=y")[0] == 404
