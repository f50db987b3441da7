"""`scrbot steps work`: the conversation step worker, in a process of its own; `scrbot run` starts it and
keeps it running (bot/slack/step_process.py). Not for people to run by hand."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.context import AppContext


def register(sub: Any) -> None:
    p = sub.add_parser("steps", help="conversation steps kept at Slack's acknowledgement (used by `run`)")
    steps = p.add_subparsers(dest="steps_command", metavar="SUBCOMMAND", required=True)
    work = steps.add_parser("work", help="work on the steps `scrbot run` keeps (started and restarted by it)")
    work.add_argument("--owner", required=True, help="the id the acknowledging process keeps steps under")
    work.set_defaults(handler=work_command)


def work_command(ctx: AppContext, args: argparse.Namespace) -> int:
    from bot.deployment import Deployment
    from bot.slack.step_process import work_steps

    deployment = Deployment.of(ctx)
    try:
        _apps, services = deployment.slack_apps(steps_owner=args.owner)
        work_steps(services, sys.stdin.buffer)
    finally:
        deployment.close()
    return 0
