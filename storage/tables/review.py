"""The review phase (cases/review/): agency reports and their versions, the overview or final report's versions
with their anonymisation check. Names, reasons, file names and the documents themselves only in `*_enc`
columns (AES-GCM tokens); steps, dates and counts in the clear for the business unit's lists."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.tables.base import Base, encrypted, new_id

ID = String(32)


class AgencyReportRow(Base):
    """Per case and agency: where its report stands (cases/review/agency_report.py)."""

    __tablename__ = "agency_reports"
    __table_args__ = (UniqueConstraint("case_id", "agency_id"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    board_id: Mapped[str] = mapped_column(String(64), index=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    agency_id: Mapped[str] = mapped_column(String(64))
    step: Mapped[str] = mapped_column(String(32))
    author_enc: Mapped[bytes | None] = encrypted()
    no_involvement_declared: Mapped[bool] = mapped_column(Boolean, default=False)
    briefed_on: Mapped[date | None] = mapped_column(Date)
    requested_on: Mapped[date | None] = mapped_column(Date)
    due: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, default=0)
    received_on: Mapped[date | None] = mapped_column(Date)
    signed_off_by_enc: Mapped[bytes | None] = encrypted()
    signed_off_on: Mapped[date | None] = mapped_column(Date)
    returns: Mapped[int] = mapped_column(Integer, default=0)
    accepted_on: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime]


class AgencyReportVersionRow(Base):
    """Each version an agency sent, kept (a return's reasons sit on the version returned)."""

    __tablename__ = "agency_report_versions"
    __table_args__ = (UniqueConstraint("case_id", "agency_id", "version"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    board_id: Mapped[str] = mapped_column(String(64), index=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    agency_id: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    received_at: Mapped[datetime]
    sender_enc: Mapped[bytes | None] = encrypted()
    filename_enc: Mapped[bytes | None] = encrypted()
    content_enc: Mapped[bytes | None] = encrypted()
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    returned_on: Mapped[date | None] = mapped_column(Date)
    return_reasons_enc: Mapped[bytes | None] = encrypted()


class ReportVersionRow(Base):
    """Each version of the overview (or final) report, with its anonymisation check and any override."""

    __tablename__ = "report_versions"
    __table_args__ = (UniqueConstraint("case_id", "version"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    board_id: Mapped[str] = mapped_column(String(64), index=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    uploaded_at: Mapped[datetime]
    uploaded_by: Mapped[str] = mapped_column(String(200))
    filename_enc: Mapped[bytes | None] = encrypted()
    content_enc: Mapped[bytes | None] = encrypted()
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    findings: Mapped[int] = mapped_column(Integer)  # how many hits the check found (0: clean)
    findings_enc: Mapped[bytes | None] = encrypted()  # the hits' kinds and places, as JSON
    override_by: Mapped[str] = mapped_column(String(200), default="")
    override_reason_enc: Mapped[bytes | None] = encrypted()
    overridden_at: Mapped[datetime | None]


class OutboxAttachmentRow(Base):
    """A file an outbound message carries (the checked report with the publication copies), sealed at rest."""

    __tablename__ = "outbox_attachments"

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    board_id: Mapped[str] = mapped_column(String(64), index=True)
    outbox_id: Mapped[str] = mapped_column(ForeignKey("outbox.id", ondelete="CASCADE"), index=True)
    # What it is, without content: e.g. "report_version:2".
    source: Mapped[str] = mapped_column(String(100))
    filename_enc: Mapped[bytes | None] = encrypted()
    content_enc: Mapped[bytes | None] = encrypted()
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime]


class PublicationRow(Base):
    """Per case: the planned and actual publication dates and the chair's decision to publish anyway."""

    __tablename__ = "publications"

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    board_id: Mapped[str] = mapped_column(String(64), index=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), unique=True)
    planned_on: Mapped[date | None] = mapped_column(Date)
    publish_anyway_on: Mapped[date | None] = mapped_column(Date)
    publish_anyway_by: Mapped[str] = mapped_column(String(200), default="")
    publish_anyway_reason_enc: Mapped[bytes | None] = encrypted()
    published_on: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime]


class ProceedingRow(Base):
    """Parallel proceedings the business unit recorded (criminal and coroner also come from the referral)."""

    __tablename__ = "publication_proceedings"

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    board_id: Mapped[str] = mapped_column(String(64), index=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    started_on: Mapped[date | None] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    from_referral: Mapped[bool] = mapped_column(Boolean, default=False)


class ActionRow(Base):
    """One action of the review's action plan (cases/review/action_plan.py); its words sealed all the same."""

    __tablename__ = "action_plan_actions"
    __table_args__ = (UniqueConstraint("case_id", "number"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    board_id: Mapped[str] = mapped_column(String(64), index=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    owner_agency: Mapped[str] = mapped_column(String(64))
    text_enc: Mapped[bytes | None] = encrypted()
    owner_role_enc: Mapped[bytes | None] = encrypted()
    measure_enc: Mapped[bytes | None] = encrypted()
    evidence_enc: Mapped[bytes | None] = encrypted()
    due: Mapped[date] = mapped_column(Date)
    signed_up_on: Mapped[date | None] = mapped_column(Date)
    completed_on: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime]
