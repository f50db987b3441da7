"""`scrbot doctor [--quick] [--json]`: one line per check, ok or what to fix; exit 1 on any failure.

Where one deployment serves many boards (SCRBOT_BOARD_DIR), the deployment's checks run once and then each
board's own, their lines starting with the board's id (bot/doctor/boards.py); `--board ID` checks that board.

`--quick` makes no network call (no Slack, mailbox or PostgreSQL): the container healthcheck. It builds
its own context, so that wrong settings are reported as its first line rather than stopping it.
"""

from __future__ import annotations

import argparse
from typing import Any

from bot.clock import Clock
from bot.output import print_json

EXIT_FAILED_CHECK = 1


def register(sub: Any) -> None:
    p = sub.add_parser("doctor", help="check settings, board, keys, database, Slack and mailbox: ok or what to fix")
    p.add_argument("--quick", action="store_true", help="no network calls (for a container healthcheck)")
    p.add_argument("--json", action="store_true", help="print JSON (for scripts) instead of text")
    p.set_defaults(handler=run, own_context=True)


def run(args: argparse.Namespace, clock: Clock | None) -> int:
    from bot.context import AppContext
    from bot.doctor.boards import diagnose_deployment  # only when asked: every other command starts without it

    report, contexts = diagnose_deployment(
        lambda: AppContext(clock=clock, json_output=args.json, board_id=args.board), quick=args.quick
    )
    try:
        if args.json:
            print_json(report.as_json())
        else:
            for line in report.lines():
                print(line)
            failed = report.failed
            boards = sorted({board for board, _ in failed if board is not None})
            where = f" (board{'s' if len(boards) > 1 else ''} {', '.join(boards)})" if report.many and boards else ""
            print(f"{len(failed)} check(s) failed{where}." if failed else "All checks passed.")
    finally:
        for ctx in contexts:
            ctx.close()
    return EXIT_FAILED_CHECK if report.failed else 0
