"""The overview report's versions: checked against the case's own sealed record on upload; a version with
findings may not leave the board until a named person overrides the check with a reason (audited)."""

from __future__ import annotations

from datetime import date

import pytest

from errors import BadInput, Conflict, Refused
from intake.documents.reading import read_report
from storage.review_report_versions import ReportVersions
from storage.store import Store
from tests.factories import REFERRER, STAFF, at, make_referral
from tests.support.reports import FILLER, docx_report, pdf_report

NOW = at(date(2027, 5, 4))


def upload(reports: ReportVersions, ref: str, name: str, content: bytes) -> tuple[int, list[str]]:
    media_type, text = read_report(name, content)
    uploaded = reports.upload(
        ref, filename=name, content=content, media_type=media_type, text=text, actor=STAFF, now=NOW
    )
    return uploaded.version.version, uploaded.result.summary()


def test_a_version_with_the_cases_data_is_blocked_until_overridden_and_a_clean_one_goes(store: Store) -> None:
    referral = make_referral(**{"child.date_of_birth": "2025-03-03"})
    ref = store.cases.file_referral(referral, actor=REFERRER, now=at(date(2026, 12, 1))).reference
    reports = ReportVersions(store)
    v1 = docx_report(
        [FILLER, "The child was born on 3rd March 2025.", "The Marchbanks-Toveys' flat was cold."],
        footers={1: "Prepared after talking to Ambrose"},
    )
    number, lines = upload(reports, ref, "overview-v1.docx", v1)
    assert number == 1
    assert lines == [
        "child's date of birth, body, paragraph 2",
        "family surname, body, paragraph 3",
        "sibling's forename, footer of section 1, paragraph 1",
    ]
    assert reports.findings(ref, 1, actor=STAFF) == lines
    with pytest.raises(Refused) as refused:
        reports.for_sending(ref, 1)
    assert "Ambrose" not in str(refused.value) and "3 item(s)" in str(refused.value)
    with pytest.raises(BadInput):
        reports.override(ref, 1, reason="  ", actor=STAFF, now=NOW)
    v2 = pdf_report([[FILLER, "Child C was born in the spring.", "Sibling S was at home."]])
    assert upload(reports, ref, "overview-v2.pdf", v2) == (2, [])
    sent = reports.for_sending(ref, 2)
    assert (sent.filename, sent.content, sent.media_type) == ("overview-v2.pdf", v2, "application/pdf")
    with pytest.raises(Conflict):
        reports.override(ref, 2, reason="nothing to override", actor=STAFF, now=NOW)
    overridden = reports.override(ref, 1, reason="the chair accepts the footer", actor=STAFF, now=NOW)
    assert overridden.state == "overridden" and reports.for_sending(ref, 1).content == v1
    assert [v.state for v in reports.versions(ref)] == ["overridden", "clean"]
    with store.sessions() as s:
        entries = [(e.action, e.detail) for e in store.audit.entries(s, case_ref=ref) if e.action.startswith("report.")]
    assert entries == [
        ("report.uploaded", {"version": 1, "findings": 3, "kinds": {"date_of_birth": 1, "name": 2}}),
        ("report.uploaded", {"version": 2, "findings": 0, "kinds": {}}),
        ("report.check_overridden", {"version": 1, "findings": 3}),
    ]
