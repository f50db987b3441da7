"""Slack: the token signs in, has the manifest's scopes, the bot is in the business unit's channel, and the
staff in the board config are real Slack users. None blocks `scrbot run`: a notice that cannot be sent
stays in the outbox until it can."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.doctor.base import Check, Finding, fail, ok, register_provider, warn
from bot.doctor.core import not_configured

if TYPE_CHECKING:
    from slack_sdk import WebClient

    from bot.context import AppContext
    from bot.settings import Settings

MANIFEST = Path(__file__).resolve().parents[1] / "slack" / "manifest.json"
TIMEOUT_SECONDS = 10
REFUSED_TOKEN = {"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired"}


@cache
def manifest_scopes() -> frozenset[str]:
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    return frozenset(manifest["oauth_config"]["scopes"]["bot"])


def _client(ctx: AppContext, token: str | None = None) -> WebClient:
    from slack_sdk import WebClient

    if token is None and ctx.settings.slack_install_mode:
        token = ctx.slack_client.token  # the board's installation's bot token (bot/slack/installs.py)
    kwargs: dict[str, Any] = {"token": token or ctx.settings.slack_bot_token, "timeout": TIMEOUT_SECONDS}
    if ctx.settings.slack_api_url:
        kwargs["base_url"] = ctx.settings.slack_api_url
    return WebClient(**kwargs)


def _call(doing: str, call: Any) -> tuple[Any, Finding | None]:
    """Run one Web API call; a refusal or an unreachable Slack becomes a failed finding."""
    from slack_sdk.errors import SlackApiError

    try:
        return call(), None
    except SlackApiError as exc:
        error = str(exc.response.get("error", "error"))
        return None, fail(f"{doing}: Slack answered {error}")
    except OSError as exc:  # connection refused, DNS, TLS, timeout (urllib raises OSError subclasses)
        return None, fail(f"{doing}: cannot reach Slack ({type(exc).__name__})")


def check_sign_in(ctx: AppContext) -> Finding:
    from slack_sdk.errors import SlackApiError

    try:
        answer = _client(ctx).auth_test()
    except SlackApiError as exc:
        error = str(exc.response.get("error", "error"))
        if error in REFUSED_TOKEN:
            return fail(f"Slack refused the bot token ({error}): check SCRBOT_SLACK_BOT_TOKEN, or reinstall the app")
        return fail(f"auth.test: Slack answered {error}")
    except OSError as exc:
        return fail(f"cannot reach Slack ({type(exc).__name__}); check the network or a proxy")
    return ok(
        f"signed in as {answer.get('user')} ({answer.get('user_id')}) in {answer.get('team')} ({answer.get('team_id')})"
    )


def check_installation(ctx: AppContext) -> Finding:
    """Install mode: the board names its workspace and the app is installed there (its token in the store)."""
    from bot.slack.installs import installations_over

    team = ctx.board.slack.team_id
    if not team:
        return fail(
            "install mode needs [slack] team_id (the workspace id, T...) in the board config: installs are "
            "matched to boards by it (README, Installing the Slack app in many workspaces)"
        )
    if ctx.board.id not in installations_over([ctx.store], ctx.now_clock).installed_boards():
        return fail(
            f"the app is not installed in workspace {team} yet: an admin of that workspace opens /slack/install "
            "(README, Installing the Slack app in many workspaces)"
        )
    return ok(f"installed in workspace {team}")


def check_scopes(ctx: AppContext) -> Finding:
    answer, failed = _call("auth.test", _client(ctx).auth_test)
    if failed:
        return failed
    header = next((v for k, v in (answer.headers or {}).items() if k.lower() == "x-oauth-scopes"), None)
    if header is None:
        return warn("Slack did not say which scopes the token has (no x-oauth-scopes header)")
    granted = {s.strip() for s in str(header).split(",") if s.strip()}
    missing = sorted(manifest_scopes() - granted)
    extra = sorted(granted - manifest_scopes())
    if missing:
        return fail(
            f"missing scope(s) {', '.join(missing)}: update the app from bot/slack/manifest.json and reinstall it "
            "(README, Slack scopes)"
        )
    if extra:
        return warn(f"all {len(manifest_scopes())} scopes granted, and more than needed: {', '.join(extra)}")
    return ok(f"all {len(manifest_scopes())} scopes of bot/slack/manifest.json granted")


def check_socket_mode(ctx: AppContext) -> Finding:
    token = ctx.settings.slack_app_token
    _answer, failed = _call(
        "apps.connections.open (SCRBOT_SLACK_APP_TOKEN)",
        lambda: _client(ctx, token).apps_connections_open(app_token=token),
    )
    if failed:
        return failed
    return ok("the app-level token opens a Socket Mode connection URL (no connection made)")


def check_socket_mode_boards(ctx: AppContext) -> Finding:
    """The deployment's: Socket Mode serves one board (bot/slack/routing.py); `scrbot run` refuses more."""
    from bot.slack.routing import require_one_board_for_socket_mode

    require_one_board_for_socket_mode(len(ctx.boards))
    return ok("one board in Socket Mode")


