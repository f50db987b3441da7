"""`scrbot case cost REF --kind KIND (--amount POUNDS | --hours HOURS) [--on DATE] [--note TEXT]`: record a cost of
a review (000 appendix 1 §2), audited. Panel and author time is given in hours and priced at the board's
hourly rate (`[figures] hourly_rate`); a note that names the child or family is refused."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from bot.output import parse_date, print_json, uk_date

if TYPE_CHECKING:
    from bot.context import AppContext


def register_case(cs: Any) -> None:
    from cases.costs import CostKind

    p = cs.add_parser("cost", help="record a cost of a review: fees, panel or author hours, other (audited)")
    p.add_argument("reference", help="the case reference, e.g. SCR-2026-0001")
    p.add_argument("--kind", required=True, choices=[k.value for k in CostKind], help="what the cost is for")
    p.add_argument("--amount", help="the amount in pounds, e.g. 1250.50 (reviewer_fees, other)")
    p.add_argument("--hours", help="hours of time, e.g. 7.5 (panel_hours, author_hours: priced at the board's rate)")
    p.add_argument("--on", type=uk_date, help="when the cost was incurred (default: today)")
    p.add_argument("--note", default="", help="what it was (no personal data: a note naming the family is refused)")
    p.add_argument("--json", action="store_true", help="print JSON (for scripts) instead of text")
    p.set_defaults(handler=record_cost)


def record_cost(ctx: AppContext, args: argparse.Namespace) -> int:
    from bot.context import cli_actor
    from cases.calendar import local_date
    from cases.costs import CostKind, money, pounds_text

    now = ctx.now_clock.now()
    entry = ctx.store.cases.record_cost(
        args.reference,
        CostKind(args.kind),
        on=parse_date(args.on) if args.on else local_date(now),
        actor=cli_actor(),
        now=now,
        amount=money(args.amount, field="amount") if args.amount is not None else None,
        hours=money(args.hours, field="hours") if args.hours is not None else None,
        note=args.note,
    )
    if args.json:
        print_json(
            {
                "reference": args.reference.upper(),
                "kind": entry.kind.value,
                "on": entry.incurred_on.isoformat(),
                "amount": f"{entry.amount_pence / 100:.2f}",
                "hours": str(entry.hours) if entry.hours is not None else None,
            }
        )
        return 0
    hours = f" ({entry.hours} hours)" if entry.hours is not None else ""
    what = f"{entry.kind.label.lower()} {pounds_text(entry.amount_pence)}{hours}"
    print(f"{args.reference.upper()}: {what} on {entry.incurred_on:%d/%m/%Y}.")
    return 0
