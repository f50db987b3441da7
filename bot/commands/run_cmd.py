"""`scrbot run`: the service.

With Slack settings it serves the Slack app (HTTP on SCRBOT_SLACK_PORT, or Socket Mode with an app token);
without them it runs in local mode on SQLite, a key file and folders under ./var/: channel notices and
reminders print to the console and outbound mail lands as .eml files in the outbox folder.

The scheduler (notify/scheduler.py) ticks every periodic job features register in `ctx.jobs`: the reminder
sweep, the outbox dispatcher, the calendar file, draft expiry, mailbox polling. Every job works from
database rows, so stopping and starting the service, or running several, loses and doubles nothing; on
start each job runs at once, so what fell due while the service was down goes out straight away (marked
late).
"""

from __future__ import annotations

import argparse
import faulthandler
import logging
import signal
import sys
import threading
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from bot.mailboxes import board_folder

if TYPE_CHECKING:
    from slack_bolt.oauth import OAuthFlow

    from bot.context import AppContext
    from bot.deployment import Deployment
    from bot.settings import Settings
    from bot.slack.routing import BoardApps

log = logging.getLogger("scrbot")

# sysexits.h EX_CONFIG: the set-up must change before a restart can help (systemd: RestartPreventExitStatus=78).
EXIT_REFUSED_TO_START = 78

SLACK_HINT = """\
Slack is not configured. To connect it (see README, "Slack"):
  1. Create the app from bot/slack/manifest.json (api.slack.com/apps > Create New App > From a manifest).
  2. Set SCRBOT_SLACK_BOT_TOKEN (xoxb-...) and either SCRBOT_SLACK_SIGNING_SECRET (HTTP, port
     SCRBOT_SLACK_PORT, default 3000) or SCRBOT_SLACK_APP_TOKEN (xapp-..., Socket Mode: no public URL needed).
  3. Put the business unit's channel id in the board config: [slack] business_unit_channel = "C0..."."""


# notify.service's DISPATCH_EVERY, spelled out so that building the command line imports no notify service
# (tests/bot/test_cli_start.py checks they agree).
DISPATCH_EVERY_SECONDS = 15.0


def register(sub: Any) -> None:
    p = sub.add_parser("run", help="run the service (local mode when Slack and mail are not configured)")
    p.add_argument("--once", action="store_true", help="start, run every periodic job once, report, and exit")
    p.add_argument(
        "--outbox-every",
        type=float,
        default=DISPATCH_EVERY_SECONDS,
        metavar="SECONDS",
        help=f"send what is due in the outbox this often (default {DISPATCH_EVERY_SECONDS:g})",
    )
    p.set_defaults(handler=run)


def _every(seconds: float) -> str:
    if seconds % 3600 == 0:
        return f"{int(seconds // 3600)} h"
    if seconds % 60 == 0:
        return f"{int(seconds // 60)} min"
    return f"{seconds:g} s"


def _report(deployment: Deployment, applied: bool) -> None:
    first = next(iter(deployment))
    settings = first.settings
    print("SCR Bot is running in local mode." if settings.local_mode else "SCR Bot is running.")
    for ctx in deployment:
        _report_board(ctx)
    if applied:
        print("  migrations:   applied")
    jobs = deployment.jobs.jobs()
    if deployment.many:
        print(f"  scheduler:    {len(jobs)} job(s) for {len(deployment.contexts)} boards")
    else:
        print("  scheduler:    " + ", ".join(f"{j.name} every {_every(j.interval.total_seconds())}" for j in jobs))


def _report_board(ctx: AppContext) -> None:
    store = ctx.store
    print(f"  board:        {store.board.name} ({store.board.id})")
    for name, value in ctx.where().items():
        print(f"  {name + ':':<13} {value}")
    print(f"  open cases:   {len(store.cases.list_cases(today=ctx.now_clock.now().date()))}")
    mailbox: str = ctx.settings.mail_backend
    if mailbox == "maildir":
        mailbox += f" (inbox {board_folder(ctx.settings.maildir_inbox, ctx.board.id, shared=ctx.shares_deployment)})"
    print(f"  mailbox:      {mailbox}")
    outbox = board_folder(ctx.settings.mail_outbox_dir, ctx.board.id, shared=ctx.shares_deployment)
    print(f"  outbox:       {outbox} (.eml files)")
    print(f"  calendar:     {ctx.calendar_file}")


def preflight(ctx: AppContext) -> bool:
    """The doctor's checks, before anything starts: anything not ok is shown; a failure that would lose or
    leak data (a key file others can read, keys missing beside sealed data...) stops the start."""
    from bot.doctor import diagnose

    report, _ctx = diagnose(lambda: ctx)
    for result, line in zip(report.results, report.lines(), strict=True):
        if result.status.value in {"warn", "fail"}:
            print(line)
    if report.blocking:
        print(
            f"SCR Bot will not start: {len(report.blocking)} check(s) above would lose or leak data if it ran. "
            "Fix them (`scrbot doctor` shows every check)."
        )
        log.error("start refused: %s", ", ".join(r.check for r in report.blocking))
        return False
    return True


def run(ctx: AppContext, args: argparse.Namespace) -> int:
    from bot.deployment import Deployment

    deployment = Deployment.of(ctx)
    try:
        return _run(deployment, ctx, args)
    finally:
        deployment.close()


