"""`scrbot purge`: remove personal data past retention, keep the de-identified timeline."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from bot.confirm import add_yes, confirm
from bot.output import print_json

if TYPE_CHECKING:
    from bot.context import AppContext
    from mail.base import StoredCopy
    from storage.purge import PurgeReport


def register(sub: Any) -> None:
    p = sub.add_parser("purge", help="remove personal data of cases closed longer ago than the retention period")
    p.add_argument("--dry-run", action="store_true", help="list what would be purged, change nothing")
    add_yes(p)
    p.add_argument("--json", action="store_true", help="print JSON (for scripts) instead of text")
    p.set_defaults(handler=run)


def run(ctx: AppContext, args: argparse.Namespace) -> int:
    from bot.context import cli_actor
    from storage.db import fold_log
    from storage.purge import purge

    store = ctx.store
    copies: list[StoredCopy] = []

    def purge_now(dry_run: bool) -> PurgeReport:
        return purge(
            store.sessions,
            store.audit,
            board_id=store.board.id,
            retention_days=store.board.retention_days_after_close,
            now=ctx.now_clock.now(),
            actor=cli_actor(),
            hooks=ctx.purge_hooks(copies),
            codec=store.codec,
            # The mailbox's copies (processed, quarantine, sent; local mode's .eml files) go before the purge
            # commits: if they cannot be deleted now, nothing is marked purged and the next run tries again.
            before_commit=lambda: ctx.mailbox.delete_copies(copies) if copies else 0,
            dry_run=dry_run,
        )

    if not args.dry_run:
        preview = purge_now(dry_run=True)
        if preview.purged:
            confirm(f"Remove the personal data of {len(preview.purged)} case(s) ({', '.join(preview.purged)})", args)
    report = purge_now(dry_run=args.dry_run)
    if report.purged and not args.dry_run:
        fold_log(store.engine)
    if args.json:
        print_json(
            {
                "dry_run": args.dry_run,
                "cases": report.purged,
                "fields_removed": report.fields_removed,
                "mail_copies_deleted": report.copies_deleted,
            }
        )
    elif not report.purged:
        print("Nothing is past its retention period.")
    else:
        verb = "Would purge" if args.dry_run else "Purged"
        print(f"{verb} personal data of {len(report.purged)} case(s): {', '.join(report.purged)}")
        if not args.dry_run:
            print(f"Deleted {report.copies_deleted} copies of their mail from the mailbox.")
    return 0
