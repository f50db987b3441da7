"""Purge after retention removes every sealed value the review phase holds about the case; the steps and dates
stay, like the case's own de-identified timeline."""

from __future__ import annotations

from datetime import date, timedelta
from functools import partial

from sqlalchemy import select

from cases.actor import SYSTEM
from cases.case import Decision
from cases.events import CaseStatus, Outcome
from cases.review.agency_report import nominate
from cases.review.publication import Proceeding, start
from intake.documents.reading import read_report
from storage.purge import purge
from storage.review_action_plan import ActionPlan
from storage.review_agency_reports import AgencyReports, ReceivedFile
from storage.review_publication import Publications
from storage.review_purge import purge_review
from storage.review_report_versions import ReportVersions
from storage.store import Store
from storage.tables import (
    ActionRow,
    AgencyReportRow,
    AgencyReportVersionRow,
    PublicationRow,
    ReportVersionRow,
    encrypted_columns,
)
from storage.tables.base import table_of
from tests.factories import CHAIR, REFERRER, STAFF, at, make_referral
from tests.support.reports import docx_report

DAY = at(date(2027, 1, 4))


def test_purge_removes_what_the_review_sealed_and_keeps_the_steps(store: Store) -> None:
    ref = store.cases.file_referral(make_referral(), actor=REFERRER, now=at(date(2026, 12, 1))).reference
    decision = Decision(outcome=Outcome.SCR, decided_on=date(2026, 12, 22))
    store.cases.record_decision(ref, decision, actor=STAFF, now=at(date(2026, 12, 22)))
    reports = AgencyReports(store)
    reports.record(
        ref, "police", partial(nominate, author="Author", no_involvement=True, on=DAY.date()), actor=STAFF, now=DAY
    )
    content = docx_report(["chronology"])
    media_type, text = read_report("imr.docx", content)
    reports.receive(ref, "police", ReceivedFile("imr.docx", content, media_type), actor=STAFF, now=DAY)
    reports.return_version(ref, "police", reasons="unsigned", new_due=date(2027, 2, 1), actor=STAFF, now=DAY)
    ReportVersions(store).upload(
        ref, filename="r.docx", content=content, media_type=media_type, text=text, actor=STAFF, now=DAY
    )
    publications = Publications(store)
    publications.record(ref, partial(start, kind=Proceeding.CRIMINAL, on=DAY.date()), actor=STAFF, now=DAY)
    publications.publish_anyway(ref, reason="decided", actor=CHAIR, now=DAY)
    plan = ActionPlan(store)
    plan.add(
        ref,
        text="Train",
        owner_agency="police",
        owner_role="Lead",
        due=date(2027, 6, 1),
        measure="All",
        actor=STAFF,
        now=DAY,
    )
    plan.complete(ref, 1, evidence="certificates", on=DAY.date(), actor=STAFF, now=DAY)
    store.cases.move_status(ref, CaseStatus.CLOSED, actor=STAFF, now=DAY)

    models = (AgencyReportRow, AgencyReportVersionRow, ReportVersionRow, PublicationRow, ActionRow)

    def sealed() -> int:
        with store.sessions() as s:
            total = 0
            for model in models:
                table = table_of(model)
                for row in s.execute(select(*(table.c[c] for c in encrypted_columns(table)))):
                    total += sum(value is not None for value in row)
            return total

    assert sealed() >= 10
    report = purge(
        store.sessions,
        store.audit,
        board_id=store.board.id,
        retention_days=30,
        now=DAY + timedelta(days=30),
        actor=SYSTEM,
        hooks=[purge_review],
    )
    assert report.purged == [ref]
    assert sealed() == 0
    with store.sessions() as s:
        assert s.scalars(select(AgencyReportRow.step)).all() == ["returned"]
        assert s.scalars(select(ActionRow.completed_on)).all() == [DAY.date()]
