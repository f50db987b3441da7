"""`scrbot decide REF --outcome OUTCOME [--on DATE]`: record the board's decision (the bot never makes it)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from bot.output import deadline_json, parse_date, print_json, uk_date
from cases.events import Outcome

if TYPE_CHECKING:
    from bot.context import AppContext


def register(sub: Any) -> None:
    p = sub.add_parser("decide", help="record the decision on a case; starts the decision's deadlines")
    p.add_argument("reference", help="the case reference, e.g. SCR-2026-0001")
    p.add_argument(
        "--outcome", required=True, choices=[o.value for o in Outcome], help="the decision (004 Appendix 1 §5, §12)"
    )
    p.add_argument(
        "--on", type=uk_date, help="date of the decision (e.g. 31/12/2026; today if left out; never a future date)"
    )
    p.add_argument("--by", default="", help="who decided (e.g. the chair)")
    p.add_argument("--rationale", default="", help="the reasons, as recorded by the board")
    p.add_argument("--detail", default="", help="for 'other': what; for 'referred_other_board': which board")
    p.add_argument("--json", action="store_true", help="print JSON (for scripts) instead of text")
    p.set_defaults(handler=run)


def run(ctx: AppContext, args: argparse.Namespace) -> int:
    from bot.context import cli_actor
    from cases.calendar import local_date
    from cases.case import parse_decision

    now = ctx.now_clock.now()
    decision = parse_decision(
        outcome=Outcome(args.outcome),
        decided_on=parse_date(args.on) if args.on else local_date(now),
        decided_by=args.by,
        rationale=args.rationale,
        detail=args.detail,
    )
    deadlines = ctx.store.cases.record_decision(args.reference, decision, actor=cli_actor(), now=now)
    started = [d for d in deadlines if d.computed.trigger_event.value == "decision_made"]
    if args.json:
        print_json(
            {
                "reference": args.reference.upper(),
                "outcome": decision.outcome.value,
                "deadlines": [deadline_json(d) for d in started],
            }
        )
        return 0
    print(f"{args.reference.upper()}: decision recorded ({decision.outcome.value}, {decision.decided_on}).")
    for d in started:
        rule = f"{d.computed.rule} ({d.computed.agency})" if d.computed.agency else d.computed.rule
        print(f"  {rule:<34} act by {d.computed.act_by}  ({d.computed.limit}, {d.computed.source})")
    return 0
