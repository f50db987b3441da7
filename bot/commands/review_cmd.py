"""`scrbot review ...`: the review after the decision (cases/review/).

`scrbot review imr status|nominate|brief|request|receive|sign-off|accept|return REF [AGENCY] ...`: each agency's
report (IMR, or an agency's information for a local review), step by step (004 §7).
`scrbot review report upload|check|override|status REF ...`: the overview (or final) report's versions and the
anonymisation check that must be clean (or overridden by a named person with a reason) before one leaves.
"""

from __future__ import annotations

import argparse
from datetime import date
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.commands.review_actions_cmd import register as register_actions
from bot.commands.review_args import review_step_arguments
from bot.commands.review_publication_cmd import register as register_publication
from bot.output import CommandError, parse_date, print_json, print_table, uk_date
from errors import BadInput

if TYPE_CHECKING:
    from bot.context import AppContext
    from cases.review.agency_report import AgencyReport


def register(sub: Any) -> None:
    review = sub.add_parser("review", help="the review: agency reports (IMRs), the overview report and its check")
    groups = review.add_subparsers(dest="review_command", metavar="REVIEW_COMMAND", required=True)
    _register_imr(groups.add_parser("imr", help="each agency's report, step by step (004 §7)"))
    _register_report(groups.add_parser("report", help="the overview report's versions and the anonymisation check"))
    register_publication(groups.add_parser("publication", help="publication: planned date, holds, publication"))
    register_actions(groups.add_parser("actions", help="the action plan register (003 §7.2-7.3)"))


def _register_imr(imr: argparse.ArgumentParser) -> None:
    steps = imr.add_subparsers(dest="imr_command", metavar="IMR_COMMAND", required=True)
    p = steps.add_parser("status", help="which agency is at which step, and what is awaited from each")
    review_step_arguments(p, agency=False, on=False)
    p.set_defaults(handler=imr_status)
    p = steps.add_parser("nominate", help="the agency's author, who had no involvement with the case (004 §7.2)")
    review_step_arguments(p)
    p.add_argument("--author", required=True, help="the author's name (stored encrypted)")
    p.add_argument("--no-involvement", action="store_true", help="the agency declared the author had none")
    p.set_defaults(handler=imr_step, step="nominate")
    p = steps.add_parser("brief", help="the author attended the briefing (004 §7.3)")
    review_step_arguments(p)
    p.set_defaults(handler=imr_step, step="brief")
    p = steps.add_parser("request", help="the report is requested, due on --due (chased by the reminder ladder)")
    review_step_arguments(p)
    p.add_argument("--due", required=True, type=uk_date, help="the due date (e.g. 12/02/2027)")
    p.set_defaults(handler=imr_step, step="request")
    p = steps.add_parser("receive", help="a version received (a .docx or .pdf; kept encrypted, every version)")
    review_step_arguments(p, on=False)
    p.add_argument("file", type=Path, help="the report file")
    p.set_defaults(handler=imr_receive)
    p = steps.add_parser("sign-off", help="the agency's senior manager signed off the latest version (004 §7.7)")
    review_step_arguments(p)
    p.add_argument("--by", required=True, help="who signed it off (stored encrypted)")
    p.set_defaults(handler=imr_step, step="sign_off")
    p = steps.add_parser("accept", help="quality assurance accepts the signed-off version")
    review_step_arguments(p)
    p.set_defaults(handler=imr_step, step="accept")
    p = steps.add_parser("return", help="quality assurance returns the version with reasons and a new due date")
    review_step_arguments(p, on=False)
    p.add_argument("--reasons", required=True, help="why (stored encrypted; never in the audit or a channel)")
    p.add_argument("--due", required=True, type=uk_date, help="the new due date")
    p.set_defaults(handler=imr_return)


def _register_report(report: argparse.ArgumentParser) -> None:
    steps = report.add_subparsers(dest="report_command", metavar="REPORT_COMMAND", required=True)
    p = steps.add_parser("upload", help="a new version (.docx or .pdf), checked against the case at once")
    review_step_arguments(p, agency=False, on=False)
    p.add_argument("file", type=Path, help="the report file")
    p.set_defaults(handler=report_upload)
    p = steps.add_parser("check", help="a version's findings: the kind of data and where (never the words)")
    review_step_arguments(p, agency=False, on=False)
    p.add_argument("version", type=int, help="the version number")
    p.set_defaults(handler=report_check)
    p = steps.add_parser("override", help="let a version with findings go, with a reason (you are named)")
    review_step_arguments(p, agency=False, on=False)
    p.add_argument("version", type=int, help="the version number")
    p.add_argument("--reason", required=True, help="why it may go as it is (stored encrypted)")
    p.set_defaults(handler=report_override)
    p = steps.add_parser("status", help="every version and whether it may leave the board")
    review_step_arguments(p, agency=False, on=False)
    p.set_defaults(handler=report_status)
    p = steps.add_parser("approve", help="the board approved a cleared version (meets the pack's report deadline)")
    review_step_arguments(p, agency=False)
    p.add_argument("version", type=int, help="the version number")
    p.set_defaults(handler=report_approve)
    p = steps.add_parser("attach", help="attach a cleared version to the publication copies (004 §10.5)")
    review_step_arguments(p, agency=False, on=False)
    p.add_argument("version", type=int, help="the version number")
    p.set_defaults(handler=report_attach)


