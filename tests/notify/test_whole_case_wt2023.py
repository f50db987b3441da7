"""A whole case under Working Together 2023 in simulated time, across Easter 2027 (Good Friday 26 March,
Easter Monday 29 March) and the early May bank holiday (3 May), to publication in December 2027.

Serious incident (the local authority aware Mon 22 Mar) -> the form's fields worded, submitted on the
national portal and recorded -> the partners told by email -> rapid review requests to each agency, chased
-> the rapid review sent to the Panel and recorded -> the Panel's response -> the decision to initiate a local
child safeguarding practice review -> reviewer and terms of reference -> an extension told to the Panel ->
the final report to the Panel and the Secretary of State 7 working days before publication -> publication.
Each day at 09:05 the sweep and the dispatcher run, as `scrbot run` would. Every date is counted by hand.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import partial

import pytest
from sqlalchemy import select

from cases.board import BoardConfig
from cases.calendar import WorkingCalendar, local_date
from cases.case import DeadlineState, Decision
from cases.commands import RecordPanelResponse, RecordSubmission
from cases.events import CaseEvent, CaseStatus, Outcome, PanelResponse
from cases.review.agency_report import accept, nominate, request, sign_off
from intake.documents.reading import read_report
from notify.outbox import OutboxStatus
from notify.outside_forms import outside_form
from storage.review_agency_reports import AgencyReports, ReceivedFile
from storage.review_report_versions import ReportVersions
from storage.tables import AuditRow, ReminderRow
from tests.factories import BUSINESS_UNIT, CHAIR, REFERRER, SENSITIVE_STRINGS, STAFF, at, make_referral
from tests.notify.conftest import NOTIFY_BOARD_TOML, NotifyEnv
from tests.notify.test_whole_case import approve_all, deadline, drafts, live_through
from tests.support.reports import docx_report

CAL = WorkingCalendar.england()
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
D = date
REF = "SCR-2027-0001"
PANEL = "mailbox.cspreviewpanel@education.gov.uk"
PARTNERS = "partners.testshire@nhs.net"

WT2023_BOARD = (
    NOTIFY_BOARD_TOML.replace('rules_pack = "hackney-2017"', 'rules_pack = "wt2023"')
    + f"""
