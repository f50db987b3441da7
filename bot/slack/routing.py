"""Which board's bolt app a Slack request is for: the board whose workspace (`[slack] team_id`) sent it.

One deployment may serve many boards, each in its own Slack workspace; each board has its own bolt app built
with that board's services (store, drafts, outbox), so a request can only ever reach its own board's cases.
The workspace is read from the signed body the way bolt reads it to find an installation
(`slack_bolt.request.internals.extract_team_id`: an interactive payload's `team.id` or the view's installing
team, an event's authorization, a slash command's `team_id`). A request from a workspace no board names gets
nothing: it is logged by kind only (never its content) and answered 404.

A deployment with one board whose config names no workspace takes every request, as before.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from slack_bolt import App
from slack_bolt.request.internals import extract_enterprise_id, extract_team_id

from errors import BadInput

log = logging.getLogger("scrbot.slack")


class SlackBoardsError(BadInput):
    """The boards' Slack workspaces do not let each request be given to one board."""


def payload_of(body: str, content_type: str) -> dict[str, Any]:
    """The request's payload as bolt sees it: the JSON body, an interactive form's `payload`, or the form."""
    try:
        if content_type.split(";")[0].strip().lower() == "application/json":
            value = json.loads(body)
        else:
            form = parse_qs(body, keep_blank_values=True)
            value = json.loads(form["payload"][0]) if "payload" in form else {k: v[0] for k, v in form.items()}
    except (ValueError, KeyError, IndexError):
        return {}
    return value if isinstance(value, dict) else {}


def team_of(body: str, content_type: str) -> str:
    """The Slack workspace that sent the request, or "" when the body names none."""
    team = extract_team_id(payload_of(body, content_type))
    return team if isinstance(team, str) else ""


def require_workspaces(team_ids: list[str]) -> None:
    """Several boards must each name their own workspace; one board may name none (it takes every request)."""
    if len(team_ids) > 1 and not all(team_ids):
        raise SlackBoardsError(
            "where one deployment serves many boards in Slack, each board names its workspace: "
            "[slack] team_id in every board file",
            field="slack.team_id",
        )
    if len(set(team_ids)) < len(team_ids):
        raise SlackBoardsError("two boards name the same Slack workspace ([slack] team_id)", field="slack.team_id")


def require_one_board_for_socket_mode(boards: int) -> None:
    """Socket Mode serves one board. Its connection would carry every workspace's envelopes, but the one bot
    token (SCRBOT_SLACK_BOT_TOKEN) acts in one workspace only, and install mode (a token per workspace) needs
    HTTP for its OAuth pages: another board's requests would be answered with the wrong workspace's token.
    Refused at start, before anything runs, rather than served wrong."""
    if boards > 1:
        raise SlackBoardsError(
            f"SCRBOT_SLACK_APP_TOKEN (Socket Mode) serves one board, and SCRBOT_BOARD_DIR configures {boards}; "
            "allowed: many boards over HTTP (SCRBOT_SLACK_SIGNING_SECRET, or install mode with "
            "SCRBOT_SLACK_CLIENT_ID), or Socket Mode for one board (--board ID)",
            field="SCRBOT_SLACK_APP_TOKEN",
        )


@dataclass(frozen=True)
class BoardApps:
    """The bolt app of each board, by its Slack workspace (team id)."""

    by_team: Mapping[str, App]

    @classmethod
    def of(cls, apps: Mapping[str, App]) -> BoardApps:
        """From team id -> app."""
        require_workspaces(list(apps))
        return cls(dict(apps))

    @property
    def first(self) -> App:
        return next(iter(self.by_team.values()))

    @property
    def single(self) -> App | None:
        """The one app, when there is one board (Socket Mode serves only that)."""
        return self.first if len(self.by_team) == 1 else None

    def app_for(self, body: str, content_type: str) -> App | None:
        """The app to hand a signed request to, or None (nobody's: refuse it)."""
        if "" in self.by_team:  # one board, no workspace named: every request is its
            return self.by_team[""]
        payload = payload_of(body, content_type)
        if payload.get("type") == "url_verification":  # Slack checking the URL: no board's data, any app answers
            return self.first
        app = None
        for workspace in (extract_team_id(payload), extract_enterprise_id(payload)):  # the workspace, then its org
            if isinstance(workspace, str) and workspace:
                app = app or self.by_team.get(workspace)
        if app is None:
            log.warning("slack: a request from a workspace no board names was refused (%s)", _kind(payload))
        return app


def _kind(payload: dict[str, Any]) -> str:
    """What sort of request it was, for the log: never ids or content."""
    kind = payload.get("type") or ("command" if "command" in payload else "unknown")
    return str(kind)[:40]