# --- agency reports ------------------------------------------------------------------------------------


def _report_json(report: AgencyReport, distribution: str = "") -> dict[str, Any]:
    def day(value: date | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "agency": report.agency,
        "step": report.step.value,
        "awaiting": report.outstanding,
        "no_involvement_declared": report.no_involvement_declared,
        "briefed_on": day(report.briefed_on),
        "requested_on": day(report.requested_on),
        "due": day(report.due),
        "version": report.version,
        "received_on": day(report.received_on),
        "signed_off_on": day(report.signed_off_on),
        "returns": report.returns,
        "accepted_on": day(report.accepted_on),
        # The accepted version's message to the lead reviewer and the review panel (003 §5.7): its state.
        "distribution": distribution or None,
    }


def _done(args: argparse.Namespace, report: AgencyReport, distribution: str = "") -> int:
    if args.json:
        print_json({"reference": args.reference.upper()} | _report_json(report, distribution))
        return 0
    print(f"{args.reference.upper()} {report.agency}: {report.step.value}; awaiting {report.outstanding}.")
    if distribution:
        print(
            f"To the lead reviewer and the review panel, the accepted version attached: {distribution} "
            "(approve it with `scrbot notify approve`)."
        )
    return 0


def imr_status(ctx: AppContext, args: argparse.Namespace) -> int:
    from storage.review_agency_reports import AgencyReports

    store = AgencyReports(ctx.store)
    reports = store.steps(args.reference)
    sent = store.distributions(args.reference)
    if args.json:
        agencies = [_report_json(r, sent.get(r.agency, "")) for r in reports]
        print_json({"reference": args.reference.upper(), "agencies": agencies})
        return 0
    if not reports:
        print(f"{args.reference.upper()}: no agency reports expected or started.")
        return 0
    print_table(
        ["AGENCY", "STEP", "DUE", "VERSION", "RETURNS", "AWAITING", "TO REVIEWERS"],
        [
            (
                r.agency,
                r.step.value,
                r.due or "",
                r.version or "",
                r.returns or "",
                r.outstanding,
                sent.get(r.agency, ""),
            )
            for r in reports
        ],
    )
    return 0


def imr_step(ctx: AppContext, args: argparse.Namespace) -> int:
    from bot.context import cli_actor
    from cases.calendar import local_date
    from cases.review.agency_report import accept, brief, nominate, request, sign_off
    from storage.review_agency_reports import AgencyReports

    now = ctx.now_clock.now()
    on = parse_date(args.on) if args.on else local_date(now)
    if args.step == "nominate":
        step = partial(nominate, author=args.author, no_involvement=args.no_involvement, on=on)
    elif args.step == "brief":
        step = partial(brief, on=on)
    elif args.step == "request":
        step = partial(request, due=parse_date(args.due), on=on)
    elif args.step == "sign_off":
        step = partial(sign_off, by=args.by, on=on)
    else:
        step = partial(accept, on=on)
    store = AgencyReports(ctx.store)
    report = store.record(args.reference, args.agency, step, actor=cli_actor(), now=now)
    distribution = store.distributions(args.reference).get(report.agency, "") if args.step == "accept" else ""
    return _done(args, report, distribution)


def _read_file(ctx: AppContext, path: Path) -> bytes:
    from intake.inbound.limits import LimitExceeded

    try:
        size = path.stat().st_size
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc.strerror}") from None
    limit = ctx.mail_limits.max_attachment_bytes
    if size > limit:
        raise LimitExceeded(f"{path.name} is {size} bytes, over the {limit}-byte limit for a report")
    return path.read_bytes()


def imr_receive(ctx: AppContext, args: argparse.Namespace) -> int:
    from bot.context import cli_actor
    from intake.documents.reading import read_report
    from storage.review_agency_reports import AgencyReports, ReceivedFile

    content = _read_file(ctx, args.file)
    media_type, _ = read_report(args.file.name, content, ctx.mail_limits)  # a readable .docx or .pdf only
    received = ReceivedFile(args.file.name, content, media_type)
    now = ctx.now_clock.now()
    report = AgencyReports(ctx.store).receive(args.reference, args.agency, received, actor=cli_actor(), now=now)
    return _done(args, report)