def _run(deployment: Deployment, ctx: AppContext, args: argparse.Namespace) -> int:
    from notify.scheduler import Ticker

    if not all(preflight(board) for board in deployment):
        return EXIT_REFUSED_TO_START
    applied = ctx.migrate()
    deployment.set_interval("outbox", timedelta(seconds=args.outbox_every))
    _report(deployment, applied)
    print()
    teams = [board for board in deployment if board.teams_on]
    for board in teams:
        board.teams  # noqa: B018 - every Teams board built before the first one's endpoint serves them all
    teams = teams[:1]  # the others' activities go through it (bot/teams/server.py)
    if not ctx.settings.slack_configured and not teams:
        print(SLACK_HINT)
        print()
        print("Meanwhile, try in another terminal:")
        print("  .venv/bin/scrbot chat                                 # file a referral by conversation")
        print("  .venv/bin/scrbot refer --file examples/referral.json")
        print("  .venv/bin/scrbot case list")
        print("  .venv/bin/scrbot mail deliver examples/mail/police-reply.eml  # an agency's reply by email")
        print("  .venv/bin/scrbot notify list")
    log.info("service started%s", " in local mode" if ctx.settings.local_mode else "")
    if args.once:
        results = deployment.jobs.run_all(ctx.now_clock.now())
        failed = sorted(name for name, ok in results.items() if not ok)
        print(f"Ran {len(results)} periodic job(s) once" + (f"; failed: {', '.join(failed)}" if failed else "."))
        if failed:
            return 1
        for board in teams:
            _serve_teams(board, once=True)
        return _serve_slack(deployment, once=True, board=args.board) if ctx.settings.slack_configured else 0
    for board in deployment:
        board.dispatcher  # built here, in the main thread, before the scheduler's threads use it  # noqa: B018
    for board in teams:
        _serve_teams(board, once=False)
    ticker = Ticker(deployment.jobs, ctx.now_clock.now)
    ticker.start(run_now=True)
    try:
        if ctx.settings.slack_configured:
            return _serve_slack(deployment, once=False, board=args.board)
        return _wait(threading.Event())
    finally:
        ticker.shutdown(wait=True)
        for board in teams:
            if board.teams.server is not None:
                board.teams.server.stop()
        print("Stopped.", flush=True)


def _serve_teams(ctx: AppContext, *, once: bool) -> None:
    """The Teams messaging endpoint, on its own thread (bot/teams/server.py)."""
    runtime = ctx.teams
    if once:
        print(f"Teams: messaging endpoint would listen on {ctx.settings.teams_host}:{ctx.settings.teams_port}.")
        return
    server = runtime.serve()
    print(f"Teams: messaging endpoint {server.url} (the Azure Bot's messaging endpoint is its public address).")
    log.info("teams endpoint listening on port %s", server.port)


def _serve_slack(deployment: Deployment, *, once: bool, board: str | None = None) -> int:
    """One bolt app per board, each with that board's services; requests go to the board whose Slack
    workspace sent them (bot/slack/routing.py). The conversation steps they keep are worked on by
    `scrbot steps work`, a process of its own this one starts and restarts (bot/slack/step_process.py)."""
    from bot.slack.server import tune_interpreter
    from bot.slack.step_process import StepWorkerProcess

    tune_interpreter()
    worker = None if once else StepWorkerProcess(board=board)
    if worker is None:
        apps, services = deployment.slack_apps()
    else:
        apps, services = deployment.slack_apps(steps_owner=worker.owner, steps_elsewhere=worker.wake)
        worker.start()
        print(f"Slack: conversation steps are worked on by process {worker.pid} (started again if it stops).")
    try:
        flow = deployment.slack_install_flow()
        return _serve_slack_app(apps, next(iter(deployment)).settings, once=once, oauth_flow=flow)
    finally:
        for built in services:
            built.close()  # steps kept but not worked on yet stay for the next start
        if worker is not None:
            worker.stop()


def _serve_slack_app(apps: BoardApps, settings: Settings, *, once: bool, oauth_flow: OAuthFlow | None = None) -> int:
    from bot.slack.routing import SlackBoardsError
    from bot.slack.server import serve_http, socket_mode

    if settings.slack_socket_mode:
        app = apps.single
        if app is None:
            raise SlackBoardsError("Socket Mode serves one board: serve many boards over HTTP", field="slack_app_token")
        handler = socket_mode(app, settings.slack_app_token)
        print("Slack: Socket Mode (the bot connects out to Slack; no public URL needed).")
        log.info("slack socket mode starting")
        if once:
            return 0
        handler.connect()  # type: ignore[no-untyped-call]
        code = _wait(threading.Event())
        handler.close()  # type: ignore[no-untyped-call]
        return code
    server = serve_http(apps, settings.slack_host, settings.slack_port, oauth_flow=oauth_flow)
    print(f"Slack: HTTP, request URL {server.url} (point the app's Request URL at its public address).")
    log.info("slack http endpoint listening on port %s", server.server_address[1])
    if once:
        server.server_close()
        return 0
    server.start_in_thread()
    code = _wait(threading.Event())
    server.stop()
    return code


def _wait(stop: threading.Event) -> int:
    """Serve until SIGINT (Ctrl-C) or SIGTERM (a supervisor such as systemd) asks the service to stop.

    The handlers are set explicitly: a process started in the background by a shell inherits SIGINT as
    ignored, and SIGTERM's default would end it without letting running jobs finish. SIGUSR1 prints every
    thread's stack (code locations only, never data) for diagnosing a stuck service."""

    def request_stop(signum: int, _frame: object) -> None:
        stop.set()

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, request_stop)
    faulthandler.register(signal.SIGUSR1, all_threads=True)
    sys.stdout.flush()  # the banner, before a long wait (stdout may be a pipe to a supervisor)
    stop.wait()  # a signal interrupts the wait, runs its handler (which sets `stop`), and the wait returns
    print("\nStopping...", flush=True)
    return 0
