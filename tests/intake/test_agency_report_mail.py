"""An agency's report (IMR) by secure email: counted only from a registered, authenticated address of that
agency, only as exactly one readable .docx or .pdf; kept sealed as the agency's next version. Anything else is
quarantined with one line and nothing half-stored."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage

import pytest

from cases.review.agency_report import Step
from storage.inbound import InboundStatus
from storage.review_agency_reports import AgencyReports
from storage.store import Store
from tests.factories import REFERRER, make_referral
from tests.support.intake import authentication_results, make_intake
from tests.support.reports import docx_report, pdf_report

NOW = datetime(2026, 12, 3, 10, tzinfo=UTC)
POLICE = "reviews@testshire.pnn.police.uk"
DOCX = docx_report(["The agency's chronology."])
DONE, HELD, REPORT = InboundStatus.PROCESSED, InboundStatus.QUARANTINED, "agency_report"


def report_mail(
    sender: str = POLICE,
    subject: str = "[SCR-2026-0001] Individual management review",
    files: tuple[tuple[str, bytes], ...] = (("imr.docx", DOCX),),
    stamped: bool = True,
) -> bytes:
    message = EmailMessage()
    if stamped:
        message["Authentication-Results"] = authentication_results(sender)
    message["From"] = f"Agency <{sender}>"
    message["To"] = "scr@testshire.gov.uk"
    message["Subject"] = subject
    message["Message-ID"] = f"<imr-{abs(hash((sender, subject, files)))}@example>"
    message.set_content("Please find our report attached.")
    for name, data in files:
        message.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
    return bytes(message)


@pytest.mark.parametrize(
    ("raw", "status", "kind", "reason", "agency", "versions"),
    [
        (report_mail(), DONE, REPORT, "version 1", "police", 1),
        (report_mail(files=(("imr.pdf", pdf_report()),)), DONE, REPORT, "version 1", "police", 1),
        # Another agency's registered address: its own report, never the police's.
        (report_mail("safeguarding.testshire@nhs.net"), DONE, REPORT, "version 1", "health", 0),
        (report_mail("someone@elsewhere.example"), HELD, "agency_reply", "not a registered", "", 0),
        (report_mail(stamped=False), HELD, "untrusted", "", "", 0),
        (report_mail(files=()), HELD, REPORT, "exactly one .docx or .pdf (0 found)", "police", 0),
        (
            report_mail(files=(("a.docx", DOCX), ("b.pdf", pdf_report()))),
            HELD, REPORT, "(2 found)", "police", 0,
        ),
        (report_mail(files=(("imr.pdf", b"not a pdf at all"),)), HELD, REPORT, "could not be read", "police", 0),
        (
            report_mail(files=(("imr.pdf", pdf_report(password="secret")),)),
            HELD, REPORT, "password", "police", 0,
        ),
    ],
)  # fmt: skip
def test_an_agency_report_by_email(
    store: Store, raw: bytes, status: InboundStatus, kind: str, reason: str, agency: str, versions: int
) -> None:
    reference = store.cases.file_referral(make_referral(), actor=REFERRER, now=NOW).reference
    outcome = make_intake(store).ingest(raw, now=NOW)
    assert (outcome.status, outcome.kind) == (status, kind), outcome.reason
    assert reason in outcome.reason and outcome.agency_id == agency
    reports = AgencyReports(store)
    assert reports.versions(reference, "police") == versions
    if status is InboundStatus.PROCESSED:
        [report] = [r for r in reports.steps(reference) if r.agency == agency]
        assert (report.step, report.version) == (Step.RECEIVED, 1)


def test_an_answer_about_records_with_a_letter_attached_is_not_a_report(store: Store) -> None:
    store.cases.file_referral(make_referral(), actor=REFERRER, now=NOW)
    raw = report_mail(subject="RE: [SCR-2026-0001] Please check your involvement and secure your records")
    outcome = make_intake(store).ingest(raw, now=NOW)
    assert outcome.kind == "agency_reply"


def nomination_mail(body: str, sender: str = POLICE) -> bytes:
    message = EmailMessage()
    message["Authentication-Results"] = authentication_results(sender)
    message["From"] = f"Agency <{sender}>"
    message["To"] = "scr@testshire.gov.uk"
    message["Subject"] = "RE: [SCR-2026-0001] Nomination of the IMR author"
    message["Message-ID"] = f"<nomination-{abs(hash((sender, body)))}@example>"
    message.set_content(body)
    return bytes(message)


@pytest.mark.parametrize(
    ("body", "status", "reason", "step"),
    [
        (
            "Author: Jordan Synthetic-Author, Detective Inspector\\nThe author has had no involvement with the case.",
            DONE, "author nominated", Step.NOMINATED,
        ),
        ("Author: Jordan Synthetic-Author\\nShe knows the family well.", InboundStatus.NEEDS_PERSON, "004 §7.2", None),
        ("We will nominate someone next week.", HELD, "without an 'Author:' line", None),
    ],
)  # fmt: skip
def test_an_authors_nomination_by_email(
    store: Store, body: str, status: InboundStatus, reason: str, step: Step | None
) -> None:
    reference = store.cases.file_referral(make_referral(), actor=REFERRER, now=NOW).reference
    outcome = make_intake(store).ingest(nomination_mail(body.replace("\\n", "\n")), now=NOW)
    assert (outcome.status, outcome.kind) == (status, REPORT), outcome.reason
    assert reason in outcome.reason and "Synthetic" not in outcome.reason
    police = [r for r in AgencyReports(store).steps(reference) if r.agency == "police"]
    assert [r.step for r in police] == ([step] if step else [])