def imr_return(ctx: AppContext, args: argparse.Namespace) -> int:
    from bot.context import cli_actor
    from storage.review_agency_reports import AgencyReports

    now = ctx.now_clock.now()
    report = AgencyReports(ctx.store).return_version(
        args.reference, args.agency, reasons=args.reasons, new_due=parse_date(args.due), actor=cli_actor(), now=now
    )
    return _done(args, report)


# --- the overview report -------------------------------------------------------------------------------


def report_upload(ctx: AppContext, args: argparse.Namespace) -> int:
    from bot.context import cli_actor
    from intake.documents.reading import read_report
    from storage.review_report_versions import ReportVersions

    content = _read_file(ctx, args.file)
    media_type, text = read_report(args.file.name, content, ctx.mail_limits)
    uploaded = ReportVersions(ctx.store).upload(
        args.reference,
        filename=args.file.name,
        content=content,
        media_type=media_type,
        text=text,
        actor=cli_actor(),
        now=ctx.now_clock.now(),
    )
    version, result = uploaded.version, uploaded.result
    if args.json:
        print_json(
            {
                "reference": args.reference.upper(),
                "version": version.version,
                "state": version.state,
                "findings": [{"kind": f.kind.value, "what": f.label, "where": f.where} for f in result.findings],
            }
        )
        return 0
    if result.clean:
        print(f"{args.reference.upper()}: version {version.version} stored; the anonymisation check found nothing.")
        return 0
    print(
        f"{args.reference.upper()}: version {version.version} stored; it may not leave the board: "
        f"the check found {len(result.findings)} item(s) of the case's personal data:"
    )
    for line in result.summary():
        print(f"  {line}")
    return 0


def report_check(ctx: AppContext, args: argparse.Namespace) -> int:
    from bot.context import cli_actor
    from storage.review_report_versions import ReportVersions

    lines = ReportVersions(ctx.store).findings(args.reference, args.version, actor=cli_actor())
    if args.json:
        print_json({"reference": args.reference.upper(), "version": args.version, "findings": lines})
        return 0
    print(
        f"{args.reference.upper()} version {args.version}: " + ("clean." if not lines else f"{len(lines)} finding(s):")
    )
    for line in lines:
        print(f"  {line}")
    return 0


def report_override(ctx: AppContext, args: argparse.Namespace) -> int:
    from bot.context import cli_actor
    from storage.review_report_versions import ReportVersions

    if not args.reason.strip():
        raise BadInput("give the reason for overriding the check", field="reason")
    version = ReportVersions(ctx.store).override(
        args.reference, args.version, reason=args.reason, actor=cli_actor(), now=ctx.now_clock.now()
    )
    if args.json:
        print_json({"reference": args.reference.upper(), "version": version.version, "state": version.state})
    else:
        print(f"{args.reference.upper()}: version {version.version} may leave the board (check overridden by you).")
    return 0


def report_approve(ctx: AppContext, args: argparse.Namespace) -> int:
    from bot.context import cli_actor
    from cases.calendar import local_date
    from storage.review_report_versions import ReportVersions

    now = ctx.now_clock.now()
    on = parse_date(args.on) if args.on else local_date(now)
    met = ReportVersions(ctx.store).approve(args.reference, args.version, on=on, actor=cli_actor(), now=now)
    if args.json:
        print_json({"reference": args.reference.upper(), "version": args.version, "on": on.isoformat(), "met": met})
    else:
        print(f"{args.reference.upper()}: version {args.version} approved on {on}; met: {', '.join(met) or 'nothing'}.")
    return 0


def report_status(ctx: AppContext, args: argparse.Namespace) -> int:
    from storage.review_report_versions import ReportVersions

    versions = ReportVersions(ctx.store).versions(args.reference)
    if args.json:
        print_json(
            {
                "reference": args.reference.upper(),
                "versions": [
                    {"version": v.version, "findings": v.findings, "state": v.state, "may_leave": v.may_leave}
                    for v in versions
                ],
            }
        )
        return 0
    if not versions:
        print(f"{args.reference.upper()}: no version of the report uploaded yet.")
        return 0
    print_table(["VERSION", "FINDINGS", "STATE"], [(v.version, v.findings, v.state) for v in versions])
    return 0


def report_attach(ctx: AppContext, args: argparse.Namespace) -> int:
    from bot.context import cli_actor
    from storage.review_report_versions import ReportVersions

    ids = ReportVersions(ctx.store).attach_to_publication_copies(
        args.reference, args.version, actor=cli_actor(), now=ctx.now_clock.now()
    )
    if args.json:
        print_json({"reference": args.reference.upper(), "version": args.version, "messages": ids})
    else:
        print(f"{args.reference.upper()}: version {args.version} attached to {len(ids)} publication copy message(s).")
    return 0
