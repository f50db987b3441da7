"""An accepted agency report goes to the lead reviewer and the review panel (003 §5.7: each completed IMR is
forwarded to the members of the serious case review panel; 004 §6.1): through the outbox, approved by a
person like every statutory message, carrying the accepted version itself as an encrypted attachment.

The case's pack says whether and to whom (`on = "agency_report_accepted"` in `[[notifications]]`): accepting
publishes the review step to the case store's listeners (notify/statutory.py drafts the message), then the
accepted version is attached to that draft in the same transaction, so a draft never waits without its file.
The audit names the agency, the version and the messages; never the document or its name."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.actor import Actor
from cases.domain_events import AgencyReportAccepted
from cases.notifications import Trigger
from cases.review.agency_report import AgencyReport
from errors import Conflict
from storage.crypto import open_text
from storage.outbox import OutboxStatus
from storage.outbox_attachments import Attachment, OutboxAttachments
from storage.store import Store
from storage.tables import AgencyReportVersionRow, CaseRow, OutboxRow

_VERSIONS = "agency_report_versions"


class Distribution:
    def __init__(self, store: Store) -> None:
        self.store = store

    def draft(self, s: Session, case: CaseRow, report: AgencyReport, *, actor: Actor, now: datetime) -> list[str]:
        """Draft the accepted version's distribution (the pack's listeners) and attach the version to it."""
        if report.accepted_on is None:
            raise Conflict(f"{report.agency}'s report is not accepted: it is not distributed")
        event = AgencyReportAccepted(
            self.store.board.id, case.id, case.reference, now, report.agency, report.version, report.accepted_on
        )
        self.store.cases.publish(s, event)
        ids = self._messages(s, case, report.agency, report.version, unsent_only=True)
        if ids:
            attachment = self._version(s, case, report.agency, report.version)
            files = OutboxAttachments(self.store.sessions, self.store.cipher, self.store.board.id)
            for outbox_id in ids:
                source = f"agency_report:{report.agency}:v{report.version}"
                files.attach(s, outbox_id, attachment, source=source, now=now)
        detail = {"agency": report.agency, "version": report.version, "messages": ids}
        self.store.audit.append(
            s,
            at=now,
            actor=actor.id,
            action="agency_report.distribution_drafted",
            case_ref=case.reference,
            detail=detail,
        )
        return ids

    def states(self, s: Session, case: CaseRow, reports: list[AgencyReport]) -> dict[str, str]:
        """Per accepted report, where its distribution stands (draft, approved, sent, ...; "none" when the
        pack sends none or the draft was refused): ids and states only."""
        states: dict[str, str] = {}
        for report in reports:
            if report.accepted_on is None:
                continue
            rows = self._messages(s, case, report.agency, report.version, unsent_only=False)
            status = [s.scalar(select(OutboxRow.status).where(OutboxRow.id == i)) for i in rows]
            states[report.agency] = ", ".join(str(x) for x in status) or "none"
        return states

    # --- plumbing ------------------------------------------------------------------------------------

    def _kinds(self, case: CaseRow) -> list[str]:
        pack = self.store.cases.pack_named(case.rules_pack)
        return [n.template for n in pack.notifications if n.on is Trigger.AGENCY_REPORT_ACCEPTED]

    def _messages(self, s: Session, case: CaseRow, agency: str, version: int, *, unsent_only: bool) -> list[str]:
        kinds = self._kinds(case)
        keys = [f"{kind}:{case.id}:{agency}:v{version}" for kind in kinds]
        query = select(OutboxRow.id).where(
            OutboxRow.board_id == self.store.board.id,
            OutboxRow.case_id == case.id,
            OutboxRow.idempotency_key.in_(keys or [""]),
        )
        if unsent_only:
            query = query.where(OutboxRow.status.in_([OutboxStatus.DRAFT.value, OutboxStatus.APPROVED.value]))
        return list(s.scalars(query.order_by(OutboxRow.created_at, OutboxRow.id)))

    def _version(self, s: Session, case: CaseRow, agency: str, version: int) -> Attachment:
        row = s.scalars(
            select(AgencyReportVersionRow).where(
                AgencyReportVersionRow.case_id == case.id,
                AgencyReportVersionRow.agency_id == agency,
                AgencyReportVersionRow.version == version,
            )
        ).one()
        if row.content_enc is None:
            raise Conflict(f"{agency}'s version {version} is no longer held: it cannot be distributed")
        cipher = self.store.cipher
        name = (
            open_text(cipher, row.filename_enc, table=_VERSIONS, column="filename_enc", row_id=row.id)
            if row.filename_enc is not None
            else f"{agency}-report-v{version}"
        )
        content = cipher.open(row.content_enc, table=_VERSIONS, column="content_enc", row_id=row.id)
        return Attachment(name, content, row.media_type)
