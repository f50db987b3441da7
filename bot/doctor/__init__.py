"""`scrbot doctor`: one line per part of the set-up, ok or what to fix (DESIGN.md §6).

Also run by `scrbot run` before it starts, which refuses to start on a failure that would lose or leak
data (bot/doctor/base.py, `blocks_start`). Providers of checks: bot/doctor/core.py (settings, board, keys,
database, mail trust, holidays, disk), bot/doctor/slack_checks.py, bot/doctor/teams_checks.py,
bot/doctor/mailbox_checks.py; a new front end registers its own with `register_provider`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from bot.doctor import core, mailbox_checks, slack_checks, teams_checks  # each registers its provider
from bot.doctor.base import Check, Finding, Report, Result, Status, checks_for, register_provider, run_checks
from errors import ScrBotError

if TYPE_CHECKING:
    from bot.context import AppContext

__all__ = [
    "Check",
    "Finding",
    "Report",
    "Result",
    "Status",
    "core",
    "diagnose",
    "mailbox_checks",
    "register_provider",
    "slack_checks",
    "teams_checks",
]


def diagnose(make_context: Callable[[], AppContext], *, quick: bool = False) -> tuple[Report, AppContext | None]:
    """Every check; when the settings themselves are wrong, that one line (nothing else can be checked)."""
    try:
        ctx = make_context()
    except ScrBotError as exc:
        line = " ".join(str(exc).split())
        return Report([Result("settings", Status.FAIL, line, blocks_start=True)]), None
    return run_checks(ctx, checks_for(ctx.settings), quick=quick), ctx
