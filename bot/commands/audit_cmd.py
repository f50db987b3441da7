"""`scrbot audit verify|show`: check the hash chain; list entries (no personal data is ever in them)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from bot.output import print_json, print_table

if TYPE_CHECKING:
    from bot.context import AppContext


def register(sub: Any) -> None:
    audit = sub.add_parser("audit", help="the audit log: verify the chain, show entries")
    au = audit.add_subparsers(dest="audit_command", metavar="AUDIT_COMMAND", required=True)
    p = au.add_parser("verify", help="fail on any edited, inserted, deleted or reordered entry")
    p.add_argument("--json", action="store_true", help="print JSON (for scripts) instead of text")
    p.set_defaults(handler=verify)
    p = au.add_parser(
        "sign-anchor",
        help="once, after upgrading from a version that did not sign the anchor: check the chain, then sign it",
    )
    p.set_defaults(handler=sign_anchor)
    p = au.add_parser("show", help="recent entries, optionally for one case")
    p.add_argument("reference", nargs="?", help="only this case (default: every case)")
    p.add_argument("--limit", type=int, default=50, help="show at most this many entries (default 50)")
    p.add_argument("--json", action="store_true", help="print JSON (for scripts) instead of text")
    p.set_defaults(handler=show)


def verify(ctx: AppContext, args: argparse.Namespace) -> int:
    store = ctx.store
    with store.sessions() as s:
        problems = store.audit.verify(s)
        seq, head = store.audit.head(s)
    if args.json:
        print_json({"ok": not problems, "entries": seq, "head": head, "problems": problems})
    elif problems:
        for problem in problems:
            print(f"audit: {problem}")
    else:
        print(f"Audit log intact: {seq} entries, head {head[:16]}")
    return 1 if problems else 0


def sign_anchor(ctx: AppContext, args: argparse.Namespace) -> int:
    from bot.context import cli_actor

    store = ctx.store
    with store.sessions.begin() as s:
        covered = store.audit.sign_anchor(s, at=ctx.now_clock.now(), actor=cli_actor().id)
    print(f"Audit anchor signed: the chain was intact up to entry {covered}; `scrbot audit verify` checks it now.")
    return 0


def show(ctx: AppContext, args: argparse.Namespace) -> int:
    store = ctx.store
    with store.sessions() as s:
        entries = store.audit.entries(s, case_ref=args.reference.upper() if args.reference else None, limit=args.limit)
    if args.json:
        print_json(
            [
                {
                    "seq": e.seq,
                    "at": e.at.isoformat(),
                    "actor": e.actor,
                    "action": e.action,
                    "case": e.case_ref,
                    "detail": e.detail,
                }
                for e in entries
            ]
        )
        return 0
    print_table(
        ["SEQ", "AT", "ACTOR", "ACTION", "CASE"],
        [(e.seq, e.at.isoformat(timespec="seconds"), e.actor, e.action, e.case_ref) for e in entries],
    )
    return 0
