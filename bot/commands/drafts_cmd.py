"""`scrbot drafts list|expire`: half-finished referrals (counts and ages only: their content is personal data)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from bot.clock import parse_moment
from bot.output import print_json, print_table, uk_moment

if TYPE_CHECKING:
    from bot.context import AppContext


def register(sub: Any) -> None:
    drafts = sub.add_parser("drafts", help="half-finished referrals: list, expire stale ones")
    ds = drafts.add_subparsers(dest="drafts_command", metavar="DRAFTS_COMMAND", required=True)
    p = ds.add_parser("list", help="drafts with owner, channel, last change and expiry (no content)")
    p.add_argument("--json", action="store_true", help="print JSON (for scripts) instead of text")
    p.set_defaults(handler=list_drafts)
    p = ds.add_parser(
        "expire",
        help="warn owners of drafts about to expire (Slack DM), delete those untouched for SCRBOT_DRAFT_KEEP_DAYS",
    )
    p.add_argument("--now", type=uk_moment, help="pretend it is this date (e.g. 24/12/2026) or ISO date and time")
    p.add_argument("--json", action="store_true", help="print JSON (for scripts) instead of text")
    p.set_defaults(handler=expire)


def list_drafts(ctx: AppContext, args: argparse.Namespace) -> int:
    drafts = ctx.drafts
    rows = drafts.list_notices()
    if args.json:
        print_json([{"owner": r.owner, "channel": r.channel, "flow": r.flow, "expires_at": r.expires_at} for r in rows])
        return 0
    if not rows:
        print("No drafts.")
        return 0
    print_table(["OWNER", "CHANNEL", "FLOW", "EXPIRES"], [(r.owner, r.channel, r.flow, r.expires_at) for r in rows])
    return 0


def expire(ctx: AppContext, args: argparse.Namespace) -> int:
    from notify.draft_notices import sweep_drafts

    now = parse_moment(args.now) if args.now else ctx.now_clock.now()
    swept = sweep_drafts(ctx.drafts, ctx.outbox, now)
    ctx.dispatcher.dispatch_due(now)
    if args.json:
        print_json({"warned": swept.warned, "expired": swept.expired})
    else:
        print(f"Warned {swept.warned} owner(s) of drafts about to expire; expired {swept.expired} draft(s).")
    return 0
