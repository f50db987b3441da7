"""The personal data a case holds, for checking free text against it (cases/personal_data.py)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.personal_data import CaseFacts
from storage.case_codec import Codec
from storage.tables import CaseRow


def case_facts(
    session: Session, codec: Codec, case_id: str | None, *, board_id: str = "", case_ref: str = ""
) -> CaseFacts | None:
    """The case's names, dates of birth and addresses, found by its id or else its board and reference; None
    when there is no such case or its referral is purged. Not audited: the values are only compared with a
    message's text, never shown."""
    row: CaseRow | None = None
    if case_id:
        row = session.get(CaseRow, case_id)
    elif board_id and case_ref:
        query = select(CaseRow).where(CaseRow.board_id == board_id, CaseRow.reference == case_ref.upper())
        row = session.scalars(query).one_or_none()
    referral = codec.open_referral(row) if row is not None else None
    return CaseFacts.from_referral(referral) if referral is not None else None
