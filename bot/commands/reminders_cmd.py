"""`scrbot reminders run [--now DATETIME]`: one reminder sweep (and a dispatch); `scrbot reminders list`.

The service runs the sweep every minute; this runs one by hand, or with an injected clock to see what a
given moment would send (a bare date means 09:00 UTC that day). Reminders due before `--now` and not yet
sent go out once, marked late.
"""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.clock import parse_moment
from bot.output import CommandError, print_json, print_table, uk_moment

if TYPE_CHECKING:
    from bot.context import AppContext


def register(sub: Any) -> None:
    reminders = sub.add_parser("reminders", help="run a reminder sweep; list pending reminders")
    rs = reminders.add_subparsers(dest="reminders_command", metavar="REMINDERS_COMMAND", required=True)

    p = rs.add_parser("run", help="run one sweep now (or at --now), then send what it queued")
    p.add_argument(
        "--now", type=uk_moment, help="the moment to sweep at (a date, or an ISO date and time; testing and simulation)"
    )
    p.add_argument("--no-send", action="store_true", help="queue the messages but do not dispatch them")
    p.add_argument("--batch", type=int, default=1000, help="reminders claimed per transaction (default 1000)")
    p.add_argument("--json", action="store_true", help="print JSON (for scripts) instead of text")
    p.set_defaults(handler=run)

    p = rs.add_parser("list", help="reminders still to be sent (references, rules and dates only)")
    p.add_argument("--case", help="only this case reference")
    p.add_argument("--limit", type=int, default=200, help="show at most this many (default 200)")
    p.add_argument("--json", action="store_true", help="print JSON (for scripts) instead of text")
    p.set_defaults(handler=list_reminders)


def _moment(ctx: AppContext, text: str | None) -> datetime:
    if not text:
        return ctx.now_clock.now()
    try:
        return parse_moment(text)
    except ValueError:
        raise CommandError(f"{text!r} is not a date or datetime; use e.g. 2026-12-24 or 2026-12-24T09:05") from None


def run(ctx: AppContext, args: argparse.Namespace) -> int:
    from notify.service import dispatch_all

    now = _moment(ctx, args.now)
    if args.batch < 1:
        raise CommandError("--batch must be 1 or more")
    ctx.notify.sweep.batch = args.batch
    report = ctx.notify.run_reminders(now)
    dispatched = None if args.no_send else dispatch_all(ctx.dispatcher, now)
    if args.json:
        print_json(
            {
                "now": now.isoformat(),
                "reminders_sent": len(report.sent),
                "reminder_ids": report.sent,
                "late": len(report.late),
                "cancelled": len(report.cancelled),
                "digests": report.digests,
                "messages_queued": report.messages,
                "dispatched": None if dispatched is None else {"sent": dispatched.sent, "failed": dispatched.failed},
            }
        )
        return 0
    print(
        f"Sweep at {now.isoformat()}: {len(report.sent)} reminder(s) sent ({len(report.late)} late), "
        f"{len(report.cancelled)} cancelled (deadline met or moved), {report.digests} digest(s); "
        f"{len(report.messages)} message(s) queued."
    )
    if dispatched is not None:
        print(f"Dispatched: {len(dispatched.sent)} sent, {len(dispatched.failed)} failed (retried with backoff).")
    return 0


def list_reminders(ctx: AppContext, args: argparse.Namespace) -> int:
    with ctx.store.sessions() as s:
        rows = ctx.notify.sweep.rows.pending(s, case_ref=args.case, limit=args.limit)
    if args.json:
        print_json(
            [
                {
                    "case": r.case_ref or None,
                    "rule": r.rule_id or None,
                    "agency": r.agency_id or None,
                    "rung": r.rung,
                    "to": r.audience,
                    "remind_on": r.remind_on.isoformat(),
                    "due_at": r.due_at.isoformat(),
                    "act_by": r.act_by.isoformat() if r.act_by else None,
                }
                for r in rows
            ]
        )
        return 0
    if not rows:
        print("No reminders pending.")
        return 0
    print_table(
        ["REMIND ON", "CASE", "RULE", "AGENCY", "RUNG", "TO", "ACT BY"],
        [
            (r.remind_on, r.case_ref or "-", r.rule_id or "-", r.agency_id, r.rung, r.audience, r.act_by or "")
            for r in rows
        ],
    )
    return 0
