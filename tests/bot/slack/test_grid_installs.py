"""Enterprise Grid installs (issue 15 §1), through the real bolt OAuth flow on 127.0.0.1 against the fake
Slack, with two boards on one deployment: north is an Enterprise Grid org installed org-wide (`[slack] team_id
= "E..."`, the install names the org and no workspace), south a workspace of its own. The org-wide token is
kept sealed; a request from any workspace of north's org reaches north's App, answered with the org's token,
and never board south's cases. A Grid workspace-level install (a workspace of an org, named by its own team
id) works as a workspace's install does."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import parse_qsl, urlencode

import pytest
from sqlalchemy import select

from bot.clock import FixedClock
from bot.context import AppContext
from bot.deployment import Deployment
from bot.slack import case_views as views
from bot.slack.installs import NOT_INSTALLED
from bot.slack.server import SlackHTTPServer, serve_http
from storage.tables import AuditRow, SlackInstallationRow
from tests.bot.slack.conftest import BU_USER
from tests.bot.slack.test_installs import asked_of, get, install_settings
from tests.bot.test_boards import board_toml, write_boards
from tests.factories import STAFF, make_referral
from tests.support.fake_slack import BOT_USER, FakeSlack
from tests.support.slack_bot import SIGNING_SECRET
from tests.support.slack_requests import SlackPayload, SlackRequests

ORG = "E0NORTHORG1"  # north's Enterprise Grid org, installed org-wide
ORG_WORKSPACE, OTHER_ORG_WORKSPACE = "T0NORTHWS01", "T0NORTHWS02"  # two workspaces of that org
SOUTH = "T0SOUTH001"  # south: a workspace of its own
SOUTH_ORG = "E0SOUTHORG1"  # ... of another org, installed at the workspace level in the Grid test below
ONLY_IN_SOUTH = "SCR-2026-0002"  # north has one case, south two


def grid(payload: SlackPayload, team: str, enterprise: str, *, org_wide: bool) -> SlackPayload:
    """A payload built for one workspace, as Slack sends it from `team` of the Grid org `enterprise` (org-wide:
    the authorization is the org's, with no team; an interactive payload's `team` is null)."""
    if payload.content_type == "application/json":  # an event
        body = json.loads(payload.body)
        auth = {"enterprise_id": enterprise, "team_id": None if org_wide else team, "user_id": BOT_USER}
        body |= {"team_id": team, "enterprise_id": enterprise, "is_ext_shared_channel": False}
        body["authorizations"] = [auth | {"is_bot": True, "is_enterprise_install": org_wide}]
        return SlackPayload(json.dumps(body), payload.content_type)
    form = dict(parse_qsl(payload.body, keep_blank_values=True))
    if "payload" not in form:  # a slash command
        form |= {"team_id": team, "enterprise_id": enterprise, "is_enterprise_install": str(org_wide).lower()}
        return SlackPayload(urlencode(form), payload.content_type)
    body = json.loads(form["payload"])
    body["team"] = None if org_wide else {"id": team, "enterprise_id": enterprise}
    body["user"] = {**body["user"], "team_id": team}
    body |= {"enterprise": {"id": enterprise, "name": "Synthetic Org"}, "is_enterprise_install": org_wide}
    return SlackPayload(urlencode({"payload": json.dumps(body)}), payload.content_type)


@dataclass
class GridBoards:
    deployment: Deployment
    server: SlackHTTPServer
    fake: FakeSlack
    origin: AppContext

    def install(self, team: str, **grant: object) -> tuple[int, str]:
        """An admin installs the app through /slack/install and Slack's redirect (the fake's code)."""
        running = SimpleNamespace(server=self.server)
        status, headers, page = get(running, "/slack/install")  # type: ignore[arg-type]
        assert status == 200
        cookie = headers["set-cookie"].split(";")[0]
        code = self.fake.install_code(team, **grant)  # type: ignore[arg-type]
        status, _, page = get(running, f"/slack/oauth_redirect?code={code}&state={asked_of(page)['state'][0]}", cookie)  # type: ignore[arg-type]
        return status, page

    def post(self, payload: SlackPayload) -> tuple[int, str]:
        requests = SlackRequests(SIGNING_SECRET, self.server.url)
        try:
            return requests.post(payload)
        finally:
            requests.close()

    def kept(self) -> set[tuple[str, str, str, bool]]:
        with self.origin.engine.connect() as c:
            rows = c.execute(
                select(
                    SlackInstallationRow.board_id,
                    SlackInstallationRow.enterprise_id,
                    SlackInstallationRow.team_id,
                    SlackInstallationRow.is_enterprise_install,
                )
            ).all()
        return {(str(b), str(e), str(t), bool(o)) for b, e, t, o in rows}

    def audit(self, board: str) -> list[tuple[str, str]]:
        with self.origin.engine.connect() as c:
            rows = c.execute(select(AuditRow.action, AuditRow.case_ref).where(AuditRow.board_id == board))
            return [(str(a), str(r)) for a, r in rows]


@pytest.fixture
def boards(tmp_path: Path, clock: FixedClock, fake: FakeSlack) -> Iterator[GridBoards]:
    def slack(team: str, channel: str) -> str:
        return f'[slack]\nteam_id = "{team}"\nbusiness_unit_channel = "{channel}"\n'

    folder = write_boards(
        tmp_path / "boards",
        north=board_toml("north", slack(ORG, "C0NORTHBU1")),
        south=board_toml("south", slack(SOUTH, "C0SOUTHBU1")),
    )
    settings = install_settings(fake, data_dir=tmp_path / "var", board_dir=folder)
    origin = AppContext(settings=settings, clock=clock)
    deployment = Deployment.of(origin)
    deployment.contexts["north"].store.cases.file_referral(make_referral(), actor=STAFF, now=clock.now())
    for _ in range(2):
        deployment.contexts["south"].store.cases.file_referral(make_referral(), actor=STAFF, now=clock.now())
    apps, services = deployment.slack_apps()
    server = serve_http(apps, "127.0.0.1", 0, oauth_flow=deployment.slack_install_flow())
    server.start_in_thread()
    try:
        yield GridBoards(deployment, server, fake, origin)
    finally:
        server.stop()
        for built in services:
            built.close()
        deployment.close()
        origin.close()


def home(team: str, enterprise: str, *, org_wide: bool) -> SlackPayload:
    event = {"type": "app_home_opened", "user": BU_USER, "tab": "home"}
    return grid(SlackRequests(SIGNING_SECRET).event(event), team, enterprise, org_wide=org_wide)


def test_an_org_wide_install_is_kept_sealed_under_the_board_naming_the_org(boards: GridBoards, tmp_path: Path) -> None:
    status, page = boards.install("", enterprise=ORG, org_wide=True)
    assert status == 200 and "SCR Bot is installed" in page
    assert boards.kept() == {("north", ORG, "", True)}
    [token] = boards.fake.issued_tokens(ORG)
    raw = b"".join(p.read_bytes() for p in (tmp_path / "var").rglob("scrbot.db*"))
    assert raw and token.encode() not in raw
    assert [a for a, _ in boards.audit("north") if a.startswith("slack.")] == ["slack.installed"]
    assert not any(a.startswith("slack.") for a, _ in boards.audit("south"))


@pytest.mark.parametrize("workspace", [ORG_WORKSPACE, OTHER_ORG_WORKSPACE])
def test_any_workspace_of_the_org_reaches_the_orgs_board_with_the_orgs_token(
    boards: GridBoards, workspace: str
) -> None:
    boards.install("", enterprise=ORG, org_wide=True)
    [token] = boards.fake.issued_tokens(ORG)
    boards.fake.clear()
    assert boards.post(home(workspace, ORG, org_wide=True))[0] == 200
    [publish] = boards.fake.wait_count("views.publish", 1)
    assert publish.token == token
    assert "SCR-2026-0001" in publish.text and ONLY_IN_SOUTH not in publish.text


def test_from_the_org_board_souths_cases_stay_out_of_reach(boards: GridBoards) -> None:
    boards.install("", enterprise=ORG, org_wide=True)
    before = boards.audit("south")
    requests = SlackRequests(SIGNING_SECRET)
    forged = requests.action(BU_USER, views.OPEN_CASE, value=ONLY_IN_SOUTH, channel="C0NORTHBU1")
    assert boards.post(grid(forged, ORG_WORKSPACE, ORG, org_wide=True))[0] == 200
    own = requests.action(BU_USER, views.OPEN_CASE, value="SCR-2026-0001", channel="C0NORTHBU1")
    boards.post(grid(own, ORG_WORKSPACE, ORG, org_wide=True))
    [opened] = boards.fake.wait_count("views.open", 1)  # only north's own case opened
    assert ONLY_IN_SOUTH not in opened.text
    assert boards.audit("south") == before


def test_the_org_wide_token_never_answers_souths_workspace(boards: GridBoards) -> None:
    boards.install("", enterprise=ORG, org_wide=True)
    boards.fake.clear()
    south = SlackRequests(SIGNING_SECRET, team=SOUTH)
    event = south.event({"type": "app_home_opened", "user": BU_USER, "tab": "home"})
    assert boards.post(event) == (200, NOT_INSTALLED)  # south has no installation of its own yet
    assert boards.fake.calls() == []


def test_an_install_into_a_workspace_of_an_org_no_board_names_is_refused(boards: GridBoards) -> None:
    status, page = boards.install("", enterprise="E0NOBODY001", org_wide=True)
    assert status == 403 and "E0NOBODY001" in page
    assert boards.kept() == set()
    assert [c.token for c in boards.fake.calls("auth.revoke")] == boards.fake.issued_tokens("E0NOBODY001")


def test_a_grid_workspace_level_install_is_that_workspaces(boards: GridBoards) -> None:
    status, _ = boards.install(SOUTH, enterprise=SOUTH_ORG)  # south's workspace belongs to an org
    assert status == 200
    assert boards.kept() == {("south", SOUTH_ORG, SOUTH, False)}
    [token] = boards.fake.issued_tokens(SOUTH)
    boards.fake.clear()
    assert boards.post(home(SOUTH, SOUTH_ORG, org_wide=False))[0] == 200
    [publish] = boards.fake.wait_count("views.publish", 1)
    assert publish.token == token and ONLY_IN_SOUTH in publish.text
    # Another workspace of south's org is not south's: south named its workspace, not the org.
    assert boards.post(home("T0SOUTHWS02", SOUTH_ORG, org_wide=False))[0] == 404


@pytest.mark.parametrize(
    "event",
    [{"type": "app_uninstalled"}, {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": [BOT_USER]}}],
    ids=["app_uninstalled", "tokens_revoked"],
)
def test_uninstalling_from_the_org_deletes_the_org_wide_install(boards: GridBoards, event: dict[str, object]) -> None:
    boards.install("", enterprise=ORG, org_wide=True)
    assert boards.post(grid(SlackRequests(SIGNING_SECRET).event(event), ORG_WORKSPACE, ORG, org_wide=True))[0] == 200
    assert boards.kept() == set()
    assert [a for a, _ in boards.audit("north") if a.startswith("slack.")] == ["slack.installed", "slack.uninstalled"]
    assert boards.post(home(OTHER_ORG_WORKSPACE, ORG, org_wide=True)) == (200, NOT_INSTALLED)
