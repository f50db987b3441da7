"""Install mode with many boards on one deployment (issue 15 §1): one Slack app installed into each board's
workspace through the one server (the router in front of one App per board, the deployment's install flow),
each installation kept under its board, and each workspace answered with its own installation's token."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from sqlalchemy import select

from bot.clock import FixedClock
from bot.context import AppContext
from bot.deployment import Deployment
from bot.slack.server import serve_http
from storage.tables import SlackInstallationRow
from tests.bot.slack.test_board_walls import TEAM_A, TEAM_B, two_workspaces
from tests.bot.slack.test_installs import home_opened, install, install_settings
from tests.support.fake_slack import FakeSlack
from tests.support.slack_bot import SIGNING_SECRET
from tests.support.slack_requests import SlackRequests


def test_each_workspace_installs_under_its_board_and_is_answered_with_its_own_token(
    tmp_path: Path, clock: FixedClock, fake: FakeSlack
) -> None:
    folder = two_workspaces(tmp_path / "boards")
    settings = install_settings(fake, data_dir=tmp_path / "var", board_dir=folder)
    origin = AppContext(settings=settings, clock=clock)
    deployment = Deployment.of(origin)
    apps, services = deployment.slack_apps()
    server = serve_http(apps, "127.0.0.1", 0, oauth_flow=deployment.slack_install_flow())
    server.start_in_thread()
    try:
        running = SimpleNamespace(server=server)
        for team in (TEAM_A, TEAM_B):
            status, page = install(running, fake, team)  # type: ignore[arg-type]
            assert status == 200 and "SCR Bot is installed" in page
        [token_a], [token_b] = fake.issued_tokens(TEAM_A), fake.issued_tokens(TEAM_B)
        with origin.engine.connect() as c:
            kept = set(c.execute(select(SlackInstallationRow.board_id, SlackInstallationRow.team_id)).all())
        assert kept == {("north", TEAM_A), ("south", TEAM_B)}
        fake.clear()
        for team in (TEAM_A, TEAM_B):
            requests = SlackRequests(SIGNING_SECRET, server.url, team=team)
            assert requests.post(home_opened(requests))[0] == 200
            requests.close()
        publishes = fake.wait_count("views.publish", 2)
        assert sorted(p.token for p in publishes) == sorted([token_a, token_b])
        # Work outside a request (the outbox's messages) uses each board's own installation too.
        assert deployment.contexts["south"].slack_client.token == token_b
    finally:
        server.stop()
        for built in services:
            built.close()
        deployment.close()
        origin.close()
