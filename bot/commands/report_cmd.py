"""`scrbot report`: the board's figures for a reporting year or any period, as an HTML page with charts and a
CSV of the same figures (000 appendix 1 §2; 004 §1.3)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.output import CommandError, parse_date, print_json, uk_date

if TYPE_CHECKING:
    from bot.context import AppContext
    from cases.figures.period import Period


def register(sub: Any) -> None:
    p = sub.add_parser(
        "report",
        help="the board's figures for a year or period: an HTML page with charts, and CSV",
        description="Write the board's figures (referrals, decisions, reviews open, stage durations, statutory "
        "duties on time, agencies' timeliness, extensions, costs) as one self-contained HTML page and a CSV file. "
        "Counts from 1 to 4 are shown as 'fewer than 5' unless --no-suppress.",
    )
    p.add_argument("--year", help="the reporting year, e.g. 2026-27 (April to March unless the board config says)")
    p.add_argument("--from", dest="start", type=uk_date, help="first day of the period (e.g. 1/4/2026)")
    p.add_argument("--to", dest="end", type=uk_date, help="last day of the period (e.g. 31/3/2027)")
    p.add_argument("--output", type=Path, default=None, help="folder to write into (default: DATA_DIR/reports)")
    p.add_argument(
        "--no-suppress",
        action="store_true",
        help="show counts under 5 as they are: an internal copy, which says so on every page",
    )
    p.add_argument("--json", action="store_true", help="print what was written and the headline figures as JSON")
    p.set_defaults(handler=report)


def period_asked(ctx: AppContext, args: argparse.Namespace) -> Period:
    from cases.calendar import local_date
    from cases.figures.period import between, reporting_year, year_of

    start_month = ctx.board.figures.reporting_year_start_month
    if args.year and (args.start or args.end):
        raise CommandError("give either --year or --from and --to, not both")
    if args.year:
        return reporting_year(args.year, start_month=start_month)
    if args.start or args.end:
        if not (args.start and args.end):
            raise CommandError("--from and --to go together: give both")
        return between(parse_date(args.start), parse_date(args.end))
    return year_of(local_date(ctx.now_clock.now()), start_month=start_month)


def report(ctx: AppContext, args: argparse.Namespace) -> int:
    from cases.calendar import local_date

    period = period_asked(ctx, args)  # a wrong year is one line before anything is opened
    from reports.write import write_report  # matplotlib is imported only by this command

    now = ctx.now_clock.now()
    figures = ctx.store.figures(period, today=local_date(now))
    written = write_report(
        figures,
        board=ctx.board,
        pack=ctx.pack,
        output=args.output or ctx.settings.data_dir / "reports",
        suppress=not args.no_suppress,
        made_at=now,
    )
    if args.json:
        print_json(
            {
                "period": {"label": period.label, "start": period.start.isoformat(), "end": period.end.isoformat()},
                "html": str(written.html),
                "csv": str(written.csv),
                "suppressed": not args.no_suppress,
                "empty": figures.empty,
                "headline": written.headline,
            }
        )
        return 0
    print(f"The board's figures for {period.label}:")
    print(f"  {written.html}")
    print(f"  {written.csv}")
    if figures.empty:
        print("No cases in this period.")
    if args.no_suppress:
        print("Internal copy: small numbers are not suppressed. Not for publication.")
    return 0
