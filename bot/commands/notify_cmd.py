"""`scrbot notify ...`: the outbox as the business unit sees it; approve, edit or reject statutory drafts.

Statutory notifications (004 §5.3, §7.1, §10.5, 003 §4.1) wait as drafts until an authorised person
approves them, here or with the buttons in Slack. `list` shows no content (so no personal data); `show`
does, and is audited.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.commands.notify_outside import register as register_outside
from bot.output import CommandError, moment, print_json, print_table
from errors import Refused

if TYPE_CHECKING:
    from bot.context import AppContext
    from notify.outbox import OutboxItem

# storage.outbox's OutboxStatus values, spelled out so that building the command line imports no storage
# (tests/bot/test_cli_start.py checks they agree).
OUTBOX_STATES = ("draft", "approved", "sending", "sent", "failed", "rejected", "cancelled")


def register(sub: Any) -> None:
    notify = sub.add_parser("notify", help="notifications: list, show, approve, edit or reject drafts; send")
    ns = notify.add_subparsers(dest="notify_command", metavar="NOTIFY_COMMAND", required=True)

    p = ns.add_parser("list", help="what awaits approval (--all: every message); no content")
    which = p.add_mutually_exclusive_group()
    which.add_argument(
        "--status",
        action="append",
        choices=OUTBOX_STATES,
        help="only messages in this state (repeatable; default: draft, i.e. awaiting approval)",
    )
    which.add_argument("--all", action="store_true", help="every message, whatever its state")
    p.add_argument("--case", help="only this case reference")
    p.add_argument("--json", action="store_true", help="print JSON (for scripts) instead of text")
    p.set_defaults(handler=list_messages)

    p = ns.add_parser("show", help="one message with its content and recipients (audited)")
    p.add_argument("id", help="the message id, or its first 6+ characters")
    p.add_argument("--json", action="store_true", help="print JSON (for scripts) instead of text")
    p.set_defaults(handler=show_message)

    p = ns.add_parser("approve", help="approve drafts: they are sent by the next dispatch")
    p.add_argument("ids", nargs="+", metavar="ID", help="message ids, or their first 6+ characters")
    p.add_argument(
        "--despite-warning",
        action="store_true",
        help="approve even though the text holds the case's personal data beyond what its template carries",
    )
    p.set_defaults(handler=approve)

    p = ns.add_parser("reject", help="reject drafts: they are never sent")
    p.add_argument("ids", nargs="+", metavar="ID", help="message ids, or their first 6+ characters")
    p.set_defaults(handler=reject)

    p = ns.add_parser("edit", help="change a draft's subject or text before approving it")
    p.add_argument("id", help="the message id, or its first 6+ characters")
    p.add_argument("--subject", help="the new subject line")
    text = p.add_mutually_exclusive_group()
    text.add_argument("--text", help="the new body text")
    text.add_argument("--text-file", type=Path, help="read the new body text from a file ('-' for stdin)")
    p.set_defaults(handler=edit)

    p = ns.add_parser("send", help="send what is approved and due now (the service does this every 15 s)")
    p.add_argument("--json", action="store_true", help="print JSON (for scripts) instead of text")
    p.set_defaults(handler=send)
    register_outside(ns)


def _resolve(ctx: AppContext, ident: str) -> str:
    """A full id, or a unique prefix of one (ids are long; people type the first few characters)."""
    ident = ident.strip().lower()
    if len(ident) == 32:
        return ident
    if len(ident) < 6:
        raise CommandError(f"{ident!r}: give at least 6 characters of the message id")
    matches = ctx.outbox.resolve(ident)
    if len(matches) != 1:
        raise CommandError(f"{ident!r} matches {'no' if not matches else 'several'} messages; check the id")
    return matches[0]


def list_messages(ctx: AppContext, args: argparse.Namespace) -> int:
    # By default what a person must act on: the drafts awaiting approval.
    from notify.outbox import OutboxStatus

    statuses = None if args.all else [OutboxStatus(s) for s in args.status or [OutboxStatus.DRAFT.value]]
    messages = ctx.outbox.list(statuses=statuses, case_ref=args.case)
    if args.json:
        print_json(
            [
                {
                    "id": m.id,
                    "kind": m.kind,
                    "channel": m.channel,
                    "template": m.template_id,
                    "case": m.case_ref or None,
                    "to": m.recipient_summary,
                    "status": m.status.value,
                    "requires_approval": m.requires_approval,
                    "approver": m.approver or None,
                    "attempts": m.attempts,
                    "last_error": m.last_error or None,
                    "created_at": m.created_at.isoformat(),
                    "next_attempt_at": m.next_attempt_at.isoformat() if m.next_attempt_at else None,
                    "sent_at": m.sent_at.isoformat() if m.sent_at else None,
                }
                for m in messages
            ]
        )
        return 0
    if not messages:
        if args.all or args.status:
            print("No messages.")
        else:
            print("Nothing awaits approval. (`scrbot notify list --all` shows every message.)")
        return 0
    print_table(
        ["ID", "STATUS", "KIND", "CASE", "TO", "CREATED", "NOTE"],
        [
            (
                m.id[:12],
                m.status.value,
                m.kind,
                m.case_ref or "-",
                m.recipient_summary,
                moment(m.created_at),
                m.last_error or (f"approved by {m.approver}" if m.approver else ""),
            )
            for m in messages
        ],
    )
    return 0


def _warning(ctx: AppContext, item: OutboxItem) -> str:
    """Personal data of the case in the text beyond what its template carries (e.g. a name in free text)."""
    from notify.approval_warning import item_warning

    return item_warning(ctx.outbox, item)


def show_message(ctx: AppContext, args: argparse.Namespace) -> int:
    from bot.context import cli_actor

    item = ctx.outbox.get(_resolve(ctx, args.id), actor=cli_actor(), now=ctx.now_clock.now())
    warning = _warning(ctx, item)
    if args.json:
        print_json(
            {
                "id": item.id,
                "kind": item.kind,
                "channel": item.channel,
                "template": item.template_id,
                "template_version": item.template_version,
                "case": item.case_ref or None,
                "status": item.status.value,
                "recipients": item.recipients,
                "to": item.recipient_summary,
                "subject": item.subject,
                "text": item.text,
                "approver": item.approver or None,
                "meets_rule": item.meets_rule or None,
                "provider_message_id": item.provider_message_id or None,
                "sent_at": item.sent_at.isoformat() if item.sent_at else None,
                "last_error": item.last_error or None,
                "warning": warning or None,
            }
        )
        return 0
    print(f"{item.id}  {item.status.value}  {item.kind} ({item.template_id} v{item.template_version})")
    print(f"To:      {', '.join(item.recipients)}  ({item.recipient_summary})")
    if item.subject:
        print(f"Subject: {item.subject}")
    if item.meets_rule:
        print(f"Meets:   {item.meets_rule} for {item.case_ref} when sent")
    if item.last_error:
        print(f"Note:    {item.last_error}")
    if warning:
        print(f"WARNING: {warning}")
    print()
    print(item.text.rstrip())
    return 0


def approve(ctx: AppContext, args: argparse.Namespace) -> int:
    from bot.context import cli_actor
    from notify.approval_warning import draft_warning

    for ident in args.ids:
        item_id = _resolve(ctx, ident)
        if not args.despite_warning and (warning := draft_warning(ctx.outbox, item_id)):
            raise Refused(
                f"{item_id} not approved: {warning} (`scrbot notify show {item_id[:8]}`; to send it as it is, "
                "approve with --despite-warning)"
            )
        ctx.outbox.approve(item_id, actor=cli_actor(), now=ctx.now_clock.now())
        print(f"{item_id}: approved; it goes with the next dispatch (`scrbot notify send` sends now).")
    return 0


def reject(ctx: AppContext, args: argparse.Namespace) -> int:
    from bot.context import cli_actor

    for ident in args.ids:
        item_id = _resolve(ctx, ident)
        ctx.outbox.reject(item_id, actor=cli_actor(), now=ctx.now_clock.now())
        print(f"{item_id}: rejected; it will not be sent.")
    return 0


def edit(ctx: AppContext, args: argparse.Namespace) -> int:
    from bot.context import cli_actor

    text: str | None = args.text
    if args.text_file is not None:
        text = sys.stdin.read() if str(args.text_file) == "-" else args.text_file.read_text(encoding="utf-8")
    if args.subject is None and text is None:
        raise CommandError("say what to change: --subject and/or --text / --text-file")
    if text is not None and not text.strip():
        raise CommandError("the new text is empty")
    item_id = _resolve(ctx, args.id)
    ctx.outbox.edit(item_id, actor=cli_actor(), now=ctx.now_clock.now(), subject=args.subject, text=text)
    print(f"{item_id}: edited; still a draft until approved.")
    return 0


def send(ctx: AppContext, args: argparse.Namespace) -> int:
    from notify.service import dispatch_all

    report = dispatch_all(ctx.dispatcher, ctx.now_clock.now())
    if args.json:
        print_json({"sent": report.sent, "failed": report.failed})
    else:
        print(f"Sent {len(report.sent)}, failed {len(report.failed)} (failed ones are retried with backoff).")
    return 0
