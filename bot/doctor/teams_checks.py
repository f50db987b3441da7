"""Teams: the bot's registration signs in, the Bot Framework's signing keys and our endpoint are reachable,
and the bot is installed in the business unit's team (bot/teams/doctor_checks.py does the looking). None
blocks `scrbot run`: a notice that cannot be sent stays in the outbox until it can."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from bot.doctor.base import Check, Finding, fail, ok, register_provider
from bot.doctor.core import not_configured

if TYPE_CHECKING:
    from bot.context import AppContext
    from bot.settings import Settings
    from bot.teams.wiring import TeamsRuntime


def _adapted(look: Callable[[TeamsRuntime], tuple[bool, str]]) -> Callable[[AppContext], Finding]:
    def run(ctx: AppContext) -> Finding:
        passed, line = look(ctx.teams)
        return ok(line) if passed else fail(line)

    return run


@register_provider
def teams_checks(settings: Settings) -> Sequence[Check]:
    if not settings.teams_configured:
        return [not_configured("teams", "not configured (README, Microsoft Teams)")]
    from bot.teams.doctor_checks import CHECKS

    first, *rest = CHECKS
    checks = [Check(first[0], _adapted(first[1]), network=True, needs=("board",))]
    checks += [Check(name, _adapted(look), network=True, needs=(first[0], "board")) for name, look in rest]
    return [replace(check, per_board=True) for check in checks]  # each board's own workspace or team
