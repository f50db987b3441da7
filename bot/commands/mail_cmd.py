"""`scrbot mail ...`: ingest a message, poll the mailbox, look at and release quarantined mail, unlock a
password-protected referral form, chase agencies."""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.output import CommandError, moment, print_json, print_table
from errors import BadInput

if TYPE_CHECKING:
    from bot.context import AppContext
    from intake.inbound.processor import IngestOutcome
    from storage.inbound import InboundSummary

# storage.inbound's InboundStatus values, spelled out so that building the command line imports no storage
# (tests/bot/test_cli_start.py checks they agree).
MESSAGE_STATES = ("received", "processed", "quarantined", "needs_person", "released")


def register(sub: Any) -> None:
    mail = sub.add_parser("mail", help="the board's mailbox: ingest, poll, quarantine, unlock, chase")
    ms = mail.add_subparsers(dest="mail_command", metavar="MAIL_COMMAND", required=True)

    p = ms.add_parser("ingest", help="process one .eml file as if it came from the mailbox; prints what it did")
    p.add_argument("file", type=Path, help="the message, as an .eml file")
    p.add_argument("--json", action="store_true", help="print JSON (for scripts) instead of text")
    p.set_defaults(handler=ingest)

    p = ms.add_parser("poll", help="poll the configured mailbox once (scrbot run does this on a schedule)")
    p.add_argument("--json", action="store_true", help="print JSON (for scripts) instead of text")
    p.set_defaults(handler=poll)

    p = ms.add_parser("deliver", help="local mode: drop .eml files into the Maildir inbox for the next poll")
    p.add_argument("files", type=Path, nargs="+", help=".eml files to drop into the local inbox")
    p.set_defaults(handler=deliver)

    p = ms.add_parser("list", help="stored inbound messages (no content): status, kind, case, reason")
    p.add_argument("--status", choices=MESSAGE_STATES, help="only messages in this state")
    p.add_argument("--case", help="only messages about this case")
    p.add_argument("--limit", type=int, default=100, help="show at most this many (default 100)")
    p.add_argument("--json", action="store_true", help="print JSON (for scripts) instead of text")
    p.set_defaults(handler=list_messages)

    quarantine = ms.add_parser("quarantine", help="messages a person must look at")
    qs = quarantine.add_subparsers(dest="quarantine_command", metavar="QUARANTINE_COMMAND", required=True)
    p = qs.add_parser("list", help="quarantined and needs_person messages, with their reasons")
    p.add_argument("--json", action="store_true", help="print JSON (for scripts) instead of text")
    p.set_defaults(handler=quarantine_list)
    p = qs.add_parser("show", help="one message: reason, what was read from it (personal data; audited)")
    p.add_argument("id", help="the message id (from the list)")
    p.add_argument("--raw", action="store_true", help="print the whole message as received")
    p.add_argument("--json", action="store_true", help="print JSON (for scripts) instead of text")
    p.set_defaults(handler=show)
    p = qs.add_parser("release", help="a person has looked at it: file the referral, or record the answer")
    p.add_argument("id", help="the message id (from the list)")
    p.add_argument("--as-agency", help="record the reply as this agency's answer (e.g. from a colleague)")
    p.add_argument("--dismiss", action="store_true", help="mark it dealt with, do nothing else")
    p.add_argument("--note", default="", help="why (stored encrypted)")
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="FIELD=VALUE",
        help="fill a gap of an emailed referral before it is filed, by its form field as `quarantine show` "
        "lists it (e.g. --set la_aware_date=17/11/2026); repeat for each gap",
    )
    p.add_argument("--json", action="store_true", help="print JSON (for scripts) instead of text")
    p.set_defaults(handler=release)

    p = ms.add_parser("unlock", help="open a password-protected referral form (the password is never stored)")
    p.add_argument("id", help="the message id (from the list)")
    p.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    p.add_argument("--json", action="store_true", help="print JSON (for scripts) instead of text")
    p.set_defaults(handler=unlock)


def outcome_json(outcome: IngestOutcome) -> dict[str, Any]:
    return {
        "id": outcome.inbound_id,
        "status": outcome.status.value,
        "kind": outcome.kind,
        "reason": outcome.reason,
        "case": outcome.case_ref or None,
        "agency": outcome.agency_id or None,
        "duplicate": outcome.duplicate,
    }


def _describe(outcome: IngestOutcome) -> str:
    where = f" [{outcome.case_ref}{'/' + outcome.agency_id if outcome.agency_id else ''}]" if outcome.case_ref else ""
    repeat = " (already seen: nothing changed)" if outcome.duplicate else ""
    return f"{outcome.inbound_id} {outcome.status.value} {outcome.kind}{where}: {outcome.reason}{repeat}"


def summary_json(m: InboundSummary) -> dict[str, Any]:
    return {
        "id": m.id,
        "status": m.status.value,
        "kind": m.kind,
        "reason": m.reason,
        "case": m.case_ref or None,
        "agency": m.agency_id or None,
        "received_at": m.received_at.isoformat(),
        "size": m.size,
        "source": m.source,
        "handled_by": m.handled_by or None,
    }


def ingest(ctx: AppContext, args: argparse.Namespace) -> int:
    raw = args.file.read_bytes()
    now = ctx.now_clock.now()
    outcome = ctx.intake.ingest(raw, now=now, source="cli")
    ctx.intake.tell_business_unit(now)
    ctx.agency_requests.sync_requests_sent(now)
    if args.json:
        print_json(outcome_json(outcome))
    else:
        print(_describe(outcome))
    return 0


