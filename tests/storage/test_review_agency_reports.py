"""The agency reports repository: each step stored (names and documents sealed), audited, and its effect on the
agency's report deadline applied in the same transaction; only the agency's own registered address counts."""

from __future__ import annotations

from datetime import date
from functools import partial

import pytest

from cases.case import DeadlineState, Decision
from cases.events import Outcome
from cases.review.agency_report import Step, accept, nominate, request, sign_off
from errors import Conflict, NotFound, Refused
from storage.review_agency_reports import AgencyReports, ReceivedFile
from storage.store import Store
from tests.factories import REFERRER, STAFF, at, make_referral
from tests.support.reports import docx_report

DECIDED = date(2026, 12, 22)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def decided_case(store: Store) -> str:
    filed = store.cases.file_referral(make_referral(), actor=REFERRER, now=at(date(2026, 12, 1)))
    decision = Decision(outcome=Outcome.SCR, decided_on=DECIDED)
    store.cases.record_decision(filed.reference, decision, actor=STAFF, now=at(DECIDED))
    return filed.reference


def imr_deadline(store: Store, reference: str, agency: str) -> tuple[date, DeadlineState]:
    case = store.cases.get_case(reference, actor=STAFF, now=at(DECIDED))
    found = next(d for d in case.deadlines if d.computed.rule == "imr_submitted" and d.computed.agency == agency)
    return found.computed.due, found.state


def test_an_agency_report_from_request_to_acceptance(store: Store) -> None:
    reports = AgencyReports(store)
    ref = decided_case(store)
    assert {r.agency: r.step for r in reports.steps(ref)} == {
        "health": Step.NOT_NOMINATED,
        "police": Step.NOT_NOMINATED,
        "school": Step.NOT_NOMINATED,
    }
    day = at(date(2027, 1, 4))
    reports.record(
        ref,
        "police",
        partial(nominate, author="Author Synthetic", no_involvement=True, on=day.date()),
        actor=STAFF,
        now=day,
    )
    reports.record(ref, "police", partial(request, due=date(2027, 2, 12), on=day.date()), actor=STAFF, now=day)
    assert imr_deadline(store, ref, "police") == (date(2027, 2, 12), DeadlineState.OPEN)
    report = docx_report(["The agency's chronology of contact."])
    reports.receive(
        ref, "police", ReceivedFile("imr.docx", report, DOCX, "reviews@testshire.pnn.police.uk"), actor=STAFF, now=day
    )
    with pytest.raises(Conflict):  # unsigned: returned, never accepted (004 §7.6-7.7)
        reports.record(ref, "police", partial(accept, on=day.date()), actor=STAFF, now=day)
    reports.return_version(ref, "police", reasons="not signed off", new_due=date(2027, 3, 1), actor=STAFF, now=day)
    assert imr_deadline(store, ref, "police") == (date(2027, 3, 1), DeadlineState.OPEN)
    reports.receive(ref, "police", ReceivedFile("imr-v2.docx", report, DOCX), actor=STAFF, now=day)
    reports.record(ref, "police", partial(sign_off, by="Director Synthetic", on=day.date()), actor=STAFF, now=day)
    done = reports.record(ref, "police", partial(accept, on=date(2027, 1, 5)), actor=STAFF, now=day)
    assert (done.step, done.version, done.returns) == (Step.ACCEPTED, 2, 1)
    assert imr_deadline(store, ref, "police") == (date(2027, 3, 1), DeadlineState.MET)
    assert reports.versions(ref, "police") == 2
    assert reports.version_file(ref, "police", 1, actor=STAFF, now=day) == ("imr.docx", report)
    listed = {r.agency: r for r in reports.steps(ref)}
    assert listed["police"].step is Step.ACCEPTED and listed["police"].author == ""  # names only when opened
    with store.sessions() as s:
        actions = [e.action for e in store.audit.entries(s, case_ref=ref) if e.action.startswith("agency_report.")]
    assert actions == [
        "agency_report.nominated",
        "agency_report.requested",
        "agency_report.received",
        "agency_report.returned",
        "agency_report.received",
        "agency_report.signed_off",
        "agency_report.accepted",
        "agency_report.distribution_drafted",
        "agency_report.opened",
    ]


def test_only_the_agencys_own_registered_address_counts_and_nothing_is_half_stored(store: Store) -> None:
    reports = AgencyReports(store)
    ref = decided_case(store)
    day = at(date(2027, 1, 4))
    other = ReceivedFile("imr.docx", docx_report(), DOCX, "safeguarding.testshire@nhs.net")  # health's address
    with pytest.raises(Refused):
        reports.receive(ref, "police", other, actor=STAFF, now=day)
    with pytest.raises(NotFound):
        reports.receive(ref, "fire", ReceivedFile("imr.docx", docx_report(), DOCX), actor=STAFF, now=day)
    with pytest.raises(NotFound):
        reports.steps("SCR-2099-0001")
    assert reports.versions(ref, "police") == 0
    assert {r.step for r in reports.steps(ref)} == {Step.NOT_NOMINATED}
