"""Which workspace a Slack request comes from, read from its signed body as bolt reads it (bot/slack/routing.py)."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest

from bot.slack.routing import SlackBoardsError, require_workspaces, team_of

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


def interactive(payload: dict[str, object]) -> str:
    return urlencode({"payload": json.dumps(payload)})


@pytest.mark.parametrize(
    ("body", "content_type", "team"),
    [
        (urlencode({"command": "/scr-refer", "team_id": "T0AAA", "user_id": "U1"}), FORM, "T0AAA"),
        (interactive({"type": "shortcut", "team": {"id": "T0BBB"}, "user": {"id": "U1"}}), FORM, "T0BBB"),
        (interactive({"type": "block_actions", "team": {"id": "T0CCC"}, "actions": []}), FORM, "T0CCC"),
        # Org-wide installs leave `team` empty: the user's team, then the view's.
        (interactive({"type": "block_actions", "team": None, "user": {"id": "U1", "team_id": "T0DDD"}}), FORM, "T0DDD"),
        (
            interactive({"type": "view_submission", "team": {"id": "T0EEE"}, "view": {"team_id": "T0EEE"}}),
            FORM,
            "T0EEE",
        ),
        # A modal opened through a Slack Connect channel: the installing workspace's, not the sender's.
        (
            interactive(
                {"type": "view_submission", "team": {"id": "T0OTHER"}, "view": {"app_installed_team_id": "T0FFF"}}
            ),
            FORM,
            "T0FFF",
        ),
        (
            json.dumps({"type": "event_callback", "team_id": "T0GGG", "event": {"type": "app_home_opened"}}),
            JSON,
            "T0GGG",
        ),
        # Events in shared channels: the authorization's team (the installation), over the top-level team.
        (json.dumps({"team_id": "T0OTHER", "authorizations": [{"team_id": "T0HHH"}], "event": {}}), JSON, "T0HHH"),
        (json.dumps({"type": "url_verification", "challenge": "x"}), JSON, ""),
        ("not json", JSON, ""),
        (urlencode({"payload": "[1, 2]"}), FORM, ""),
        ("", FORM, ""),
    ],
)
def test_the_workspace_of_each_kind_of_request(body: str, content_type: str, team: str) -> None:
    assert team_of(body, content_type) == team


@pytest.mark.parametrize(
    ("teams", "says"),
    [(["T0AAA", ""], "each board names its workspace"), (["T0AAA", "T0AAA"], "name the same Slack workspace")],
)
def test_boards_must_each_name_their_own_workspace(teams: list[str], says: str) -> None:
    with pytest.raises(SlackBoardsError, match=says):
        require_workspaces(teams)
    require_workspaces([""])  # one board, no workspace named: it takes every request