def poll(ctx: AppContext, args: argparse.Namespace) -> int:
    report = ctx.intake.poll_mailbox(ctx.now_clock.now())
    if args.json:
        print_json(
            {
                "seen": report.seen,
                "counts": report.counts(),
                "fetch_errors": report.fetch_errors,
                "stopped": report.stopped or None,
                "messages": [outcome_json(o) for o in report.outcomes],
            }
        )
    else:
        for outcome in report.outcomes:
            print(_describe(outcome))
        print(
            f"{report.seen} message(s) in the inbox; "
            + (", ".join(f"{v} {k}" for k, v in report.counts().items()) or "none new")
        )
        if report.stopped:
            print(f"stopped early: {report.stopped}")
    return 1 if report.stopped else 0


def deliver(ctx: AppContext, args: argparse.Namespace) -> int:
    from mail.maildir import MaildirMailbox

    mailbox = ctx.mailbox
    if not isinstance(mailbox, MaildirMailbox):
        raise CommandError("deliver is for the local Maildir (SCRBOT_MAIL_BACKEND=maildir)")
    for path in args.files:
        key = mailbox.deliver(path.read_bytes())
        print(f"{path} -> {mailbox.inbox_path / 'new' / key}")
    return 0


def _table(messages: Sequence[InboundSummary]) -> None:
    print_table(
        ["ID", "RECEIVED", "STATUS", "KIND", "CASE", "AGENCY", "REASON"],
        [
            (
                m.id,
                moment(m.received_at),
                m.status.value,
                m.kind,
                m.case_ref or "-",
                m.agency_id or "-",
                m.reason,
            )
            for m in messages
        ],
    )


def _print_messages(messages: Sequence[InboundSummary], args: argparse.Namespace, *, none: str) -> int:
    if args.json:
        print_json([summary_json(m) for m in messages])
    elif not messages:
        print(none)
    else:
        _table(messages)
    return 0


def list_messages(ctx: AppContext, args: argparse.Namespace) -> int:
    from storage.inbound import InboundStatus

    statuses = [InboundStatus(args.status)] if args.status else None
    messages = ctx.inbound.list(statuses=statuses, case_ref=args.case, limit=args.limit)
    return _print_messages(messages, args, none="No inbound messages.")


def quarantine_list(ctx: AppContext, args: argparse.Namespace) -> int:
    from storage.inbound import OPEN_FOR_PERSON

    messages = ctx.inbound.list(statuses=list(OPEN_FOR_PERSON))
    return _print_messages(messages, args, none="Nothing waiting for a person.")


def show(ctx: AppContext, args: argparse.Namespace) -> int:
    from bot.context import cli_actor

    detail = ctx.inbound.get(args.id, actor=cli_actor(), now=ctx.now_clock.now())
    if args.raw:
        sys.stdout.buffer.write(detail.raw)
        return 0
    data = {**summary_json(detail.summary), "message_id": detail.message_id, "detail": detail.detail}
    if args.json:
        print_json(data)
        return 0
    for key in ("id", "status", "kind", "case", "agency", "received_at", "size", "source", "handled_by", "message_id"):
        print(f"{key + ':':<13} {data[key] if data[key] is not None else '-'}")
    print(f"{'reason:':<13} {detail.summary.reason}")
    for key, value in detail.detail.items():
        print(f"\n{key}:")
        if isinstance(value, dict):
            for k, v in value.items():
                print(f"  {k}: {v}")
        elif isinstance(value, list):
            for v in value:
                print(f"  - {v}")
        else:
            print(f"  {value}")
    return 0


def _fills(pairs: Sequence[str]) -> dict[str, str]:
    fill: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise BadInput("--set takes FIELD=VALUE, e.g. la_aware_date=17/11/2026", field="set")
        fill[name.strip()] = value.strip()
    return fill


def release(ctx: AppContext, args: argparse.Namespace) -> int:
    from bot.context import cli_actor

    outcome = ctx.intake.release(
        args.id,
        actor=cli_actor(),
        now=ctx.now_clock.now(),
        as_agency=args.as_agency,
        dismiss=args.dismiss,
        note=args.note,
        fill=_fills(args.set),
    )
    if args.json:
        print_json(outcome_json(outcome))
    else:
        print(_describe(outcome))
    return 0


def unlock(ctx: AppContext, args: argparse.Namespace) -> int:
    from bot.context import cli_actor
    from storage.inbound import InboundStatus

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("Password for the referral form (not shown, never stored): ")
    if not password:
        raise CommandError("no password given")
    from intake.inbound.docx_form import WrongPassword

    try:
        outcome = ctx.intake.unlock(args.id, password, actor=cli_actor(), now=ctx.now_clock.now())
    except WrongPassword:
        raise CommandError("that password does not open the form; nothing was changed (try again)") from None
    finally:
        password = ""
    # The password opened the form: a form with gaps is read too (exit 0), and says what is left to do.
    # Only a form that could not be read after all (quarantined) is a failed unlock.
    gaps = outcome.status is InboundStatus.NEEDS_PERSON
    then = (
        f"The form is open; its values are kept encrypted with the message, so no password is needed again. "
        f"`scrbot mail quarantine show {outcome.inbound_id}` lists each gap with its field; fill them and file "
        f"the referral with `scrbot mail quarantine release {outcome.inbound_id} --set FIELD=VALUE ...`."
    )
    if args.json:
        data = {**outcome_json(outcome), "form_read": gaps or outcome.status is InboundStatus.RELEASED}
        if gaps:
            data["next"] = then
        print_json(data)
    else:
        print(_describe(outcome))
        if gaps:
            print(then)
    return 0 if gaps or outcome.status in {InboundStatus.RELEASED, InboundStatus.PROCESSED} else 1
