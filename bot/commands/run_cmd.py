"""`scrbot run`: the service. With Slack settings it serves the Slack app (HTTP on SCRBOT_SLACK_PORT, or Socket
Mode with an app token); without them it runs in local mode on SQLite, a key file and folders under ./var/,
and says how to connect Slack."""

from __future__ import annotations

import argparse
import logging
import sys
import threading
from typing import Any

from bot.context import AppContext
from notify.draft_notices import sweep_drafts

log = logging.getLogger("scrbot")

# Until the scheduler (reminder sweep) takes over, `scrbot run` sends what is due in the outbox this often
# (local mode: channel notices are printed here, mail is written to DATA_DIR/mail/outbox).
DISPATCH_EVERY_SECONDS = 5.0

SLACK_HINT = """\
Slack is not configured. To connect it (see docs/slack.md):
  1. Create the app from bot/slack/manifest.json (api.slack.com/apps > Create New App > From a manifest).
  2. Set SCRBOT_SLACK_BOT_TOKEN (xoxb-...) and either SCRBOT_SLACK_SIGNING_SECRET (HTTP, port
     SCRBOT_SLACK_PORT, default 3000) or SCRBOT_SLACK_APP_TOKEN (xapp-..., Socket Mode: no public URL needed).
  3. Put the business unit's channel id in the board config: [slack] business_unit_channel = "C0..."."""


def register(sub: Any) -> None:
    p = sub.add_parser("run", help="run the service (local mode when Slack and mail are not configured)")
    p.add_argument("--once", action="store_true", help="start, report, and exit (for checks)")
    p.add_argument(
        "--outbox-every",
        type=float,
        default=DISPATCH_EVERY_SECONDS,
        metavar="SECONDS",
        help=f"send what is due in the outbox this often (default {DISPATCH_EVERY_SECONDS:g})",
    )
    p.set_defaults(handler=run)


def _report(ctx: AppContext, applied: bool) -> None:
    store = ctx.store
    print("SCR Bot is running in local mode." if ctx.settings.local_mode else "SCR Bot is running.")
    print(f"  board:        {store.board.name} ({store.board.id})")
    for name, value in ctx.where().items():
        print(f"  {name + ':':<13} {value}")
    if applied:
        print("  migrations:   applied")
    print(f"  open cases:   {len(store.cases.list_cases(today=ctx.now_clock.now().date()))}")


def _dispatch_loop(ctx: AppContext, stop: threading.Event, every: float) -> None:
    while not stop.wait(every):
        try:
            now = ctx.now_clock.now()
            sweep_drafts(ctx.drafts, ctx.outbox, now)
            ctx.dispatcher.dispatch_due(now)
        except Exception as exc:  # noqa: BLE001 - the outbox keeps what failed; try again next round
            log.error("outbox dispatch failed: %s", type(exc).__name__)


def _start_dispatching(ctx: AppContext, stop: threading.Event, every: float) -> None:
    ctx.dispatcher  # built here, in the main thread  # noqa: B018
    threading.Thread(target=_dispatch_loop, args=(ctx, stop, every), name="scrbot-outbox", daemon=True).start()


def run(ctx: AppContext, args: argparse.Namespace) -> int:
    applied = ctx.migrate()
    _report(ctx, applied)
    print()
    if not ctx.settings.slack_configured:
        print(SLACK_HINT)
        print()
        print("Meanwhile, try in another terminal:")
        print("  .venv/bin/scrbot chat                                 # file a referral by conversation")
        print("  .venv/bin/scrbot refer --file examples/referral.json")
        print("  .venv/bin/scrbot case list")
        log.info("service started in local mode")
        if args.once:
            return 0
        stop = threading.Event()
        _start_dispatching(ctx, stop, args.outbox_every)
        return _wait(stop)
    return _serve_slack(ctx, args)


def _serve_slack(ctx: AppContext, args: argparse.Namespace) -> int:
    from bot.slack.app import build_slack_app
    from bot.slack.server import serve_http, socket_mode, tune_interpreter

    tune_interpreter()
    settings = ctx.settings
    app = build_slack_app(ctx.slack_services(), settings, ctx.slack_client)
    stop = threading.Event()
    _start_dispatching(ctx, stop, args.outbox_every)
    if settings.slack_socket_mode:
        handler = socket_mode(app, settings.slack_app_token)
        print("Slack: Socket Mode (the bot connects out to Slack; no public URL needed).")
        log.info("slack socket mode starting")
        if args.once:
            return 0
        handler.connect()  # type: ignore[no-untyped-call]
        code = _wait(stop)
        handler.close()  # type: ignore[no-untyped-call]
        return code
    server = serve_http(app, settings.slack_host, settings.slack_port)
    print(f"Slack: HTTP, request URL {server.url} (point the app's Request URL at its public address).")
    log.info("slack http endpoint listening on port %s", server.server_address[1])
    if args.once:
        server.server_close()
        return 0
    server.start_in_thread()
    code = _wait(stop)
    server.stop()
    return code


def _wait(stop: threading.Event) -> int:
    sys.stdout.flush()  # the banner, before a long wait (stdout may be a pipe to a supervisor)
    try:
        stop.wait()
    except KeyboardInterrupt:
        print("\nStopped.")
    stop.set()
    return 0
