"""Two boards on one deployment, each in its own Slack workspace (issue 15 §1): every request reaches only the
board whose workspace sent it. A member of board A never sees, approves or changes board B's cases, even
pressing a button whose value carries one of B's case references or draft ids."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.clock import FixedClock
from bot.context import AppContext
from bot.deployment import Deployment
from bot.slack import case_views as views
from bot.slack import notification_views as notices
from bot.slack.server import SlackHTTPServer, serve_http
from bot.slack.services import SlackServices
from storage.tables import AuditRow, OutboxRow
from tests.bot.slack.conftest import BU_USER, REFERRER_USER
from tests.bot.test_boards import board_toml, write_boards
from tests.factories import STAFF, make_referral
from tests.support.fake_slack import TEAM, FakeSlack
from tests.support.slack_bot import slack_settings
from tests.support.slack_requests import SlackPayload, SlackRequests

TEAM_A, TEAM_B = TEAM, "T0SOUTH001"
CHANNEL_A, CHANNEL_B = "C0NORTHBU1", "C0SOUTHBU1"
ONLY_IN_B = "SCR-2026-0002"  # board A has one case, board B two: B's second reference exists nowhere in A


@dataclass
class TwoBoards:
    deployment: Deployment
    server: SlackHTTPServer
    services: list[SlackServices]
    requests: SlackRequests
    fake: FakeSlack

    def ctx(self, board: str) -> AppContext:
        return self.deployment.contexts[board]

    def post(self, payload: SlackPayload, team: str = TEAM_A) -> tuple[int, str]:
        """Signed as Slack signs it, from the workspace `team` (the payload builders write TEAM_A)."""
        return self.requests.post(SlackPayload(payload.body.replace(TEAM_A, team), payload.content_type))

    def draft_of(self, board: str) -> str:
        store = self.ctx(board).store
        with store.sessions() as s:
            return str(
                s.scalars(select(OutboxRow.id).where(OutboxRow.board_id == board, OutboxRow.status == "draft")).first()
            )

    def status_of(self, board: str, item_id: str) -> str:
        with self.ctx(board).store.sessions() as s:
            return str(s.scalar(select(OutboxRow.status).where(OutboxRow.id == item_id)))

    def audit(self, board: str) -> list[tuple[str, str]]:
        with self.ctx(board).store.sessions() as s:
            rows = s.execute(select(AuditRow.action, AuditRow.case_ref).where(AuditRow.board_id == board))
            return [(str(a), str(r)) for a, r in rows]


def two_workspaces(folder: Path) -> Path:
    """Board files for north (workspace A, channel A) and south (workspace B, channel B)."""

    def slack(team: str, channel: str) -> str:
        return f'[slack]\nteam_id = "{team}"\nbusiness_unit_channel = "{channel}"\n'

    return write_boards(
        folder,
        north=board_toml("north", slack(TEAM_A, CHANNEL_A)),
        south=board_toml("south", slack(TEAM_B, CHANNEL_B)),
    )


@pytest.fixture
def two(tmp_path: Path, clock: FixedClock, fake: FakeSlack) -> Iterator[TwoBoards]:
    folder = two_workspaces(tmp_path / "boards")
    settings = slack_settings(fake, data_dir=tmp_path / "var", board_dir=folder)
    origin = AppContext(settings=settings, clock=clock)
    deployment = Deployment.of(origin)
    deployment.contexts["north"].store.cases.file_referral(make_referral(), actor=STAFF, now=clock.now())
    for _ in range(2):
        deployment.contexts["south"].store.cases.file_referral(make_referral(), actor=STAFF, now=clock.now())
    for ctx in deployment:
        ctx.dispatcher.dispatch_due(clock.now())  # each board's approval requests, to its own channel
    apps, services = deployment.slack_apps()
    server = serve_http(apps, "127.0.0.1", 0)
    server.start_in_thread()
    made = TwoBoards(deployment, server, services, SlackRequests(settings.slack_signing_secret, server.url), fake)
    try:
        yield made
    finally:
        made.requests.close()
        server.stop()
        for built in services:
            built.close()
        deployment.close()
        origin.close()


def test_each_boards_approval_requests_go_to_its_own_channel_only(two: TwoBoards) -> None:
    posted = {c.channel for c in two.fake.calls("chat.postMessage") if (c.channel or "").startswith("C")}
    assert posted == {CHANNEL_A, CHANNEL_B}
    draft_b = two.draft_of("south")
    assert all(
        draft_b not in json.dumps(c.params) for c in two.fake.calls("chat.postMessage") if c.channel == CHANNEL_A
    )


def test_app_home_shows_a_member_their_own_boards_cases_only(two: TwoBoards) -> None:
    two.post(two.requests.event({"type": "app_home_opened", "user": BU_USER, "tab": "home"}), TEAM_A)
    [home_a] = two.fake.wait_count("views.publish", 1)
    assert "SCR-2026-0001" in home_a.text and ONLY_IN_B not in home_a.text
    two.post(two.requests.event({"type": "app_home_opened", "user": BU_USER, "tab": "home"}), TEAM_B)
    home_b = two.fake.wait_count("views.publish", 2)[1]
    assert ONLY_IN_B in home_b.text


def test_a_case_button_forged_with_board_bs_reference_finds_nothing_from_workspace_a(two: TwoBoards) -> None:
    before = two.audit("south")
    status, _ = two.post(two.requests.action(BU_USER, views.OPEN_CASE, value=ONLY_IN_B, channel=CHANNEL_A))
    assert status == 200
    two.post(two.requests.action(BU_USER, views.OPEN_CASE, value="SCR-2026-0001", channel=CHANNEL_A))
    [opened] = two.fake.wait_count("views.open", 1)  # only A's own case opened
    assert ONLY_IN_B not in json.dumps(opened.params)
    assert two.audit("south") == before


def test_a_modal_submitted_from_workspace_a_with_board_bs_case_changes_nothing_in_b(two: TwoBoards) -> None:
    values = {"on": {"value": {"type": "datepicker", "selected_date": "2026-11-21"}}}
    r = two.requests
    before = two.audit("south")
    status, body = two.post(r.view_submission(BU_USER, views.MEETING_MODAL, values, private_metadata=ONLY_IN_B))
    assert status == 200 and "errors" in body
    assert two.audit("south") == before
    south = two.ctx("south").store.cases.get_case(ONLY_IN_B, actor=STAFF, now=two.ctx("south").now_clock.now())
    assert south.status.value == "referred"


@pytest.mark.parametrize("action", [notices.APPROVE, notices.REJECT, notices.PREVIEW, notices.EDIT])
def test_a_notification_button_with_board_bs_draft_id_from_workspace_a_touches_nothing(
    two: TwoBoards, action: str
) -> None:
    draft_b = two.draft_of("south")
    before = two.audit("south")
    status, _ = two.post(two.requests.action(BU_USER, action, value=draft_b, channel=CHANNEL_A))
    assert status == 200
    [answer] = two.fake.wait_count("chat.postEphemeral", 1)  # A's app answers the member: not A's
    assert answer.params["text"] == f"no outbox message {draft_b}"
    assert two.status_of("south", draft_b) == "draft"
    assert two.fake.calls("views.open") == []
    assert two.audit("south") == before


@pytest.mark.parametrize(
    "payload",
    [
        lambda r: r.command("/scr-refer", REFERRER_USER),
        lambda r: r.shortcut("scr_refer", REFERRER_USER),
        lambda r: r.event({"type": "app_home_opened", "user": BU_USER, "tab": "home"}),
        lambda r: r.action(BU_USER, views.OPEN_CASE, value="SCR-2026-0001"),
    ],
    ids=["command", "shortcut", "app_home", "button"],
)
def test_a_workspace_no_board_names_gets_nothing(two: TwoBoards, payload: object) -> None:
    before = {b: two.audit(b) for b in ("north", "south")}
    calls = len(two.fake.calls())
    status, _ = two.post(payload(two.requests), "T0NOBODY01")  # type: ignore[operator]
    assert status == 404
    assert len(two.fake.calls()) == calls
    assert {b: two.audit(b) for b in ("north", "south")} == before


@pytest.mark.parametrize(
    "payload",
    [lambda r: r.command("/scr-refer", REFERRER_USER), lambda r: r.shortcut("scr_refer", REFERRER_USER)],
    ids=["command", "shortcut"],
)
def test_a_referral_started_from_workspace_b_is_board_bs_alone(two: TwoBoards, payload: object) -> None:
    posted = len(two.fake.calls("chat.postMessage"))
    status, _ = two.post(payload(two.requests), TEAM_B)  # type: ignore[operator]
    assert status == 200
    two.fake.wait_count("chat.postMessage", posted + 1)  # the first question, in the person's DM
    assert two.ctx("south").drafts.count() == 1
    assert two.ctx("north").drafts.count() == 0
