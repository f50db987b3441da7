"""The agency reports repository: each step of an agency's report (cases/review/agency_report.py) loaded,
decided, written, audited and its deadline effect applied (cases.commands GiveDue / MeetBy) in one
transaction. Names, reasons, senders and documents are sealed; the audit holds steps, dates and versions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cases.actor import Actor
from cases.calendar import local_date
from cases.case import DeadlineState
from cases.events import CaseStatus
from cases.permissions import require_answer_for, require_staff
from cases.review.agency_report import AgencyReport, Outcome, Step, nominate, receive, return_report
from cases.rules import MetBy
from errors import Conflict, NotFound, Refused
from storage.crypto import open_text, seal_text
from storage.db import transaction
from storage.review_distribution import Distribution
from storage.store import Store
from storage.tables import AgencyReportRow, AgencyReportVersionRow, CaseRow, DeadlineRow

Step_ = Callable[[AgencyReport], Outcome]
_TABLE = "agency_reports"
_VERSIONS = "agency_report_versions"


@dataclass(frozen=True)
class ReceivedFile:
    """A version as it arrived: the document, already read and found to be a .docx or .pdf."""

    filename: str
    content: bytes
    media_type: str
    sender: str = ""  # the registered address it came from; empty when the business unit records it


class AgencyReports:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.distribution = Distribution(store)

    # --- steps ---------------------------------------------------------------------------------------

    def record(
        self, reference: str, agency: str, step: Step_, *, actor: Actor, now: datetime, session: Session | None = None
    ) -> AgencyReport:
        """Apply one step (a pure function of cases/review/agency_report.py, its arguments bound)."""
        require_staff(actor, "record an agency report's progress")
        with transaction(self.store.sessions, session) as s:
            case = self._case(s, reference, agency)
            row, before = self._load(s, case.id, agency)
            outcome = step(before)
            self._write(s, case, row, outcome, actor=actor, now=now)
            if outcome.report.step is Step.ACCEPTED and before.step is not Step.ACCEPTED:
                self.distribution.draft(s, case, outcome.report, actor=actor, now=now)
            return outcome.report

    def nominate_by_agency(
        self, reference: str, agency: str, *, author: str, actor: Actor, now: datetime, session: Session | None = None
    ) -> AgencyReport:
        """The agency's own email naming its author and declaring no involvement (004 §7.2): the agency itself
        (or the business unit) may record it, and only that step."""
        require_answer_for(actor, agency)
        with transaction(self.store.sessions, session) as s:
            case = self._case(s, reference, agency)
            row, before = self._load(s, case.id, agency)
            outcome = nominate(before, author=author, no_involvement=True, on=local_date(now))
            self._write(s, case, row, outcome, actor=actor, now=now, extra={"by_email": True})
            return outcome.report

    def receive(
        self,
        reference: str,
        agency: str,
        received: ReceivedFile,
        *,
        actor: Actor,
        now: datetime,
        session: Session | None = None,
    ) -> AgencyReport:
        """Keep a new version, sealed. By email only from a registered address of that agency (DESIGN.md §5);
        the business unit may record one it received otherwise."""
        if received.sender:
            sender_agency = self.store.board.agency_for_address(received.sender)
            if sender_agency is None or sender_agency.id != agency:
                raise Refused(f"a report for {agency} counts only from that agency's registered addresses")
        else:
            require_staff(actor, "record an agency report")
        with transaction(self.store.sessions, session) as s:
            case = self._case(s, reference, agency)
            row, before = self._load(s, case.id, agency)
            outcome = receive(before, on=local_date(now))
            version = AgencyReportVersionRow(
                board_id=self.store.board.id,
                case_id=case.id,
                agency_id=agency,
                version=outcome.report.version,
                received_at=now,
                media_type=received.media_type,
                size=len(received.content),
            )
            s.add(version)
            s.flush()
            version.sender_enc = self._seal(_VERSIONS, "sender_enc", version.id, received.sender)
            version.filename_enc = self._seal(_VERSIONS, "filename_enc", version.id, received.filename)
            version.content_enc = self.store.cipher.seal(
                received.content, table=_VERSIONS, column="content_enc", row_id=version.id
            )
            self._write(s, case, row, outcome, actor=actor, now=now, extra={"by_email": bool(received.sender)})
            return outcome.report

    def return_version(
        self,
        reference: str,
        agency: str,
        *,
        reasons: str,
        new_due: date,
        actor: Actor,
        now: datetime,
        session: Session | None = None,
    ) -> AgencyReport:
        """Quality assurance returns the latest version with reasons and a new due date (004 §7.6). The reasons
        are sealed on the version returned; the audit says only that it was, with the new date."""
        require_staff(actor, "return an agency report")
        with transaction(self.store.sessions, session) as s:
            case = self._case(s, reference, agency)
            row, before = self._load(s, case.id, agency)
            on = local_date(now)
            outcome = return_report(before, reasons=reasons, new_due=new_due, on=on)
            version = s.scalars(
                select(AgencyReportVersionRow).where(
                    AgencyReportVersionRow.case_id == case.id,
                    AgencyReportVersionRow.agency_id == agency,
                    AgencyReportVersionRow.version == before.version,
                )
            ).one()
            version.returned_on = on
            version.return_reasons_enc = self._seal(_VERSIONS, "return_reasons_enc", version.id, reasons.strip())
            self._write(s, case, row, outcome, actor=actor, now=now)
            return outcome.report

    # --- reading -------------------------------------------------------------------------------------

    def steps(self, reference: str, *, session: Session | None = None) -> list[AgencyReport]:
        """Every agency's report for the review, in agency order: those the pack expects one from (an open
        or met report deadline) and any other already started. Names left out: not an audited read."""
        with transaction(self.store.sessions, session) as s:
            case = self._case(s, reference, None)
            rows = {
                r.agency_id: r for r in s.scalars(select(AgencyReportRow).where(AgencyReportRow.case_id == case.id))
            }
            expected = set(self._expected(s, case))
            reports = [self._report(r, names=False) for r in rows.values()]
            reports += [AgencyReport(a) for a in expected - set(rows)]
            return sorted(reports, key=lambda r: r.agency)

    def distributions(self, reference: str, *, session: Session | None = None) -> dict[str, str]:
        """Per accepted report, where its message to the lead reviewer and the review panel stands (draft,
        approved, sent, ...; "none" when the pack sends none): states only."""
        with transaction(self.store.sessions, session) as s:
            case = self._case(s, reference, None)
            return self.distribution.states(s, case, self.steps(reference, session=s))

    def version_file(
        self, reference: str, agency: str, version: int, *, actor: Actor, now: datetime
    ) -> tuple[str, bytes]:
        """(file name, document) of one version; an audited read of personal data."""
        require_staff(actor, "open an agency report")
        with transaction(self.store.sessions, None) as s:
            case = self._case(s, reference, agency)
            row = s.scalars(
                select(AgencyReportVersionRow).where(
                    AgencyReportVersionRow.case_id == case.id,
                    AgencyReportVersionRow.agency_id == agency,
                    AgencyReportVersionRow.version == version,
                )
            ).one_or_none()
            if row is None or row.content_enc is None:
                raise NotFound(f"{agency} has no version {version} of its report for {case.reference}")
            detail = {"agency": agency, "version": version}
            self.store.audit.append(
                s, at=now, actor=actor.id, action="agency_report.opened", case_ref=case.reference, detail=detail
            )
            name = self.store.codec.open_text(_VERSIONS, "filename_enc", row.id, row.filename_enc)
            content = self.store.cipher.open(row.content_enc, table=_VERSIONS, column="content_enc", row_id=row.id)
            return name, content

    def versions(self, reference: str, agency: str) -> int:
        with transaction(self.store.sessions, None) as s:
            case = self._case(s, reference, agency)
            count = s.scalar(
                select(func.count())
                .select_from(AgencyReportVersionRow)
                .where(AgencyReportVersionRow.case_id == case.id, AgencyReportVersionRow.agency_id == agency)
            )
            return int(count or 0)

    # --- plumbing ------------------------------------------------------------------------------------

    def _case(self, s: Session, reference: str, agency: str | None) -> CaseRow:
        if agency is not None:
            self.store.board.agency(agency)  # an unknown agency: NotFound, naming it
        row = s.scalars(
            select(CaseRow).where(CaseRow.board_id == self.store.board.id, CaseRow.reference == reference.upper())
        ).one_or_none()
        if row is None:
            raise NotFound(f"no case {reference.upper()}")
        if agency is not None and row.status == CaseStatus.CLOSED.value:
            raise Conflict(f"case {row.reference} is closed")
        return row

    def _expected(self, s: Session, case: CaseRow) -> list[str]:
        rules = self.store.cases.pack_named(case.rules_pack).rule_ids_met_by(MetBy.AGENCY_REPORT_ACCEPTED)
        query = select(DeadlineRow.agency_id).where(
            DeadlineRow.case_id == case.id,
            DeadlineRow.rule_id.in_(rules),
            DeadlineRow.state != DeadlineState.CANCELLED.value,
        )
        return [a for a in s.scalars(query) if a]

    def _load(self, s: Session, case_id: str, agency: str) -> tuple[AgencyReportRow | None, AgencyReport]:
        query = select(AgencyReportRow).where(AgencyReportRow.case_id == case_id, AgencyReportRow.agency_id == agency)
        row = s.scalars(query.with_for_update()).one_or_none()
        return row, (self._report(row, names=True) if row is not None else AgencyReport(agency))

    def _report(self, row: AgencyReportRow, *, names: bool) -> AgencyReport:
        def opened(column: str, token: bytes | None) -> str:
            if not names or token is None:
                return ""
            return open_text(self.store.cipher, token, table=_TABLE, column=column, row_id=row.id)

        return AgencyReport(
            agency=row.agency_id,
            step=Step(row.step),
            author=opened("author_enc", row.author_enc),
            no_involvement_declared=row.no_involvement_declared,
            briefed_on=row.briefed_on,
            requested_on=row.requested_on,
            due=row.due,
            version=row.version,
            received_on=row.received_on,
            signed_off_by=opened("signed_off_by_enc", row.signed_off_by_enc),
            signed_off_on=row.signed_off_on,
            returns=row.returns,
            accepted_on=row.accepted_on,
        )

    def _seal(self, table: str, column: str, row_id: str, value: str) -> bytes | None:
        return seal_text(self.store.cipher, value, table=table, column=column, row_id=row_id) if value else None

    def _write(
        self,
        s: Session,
        case: CaseRow,
        row: AgencyReportRow | None,
        outcome: Outcome,
        *,
        actor: Actor,
        now: datetime,
        extra: dict[str, object] | None = None,
    ) -> None:
        report = outcome.report
        if row is None:
            row = AgencyReportRow(
                board_id=self.store.board.id,
                case_id=case.id,
                agency_id=report.agency,
                step=report.step.value,
                updated_at=now,
            )
            s.add(row)
            s.flush()
        row.step = report.step.value
        row.author_enc = self._seal(_TABLE, "author_enc", row.id, report.author)
        row.no_involvement_declared = report.no_involvement_declared
        row.briefed_on = report.briefed_on
        row.requested_on = report.requested_on
        row.due = report.due
        row.version = report.version
        row.received_on = report.received_on
        row.signed_off_by_enc = self._seal(_TABLE, "signed_off_by_enc", row.id, report.signed_off_by)
        row.signed_off_on = report.signed_off_on
        row.returns = report.returns
        row.accepted_on = report.accepted_on
        row.updated_at = now
        detail = dict(outcome.audit.detail) | (extra or {})
        self.store.audit.append(
            s, at=now, actor=actor.id, action=outcome.audit.action, case_ref=case.reference, detail=detail
        )
        if outcome.deadlines is not None:
            self.store.cases.run(case.reference, outcome.deadlines, actor=actor, now=now, session=s)
