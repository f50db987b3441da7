"""The overview (or final) report's versions: each one sealed, checked against the case's own encrypted
record when it is uploaded (cases/review/anonymisation.py), and let out of the board only when the check is
clean or a named person overrode it with a reason (cases/review/report_version.py). The audit holds versions,
counts and kinds of findings; never the findings' words, the reason, or the document."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cases.actor import Actor
from cases.calendar import local_date
from cases.commands import MeetBy
from cases.events import CaseEvent
from cases.permissions import require_staff
from cases.review.anonymisation import CheckResult, check
from cases.review.document import DocumentText
from cases.review.report_version import ReportVersion, override, require_may_leave
from cases.rules import MetBy
from errors import BadInput, Conflict, NotFound
from storage.case_facts import case_facts
from storage.crypto import open_json, seal_json, seal_text
from storage.db import transaction
from storage.outbox import OutboxStatus
from storage.outbox_attachments import Attachment, OutboxAttachments
from storage.store import Store
from storage.tables import CaseRow, OutboxRow, ReportVersionRow

_TABLE = "report_versions"


@dataclass(frozen=True)
class Uploaded:
    version: ReportVersion
    result: CheckResult


@dataclass(frozen=True)
class ReportFile:
    version: int
    filename: str
    content: bytes
    media_type: str


class ReportVersions:
    def __init__(self, store: Store) -> None:
        self.store = store

    def upload(
        self,
        reference: str,
        *,
        filename: str,
        content: bytes,
        media_type: str,
        text: DocumentText,
        actor: Actor,
        now: datetime,
        session: Session | None = None,
    ) -> Uploaded:
        """Keep a new version, sealed, and check its text (already read from `content`) against the case."""
        require_staff(actor, "upload a version of the report")
        with transaction(self.store.sessions, session) as s:
            case = self._case(s, reference)
            facts = case_facts(s, self.store.codec, case.id)
            if facts is None:
                raise Conflict(f"case {case.reference} has no record left to check the report against (purged)")
            result = check(text, facts)
            number = (
                int(
                    s.scalar(select(func.max(ReportVersionRow.version)).where(ReportVersionRow.case_id == case.id)) or 0
                )
                + 1
            )
            row = ReportVersionRow(
                board_id=self.store.board.id,
                case_id=case.id,
                version=number,
                uploaded_at=now,
                uploaded_by=actor.id,
                media_type=media_type,
                size=len(content),
                findings=len(result.findings),
                override_by="",
            )
            s.add(row)
            s.flush()
            cipher = self.store.cipher
            row.filename_enc = seal_text(cipher, filename, table=_TABLE, column="filename_enc", row_id=row.id)
            row.content_enc = cipher.seal(content, table=_TABLE, column="content_enc", row_id=row.id)
            lines = [f.line() for f in result.findings]
            row.findings_enc = seal_json(cipher, lines, table=_TABLE, column="findings_enc", row_id=row.id)
            detail = {"version": number, "findings": len(result.findings), "kinds": result.counts()}
            self.store.audit.append(
                s, at=now, actor=actor.id, action="report.uploaded", case_ref=case.reference, detail=detail
            )
            return Uploaded(_version(row), result)

    def versions(self, reference: str, *, session: Session | None = None) -> list[ReportVersion]:
        with transaction(self.store.sessions, session) as s:
            case = self._case(s, reference)
            rows = s.scalars(
                select(ReportVersionRow).where(ReportVersionRow.case_id == case.id).order_by(ReportVersionRow.version)
            )
            return [_version(r) for r in rows]

    def findings(self, reference: str, version: int, *, actor: Actor) -> list[str]:
        """Each finding's kind and place (no words of the report): for the person correcting it."""
        require_staff(actor, "see the anonymisation check")
        with transaction(self.store.sessions, None) as s:
            row = self._row(s, reference, version)
            if row.findings_enc is None:
                return []
            lines = open_json(self.store.cipher, row.findings_enc, table=_TABLE, column="findings_enc", row_id=row.id)
            return [str(line) for line in lines]

    def override(
        self, reference: str, version: int, *, reason: str, actor: Actor, now: datetime, session: Session | None = None
    ) -> ReportVersion:
        """The actor (a named person, as authenticated) lets a version with findings go, with a reason."""
        require_staff(actor, "override the anonymisation check")
        with transaction(self.store.sessions, session) as s:
            row = self._row(s, reference, version, lock=True)
            after = override(_version(row), by=actor.id, reason=reason, at=now)
            row.override_by = after.overridden_by
            row.overridden_at = now
            row.override_reason_enc = seal_text(
                self.store.cipher, reason.strip(), table=_TABLE, column="override_reason_enc", row_id=row.id
            )
            detail = {"version": version, "findings": row.findings}
            self.store.audit.append(
                s, at=now, actor=actor.id, action="report.check_overridden", case_ref=reference.upper(), detail=detail
            )
            return after

    def approve(
        self, reference: str, version: int, *, on: date, actor: Actor, now: datetime, session: Session | None = None
    ) -> list[str]:
        """The board (the safeguarding partners under wt2023) approves a version, one that may leave the board
        only: meets what the case's pack says an approved report meets (`met_by = "report_approved"`, e.g. the
        wt2023 `final_report`). Returns the rules met; the audit holds the version and the date."""
        require_staff(actor, "approve the report")
        with transaction(self.store.sessions, session) as s:
            row = self._row(s, reference, version)
            require_may_leave(_version(row))
            if on > local_date(now):
                raise BadInput(f"the approval date {on} is in the future", field="on")
            met = self.store.cases.run(reference, MeetBy(MetBy.REPORT_APPROVED, on), actor=actor, now=now, session=s)
            detail = {"version": version, "on": on, "met": [d.computed.rule for d in met]}
            self.store.audit.append(
                s, at=now, actor=actor.id, action="report.approved", case_ref=reference.upper(), detail=detail
            )
            return [d.computed.rule for d in met]

    def for_sending(self, reference: str, version: int, *, session: Session | None = None) -> ReportFile:
        """The version's document, for a message leaving the board: refused unless it may leave."""
        with transaction(self.store.sessions, session) as s:
            row = self._row(s, reference, version)
            require_may_leave(_version(row))
            if row.content_enc is None:
                raise NotFound(f"version {version} of the report for {reference.upper()} is no longer held")
            cipher = self.store.cipher
            name = self.store.codec.open_text(_TABLE, "filename_enc", row.id, row.filename_enc)
            content = cipher.open(row.content_enc, table=_TABLE, column="content_enc", row_id=row.id)
            return ReportFile(version, name, content, row.media_type)

    def attach_to_publication_copies(
        self, reference: str, version: int, *, actor: Actor, now: datetime, session: Session | None = None
    ) -> list[str]:
        """Attach the version (only one that may leave) to the case's unsent publication copies (004 §10.5), so
        that they carry the checked report itself. Returns the messages' ids."""
        require_staff(actor, "attach the report to the publication copies")
        with transaction(self.store.sessions, session) as s:
            case = self._case(s, reference)
            report = self.for_sending(reference, version, session=s)
            ids = list(
                s.scalars(
                    select(OutboxRow.id)
                    .where(
                        OutboxRow.case_id == case.id,
                        OutboxRow.kind.in_(self._copies_kinds(case)),
                        OutboxRow.status.in_([OutboxStatus.DRAFT.value, OutboxStatus.APPROVED.value]),
                    )
                    .order_by(OutboxRow.created_at, OutboxRow.id)
                )
            )
            if not ids:
                raise NotFound(
                    f"case {case.reference} has no publication copies waiting to go: record the planned "
                    "publication date first (it drafts them)"
                )
            files = OutboxAttachments(self.store.sessions, self.store.cipher, self.store.board.id)
            attachment = Attachment(report.filename, report.content, report.media_type)
            for outbox_id in ids:
                files.attach(s, outbox_id, attachment, source=f"report_version:{version}", now=now)
            detail = {"version": version, "messages": ids}
            self.store.audit.append(
                s, at=now, actor=actor.id, action="report.attached", case_ref=case.reference, detail=detail
            )
            return ids

    def _copies_kinds(self, case: CaseRow) -> list[str]:
        """The statutory messages the planned publication drafts: the copies that carry the report (004 §10.5)."""
        pack = self.store.cases.pack_named(case.rules_pack)
        return [n.template for n in pack.notifications if n.on == CaseEvent.PUBLICATION_PLANNED.value]

    def _case(self, s: Session, reference: str) -> CaseRow:
        row = s.scalars(
            select(CaseRow).where(CaseRow.board_id == self.store.board.id, CaseRow.reference == reference.upper())
        ).one_or_none()
        if row is None:
            raise NotFound(f"no case {reference.upper()}")
        return row

    def _row(self, s: Session, reference: str, version: int, *, lock: bool = False) -> ReportVersionRow:
        case = self._case(s, reference)
        query = select(ReportVersionRow).where(ReportVersionRow.case_id == case.id, ReportVersionRow.version == version)
        row = s.scalars(query.with_for_update() if lock else query).one_or_none()
        if row is None:
            raise NotFound(f"case {case.reference} has no version {version} of the report")
        return row


def _version(row: ReportVersionRow) -> ReportVersion:
    return ReportVersion(row.version, row.findings, row.override_by, row.overridden_at)