[statutory_recipients.safeguarding_partners]
name = "Testshire safeguarding partners"
email = "{PARTNERS}"
"""
)


@pytest.fixture
def board() -> BoardConfig:
    return BoardConfig.from_toml(WT2023_BOARD)


AGENCIES = ("police", "health", "school")

EXPECTED = {
    # panel_notification: aware Mon 22 Mar (day 0); Tue 23 (1), Wed 24 (2), Thu 25 (3), Good Friday and Easter
    # Monday skipped, Tue 30 (4), Wed 31 (5). Three working days before Wed 31: Tue 30, Thu 25, Wed 24.
    (D(2027, 3, 24), "panel_notification", "", "business_unit", "before_3"),
    # rapid_review_information, 7 working days: Thu 1 Apr (6), Fri 2 Apr (7). Three before: Thu 1, Wed 31,
    # Tue 30 Mar: each agency chased then.
    *((D(2027, 3, 30), "rapid_review_information", a, "agency", "before_3") for a in AGENCIES),
    # The school sends nothing until Tue 6 Apr, 08:00: chased on the day, then overdue on Mon 5 Apr (the
    # business unit hears too); it answers before Tuesday's sweep, so no escalation.
    (D(2027, 4, 2), "rapid_review_information", "school", "agency", "on_day"),
    (D(2027, 4, 5), "rapid_review_information", "school", "agency", "overdue"),
    (D(2027, 4, 5), "rapid_review_information", "school", "business_unit", "overdue"),
    # publication_copies: publication Wed 15 Dec; 7 working days before: Tue 14 (1), Mon 13 (2), Fri 10 (3),
    # Thu 9 (4), Wed 8 (5), Tue 7 (6), Mon 6 Dec (7). Three before Mon 6: Fri 3, Thu 2, Wed 1 Dec.
    (D(2027, 12, 1), "publication_copies", "", "business_unit", "before_3"),
}


def test_a_whole_wt2023_case_across_easter_2027(env: NotifyEnv) -> None:
    cases = env.store.cases
    actions: dict[date, list[tuple[int, str]]] = {}

    def on(day: date, hour: int, what: str) -> None:
        actions.setdefault(day, []).append((hour, what))

    on(D(2027, 3, 22), 10, "refer")
    on(D(2027, 3, 23), 10, "approve partners report and rapid review requests")
    on(D(2027, 3, 23), 12, "records secured")
    on(D(2027, 3, 25), 14, "submitted on the portal")
    on(D(2027, 3, 31), 12, "police and health send their information")
    on(D(2027, 4, 6), 8, "school sends its information")
    on(D(2027, 4, 8), 15, "rapid review sent to the Panel")
    on(D(2027, 4, 9), 11, "decision")
    on(D(2027, 4, 12), 10, "approve decision notice")
    on(D(2027, 4, 12), 12, "in review")
    on(D(2027, 4, 22), 12, "panel response")
    on(D(2027, 4, 23), 12, "reviewer appointed")
    on(D(2027, 4, 30), 12, "terms of reference")
    on(D(2027, 4, 30), 14, "agencies' information accepted")
    on(D(2027, 4, 30), 16, "approve the information to the reviewer and panel")
    on(D(2027, 9, 1), 12, "final report approved")
    on(D(2027, 9, 13), 12, "extension")
    on(D(2027, 9, 14), 10, "approve extension")
    on(D(2027, 11, 29), 12, "review complete and publication planned")
    on(D(2027, 12, 2), 10, "approve final report copies")
    on(D(2027, 12, 15), 12, "published")

    def do(what: str, now: datetime) -> None:
        today = local_date(now)
        if what == "refer":
            referral = make_referral(
                D(2027, 3, 22), referral_date="2027-03-22", incident_date="2027-03-20", la_aware_date="2027-03-22"
            )
            assert cases.file_referral(referral, actor=REFERRER, now=now).reference == REF
            # The portal form is worded, not queued: nothing of it is in the outbox.
            assert not [m for m in env.outbox.list() if m.kind == "serious_incident_notification_form"]
        elif what == "approve partners report and rapid review requests":
            approve_all(env, "serious_incident_report_to_partners", now)
            assert len(approve_all(env, "rapid_review_request", now)) == 3
        elif what == "records secured":
            for agency in AGENCIES:
                cases.confirm_agency(REF, agency, actor=STAFF, now=now, records_secured=True)
        elif what == "submitted on the portal":
            _, form = outside_form(cases, REF, None, actor=BUSINESS_UNIT, now=now)
            assert "national online form" in form.text and "31 March 2027" in form.text
            cases.run(REF, RecordSubmission("", today, "SIN-2027-00311"), actor=BUSINESS_UNIT, now=now)
        elif what == "police and health send their information":
            for agency in ("police", "health"):
                cases.mark_deadline(REF, "rapid_review_information", actor=STAFF, now=now, on=today, agency=agency)
        elif what == "school sends its information":
            cases.mark_deadline(REF, "rapid_review_information", actor=STAFF, now=now, on=today, agency="school")
        elif what == "rapid review sent to the Panel":
            command = RecordSubmission("rapid_review_to_panel", today)
            cases.run(REF, command, actor=BUSINESS_UNIT, now=now)
        elif what == "decision":
            cases.record_decision(REF, Decision(outcome=Outcome.SCR, decided_on=today), actor=CHAIR, now=now)
        elif what == "approve decision notice":
            approve_all(env, "lcspr_decision_notice", now)
        elif what == "in review":
            cases.move_status(REF, CaseStatus.IN_REVIEW, actor=STAFF, now=now)
        elif what == "panel response":
            command_response = RecordPanelResponse(PanelResponse.AGREES, today)
            cases.run(REF, command_response, actor=BUSINESS_UNIT, now=now)
        elif what in ("reviewer appointed", "terms of reference"):
            rule = "reviewer_appointed" if what == "reviewer appointed" else "terms_of_reference_agreed"
            cases.mark_deadline(REF, rule, actor=STAFF, now=now, on=today)
        elif what == "agencies' information accepted":
            # Each agency's information for the local review (Children Act 2004 s.16H): requested, received,
            # signed off and accepted; accepting it meets its deadline and drafts it to the reviewer and panel.
            reports = AgencyReports(env.store)
            for agency in AGENCIES:
                step = partial(nominate, author="Author Synthetic", no_involvement=True, on=today)
                reports.record(REF, agency, step, actor=STAFF, now=now)
                reports.record(REF, agency, partial(request, due=D(2027, 5, 7), on=today), actor=STAFF, now=now)
                received = ReceivedFile(f"{agency}.docx", docx_report([f"{agency} information"]), DOCX)
                reports.receive(REF, agency, received, actor=STAFF, now=now)
                reports.record(REF, agency, partial(sign_off, by="Director Synthetic", on=today), actor=STAFF, now=now)
                reports.record(REF, agency, partial(accept, on=today), actor=STAFF, now=now)
        elif what == "approve the information to the reviewer and panel":
            assert len(approve_all(env, "agency_report_distribution", now)) == 3
        elif what == "final report approved":
            versions = ReportVersions(env.store)
            content = docx_report(["The final report: Child C and the agencies."])
            media_type, text = read_report("final.docx", content)
            versions.upload(
                REF, filename="final.docx", content=content, media_type=media_type, text=text, actor=STAFF, now=now
            )
            assert versions.approve(REF, 1, on=today, actor=STAFF, now=now) == ["final_report"]
        elif what == "extension":
            new_due, reason = D(2027, 12, 10), "parallel proceedings"
            cases.record_event(
                REF, CaseEvent.REVIEW_EXTENDED, today, actor=STAFF, now=now, new_due=new_due, reason=reason
            )
        elif what == "approve extension":
            [draft] = drafts(env, "lcspr_extension_notice")
            reason = "The review awaits the outcome of related criminal proceedings."
            env.outbox.edit(draft, actor=BUSINESS_UNIT, now=now, text=reason)
            approve_all(env, "lcspr_extension_notice", now)
        elif what == "review complete and publication planned":
            cases.mark_deadline(REF, "review_complete", actor=STAFF, now=now, on=today)
            cases.move_status(REF, CaseStatus.REPORT_APPROVED, actor=STAFF, now=now)
            cases.record_event(REF, CaseEvent.PUBLICATION_PLANNED, D(2027, 12, 15), actor=STAFF, now=now)
        elif what == "approve final report copies":
            approve_all(env, "lcspr_publication_copies", now)
        elif what == "published":
            cases.record_event(REF, CaseEvent.REPORT_PUBLISHED, today, actor=STAFF, now=now)
        else:  # pragma: no cover
            raise AssertionError(what)

    live_through(env, D(2027, 3, 22), D(2027, 12, 15), actions, do)

    with env.store.sessions() as s:
        sent = list(s.scalars(select(ReminderRow).where(ReminderRow.state == "sent", ReminderRow.rung != "digest")))
        digests = list(s.scalars(select(ReminderRow).where(ReminderRow.rung == "digest", ReminderRow.state == "sent")))
        audit = list(s.scalars(select(AuditRow).where(AuditRow.case_ref == REF)))

    for row in sent:
        assert row.sent_at is not None and local_date(row.sent_at) == row.remind_on, row.key
        assert CAL.is_working_day(row.remind_on) and not row.late, row.key
    got = {
        (r.remind_on, r.rule_id, r.agency_id, r.audience, "overdue" if r.rung.startswith("overdue_") else r.rung)
        for r in sent
    }
    assert got - EXPECTED == set(), "unexpected reminders"
    assert EXPECTED - got == set(), "missing reminders"
    easter = {D(2027, 3, 26), D(2027, 3, 29), D(2027, 5, 3)}
    assert not easter & {r.remind_on for r in sent}
    # The weekly digest on Mondays, or the Tuesday after Easter Monday (the case was filed after Monday
    # 22 March's sweep, so its first digest is the next one).
    digest_days = sorted(r.remind_on for r in digests)
    assert digest_days[:2] == [D(2027, 3, 30), D(2027, 4, 5)]

    # The clocks: met by what discharged them, on the day, and when they were due.
    assert deadline(env, REF, "panel_notification") == (DeadlineState.MET, D(2027, 3, 25), D(2027, 3, 31))
    assert deadline(env, REF, "partners_informed") == (DeadlineState.MET, D(2027, 3, 23), D(2027, 3, 31))
    assert deadline(env, REF, "records_secured", "police") == (DeadlineState.MET, D(2027, 3, 23), D(2027, 3, 31))
    assert deadline(env, REF, "rapid_review_information", "school") == (
        DeadlineState.MET,
        D(2027, 4, 6),
        D(2027, 4, 2),
    )
    # 15 working days from Mon 22 Mar: Fri 2 Apr (7), Mon 5 (8) ... Fri 9 (12), Mon 12 (13), Tue 13 (14), Wed 14.
    assert deadline(env, REF, "rapid_review") == (DeadlineState.MET, D(2027, 4, 8), D(2027, 4, 14))
    # Decision Fri 9 Apr: 5 working days = Fri 16 Apr.
    assert deadline(env, REF, "statutory_decision_notification") == (DeadlineState.MET, D(2027, 4, 12), D(2027, 4, 16))
    # One month from Fri 9 Apr is Sun 9 May: act by Fri 7 May.
    assert deadline(env, REF, "reviewer_appointed") == (DeadlineState.MET, D(2027, 4, 23), D(2027, 5, 7))
    # Each agency's information: due with the request on Fri 7 May (one month from the decision by default).
    for agency in AGENCIES:
        assert deadline(env, REF, "agency_information_submitted", agency) == (
            DeadlineState.MET,
            D(2027, 4, 30),
            D(2027, 5, 7),
        )
    # Five months from Fri 9 Apr: Thu 9 Sep; approved Wed 1 Sep.
    assert deadline(env, REF, "final_report") == (DeadlineState.MET, D(2027, 9, 1), D(2027, 9, 9))
    # Extension recorded Mon 13 Sep: 5 working days = Mon 20 Sep.
    assert deadline(env, REF, "extension_notice") == (DeadlineState.MET, D(2027, 9, 14), D(2027, 9, 20))
    # Six months from Fri 9 Apr was Sat 9 Oct; extended to Fri 10 Dec.
    assert deadline(env, REF, "review_complete") == (DeadlineState.MET, D(2027, 11, 29), D(2027, 12, 10))
    assert deadline(env, REF, "publication_copies") == (DeadlineState.MET, D(2027, 12, 2), D(2027, 12, 6))

    # The portal's reference and the Panel's response are in the audit trail.
    recorded = [a for a in audit if a.action in ("notification.recorded", "panel.responded")]
    assert len(recorded) == 3
    case = cases.get_case(REF, actor=STAFF, now=at(D(2027, 12, 16)))
    assert case.events[CaseEvent.PANEL_RESPONDED].on == D(2027, 4, 22)
    assert case.status is CaseStatus.PUBLISHED and case.rules_pack_version == "2023.1"

    # What went out by email, in the law's own words, to the pack's recipients.
    mails = env.emails()
    by_subject = {m["Subject"]: m for m in mails}
    partners = next(m for s, m in by_subject.items() if "serious incident reported" in s)
    assert partners["To"] == PARTNERS
    requests = [m for m in mails if "rapid review SCR-2027-0001: your chronology" in m["Subject"]]
    assert len(requests) == 3 and all("2 April 2027" in m["Subject"] for m in requests)
    decision = next(m for s, m in by_subject.items() if "decision on a local child safeguarding" in s)
    assert sorted(a.strip() for a in decision["To"].split(",")) == [
        "mailbox.cpod@education.gov.uk",
        PANEL,
        "scr.sin@ofsted.cjsm.net",
    ]
    body = decision.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "to carry out a local child safeguarding practice review" in body and "9 October 2027" in body
    extension = next(m for s, m in by_subject.items() if "new completion date 10 December 2027" in s)
    assert extension["To"] == PANEL
    copies = next(m for s, m in by_subject.items() if "final report, to be published on 15 December 2027" in s)
    assert sorted(a.strip() for a in copies["To"].split(",")) == ["mailbox.cpod@education.gov.uk", PANEL]
    everything = "\n".join(text for _, text in env.chat.posts) + "\n".join(
        p.read_text(errors="replace") for p in env.outbox_dir.glob("*.eml")
    )
    # Not the seeds' words: no serious case review, no National Panel of Independent Experts.
    assert "serious case review" not in everything.lower() and "Independent Experts" not in everything
    for sensitive in SENSITIVE_STRINGS:
        assert sensitive not in everything
    assert env.outbox.list(statuses=[OutboxStatus.DRAFT, OutboxStatus.APPROVED, OutboxStatus.FAILED]) == []
