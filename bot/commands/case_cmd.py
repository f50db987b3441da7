"""`scrbot case ...`: list, show, and move a case along its lifecycle."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from bot.commands.cost_cmd import register_case as register_cost
from bot.confirm import add_yes
from bot.confirm import confirm as confirm_irreversible
from bot.output import CommandError, deadline_json, moment, parse_date, print_json, print_table, uk_date
from cases.events import CaseEvent, CaseStatus, allowed_moves

if TYPE_CHECKING:
    from bot.context import AppContext
    from cases.case import Case


def register(sub: Any) -> None:
    case = sub.add_parser("case", help="list and show cases, record events, mark deadlines, confirm agencies")
    cs = case.add_subparsers(dest="case_command", metavar="CASE_COMMAND", required=True)

    p = cs.add_parser("list", help="cases with status, next deadline and agencies still to confirm")
    p.add_argument("--all", action="store_true", help="include closed cases")
    p.add_argument("--json", action="store_true", help="print JSON (for scripts) instead of text")
    p.set_defaults(handler=list_cases)

    p = cs.add_parser("show", help="one case: status, deadlines (due, act_by, state), agency confirmations")
    p.add_argument("reference", help="the case reference, e.g. SCR-2026-0001")
    p.add_argument("--full", action="store_true", help="include the referral's personal data (audited)")
    p.add_argument("--json", action="store_true", help="print JSON (for scripts) instead of text")
    p.set_defaults(handler=show_case)

    p = cs.add_parser("event", help="record or correct a clock-starting event; deadlines are recomputed")
    p.add_argument("reference", help="the case reference, e.g. SCR-2026-0001")
    p.add_argument(
        "event",
        choices=[e.value for e in CaseEvent if e is not CaseEvent.DECISION_MADE],
        help="the clock-starting event (decisions: `scrbot decide`)",
    )
    p.add_argument("--on", required=True, type=uk_date, help="date of the event (e.g. 31/12/2026)")
    p.add_argument("--new-date", type=uk_date, help="review_extended: the new completion date (e.g. 31/12/2026)")
    p.add_argument("--reason", default="", help="review_extended: why, from the board's list (e.g. 'agency delay')")
    p.add_argument("--json", action="store_true", help="print JSON (for scripts) instead of text")
    p.set_defaults(handler=record_event)

    p = cs.add_parser("done", help="mark a deadline met (or not applicable)")
    p.add_argument("reference", help="the case reference, e.g. SCR-2026-0001")
    p.add_argument("rule", help="rule id, e.g. scoping_meeting")
    p.add_argument("--on", required=True, type=uk_date, help="date it was done (e.g. 31/12/2026)")
    p.add_argument("--agency", help="for per-agency rules, the agency id")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--not-applicable", action="store_true", help="mark it not applicable instead")
    group.add_argument("--reopen", action="store_true", help="open it again")
    p.set_defaults(handler=mark_done)

    p = cs.add_parser("advance", help="move a case on in its lifecycle")
    p.add_argument("reference", help="the case reference, e.g. SCR-2026-0001")
    p.add_argument("status", choices=[s.value for s in CaseStatus], help="the lifecycle stage to move to")
    add_yes(p)  # moving to closed asks, as `case close` does
    p.set_defaults(handler=advance)

    p = cs.add_parser("close", help="close a case (cancels its open deadlines)")
    p.add_argument("reference", help="the case reference, e.g. SCR-2026-0001")
    add_yes(p)
    p.set_defaults(handler=close)

    p = cs.add_parser("confirm", help="record an agency's answer by hand (records secured, involvement)")
    p.add_argument("reference", help="the case reference, e.g. SCR-2026-0001")
    p.add_argument("agency", help="agency id from the board config")
    p.add_argument("--secured-on", type=uk_date, help="date the agency secured its records")
    p.add_argument(
        "--no-records", action="store_true", help="the agency holds no records (nothing to secure; no date shown)"
    )
    p.add_argument("--by", default="", help="who secured them")
    p.add_argument(
        "--involvement", choices=["known", "not_known"], help="whether the child or family is known to the agency"
    )
    p.add_argument("--detail", default="", help="what the agency said about its involvement")
    p.set_defaults(handler=confirm)

    register_cost(cs)


def list_cases(ctx: AppContext, args: argparse.Namespace) -> int:
    from cases.calendar import local_date

    today = local_date(ctx.now_clock.now())
    summaries = ctx.reader.list_cases(today=today, include_closed=args.all)
    if args.json:
        print_json(
            [
                {
                    "reference": s.reference,
                    "status": s.status.value,
                    "outcome": s.outcome.value if s.outcome else None,
                    "rag": s.rag.value,
                    "next_deadline": deadline_json(s.next_deadline) if s.next_deadline else None,
                    "agencies_not_confirmed": s.agencies_not_confirmed,
                    "agencies_no_records_held": s.agencies_no_records,
                    "open_deadlines": s.open_deadlines,
                }
                for s in summaries
            ]
        )
        return 0
    if not summaries:
        print("No open cases.")
        return 0
    print_table(
        ["REFERENCE", "STATUS", "RAG", "NEXT DEADLINE", "ACT BY", "RECORDS NOT CONFIRMED", "NO RECORDS HELD"],
        [
            (
                s.reference,
                s.status.value + (f" ({s.outcome.value})" if s.outcome else ""),
                s.rag.value,
                (
                    s.next_deadline.computed.rule
                    + (f" [{s.next_deadline.computed.agency}]" if s.next_deadline.computed.agency else "")
                )
                if s.next_deadline
                else "-",
                s.next_deadline.computed.act_by if s.next_deadline else "-",
                ", ".join(s.agencies_not_confirmed) or "-",
                ", ".join(s.agencies_no_records) or "-",
            )
            for s in summaries
        ],
    )
    return 0


def case_json(case: Case, ctx: AppContext, *, full: bool) -> dict[str, Any]:
    from cases.calendar import local_date
    from cases.case import RecordsState
    from cases.criteria import classify
    from cases.status import rag

    today = local_date(ctx.now_clock.now())
    store = ctx.store
    data: dict[str, Any] = {
        "reference": case.reference,
        "status": case.status.value,
        "rules_pack": case.rules_pack,
        "rules_pack_version": case.rules_pack_version,
        "created_at": case.created_at.isoformat(),
        "possible_duplicates": case.possible_duplicates,
        "next_moves": [m.value for m in allowed_moves(case.status)],
        "events": {
            e.value: {
                "on": r.on.isoformat(),
                "outcome": r.outcome.value if r.outcome else None,
                "new_due": r.new_due.isoformat() if r.new_due else None,
            }
            for e, r in case.events.items()
        },
        "decision": None,
        "deadlines": [
            deadline_json(d, rag=rag(d, today, store.calendar, amber_working_days=store.board.amber_working_days).value)
            for d in case.deadlines
        ],
        "agencies": [
            {
                "agency": c.agency_id,
                "request_sent_at": c.request_sent_at.isoformat() if c.request_sent_at else None,
                "involvement": c.involvement.value,
                # secured, no_records_held or not_yet (a "no records held" answer has no date)
                "records": c.records.value,
                "secured_on": c.secured_on.isoformat() if c.secured_on else None,
                "evidence": c.evidence or None,
                **({"secured_by": c.secured_by, "involvement_detail": c.involvement_detail} if full else {}),
            }
            for c in case.confirmations
        ],
        "purged": case.purged_at is not None,
        "not_confirmed": case.agencies_not_confirmed(),
        "no_records_held": [c.agency_id for c in case.confirmations if c.records is RecordsState.NO_RECORDS_HELD],
        "mail": [
            {"id": m.id, "status": m.status.value, "kind": m.kind, "agency": m.agency_id or None, "reason": m.reason}
            for m in ctx.inbound.list(case_ref=case.reference)
        ],
    }
    if case.decision is not None:
        data["decision"] = {"outcome": case.decision.outcome.value, "decided_on": case.decision.decided_on.isoformat()}
        if full:
            data["decision"].update(
                decided_by=case.decision.decided_by, rationale=case.decision.rationale, detail=case.decision.detail
            )
    if full and case.referral is not None:
        data["referral"] = case.referral.model_dump(mode="json")
        classification = classify(case.referral.criteria)
        data["criteria"] = {
            "summary": classification.summary,
            "results": [
                {"category": r.category.value, "clause": r.clause, "text": r.text, "status": r.status.value}
                for r in classification.results
            ],
        }
    return data


def show_case(ctx: AppContext, args: argparse.Namespace) -> int:
    from bot.context import cli_actor

    now = ctx.now_clock.now()
    case = ctx.store.cases.get_case(
        args.reference, actor=cli_actor(), now=now, purpose="cli show" + (" full" if args.full else "")
    )
    data = case_json(case, ctx, full=args.full)
    if args.json:
        print_json(data)
        return 0
    print(f"{case.reference}  {case.status.value}  (rules: {case.rules_pack} version {case.rules_pack_version})")
    pack = ctx.store.cases.pack_named(case.rules_pack).pack
    print(f"Review under these rules: {pack.review_name} ({pack.review_short})")
    if case.decision:
        print(f"Decision: {case.decision.outcome.value} on {case.decision.decided_on}")
    if case.possible_duplicates:
        print(f"Possible duplicate of: {', '.join(case.possible_duplicates)}")
    if args.full and "referral" in data:
        r = case.referral
        assert r is not None
        print(f"Child: {r.child.forenames} {r.child.last_name}  born {r.child.date_of_birth or '?'}")
        print(f"Referrer: {r.referrer.name}, {r.referrer.role}, {r.referrer.agency}")
        print(f"Outline: {r.case_outline}")
        print(f"Criteria (information only, not a decision): {data['criteria']['summary']}")
    print()
    print("Deadlines")
    print_table(
        ["RULE", "AGENCY", "DUE", "ACT BY", "STATE", "RAG", "SOURCE"],
        [
            (
                d["rule"] + (f" #{d['occurrence']}" if d["occurrence"] > 1 else ""),
                d["agency"] or "",
                d["due"],
                d["act_by"],
                d["state"] + (f" {d['met_on']}" if d["met_on"] else ""),
                d["rag"],
                d["source"],
            )
            for d in data["deadlines"]
        ],
    )
    print()
    print("Agencies")
    print_table(
        ["AGENCY", "REQUEST SENT", "INVOLVEMENT", "RECORDS", "EVIDENCE"],
        [
            (
                c.agency_id,
                moment(a["request_sent_at"]) if a["request_sent_at"] else "-",
                a["involvement"],
                c.records_text.upper(),
                a["evidence"] or "-",
            )
            for c, a in zip(case.confirmations, data["agencies"], strict=True)
        ],
    )
    print(f"Not yet confirmed records secured: {', '.join(data['not_confirmed']) or 'none'}")
    if data["mail"]:
        print()
        print("Mail about this case")
        print_table(
            ["ID", "STATUS", "KIND", "AGENCY", "REASON"],
            [(m["id"], m["status"], m["kind"], m["agency"] or "-", m["reason"]) for m in data["mail"]],
        )
    return 0


def record_event(ctx: AppContext, args: argparse.Namespace) -> int:
    from bot.context import cli_actor

    event = CaseEvent(args.event)
    new_due = parse_date(args.new_date) if args.new_date else None
    deadlines = ctx.store.cases.record_event(
        args.reference,
        event,
        parse_date(args.on),
        actor=cli_actor(),
        now=ctx.now_clock.now(),
        new_due=new_due,
        reason=args.reason,
    )
    if args.json:
        print_json([deadline_json(d) for d in deadlines])
    else:
        print(f"{args.reference.upper()}: {event.value} recorded on {args.on}; deadlines recomputed.")
    return 0


def mark_done(ctx: AppContext, args: argparse.Namespace) -> int:
    from bot.context import cli_actor
    from cases.case import DeadlineState

    state = (
        DeadlineState.NOT_APPLICABLE
        if args.not_applicable
        else DeadlineState.OPEN
        if args.reopen
        else DeadlineState.MET
    )
    deadline = ctx.store.cases.mark_deadline(
        args.reference,
        args.rule,
        actor=cli_actor(),
        now=ctx.now_clock.now(),
        on=parse_date(args.on),
        agency=args.agency,
        state=state,
    )
    print(f"{args.reference.upper()}: {deadline.computed.rule} is {deadline.state.value}.")
    return 0


def advance(ctx: AppContext, args: argparse.Namespace) -> int:
    from bot.context import cli_actor

    if CaseStatus(args.status) is CaseStatus.CLOSED:
        return close(ctx, args)
    ctx.store.cases.move_status(args.reference, CaseStatus(args.status), actor=cli_actor(), now=ctx.now_clock.now())
    print(f"{args.reference.upper()} is now {args.status}.")
    return 0


def close(ctx: AppContext, args: argparse.Namespace) -> int:
    from bot.context import cli_actor

    _id, status, _by = ctx.store.cases.status_of(args.reference)  # a wrong reference fails before the question
    if status is not CaseStatus.CLOSED:
        confirm_irreversible(f"Close {args.reference.upper()} and cancel its open deadlines", args)
    ctx.store.cases.move_status(args.reference, CaseStatus.CLOSED, actor=cli_actor(), now=ctx.now_clock.now())
    print(f"{args.reference.upper()} is closed.")
    return 0


def confirm(ctx: AppContext, args: argparse.Namespace) -> int:
    from bot.context import cli_actor
    from cases.case import Involvement, RecordsState

    if not args.secured_on and not args.involvement and not args.no_records:
        raise CommandError("say what the agency confirmed: --secured-on DATE, --no-records and/or --involvement")
    if args.secured_on and args.no_records:
        raise CommandError("--secured-on and --no-records contradict each other: say one")
    records = RecordsState.NO_RECORDS_HELD if args.no_records else RecordsState.SECURED if args.secured_on else None
    confirmation = ctx.store.cases.confirm_agency(
        args.reference,
        args.agency,
        actor=cli_actor(),
        now=ctx.now_clock.now(),
        involvement=Involvement(args.involvement) if args.involvement else None,
        involvement_detail=args.detail,
        records=records,
        secured_on=parse_date(args.secured_on) if args.secured_on else None,
        secured_by=args.by,
        evidence="recorded by hand (CLI)",
    )
    print(
        f"{args.reference.upper()}: {args.agency} involvement {confirmation.involvement.value}, "
        f"records {confirmation.records_text}."
    )
    return 0
