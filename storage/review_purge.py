"""Purge of what the review phase holds about a case (a `storage.purge.PurgeHook`): every sealed value of its
agency reports and their versions, report versions, publication decision, actions, and the files its
outbound messages carry. The rows stay (steps, dates, counts: the de-identified timeline), as for the case."""

from __future__ import annotations

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from storage.db import rowcount
from storage.purge import CaseToPurge
from storage.tables import (
    ActionRow,
    AgencyReportRow,
    AgencyReportVersionRow,
    OutboxAttachmentRow,
    OutboxRow,
    PublicationRow,
    ReportVersionRow,
    encrypted_columns,
)
from storage.tables.base import Base, table_of

_BY_CASE: tuple[type[Base], ...] = (
    AgencyReportRow,
    AgencyReportVersionRow,
    ReportVersionRow,
    PublicationRow,
    ActionRow,
)


def purge_review(s: Session, case: CaseToPurge) -> int:
    """How many rows lost their sealed values."""
    removed = 0
    for model in _BY_CASE:
        table = table_of(model)
        columns = encrypted_columns(table)
        held = or_(*(table.c[c].is_not(None) for c in columns))
        statement = update(table).where(table.c.case_id == case.id, held).values(dict.fromkeys(columns))
        removed += rowcount(s.execute(statement))
    messages = select(OutboxRow.id).where(
        or_(
            OutboxRow.case_id == case.id,
            and_(OutboxRow.board_id == case.board_id, OutboxRow.case_ref == case.reference),
        )
    )
    files = table_of(OutboxAttachmentRow)
    removed += rowcount(
        s.execute(
            update(files)
            .where(files.c.outbox_id.in_(messages), files.c.content_enc.is_not(None))
            .values(filename_enc=None, content_enc=None)
        )
    )
    return removed
