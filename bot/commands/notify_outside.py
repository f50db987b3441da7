"""`scrbot notify form|submitted|panel-response`: notifications a person makes outside the bot.

Under Working Together 2023 the serious incident notification is made on the national online form, not by
email (Children Act 2004 s.16C): `form` shows the fields the pack words for it (audited: it holds the
child's initials and dates), `submitted` records the submission with the portal's reference and date, which
meets the rule the pack says it discharges (`panel_notification`). The rapid review sent to the Panel is
recorded the same way (`--form rapid_review_to_panel`), and the Panel's response with `panel-response`.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from bot.output import parse_date, print_json, uk_date

if TYPE_CHECKING:
    from bot.context import AppContext

# cases.events.PanelResponse's values, spelled out so that building the command line imports no more than
# it needs (tests/bot/test_cli_start.py); the command checks them against the enum when it runs.
PANEL_RESPONSES = ("agrees", "disagrees", "asks_questions")


def register(ns: Any) -> None:
    p = ns.add_parser("form", help="the fields to submit on the national online form (or a cover note); audited")
    p.add_argument("case", help="case reference")
    p.add_argument("--form", help="which of the pack's notifications (default: its first made outside the bot)")
    p.add_argument("--json", action="store_true", help="print JSON (for scripts) instead of text")
    p.set_defaults(handler=show_form)

    p = ns.add_parser("submitted", help="record a notification made on the national online form (or sent by hand)")
    p.add_argument("case", help="case reference")
    p.add_argument("--portal-ref", default="", help="the reference the online form gave")
    p.add_argument("--on", type=uk_date, required=True, help="the date it was submitted (e.g. 29/12/2026)")
    p.add_argument("--form", help="which of the pack's notifications (default: its first made outside the bot)")
    p.add_argument("--json", action="store_true", help="print JSON (for scripts) instead of text")
    p.set_defaults(handler=submitted)

    p = ns.add_parser("panel-response", help="record the Panel's response to the rapid review")
    p.add_argument("case", help="case reference")
    p.add_argument(
        "--response",
        required=True,
        choices=PANEL_RESPONSES,
        help="what the Panel said of the rapid review",
    )
    p.add_argument("--on", type=uk_date, required=True, help="the date of the Panel's response")
    p.add_argument("--json", action="store_true", help="print JSON (for scripts) instead of text")
    p.set_defaults(handler=panel_response)


def show_form(ctx: AppContext, args: argparse.Namespace) -> int:
    from bot.context import cli_actor
    from notify.outside_forms import outside_form

    now, reply_to = ctx.now_clock.now(), ctx.settings.mail_from
    notification, rendered = outside_form(
        ctx.store.cases, args.case, args.form, actor=cli_actor(), now=now, reply_to=reply_to
    )
    if args.json:
        print_json({"form": notification.template, "via": notification.via.value, "text": rendered.text})
        return 0
    print(rendered.text.rstrip())
    return 0


def submitted(ctx: AppContext, args: argparse.Namespace) -> int:
    from bot.context import cli_actor
    from cases.commands import RecordSubmission

    reference = args.case.upper()
    on = parse_date(args.on)
    command = RecordSubmission(args.form or "", on, args.portal_ref)
    [met] = ctx.store.cases.record_outside(reference, command, actor=cli_actor(), now=ctx.now_clock.now())
    if args.json:
        print_json(
            {
                "case": reference,
                "portal_ref": args.portal_ref or None,
                "rule": met.computed.rule,
                "state": met.state.value,
                "met_on": met.met_on.isoformat() if met.met_on else None,
                "act_by": met.computed.act_by.isoformat(),
            }
        )
        return 0
    print(f"{reference}: submission recorded on {on}; {met.computed.rule} is {met.state.value}.")
    return 0


def panel_response(ctx: AppContext, args: argparse.Namespace) -> int:
    from bot.context import cli_actor
    from cases.commands import RecordPanelResponse
    from cases.events import PanelResponse

    reference = args.case.upper()
    on = parse_date(args.on)
    command = RecordPanelResponse(PanelResponse(args.response), on)
    ctx.store.cases.record_outside(reference, command, actor=cli_actor(), now=ctx.now_clock.now())
    if args.json:
        print_json({"case": reference, "panel_response": args.response, "on": on.isoformat()})
        return 0
    print(f"{reference}: the Panel's response ({args.response}) recorded for {on}.")
    return 0