def check_channel(ctx: AppContext) -> Finding:
    channel = ctx.board.slack.business_unit_channel
    if not channel:
        return warn("no [slack] business_unit_channel in the board config: notices go to business unit members by DM")
    answer, failed = _call(f"conversations.info {channel}", lambda: _client(ctx).conversations_info(channel=channel))
    if failed:
        if "channel_not_found" in failed.detail:
            return fail(
                f"channel {channel} not found: check the id (README, Slack ids); "
                "a private channel must invite the bot first"
            )
        return failed
    info = answer.get("channel") or {}
    name = f"#{info.get('name')}" if info.get("name") else channel
    if info.get("is_archived"):
        return fail(f"{name} ({channel}) is archived: choose another channel in the board config")
    if not info.get("is_member"):
        return fail(f"the bot is not in {name} ({channel}): type /invite @SCR Bot in that channel")
    return ok(f"the bot is in {name} ({channel})")


def check_members(ctx: AppContext) -> Finding:
    ids = [m.slack_user_id for m in ctx.board.members if m.slack_user_id]
    if not ids:
        return warn("no [[members]] has a slack_user_id: nobody can use the business unit's buttons in Slack")
    client = _client(ctx)
    missing: list[str] = []
    gone: list[str] = []
    for user_id in ids:
        answer, failed = _call(f"users.info {user_id}", lambda user_id=user_id: client.users_info(user=user_id))
        if failed and "user_not_found" in failed.detail:
            missing.append(user_id)
        elif failed:
            return failed
        elif (answer.get("user") or {}).get("deleted"):
            gone.append(user_id)
    problems = []
    if missing:
        problems.append(f"not found: {', '.join(missing)}")
    if gone:
        problems.append(f"deactivated: {', '.join(gone)}")
    if problems:
        return fail("[[members]] slack_user_id " + "; ".join(problems) + " (README, Slack ids)")
    return ok(f"{len(ids)} staff Slack user id(s) resolve")


def check_usergroup(ctx: AppContext) -> Finding:
    group = ctx.board.slack.business_unit_usergroup
    answer, failed = _call(
        f"usergroups.users.list {group}", lambda: _client(ctx).usergroups_users_list(usergroup=group)
    )
    if failed:
        return failed
    return ok(f"user group {group}: {len(answer.get('users') or [])} member(s) authorised")


@register_provider
def slack_checks(settings: Settings) -> Sequence[Check]:
    if not settings.slack_configured:
        return [not_configured("slack", "not configured (local mode; README, Slack)")]
    checks: list[Check] = []
    if settings.slack_install_mode:
        checks.append(Check("slack installation", check_installation, needs=("board", "migrations", "keys")))
    checks += [
        Check(
            "slack", check_sign_in, network=True, needs=("slack installation",) if settings.slack_install_mode else ()
        ),
        Check("slack scopes", check_scopes, network=True, needs=("slack",)),
    ]
    if settings.slack_socket_mode:
        checks.insert(0, Check("slack boards", check_socket_mode_boards, blocks_start=True))  # the deployment's
        checks.append(Check("slack socket mode", check_socket_mode, network=True, needs=("slack",)))
    checks += [
        Check("slack channel", check_channel, network=True, needs=("slack", "board")),
        Check("slack members", check_members, network=True, needs=("slack", "board")),
        Check(
            "slack user group",
            lambda ctx: (
                check_usergroup(ctx)
                if ctx.board.slack.business_unit_usergroup
                else ok("none configured (members come from [[members]] only)")
            ),
            network=True,
            needs=("slack", "board"),
        ),
    ]
    # Each board's own workspace, but for the deployment's "slack boards".
    return [replace(check, per_board=check.name != "slack boards") for check in checks]
