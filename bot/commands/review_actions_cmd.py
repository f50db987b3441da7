"""`scrbot review actions list|add|sign-up|complete REF ...`: the action plan register (003 §7.2-7.3). Actions
never carry personal data (text the case's own record matches is refused); the last action evidenced complete
concludes the review and stops the quarterly progress reports."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from bot.commands.review_args import review_step_arguments
from bot.output import parse_date, print_json, print_table, uk_date

if TYPE_CHECKING:
    from bot.context import AppContext
    from cases.review.action_plan import Action


def register(actions: argparse.ArgumentParser) -> None:
    steps = actions.add_subparsers(dest="actions_command", metavar="ACTIONS_COMMAND", required=True)

    def common(name: str, help_text: str, handler: Any) -> argparse.ArgumentParser:
        p = steps.add_parser(name, help=help_text)
        review_step_arguments(p, agency=False, on=False)
        p.set_defaults(handler=handler)
        return p

    p = common("list", "every action: owner, due date, status (--words: the actions' text too)", list_actions)
    p.add_argument("--words", action="store_true", help="include each action's text and measure")
    p = common("add", "a new action (its due date becomes the owner agency's deadline)", add_action)
    p.add_argument("--text", required=True, help="the action, without personal data")
    p.add_argument("--agency", required=True, help="the owner agency's id")
    p.add_argument("--role", required=True, help="the owner's role (never a name)")
    p.add_argument("--due", required=True, type=uk_date, help="the due date")
    p.add_argument("--measure", required=True, help="how success will be measured")
    for name, handler, what in (("sign-up", sign_up, "signed up to"), ("complete", complete, "evidenced complete")):
        p = common(name, f"the owner agency {what} the action", handler)
        p.add_argument("number", type=int, help="the action's number")
        p.add_argument("--on", type=uk_date, help="the date (today if left out)")
        if name == "complete":
            p.add_argument("--evidence", default="", help="what shows it is complete (stored encrypted)")


def _json(action: Action, today: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "number": action.number,
        "owner_agency": action.owner_agency,
        "due": action.due.isoformat(),
        "status": action.status(today),
        "signed_up_on": action.signed_up_on.isoformat() if action.signed_up_on else None,
        "completed_on": action.completed_on.isoformat() if action.completed_on else None,
    }
    if action.text:
        data |= {"text": action.text, "owner_role": action.owner_role, "measure": action.measure}
    return data


def list_actions(ctx: AppContext, args: argparse.Namespace) -> int:
    from cases.calendar import local_date
    from storage.review_action_plan import ActionPlan

    today = local_date(ctx.now_clock.now())
    actions = ActionPlan(ctx.store).actions(args.reference, words=args.words)
    if args.json:
        print_json({"reference": args.reference.upper(), "actions": [_json(a, today) for a in actions]})
        return 0
    if not actions:
        print(f"{args.reference.upper()}: the action plan has no actions yet.")
        return 0
    headers = ["NO", "AGENCY", "DUE", "STATUS"] + (["ROLE", "ACTION"] if args.words else [])
    rows = [
        (a.number, a.owner_agency, a.due, a.status(today)) + ((a.owner_role, a.text) if args.words else ())
        for a in actions
    ]
    print_table(headers, rows)
    return 0


def _show(ctx: AppContext, args: argparse.Namespace, action: Action, line: str) -> int:
    from cases.calendar import local_date

    if args.json:
        print_json({"reference": args.reference.upper()} | _json(action, local_date(ctx.now_clock.now())))
    else:
        print(f"{args.reference.upper()}: {line}")
    return 0


def add_action(ctx: AppContext, args: argparse.Namespace) -> int:
    from bot.context import cli_actor
    from storage.review_action_plan import ActionPlan

    action = ActionPlan(ctx.store).add(
        args.reference,
        text=args.text,
        owner_agency=args.agency,
        owner_role=args.role,
        due=parse_date(args.due),
        measure=args.measure,
        actor=cli_actor(),
        now=ctx.now_clock.now(),
    )
    return _show(ctx, args, action, f"action {action.number} added for {action.owner_agency}, due {action.due}.")


def sign_up(ctx: AppContext, args: argparse.Namespace) -> int:
    from bot.context import cli_actor
    from cases.calendar import local_date
    from storage.review_action_plan import ActionPlan

    now = ctx.now_clock.now()
    on = parse_date(args.on) if args.on else local_date(now)
    action = ActionPlan(ctx.store).sign_up(args.reference, args.number, on=on, actor=cli_actor(), now=now)
    return _show(ctx, args, action, f"action {action.number} signed up to by {action.owner_agency}.")


def complete(ctx: AppContext, args: argparse.Namespace) -> int:
    from bot.context import cli_actor
    from cases.calendar import local_date
    from storage.review_action_plan import ActionPlan

    now = ctx.now_clock.now()
    on = parse_date(args.on) if args.on else local_date(now)
    action, concluded = ActionPlan(ctx.store).complete(
        args.reference, args.number, evidence=args.evidence, on=on, actor=cli_actor(), now=now
    )
    tail = " Every action is complete: the review is concluded." if concluded else ""
    return _show(ctx, args, action, f"action {action.number} complete.{tail}")
