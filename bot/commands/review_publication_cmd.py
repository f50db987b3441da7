"""`scrbot review publication status|plan|start|end|publish-anyway|withhold|published REF`: publication control
(004 §10): the planned date (it drafts the copies, due 7 working days before), holds while parallel proceedings
are open, the chair's decision to publish anyway or not to publish the full report (its message to the national
bodies drafted), and publication recorded (the 12-month minimum online starts)."""

from __future__ import annotations

import argparse
from functools import partial
from typing import TYPE_CHECKING, Any

from bot.commands.review_args import review_step_arguments
from bot.output import parse_date, print_json, uk_date

if TYPE_CHECKING:
    from bot.context import AppContext
    from cases.review.publication import Publication


# cases.review.publication's Proceeding values, spelled out so that building the command line imports no
# case rules (tests/bot/test_cli_start.py checks they agree).
PROCEEDINGS = ("criminal", "coroner", "disciplinary", "other")


def register(publication: argparse.ArgumentParser) -> None:
    steps = publication.add_subparsers(dest="publication_command", metavar="PUBLICATION_COMMAND", required=True)

    def common(name: str, help_text: str, handler: Any) -> argparse.ArgumentParser:
        p = steps.add_parser(name, help=help_text)
        review_step_arguments(p, agency=False, on=False)
        p.set_defaults(handler=handler)
        return p

    common("status", "planned date, open proceedings, whether publication is held", status)
    p = common("plan", "the planned publication date (drafts the copies, due 7 working days before)", plan_it)
    p.add_argument("--on", required=True, type=uk_date, help="the planned date (e.g. 01/07/2027)")
    for name, handler, what in (("start", started, "started"), ("end", ended, "ended")):
        p = common(name, f"parallel proceedings {what} (publication is held while any are open)", handler)
        p.add_argument("kind", choices=PROCEEDINGS, help="which proceedings")
        p.add_argument("--on", type=uk_date, help=f"when they {what} (today if left out)")
    p = common("publish-anyway", "the chair's decision to publish while proceedings are open", publish_anyway)
    p.add_argument("--reason", required=True, help="the chair's reason (stored encrypted)")
    p = common(
        "withhold", "the chair's decision not to publish the full report (drafts the message, 004 §10.5)", withhold
    )
    p.add_argument("--reasons", required=True, help="why the full report is not published (sent; no personal data)")
    p.add_argument("--improvements", required=True, help="the improvements to be made (sent; no personal data)")
    common("published", "the report is published today (not while held; 7 working days after the copies)", published)


def _json(reference: str, publication: Publication) -> dict[str, Any]:
    return {
        "reference": reference.upper(),
        "state": publication.state,
        "held": publication.held,
        "planned_on": publication.planned_on.isoformat() if publication.planned_on else None,
        "published_on": publication.published_on.isoformat() if publication.published_on else None,
        "open_proceedings": [k.value for k in publication.open_proceedings],
        "publish_anyway_on": publication.publish_anyway_on.isoformat() if publication.publish_anyway_on else None,
    }


def _show(args: argparse.Namespace, publication: Publication) -> int:
    if args.json:
        print_json(_json(args.reference, publication))
    else:
        planned = f"; planned for {publication.planned_on}" if publication.planned_on else ""
        print(f"{args.reference.upper()}: publication {publication.state}{planned}.")
    return 0


def status(ctx: AppContext, args: argparse.Namespace) -> int:
    from storage.review_publication import Publications

    return _show(args, Publications(ctx.store).view(args.reference))


def _record(ctx: AppContext, args: argparse.Namespace, step: Any) -> int:
    from bot.context import cli_actor
    from storage.review_publication import Publications

    now = ctx.now_clock.now()
    return _show(args, Publications(ctx.store).record(args.reference, step, actor=cli_actor(), now=now))


def plan_it(ctx: AppContext, args: argparse.Namespace) -> int:
    from cases.calendar import local_date
    from cases.review.publication import plan

    today = local_date(ctx.now_clock.now())
    return _record(ctx, args, partial(plan, on=parse_date(args.on), today=today))


def started(ctx: AppContext, args: argparse.Namespace) -> int:
    from cases.calendar import local_date
    from cases.review.publication import Proceeding, start

    on = parse_date(args.on) if args.on else local_date(ctx.now_clock.now())
    return _record(ctx, args, partial(start, kind=Proceeding(args.kind), on=on))


def ended(ctx: AppContext, args: argparse.Namespace) -> int:
    from cases.calendar import local_date
    from cases.review.publication import Proceeding, end

    on = parse_date(args.on) if args.on else local_date(ctx.now_clock.now())
    return _record(ctx, args, partial(end, kind=Proceeding(args.kind), on=on))


def publish_anyway(ctx: AppContext, args: argparse.Namespace) -> int:
    from bot.context import cli_actor
    from storage.review_publication import Publications

    now = ctx.now_clock.now()
    publications = Publications(ctx.store)
    return _show(args, publications.publish_anyway(args.reference, reason=args.reason, actor=cli_actor(), now=now))


def withhold(ctx: AppContext, args: argparse.Namespace) -> int:
    from bot.context import cli_actor
    from storage.review_publication import Publications

    now = ctx.now_clock.now()
    publication = Publications(ctx.store).withhold(
        args.reference, reasons=args.reasons, improvements=args.improvements, actor=cli_actor(), now=now
    )
    if not args.json:
        print(f"{args.reference.upper()}: the decision not to publish the full report is drafted for approval.")
        return 0
    return _show(args, publication)


def published(ctx: AppContext, args: argparse.Namespace) -> int:
    from bot.context import cli_actor
    from storage.review_publication import Publications

    now = ctx.now_clock.now()
    return _show(args, Publications(ctx.store).publish(args.reference, actor=cli_actor(), now=now))
