"""`scrbot deadlines --event EVENT --on DATE`: the deadlines an event starts, from the rules pack alone.

`scrbot deadlines --ics [--output FILE]`: every open deadline of every case as an iCalendar feed (case
reference, rule and agency ids and dates only). The service also keeps DATA_DIR/calendar/deadlines.ics up to
date for the business unit to subscribe to.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.output import CommandError, parse_date, print_json, print_table, uk_date
from cases.events import CaseEvent, Outcome

if TYPE_CHECKING:
    from bot.context import AppContext


def register(sub: Any) -> None:
    p = sub.add_parser(
        "deadlines",
        help="the deadlines an event starts (working days, bank holidays, closures); --ics: all open deadlines",
    )
    p.add_argument("--event", choices=[e.value for e in CaseEvent], help="the event that starts the clocks")
    p.add_argument("--on", type=uk_date, help="date of the event (e.g. 31/12/2026)")
    p.add_argument("--ics", action="store_true", help="every open deadline of every case as iCalendar (RFC 5545)")
    p.add_argument("--output", type=Path, help="with --ics: write to this file instead of standard output")
    p.add_argument("--outcome", choices=[o.value for o in Outcome], help="for decision_made")
    p.add_argument("--new-date", type=uk_date, help="for review_extended: the new completion date")
    p.add_argument("--rules", help="rules pack (default: the board's)")
    p.add_argument("--no-leder", action="store_true", help="the child had no learning disability or did not die")
    p.add_argument("--json", action="store_true", help="print JSON (for scripts) instead of text")
    p.set_defaults(handler=run)


def run(ctx: AppContext, args: argparse.Namespace) -> int:
    from bot.config import load_pack
    from cases.answers import Answer
    from cases.board import BoardConfigError
    from cases.calendar import WorkingCalendar
    from cases.rules import Fact
    from cases.timeline import EventRecord, compute_deadlines

    if args.ics:
        return calendar(ctx, args)
    if not args.event or not args.on:
        raise CommandError("give --event and --on (the deadlines an event starts), or --ics (all open deadlines)")
    event = CaseEvent(args.event)
    if event is CaseEvent.DECISION_MADE and not args.outcome:
        raise CommandError("--event decision_made needs --outcome")
    try:
        board = ctx.board
        closure_days = board.closure_days
        pack_name = args.rules or board.rules_pack
        base = ctx.board_path.parent
    except BoardConfigError:
        if not args.rules:
            raise
        closure_days, pack_name, base = (), args.rules, None
    pack = load_pack(pack_name, base)
    record = EventRecord(
        on=parse_date(args.on),
        outcome=Outcome(args.outcome) if args.outcome else None,
        new_due=parse_date(args.new_date) if args.new_date else None,
    )
    facts = {Fact.LEARNING_DISABILITY: Answer.NO} if args.no_leder else {}
    deadlines = compute_deadlines(pack, {event: record}, WorkingCalendar.england(closure_days), facts=facts)
    if args.json:
        print_json(
            [
                {
                    "rule": d.rule,
                    "due": d.due.isoformat(),
                    "act_by": d.act_by.isoformat(),
                    "limit": d.limit,
                    "source": d.source,
                    "trigger_event": d.trigger_event.value,
                    "trigger_date": d.trigger_date.isoformat(),
                    "occurrence": d.occurrence,
                    "per_agency": d.per_agency,
                    "minimum_period": d.minimum_period,
                    "action": d.action,
                    "who": d.who,
                    "text": d.text,
                    # Where the seeds or the law set no time, or the board chose between them (README tables).
                    "note": pack.rule(d.rule).note or None,
                    "rules_pack": pack.id,
                }
                for d in deadlines
            ]
        )
        return 0
    if not deadlines:
        print(f"{event.value} starts no deadlines in rules pack {pack.id}.")
        return 0
    print_table(
        ["RULE", "DUE", "ACT BY", "LIMIT", "SOURCE"],
        [
            (d.rule + (f" #{d.occurrence}" if d.occurrence > 1 else ""), d.due, d.act_by, d.limit, d.source)
            for d in deadlines
        ],
    )
    notes = {d.rule: pack.rule(d.rule).note for d in deadlines if pack.rule(d.rule).note}
    if notes:
        print()
        for rule_id, note in notes.items():
            print(f"{rule_id}: {note}")
    return 0


def calendar(ctx: AppContext, args: argparse.Namespace) -> int:
    if args.event or args.on:
        raise CommandError("--ics lists every open deadline; it takes no --event or --on")
    now = ctx.now_clock.now()
    if args.output is not None:
        count = ctx.notify.write_calendar(args.output, now)
        print(f"Wrote {count} open deadline(s) to {args.output}.")
        return 0
    sys.stdout.write(ctx.notify.calendar_text(now))
    return 0
