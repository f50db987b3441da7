"""Acting on a classified message inside the short write transaction that also records its outcome: an
agency's answer recorded against its case, or an emailed referral filed (intake/inbound/classify.py decided
which, with no transaction open)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from cases.actor import Actor, Role, agency_actor
from cases.case import Involvement, RecordsState
from errors import BadInput, Conflict, NotFound, Refused
from intake.inbound.agency_report_mail import AgencyReportMail, AuthorNomination
from intake.inbound.classify import AgencyReply, ReferralToFile, Verdict, needs_person, processed, quarantine
from storage.review_agency_reports import AgencyReports
from storage.store import Store

# Files referrals that arrive by email from a trusted sender; a person's own actor when they release one.
REFERRAL_ACTOR = Actor("mail:referral", frozenset({Role.REFERRER}))


def records_state(reply: AgencyReply) -> RecordsState | None:
    """Where the agency says its records stand: secured, none held, not yet; None when it does not say."""
    answer = reply.answer
    if answer.records_secured is None:
        return None
    if not answer.records_secured:
        return RecordsState.NOT_YET
    return RecordsState.NO_RECORDS_HELD if answer.no_records else RecordsState.SECURED


def record_reply(store: Store, s: Session, reply: AgencyReply, now: datetime, *, actor: Actor | None) -> Verdict:
    """Record the answer as the agency's own (or, when a person releases it, as that person's record)."""
    answer = reply.answer
    where = {"case_ref": reply.reference, "agency_id": reply.agency_id, "case_id": reply.case_id}
    records = records_state(reply)
    try:
        with s.begin_nested():
            store.cases.confirm_agency(
                reply.reference,
                reply.agency_id,
                actor=actor or agency_actor(reply.agency_id),
                now=now,
                involvement=answer.involvement,
                involvement_detail=answer.involvement_detail,
                # "Not yet" records nothing yet: the agency is still chased for its records.
                records=records if records is not RecordsState.NOT_YET else None,
                secured_on=answer.secured_on if records is not None and records.answered else None,
                secured_by=answer.secured_by,
                evidence=reply.evidence,
                session=s,
            )
    except NotFound:
        why = f"agency {reply.agency_id} is not asked about case {reply.reference}"
        return quarantine("agency_reply", why, **where)
    except (Refused, Conflict) as exc:
        return quarantine("agency_reply", f"could not be recorded ({type(exc).__name__})", **where)
    said: list[str] = []
    if records is RecordsState.NO_RECORDS_HELD:
        said.append("no records held")
    elif records is RecordsState.SECURED:
        stated = "" if answer.secured_on_stated else " (the email's date)"
        said.append(f"records secured on {answer.secured_on}{stated}")
    elif records is RecordsState.NOT_YET:
        said.append("records not yet secured")
    if answer.involvement is not None and answer.involvement is not Involvement.UNKNOWN:
        said.append(f"involvement {answer.involvement.value}")
    return processed("agency_reply", "recorded: " + ", ".join(said), detail=reply.detail, **where)


def file_referral(
    store: Store, s: Session, referral: ReferralToFile, now: datetime, *, person: Actor | None
) -> Verdict:
    filed = store.cases.file_referral(referral.referral, actor=person or REFERRAL_ACTOR, now=now, session=s)
    duplicates = filed.possible_duplicates
    return processed(
        "referral",
        f"referral filed as {filed.reference}"
        + (" (possible duplicate of " + ", ".join(duplicates) + ")" if duplicates else ""),
        case_id=filed.case_id,
        case_ref=filed.reference,
        detail=referral.detail,
    )


def record_report(store: Store, s: Session, mail: AgencyReportMail, now: datetime) -> Verdict:
    """Keep the report as the agency's next version, in the intake's write transaction."""
    where = {"case_ref": mail.reference, "agency_id": mail.agency_id, "case_id": mail.case_id}
    try:
        with s.begin_nested():
            report = AgencyReports(store).receive(
                mail.reference, mail.agency_id, mail.received, actor=agency_actor(mail.agency_id), now=now, session=s
            )
    except (NotFound, Refused, Conflict) as exc:
        return quarantine("agency_report", f"could not be recorded: {exc}", **where)
    return processed("agency_report", f"version {report.version} of the agency's report received", **where)


def record_nomination(store: Store, s: Session, mail: AuthorNomination, now: datetime) -> Verdict:
    """Record the agency's nominated author (004 §7.2); without the no-involvement declaration a person decides."""
    where = {"case_ref": mail.reference, "agency_id": mail.agency_id, "case_id": mail.case_id}
    if not mail.no_involvement:
        why = "names an author but does not declare the author had no involvement with the case (004 §7.2)"
        return needs_person("agency_report", why, **where)
    try:
        with s.begin_nested():
            AgencyReports(store).nominate_by_agency(
                mail.reference,
                mail.agency_id,
                author=mail.author,
                actor=agency_actor(mail.agency_id),
                now=now,
                session=s,
            )
    except (NotFound, Refused, Conflict, BadInput) as exc:
        return quarantine("agency_report", f"could not be recorded: {exc}", **where)
    return processed("agency_report", "the agency's report author nominated", **where)
