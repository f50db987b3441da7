"""`scrbot run`: the service. In local mode (no Slack or mail settings) it runs on SQLite, a key file and
folders under ./var/, and waits."""

from __future__ import annotations

import argparse
import logging
import threading
from typing import Any

from bot.context import AppContext

log = logging.getLogger("scrbot")


def register(sub: Any) -> None:
    p = sub.add_parser("run", help="run the service (local mode when Slack and mail are not configured)")
    p.add_argument("--once", action="store_true", help="start, report, and exit (for checks)")
    p.set_defaults(handler=run)


def run(ctx: AppContext, args: argparse.Namespace) -> int:
    applied = ctx.migrate()
    store = ctx.store
    where = ctx.where()
    print("SCR Bot is running in local mode." if ctx.settings.local_mode else "SCR Bot is running.")
    print(f"  board:        {store.board.name} ({store.board.id})")
    for name, value in where.items():
        print(f"  {name + ':':<13} {value}")
    if applied:
        print("  migrations:   applied")
    print(f"  open cases:   {len(store.cases.list_cases(today=ctx.now_clock.now().date()))}")
    print()
    print("No Slack or mail settings, so nothing is connected yet. Try, in another terminal:")
    print("  .venv/bin/scrbot refer --file examples/referral.json")
    print("  .venv/bin/scrbot case list")
    log.info("service started in local mode")
    if args.once:
        return 0
    stop = threading.Event()
    try:
        stop.wait()
    except KeyboardInterrupt:
        print("\nStopped.")
    return 0
