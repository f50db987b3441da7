"""`scrbot teams package`: the Teams app package for the board's IT to upload (bot/teams/package.py)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.output import print_json

if TYPE_CHECKING:
    from bot.context import AppContext


def register(sub: Any) -> None:
    teams = sub.add_parser("teams", help="Microsoft Teams: the app package to upload")
    ts = teams.add_subparsers(dest="teams_command", metavar="TEAMS_COMMAND", required=True)
    p = ts.add_parser("package", help="build the Teams app package (manifest.json and icons, zipped)")
    p.add_argument("--output", type=Path, default=Path("scrbot-teams.zip"), help="where to write the zip")
    p.add_argument("--json", action="store_true", help="print JSON (for scripts) instead of text")
    p.set_defaults(handler=package)


def package(ctx: AppContext, args: argparse.Namespace) -> int:
    from bot.teams.package import build_package

    s = ctx.settings
    path = build_package(ctx.board, app_id=s.teams_app_id, public_url=s.teams_public_url, output=args.output)
    if args.json:
        print_json({"package": str(path), "app_id": s.teams_app_id})
    else:
        print(f"Wrote {path}: upload it in the Teams admin centre (Manage apps > Upload new app).")
    return 0
