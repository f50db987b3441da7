"""`scrbot refer --file referral.json`: file a referral from JSON, with the conversation's validation."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.output import CommandError, print_json

if TYPE_CHECKING:
    from bot.context import AppContext


def register(sub: Any) -> None:
    p = sub.add_parser("refer", help="file a referral from a JSON file (see examples/referral.json)")
    p.add_argument("--file", required=True, type=Path, help="referral JSON ('-' for standard input)")
    p.add_argument("--json", action="store_true", help="print the receipt as JSON")
    p.set_defaults(handler=run)


def read_json(path: Path) -> Any:
    import sys

    text = sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise CommandError(f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None


def run(ctx: AppContext, args: argparse.Namespace) -> int:
    from bot.context import cli_actor
    from cases.calendar import local_date
    from cases.referral import parse_referral

    data = read_json(args.file)
    if not isinstance(data, dict):
        raise CommandError(f"{args.file}: expected a JSON object")
    now = ctx.now_clock.now()
    referral = parse_referral(data, today=local_date(now))
    filed = ctx.store.cases.file_referral(referral, actor=cli_actor(), now=now)
    receipt = {
        "reference": filed.reference,
        "status": "referred",
        "possible_duplicates": filed.possible_duplicates,
        "next_deadlines": [
            {"rule": d.computed.rule, "agency": d.computed.agency, "act_by": d.computed.act_by.isoformat()}
            for d in filed.deadlines[:5]
        ],
    }
    if args.json:
        print_json(receipt)
        return 0
    print(f"Referral filed: {filed.reference}")
    if filed.possible_duplicates:
        print(f"Possible duplicate of: {', '.join(filed.possible_duplicates)} (same child's name and date of birth)")
    print(f"{len(filed.deadlines)} deadlines started; see: scrbot case show {filed.reference}")
    return 0
