"""`scrbot run`: the service. In local mode (no Slack or mail settings) it runs on SQLite, a key file and
folders under ./var/: reminders print to the console and outbound mail lands as .eml files in the outbox.

The scheduler (notify/scheduler.py) ticks the reminder sweep, the outbox dispatcher and the calendar file,
and whatever other features register in `ctx.jobs`. Every job works from database rows, so stopping and
starting the service, or running several, loses and doubles nothing; on start each job runs at once, so
what fell due while the service was down goes out straight away (marked late).
"""

from __future__ import annotations

import argparse
import logging
import threading
from typing import Any

from bot.context import AppContext
from notify.scheduler import Ticker

log = logging.getLogger("scrbot")


def register(sub: Any) -> None:
    p = sub.add_parser("run", help="run the service (local mode when Slack and mail are not configured)")
    p.add_argument("--once", action="store_true", help="start, run every periodic job once, report, and exit")
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
    jobs = ctx.jobs.jobs()
    print("  scheduler:    " + ", ".join(f"{j.name} every {_every(j.interval.total_seconds())}" for j in jobs))
    print(f"  outbox:       {ctx.settings.mail_outbox_dir} (.eml files)")
    print(f"  calendar:     {ctx.settings.calendar_file}")
    print()
    if ctx.settings.local_mode:
        print("No Slack or mail settings: reminders print here and mail is written to the outbox folder.")
        print("Try, in another terminal:")
        print("  .venv/bin/scrbot refer --file examples/referral.json")
        print("  .venv/bin/scrbot case list")
        print("  .venv/bin/scrbot notify list")
    log.info("service started%s", " in local mode" if ctx.settings.local_mode else "")
    if args.once:
        results = ctx.jobs.run_all(ctx.now_clock.now())
        failed = sorted(name for name, ok in results.items() if not ok)
        print(f"Ran {len(results)} periodic job(s) once" + (f"; failed: {', '.join(failed)}" if failed else "."))
        return 1 if failed else 0
    ticker = Ticker(ctx.jobs, ctx.now_clock.now)
    ticker.start(run_now=True)
    stop = threading.Event()
    try:
        stop.wait()
    except KeyboardInterrupt:
        print("\nStopping...")
    finally:
        ticker.shutdown(wait=True)
    print("Stopped.")
    return 0


def _every(seconds: float) -> str:
    if seconds % 3600 == 0:
        return f"{int(seconds // 3600)} h"
    if seconds % 60 == 0:
        return f"{int(seconds // 60)} min"
    return f"{seconds:g} s"
