"""`scrbot run`: the service. In local mode (no Slack or mail settings) it runs on SQLite, a key file and
folders under ./var/: it polls the Maildir inbox, sends what the outbox holds (.eml files, console notices)
and chases agencies, every SCRBOT_MAIL_POLL_SECONDS.

The loop here is deliberately simple: issue #5's scheduler takes over the timing and calls the same
`mail_tick` and dispatcher functions."""

from __future__ import annotations

import argparse
import logging
import threading
from typing import Any

from bot.context import AppContext
from bot.mail_service import mail_tick

log = logging.getLogger("scrbot")


def register(sub: Any) -> None:
    p = sub.add_parser("run", help="run the service (local mode when Slack and mail are not configured)")
    p.add_argument("--once", action="store_true", help="start, do one round of work, report, and exit")
    p.set_defaults(handler=run)


def one_round(ctx: AppContext) -> None:
    """Poll the mailbox, send what is due, and record which agency requests went."""
    now = ctx.now_clock.now()
    tick = mail_tick(ctx, now)
    dispatched = ctx.dispatcher.dispatch_due(now)
    if dispatched.sent:
        ctx.agency_requests.sync_requests_sent(now)
    for outcome in tick.poll.outcomes:
        print(
            f"  mail {outcome.inbound_id}: {outcome.status.value} {outcome.kind} {outcome.case_ref}: {outcome.reason}"
        )
    if dispatched.sent or dispatched.failed:
        print(f"  outbox: {len(dispatched.sent)} sent, {len(dispatched.failed)} failed (kept for retry)")


def run(ctx: AppContext, args: argparse.Namespace) -> int:
    applied = ctx.migrate()
    store = ctx.store
    where = ctx.where()
    print("SCR Bot is running in local mode." if ctx.settings.local_mode else "SCR Bot is running.")
    print(f"  board:        {store.board.name} ({store.board.id})")
    for name, value in where.items():
        print(f"  {name + ':':<13} {value}")
    print(
        f"  mailbox:      {ctx.settings.mail_backend}"
        + (
            f" ({ctx.settings.maildir_inbox}, outbound .eml in {ctx.settings.mail_outbox_dir})"
            if ctx.settings.mail_backend == "maildir"
            else ""
        )
    )
    if applied:
        print("  migrations:   applied")
    print(f"  open cases:   {len(store.cases.list_cases(today=ctx.now_clock.now().date()))}")
    print()
    print("Try, in another terminal:")
    print("  .venv/bin/scrbot refer --file examples/referral.json")
    print("  .venv/bin/scrbot mail deliver examples/mail/police-reply.eml")
    print("  .venv/bin/scrbot case show SCR-2026-0001")
    log.info("service started (mail backend %s)", ctx.settings.mail_backend)
    stop = threading.Event()
    try:
        while True:
            try:
                one_round(ctx)
            except Exception as exc:  # noqa: BLE001 - keep serving; the next round retries
                log.error("service round failed (%s)", type(exc).__name__)
            if args.once:
                return 0
            stop.wait(ctx.settings.mail_poll_seconds)
    except KeyboardInterrupt:
        print("\nStopped.")
    return 0
