"""The board approves a version of the report (one that may leave the board only): under wt2023 that meets the
final report's deadline (met_by = "report_approved", Working Together 2023 ch. 5); audited with the version."""

from __future__ import annotations

from datetime import date

import pytest

from cases.board import BoardConfig
from cases.case import DeadlineState, Decision
from cases.events import Outcome
from errors import BadInput, Refused
from intake.documents.reading import read_report
from storage.review_report_versions import ReportVersions
from storage.store import Store
from tests.factories import REFERRER, STAFF, at, make_board, make_referral
from tests.support.reports import FILLER, docx_report

NOW = at(date(2027, 4, 20))


@pytest.fixture
def board() -> BoardConfig:
    return make_board(rules_pack="wt2023")


def final_report(store: Store, ref: str) -> tuple[DeadlineState, date | None]:
    case = store.cases.get_case(ref, actor=STAFF, now=NOW)
    [found] = [d for d in case.deadlines if d.computed.rule == "final_report"]
    return found.state, found.met_on


def test_approving_a_cleared_version_meets_the_final_report(store: Store) -> None:
    ref = store.cases.file_referral(make_referral(), actor=REFERRER, now=at(date(2026, 12, 1))).reference
    store.cases.record_decision(
        ref, Decision(outcome=Outcome.SCR, decided_on=date(2026, 12, 22)), actor=STAFF, now=at(date(2026, 12, 22))
    )
    reports = ReportVersions(store)
    for paragraphs in ([FILLER, "The Marchbanks-Toveys' flat was cold."], [FILLER, "Child C lived with family."]):
        content = docx_report(paragraphs)
        media_type, text = read_report("final.docx", content)
        reports.upload(
            ref, filename="final.docx", content=content, media_type=media_type, text=text, actor=STAFF, now=NOW
        )
    with pytest.raises(Refused):  # version 1 holds the family's surname: it may not be approved to leave
        reports.approve(ref, 1, on=NOW.date(), actor=STAFF, now=NOW)
    with pytest.raises(BadInput) as future:
        reports.approve(ref, 2, on=date(2027, 4, 21), actor=STAFF, now=NOW)
    assert future.value.field == "on"
    assert final_report(store, ref) == (DeadlineState.OPEN, None)
    assert reports.approve(ref, 2, on=date(2027, 4, 19), actor=STAFF, now=NOW) == ["final_report"]
    assert final_report(store, ref) == (DeadlineState.MET, date(2027, 4, 19))
    with store.sessions() as s:
        [entry] = [e for e in store.audit.entries(s, case_ref=ref) if e.action == "report.approved"]
    assert entry.detail == {"version": 2, "on": "2027-04-19", "met": ["final_report"]}
